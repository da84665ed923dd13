/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Entering namespaces: one, or those of a target all at once. */
#include <fcntl.h>
#include <pthread.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "internal.h"

/* What lxns_enter() will do: one fd per type to join (-1: skip), which of them we own, and
 * what undoing a one-by-one join needs (all owned, -1 when unset). */
struct join_plan {
	int fds[LXNS_NTYPES];
	bool owned[LXNS_NTYPES];
	int mask;
	int pidfd; /* -1 when joining handles or when pidfds are unavailable */
	int orig[LXNS_NTYPES];
	int cwd, root;
};

static void plan_done(struct join_plan *p)
{
	for (int i = 0; i < LXNS_NTYPES; i++) {
		if (p->fds[i] >= 0 && p->owned[i])
			close(p->fds[i]);
		if (p->orig[i] >= 0)
			close(p->orig[i]);
	}
	int *own[] = { &p->pidfd, &p->cwd, &p->root };
	for (size_t k = 0; k < sizeof(own) / sizeof(own[0]); k++)
		if (*own[k] >= 0)
			close(*own[k]);
}

int lxns__opts_check(const void *opts, size_t sz, size_t known)
{
	if (!opts || sz < sizeof(size_t))
		return -EINVAL;
	/* A newer caller's larger struct is fine as long as we would ignore nothing it set. */
	for (size_t i = known; i < sz; i++)
		if (((const unsigned char *)opts)[i])
			return -E2BIG;
	return 0;
}

/* True when the calling thread is already in the namespace @fd refers to. For pid and time the
 * namespace that setns() changes is the one of our future children. */
static bool already_in(int fd, int type)
{
	struct stat a, b;
	char path[64];

	snprintf(path, sizeof(path), "/proc/thread-self/ns/%s",
		 lxns__proc_name(type, type == LXNS_PID || type == LXNS_TIME));
	if (fstat(fd, &a) < 0 || stat(path, &b) < 0)
		return false;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* @t has every field (plan_build() filled in what an older caller's struct lacks). */
static int plan_process(const struct lxns_target *t, struct join_plan *p)
{
	int types = t->types ? t->types : LXNS_ALL;

	if (t->types & ~LXNS_ALL)
		return -EINVAL;
	if (t->flags & LXNS_TARGET_PIDFD) {
		if (t->pidfd < 0)
			return -EBADF;
		p->pidfd = fcntl(t->pidfd, F_DUPFD_CLOEXEC, 3);
		if (p->pidfd < 0)
			return lxns__neg_errno();
	} else {
		int fd = lxns__pidfd_open(t->pid);
		if (fd == -ESRCH)
			return fd;
		p->pidfd = fd; /* < 0: no pidfd_open, or a thread id; /proc serves */
	}
	for (int i = 0; i < LXNS_NTYPES; i++) {
		int type = lxns__type_at(i), fd;

		if (!(types & type))
			continue;
		fd = lxns__open_proc_ns(p->pidfd, t->pid, type, false);
		if ((fd == -ENOENT || fd == -EOPNOTSUPP) && !t->types)
			continue; /* a type this kernel lacks, and not asked for by name */
		if (fd < 0)
			return fd;
		p->fds[i] = fd;
		p->owned[i] = true;
	}
	return 0;
}

static int plan_handles(const struct lxns_target *t, struct join_plan *p)
{
	if (t->types || t->n_ns == 0)
		return -EINVAL;
	for (size_t k = 0; k < t->n_ns; k++) {
		int fd = lxns__ns_fd(t->ns[k]), i;

		if (fd < 0)
			return fd;
		i = lxns__type_index(t->ns[k]->type);
		if (p->fds[i] >= 0)
			return -EINVAL; /* two namespaces of one type */
		p->fds[i] = fd;
	}
	return 0;
}

static int plan_build(const struct lxns_target *target, struct join_plan *p)
{
	struct lxns_target t;
	int r;

	*p = (struct join_plan){ .pidfd = -1, .cwd = -1, .root = -1 };
	for (int i = 0; i < LXNS_NTYPES; i++)
		p->fds[i] = p->orig[i] = -1;
	r = lxns__opts_check(target, target ? target->sz : 0, sizeof(*target));
	if (r < 0)
		return r;
	/* An older caller's smaller struct: what it lacks reads as unset. */
	t = (struct lxns_target){ .flags = LXNS_OPT(target, flags, 0), .pid = LXNS_OPT(target, pid, 0),
				  .pidfd = LXNS_OPT(target, pidfd, -1), .types = LXNS_OPT(target, types, 0),
				  .ns = LXNS_OPT(target, ns, NULL), .n_ns = LXNS_OPT(target, n_ns, 0) };
	if ((t.flags & ~(unsigned)LXNS_TARGET_PIDFD) || t.pid < 0 ||
	    (t.pid > 0) + !!(t.flags & LXNS_TARGET_PIDFD) + (t.ns != NULL) != 1)
		return -EINVAL;
	r = t.ns ? plan_handles(&t, p) : plan_process(&t, p);
	if (r < 0)
		return r;
	for (int i = 0; i < LXNS_NTYPES; i++) {
		if (p->fds[i] < 0)
			continue;
		if (already_in(p->fds[i], lxns__type_at(i))) {
			if (p->owned[i])
				close(p->fds[i]);
			p->fds[i] = -1;
		} else {
			p->mask |= lxns__type_at(i);
		}
	}
	return 0;
}

/* More than one thread: the kernel refuses such a caller a user or a time namespace. */
static bool multithreaded(void)
{
	struct stat st;

	/* A task directory links 2 + threads. */
	return stat("/proc/thread-self/..", &st) == 0 && st.st_nlink > 3;
}

/* Whether setns() takes a pidfd and a mask (5.8+), found out once: joining our own uts
 * namespace through a pidfd changes nothing, and an older kernel refuses the pidfd with EINVAL
 * before doing anything. */
static bool pidfd_setns;
static pthread_once_t pidfd_setns_once = PTHREAD_ONCE_INIT;

static void probe_pidfd_setns(void)
{
	int pidfd = lxns__pidfd_open(getpid());

	if (pidfd < 0)
		return;
	pidfd_setns = setns(pidfd, CLONE_NEWUTS) == 0 || errno != EINVAL;
	close(pidfd);
}

/* Whether the namespace @fd is owned by the user namespace @user_ino or one below it: after
 * entering that one, the caller may enter this one too. */
static bool owned_below(int fd, uint64_t user_ino)
{
	_cleanup_close_ int up = ioctl(fd, NS_GET_USERNS);

	for (int depth = 0; up >= 0 && depth < 40; depth++) {
		struct stat st;
		int parent;

		if (fstat(up, &st) < 0)
			return false;
		if (st.st_ino == user_ino)
			return true;
		parent = ioctl(up, NS_GET_PARENT);
		close(up);
		up = parent;
	}
	return false;
}

/* Keep what undoing needs: an fd on each namespace of ours that the join changes (for pid and
 * time, those children get), and root and cwd when the mount namespace changes. */
static void plan_undo(struct join_plan *p)
{
	for (int i = 0; i < LXNS_NTYPES; i++) {
		int type = lxns__type_at(i);
		char path[64];

		if (!(p->mask & type) || type == LXNS_USER)
			continue;
		snprintf(path, sizeof(path), "/proc/thread-self/ns/%s", lxns__proc_name(type, type == LXNS_PID));
		p->orig[i] = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (p->mask & LXNS_MNT) {
		p->cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		p->root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
}

/* Leave again, newest first, the namespaces of @joined (never the user namespace: that cannot
 * be left). 0, or -ENOTRECOVERABLE when one of them could not be. */
static int undo(const struct join_plan *p, int joined, const int *order, int n)
{
	bool ok = !(joined & LXNS_USER);

	for (int k = n - 1; k >= 0 && ok; k--) {
		int i = lxns__type_index(order[k]);

		if (joined & order[k])
			ok = p->orig[i] >= 0 && setns(p->orig[i], order[k]) == 0;
	}
	/* Entering a mount namespace set root and cwd to its root: back to ours. */
	if (ok && (joined & LXNS_MNT))
		ok = p->root >= 0 && p->cwd >= 0 && fchdir(p->root) == 0 && chroot(".") == 0 && fchdir(p->cwd) == 0;
	return ok ? 0 : -ENOTRECOVERABLE;
}

/* One setns() per namespace: the user namespace first when we lack CAP_SYS_ADMIN (only inside
 * it may we enter the rest), last when we have it; what we could not enter from where we would
 * be (a namespace owned elsewhere) is refused first. A failure part-way all the same leaves
 * again what was entered. */
static int join_one_by_one(struct join_plan *p)
{
	const int *types = lxns_join_order(NULL);
	bool user_last = lxns__have_cap(CAP_SYS_ADMIN);
	int order[LXNS_NTYPES], n = 0, joined = 0, i_user = lxns__type_index(LXNS_USER);

	struct stat user;

	for (int k = 0; k < LXNS_NTYPES; k++)
		if (types[k] != LXNS_USER && (p->mask & types[k]))
			order[n++] = types[k];
	/* Each must be owned by the user namespace we will be in when we enter it, or one below:
	 * ours when the user namespace comes last, the target's when it comes first. */
	if (user_last || !(p->mask & LXNS_USER) ? stat("/proc/thread-self/ns/user", &user) < 0 :
						   fstat(p->fds[i_user], &user) < 0)
		return lxns__neg_errno();
	for (int k = 0; k < n; k++)
		if (!owned_below(p->fds[lxns__type_index(order[k])], user.st_ino))
			return -EPERM;
	if ((p->mask & LXNS_USER) && user_last) {
		order[n++] = LXNS_USER;
	} else if (p->mask & LXNS_USER) {
		memmove(order + 1, order, (size_t)n * sizeof(order[0]));
		order[0] = LXNS_USER;
		n++;
	}
	plan_undo(p);
	for (int k = 0; k < n; k++) {
		if (setns(p->fds[lxns__type_index(order[k])], order[k]) < 0) {
			int err = lxns__neg_errno(), r = undo(p, joined, order, k);
			return r < 0 ? r : err;
		}
		joined |= order[k];
	}
	return p->mask;
}

LXNS_EXPORT int lxns_enter(const struct lxns_target *target)
{
	struct join_plan p;
	int r = plan_build(target, &p);

	if (r >= 0 && p.mask) {
		/* What the kernel refuses whichever way, before anything changed. */
		if ((p.mask & (LXNS_USER | LXNS_TIME)) && multithreaded())
			r = p.mask & LXNS_USER ? -EINVAL : -EUSERS;
		else if (p.pidfd >= 0 && (pthread_once(&pidfd_setns_once, probe_pidfd_setns), pidfd_setns))
			r = setns(p.pidfd, p.mask) < 0 ? lxns__neg_errno() : p.mask; /* all or nothing */
		else
			r = join_one_by_one(&p);
	}
	plan_done(&p);
	return r;
}

LXNS_EXPORT int lxns_ns_enter(const struct lxns_ns *ns)
{
	int fd = lxns__ns_fd(ns);

	if (fd < 0)
		return fd;
	return setns(fd, ns->type) < 0 ? lxns__neg_errno() : 0;
}
