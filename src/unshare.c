/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Creating namespaces: unshare(), and a handle to what was created. */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/syscall.h>

#include "internal.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL /* a pidfd of one thread (6.9) */
#endif

LXNS_EXPORT int lxns_unshare(int mask)
{
	if (mask == 0 || (mask & ~LXNS_ALL))
		return -EINVAL;
	return unshare(mask) < 0 ? lxns__neg_errno() : 0;
}

/* A pidfd whose PIDFD_GET_PID_FOR_CHILDREN_NAMESPACE ioctl answers for the calling thread (the
 * process's for the main thread, a thread pidfd for another), checked to answer. -EOPNOTSUPP
 * where the kernel has not both (6.11 for the ioctls, 6.9 for thread pidfds). */
static int self_pidfd(void)
{
	pid_t tid = gettid();
	int pidfd = (int)syscall(SYS_pidfd_open, tid, tid == getpid() ? 0 : PIDFD_THREAD), fd;

	if (pidfd < 0)
		return errno == ENOSYS || errno == EINVAL ? -EOPNOTSUPP : lxns__neg_errno();
	fd = ioctl(pidfd, _IO(PIDFS_IOCTL_MAGIC, LXNS_PIDFD_GET_PID_FOR_CHILDREN), 0);
	if (fd < 0) {
		int r = errno == ENOTTY ? -EOPNOTSUPP : lxns__neg_errno();
		close(pidfd);
		return r;
	}
	close(fd);
	return pidfd;
}

/* The calling thread's namespace of @type that unsharing it changes (pid and time: the one for
 * children), through /proc, or @pidfd for a pid namespace. */
static int open_changed(int type, int pidfd)
{
	char path[64];
	int fd;

	if (pidfd >= 0)
		fd = ioctl(pidfd, _IO(PIDFS_IOCTL_MAGIC, LXNS_PIDFD_GET_PID_FOR_CHILDREN), 0);
	else {
		snprintf(path, sizeof(path), "/proc/thread-self/ns/%s",
			 lxns__proc_name(type, type == LXNS_PID || type == LXNS_TIME));
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	return fd < 0 ? lxns__neg_errno() : fd;
}

/* Unshare, then open what was made; where that fails, enter the old namespace again (a user
 * namespace cannot be left: -ENOTRECOVERABLE). Everything that can fail for want of memory or
 * fds is had first: the handle, the old namespace, and a spare fd given up for the new one. */
LXNS_EXPORT int lxns_unshare_ns(int type, struct lxns_ns **ret_ns)
{
	_cleanup_close_ int pidfd = -1, old = -1, spare = -1;
	struct lxns_ns *ns;
	int fd, r;

	if (!lxns__is_one_type(type))
		return -EINVAL;
	/* A new pid namespace has no process: /proc shows it only from its first one on. */
	if (type == LXNS_PID && (pidfd = self_pidfd()) < 0)
		return pidfd;
	old = open_changed(type, pidfd);
	if (old < 0)
		return old;
	spare = fcntl(old, F_DUPFD_CLOEXEC, 0);
	if (spare < 0)
		return lxns__neg_errno();
	r = lxns__ns_new(-1, type, true, &ns);
	if (r < 0)
		return r;
	r = lxns_unshare(type);
	if (r < 0) {
		lxns_ns_free(ns);
		return r;
	}
	close(TAKE_FD(spare));
	fd = open_changed(type, pidfd);
	if (fd < 0) {
		lxns_ns_free(ns);
		return type != LXNS_USER && setns(old, type) == 0 ? fd : -ENOTRECOVERABLE;
	}
	ns->fd = fd;
	*ret_ns = ns;
	return 0;
}
