/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pinning namespaces at paths and cloning mount trees, with open_tree(2) + move_mount(2). */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/vfs.h>

#include "internal.h"

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

/* Clone the mount at (@dfd, @path) and attach the clone at @target. Kernels before 5.2 lack
 * the new mount API: a classic bind mount does the same there. */
static int clone_attach(int dfd, const char *path, unsigned at_flags, const char *target)
{
	int tree = (int)syscall(SYS_open_tree, dfd, path, OPEN_TREE_CLONE | O_CLOEXEC | at_flags);

	if (tree < 0 && errno == ENOSYS) {
		char fdpath[64];
		const char *src = path;

		if (dfd != AT_FDCWD) {
			snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", dfd);
			src = fdpath;
		}
		if (mount(src, target, "none", MS_BIND | (at_flags & AT_RECURSIVE ? MS_REC : 0), NULL) < 0)
			return lxns__neg_errno();
		return 0;
	}
	if (tree < 0)
		return lxns__neg_errno();
	/* On failure, closing the detached clone unmounts it: nothing is left behind. */
	_cleanup_close_ int fd = tree;
	if (syscall(SYS_move_mount, fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return lxns__neg_errno();
	return 0;
}

LXNS_EXPORT int lxns_pin(const struct lxns_ns *ns, const char *path, unsigned flags)
{
	int fd = lxns__ns_fd(ns), r;
	bool created = false;

	if (fd < 0)
		return fd;
	if (!path || (flags & ~(unsigned)LXNS_PIN_CREATE))
		return -EINVAL;
	if (flags & LXNS_PIN_CREATE) {
		int f = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0444);

		if (f >= 0) {
			created = true;
			close(f);
		} else if (errno != EEXIST) {
			return lxns__neg_errno();
		}
	}
	r = clone_attach(fd, "", AT_EMPTY_PATH, path);
	if (r < 0 && created)
		unlink(path);
	return r;
}

LXNS_EXPORT int lxns_unpin(const char *path, unsigned flags)
{
	struct statfs sfs;

	if (!path || (flags & ~(unsigned)LXNS_PIN_REMOVE))
		return -EINVAL;
	if (statfs(path, &sfs) < 0)
		return lxns__neg_errno();
	if (sfs.f_type != NSFS_MAGIC)
		return -EINVAL;
	/* Lazily: fds opened through the pin stay valid and do not make this fail with EBUSY. */
	if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
		return lxns__neg_errno();
	if ((flags & LXNS_PIN_REMOVE) && unlink(path) < 0)
		return lxns__neg_errno();
	return 0;
}

LXNS_EXPORT int lxns_tree_clone(const char *path, unsigned flags)
{
	int fd;

	if (!path || (flags & ~(unsigned)LXNS_TREE_RECURSIVE))
		return -EINVAL;
	fd = (int)syscall(SYS_open_tree, AT_FDCWD, path,
			  OPEN_TREE_CLONE | O_CLOEXEC | (flags & LXNS_TREE_RECURSIVE ? AT_RECURSIVE : 0));
	if (fd < 0)
		return errno == ENOSYS ? -EOPNOTSUPP : lxns__neg_errno();
	return fd;
}

LXNS_EXPORT int lxns_tree_attach(int tree_fd, const char *target)
{
	if (!target)
		return -EINVAL;
	if (tree_fd < 0)
		return -EBADF;
	if (syscall(SYS_move_mount, tree_fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return errno == ENOSYS ? -EOPNOTSUPP : lxns__neg_errno();
	return 0;
}

LXNS_EXPORT int lxns_bind_tree(const char *source, const char *target, unsigned flags)
{
	if (!source || !target || (flags & ~(unsigned)LXNS_TREE_RECURSIVE))
		return -EINVAL;
	return clone_attach(AT_FDCWD, source, flags & LXNS_TREE_RECURSIVE ? AT_RECURSIVE : 0, target);
}
