/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Entering namespaces (one, or all of a target) and unsharing. */
#include <fcntl.h>
#include <linux/capability.h>
#include <pthread.h>
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

/* From the main thread or another, a handle to the pid namespace of children to come, though it
 * has no process yet (the pidfd ioctls, 6.11; from another thread, thread pidfds, 6.9). Where
 * the kernel lacks them: -EOPNOTSUPP, and nothing was unshared. */
static void *unshare_pid_ns(void *arg)
{
	struct lxns_ns *ns;
	struct lxns_ident a, b;
	uint64_t before = harness_link_ino("/proc/thread-self/ns/pid_for_children");
	int r = lxns_unshare_ns(LXNS_PID, &ns);

	*(int *)arg = r;
	if (r == -EOPNOTSUPP) {
		CHECK_EQ(harness_link_ino("/proc/thread-self/ns/pid_for_children"), before);
		return NULL;
	}
	CHECK_OK(r);
	CHECK_EQ(lxns_ns_type(ns), LXNS_PID);
	CHECK_OK(lxns_ns_ident(ns, &a));
	CHECK_OK(lxns_current_ident(LXNS_PID, &b));
	CHECK(a.ino != b.ino); /* we stay where we were; children go in */
	CHECK(a.ino != before);
	lxns_ns_free(ns);
	return NULL;
}

TEST(unshare_ns_of_pid_returns_the_childrens_namespace)
{
	harness_require_unshare(CLONE_NEWPID);
	bool ioctls = harness_have_pidfd_ioctls();

	for (int in_thread = 0; in_thread < 2; in_thread++) {
		pid_t pid = CHECK_SYS(fork());

		if (pid == 0) {
			struct lxns_ns *ns;
			int r = 0;

			if (in_thread) {
				pthread_t t;
				CHECK(pthread_create(&t, NULL, unshare_pid_ns, &r) == 0);
				CHECK(pthread_join(t, NULL) == 0);
			} else {
				unshare_pid_ns(&r);
			}
			if (!ioctls)
				CHECK_EQ(r, -EOPNOTSUPP);
			CHECK_ERR(lxns_unshare_ns(LXNS_PID | LXNS_NET, &ns), EINVAL);
			_exit(0);
		}
		harness_wait_ok(pid);
	}
	if (!ioctls)
		SKIP("kernel without the pidfd namespace ioctls (before 6.11): -EOPNOTSUPP, nothing unshared");
}

/* A multithreaded caller cannot enter a user namespace: the kernel refuses setns(pidfd, mask)
 * as a whole, and lxns_enter() must not then join the rest one by one. */
static void *pause_thread(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

TEST(enter_from_a_multithreaded_caller_changes_nothing)
{
	harness_require_unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWTIME);
	struct helper h = helper_spawn(LXNS_USER | LXNS_NET, true), t = helper_spawn(LXNS_TIME, false);
	pid_t pid = CHECK_SYS(fork());

	if (pid == 0) {
		pthread_t thread;
		uint64_t net = cur_ino(LXNS_NET), time = cur_ino(LXNS_TIME);
		struct lxns_ns *time_ns;

		CHECK(pthread_create(&thread, NULL, pause_thread, NULL) == 0);
		LXNS_OPTS(lxns_target, user_net, .pid = h.pid);
		CHECK_ERR(lxns_enter(&user_net), EINVAL);
		CHECK_EQ(cur_ino(LXNS_NET), net);
		/* A time namespace likewise (EUSERS), also as a handle, joined one by one. */
		CHECK_OK(lxns_ns_open_pid(t.pid, LXNS_TIME, LXNS_FOR_CHILDREN, &time_ns));
		struct lxns_ns *set[] = { time_ns };
		LXNS_OPTS(lxns_target, times, .ns = set, .n_ns = 1);
		CHECK_ERR(lxns_enter(&times), EUSERS);
		CHECK_EQ(cur_ino(LXNS_TIME), time);
		lxns_ns_free(time_ns);
		_exit(0);
	}
	harness_wait_ok(pid);
	helper_kill(&h);
	helper_kill(&t);
}

/* One by one: what we could not enter from where we would be is refused before anything is
 * entered (in a user namespace of our own we may enter its uts namespace, not a network
 * namespace of the initial one); a join that fails part-way all the same leaves again what it
 * had entered (without CAP_SYS_CHROOT a mount namespace is refused after the uts one). */
TEST(failed_join_leaves_what_it_entered)
{
	harness_require_unshare(CLONE_NEWUSER | CLONE_NEWUTS | CLONE_NEWNS);
	pid_t pid = CHECK_SYS(fork());

	if (pid == 0) {
		struct lxns_ns *net, *uts;
		uid_t uid = geteuid();
		gid_t gid = getegid();

		CHECK_OK(lxns_ns_open_self(LXNS_NET, 0, &net));
		CHECK_SYS(unshare(CLONE_NEWUSER | CLONE_NEWNET)); /* the initial net namespace is not ours now */
		harness_map_root(uid, gid);
		struct helper h = helper_spawn(LXNS_UTS, false);
		uint64_t ours = cur_ino(LXNS_UTS);
		CHECK_OK(lxns_ns_open_pid(h.pid, LXNS_UTS, 0, &uts));
		struct lxns_ns *set[] = { net, uts };
		LXNS_OPTS(lxns_target, t, .ns = set, .n_ns = 2);
		CHECK_ERR(lxns_enter(&t), EPERM);
		CHECK_EQ(cur_ino(LXNS_UTS), ours);
		lxns_ns_free(net);
		lxns_ns_free(uts);
		helper_kill(&h);
		_exit(0);
	}
	harness_wait_ok(pid);

	struct helper h = helper_spawn(LXNS_UTS | LXNS_MNT, false);
	pid = CHECK_SYS(fork());
	if (pid == 0) {
		struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
		struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
		struct lxns_ns *uts, *mnt;
		uint64_t uts_before = cur_ino(LXNS_UTS), mnt_before = cur_ino(LXNS_MNT);
		char cwd[256], after[256];

		CHECK_SYS(chdir("/tmp"));
		CHECK(getcwd(cwd, sizeof(cwd)));
		CHECK_OK(lxns_ns_open_pid(h.pid, LXNS_UTS, 0, &uts));
		CHECK_OK(lxns_ns_open_pid(h.pid, LXNS_MNT, 0, &mnt));
		CHECK_SYS(syscall(SYS_capget, &hdr, data));
		data[CAP_SYS_CHROOT / 32].effective &= ~(1u << (CAP_SYS_CHROOT % 32));
		CHECK_SYS(syscall(SYS_capset, &hdr, data));
		struct lxns_ns *set[] = { mnt, uts };
		LXNS_OPTS(lxns_target, t, .ns = set, .n_ns = 2);
		CHECK_ERR(lxns_enter(&t), EPERM);
		CHECK_EQ(cur_ino(LXNS_UTS), uts_before);
		CHECK_EQ(cur_ino(LXNS_MNT), mnt_before);
		CHECK(getcwd(after, sizeof(after)) && strcmp(cwd, after) == 0);
		lxns_ns_free(uts);
		lxns_ns_free(mnt);
		_exit(0);
	}
	harness_wait_ok(pid);
	helper_kill(&h);
}

/* fd 0 is a pidfd like any other. */
TEST(pidfd_zero_is_a_target)
{
	harness_require_unshare(CLONE_NEWUTS);
	struct helper h = helper_spawn(LXNS_UTS, false);
	pid_t pid = CHECK_SYS(fork());

	if (pid == 0) {
		int pidfd = (int)CHECK_SYS(syscall(SYS_pidfd_open, h.pid, 0));
		CHECK_SYS(dup2(pidfd, 0));
		close(pidfd);
		LXNS_OPTS(lxns_target, t, .flags = LXNS_TARGET_PIDFD, .pidfd = 0, .types = LXNS_UTS);
		CHECK_EQ(CHECK_OK(lxns_enter(&t)), LXNS_UTS);
		CHECK_EQ(cur_ino(LXNS_UTS), pid_ino(h.pid, LXNS_UTS));
		LXNS_OPTS(lxns_target, bad, .flags = 0x2, .pid = h.pid);
		CHECK_ERR(lxns_enter(&bad), EINVAL);
		_exit(0);
	}
	harness_wait_ok(pid);
	helper_kill(&h);
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
