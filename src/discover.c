/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* System-wide discovery: processes, threads, fds, bind mounts and the hierarchy above them. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "graph.h"

struct scan {
	struct lxns_snapshot *s;
	int types;        /* types read from processes and threads */
	unsigned sources;
	int proc_fd;
	int err;          /* the first fatal error (ENOMEM) */
};

static void count_error(struct scan *sc, int err)
{
	enum lxns_stat which = LXNS_STAT_FAILED;

	if (err == EACCES || err == EPERM)
		which = LXNS_STAT_DENIED;
	else if (err == ENOENT || err == ESRCH)
		which = LXNS_STAT_VANISHED;
	sc->s->stats[which]++;
}

/* "net:[4026531833]" -> LXNS_NET, 4026531833. False for any other link text. */
static bool parse_ns_link(const char *text, int *ret_type, uint64_t *ret_ino)
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

/* readlinkat() of a namespace link. 0, or -errno (-EINVAL: not a namespace link). */
static int read_ns_link(int dirfd, const char *path, int *ret_type, uint64_t *ret_ino)
{
	char buf[64];
	ssize_t n = readlinkat(dirfd, path, buf, sizeof(buf) - 1);

	if (n < 0)
		return lxns__neg_errno();
	buf[n] = '\0';
	return parse_ns_link(buf, ret_type, ret_ino) ? 0 : -EINVAL;
}

/* Record that (type, ino) was found in way @how, by @pid. */
static struct lxns_node *found(struct scan *sc, int type, uint64_t ino, unsigned how, pid_t pid)
{
	bool is_new;
	struct lxns_node *n = lxns__graph_get(sc->s, type, ino, &is_new);

	if (!n) {
		sc->err = -ENOMEM;
		return NULL;
	}
	if (how != LXNS_SRC_PROCS && how != LXNS_SRC_HIERARCHY && !n->found_pid)
		n->found_pid = pid;
	n->found |= how;
	return n;
}

static void scan_threads(struct scan *sc, pid_t pid, const uint64_t *inos)
{
	char path[64];
	struct dirent *e;
	DIR *d;
	int fd;

	snprintf(path, sizeof(path), "%d/task", (int)pid);
	fd = openat(sc->proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		count_error(sc, errno);
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d))) {
		pid_t tid = atoi(e->d_name);

		if (tid <= 0 || tid == pid)
			continue;
		sc->s->stats[LXNS_STAT_THREADS]++;
		for (int i = 0; i < LXNS_NTYPES; i++) {
			int type = lxns__type_at(i), t, r;
			uint64_t ino;

			if (!(sc->types & type))
				continue;
			snprintf(path, sizeof(path), "%d/task/%d/ns/%s", (int)pid, (int)tid, lxns_type_name(type));
			r = read_ns_link(sc->proc_fd, path, &t, &ino);
			if (r < 0) {
				count_error(sc, -r);
				break;
			}
			if (ino != inos[i])
				found(sc, type, ino, LXNS_SRC_THREADS, tid);
		}
	}
	closedir(d);
}

static void scan_fds(struct scan *sc, pid_t pid)
{
	char path[64];
	struct dirent *e;
	DIR *d;
	int fd;

	snprintf(path, sizeof(path), "%d/fd", (int)pid);
	fd = openat(sc->proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		count_error(sc, errno);
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d))) {
		struct lxns_node *n;
		uint64_t ino;
		int type, r;

		if (e->d_name[0] == '.')
			continue;
		r = read_ns_link(dirfd(d), e->d_name, &type, &ino);
		if (r == -EINVAL)
			continue; /* a file, socket, pipe... */
		if (r < 0) {
			count_error(sc, -r);
			continue;
		}
		sc->s->stats[LXNS_STAT_FDS]++;
		n = found(sc, type, ino, LXNS_SRC_FDS, pid);
		if (n && n->found_pid == pid && n->found_fd < 0)
			n->found_fd = atoi(e->d_name);
	}
	closedir(d);
}

static void scan_process(struct scan *sc, pid_t pid)
{
	uint64_t inos[LXNS_NTYPES] = { 0 };
	char path[32];
	int nsfd, r = 0, read = 0;

	snprintf(path, sizeof(path), "%d/ns", (int)pid);
	nsfd = openat(sc->proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (nsfd < 0) {
		count_error(sc, errno);
		return;
	}
	for (int i = 0; i < LXNS_NTYPES && r != -EACCES; i++) {
		int type = lxns__type_at(i), t;
		struct lxns_node *n;

		if (!(sc->types & type))
			continue;
		r = read_ns_link(nsfd, lxns_type_name(type), &t, &inos[i]);
		if (r < 0)
			continue; /* ENOENT: a type this kernel lacks, or the process is gone */
		read++;
		n = found(sc, type, inos[i], LXNS_SRC_PROCS, pid);
		if (!n)
			break;
		n->nprocs++;
		if (!n->pid || pid < n->pid)
			n->pid = pid;

		/* A pid/time namespace made for children to come may have no process yet. */
		const char *children = lxns__proc_name(type, true);
		uint64_t ino;
		if (children && read_ns_link(nsfd, children, &t, &ino) == 0 && ino != inos[i]) {
			n = found(sc, type, ino, LXNS_FOUND_CHILDREN, pid);
			if (n && !n->found_pid)
				n->found_pid = pid;
		}
	}
	close(nsfd);
	if (!read) {
		count_error(sc, r == -EACCES ? EACCES : ESRCH);
		return;
	}
	sc->s->stats[LXNS_STAT_PROCESSES]++;
	if (sc->sources & LXNS_SRC_THREADS)
		scan_threads(sc, pid, inos);
	if (sc->sources & LXNS_SRC_FDS)
		scan_fds(sc, pid);
}

static int scan_processes(struct scan *sc)
{
	int fd = fcntl(sc->proc_fd, F_DUPFD_CLOEXEC, 3);
	struct dirent *e;
	DIR *d;

	if (fd < 0)
		return lxns__neg_errno();
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return lxns__neg_errno();
	}
	while ((e = readdir(d)) && !sc->err) {
		pid_t pid = atoi(e->d_name);
		if (pid > 0)
			scan_process(sc, pid);
	}
	closedir(d);
	return sc->err;
}

/* --- Bind mounts ---------------------------------------------------------------------------- */

/* Undo mountinfo's octal escapes (\040 for a space...) in place. */
static void unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
		    s[3] <= '7') {
			*out++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

/* The mount point of an nsfs mount in a mountinfo line (modified in place), and the namespace it
 * holds; NULL for other lines. */
static char *nsfs_mount(char *line, int *ret_type, uint64_t *ret_ino)
{
	char *fields[5], *save = NULL, *sep = strstr(line, " - ");
	int k = 0;

	if (!sep || strncmp(sep, " - nsfs ", 8) != 0)
		return NULL;
	*sep = '\0';
	for (char *tok = strtok_r(line, " ", &save); tok && k < 5; tok = strtok_r(NULL, " ", &save))
		fields[k++] = tok;
	if (k < 5 || !parse_ns_link(fields[3], ret_type, ret_ino))
		return NULL;
	unescape(fields[4]);
	return fields[4];
}

/* Record an nsfs mount found in @mntns. @fd (or -1) is an fd on it, taken over. */
static void found_mount(struct scan *sc, struct lxns_node *mntns, char *line, int fd)
{
	uint64_t ino;
	int type;
	char *path = nsfs_mount(line, &type, &ino);
	struct lxns_node *n = path ? found(sc, type, ino, LXNS_SRC_MOUNTS, 0) : NULL;

	if (n) {
		sc->s->stats[LXNS_STAT_MOUNTS]++;
		if (!n->mount_path) {
			n->mount_path = strdup(path);
			n->mount_ns = mntns;
			if (!n->mount_path)
				sc->err = -ENOMEM;
		}
		if (fd >= 0 && n->scan_fd < 0 && !n->nprocs)
			fd = (n->scan_fd = fd, -1);
	}
	if (fd >= 0)
		close(fd);
}

static void mounts_of_process(struct scan *sc, struct lxns_node *mntns)
{
	char path[64], *line = NULL;
	size_t size = 0;
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%d/mountinfo", (int)mntns->pid);
	fd = openat(sc->proc_fd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !(f = fdopen(fd, "re"))) {
		count_error(sc, errno);
		if (fd >= 0)
			close(fd);
		return;
	}
	while (getline(&line, &size, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		found_mount(sc, mntns, line, -1);
	}
	free(line);
	fclose(f);
}

#define MOUNT_MSG_MAX (PATH_MAX + 512)

/* In a forked child inside the mount namespace: send every nsfs line of its mountinfo, with an
 * fd on the mount when it opens. */
static _Noreturn void mount_helper(int proc_fd, int mntfd, int sock, pid_t parent)
{
	char *line = NULL;
	size_t size = 0;
	FILE *f;
	int fd;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(1);
	if (setns(mntfd, LXNS_MNT) < 0)
		_exit(errno == EPERM ? 2 : 1);
	/* /proc as we knew it: the new namespace may have none. */
	fd = openat(proc_fd, "thread-self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !(f = fdopen(fd, "re")))
		_exit(1);
	while (getline(&line, &size, f) > 0) {
		char copy[MOUNT_MSG_MAX], cmsgbuf[CMSG_SPACE(sizeof(int))] = { 0 };
		struct iovec iov;
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
		uint64_t ino;
		int type, nsfd;
		char *path;

		line[strcspn(line, "\n")] = '\0';
		if (strlen(line) >= sizeof(copy))
			continue;
		strcpy(copy, line);
		path = nsfs_mount(copy, &type, &ino);
		if (!path)
			continue;
		iov = (struct iovec){ .iov_base = line, .iov_len = strlen(line) + 1 };
		nsfd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (nsfd >= 0) {
			msg.msg_control = cmsgbuf;
			msg.msg_controllen = sizeof(cmsgbuf);
			struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(c), &nsfd, sizeof(int));
		}
		if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
			_exit(1);
		if (nsfd >= 0)
			close(nsfd);
	}
	_exit(0);
}

/* A mount namespace no process is in: read it from a child that enters it. */
static void mounts_of_namespace(struct scan *sc, struct lxns_node *mntns, int mntfd)
{
	int sv[2], status;
	pid_t pid, parent = getpid();

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		count_error(sc, errno);
		return;
	}
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		mount_helper(sc->proc_fd, mntfd, sv[1], parent);
	}
	close(sv[1]);
	if (pid < 0) {
		count_error(sc, errno);
		close(sv[0]);
		return;
	}
	for (;;) {
		char buf[MOUNT_MSG_MAX], cmsgbuf[CMSG_SPACE(sizeof(int))];
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cmsgbuf,
				      .msg_controllen = sizeof(cmsgbuf) };
		ssize_t n = recvmsg(sv[0], &msg, MSG_CMSG_CLOEXEC);
		int fd = -1;

		if (n <= 0)
			break;
		buf[n] = '\0';
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
				memcpy(&fd, CMSG_DATA(c), sizeof(int));
		found_mount(sc, mntns, buf, fd);
	}
	close(sv[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		count_error(sc, WIFEXITED(status) && WEXITSTATUS(status) == 2 ? EPERM : EIO);
}

/* An fd on a node for the scan: the one we were handed, else through its /proc path. */
static int scan_open(struct lxns_node *n)
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

static void scan_mounts(struct scan *sc)
{
	/* Mount namespaces found on the way (a pinned one) are read too: the array grows. */
	for (size_t k = 0; k < sc->s->n && !sc->err; k++) {
		struct lxns_node *n = sc->s->nodes[k];

		if (n->type != LXNS_MNT || n->mounts_read)
			continue;
		n->mounts_read = true;
		if (n->nprocs) {
			mounts_of_process(sc, n);
			continue;
		}
		int fd = scan_open(n);
		if (fd < 0) {
			count_error(sc, -fd);
			continue;
		}
		mounts_of_namespace(sc, n, fd);
		n->scan_fd = fd; /* the hierarchy walk needs it again */
	}
}

/* --- Hierarchy and attributes --------------------------------------------------------------- */

static void link_node(struct scan *sc, struct lxns_node *n, int fd);

/* The namespace an ioctl (NS_GET_USERNS / NS_GET_PARENT) leads to; NULL at the top. */
static struct lxns_node *relative(struct scan *sc, int fd, unsigned long request, int type)
{
	int rfd = ioctl(fd, request);
	struct lxns_node *r;
	struct stat st;

	if (rfd < 0)
		return NULL; /* EPERM: the top, or beyond what we may see */
	if (fstat(rfd, &st) < 0) {
		close(rfd);
		return NULL;
	}
	r = lxns__graph_find(sc->s, st.st_ino);
	if (!r && (sc->sources & LXNS_SRC_HIERARCHY))
		r = found(sc, type, st.st_ino, LXNS_SRC_HIERARCHY, 0);
	if (r && !r->linked)
		link_node(sc, r, rfd); /* upward right away: open fds stay bounded by the depth */
	else
		close(rfd);
	return r;
}

/* Read id, owner UID, owner and parent of @n through @fd (taken over; -1: open it). */
static void link_node(struct scan *sc, struct lxns_node *n, int fd)
{
	struct stat st;
	uint64_t id;
	uid_t uid;

	n->linked = true;
	if (fd < 0)
		fd = scan_open(n);
	if (fd < 0) {
		count_error(sc, -fd);
		return;
	}
	if (fstat(fd, &st) < 0 || st.st_ino != n->ino) {
		sc->s->stats[LXNS_STAT_VANISHED]++; /* its path names another namespace by now */
		close(fd);
		return;
	}
	if (ioctl(fd, NS_GET_ID, &id) == 0)
		n->id = id;
	if (n->type == LXNS_USER && ioctl(fd, NS_GET_OWNER_UID, &uid) == 0) {
		n->owner_uid = uid;
		n->have_owner_uid = true;
	}
	n->owner = relative(sc, fd, NS_GET_USERNS, LXNS_USER);
	if (n->type == LXNS_USER)
		n->parent = n->owner;
	else if (n->type == LXNS_PID)
		n->parent = relative(sc, fd, NS_GET_PARENT, LXNS_PID);
	close(fd);
}

static void read_comm(struct scan *sc, struct lxns_node *n)
{
	char path[32], buf[64];
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "%d/comm", (int)n->pid);
	fd = openat(sc->proc_fd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return;
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	n->comm = strdup(buf);
}

LXNS_EXPORT int lxns_discover(const struct lxns_discover_opts *opts, struct lxns_snapshot **ret_snapshot)
{
	struct scan sc = { .types = LXNS_ALL, .sources = LXNS_SRC_ALL, .proc_fd = -1 };
	int r;

	if (opts) {
		r = lxns__opts_check(opts, opts->sz, sizeof(*opts));
		if (r < 0)
			return r;
		if ((opts->types & ~LXNS_ALL) || (opts->sources & ~(unsigned)LXNS_SRC_ALL))
			return -EINVAL;
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
	sc.proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sc.proc_fd < 0) {
		r = lxns__neg_errno();
		goto fail;
	}
	r = scan_processes(&sc);
	if (r < 0)
		goto fail;
	if (sc.sources & LXNS_SRC_MOUNTS)
		scan_mounts(&sc);
	for (size_t k = 0; k < sc.s->n && !sc.err; k++)
		if (!sc.s->nodes[k]->linked)
			link_node(&sc, sc.s->nodes[k], -1);
	for (size_t k = 0; k < sc.s->n && !sc.err; k++) {
		struct lxns_node *n = sc.s->nodes[k];
		if (n->pid) {
			read_comm(&sc, n);
			if (!n->comm)
				sc.err = -ENOMEM;
		}
		if (n->scan_fd >= 0)
			close(TAKE_FD(n->scan_fd));
	}
	r = sc.err;
	if (r < 0)
		goto fail;
	close(sc.proc_fd);
	lxns__graph_finish(sc.s);
	*ret_snapshot = sc.s;
	return 0;
fail:
	if (sc.proc_fd >= 0)
		close(sc.proc_fd);
	lxns_snapshot_free(sc.s);
	return r;
}
