/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The scan: what the sources (procfs, BPF, mounts) record, and how. Every namespace a source
 * meets gets one entry, a "sighting", the moment it is first seen; in the same moment the
 * source takes a reference on it (an fd, or the facts a BPF iterator read in the same pass) and
 * the probe learns its owner and parent through that reference. Nothing here outlives
 * lxns_discover(): the snapshot is built from the entries, then they are freed. */
#ifndef LXNS_SCAN_H
#define LXNS_SCAN_H

#include "internal.h"

/* What is known of an entry's facts (id, owner UID, owner, parent). */
enum probe_state {
	PROBE_NOT_YET, /* seen, not asked yet (or every try so far found it gone) */
	PROBE_DONE,    /* asked: the facts below hold */
	PROBE_REFUSED, /* it could not be opened: permission denied, or a path that is not it */
};

struct seen {
	int type;
	uint64_t ino;

	/* Facts, valid with PROBE_DONE. A relative's inode is 0 at the top (the kernel says EPERM:
	 * none we may see); its error is non-zero when asking failed otherwise (unknown). */
	enum probe_state probe;
	uint64_t id;
	uint64_t owner_ino, parent_ino;
	int owner_err, parent_err;
	uid_t owner_uid;
	bool have_owner_uid;
	bool gone; /* an open found it gone (ENOENT/ESRCH): left out unless something refers to it */

	/* How it was found. */
	unsigned found;     /* LXNS_FOUND_* */
	unsigned nprocs;
	pid_t pid;          /* lowest PID whose namespace it is, 0 if none */
	char *comm;         /* that process's command */
	pid_t found_pid;    /* see lxns__found_by() */
	unsigned found_how; /* the way found_pid showed it: LXNS_FOUND_THREAD, _FD or _CHILDREN */
	int found_fd;       /* with LXNS_FOUND_FD: the fd number in found_pid */
	char *mount_path;   /* with LXNS_FOUND_MOUNT: where, in mount namespace mount_ns */
	uint64_t mount_ns;

	/* Mount namespaces only. */
	bool mounts_read;   /* its mountinfo was read */
	int fd;             /* a reference kept for reading its mounts later, or -1 */

	/* While the snapshot is built. */
	bool referenced;        /* the owner, parent or mount namespace of another entry */
	struct lxns_node *node; /* its node, NULL when left out */
};

/* Entries by inode (inode numbers are unique among live namespaces), in the order seen. */
struct table {
	struct seen **v;
	size_t n, cap;
	struct seen **slots; /* open addressing on inode */
	size_t nslots;
};

/* Namespaces a worker of a parallel phase is probing or has probed: each is probed by one
 * worker (the others get its facts when the tables are merged). */
struct claims;

/* One scanner: the whole discovery, or one worker thread of a parallel phase. */
struct scan {
	struct table *t;         /* where sightings go (a worker's own, merged later) */
	struct claims *claims;   /* shared by a parallel phase's workers; NULL: no other worker */
	int types;               /* types read from processes and threads */
	unsigned sources;        /* LXNS_SRC_* */
	unsigned flags;          /* LXNS_DISCOVER_* */
	unsigned timeout_ms;
	int proc_fd;
	uint64_t self_mnt;       /* inode of the caller's mount namespace */
	int err;                 /* the first fatal error (-ENOMEM) */
	unsigned long stats[LXNS_STAT_MAX];
	pid_t comm_pid;          /* a worker's last comm read, reused for its other namespaces */
	char *comm;
};

/* --- record.c ------------------------------------------------------------------------------- */

struct seen *lxns__table_find(const struct table *t, uint64_t ino);
/* The entry of (type, ino), added if new (*ret_new says which). NULL on ENOMEM. */
struct seen *lxns__table_get(struct table *t, int type, uint64_t ino, bool *ret_new);
/* Move every entry of @src into @dst (counts add up, the lowest PID wins, facts are kept from
 * whichever side has them) and free @src. 0 or -ENOMEM. */
int lxns__table_merge(struct table *dst, struct table *src);
void lxns__table_free(struct table *t);

/* Record that (type, ino) was found in way @how (LXNS_FOUND_*) by @pid (0: by no process).
 * Returns the entry, NULL on ENOMEM (sc->err set); *ret_new (if not NULL) says whether it is
 * its first sighting in this scanner. A process that becomes the lowest leaves comm NULL for
 * the source to fill in. */
struct seen *lxns__saw(struct scan *sc, int type, uint64_t ino, unsigned how, pid_t pid, bool *ret_new);

/* Record that @pid showed @s in way @how, if that beats what found_pid says: a thread before an
 * fd before a pid/time_for_children link, then the lowest PID, so that any order of scanning
 * gives the same answer. Other ways (processes, mounts, the hierarchy) have no PID here. */
void lxns__found_by(struct seen *s, unsigned how, pid_t pid, int fd);

/* Count an item that could not be read, by its errno (positive): denied, vanished or failed,
 * and log it at debug level as "@what: strerror". */
void lxns__count_error(struct scan *sc, int err, const char *what);

/* Claim @ino for probing: false when another worker has. A failed probe gives it back, so that
 * another sighting may try. */
bool lxns__claim(struct scan *sc, uint64_t ino);
void lxns__unclaim(struct scan *sc, uint64_t ino);
struct claims *lxns__claims_new(void);
void lxns__claims_free(struct claims *c);

/* --- probe.c -------------------------------------------------------------------------------- */

/* Learn the facts of @s through @fd, a reference on it taken when it was seen (taken over:
 * closed here), and walk up its owners and parents through the references the kernel hands
 * out, adding (and probing) those not seen yet when the sources include the hierarchy. A
 * relative is asked through @s's reference, never by a path: the edges hold even if every
 * process of @s has exited meanwhile. -errno of @fd (a failed open) is taken as given: the
 * entry stays unprobed (gone or refused) and the failure is counted. */
void lxns__probe(struct scan *sc, struct seen *s, int fd);

/* Open @path below /proc (a namespace link of the process or thread that showed @s; with @fd_link
 * the link of an open fd, which may name anything by now: opened O_PATH and checked to be nsfs
 * first) and probe it, unless it has been probed already or another worker claimed it. */
void lxns__probe_link(struct scan *sc, struct seen *s, const char *path, bool fd_link);

/* Probe the owners of @s, probed already, up their chain through the same kind of link: for
 * those the records that described @s did not. */
void lxns__probe_owners(struct scan *sc, struct seen *s, const char *path, bool fd_link);

/* --- link.c --------------------------------------------------------------------------------- */

/* The snapshot of the scan's entries (their strings move into it): every entry but those found
 * gone that nothing refers to (counted as vanished), each edge by inode, or why there is none
 * (counted as unresolved where it could not be learned); sorted, with the child and owned
 * lists. 0 or -ENOMEM. */
int lxns__link(struct scan *sc, uint64_t nsfs_dev, struct lxns_snapshot **ret_snapshot);

/* --- workers.c ------------------------------------------------------------------------------ */

/* Run @fn(worker, i) for i in 0 ... @n - 1 on up to as many threads as it is worth (the first on
 * the calling thread; an item costs @cost processes' scans), each worker a copy of @sc with a
 * table of its own that is merged into sc->t afterwards; statistics and errors add up in @sc.
 * Returns sc->err. */
int lxns__parallel(struct scan *sc, size_t n, size_t cost, void (*fn)(struct scan *w, size_t i, void *arg),
		   void *arg);

/* --- source-procfs.c ------------------------------------------------------------------------ */

/* Every process in /proc, with its threads and fds as the sources say; in parallel. Notes
 * (LXNS_STAT_PROC_HIDDEN) when /proc hides other users' processes from us. */
int lxns__scan_procfs(struct scan *sc);

/* --- source-bpf.c --------------------------------------------------------------------------- */

/* Every process and thread, and with LXNS_SRC_FDS every namespace fd, from BPF iterators that
 * also read every namespace's facts and its owners' and parents' up the chain. 0, or -errno
 * with nothing recorded (-EPERM without the privilege, -EOPNOTSUPP without BTF or the kernel
 * structures it reads, -EPROTO when the self-check fails): then /proc is the way. */
int lxns__scan_bpf(struct scan *sc);

/* --- source-mounts.c ------------------------------------------------------------------------ */

/* Read the mountinfo of mount namespace @mntns through process @pid (which showed it), and
 * record its nsfs mounts. Touches its scanner only: workers call it in parallel. */
void lxns__read_mountinfo(struct scan *sc, struct seen *mntns, pid_t pid);

/* Read the mounts not read yet (from helper processes inside the mount namespaces without a
 * readable process) and open the bind mounts whose namespaces no other source showed, to probe
 * them: here where they are in our own mount namespace and the kernel can walk their paths from
 * memory alone, else in helpers with a deadline. Single-threaded: it adds entries and forks. */
void lxns__scan_mounts(struct scan *sc);

#endif
