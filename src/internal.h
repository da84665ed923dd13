/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private to the library (and its tests): kernel constants newer than the installed headers,
 * cleanup helpers, and the functions shared between source files. */
#ifndef LXNS_INTERNAL_H
#define LXNS_INTERNAL_H

#include <errno.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lxns.h"

#define LXNS_EXPORT __attribute__((visibility("default")))

/* nsfs ioctls (linux/nsfs.h); NS_GET_ID arrived in 6.18. */
#ifndef NSIO
#define NSIO 0xb7
#endif
#ifndef NS_GET_USERNS
#define NS_GET_USERNS _IO(NSIO, 0x1)
#endif
#ifndef NS_GET_PARENT
#define NS_GET_PARENT _IO(NSIO, 0x2)
#endif
#ifndef NS_GET_NSTYPE
#define NS_GET_NSTYPE _IO(NSIO, 0x3)
#endif
#ifndef NS_GET_OWNER_UID
#define NS_GET_OWNER_UID _IO(NSIO, 0x4)
#endif
#ifndef NS_GET_ID
#define NS_GET_ID _IOR(NSIO, 13, uint64_t)
#endif

/* pidfd ioctls (linux/pidfd.h, 6.11): _IO(PIDFS_IOCTL_MAGIC, n) per namespace. */
#ifndef PIDFS_IOCTL_MAGIC
#define PIDFS_IOCTL_MAGIC 0xFF
#endif
#define LXNS_PIDFD_GET_CGROUP 1
#define LXNS_PIDFD_GET_IPC 2
#define LXNS_PIDFD_GET_MNT 3
#define LXNS_PIDFD_GET_NET 4
#define LXNS_PIDFD_GET_PID 5
#define LXNS_PIDFD_GET_PID_FOR_CHILDREN 6
#define LXNS_PIDFD_GET_TIME 7
#define LXNS_PIDFD_GET_TIME_FOR_CHILDREN 8
#define LXNS_PIDFD_GET_USER 9
#define LXNS_PIDFD_GET_UTS 10

/* nsfs file handles (6.18). */
#define LXNS_FILEID_NSFS 0xf1
#define LXNS_FD_NSFS_ROOT (-10003)
#define LXNS_NSFS_HANDLE_MIN 16 /* NSFS_FILE_HANDLE_SIZE_VER0: u64 id, u32 type, u32 inum */
#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

struct lxns_ns {
	int fd;    /* -1 once closed */
	int type;
	bool owned;
};

/* Cleanup helpers. */
static inline void lxns__closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
static inline void lxns__freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_close_ __attribute__((cleanup(lxns__closep)))
#define _cleanup_free_ __attribute__((cleanup(lxns__freep)))

/* Return *fdp and leave -1 in its place, so a _cleanup_close_ variable gives up its fd. */
static inline int lxns__take_fd(int *fdp)
{
	int fd = *fdp;
	*fdp = -1;
	return fd;
}
#define TAKE_FD(fd) lxns__take_fd(&(fd))

/* Return a pointer and leave NULL in its place, so a freeing path gives it up. */
#define TAKE_PTR(p)                                                                               \
	({                                                                                        \
		typeof(p) p_ = (p);                                                               \
		(p) = NULL;                                                                       \
		p_;                                                                               \
	})

/* -errno of the last failed call, never 0 (a defensive -EIO if errno was not set). */
static inline int lxns__neg_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}

/* log.c: a message for the caller's log function (printf format, one line, no newline). errno
 * is kept. lxns__log_enabled() says whether a message of @level would go anywhere. */
bool lxns__log_enabled(int level);
void lxns__log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* caps.c: whether the calling thread has @cap (CAP_*) in its effective set. */
bool lxns__have_cap(int cap);

/* types.c */
bool lxns__is_one_type(int type);
int lxns__type_index(int type); /* 0..LXNS_NTYPES-1, or -EINVAL */
int lxns__type_at(int index);   /* inverse of lxns__type_index() */
/* File name under /proc/PID/ns/ for a type, or its *_for_children twin. NULL when not valid. */
const char *lxns__proc_name(int type, bool for_children);

/* handle.c */
int lxns__fd_check(int fd, int type); /* the fd's type, -EINVAL / -EMEDIUMTYPE / -EBADF */
/* Open namespace @type of a process as a raw O_CLOEXEC fd: through @pidfd when >= 0 (the
 * pidfd ioctls, else /proc/<pid from fdinfo> and a liveness check), else /proc/@pid. */
int lxns__open_proc_ns(int pidfd, pid_t pid, int type, bool for_children);
int lxns__ns_new(int fd, int type, bool owned, struct lxns_ns **ret_ns);
/* Check a new fd (-errno passes through) and wrap it as an owning handle; closed on failure. */
int lxns__ns_adopt(int fd, int type, struct lxns_ns **ret_ns);
int lxns__ns_fd(const struct lxns_ns *ns); /* fd or -EBADF (NULL or closed) */
int lxns__pidfd_open(pid_t pid);            /* pidfd, or -errno (-ENOSYS on old kernels) */

/* resolve.c: namespace files at paths others may shape. Each returns an O_RDONLY|O_CLOEXEC fd
 * on a namespace file, or -errno: -EINVAL when the path names anything else, which is then
 * never opened but with O_PATH (a device or FIFO there fires nothing). @proc_dirfd is an fd on
 * a /proc directory to reopen through, or -1 for "/proc". */
/* Reopen @pathfd (an O_PATH fd, taken over; -errno passes through) for reading. */
int lxns__nsfs_reopen(int proc_dirfd, int pathfd);
/* @path, followed as open(2) follows it. */
int lxns__open_path(const char *path);
/* @path below @rootfd as its root (absolute paths too), following no symlink and no magic link
 * (openat2() RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS; where the kernel
 * lacks openat2() or the path is longer than PATH_MAX, lxns__walk_beneath()). */
int lxns__open_nsfs_beneath(int proc_dirfd, int rootfd, const char *path);
/* An O_PATH fd on absolute @path (no "." or ".." in it) from our root, following no symlink,
 * by what the kernel holds in memory alone (RESOLVE_CACHED: the walk never calls into a file
 * system that would have to look up or revalidate a name, and fails with -EAGAIN instead). Its
 * last step lands on whatever is mounted on top at @path, and may ask that file system
 * (d_weak_revalidate(), which NFS has): the caller must know what is mounted there, and must
 * not ask anything of the file's file system (not even fstatfs()) before it knows which mount
 * the fd is on. -EOPNOTSUPP where the kernel cannot (before 5.12). */
int lxns__open_path_cached(const char *path);
/* The mount ID of the file @fd is open on (procfs answers it from /proc/thread-self/fdinfo
 * without asking the file system), or -errno. */
int lxns__mount_id_of(int proc_dirfd, int fd);
/* One component at a time with O_PATH | O_NOFOLLOW: -ELOOP for a symlink on the way (one at the
 * end is returned, as openat2() does), -EINVAL for "." or "..". An O_PATH fd, or -errno. */
int lxns__walk_beneath(int rootfd, const char *path);

/* enter.c */
/* Check an extensible options struct of @sz bytes of which we know @known. */
int lxns__opts_check(const void *opts, size_t sz, size_t known);

/* A field of an options struct, or @fallback when the caller's struct (older, smaller) ends
 * before it. */
#define LXNS_OPT(opts, field, fallback)                                                           \
	((opts)->sz >= offsetof(typeof(*(opts)), field) + sizeof((opts)->field) ? (opts)->field : (fallback))

/* limits.c: strict decimal parse of a limit (fuzzed): blanks around, one trailing newline,
 * digits, nothing else; 0 ... INT_MAX. 0 or -EINVAL. */
int lxns__parse_limit(const char *s, long *ret);

/* ident.c */
int lxns__path_ident(int dirfd, const char *path, struct lxns_ident *ret_ident);

#endif
