/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Discovery from bind mounts: nsfs mounts in the mountinfo of every mount namespace found, read
 * through a process in it or, for one without processes, from a child that enters it. */
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "scan.h"

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
	if (k < 5 || !lxns__parse_ns_link(fields[3], ret_type, ret_ino))
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
	struct lxns_node *n = path ? lxns__found(sc, type, ino, LXNS_SRC_MOUNTS, 0) : NULL;

	if (n) {
		sc->stats[LXNS_STAT_MOUNTS]++;
		if (!n->mount_path) {
			n->mount_path = strdup(path);
			n->mount_ns = mntns;
			n->mount_self = mntns->ino == sc->self_mnt;
			if (!n->mount_path)
				sc->err = -ENOMEM;
		}
		if (fd >= 0 && n->scan_fd < 0 && !n->nprocs)
			fd = (n->scan_fd = fd, -1);
	}
	if (fd >= 0)
		close(fd);
}

void lxns__read_mounts(struct scan *sc, struct lxns_node *mntns)
{
	char path[64], *buf = NULL, *out = NULL;
	size_t len = 0, cap = 0, out_len = 0;
	ssize_t r = 1;
	int fd;

	mntns->mounts_read = true;
	/* Our own mount namespace as we see it (the lowest PID in it could be chrooted, and its
	 * mountinfo would hide what lies outside its root); others through their lowest PID. */
	if (mntns->ino == sc->self_mnt)
		snprintf(path, sizeof(path), "thread-self/mountinfo");
	else
		snprintf(path, sizeof(path), "%d/mountinfo", (int)mntns->pid);
	fd = openat(sc->proc_fd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		lxns__count_error(sc, errno);
		return;
	}
	while (r > 0) {
		if (cap - len < 4096) {
			char *b = realloc(buf, cap = cap ? cap * 2 : 16384);
			if (!b) {
				sc->err = -ENOMEM;
				goto out;
			}
			buf = b;
		}
		r = read(fd, buf + len, cap - len - 1);
		len += r > 0 ? (size_t)r : 0;
	}
	if (r < 0) {
		lxns__count_error(sc, errno);
		goto out;
	}
	buf[len] = '\0';
	/* Keep the nsfs lines only: they are few, the rest is every mount of the namespace. */
	for (char *line = buf, *end; *line; line = end + (*end != '\0')) {
		end = line + strcspn(line, "\n");
		if (memmem(line, (size_t)(end - line), " - nsfs ", 8)) {
			char *o = realloc(out, out_len + (size_t)(end - line) + 2);
			if (!o) {
				sc->err = -ENOMEM;
				goto out;
			}
			out = o;
			memcpy(out + out_len, line, (size_t)(end - line));
			out_len += (size_t)(end - line);
			out[out_len++] = '\n';
			out[out_len] = '\0';
		}
	}
	mntns->mount_lines = TAKE_PTR(out);
out:
	free(out);
	free(buf);
	close(fd);
}

/* Record the nsfs mounts lxns__read_mounts() kept for @mntns. */
static void apply_mounts(struct scan *sc, struct lxns_node *mntns)
{
	char *lines = mntns->mount_lines, *save = NULL;

	for (char *line = strtok_r(lines, "\n", &save); line && !sc->err; line = strtok_r(NULL, "\n", &save))
		found_mount(sc, mntns, line, -1);
	free(lines);
	mntns->mount_lines = NULL;
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
		lxns__count_error(sc, errno);
		return;
	}
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		mount_helper(sc->proc_fd, mntfd, sv[1], parent);
	}
	close(sv[1]);
	if (pid < 0) {
		lxns__count_error(sc, errno);
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
		lxns__count_error(sc, WIFEXITED(status) && WEXITSTATUS(status) == 2 ? EPERM : EIO);
}

void lxns__scan_mounts(struct scan *sc)
{
	/* Mount namespaces found on the way (a pinned one) are read too: the array grows. */
	for (size_t k = 0; k < sc->s->n && !sc->err; k++) {
		struct lxns_node *n = sc->s->nodes[k];

		if (n->type != LXNS_MNT)
			continue;
		if (!n->mounts_read && n->nprocs)
			lxns__read_mounts(sc, n); /* found after the parallel reads */
		if (n->mount_lines) {
			apply_mounts(sc, n);
			continue;
		}
		if (n->mounts_read)
			continue;
		n->mounts_read = true;
		int fd = lxns__scan_open(n);
		if (fd < 0) {
			lxns__count_error(sc, -fd);
			continue;
		}
		mounts_of_namespace(sc, n, fd);
		n->scan_fd = fd; /* the hierarchy walk needs it again */
	}
}
