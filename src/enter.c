/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Entering namespaces (setns) and creating them (unshare). */
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "internal.h"

/* What lxns_enter() will do: one fd per type to join (-1: skip), which of them we own. */
struct join_plan {
	int fds[LXNS_NTYPES];
	bool owned[LXNS_NTYPES];
	int mask;
	int pidfd; /* owned; -1 when joining handles or when pidfds are unavailable */
};

static void plan_done(struct join_plan *p)
{
	for (int i = 0; i < LXNS_NTYPES; i++)
		if (p->fds[i] >= 0 && p->owned[i])
			close(p->fds[i]);
	if (p->pidfd >= 0)
		close(p->pidfd);
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

static int plan_build(const struct lxns_target *t, struct join_plan *p)
{
	int r;

	*p = (struct join_plan){ .pidfd = -1 };
	for (int i = 0; i < LXNS_NTYPES; i++)
		p->fds[i] = -1;
	r = lxns__opts_check(t, t ? t->sz : 0, sizeof(*t));
	if (r < 0)
		return r;
	if ((t->flags & ~(unsigned)LXNS_TARGET_PIDFD) || t->pid < 0 ||
	    (t->pid > 0) + !!(t->flags & LXNS_TARGET_PIDFD) + (t->ns != NULL) != 1)
		return -EINVAL;
	r = t->ns ? plan_handles(t, p) : plan_process(t, p);
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

static int join_one_by_one(const struct join_plan *p)
{
	const int *order = lxns_join_order(NULL);
	bool user_last = lxns__have_cap(CAP_SYS_ADMIN);

	for (int k = 0; k <= LXNS_NTYPES; k++) {
		/* Slot 0 is the user namespace when unprivileged, slot LXNS_NTYPES when privileged. */
		int type = k == LXNS_NTYPES ? LXNS_USER : order[k], i = lxns__type_index(type);

		if (type == LXNS_USER && (k == LXNS_NTYPES) != user_last)
			continue;
		if (p->fds[i] >= 0 && setns(p->fds[i], type) < 0)
			return lxns__neg_errno();
	}
	return p->mask;
}

LXNS_EXPORT int lxns_enter(const struct lxns_target *target)
{
	struct join_plan p;
	int r = plan_build(target, &p);

	if (r >= 0 && p.mask) {
		/* Atomic where the kernel takes a pidfd (5.8+); EINVAL from older ones. */
		if (p.pidfd >= 0 && setns(p.pidfd, p.mask) == 0)
			r = p.mask;
		else if (p.pidfd >= 0 && errno != EINVAL)
			r = lxns__neg_errno();
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

LXNS_EXPORT int lxns_unshare(int mask)
{
	if (mask == 0 || (mask & ~LXNS_ALL))
		return -EINVAL;
	return unshare(mask) < 0 ? lxns__neg_errno() : 0;
}

LXNS_EXPORT int lxns_unshare_ns(int type, struct lxns_ns **ret_ns)
{
	int r;

	if (!lxns__is_one_type(type))
		return -EINVAL;
	r = lxns_unshare(type);
	if (r < 0)
		return r;
	return lxns_ns_open_self(type, type == LXNS_PID || type == LXNS_TIME ? LXNS_FOR_CHILDREN : 0,
				 ret_ns);
}
