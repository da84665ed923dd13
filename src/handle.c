/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Namespace handles: wrapping fds and opening namespaces by path, PID, pidfd or self. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/vfs.h>

#include "internal.h"

int lxns__fd_check(int fd, int type)
{
	struct statfs sfs;
	int t;

	if (type != 0 && !lxns__is_one_type(type))
		return -EINVAL;
	if (fd < 0)
		return -EBADF;
	/* Only ask nsfs files for their type: an unknown ioctl on a device could do anything. */
	if (fstatfs(fd, &sfs) < 0)
		return lxns__neg_errno();
	if (sfs.f_type != NSFS_MAGIC)
		return -EINVAL;
	t = ioctl(fd, NS_GET_NSTYPE);
	if (t < 0)
		return errno == EBADF ? -EBADF : -EINVAL; /* EBADF: an O_PATH fd */
	if (type != 0 && t != type)
		return -EMEDIUMTYPE;
	return t;
}

int lxns__ns_new(int fd, int type, bool owned, struct lxns_ns **ret_ns)
{
	struct lxns_ns *ns = malloc(sizeof(*ns));

	if (!ns)
		return -ENOMEM;
	*ns = (struct lxns_ns){ .fd = fd, .type = type, .owned = owned };
	*ret_ns = ns;
	return 0;
}

int lxns__ns_adopt(int fd, int type, struct lxns_ns **ret_ns)
{
	int r;

	if (fd < 0)
		return fd;
	r = lxns__fd_check(fd, type);
	if (r >= 0)
		r = lxns__ns_new(fd, r, true, ret_ns);
	if (r < 0)
		close(fd);
	return r;
}

int lxns__ns_fd(const struct lxns_ns *ns)
{
	if (!ns || ns->fd < 0)
		return -EBADF;
	return ns->fd;
}

int lxns__pidfd_open(pid_t pid)
{
#ifdef SYS_pidfd_open
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	return fd >= 0 ? fd : lxns__neg_errno();
#else
	(void)pid;
	return -ENOSYS;
#endif
}

static int pidfd_ioctl_nr(int type, bool for_children)
{
	switch (type) {
	case LXNS_CGROUP: return LXNS_PIDFD_GET_CGROUP;
	case LXNS_IPC: return LXNS_PIDFD_GET_IPC;
	case LXNS_MNT: return LXNS_PIDFD_GET_MNT;
	case LXNS_NET: return LXNS_PIDFD_GET_NET;
	case LXNS_PID: return for_children ? LXNS_PIDFD_GET_PID_FOR_CHILDREN : LXNS_PIDFD_GET_PID;
	case LXNS_TIME: return for_children ? LXNS_PIDFD_GET_TIME_FOR_CHILDREN : LXNS_PIDFD_GET_TIME;
	case LXNS_USER: return LXNS_PIDFD_GET_USER;
	default: return LXNS_PIDFD_GET_UTS;
	}
}

/* The PID a pidfd refers to, from its fdinfo (kernels before the pidfd ioctls). */
static pid_t pidfd_pid(int pidfd)
{
	char path[64], line[256];
	FILE *f;
	int pid = 0;
	bool found = false;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -EBADF : lxns__neg_errno();
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "Pid: %d", &pid) == 1;
	fclose(f);
	if (!found)
		return -EBADF; /* not a pidfd */
	return pid > 0 ? pid : -ESRCH; /* -1: exited; 0: in a pid namespace we cannot see */
}

static int open_proc_ns_file(pid_t pid, const char *name)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd >= 0)
		return fd;
	if (errno == ENOENT) {
		snprintf(path, sizeof(path), "/proc/%d", (int)pid);
		return access(path, F_OK) < 0 ? -ESRCH : -ENOENT;
	}
	return lxns__neg_errno();
}

int lxns__open_proc_ns(int pidfd, pid_t pid, int type, bool for_children)
{
	const char *name = lxns__proc_name(type, for_children);
	int fd;

	if (!name)
		return -EINVAL;
	if (pidfd < 0)
		return open_proc_ns_file(pid, name);

	fd = ioctl(pidfd, _IO(PIDFS_IOCTL_MAGIC, pidfd_ioctl_nr(type, for_children)), 0);
	if (fd >= 0)
		return fd;
	if (errno != ENOTTY)
		return lxns__neg_errno();

	/* No pidfd ioctls: go through /proc, then make sure the process still lives, so the PID
	 * was not reused by another process in between. */
	if (pid <= 0)
		pid = pidfd_pid(pidfd);
	if (pid < 0)
		return pid;
	fd = open_proc_ns_file(pid, name);
	if (fd < 0)
		return fd;
	if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

LXNS_EXPORT int lxns_ns_from_fd(int fd, int type, unsigned flags, struct lxns_ns **ret_ns)
{
	int t;

	if (flags & ~(unsigned)LXNS_CLOSEFD)
		return -EINVAL;
	t = lxns__fd_check(fd, type);
	if (t < 0)
		return t;
	return lxns__ns_new(fd, t, flags & LXNS_CLOSEFD, ret_ns);
}

LXNS_EXPORT int lxns_ns_open_path(const char *path, int type, struct lxns_ns **ret_ns)
{
	if (type != 0 && !lxns__is_one_type(type))
		return -EINVAL;
	return lxns__ns_adopt(lxns__open_path(path), type, ret_ns);
}

static int check_open_args(int type, unsigned flags)
{
	if (flags & ~(unsigned)LXNS_FOR_CHILDREN)
		return -EINVAL;
	if (!lxns__proc_name(type, flags & LXNS_FOR_CHILDREN))
		return -EINVAL;
	return 0;
}

LXNS_EXPORT int lxns_ns_open_pidfd(int pidfd, int type, unsigned flags, struct lxns_ns **ret_ns)
{
	int r = check_open_args(type, flags);

	if (r < 0)
		return r;
	if (pidfd < 0)
		return -EBADF;
	return lxns__ns_adopt(lxns__open_proc_ns(pidfd, 0, type, flags & LXNS_FOR_CHILDREN), type, ret_ns);
}

LXNS_EXPORT int lxns_ns_open_pid(pid_t pid, int type, unsigned flags, struct lxns_ns **ret_ns)
{
	_cleanup_close_ int pidfd = -1;
	int r = check_open_args(type, flags);

	if (r < 0)
		return r;
	if (pid <= 0)
		return -EINVAL;
	pidfd = lxns__pidfd_open(pid);
	if (pidfd == -ESRCH)
		return -ESRCH;
	/* Otherwise (no pidfd_open, or @pid is a thread id) /proc serves. */
	return lxns__ns_adopt(lxns__open_proc_ns(pidfd < 0 ? -1 : pidfd, pid, type, flags & LXNS_FOR_CHILDREN),
			type, ret_ns);
}

LXNS_EXPORT int lxns_ns_open_self(int type, unsigned flags, struct lxns_ns **ret_ns)
{
	char path[64];
	int fd, r = check_open_args(type, flags);

	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "/proc/thread-self/ns/%s",
		 lxns__proc_name(type, flags & LXNS_FOR_CHILDREN));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	/* /proc hides a new pid namespace until its first process exists; the pidfd ioctl does
	 * not (a pidfd names the main thread only). */
	if (fd < 0 && errno == ENOENT && (flags & LXNS_FOR_CHILDREN) && gettid() == getpid())
		return lxns_ns_open_pid(getpid(), type, flags, ret_ns);
	return lxns__ns_adopt(fd < 0 ? lxns__neg_errno() : fd, type, ret_ns);
}

LXNS_EXPORT int lxns_ns_close(struct lxns_ns *ns)
{
	if (!ns)
		return -EBADF;
	if (ns->fd >= 0 && ns->owned)
		close(ns->fd);
	ns->fd = -1;
	return 0;
}

LXNS_EXPORT void lxns_ns_free(struct lxns_ns *ns)
{
	if (!ns)
		return;
	lxns_ns_close(ns);
	free(ns);
}

LXNS_EXPORT int lxns_ns_fileno(const struct lxns_ns *ns)
{
	return lxns__ns_fd(ns);
}

LXNS_EXPORT int lxns_ns_type(const struct lxns_ns *ns)
{
	int r = lxns__ns_fd(ns);

	return r < 0 ? r : ns->type;
}

LXNS_EXPORT int lxns_ns_steal_fd(struct lxns_ns *ns)
{
	int fd = lxns__ns_fd(ns);

	if (fd >= 0)
		ns->fd = -1;
	return fd;
}
