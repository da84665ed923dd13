/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Discovery from bind mounts. Every mount namespace's mountinfo names its nsfs mounts and the
 * namespaces they hold, with no path walked: it is read through a process in the namespace, or,
 * for one without a readable process, by a helper process that enters it. A bind mount whose
 * namespace nothing else showed must be opened to learn its owner: that walks a path others
 * may shape (a symlink planted over it, a FUSE mount that never answers above it). In our own
 * mount namespace it is first walked here, where no other mount is stacked on it, by what the
 * kernel holds in memory alone (openat2() RESOLVE_CACHED: such a walk never calls into a file
 * system that would look up or revalidate a name), and taken only on the mount mountinfo named
 * (see open_here(); a mount stacked on it by someone privileged while we walk is the one way
 * left to make the walk ask a file system). What that cannot open, and every bind mount in
 * another mount namespace, is left to helper processes inside the namespace, which walk the
 * path in full, abandoned at a deadline: the helper is killed and what it did not do is counted
 * and named. Both ways never follow a symlink or climb above the root, open O_PATH first, check
 * that it is nsfs before opening it for reading, and that it is the namespace mountinfo named. */
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "parse.h"
#include "scan.h"

#define HELPERS_MAX 16          /* helpers running at once */
#define PATH_SENT_MAX 65536     /* longer mount points are recorded from mountinfo only */
#define REAP_WAIT_MS 500        /* after SIGKILL: a helper stuck uninterruptibly is left */

/* Read all of @fd (closed here) into a NUL-terminated buffer. */
static char *read_all(int fd, size_t *ret_len)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t r = 1;

	while (r > 0) {
		if (cap - len < 4096) {
			char *b = realloc(buf, cap = cap ? cap * 2 : 16384);
			if (!b) {
				free(buf);
				close(fd);
				errno = ENOMEM;
				return NULL;
			}
			buf = b;
		}
		r = read(fd, buf + len, cap - len - 1);
		len += r > 0 ? (size_t)r : 0;
	}
	close(fd);
	if (r < 0) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	*ret_len = len;
	return buf;
}

/* Record an nsfs mount at @path in mount namespace @mntns. */
static struct seen *record_mount(struct scan *sc, uint64_t mntns, int type, uint64_t ino, const char *path)
{
	struct seen *s = lxns__saw(sc, type, ino, LXNS_FOUND_MOUNT, 0, NULL);

	if (!s)
		return NULL;
	sc->stats[LXNS_STAT_MOUNTS]++;
	if (!s->mount_path && path) {
		s->mount_path = strdup(path);
		s->mount_ns = mntns;
		if (!s->mount_path)
			sc->err = -ENOMEM;
	}
	return s;
}

/* Every nsfs line of a mountinfo text (modified in place). */
static void record_mountinfo(struct scan *sc, uint64_t mntns, char *text)
{
	for (char *line = text, *end; *line && !sc->err; line = end + (*end != '\0')) {
		int type;
		uint64_t ino;
		char *path, keep;

		end = line + strcspn(line, "\n");
		if (!memmem(line, (size_t)(end - line), " - nsfs ", 8))
			continue;
		keep = *end;
		*end = '\0';
		path = lxns__mountinfo_nsfs(line, &type, &ino);
		if (path)
			record_mount(sc, mntns, type, ino, path);
		*end = keep;
	}
}

/* Whether process @pid is in mount namespace @mntns. */
static bool still_in(struct scan *sc, pid_t pid, const struct seen *mntns)
{
	char path[64];
	uint64_t ino;
	int type;

	snprintf(path, sizeof(path), "%d/ns/mnt", (int)pid);
	return lxns__read_ns_link(sc->proc_fd, path, &type, &ino) == 0 && ino == mntns->ino;
}

void lxns__read_mountinfo(struct scan *sc, struct seen *mntns, pid_t pid)
{
	char path[64];
	bool self = mntns->ino == sc->self_mnt;
	size_t len;
	char *text;
	int fd;

	/* Our own mount namespace as we see it (the lowest PID in it could be chrooted, and its
	 * mountinfo would hide what lies outside its root); others through a process in them. */
	if (self)
		snprintf(path, sizeof(path), "thread-self/mountinfo");
	else
		snprintf(path, sizeof(path), "%d/mountinfo", (int)pid);
	fd = openat(sc->proc_fd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !(text = read_all(fd, &len))) {
		if (errno == ENOMEM)
			sc->err = -ENOMEM;
		else
			lxns__count_error(sc, errno, path);
		return;
	}
	/* Still that process's namespace after the read? (It may have moved, or died and its PID
	 * been reused.) Otherwise the text is some other namespace's. */
	if (self || still_in(sc, pid, mntns)) {
		mntns->mounts_read = true;
		record_mountinfo(sc, mntns->ino, text);
	}
	free(text);
}

/* --- Helpers -------------------------------------------------------------------------------- */

/* What a helper does in one mount namespace. */
struct job {
	struct seen *mntns;
	int mnt_fd;          /* to enter, or -1 for our own mount namespace */
	bool read_self;      /* read its mountinfo and send every nsfs mount */
	struct seen **open;  /* else: open these at their mount paths */
	size_t n_open;
	pid_t pid;           /* while it runs */
	int sock;
	enum { JOB_WAITING, JOB_RUNNING, JOB_DONE, JOB_FAILED } state;
};

/* A helper's message: one nsfs mount, with an fd on it unless @err says why not. */
struct msg {
	int32_t err;
	int32_t type;
	uint64_t ino;
	uint32_t index; /* in job.open, or UINT32_MAX for a mount read by the helper */
	char path[];    /* with a read mount */
};

static void send_mount(int sock, int err, int type, uint64_t ino, uint32_t index, const char *path, int fd)
{
	size_t plen = path ? strlen(path) + 1 : 0;
	struct msg *m = calloc(1, sizeof(*m) + (plen > PATH_SENT_MAX ? 0 : plen));
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (!m)
		_exit(1);
	*m = (struct msg){ .err = err, .type = type, .ino = ino, .index = index };
	if (plen > PATH_SENT_MAX)
		m->err = m->err ? m->err : ENAMETOOLONG, plen = 0;
	memcpy(m->path, path ? path : "", plen);
	iov = (struct iovec){ .iov_base = m, .iov_len = sizeof(*m) + plen };
	if (fd >= 0 && !m->err) {
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	if (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0)
		_exit(1);
	free(m);
	if (fd >= 0)
		close(fd);
}

/* @fd (or -errno, returned) if it is namespace inode @ino; else -ESTALE (another namespace
 * there now), @fd closed. */
static int if_ino(int fd, uint64_t ino)
{
	struct stat st;

	if (fd >= 0 && (fstat(fd, &st) < 0 || st.st_ino != ino)) {
		close(fd);
		return -ESTALE;
	}
	return fd;
}

/* Open the namespace mounted at @path, beneath @rootfd, if it is inode @ino (see if_ino()). */
static int open_mount(int proc_fd, int rootfd, const char *path, uint64_t ino)
{
	return if_ino(lxns__open_nsfs_beneath(proc_fd, rootfd, path), ino);
}

/* In the forked helper: enter the mount namespace, do the job, send the results. No logging,
 * no stdio, no locks: it was forked from a process that may have other threads. */
static _Noreturn void helper(const struct job *j, int proc_fd, int sock)
{
	int rootfd;

	if (j->mnt_fd >= 0 && setns(j->mnt_fd, CLONE_NEWNS) < 0) {
		send_mount(sock, errno, 0, 0, UINT32_MAX, NULL, -1);
		_exit(0);
	}
	rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		_exit(1);
	if (!j->read_self) {
		for (size_t i = 0; i < j->n_open; i++) {
			int fd = open_mount(proc_fd, rootfd, j->open[i]->mount_path, j->open[i]->ino);
			send_mount(sock, fd < 0 ? -fd : 0, 0, 0, (uint32_t)i, NULL, fd);
		}
		_exit(0);
	}
	/* /proc as we knew it: the namespace entered may have none. */
	int fd = openat(proc_fd, "thread-self/mountinfo", O_RDONLY | O_CLOEXEC);
	size_t len;
	char *text = fd < 0 ? NULL : read_all(fd, &len);
	if (!text)
		_exit(1);
	for (char *line = text, *end; *line; line = end + (*end != '\0')) {
		int type;
		uint64_t ino;
		char *path, keep;

		end = line + strcspn(line, "\n");
		keep = *end;
		*end = '\0';
		path = lxns__mountinfo_nsfs(line, &type, &ino);
		if (path) {
			int nsfd = open_mount(proc_fd, rootfd, path, ino);
			send_mount(sock, nsfd < 0 ? -nsfd : 0, type, ino, UINT32_MAX, path, nsfd);
		}
		*end = keep;
	}
	free(text); /* for leak checkers that follow the helper */
	_exit(0);
}

static int job_start(struct scan *sc, struct job *j)
{
	int sv[2];
	pid_t parent = getpid();

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) < 0)
		return lxns__neg_errno();
	j->pid = fork();
	if (j->pid == 0) {
		close(sv[0]);
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			_exit(1);
		/* Blocking sends: the parent reads while it waits. */
		if (fcntl(sv[1], F_SETFL, 0) < 0)
			_exit(1);
		helper(j, sc->proc_fd, sv[1]);
	}
	close(sv[1]);
	if (j->pid < 0) {
		close(sv[0]);
		return lxns__neg_errno();
	}
	j->sock = sv[0];
	j->state = JOB_RUNNING;
	return 0;
}

/* An fd a helper sent for @s: probe it. A mount namespace keeps a reference for its own mounts
 * to be read in the next round. */
static void got_fd(struct scan *sc, struct seen *s, int fd)
{
	if (s->type == LXNS_MNT && !s->mounts_read && s->fd < 0)
		s->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (s->probe != PROBE_DONE)
		lxns__probe(sc, s, fd);
	else
		close(fd);
}

static void job_message(struct scan *sc, struct job *j, const struct msg *m, size_t len, int fd)
{
	char what[96];
	struct seen *s = NULL;

	snprintf(what, sizeof(what), "mounts of mnt:[%llu]", (unsigned long long)j->mntns->ino);
	if (m->index == UINT32_MAX && m->type) {
		s = record_mount(sc, j->mntns->ino, m->type, m->ino, len > sizeof(*m) ? m->path : NULL);
	} else if (m->index < j->n_open) {
		s = j->open[m->index];
		snprintf(what, sizeof(what), "bind mount of %s:[%llu] in mnt:[%llu]", lxns_type_name(s->type),
			 (unsigned long long)s->ino, (unsigned long long)j->mntns->ino);
	}
	if (m->err) {
		lxns__count_error(sc, m->err, what);
		if (fd >= 0)
			close(fd);
	} else if (s && fd >= 0) {
		got_fd(sc, s, fd);
	} else if (fd >= 0) {
		close(fd);
	}
}

#define MSG_BUF_SIZE (sizeof(struct msg) + PATH_SENT_MAX + 8)

/* Take every message @j has queued (into @buf, MSG_BUF_SIZE bytes); false at its end. */
static bool job_read(struct scan *sc, struct job *j, char *buf)
{
	char cbuf[CMSG_SPACE(sizeof(int))];

	for (;;) {
		struct iovec iov = { .iov_base = buf, .iov_len = MSG_BUF_SIZE - 1 };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
				     .msg_controllen = sizeof(cbuf) };
		ssize_t n = recvmsg(j->sock, &mh, MSG_CMSG_CLOEXEC);
		int fd = -1;

		if (n < 0 && errno == EAGAIN)
			return true;
		if (n <= 0)
			return false;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
				memcpy(&fd, CMSG_DATA(c), sizeof(int));
		buf[n] = '\0';
		if ((size_t)n >= sizeof(struct msg))
			job_message(sc, j, (const struct msg *)buf, (size_t)n, fd);
		else if (fd >= 0)
			close(fd);
	}
}

/* A helper at its end (it closed its socket by exiting), or past the deadline (killed). */
static void job_end(struct job *j, bool kill_it)
{
	int status = 0, ms = 0;
	pid_t r;

	close(j->sock);
	j->state = JOB_FAILED;
	if (!kill_it) {
		while (waitpid(j->pid, &status, 0) < 0 && errno == EINTR)
			;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			j->state = JOB_DONE;
		return;
	}
	/* SIGKILL ends a wait for a FUSE server; a wait for another task's lookup of the same name
	 * it does not (that one sleeps uninterruptibly until the lookup ends). Such a helper is
	 * left to end by itself rather than block us. */
	kill(j->pid, SIGKILL);
	while ((r = waitpid(j->pid, &status, WNOHANG)) == 0 && ms < REAP_WAIT_MS) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		ms += 10;
	}
	if (r == 0)
		lxns__log(LXNS_LOG_WARNING, "mounts: helper %d does not end after SIGKILL; left to end by itself",
			  (int)j->pid);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* Run every job, up to HELPERS_MAX at once, until all end or @deadline passes. Returns how many
 * helpers it started. */
static size_t run_jobs(struct scan *sc, struct job *jobs, size_t n, long deadline)
{
	struct pollfd pfd[HELPERS_MAX];
	struct job *running[HELPERS_MAX];
	size_t next = 0, started = 0;
	_cleanup_free_ char *buf = malloc(MSG_BUF_SIZE);

	if (!buf) {
		sc->err = -ENOMEM;
		return 0;
	}
	for (;;) {
		size_t nrun = 0;

		for (size_t k = 0; k < n; k++)
			if (jobs[k].state == JOB_RUNNING)
				running[nrun++] = &jobs[k];
		while (nrun < HELPERS_MAX && next < n && now_ms() < deadline) {
			struct job *j = &jobs[next++];
			int r = job_start(sc, j);

			if (r < 0) {
				j->state = JOB_FAILED;
				lxns__count_error(sc, -r, "starting a mount helper");
			} else {
				running[nrun++] = j;
				started++;
			}
		}
		if (!nrun)
			break;
		long left = deadline - now_ms();
		if (left <= 0)
			break;
		for (size_t k = 0; k < nrun; k++)
			pfd[k] = (struct pollfd){ .fd = running[k]->sock, .events = POLLIN };
		if (poll(pfd, nrun, (int)left) < 0 && errno != EINTR)
			break;
		for (size_t k = 0; k < nrun; k++)
			if (pfd[k].revents && !job_read(sc, running[k], buf))
				job_end(running[k], false);
	}
	/* Past the deadline: what still runs is killed, what never started is not done either. */
	for (size_t k = 0; k < n; k++) {
		struct job *j = &jobs[k];

		if (j->state != JOB_RUNNING && j->state != JOB_WAITING)
			continue;
		if (j->state == JOB_RUNNING) {
			job_read(sc, j, buf);
			job_end(j, true);
		}
		j->state = JOB_FAILED;
		sc->stats[LXNS_STAT_TIMED_OUT]++;
		lxns__log(LXNS_LOG_WARNING, "mounts: mount namespace mnt:[%llu]: timed out after %u.%03u s",
			  (unsigned long long)j->mntns->ino, sc->timeout_ms / 1000, sc->timeout_ms % 1000);
	}
	return started;
}

/* --- The mount stage ------------------------------------------------------------------------ */

/* A reference on mount namespace @m to enter it by, or -1: the one kept, else through the
 * process, thread or fd that showed it. */
static int mntns_fd(struct scan *sc, struct seen *m)
{
	char path[64];
	pid_t pid = m->pid ? m->pid : m->found_pid;

	if (m->fd >= 0)
		return TAKE_FD(m->fd);
	if (!pid)
		return -ENOENT;
	if (!m->pid && m->found_how == LXNS_FOUND_FD) {
		snprintf(path, sizeof(path), "%d/fd/%d", (int)pid, m->found_fd);
		int pathfd = openat(sc->proc_fd, path, O_PATH | O_CLOEXEC);
		return lxns__nsfs_reopen(sc->proc_fd, pathfd < 0 ? lxns__neg_errno() : pathfd);
	}
	snprintf(path, sizeof(path), "%d/ns/mnt", (int)pid);
	int fd = openat(sc->proc_fd, path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd >= 0 && (fstat(fd, &st) < 0 || st.st_ino != m->ino)) {
		close(fd);
		return -ESTALE;
	}
	return fd < 0 ? lxns__neg_errno() : fd;
}

static struct job *job_of(struct job *jobs, size_t n, const struct seen *m)
{
	for (size_t k = 0; k < n; k++)
		if (jobs[k].mntns == m)
			return &jobs[k];
	return NULL;
}

/* What plan_jobs() has tried of an entry: each thing once. */
#define TRIED_PROCESS 0x1 /* reading a mount namespace's mounts through its process */
#define TRIED_READ 0x2    /* reading them from a helper inside */
#define TRIED_OPEN 0x4    /* opening a bind mount */

/* The jobs of one round for the first @count entries: mount namespaces whose mountinfo no
 * process gave us, and the bind mounts not yet probed, by mount namespace. */
static size_t plan_jobs(struct scan *sc, struct job **ret_jobs, unsigned char *tried, size_t count)
{
	struct job *jobs = calloc(count + 1, sizeof(*jobs));
	size_t n = 0;

	if (!jobs) {
		sc->err = -ENOMEM;
		return 0;
	}
	for (size_t k = 0; k < count; k++) {
		struct seen *m = sc->t->v[k];
		int fd;

		if (m->type != LXNS_MNT || m->mounts_read || (tried[k] & TRIED_READ))
			continue;
		if (m->pid && !(tried[k] & TRIED_PROCESS)) {
			tried[k] |= TRIED_PROCESS;
			lxns__read_mountinfo(sc, m, m->pid);
			if (m->mounts_read)
				continue;
		}
		/* No way in yet may be one later: a helper may send an fd on it. */
		fd = mntns_fd(sc, m);
		if (fd < 0)
			continue;
		tried[k] |= TRIED_READ;
		m->mounts_read = true; /* by the helper */
		jobs[n++] = (struct job){ .mntns = m, .mnt_fd = fd, .read_self = true };
	}
	for (size_t k = 0; k < count && !sc->err; k++) {
		struct seen *s = sc->t->v[k], *m;
		struct job *j;

		/* Opened for its facts; a mount namespace known already (from BPF, say) also for a way
		 * in to read its mounts, when it has no process to give one. */
		bool wanted = s->probe != PROBE_DONE || (s->type == LXNS_MNT && !s->mounts_read && !s->pid && s->fd < 0);
		if (!(s->found & LXNS_FOUND_MOUNT) || !wanted || !s->mount_path || (tried[k] & TRIED_OPEN))
			continue;
		tried[k] |= TRIED_OPEN;
		m = lxns__table_find(sc->t, s->mount_ns);
		if (!m) {
			lxns__count_error(sc, ENOENT, "the mount namespace of a bind mount");
			continue;
		}
		if (!(j = job_of(jobs, n, m))) {
			j = &jobs[n++];
			*j = (struct job){ .mntns = m, .mnt_fd = -1 }; /* a way in if open_here() leaves any */
		}
		if (j->read_self)
			continue; /* that helper opens every mount it reads */
		struct seen **o = realloc(j->open, (j->n_open + 1) * sizeof(*o));
		if (!o) {
			sc->err = -ENOMEM;
			break;
		}
		j->open = o;
		j->open[j->n_open++] = s;
	}
	*ret_jobs = jobs;
	return n;
}

/* The mounts of our own mount namespace, sorted by mount point: a bind mount's is named twice
 * where another mount is stacked on it (or it on another). */
struct point {
	const char *path;
	int id;
	bool nsfs;
};

struct points {
	char *text;
	struct point *v;
	size_t n;
};

static int point_order(const void *a, const void *b)
{
	return strcmp(((const struct point *)a)->path, ((const struct point *)b)->path);
}

static bool points_read(struct scan *sc, struct points *p)
{
	int fd = openat(sc->proc_fd, "thread-self/mountinfo", O_RDONLY | O_CLOEXEC);
	size_t len, lines = 1;

	*p = (struct points){ .text = fd < 0 ? NULL : read_all(fd, &len) };
	if (!p->text)
		return false;
	for (const char *c = p->text; (c = strchr(c, '\n')); c++)
		lines++;
	if (!(p->v = malloc(lines * sizeof(*p->v)))) {
		free(p->text);
		return false;
	}
	for (char *line = p->text, *end; *line; line = end + (*end != '\0')) {
		char keep, *path;
		int id;

		end = line + strcspn(line, "\n");
		keep = *end;
		*end = '\0';
		bool nsfs = memmem(line, (size_t)(end - line), " - nsfs ", 8) != NULL;
		if ((path = lxns__mountinfo_point(line, &id)))
			p->v[p->n++] = (struct point){ .path = path, .id = id, .nsfs = nsfs };
		*end = keep;
	}
	qsort(p->v, p->n, sizeof(*p->v), point_order);
	return true;
}

/* The one mount on @path; NULL if there is none, or more than one. */
static const struct point *only_mount_on(const struct points *p, const char *path)
{
	size_t lo = 0, hi = p->n;

	while (lo < hi) { /* the first not below @path */
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(p->v[mid].path, path) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == p->n || strcmp(p->v[lo].path, path) != 0 || (lo + 1 < p->n && strcmp(p->v[lo + 1].path, path) == 0))
		return NULL;
	return &p->v[lo];
}

static void points_free(struct points *p)
{
	free(p->v);
	free(p->text);
}

/* Open here, in our own mount namespace, those bind mounts of @j that the kernel can reach from
 * memory alone; the others stay for its helper. The walk's last step lands on whatever is on
 * top of the mount point, and nothing may be asked of that file's file system (a FUSE server
 * could hold us) before it is known to be nsfs: mount points with more than one mount on them
 * are left alone; the fd must be on the mount ID mountinfo gave; and, since an unmounted
 * mount's ID is soon given to another mount, our mountinfo is read again while the fds hold
 * those IDs, and must still show each of them at its mount point as nsfs. Returns how many it
 * opened. */
static size_t open_here(struct scan *sc, struct job *j)
{
	struct points before, after = { 0 };
	int *fds;
	size_t left = 0, opened = 0, tried = 0;

	if (j->mntns->ino != sc->self_mnt || !(fds = malloc(j->n_open * sizeof(*fds) + 1)))
		return 0;
	if (!points_read(sc, &before)) {
		free(fds);
		return 0;
	}
	for (; tried < j->n_open; tried++) {
		struct seen *s = j->open[tried];
		const struct point *pt = only_mount_on(&before, s->mount_path);
		int fd = -EAGAIN;

		/* A mount or unmount anywhere during the walk makes it fail: a few tries. */
		for (int try = 0; try < 5 && fd == -EAGAIN && pt && pt->nsfs; try++)
			fd = lxns__open_path_cached(s->mount_path);
		if (fd == -EOPNOTSUPP)
			break; /* this kernel cannot: all of them for the helper */
		if (fd >= 0 && lxns__mount_id_of(sc->proc_fd, fd) != pt->id) {
			close(fd);
			fd = -ESTALE;
		}
		fds[tried] = fd;
	}
	bool again = points_read(sc, &after);
	for (size_t i = 0; i < tried; i++) {
		struct seen *s = j->open[i];
		const struct point *pt = again && fds[i] >= 0 ? only_mount_on(&after, s->mount_path) : NULL;
		int fd = fds[i];

		if (pt && pt->nsfs && pt->id == only_mount_on(&before, s->mount_path)->id)
			fd = if_ino(lxns__nsfs_reopen(sc->proc_fd, fd), s->ino);
		else if (fd >= 0)
			close(fd), fd = -ESTALE;
		if (fd >= 0) {
			got_fd(sc, s, fd);
			opened++;
		} else {
			j->open[left++] = s;
		}
	}
	for (size_t i = tried; i < j->n_open; i++)
		j->open[left++] = j->open[i];
	j->n_open = left;
	if (again)
		points_free(&after);
	points_free(&before);
	free(fds);
	return opened;
}

/* Of the @n jobs planned, do here what needs no helper (adding to *@opened what it opened), and
 * give those left a way into their mount namespace. Returns how many are left, at the front of
 * @jobs. */
static size_t ready_jobs(struct scan *sc, struct job *jobs, size_t n, size_t *opened)
{
	size_t left = 0;

	for (size_t k = 0; k < n; k++) {
		struct job *j = &jobs[k];

		if (!j->read_self) {
			*opened += open_here(sc, j);
			if (j->n_open && j->mntns->ino != sc->self_mnt && (j->mnt_fd = mntns_fd(sc, j->mntns)) < 0) {
				for (size_t i = 0; i < j->n_open; i++)
					lxns__count_error(sc, -j->mnt_fd, "the mount namespace of a bind mount");
				j->n_open = 0;
			}
			if (!j->n_open) {
				free(j->open);
				continue;
			}
		}
		jobs[left++] = *j;
	}
	return left;
}

static void read_one(struct scan *w, size_t i, void *arg)
{
	struct seen *m = ((struct seen **)arg)[i];

	lxns__read_mountinfo(w, m, m->pid);
}

/* A mountinfo read costs the kernel about as much as scanning this many processes (a line per
 * mount, each path rendered and escaped). */
#define MOUNTINFO_COST 8

/* The mountinfo of every mount namespace with a process not read yet (all of them when the
 * processes came from BPF), in parallel. */
static void read_with_processes(struct scan *sc)
{
	struct seen **todo = malloc((sc->t->n + 1) * sizeof(*todo));
	size_t n = 0;

	if (!todo) {
		sc->err = -ENOMEM;
		return;
	}
	for (size_t k = 0; k < sc->t->n; k++)
		if (sc->t->v[k]->type == LXNS_MNT && sc->t->v[k]->pid && !sc->t->v[k]->mounts_read)
			todo[n++] = sc->t->v[k];
	if (n)
		lxns__parallel(sc, n, MOUNTINFO_COST, read_one, todo);
	free(todo);
}

void lxns__scan_mounts(struct scan *sc)
{
	long deadline = now_ms() + sc->timeout_ms;
	unsigned char *tried = NULL;
	size_t ntried = 0, opened = 0, helpers = 0;

	read_with_processes(sc);

	/* Mount namespaces found on the way (one pinned in another) make another round; one
	 * deadline for all rounds. */
	while (!sc->err) {
		struct job *jobs = NULL;
		size_t count = sc->t->n, planned, n;
		unsigned char *t = realloc(tried, count + 1);

		if (!t) {
			sc->err = -ENOMEM;
			break;
		}
		tried = t;
		memset(tried + ntried, 0, count + 1 - ntried);
		ntried = count + 1;
		planned = plan_jobs(sc, &jobs, tried, count);
		/* After ENOMEM nothing more is done: the scan fails. */
		n = sc->err ? planned : ready_jobs(sc, jobs, planned, &opened);
		if (n && !sc->err)
			helpers += run_jobs(sc, jobs, n, deadline);
		for (size_t k = 0; k < n; k++) {
			if (jobs[k].mnt_fd >= 0)
				close(jobs[k].mnt_fd);
			free(jobs[k].open);
		}
		free(jobs);
		if (!planned && sc->t->n == count)
			break;
	}
	free(tried);
	lxns__log(LXNS_LOG_INFO, "mounts: %zu bind mounts opened here, %zu helper processes", opened, helpers);
	for (size_t k = 0; k < sc->t->n; k++) {
		struct seen *m = sc->t->v[k];
		char what[64];

		if (m->type != LXNS_MNT || m->mounts_read)
			continue;
		/* Why there was no way in: its processes gone (vanished), or refused. */
		int fd = mntns_fd(sc, m);
		if (fd >= 0)
			close(fd);
		snprintf(what, sizeof(what), "the mounts of mnt:[%llu]", (unsigned long long)m->ino);
		lxns__count_error(sc, fd == -ESTALE ? ESRCH : fd < 0 ? -fd : EIO, what);
	}
}
