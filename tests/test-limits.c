/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Limits: max_<type>_namespaces of the current user namespace. */
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "lxns.h"

static long read_limit_file(int type)
{
	char path[64], buf[32] = "";
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/user/max_%s_namespaces", lxns_type_name(type));
	fd = CHECK_SYS(open(path, O_RDONLY | O_CLOEXEC));
	CHECK_SYS(read(fd, buf, sizeof(buf) - 1));
	close(fd);
	return atol(buf);
}

TEST(get_matches_proc_for_every_type)
{
	size_t n;
	const int *types = lxns_join_order(&n);

	for (size_t i = 0; i < n; i++) {
		long v = -1;

		CHECK_OK(lxns_limit_get(types[i], &v));
		CHECK_EQ(v, read_limit_file(types[i]));
	}
	long v = 5;
	CHECK_ERR(lxns_limit_get(0, &v), EINVAL);
	CHECK_ERR(lxns_limit_get(LXNS_ALL, &v), EINVAL);
	CHECK_EQ(v, 5);
}

/* Limits are per user namespace: change them in a child's own one. */
TEST(set_in_own_user_namespace_and_enforced)
{
	harness_require_unshare(CLONE_NEWUSER);
	pid_t pid = CHECK_SYS(fork());

	if (pid == 0) {
		long v;

		CHECK_SYS(unshare(CLONE_NEWUSER));
		CHECK_OK(lxns_limit_set(LXNS_NET, 7));
		CHECK_OK(lxns_limit_get(LXNS_NET, &v));
		CHECK_EQ(v, 7);
		CHECK_EQ(read_limit_file(LXNS_NET), 7);
		CHECK_OK(lxns_limit_set_string(LXNS_UTS, " 12\n"));
		CHECK_EQ(read_limit_file(LXNS_UTS), 12);
		CHECK_OK(lxns_limit_set(LXNS_IPC, INT_MAX));
		CHECK_EQ(read_limit_file(LXNS_IPC), INT_MAX);
		/* A limit of 0 is enforced by the kernel. */
		CHECK_OK(lxns_limit_set(LXNS_UTS, 0));
		CHECK_ERR(lxns_unshare(LXNS_UTS), ENOSPC);
		_exit(0);
	}
	harness_wait_ok(pid);
}

TEST(bad_values_write_nothing)
{
	harness_require_unshare(CLONE_NEWUSER);
	pid_t pid = CHECK_SYS(fork());

	if (pid == 0) {
		static const char *bad[] = { "", "abc", "-1", "12abc", "1 2", "2147483648",
					     "99999999999999999999", "0x10", "+5", "5\n\n" };

		CHECK_SYS(unshare(CLONE_NEWUSER));
		CHECK_OK(lxns_limit_set(LXNS_MNT, 33));
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			if (lxns_limit_set_string(LXNS_MNT, bad[i]) != -EINVAL)
				FAIL("\"%s\" was not rejected with EINVAL", bad[i]);
			CHECK_EQ(read_limit_file(LXNS_MNT), 33);
		}
		CHECK_ERR(lxns_limit_set_string(LXNS_MNT, NULL), EINVAL);
		CHECK_ERR(lxns_limit_set(LXNS_MNT, -1), EINVAL);
		CHECK_ERR(lxns_limit_set(LXNS_MNT, (long)INT_MAX + 1), EINVAL);
		CHECK_ERR(lxns_limit_set(0, 5), EINVAL);
		CHECK_ERR(lxns_limit_set_string(LXNS_NET | LXNS_MNT, "5"), EINVAL);
		CHECK_EQ(read_limit_file(LXNS_MNT), 33);
		_exit(0);
	}
	harness_wait_ok(pid);
}

TEST(unprivileged_set_is_refused)
{
	pid_t pid = CHECK_SYS(fork());

	if (pid == 0) {
		long before = read_limit_file(LXNS_NET);

		harness_drop_privileges();
		/* The sysctl is root's, mode 0644: refused at open. */
		CHECK_ERR(lxns_limit_set(LXNS_NET, 1), EACCES);
		CHECK_ERR(lxns_limit_set_string(LXNS_NET, "1"), EACCES);
		CHECK_EQ(read_limit_file(LXNS_NET), before);
		_exit(0);
	}
	harness_wait_ok(pid);
}
