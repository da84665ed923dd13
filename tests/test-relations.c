/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Relations: owner, parent, type and owner UID, for handles, fds and paths. */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "lxns.h"

static uint64_t fd_ino(int fd)
{
	struct stat st;

	CHECK_SYS(fstat(fd, &st));
	return st.st_ino;
}

static uint64_t ns_ino(const struct lxns_ns *ns)
{
	return fd_ino(lxns_ns_fileno(ns));
}

static void proc_path(char *buf, size_t size, pid_t pid, const char *name)
{
	snprintf(buf, size, "/proc/%d/ns/%s", (int)pid, name);
}

TEST(owner_and_parent_of_a_child_user_namespace_are_ours)
{
	harness_require_unshare(CLONE_NEWUSER);
	struct helper h = helper_spawn(LXNS_USER | LXNS_NET, true);
	uint64_t our_user = harness_link_ino("/proc/self/ns/user");
	struct lxns_ns *user, *net, *owner, *parent;
	char path[64];

	CHECK_OK(lxns_ns_open_pid(h.pid, LXNS_USER, 0, &user));
	CHECK_OK(lxns_ns_open_pid(h.pid, LXNS_NET, 0, &net));
	CHECK_OK(lxns_ns_parent(user, &parent));
	CHECK_CLOEXEC(lxns_ns_fileno(parent));
	CHECK_EQ(lxns_ns_type(parent), LXNS_USER);
	CHECK_EQ(ns_ino(parent), our_user);
	lxns_ns_free(parent);
	/* For a user namespace the owner is its parent. */
	CHECK_OK(lxns_ns_owner(user, &owner));
	CHECK_EQ(ns_ino(owner), our_user);
	lxns_ns_free(owner);
	/* The net namespace belongs to the user namespace it was created in. */
	CHECK_OK(lxns_ns_owner(net, &owner));
	CHECK_CLOEXEC(lxns_ns_fileno(owner));
	CHECK_EQ(lxns_ns_type(owner), LXNS_USER);
	CHECK_EQ(ns_ino(owner), ns_ino(user));
	lxns_ns_free(owner);

	/* The same through a path and a raw fd. */
	proc_path(path, sizeof(path), h.pid, "net");
	int fd = CHECK_OK(lxns_path_owner(path));
	CHECK_CLOEXEC(fd);
	CHECK_EQ(fd_ino(fd), ns_ino(user));
	close(fd);
	fd = CHECK_OK(lxns_fd_owner(lxns_ns_fileno(net)));
	CHECK_EQ(fd_ino(fd), ns_ino(user));
	close(fd);
	proc_path(path, sizeof(path), h.pid, "user");
	fd = CHECK_OK(lxns_path_parent(path));
	CHECK_CLOEXEC(fd);
	CHECK_EQ(fd_ino(fd), our_user);
	close(fd);

	lxns_ns_free(user);
	lxns_ns_free(net);
	helper_kill(&h);
}

TEST(parent_at_the_top_is_eperm_and_flat_types_einval)
{
	struct lxns_ns *ns, *parent = (struct lxns_ns *)0x1;
	size_t n;
	const int *types = lxns_join_order(&n);

	/* We run in the initial user and pid namespaces here: nothing above them. */
	if (harness_link_ino("/proc/self/ns/user") != 0xEFFFFFFDU)
		SKIP("not in the initial user namespace");
	CHECK_OK(lxns_ns_open_self(LXNS_USER, 0, &ns));
	CHECK_ERR(lxns_ns_parent(ns, &parent), EPERM);
	CHECK_ERR(lxns_ns_owner(ns, &parent), EPERM);
	lxns_ns_free(ns);
	CHECK_ERR(lxns_path_parent("/proc/self/ns/pid"), EPERM);
	for (size_t i = 0; i < n; i++) {
		char path[64];

		if (types[i] == LXNS_USER || types[i] == LXNS_PID)
			continue;
		snprintf(path, sizeof(path), "/proc/self/ns/%s", lxns_type_name(types[i]));
		CHECK_ERR(lxns_path_parent(path), EINVAL);
		CHECK_OK(lxns_ns_open_self(types[i], 0, &ns));
		CHECK_ERR(lxns_ns_parent(ns, &parent), EINVAL);
		lxns_ns_free(ns);
	}
	CHECK(parent == (struct lxns_ns *)0x1);
}

TEST(parent_hidden_from_inside_a_user_namespace_is_eperm)
{
	harness_require_unshare(CLONE_NEWUSER);
	pid_t pid = CHECK_SYS(fork());

	if (pid == 0) {
		struct lxns_ns *user, *parent;

		CHECK_SYS(unshare(CLONE_NEWUSER));
		CHECK_OK(lxns_ns_open_self(LXNS_USER, 0, &user));
		/* Our parent is outside the tree we can see from here. */
		CHECK_ERR(lxns_ns_parent(user, &parent), EPERM);
		CHECK_ERR(lxns_ns_owner(user, &parent), EPERM);
		lxns_ns_free(user);
		_exit(0);
	}
	harness_wait_ok(pid);
}

TEST(parent_of_a_nested_pid_namespace)
{
	harness_require_unshare(CLONE_NEWPID);
	struct helper h = helper_spawn(LXNS_PID, false);
	struct lxns_ns *pid, *parent;

	CHECK_OK(lxns_ns_open_pid(h.pid, LXNS_PID, 0, &pid));
	CHECK(ns_ino(pid) != harness_link_ino("/proc/self/ns/pid"));
	CHECK_OK(lxns_ns_parent(pid, &parent));
	CHECK_EQ(lxns_ns_type(parent), LXNS_PID);
	CHECK_EQ(ns_ino(parent), harness_link_ino("/proc/self/ns/pid"));
	lxns_ns_free(parent);
	lxns_ns_free(pid);
	helper_kill(&h);
}

TEST(owner_uid_is_the_creator)
{
	harness_require_unshare(CLONE_NEWUSER);
	int p[2];
	pid_t pid;
	char c;

	CHECK_SYS(pipe2(p, O_CLOEXEC));
	pid = CHECK_SYS(fork());
	if (pid == 0) {
		close(p[0]);
		harness_drop_privileges();
		if (unshare(CLONE_NEWUSER) < 0)
			SKIP("uid 65534 cannot create user namespaces here");
		c = 'x';
		(void)!write(p[1], &c, 1);
		pause();
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1) {
		close(p[0]);
		harness_wait_ok(pid);
		SKIP("uid 65534 cannot create user namespaces here");
	}
	close(p[0]);

	char path[64];
	struct lxns_ns *user;
	uid_t uid = 12345;

	proc_path(path, sizeof(path), pid, "user");
	CHECK_OK(lxns_path_owner_uid(path, &uid));
	CHECK_EQ(uid, 65534);
	CHECK_OK(lxns_ns_open_pid(pid, LXNS_USER, 0, &user));
	uid = 0;
	CHECK_OK(lxns_ns_owner_uid(user, &uid));
	CHECK_EQ(uid, 65534);
	uid = 0;
	CHECK_OK(lxns_fd_owner_uid(lxns_ns_fileno(user), &uid));
	CHECK_EQ(uid, 65534);
	lxns_ns_free(user);

	/* Our own user namespace was made by root; other types have no owner uid. */
	CHECK_OK(lxns_path_owner_uid("/proc/self/ns/user", &uid));
	CHECK_EQ(uid, 0);
	uid = 777;
	CHECK_ERR(lxns_path_owner_uid("/proc/self/ns/net", &uid), EINVAL);
	CHECK_EQ(uid, 777);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

TEST(type_of_every_namespace_file)
{
	size_t n;
	const int *types = lxns_join_order(&n);

	for (size_t i = 0; i < n; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/self/ns/%s", lxns_type_name(types[i]));
		CHECK_EQ(lxns_path_type(path), types[i]);
		int fd = CHECK_SYS(open(path, O_RDONLY | O_CLOEXEC));
		CHECK_EQ(lxns_fd_type(fd), types[i]);
		close(fd);
	}
	CHECK_EQ(lxns_path_type("/proc/self/ns/time_for_children"), LXNS_TIME);
}

TEST(relations_reject_non_namespaces)
{
	int p[2], devnull = CHECK_SYS(open("/dev/null", O_RDONLY | O_CLOEXEC));
	uid_t uid;

	CHECK_SYS(pipe2(p, O_CLOEXEC));
	CHECK_ERR(lxns_fd_type(devnull), EINVAL);
	CHECK_ERR(lxns_fd_owner(devnull), EINVAL);
	CHECK_ERR(lxns_fd_parent(p[0]), EINVAL);
	CHECK_ERR(lxns_fd_owner_uid(p[1], &uid), EINVAL);
	CHECK_ERR(lxns_fd_type(-1), EBADF);
	CHECK_ERR(lxns_fd_owner(12345), EBADF);
	CHECK_ERR(lxns_path_type("/dev/null"), EINVAL);
	CHECK_ERR(lxns_path_owner("/does/not/exist"), ENOENT);
	CHECK_ERR(lxns_path_parent("/does/not/exist"), ENOENT);
	CHECK_ERR(lxns_path_owner_uid("/does/not/exist", &uid), ENOENT);
	CHECK_ERR(lxns_path_type(NULL), EINVAL);
	close(devnull);
	close(p[0]);
	close(p[1]);
}
