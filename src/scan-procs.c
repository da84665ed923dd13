/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Discovery from processes: /proc/PID/ns links, threads that differ, namespace fds. */
#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "scan.h"

void lxns__count_error(struct scan *sc, int err)
{
	enum lxns_stat which = LXNS_STAT_FAILED;

	if (err == EACCES || err == EPERM)
		which = LXNS_STAT_DENIED;
	else if (err == ENOENT || err == ESRCH)
		which = LXNS_STAT_VANISHED;
	sc->stats[which]++;
}

bool lxns__parse_ns_link(const char *text, int *ret_type, uint64_t *ret_ino)
{
	const char *colon = strchr(text, ':');
	char name[8], *end;
	size_t len = colon ? (size_t)(colon - text) : 0;
	int type;

	if (!colon || len == 0 || len >= sizeof(name) || colon[1] != '[')
		return false;
	memcpy(name, text, len);
	name[len] = '\0';
	type = lxns_type_from_name(name);
	if (type < 0)
		return false;
	*ret_ino = strtoull(colon + 2, &end, 10);
	*ret_type = type;
	return end[0] == ']' && end[1] == '\0';
}

int lxns__read_ns_link(int dirfd, const char *path, int *ret_type, uint64_t *ret_ino)
{
	char buf[64];
	ssize_t n = readlinkat(dirfd, path, buf, sizeof(buf) - 1);

	if (n < 0)
		return lxns__neg_errno();
	buf[n] = '\0';
	return lxns__parse_ns_link(buf, ret_type, ret_ino) ? 0 : -EINVAL;
}

struct lxns_node *lxns__found(struct scan *sc, int type, uint64_t ino, unsigned how, pid_t pid)
{
	struct lxns_node *n = lxns__graph_get(sc->s, type, ino);

	if (!n) {
		sc->err = -ENOMEM;
		return NULL;
	}
	if (how != LXNS_SRC_FDS) /* lxns__record_fd() says which fd */
		lxns__found_by(n, how, pid, -1);
	n->found |= how;
	return n;
}

int lxns__dir_each(int dirfd, bool (*fn)(void *arg, const char *name), void *arg)
{
	char buf[16384] __attribute__((aligned(8)));
	bool more = true;
	long n;

	while (more && (n = syscall(SYS_getdents64, dirfd, buf, sizeof(buf))) > 0) {
		for (long off = 0; more && off < n;) {
			struct dirent64 *e = (struct dirent64 *)(buf + off);

			if (e->d_name[0] != '.')
				more = fn(arg, e->d_name);
			off += e->d_reclen;
		}
		/* The kernel fills the buffer while entries fit: with room left for the largest
		 * entry, this was the last batch, and asking again would only return 0. */
		if ((size_t)n + offsetof(struct dirent64, d_name) + 256 <= sizeof(buf))
			break;
	}
	if (n < 0) {
		int r = lxns__neg_errno();
		close(dirfd);
		return r;
	}
	close(dirfd);
	return 0;
}

struct proc_ctx {
	struct scan *sc;
	pid_t pid;
	const uint64_t *inos; /* the process's own namespaces, by type index */
	int fd_dir;
};

static bool scan_thread(void *arg, const char *name)
{
	struct proc_ctx *p = arg;
	struct scan *sc = p->sc;
	pid_t tid = atoi(name);
	char path[64];

	if (tid <= 0 || tid == p->pid)
		return true;
	sc->stats[LXNS_STAT_THREADS]++;
	for (int i = 0; i < LXNS_NTYPES; i++) {
		int type = lxns__type_at(i), t, r;
		uint64_t ino;

		if (!(sc->types & type))
			continue;
		snprintf(path, sizeof(path), "%d/task/%d/ns/%s", (int)p->pid, (int)tid, lxns_type_name(type));
		r = lxns__read_ns_link(sc->proc_fd, path, &t, &ino);
		if (r < 0) {
			lxns__count_error(sc, -r);
			break;
		}
		if (ino != p->inos[i])
			lxns__found(sc, type, ino, LXNS_SRC_THREADS, tid);
	}
	return !sc->err;
}

static void scan_threads(struct scan *sc, pid_t pid, const uint64_t *inos)
{
	struct proc_ctx p = { .sc = sc, .pid = pid, .inos = inos };
	char path[32];
	struct stat st;
	int fd, r;

	/* A task directory links 2 + threads: skip the listing for single-threaded processes. */
	snprintf(path, sizeof(path), "%d/task", (int)pid);
	if (fstatat(sc->proc_fd, path, &st, 0) == 0 && st.st_nlink <= 3)
		return;
	fd = openat(sc->proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = fd < 0 ? lxns__neg_errno() : lxns__dir_each(fd, scan_thread, &p);
	if (r < 0)
		lxns__count_error(sc, -r);
}

void lxns__record_fd(struct scan *sc, pid_t pid, int type, uint64_t ino, int fd)
{
	struct lxns_node *n;

	sc->stats[LXNS_STAT_FDS]++;
	n = lxns__found(sc, type, ino, LXNS_SRC_FDS, pid);
	if (n)
		lxns__found_by(n, LXNS_SRC_FDS, pid, fd);
}

static bool scan_fd(void *arg, const char *name)
{
	struct proc_ctx *p = arg;
	uint64_t ino;
	int type, r = lxns__read_ns_link(p->fd_dir, name, &type, &ino);

	if (r == -EINVAL)
		return true; /* a file, socket, pipe... */
	if (r < 0) {
		lxns__count_error(p->sc, -r);
		return true;
	}
	lxns__record_fd(p->sc, p->pid, type, ino, atoi(name));
	return !p->sc->err;
}

/* The common case cheaply: a process whose open fds are exactly 0 ... N-1. Since 6.2 the size
 * of /proc/PID/fd is the number of open fds: read those links by number, with no listing. False
 * when that does not fit (an older kernel, a gap): then the directory must be listed. */
#define DENSE_FDS_MAX 64
static bool scan_dense_fds(struct proc_ctx *p)
{
	struct {
		int type;
		uint64_t ino;
		int fd;
	} hits[DENSE_FDS_MAX];
	int nhits = 0, len;
	char path[48];
	struct stat st;

	len = snprintf(path, sizeof(path), "%d/fd", (int)p->pid);
	if (fstatat(p->sc->proc_fd, path, &st, 0) < 0 || st.st_size <= 0 || st.st_size > DENSE_FDS_MAX)
		return false;
	path[len++] = '/';
	for (int fd = 0; fd < st.st_size; fd++) {
		uint64_t ino;
		int type, r;

		snprintf(path + len, sizeof(path) - (size_t)len, "%d", fd);
		r = lxns__read_ns_link(p->sc->proc_fd, path, &type, &ino);
		if (r == -ENOENT)
			return false; /* a gap (or the process is gone): list them */
		if (r == -EINVAL)
			continue;
		if (r < 0) {
			lxns__count_error(p->sc, -r);
			return true;
		}
		hits[nhits].type = type;
		hits[nhits].ino = ino;
		hits[nhits++].fd = fd;
	}
	for (int i = 0; i < nhits; i++)
		lxns__record_fd(p->sc, p->pid, hits[i].type, hits[i].ino, hits[i].fd);
	return true;
}

static void scan_fds(struct scan *sc, pid_t pid)
{
	struct proc_ctx p = { .sc = sc, .pid = pid };
	char path[32];
	int r;

	if (scan_dense_fds(&p))
		return;
	snprintf(path, sizeof(path), "%d/fd", (int)pid);
	p.fd_dir = openat(sc->proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (p.fd_dir < 0) {
		lxns__count_error(sc, errno);
		return;
	}
	/* lxns__dir_each() closes fd_dir, after its last use by scan_fd(). */
	r = lxns__dir_each(p.fd_dir, scan_fd, &p);
	if (r < 0)
		lxns__count_error(sc, -r);
}

/* "PID/ns/" in @path, returning where the link name goes. One readlinkat() per link, with no
 * directory opened: the links themselves are what costs. */
static char *ns_dir(char *path, size_t size, pid_t pid)
{
	int n = snprintf(path, size, "%d/ns/", (int)pid);

	return path + n;
}

void lxns__scan_process(struct scan *sc, pid_t pid)
{
	uint64_t inos[LXNS_NTYPES] = { 0 };
	char path[48], *name = ns_dir(path, sizeof(path), pid);
	int r = 0, read = 0;

	for (int i = 0; i < LXNS_NTYPES && r != -EACCES; i++) {
		int type = lxns__type_at(i), t;
		struct lxns_node *n;

		if (!(sc->types & type))
			continue;
		strcpy(name, lxns_type_name(type));
		r = lxns__read_ns_link(sc->proc_fd, path, &t, &inos[i]);
		if (r < 0)
			continue; /* ENOENT: a type this kernel lacks, or the process is gone */
		read++;
		n = lxns__found(sc, type, inos[i], LXNS_SRC_PROCS, pid);
		if (!n)
			break;
		n->nprocs++;
		if (!n->pid || pid < n->pid)
			n->pid = pid;

		/* A pid/time namespace made for children to come may have no process yet. */
		const char *children = lxns__proc_name(type, true);
		uint64_t ino;
		if (children && (strcpy(name, children), lxns__read_ns_link(sc->proc_fd, path, &t, &ino) == 0) &&
		    ino != inos[i])
			lxns__found(sc, type, ino, LXNS_FOUND_CHILDREN, pid);
	}
	if (!read) {
		lxns__count_error(sc, r == -EACCES ? EACCES : ESRCH);
		return;
	}
	sc->stats[LXNS_STAT_PROCESSES]++;
	if (sc->sources & LXNS_SRC_THREADS)
		scan_threads(sc, pid, inos);
	if (sc->sources & LXNS_SRC_FDS)
		scan_fds(sc, pid);
}
