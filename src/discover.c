/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* System-wide discovery: processes (in parallel), bind mounts, then the hierarchy above all
 * that was found, each namespace opened once. */
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "scan.h"

#define MAX_WORKERS 4
#define PIDS_PER_WORKER 256 /* fewer are not worth a thread */

struct pid_list {
	pid_t *pids;
	size_t n, cap;
	bool oom;
};

static bool add_pid(void *arg, const char *name)
{
	struct pid_list *l = arg;
	pid_t pid = atoi(name);

	if (pid <= 0)
		return true;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 1024;
		pid_t *p = realloc(l->pids, cap * sizeof(*p));
		if (!p) {
			l->oom = true;
			return false;
		}
		l->pids = p;
		l->cap = cap;
	}
	l->pids[l->n++] = pid;
	return true;
}

/* A worker of a parallel phase: every nworkers-th item from its index on. */
struct worker {
	struct scan sc;
	pthread_t thread;
	size_t first, step;
	const struct pid_list *pids;                       /* the process phase */
	void (*node_fn)(struct scan *, struct lxns_node *); /* node phases, on sc.s's nodes */
	size_t nodes;
	bool started;
};

static void *scan_pids(void *arg)
{
	struct worker *w = arg;

	for (size_t i = w->first; i < w->pids->n && !w->sc.err; i += w->step)
		lxns__scan_process(&w->sc, w->pids->pids[i]);
	return NULL;
}

/* Whether a failure @err to open @n means it is gone (its processes exited, its path now names
 * something else), as opposed to refused. */
static bool node_gone(const struct lxns_node *n, int err)
{
	char path[PATH_MAX + 64];
	uint64_t ino;
	int type, r;

	if (err == -ENOENT || err == -ESRCH)
		return true;
	/* A process on its way out can fail an open otherwise: is its link still that namespace? */
	if (lxns__node_path(n, path, sizeof(path)) < 0)
		return false;
	r = lxns__read_ns_link(AT_FDCWD, path, &type, &ino);
	if (r == -EINVAL) /* a /proc link to something else now (a reused fd); a bind mount is no link */
		return strncmp(path, "/proc/", 6) == 0;
	return r == -ENOENT || r == -ESRCH || (r == 0 && ino != n->ino);
}

int lxns__scan_open(struct lxns_node *n)
{
	char path[PATH_MAX + 64];
	int fd;

	if (n->scan_fd >= 0)
		return TAKE_FD(n->scan_fd);
	if (lxns__node_path(n, path, sizeof(path)) < 0)
		return -ENOENT;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	return fd < 0 ? lxns__neg_errno() : fd;
}

/* fds a worker keeps for the link phase; past that, the link phase opens them again. */
#define KEPT_FDS_MAX 64

/* The inode an ioctl's new fd names; 0 at the top or beyond what we may see. The fd is kept in
 * *ret_fd for the link phase when nothing found has that inode, else closed. */
static uint64_t probe_relative(struct scan *sc, int fd, unsigned long request, int *ret_fd)
{
	int rfd = ioctl(fd, request);
	struct stat st;

	if (rfd < 0)
		return 0;
	if (fstat(rfd, &st) < 0) {
		close(rfd);
		return 0;
	}
	if (!lxns__graph_find(sc->s, st.st_ino) && sc->kept_fds < KEPT_FDS_MAX) {
		*ret_fd = rfd;
		sc->kept_fds++;
	} else {
		close(rfd);
	}
	return st.st_ino;
}

/* Command name of a process, or NULL. */
static char *read_comm(struct scan *sc, pid_t pid)
{
	char path[32], buf[64];
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "%d/comm", (int)pid);
	fd = openat(sc->proc_fd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return NULL;
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return strdup(buf);
}

/* Read what needs an fd on @n (taken over; -1: open it): id, owner UID, and the inodes of its
 * owner and parent. Touches @n only, so workers probe disjoint nodes in parallel. */
static void probe_node(struct scan *sc, struct lxns_node *n, int fd)
{
	struct stat st;
	uint64_t id;
	uid_t uid = 0; /* written by the kernel; set for memory checkers that cannot know */

	if (fd < 0)
		fd = lxns__scan_open(n);
	if (fd < 0) {
		/* One that is gone is counted when it is left out (or kept: something refers to it). */
		n->vanished = node_gone(n, fd);
		if (!n->vanished)
			lxns__count_error(sc, -fd);
		return;
	}
	if (fstat(fd, &st) < 0 || st.st_ino != n->ino) {
		n->vanished = true; /* its path names another namespace by now */
		close(fd);
		return;
	}
	n->probed = true;
	if (ioctl(fd, NS_GET_ID, &id) == 0)
		n->id = id;
	if (n->type == LXNS_USER && ioctl(fd, NS_GET_OWNER_UID, &uid) == 0) {
		n->owner_uid = uid;
		n->have_owner_uid = true;
	}
	n->owner_ino = probe_relative(sc, fd, NS_GET_USERNS, &n->owner_fd);
	if (n->type == LXNS_PID)
		n->parent_ino = probe_relative(sc, fd, NS_GET_PARENT, &n->parent_fd);
	close(fd);
}

static void probe_and_comm(struct scan *sc, struct lxns_node *n)
{
	if (!n->probed) /* the BPF scan probes what it finds */
		probe_node(sc, n, -1);
	/* One node per PID reads its comm; copy_comms() gives it to the others. */
	if (n->pid && !n->comm_src && !n->comm) {
		n->comm = read_comm(sc, n->pid);
		if (!n->comm && errno == ENOMEM)
			sc->err = -ENOMEM;
	}
}

static void read_mounts(struct scan *sc, struct lxns_node *n)
{
	if (n->type == LXNS_MNT && n->nprocs)
		lxns__read_mounts(sc, n);
}

/* Each worker touches only the nodes it is given. */
static void *each_node(void *arg)
{
	struct worker *w = arg;

	for (size_t k = w->first; k < w->nodes && !w->sc.err; k += w->step)
		w->node_fn(&w->sc, w->sc.s->nodes[k]);
	return NULL;
}

static int pid_order(const void *a, const void *b)
{
	const struct lxns_node *x = *(struct lxns_node *const *)a, *y = *(struct lxns_node *const *)b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* Many namespaces share their lowest PID (a process's own namespaces were new together): the
 * first node of each PID reads its comm, the others point to it. */
static int choose_comm_readers(struct lxns_snapshot *s)
{
	struct lxns_node **by_pid = malloc(s->n * sizeof(*by_pid) + 1);

	if (!by_pid)
		return -ENOMEM;
	memcpy(by_pid, s->nodes, s->n * sizeof(*by_pid));
	qsort(by_pid, s->n, sizeof(*by_pid), pid_order);
	for (size_t k = 1; k < s->n; k++)
		if (by_pid[k]->pid && by_pid[k]->pid == by_pid[k - 1]->pid)
			by_pid[k]->comm_src = by_pid[k - 1]->comm_src ? by_pid[k - 1]->comm_src : by_pid[k - 1];
	free(by_pid);
	return 0;
}

static int copy_comms(struct lxns_snapshot *s)
{
	for (size_t k = 0; k < s->n; k++) {
		struct lxns_node *n = s->nodes[k];

		if (!n->comm && n->comm_src && n->comm_src->comm && !(n->comm = strdup(n->comm_src->comm)))
			return -ENOMEM;
	}
	return 0;
}

/* Run @fn on @n workers (the first one on this thread); add up their stats and errors. */
static int run_workers(struct worker *w, size_t n, void *(*fn)(void *), struct scan *sc)
{
	for (size_t i = 1; i < n; i++)
		w[i].started = pthread_create(&w[i].thread, NULL, fn, &w[i]) == 0;
	fn(&w[0]);
	for (size_t i = 1; i < n; i++) {
		if (w[i].started)
			pthread_join(w[i].thread, NULL);
		else
			fn(&w[i]); /* no thread to be had: do its share here */
	}
	for (size_t i = 0; i < n; i++) {
		for (int k = 0; k < LXNS_STAT_MAX; k++)
			sc->stats[k] += w[i].sc.stats[k];
		if (w[i].sc.err && !sc->err)
			sc->err = w[i].sc.err;
	}
	return sc->err;
}

static size_t worker_count(size_t items)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = items / PIDS_PER_WORKER;

	if (cpus > 0 && n > (size_t)cpus)
		n = (size_t)cpus;
	return n < 1 ? 1 : n > MAX_WORKERS ? MAX_WORKERS : n;
}

/* Worker @i of @n: a copy of the scanner with its own counters. */
static void worker_init(struct worker *w, const struct scan *sc, size_t i, size_t n)
{
	*w = (struct worker){ .sc = *sc, .first = i, .step = n };
	memset(w->sc.stats, 0, sizeof(w->sc.stats));
	w->sc.kept_fds = 0;
}

static int scan_processes(struct scan *sc)
{
	struct pid_list pids = { 0 };
	struct worker w[MAX_WORKERS] = { 0 };
	size_t n;
	int fd, r;

	if (!(sc->flags & LXNS_DISCOVER_NO_BPF)) {
		r = lxns__scan_bpf(sc);
		if (r == 0 || r == -ENOMEM) /* ENOMEM may come after some was recorded */
			return r;
	}
	fd = openat(sc->proc_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = fd < 0 ? lxns__neg_errno() : lxns__dir_each(fd, add_pid, &pids);
	if (r == 0 && pids.oom)
		r = -ENOMEM;
	n = worker_count(pids.n);
	for (size_t i = 0; i < n && r == 0; i++) {
		worker_init(&w[i], sc, i, n);
		w[i].pids = &pids;
		w[i].sc.s = i == 0 ? sc->s : calloc(1, sizeof(*sc->s));
		if (!w[i].sc.s)
			r = -ENOMEM;
		else
			w[i].sc.s->nsfs_dev = sc->s->nsfs_dev;
	}
	if (r == 0)
		r = run_workers(w, n, scan_pids, sc);
	for (size_t i = 1; i < n; i++)
		if (w[i].sc.s) {
			int m = r < 0 ? (lxns_snapshot_free(w[i].sc.s), 0) : lxns__graph_merge(sc->s, w[i].sc.s);
			if (m < 0 && r == 0)
				r = m;
		}
	free(pids.pids);
	return r;
}

/* Run @fn on every node in parallel. */
static int for_nodes(struct scan *sc, void (*fn)(struct scan *, struct lxns_node *))
{
	struct worker w[MAX_WORKERS] = { 0 };
	size_t n = worker_count(sc->s->n * 2); /* a node costs a process's worth twice over */

	for (size_t i = 0; i < n; i++) {
		worker_init(&w[i], sc, i, n);
		w[i].node_fn = fn;
		w[i].nodes = sc->s->n;
	}
	return run_workers(w, n, each_node, sc);
}

static struct lxns_node *relative(struct scan *sc, struct lxns_node *n, uint64_t ino, int *fd,
				  unsigned long request, int type);

/* Turn the probed inodes of @n into edges, adding (and probing, and linking) the hierarchy
 * namespaces that nothing else found. Serial: it adds nodes. */
static void link_node(struct scan *sc, struct lxns_node *n)
{
	n->linked = true;
	if (!n->probed)
		return; /* nothing known of its relatives */
	n->owner = relative(sc, n, n->owner_ino, &n->owner_fd, NS_GET_USERNS, LXNS_USER);
	if (n->type == LXNS_USER)
		n->parent = n->owner;
	else if (n->type == LXNS_PID)
		n->parent = relative(sc, n, n->parent_ino, &n->parent_fd, NS_GET_PARENT, LXNS_PID);
}

/* The node of @n's owner or parent. A relative found by processes that all exited before it was
 * probed is alive still (@n holds it): probe it through @n. */
static struct lxns_node *relative(struct scan *sc, struct lxns_node *n, uint64_t ino, int *fd,
				  unsigned long request, int type)
{
	struct lxns_node *r = ino ? lxns__graph_find(sc->s, ino) : NULL;
	/* One nothing else found, or one whose processes all exited before its probe: it lives
	 * while @n does, and @n leads to it (each node that refers to it gives it a chance). */
	bool wanted = ino && (r ? !r->probed : (sc->sources & LXNS_SRC_HIERARCHY));

	if (wanted && *fd < 0) {
		_cleanup_close_ int nfd = lxns__scan_open(n);
		*fd = nfd < 0 ? -1 : ioctl(nfd, request);
		/* Gone as well: the two went together (a container that exited). */
		if (nfd == -ENOENT || nfd == -ESRCH)
			n->vanished = true;
	}
	if (wanted && *fd >= 0) {
		if (!r)
			r = lxns__found(sc, type, ino, LXNS_SRC_HIERARCHY, 0);
		if (r) {
			probe_node(sc, r, TAKE_FD(*fd));
			link_node(sc, r); /* upward right away: open fds stay bounded by the depth */
		}
	}
	if (*fd >= 0)
		close(TAKE_FD(*fd));
	return r;
}

/* A namespace whose processes all exited during the scan, and that nothing still there refers
 * to, is gone: leave it out. */
static bool still_there(const struct lxns_node *n)
{
	return !n->vanished || n->referenced;
}

static void leave_out_the_gone(struct scan *sc)
{
	size_t dropped;

	/* Leaving one out may leave its owner or parent unreferenced: until nothing changes. */
	do {
		for (size_t k = 0; k < sc->s->n; k++)
			sc->s->nodes[k]->referenced = false;
		for (size_t k = 0; k < sc->s->n; k++) {
			struct lxns_node *n = sc->s->nodes[k], *rel[] = { n->parent, n->owner, n->mount_ns };

			if (still_there(n))
				for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++)
					if (rel[i])
						rel[i]->referenced = true;
		}
		dropped = lxns__graph_filter(sc->s, still_there);
		sc->stats[LXNS_STAT_VANISHED] += dropped;
	} while (dropped);
}

LXNS_EXPORT int lxns_discover(const struct lxns_discover_opts *opts, struct lxns_snapshot **ret_snapshot)
{
	struct scan sc = { .types = LXNS_ALL, .sources = LXNS_SRC_ALL, .proc_fd = -1 };
	int r;

	if (opts) {
		r = lxns__opts_check(opts, opts->sz, sizeof(*opts));
		if (r < 0)
			return r;
		if ((opts->types & ~LXNS_ALL) || (opts->sources & ~(unsigned)LXNS_SRC_ALL) ||
		    (opts->flags & ~LXNS_DISCOVER_NO_BPF))
			return -EINVAL;
		sc.flags = opts->flags;
		if (opts->types)
			sc.types = opts->types;
		if (opts->sources)
			sc.sources = opts->sources;
	}
	/* Bind mounts are found through mount namespaces. */
	if (sc.sources & LXNS_SRC_MOUNTS)
		sc.types |= LXNS_MNT;
	sc.s = calloc(1, sizeof(*sc.s));
	if (!sc.s)
		return -ENOMEM;
	struct stat st;
	if (stat("/proc/thread-self/ns/mnt", &st) == 0) {
		sc.s->nsfs_dev = st.st_dev;
		sc.self_mnt = st.st_ino;
	}
	sc.proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = sc.proc_fd < 0 ? lxns__neg_errno() : 0;
	if (r == 0)
		r = scan_processes(&sc);
	if (r == 0 && (sc.sources & LXNS_SRC_MOUNTS)) {
		r = for_nodes(&sc, read_mounts);
		if (r == 0)
			lxns__scan_mounts(&sc);
	}
	if (r == 0 && !sc.err)
		r = choose_comm_readers(sc.s);
	if (r == 0)
		r = for_nodes(&sc, probe_and_comm);
	if (r == 0)
		r = copy_comms(sc.s);
	/* Nodes the hierarchy adds are appended and linked as they come. */
	for (size_t k = 0; r == 0 && k < sc.s->n && !sc.err; k++)
		if (!sc.s->nodes[k]->linked)
			link_node(&sc, sc.s->nodes[k]);
	if (r == 0)
		r = sc.err;
	if (sc.proc_fd >= 0)
		close(sc.proc_fd);
	if (r < 0) {
		lxns_snapshot_free(sc.s);
		return r;
	}
	for (size_t k = 0; k < sc.s->n; k++)
		if (sc.s->nodes[k]->scan_fd >= 0)
			close(TAKE_FD(sc.s->nodes[k]->scan_fd));
	leave_out_the_gone(&sc);
	memcpy(sc.s->stats, sc.stats, sizeof(sc.stats));
	lxns__graph_finish(sc.s);
	*ret_snapshot = sc.s;
	return 0;
}
