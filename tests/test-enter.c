/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Entering namespaces (one, or all of a target) and unsharing. */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "lxns.h"

static uint64_t cur_ino(int type)
{
	struct lxns_ident id;

	CHECK_OK(lxns_current_ident(type, &id));
	return id.ino;
}

static uint64_t pid_ino(pid_t pid, int type)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, lxns_type_name(type));
	return harness_link_ino(path);
}

TEST(ns_enter_joins_the_namespace)
{
	harness_require_unshare(CLONE_NEWNET);
	struct helper h = helper_spawn(LXNS_NET, false);
	pid_t pid = CHECK_SYS(fork());

	if (pid == 0) {
		struct lxns_ns *ns, *own;

		CHECK_OK(lxns_ns_open_pid(h.pid, LXNS_NET, 0, &ns));
		CHECK_OK(lxns_ns_enter(ns));
		CHECK_EQ(cur_ino(LXNS_NET), pid_ino(h.pid, LXNS_NET));
		/* The kernel refuses to enter the user namespace we are in. */
		CHECK_OK(lxns_ns_open_self(LXNS_USER, 0, &own));
		CHECK_ERR(lxns_ns_enter(own), EINVAL);
		lxns_ns_free(ns);
		lxns_ns_free(own);
		_exit(0);
	}
	harness_wait_ok(pid);
	helper_kill(&h);
}

TEST(enter_pid_joins_exactly_the_namespaces_that_differ)
{
	harness_require_unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWUTS);
	struct helper h = helper_spawn(LXNS_USER | LXNS_NET | LXNS_UTS, true);
	uint64_t our_ipc = cur_ino(LXNS_IPC);
	pid_t pid = CHECK_SYS(fork());

	if (pid == 0) {
		LXNS_OPTS(lxns_target, t, .pid = h.pid);
		CHECK_EQ(CHECK_OK(lxns_enter(&t)), LXNS_USER | LXNS_NET | LXNS_UTS);
		CHECK_EQ(cur_ino(LXNS_USER), pid_ino(h.pid, LXNS_USER));
		CHECK_EQ(cur_ino(LXNS_NET), pid_ino(h.pid, LXNS_NET));
		CHECK_EQ(cur_ino(LXNS_UTS), pid_ino(h.pid, LXNS_UTS));
		CHECK_EQ(cur_ino(LXNS_IPC), our_ipc);
		/* Entering again is a no-op, not an EINVAL for the user namespace. */
		CHECK_EQ(CHECK_OK(lxns_enter(&t)), 0);
		_exit(0);
	}
	harness_wait_ok(pid);

	/* Restricted to some types, through a pidfd. */
	pid = CHECK_SYS(fork());
	if (pid == 0) {
		int pidfd = (int)CHECK_SYS(syscall(SYS_pidfd_open, h.pid, 0));
		LXNS_OPTS(lxns_target, t, .flags = LXNS_TARGET_PIDFD, .pidfd = pidfd, .types = LXNS_UTS | LXNS_IPC);
		CHECK_EQ(CHECK_OK(lxns_enter(&t)), LXNS_UTS);
		CHECK_EQ(cur_ino(LXNS_UTS), pid_ino(h.pid, LXNS_UTS));
		CHECK(cur_ino(LXNS_NET) != pid_ino(h.pid, LXNS_NET));
		close(pidfd);
		_exit(0);
	}
	harness_wait_ok(pid);
	helper_kill(&h);
}

TEST(enter_self_changes_nothing)
{
	pid_t pid = CHECK_SYS(fork());

	if (pid == 0) {
		char before[256], after[256];

		CHECK_SYS(chdir("/tmp"));
		CHECK(getcwd(before, sizeof(before)));
		LXNS_OPTS(lxns_target, t, .pid = getpid());
		CHECK_EQ(CHECK_OK(lxns_enter(&t)), 0);
		/* Re-entering our own mount namespace would have reset cwd to /. */
		CHECK(getcwd(after, sizeof(after)));
		CHECK(strcmp(before, after) == 0);
		_exit(0);
	}
	harness_wait_ok(pid);
}

TEST(enter_rejects_bad_targets)
{
	struct lxns_ns *net, *net2, *closed;
	pid_t gone = CHECK_SYS(fork());

	if (gone == 0)
		_exit(0);
	CHECK_SYS(waitpid(gone, NULL, 0));
	CHECK_OK(lxns_ns_open_self(LXNS_NET, 0, &net));
	CHECK_OK(lxns_ns_open_self(LXNS_NET, 0, &net2));
	CHECK_OK(lxns_ns_open_self(LXNS_UTS, 0, &closed));
	lxns_ns_close(closed);

	struct lxns_ns *same_type[] = { net, net2 }, *with_closed[] = { net, closed };
	LXNS_OPTS(lxns_target, none);
	LXNS_OPTS(lxns_target, two_sources, .pid = getpid(), .ns = same_type, .n_ns = 1);
	LXNS_OPTS(lxns_target, dup, .ns = same_type, .n_ns = 2);
	LXNS_OPTS(lxns_target, bad_handle, .ns = with_closed, .n_ns = 2);
	LXNS_OPTS(lxns_target, bad_types, .pid = getpid(), .types = 0x1);
	LXNS_OPTS(lxns_target, neg_pid, .pid = -3);
	LXNS_OPTS(lxns_target, no_such_pid, .pid = gone);
	LXNS_OPTS(lxns_target, empty_set, .ns = same_type, .n_ns = 0);
	struct lxns_target short_sz = { .sz = 4, .pid = getpid() };
	struct {
		struct lxns_target t;
		int future;
	} newer = { .t = { .sz = sizeof(newer), .pid = getpid() }, .future = 1 };

	CHECK_ERR(lxns_enter(NULL), EINVAL);
	CHECK_ERR(lxns_enter(&none), EINVAL);
	CHECK_ERR(lxns_enter(&two_sources), EINVAL);
	CHECK_ERR(lxns_enter(&dup), EINVAL);
	CHECK_ERR(lxns_enter(&bad_handle), EBADF);
	CHECK_ERR(lxns_enter(&bad_types), EINVAL);
	CHECK_ERR(lxns_enter(&neg_pid), EINVAL);
	CHECK_ERR(lxns_enter(&no_such_pid), ESRCH);
	CHECK_ERR(lxns_enter(&empty_set), EINVAL);
	CHECK_ERR(lxns_enter(&short_sz), EINVAL);
	CHECK_ERR(lxns_enter(&newer.t), E2BIG);
	newer.future = 0;
	CHECK_EQ(CHECK_OK(lxns_enter(&newer.t)), 0);
	lxns_ns_free(net);
	lxns_ns_free(net2);
	lxns_ns_free(closed);
}

/* An unprivileged caller must enter the user namespace first: its other namespaces are owned
 * by it, and only inside it do we get the capabilities to join them. The handle target takes
 * the one-by-one path; the pid target the kernel's atomic one. */
TEST(unprivileged_joins_user_namespace_first)
{
	harness_require_unshare(CLONE_NEWUSER);
	pid_t pid = CHECK_SYS(fork());

	if (pid == 0) {
		struct lxns_ns *user, *net;

		harness_drop_privileges();
		struct helper h = helper_spawn(LXNS_USER | LXNS_NET, true);
		CHECK_OK(lxns_ns_open_pid(h.pid, LXNS_USER, 0, &user));
		CHECK_OK(lxns_ns_open_pid(h.pid, LXNS_NET, 0, &net));
		CHECK_ERR(lxns_ns_enter(net), EPERM); /* on its own it is refused */

		pid_t joiner = CHECK_SYS(fork());
		if (joiner == 0) {
			struct lxns_ns *set[] = { net, user }; /* listed in the wrong order */
			LXNS_OPTS(lxns_target, t, .ns = set, .n_ns = 2);
			CHECK_EQ(CHECK_OK(lxns_enter(&t)), LXNS_USER | LXNS_NET);
			CHECK_EQ(cur_ino(LXNS_NET), pid_ino(h.pid, LXNS_NET));
			_exit(0);
		}
		harness_wait_ok(joiner);
		joiner = CHECK_SYS(fork());
		if (joiner == 0) {
			LXNS_OPTS(lxns_target, t, .pid = h.pid);
			CHECK_EQ(CHECK_OK(lxns_enter(&t)), LXNS_USER | LXNS_NET);
			CHECK_EQ(cur_ino(LXNS_USER), pid_ino(h.pid, LXNS_USER));
			_exit(0);
		}
		harness_wait_ok(joiner);
		lxns_ns_free(user);
		lxns_ns_free(net);
		helper_kill(&h);
		_exit(0);
	}
	harness_wait_ok(pid);
}

/* A privileged caller must enter the user namespace last: the target's net namespace here is
 * owned by our user namespace, and inside the target's user namespace we would have no
 * capabilities over it. */
TEST(privileged_joins_user_namespace_last)
{
	harness_require_unshare(CLONE_NEWUSER | CLONE_NEWNET);
	int ready[2];
	char c;

	CHECK_SYS(pipe2(ready, O_CLOEXEC));
	pid_t target = CHECK_SYS(fork());
	if (target == 0) {
		close(ready[0]);
		CHECK_SYS(unshare(CLONE_NEWNET));
		CHECK_SYS(unshare(CLONE_NEWUSER));
		(void)!write(ready[1], "x", 1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	CHECK(read(ready[0], &c, 1) == 1);
	close(ready[0]);

	pid_t pid = CHECK_SYS(fork());
	if (pid == 0) {
		struct lxns_ns *user, *net;

		CHECK_OK(lxns_ns_open_pid(target, LXNS_USER, 0, &user));
		CHECK_OK(lxns_ns_open_pid(target, LXNS_NET, 0, &net));
		struct lxns_ns *set[] = { user, net };
		LXNS_OPTS(lxns_target, t, .ns = set, .n_ns = 2);
		CHECK_EQ(CHECK_OK(lxns_enter(&t)), LXNS_USER | LXNS_NET);
		CHECK_EQ(cur_ino(LXNS_NET), pid_ino(target, LXNS_NET));
		CHECK_EQ(cur_ino(LXNS_USER), pid_ino(target, LXNS_USER));
		lxns_ns_free(user);
		lxns_ns_free(net);
		_exit(0);
	}
	harness_wait_ok(pid);
	kill(target, SIGKILL);
	waitpid(target, NULL, 0);
}

TEST(unshare_one_and_several)
{
	harness_require_unshare(CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC);
	pid_t pid = CHECK_SYS(fork());

	if (pid == 0) {
		uint64_t net = cur_ino(LXNS_NET), uts = cur_ino(LXNS_UTS), ipc = cur_ino(LXNS_IPC);

		CHECK_OK(lxns_unshare(LXNS_NET | LXNS_UTS));
		CHECK(cur_ino(LXNS_NET) != net);
		CHECK(cur_ino(LXNS_UTS) != uts);
		CHECK_EQ(cur_ino(LXNS_IPC), ipc);
		CHECK_ERR(lxns_unshare(0), EINVAL);
		CHECK_ERR(lxns_unshare(LXNS_NET | 0x1), EINVAL);
		CHECK_ERR(lxns_unshare(-1), EINVAL);
		_exit(0);
	}
	harness_wait_ok(pid);
}

TEST(unshare_ns_of_pid_returns_the_childrens_namespace)
{
	harness_require_unshare(CLONE_NEWPID);
	pid_t pid = CHECK_SYS(fork());

	if (pid == 0) {
		struct lxns_ns *ns;
		struct lxns_ident a, b;

		CHECK_OK(lxns_unshare_ns(LXNS_PID, &ns));
		CHECK_EQ(lxns_ns_type(ns), LXNS_PID);
		CHECK_OK(lxns_ns_ident(ns, &a));
		CHECK_OK(lxns_current_ident(LXNS_PID, &b));
		CHECK(a.ino != b.ino); /* we stay where we were; children go in */
		CHECK_ERR(lxns_unshare_ns(LXNS_PID | LXNS_NET, &ns), EINVAL);
		lxns_ns_free(ns);
		_exit(0);
	}
	harness_wait_ok(pid);
}

TEST(unprivileged_unshare_is_eperm)
{
	pid_t pid = CHECK_SYS(fork());

	if (pid == 0) {
		struct lxns_ns *ns = NULL;

		harness_drop_privileges();
		CHECK_ERR(lxns_unshare(LXNS_NET), EPERM);
		CHECK_ERR(lxns_unshare_ns(LXNS_UTS, &ns), EPERM);
		CHECK(ns == NULL);
		_exit(0);
	}
	harness_wait_ok(pid);
}
