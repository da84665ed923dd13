/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Discovery internals shared by the process scan, the mount scan and the orchestration. */
#ifndef LXNS_SCAN_H
#define LXNS_SCAN_H

#include "graph.h"

/* One scanner: the whole discovery, or one worker thread of its parallel phases. */
struct scan {
	struct lxns_snapshot *s; /* where found namespaces go (a worker's own, merged later) */
	int types;               /* types read from processes and threads */
	unsigned sources;
	unsigned flags;          /* LXNS_DISCOVER_* */
	int proc_fd;
	uint64_t self_mnt;       /* inode of the caller's mount namespace */
	int err;                 /* the first fatal error (-ENOMEM) */
	unsigned kept_fds;       /* fds kept from the probe for the link phase */
	unsigned long stats[LXNS_STAT_MAX];
};

void lxns__count_error(struct scan *sc, int err);

/* "net:[4026531833]" -> LXNS_NET, 4026531833. False for any other link text. */
bool lxns__parse_ns_link(const char *text, int *ret_type, uint64_t *ret_ino);

/* readlinkat() of a namespace link. 0, or -errno (-EINVAL: not a namespace link). */
int lxns__read_ns_link(int dirfd, const char *path, int *ret_type, uint64_t *ret_ino);

/* Record that (type, ino) was found in way @how (LXNS_SRC_*, LXNS_FOUND_CHILDREN) by @pid. */
struct lxns_node *lxns__found(struct scan *sc, int type, uint64_t ino, unsigned how, pid_t pid);

/* Call @fn for each entry name of an open directory (getdents64, no allocation); the fd is
 * closed. Stops early when @fn returns false. Returns 0 or -errno. */
int lxns__dir_each(int dirfd, bool (*fn)(void *arg, const char *name), void *arg);

/* scan-procs.c: a process's namespaces, and those of its threads and fds as sources say. */
void lxns__scan_process(struct scan *sc, pid_t pid);

/* A namespace fd @fd of process @pid. */
void lxns__record_fd(struct scan *sc, pid_t pid, int type, uint64_t ino, int fd);

/* scan-bpf.c: every process and thread, and with LXNS_SRC_FDS every namespace fd, from BPF
 * iterators. 0, or -errno with nothing recorded (-EPERM without the privilege, -EOPNOTSUPP
 * without BTF or the kernel structures it reads): then /proc is the way. */
int lxns__scan_bpf(struct scan *sc);

/* scan-mounts.c: keep the nsfs lines of the mountinfo of a mount namespace with a process, in
 * mntns->mount_lines (touches @mntns only: workers call it in parallel). */
void lxns__read_mounts(struct scan *sc, struct lxns_node *mntns);

/* Record the mounts read, and read (from a forked child inside) the mount namespaces without
 * processes, also those found on the way. Single-threaded: it adds nodes and forks. */
void lxns__scan_mounts(struct scan *sc);

/* An fd on a node for the scan: one we were handed, else through its /proc path. */
int lxns__scan_open(struct lxns_node *n);

#endif
