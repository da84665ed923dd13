/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The snapshot lxns_discover() hands out: nodes with what the public API tells of them and
 * nothing of the scan that found them. Built by link.c, walked through snapshot.c. */
#ifndef LXNS_SNAPSHOT_H
#define LXNS_SNAPSHOT_H

#include "internal.h"

struct lxns_node {
	int type;
	uint64_t dev, ino, id;
	uid_t owner_uid;
	bool have_owner_uid;
	/* Edges. Without one, why: what lxns_node_get_owner() / _get_parent() return. */
	struct lxns_node *parent, *owner;
	int parent_err, owner_err;
	struct lxns_node *first_child, *next_sibling; /* same-type tree, by inode */
	struct lxns_node *first_owned, *next_owned;   /* other types a user namespace owns */

	unsigned nprocs;
	pid_t pid;  /* lowest PID in it, 0 if none */
	char *comm;

	unsigned found;     /* LXNS_FOUND_* */
	pid_t found_pid;    /* see lxns__found_by() */
	unsigned found_how; /* the way found_pid showed it, for lxns_node_open() */
	int found_fd;
	char *mount_path;
	struct lxns_node *mount_ns;
	bool mount_self;    /* mount_path is in the caller's own mount namespace */

	size_t index;       /* in the snapshot's sorted array */
};

struct lxns_snapshot {
	struct lxns_node **nodes;
	size_t n;
	unsigned long stats[LXNS_STAT_MAX];
};

#endif
