/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Handles: wrapping fds, opening by path / PID / pidfd / self, closing. */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "lxns.h"

static uint64_t handle_ino(const struct lxns_ns *ns)
{
	struct stat st;

	CHECK_SYS(fstat(lxns_ns_fileno(ns), &st));
	return st.st_ino;
}

static bool fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

TEST(open_self_every_type_matches_proc)
{
	size_t n;
	const int *types = lxns_join_order(&n);

	for (size_t i = 0; i < n; i++) {
		struct lxns_ns *ns = NULL;
		char path[64];

		snprintf(path, sizeof(path), "/proc/self/ns/%s", lxns_type_name(types[i]));
		CHECK_OK(lxns_ns_open_self(types[i], 0, &ns));
		CHECK_CLOEXEC(lxns_ns_fileno(ns));
		CHECK_EQ(lxns_ns_type(ns), types[i]);
		CHECK_EQ(handle_ino(ns), harness_link_ino(path));
		lxns_ns_free(ns);
	}
}

TEST(open_pid_of_child_in_new_namespaces)
{
	harness_require_unshare(CLONE_NEWNET | CLONE_NEWUTS);
	struct helper h = helper_spawn(LXNS_NET | LXNS_UTS, false);
	struct lxns_ns *net, *uts, *ipc;
	char path[64];

	CHECK_OK(lxns_ns_open_pid(h.pid, LXNS_NET, 0, &net));
	CHECK_OK(lxns_ns_open_pid(h.pid, LXNS_UTS, 0, &uts));
	CHECK_OK(lxns_ns_open_pid(h.pid, LXNS_IPC, 0, &ipc));
	CHECK_CLOEXEC(lxns_ns_fileno(net));
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)h.pid);
	CHECK_EQ(handle_ino(net), harness_link_ino(path));
	CHECK(handle_ino(net) != harness_link_ino("/proc/self/ns/net"));
	snprintf(path, sizeof(path), "/proc/%d/ns/uts", (int)h.pid);
	CHECK_EQ(handle_ino(uts), harness_link_ino(path));
	CHECK_EQ(handle_ino(ipc), harness_link_ino("/proc/self/ns/ipc")); /* not unshared */
	lxns_ns_free(net);
	lxns_ns_free(uts);
	lxns_ns_free(ipc);
	helper_kill(&h);
}

TEST(open_pid_for_children)
{
	harness_require_unshare(CLONE_NEWPID);
	pid_t pid = CHECK_SYS(fork());
	if (pid == 0) {
		struct lxns_ns *ns, *now;

		struct lxns_ns *self_children;
		pid_t child;

		CHECK_SYS(unshare(CLONE_NEWPID));
		/* Before the first process of the new namespace exists, /proc does not show it; the
		 * pidfd ioctls (6.11) do. */
		if (!harness_have_pidfd_ioctls()) {
			CHECK_ERR(lxns_ns_open_pid(getpid(), LXNS_PID, LXNS_FOR_CHILDREN, &ns), ENOENT);
			CHECK_ERR(lxns_ns_open_self(LXNS_PID, LXNS_FOR_CHILDREN, &ns), ENOENT);
		} else {
			CHECK_OK(lxns_ns_open_pid(getpid(), LXNS_PID, LXNS_FOR_CHILDREN, &ns));
			CHECK(handle_ino(ns) != harness_link_ino("/proc/self/ns/pid"));
			lxns_ns_free(ns);
		}
		child = CHECK_SYS(fork());
		if (child == 0)
			_exit(0);
		harness_wait_ok(child);
		CHECK_OK(lxns_ns_open_pid(getpid(), LXNS_PID, LXNS_FOR_CHILDREN, &ns));
		CHECK_OK(lxns_ns_open_self(LXNS_PID, LXNS_FOR_CHILDREN, &self_children));
		CHECK_OK(lxns_ns_open_self(LXNS_PID, 0, &now));
		CHECK_EQ(handle_ino(ns), handle_ino(self_children));
		CHECK(handle_ino(ns) != handle_ino(now));
		CHECK_EQ(handle_ino(ns), harness_link_ino("/proc/self/ns/pid_for_children"));
		lxns_ns_free(ns);
		lxns_ns_free(now);
		lxns_ns_free(self_children);
		CHECK_ERR(lxns_ns_open_pid(getpid(), LXNS_NET, LXNS_FOR_CHILDREN, &ns), EINVAL);
		CHECK_ERR(lxns_ns_open_self(LXNS_PID, 0x100, &ns), EINVAL);
		_exit(0);
	}
	harness_wait_ok(pid);
}

TEST(open_pid_bad_arguments)
{
	struct lxns_ns *ns = (struct lxns_ns *)0x1;

	CHECK_ERR(lxns_ns_open_pid(0, LXNS_NET, 0, &ns), EINVAL);
	CHECK_ERR(lxns_ns_open_pid(-5, LXNS_NET, 0, &ns), EINVAL);
	CHECK_ERR(lxns_ns_open_pid(getpid(), 0, 0, &ns), EINVAL);
	CHECK_ERR(lxns_ns_open_pid(getpid(), LXNS_NET | LXNS_UTS, 0, &ns), EINVAL);
	CHECK_ERR(lxns_ns_open_pid(getpid(), LXNS_NET, 0x8, &ns), EINVAL);
	CHECK(ns == (struct lxns_ns *)0x1); /* ret_* untouched on failure */
}

TEST(open_pid_that_does_not_exist)
{
	struct lxns_ns *ns;
	pid_t pid = CHECK_SYS(fork());

	if (pid == 0)
		_exit(0);
	CHECK_SYS(waitpid(pid, NULL, 0));
	CHECK_ERR(lxns_ns_open_pid(pid, LXNS_NET, 0, &ns), ESRCH);
	CHECK_ERR(lxns_ns_open_pid(0x3fffffff, LXNS_NET, 0, &ns), ESRCH);
}

TEST(open_pid_of_a_thread_id)
{
	harness_require_unshare(CLONE_NEWUTS);
	struct lxns_ns *ns;
	char path[64];

	pid_t tid = harness_thread_in_own_uts();
	CHECK_OK(lxns_ns_open_pid(tid, LXNS_UTS, 0, &ns));
	snprintf(path, sizeof(path), "/proc/%d/task/%d/ns/uts", (int)getpid(), (int)tid);
	CHECK_EQ(handle_ino(ns), harness_link_ino(path));
	CHECK(handle_ino(ns) != harness_link_ino("/proc/self/ns/uts"));
	lxns_ns_free(ns);
	harness_thread_stop();
}

TEST(open_pidfd_and_exited_pidfd)
{
	harness_require_unshare(CLONE_NEWNET);
	struct helper h = helper_spawn(LXNS_NET, false);
	struct lxns_ns *ns;
	char path[64];
	int pidfd = (int)CHECK_SYS(syscall(SYS_pidfd_open, h.pid, 0));

	CHECK_OK(lxns_ns_open_pidfd(pidfd, LXNS_NET, 0, &ns));
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)h.pid);
	CHECK_EQ(handle_ino(ns), harness_link_ino(path));
	lxns_ns_free(ns);
	helper_kill(&h);
	CHECK_ERR(lxns_ns_open_pidfd(pidfd, LXNS_NET, 0, &ns), ESRCH);
	CHECK(fd_is_open(pidfd)); /* the caller's pidfd is not closed */
	close(pidfd);
	CHECK_ERR(lxns_ns_open_pidfd(-1, LXNS_NET, 0, &ns), EBADF);
}

TEST(from_fd_adopts_and_type_checks)
{
	struct lxns_ns *ns = (struct lxns_ns *)0x1;
	int fd = CHECK_SYS(open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));

	/* Mismatch: neither adopted nor closed, whatever the flags. */
	CHECK_ERR(lxns_ns_from_fd(fd, LXNS_UTS, LXNS_CLOSEFD, &ns), EMEDIUMTYPE);
	CHECK(ns == (struct lxns_ns *)0x1);
	CHECK(fd_is_open(fd));
	CHECK_ERR(lxns_ns_from_fd(fd, LXNS_NET | LXNS_UTS, 0, &ns), EINVAL);
	CHECK_ERR(lxns_ns_from_fd(fd, LXNS_NET, 0x10, &ns), EINVAL);
	CHECK(fd_is_open(fd));

	/* Without closefd the fd survives the handle. */
	CHECK_OK(lxns_ns_from_fd(fd, LXNS_NET, 0, &ns));
	CHECK_EQ(lxns_ns_fileno(ns), fd);
	lxns_ns_free(ns);
	CHECK(fd_is_open(fd));

	/* Type 0 accepts any namespace and learns its type; closefd closes. */
	CHECK_OK(lxns_ns_from_fd(fd, 0, LXNS_CLOSEFD, &ns));
	CHECK_EQ(lxns_ns_type(ns), LXNS_NET);
	lxns_ns_free(ns);
	CHECK(!fd_is_open(fd));
}

TEST(from_fd_rejects_non_namespaces)
{
	struct lxns_ns *ns;
	int devnull = CHECK_SYS(open("/dev/null", O_RDONLY | O_CLOEXEC)), p[2];
	int opath = CHECK_SYS(open("/proc/self/ns/net", O_PATH | O_CLOEXEC));

	CHECK_SYS(pipe2(p, O_CLOEXEC));
	CHECK_ERR(lxns_ns_from_fd(devnull, 0, LXNS_CLOSEFD, &ns), EINVAL);
	CHECK_ERR(lxns_ns_from_fd(p[0], 0, LXNS_CLOSEFD, &ns), EINVAL);
	CHECK_ERR(lxns_ns_from_fd(opath, 0, LXNS_CLOSEFD, &ns), EBADF);
	CHECK_ERR(lxns_ns_from_fd(-1, 0, 0, &ns), EBADF);
	CHECK_ERR(lxns_ns_from_fd(999, 0, 0, &ns), EBADF);
	CHECK(fd_is_open(devnull) && fd_is_open(p[0]) && fd_is_open(opath));
	close(devnull);
	close(opath);
	close(p[0]);
	close(p[1]);
}

TEST(open_path_errors)
{
	struct lxns_ns *ns;
	char fifo[] = "/tmp/lxns-test-fifo-XXXXXX";

	CHECK_ERR(lxns_ns_open_path("/nonexistent/ns/net", 0, &ns), ENOENT);
	CHECK_ERR(lxns_ns_open_path("/dev/null", 0, &ns), EINVAL);
	CHECK_ERR(lxns_ns_open_path("/etc/hostname", 0, &ns), EINVAL);
	CHECK_ERR(lxns_ns_open_path("/proc/self/ns/net", LXNS_PID, &ns), EMEDIUMTYPE);
	CHECK_ERR(lxns_ns_open_path(NULL, 0, &ns), EINVAL);
	/* A FIFO must not block the open. */
	CHECK(mkdtemp(fifo) != NULL);
	CHECK_SYS(rmdir(fifo));
	CHECK_SYS(mkfifo(fifo, 0600));
	CHECK_ERR(lxns_ns_open_path(fifo, 0, &ns), EINVAL);
	unlink(fifo);
	CHECK_OK(lxns_ns_open_path("/proc/self/ns/pid_for_children", LXNS_PID, &ns));
	CHECK_CLOEXEC(lxns_ns_fileno(ns));
	lxns_ns_free(ns);
}

TEST(close_is_idempotent_and_later_calls_fail_with_ebadf)
{
	struct lxns_ns *ns, *other;
	struct lxns_ident ident;
	struct lxns_handle fh;
	uint64_t id;
	uid_t uid;
	int fd;

	CHECK_OK(lxns_ns_open_self(LXNS_USER, 0, &ns));
	fd = lxns_ns_fileno(ns);
	CHECK_OK(lxns_ns_close(ns));
	CHECK(!fd_is_open(fd));
	CHECK_OK(lxns_ns_close(ns));
	CHECK_OK(lxns_ns_close(ns));
	CHECK_ERR(lxns_ns_fileno(ns), EBADF);
	CHECK_ERR(lxns_ns_type(ns), EBADF);
	CHECK_ERR(lxns_ns_steal_fd(ns), EBADF);
	CHECK_ERR(lxns_ns_enter(ns), EBADF);
	CHECK_ERR(lxns_ns_owner(ns, &other), EBADF);
	CHECK_ERR(lxns_ns_parent(ns, &other), EBADF);
	CHECK_ERR(lxns_ns_owner_uid(ns, &uid), EBADF);
	CHECK_ERR(lxns_ns_ident(ns, &ident), EBADF);
	CHECK_ERR(lxns_ns_id(ns, &id), EBADF);
	CHECK_ERR(lxns_ns_handle(ns, &fh), EBADF);
	CHECK_ERR(lxns_pin(ns, "/tmp/x", 0), EBADF);
	LXNS_OPTS(lxns_target, t, .ns = &ns, .n_ns = 1);
	CHECK_ERR(lxns_enter(&t), EBADF);
	lxns_ns_free(ns);
	lxns_ns_free(NULL);
	CHECK_ERR(lxns_ns_close(NULL), EBADF);
	CHECK_ERR(lxns_ns_fileno(NULL), EBADF);
}

TEST(steal_fd_hands_over_ownership)
{
	struct lxns_ns *ns;
	int fd;

	CHECK_OK(lxns_ns_open_self(LXNS_UTS, 0, &ns));
	fd = CHECK_OK(lxns_ns_steal_fd(ns));
	CHECK_ERR(lxns_ns_fileno(ns), EBADF);
	lxns_ns_free(ns);
	CHECK(fd_is_open(fd));
	CHECK_EQ(lxns_fd_type(fd), LXNS_UTS);
	close(fd);
}

TEST(unprivileged_cannot_open_other_users_namespaces)
{
	harness_require_unshare(CLONE_NEWNET);
	struct helper h = helper_spawn(LXNS_NET, false); /* a root process */
	pid_t pid = CHECK_SYS(fork());

	if (pid == 0) {
		struct lxns_ns *ns;

		harness_drop_privileges();
		CHECK_ERR(lxns_ns_open_pid(h.pid, LXNS_NET, 0, &ns), EACCES);
		CHECK_OK(lxns_ns_open_self(LXNS_NET, 0, &ns)); /* our own is fine */
		lxns_ns_free(ns);
		CHECK_OK(lxns_ns_open_pid(getpid(), LXNS_USER, 0, &ns));
		lxns_ns_free(ns);
		_exit(0);
	}
	harness_wait_ok(pid);
	helper_kill(&h);
}
