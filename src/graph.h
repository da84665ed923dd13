/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The snapshot graph: node storage and lookup, shared by discovery and the walking API. */
#ifndef LXNS_GRAPH_H
#define LXNS_GRAPH_H

#include "internal.h"

struct lxns_node {
	int type;
	uint64_t dev, ino, id;
	uid_t owner_uid;
	bool have_owner_uid;
	bool linked;     /* owner/parent looked up */
	bool probed;     /* opened: id, owner UID, relatives' inodes read */
	bool vanished;   /* could not be opened because it (or the way to it) is gone */
	bool referenced; /* the parent, owner or mount namespace of a node */
	struct lxns_node *parent, *owner;
	struct lxns_node *first_child, *next_sibling; /* same-type tree, by inode */
	struct lxns_node *first_owned, *next_owned;   /* other types a user namespace owns */

	unsigned nprocs;
	pid_t pid;   /* lowest PID in it, 0 if none */
	char *comm;

	unsigned found; /* LXNS_SRC_* | LXNS_FOUND_CHILDREN */
	pid_t found_pid; /* see lxns__found_by() */
	unsigned found_how; /* the way found_pid showed it: LXNS_SRC_THREADS, _FDS, LXNS_FOUND_CHILDREN */
	int found_fd;   /* fd number in found_pid, with LXNS_SRC_FDS */
	char *mount_path;
	struct lxns_node *mount_ns;
	bool mount_self; /* mount_path is in the scanner's own mount namespace, as it sees it */
	int scan_fd;    /* during the scan: an fd on it that nobody else can give us, or -1 */
	bool mounts_read;
	/* During the scan, between probing a node (in parallel) and linking it (serially): its
	 * owner's and parent's inodes, with an fd on each that is not in the snapshot yet. */
	uint64_t owner_ino, parent_ino;
	int owner_fd, parent_fd;
	struct lxns_node *comm_src; /* the node with the same pid that reads comm, or NULL */
	char *mount_lines; /* nsfs lines of this mount namespace's mountinfo, not yet recorded */

	size_t index;   /* in the snapshot's sorted array */
};

struct lxns_snapshot {
	struct lxns_node **nodes;
	size_t n, cap;
	struct lxns_node **table; /* open addressing on inode */
	size_t table_cap;
	unsigned long stats[LXNS_STAT_MAX];
	uint64_t nsfs_dev; /* the one nsfs device every namespace lives on */
};

struct lxns_node *lxns__graph_find(const struct lxns_snapshot *s, uint64_t ino);
/* Find or add (type, ino). NULL on ENOMEM. */
struct lxns_node *lxns__graph_get(struct lxns_snapshot *s, int type, uint64_t ino);
/* Record that @pid showed @n in way @how, if that beats what found_pid says: a thread before an
 * fd before a pid/time_for_children link, then the lowest PID, so that any order of scanning
 * gives the same answer. Other ways (processes, mounts, the hierarchy) have no PID here. */
void lxns__found_by(struct lxns_node *n, unsigned how, pid_t pid, int fd);
/* Move every node of @from into @s (counts add up, the lowest PID wins) and free @from. */
int lxns__graph_merge(struct lxns_snapshot *s, struct lxns_snapshot *from);
/* Free the nodes @keep says no to. Returns how many. */
size_t lxns__graph_filter(struct lxns_snapshot *s, bool (*keep)(const struct lxns_node *));
/* Sort nodes and build the child and owned lists; call once, after the scan. */
void lxns__graph_finish(struct lxns_snapshot *s);
/* The path through which a node was found: under /proc, or a bind mount in our own mount
 * namespace. -ENOENT for one found only through the hierarchy. */
int lxns__node_path(const struct lxns_node *n, char *buf, size_t size);

#endif
