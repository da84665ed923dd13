/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Type constants, names and the join order. */
#include <sched.h>

#include "harness.h"
#include "lxns.h"

TEST(constants_equal_clone_flags)
{
	CHECK_EQ(LXNS_CGROUP, CLONE_NEWCGROUP);
	CHECK_EQ(LXNS_IPC, CLONE_NEWIPC);
	CHECK_EQ(LXNS_MNT, CLONE_NEWNS);
	CHECK_EQ(LXNS_NET, CLONE_NEWNET);
	CHECK_EQ(LXNS_PID, CLONE_NEWPID);
	CHECK_EQ(LXNS_TIME, 0x80); /* CLONE_NEWTIME, not in every libc's headers */
	CHECK_EQ(LXNS_USER, CLONE_NEWUSER);
	CHECK_EQ(LXNS_UTS, CLONE_NEWUTS);
	CHECK_EQ(__builtin_popcount(LXNS_ALL), LXNS_NTYPES);
}

TEST(names_round_trip_with_lsns_spelling)
{
	static const struct {
		int type;
		const char *name;
	} expect[] = {
		{ LXNS_CGROUP, "cgroup" }, { LXNS_IPC, "ipc" }, { LXNS_MNT, "mnt" },
		{ LXNS_NET, "net" },       { LXNS_PID, "pid" }, { LXNS_TIME, "time" },
		{ LXNS_USER, "user" },     { LXNS_UTS, "uts" },
	};

	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		CHECK(strcmp(lxns_type_name(expect[i].type), expect[i].name) == 0);
		CHECK_EQ(lxns_type_from_name(expect[i].name), expect[i].type);
	}
}

TEST(invalid_types_and_names)
{
	CHECK(lxns_type_name(0) == NULL);
	CHECK(lxns_type_name(LXNS_NET | LXNS_UTS) == NULL);
	CHECK(lxns_type_name(1) == NULL);
	CHECK_ERR(lxns_type_from_name(NULL), EINVAL);
	CHECK_ERR(lxns_type_from_name(""), EINVAL);
	CHECK_ERR(lxns_type_from_name("network"), EINVAL);
	CHECK_ERR(lxns_type_from_name("NET"), EINVAL);
	CHECK_ERR(lxns_type_from_name("pid_for_children"), EINVAL);
}

TEST(join_order_has_every_type_once_user_first)
{
	size_t n = 0;
	const int *order = lxns_join_order(&n);
	int seen = 0;

	CHECK_EQ(n, LXNS_NTYPES);
	CHECK_EQ(order[0], LXNS_USER);
	for (size_t i = 0; i < n; i++) {
		CHECK(lxns_type_name(order[i]) != NULL);
		CHECK((seen & order[i]) == 0);
		seen |= order[i];
	}
	CHECK_EQ(seen, LXNS_ALL);
	CHECK(lxns_join_order(NULL) == order);
}
