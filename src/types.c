/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Namespace types: names, indices and the join order. */
#include <string.h>

#include "internal.h"

/* Indexed by lxns__type_index(); sorted by name, as lsns prints them. */
static const struct {
	int type;
	const char *name;
	const char *children_name;
} type_table[LXNS_NTYPES] = {
	{ LXNS_CGROUP, "cgroup", NULL },
	{ LXNS_IPC, "ipc", NULL },
	{ LXNS_MNT, "mnt", NULL },
	{ LXNS_NET, "net", NULL },
	{ LXNS_PID, "pid", "pid_for_children" },
	{ LXNS_TIME, "time", "time_for_children" },
	{ LXNS_USER, "user", NULL },
	{ LXNS_UTS, "uts", NULL },
};

/* The user namespace first (see lxns_join_order() in lxns.h), mnt late because entering it
 * resets root and cwd, time last as nsenter(1) documents. */
static const int join_order[LXNS_NTYPES] = {
	LXNS_USER, LXNS_CGROUP, LXNS_IPC, LXNS_UTS, LXNS_NET, LXNS_PID, LXNS_MNT, LXNS_TIME,
};

bool lxns__is_one_type(int type)
{
	return lxns__type_index(type) >= 0;
}

int lxns__type_index(int type)
{
	for (int i = 0; i < LXNS_NTYPES; i++)
		if (type_table[i].type == type)
			return i;
	return -EINVAL;
}

int lxns__type_at(int index)
{
	return type_table[index].type;
}

const char *lxns__proc_name(int type, bool for_children)
{
	int i = lxns__type_index(type);

	if (i < 0)
		return NULL;
	return for_children ? type_table[i].children_name : type_table[i].name;
}

LXNS_EXPORT const char *lxns_type_name(int type)
{
	return lxns__proc_name(type, false);
}

LXNS_EXPORT int lxns_type_from_name(const char *name)
{
	if (!name)
		return -EINVAL;
	for (int i = 0; i < LXNS_NTYPES; i++)
		if (strcmp(type_table[i].name, name) == 0)
			return type_table[i].type;
	return -EINVAL;
}

LXNS_EXPORT const int *lxns_join_order(size_t *ret_n)
{
	if (ret_n)
		*ret_n = LXNS_NTYPES;
	return join_order;
}
