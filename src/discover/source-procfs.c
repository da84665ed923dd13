/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Discovery from /proc: every process's namespace links, threads that differ, namespace fds.
 * A namespace is opened (and probed) the moment it is first seen, through the link that
 * showed it. */
#include <dirent.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include "parse.h"
#include "scan.h"

/* Call @fn for each entry name of an open directory (getdents64, no allocation); the fd is
 * closed. Stops early when @fn returns false. Returns 0 or -errno. */
static int dir_each(int dirfd, bool (*fn)(void *arg, const char *name), void *arg)
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
	int r = n < 0 ? lxns__neg_errno() : 0;
	close(dirfd);
	return r;
}

/* The command of @pid: /proc's "comm" without the one newline it adds (any other byte kept, as
 * the BPF scan reads it), or NULL. A worker remembers its last one: a process's new namespaces
 * are usually first seen together. */
static char *comm_of(struct scan *sc, pid_t pid)
{
	char path[32], buf[80];
	ssize_t len;
	int fd;

	if (sc->comm_pid != pid) {
		free(sc->comm);
		sc->comm = NULL;
		sc->comm_pid = pid;
		snprintf(path, sizeof(path), "%d/comm", (int)pid);
		fd = openat(sc->proc_fd, path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return NULL;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			return NULL;
		if (buf[len - 1] == '\n')
			len--;
		buf[len] = '\0';
		sc->comm = strdup(buf);
	}
	char *copy = sc->comm ? strdup(sc->comm) : NULL;
	if (sc->comm && !copy)
		sc->err = -ENOMEM;
	return copy;
}

/* A namespace link of a process, thread or fd, read as "@dir@name" below /proc: record it and
 * probe it through that link when it is new to us. */
static struct seen *saw_link(struct scan *sc, int type, uint64_t ino, unsigned how, pid_t pid, const char *path)
{
	struct seen *s = lxns__saw(sc, type, ino, how, pid, NULL);

	if (!s)
		return NULL;
	if (how == LXNS_FOUND_PROCESS && s->pid == pid && !s->comm)
		s->comm = comm_of(sc, pid);
	if (how != LXNS_FOUND_FD)
		lxns__probe_link(sc, s, path, false);
	return s;
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
			lxns__count_error(sc, -r, path);
			break;
		}
		if (ino != p->inos[i])
			saw_link(sc, type, ino, LXNS_FOUND_THREAD, tid, path);
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
	r = fd < 0 ? lxns__neg_errno() : dir_each(fd, scan_thread, &p);
	if (r < 0)
		lxns__count_error(sc, -r, path);
}

/* Namespace fd @fd of process @pid. The fd may have been closed and its number reused since
 * the link was read: it is opened O_PATH and checked to be nsfs before it is opened for real. */
static void record_fd(struct scan *sc, pid_t pid, int type, uint64_t ino, int fd)
{
	char path[48];
	struct seen *s;

	sc->stats[LXNS_STAT_FDS]++;
	s = lxns__saw(sc, type, ino, LXNS_FOUND_FD, pid, NULL);
	if (!s)
		return;
	lxns__found_by(s, LXNS_FOUND_FD, pid, fd);
	snprintf(path, sizeof(path), "%d/fd/%d", (int)pid, fd);
	lxns__probe_link(sc, s, path, true);
}

static bool scan_fd(void *arg, const char *name)
{
	struct proc_ctx *p = arg;
	uint64_t ino;
	int type, r = lxns__read_ns_link(p->fd_dir, name, &type, &ino);

	if (r == -EINVAL)
		return true; /* a file, socket, pipe... */
	if (r < 0) {
		lxns__count_error(p->sc, -r, "an fd link");
		return true;
	}
	record_fd(p->sc, p->pid, type, ino, atoi(name));
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
			lxns__count_error(p->sc, -r, path);
			return true;
		}
		hits[nhits].type = type;
		hits[nhits].ino = ino;
		hits[nhits++].fd = fd;
	}
	for (int i = 0; i < nhits; i++)
		record_fd(p->sc, p->pid, hits[i].type, hits[i].ino, hits[i].fd);
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
		lxns__count_error(sc, errno, path);
		return;
	}
	/* dir_each() closes fd_dir, after its last use by scan_fd(). */
	r = dir_each(p.fd_dir, scan_fd, &p);
	if (r < 0)
		lxns__count_error(sc, -r, path);
}

/* A process: its namespace links (one readlinkat() each, no directory opened: the links
 * themselves are what costs), those of its children to come, its threads and fds. */
static void scan_process(struct scan *sc, pid_t pid)
{
	uint64_t inos[LXNS_NTYPES] = { 0 };
	char path[48];
	int r = 0, read = 0, base = snprintf(path, sizeof(path), "%d/ns/", (int)pid);
	char *name = path + base;

	for (int i = 0; i < LXNS_NTYPES && r != -EACCES && !sc->err; i++) {
		int type = lxns__type_at(i), t;
		struct seen *s;

		if (!(sc->types & type))
			continue;
		strcpy(name, lxns_type_name(type));
		r = lxns__read_ns_link(sc->proc_fd, path, &t, &inos[i]);
		if (r < 0)
			continue; /* ENOENT: a type this kernel lacks, or the process is gone */
		read++;
		s = saw_link(sc, type, inos[i], LXNS_FOUND_PROCESS, pid, path);
		if (s && type == LXNS_MNT && (sc->sources & LXNS_SRC_MOUNTS) && !s->mounts_read)
			lxns__read_mountinfo(sc, s, pid);

		/* A pid/time namespace made for children to come may have no process yet. */
		const char *children = lxns__proc_name(type, true);
		uint64_t ino;
		if (children && (strcpy(name, children), lxns__read_ns_link(sc->proc_fd, path, &t, &ino) == 0) &&
		    ino != inos[i])
			saw_link(sc, type, ino, LXNS_FOUND_CHILDREN, pid, path);
	}
	if (!read) {
		snprintf(path, sizeof(path), "process %d", (int)pid);
		lxns__count_error(sc, r == -EACCES ? EACCES : ESRCH, path);
		return;
	}
	sc->stats[LXNS_STAT_PROCESSES]++;
	if (sc->sources & LXNS_SRC_THREADS)
		scan_threads(sc, pid, inos);
	if (sc->sources & LXNS_SRC_FDS)
		scan_fds(sc, pid);
}

/* Whether we are in group @gid. */
static bool in_group(gid_t gid)
{
	gid_t groups[256];
	int n = getgroups(256, groups);

	if (getegid() == gid)
		return true;
	for (int i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

/* Whether /proc hides other users' processes from us: hidepid=2 (invisible) or 4
 * (ptraceable), unless we have CAP_SYS_PTRACE or are in its gid= group. */
static void check_proc_hidden(struct scan *sc)
{
	char line[1024];
	struct stat proc;
	FILE *f;

	if (lxns__have_cap(CAP_SYS_PTRACE) || fstat(sc->proc_fd, &proc) < 0)
		return;
	f = fopen("/proc/self/mountinfo", "re");
	/* The mount of our /proc (the one with its device), and its super options. */
	while (f && fgets(line, sizeof(line), f)) {
		unsigned major, minor, gid;
		const char *opts = strstr(line, " - proc "), *hide, *g;

		if (!opts || sscanf(line, "%*d %*d %u:%u", &major, &minor) != 2 || makedev(major, minor) != proc.st_dev)
			continue;
		hide = strstr(opts, "hidepid=");
		g = strstr(opts, ",gid=");
		if (hide && strchr("24ip", hide[8]) && !(g && sscanf(g, ",gid=%u", &gid) == 1 && in_group(gid))) {
			sc->stats[LXNS_STAT_PROC_HIDDEN] = 1;
			lxns__log(LXNS_LOG_NOTICE, "discover: /proc hides other users' processes (%.*s): they are not seen",
				  (int)strcspn(hide, ", \n"), hide);
		}
		break;
	}
	if (f)
		fclose(f);
}

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

static void scan_one(struct scan *w, size_t i, void *arg)
{
	scan_process(w, ((const struct pid_list *)arg)->pids[i]);
}

int lxns__scan_procfs(struct scan *sc)
{
	struct pid_list pids = { 0 };
	int fd, r;

	fd = openat(sc->proc_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = fd < 0 ? lxns__neg_errno() : dir_each(fd, add_pid, &pids);
	if (r == 0 && pids.oom)
		r = -ENOMEM;
	/* Each worker takes every n-th PID in increasing order: its first sighting of a namespace is
	 * through its lowest PID, whose command it reads. */
	if (r == 0)
		r = lxns__parallel(sc, pids.n, 1, scan_one, &pids);
	free(pids.pids);
	if (r == 0)
		check_proc_hidden(sc);
	return r;
}
