/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Identity of a namespace: nsfs device and inode, and the kernel's 64-bit namespace id. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

/* NS_GET_ID; -EOPNOTSUPP on kernels before 6.18. The fd must be a namespace. */
static int fd_ns_id(int fd, uint64_t *ret_id)
{
	uint64_t id;

	if (ioctl(fd, NS_GET_ID, &id) < 0)
		return errno == ENOTTY || errno == EINVAL ? -EOPNOTSUPP : lxns__neg_errno();
	*ret_id = id;
	return 0;
}

LXNS_EXPORT int lxns_fd_id(int fd, uint64_t *ret_id)
{
	int r = lxns__fd_check(fd, 0);

	return r < 0 ? r : fd_ns_id(fd, ret_id);
}

LXNS_EXPORT int lxns_ns_id(const struct lxns_ns *ns, uint64_t *ret_id)
{
	int fd = lxns__ns_fd(ns);

	return fd < 0 ? fd : fd_ns_id(fd, ret_id);
}

LXNS_EXPORT int lxns_fd_ident(int fd, struct lxns_ident *ret_ident)
{
	struct lxns_ident ident = { 0 };
	struct stat st;
	int r = lxns__fd_check(fd, 0);

	if (r < 0)
		return r;
	ident.type = r;
	if (fstat(fd, &st) < 0)
		return lxns__neg_errno();
	ident.dev = st.st_dev;
	ident.ino = st.st_ino;
	r = fd_ns_id(fd, &ident.id);
	if (r < 0 && r != -EOPNOTSUPP)
		return r;
	*ret_ident = ident;
	return 0;
}

LXNS_EXPORT int lxns_ns_ident(const struct lxns_ns *ns, struct lxns_ident *ret_ident)
{
	int fd = lxns__ns_fd(ns);

	return fd < 0 ? fd : lxns_fd_ident(fd, ret_ident);
}

/* Identity of the namespace a path (or magic link) names, without opening it where the kernel
 * has nsfs file handles (6.18+): the handle carries id, type and inode; stat gives the device. */
int lxns__path_ident(int dirfd, const char *path, struct lxns_ident *ret_ident)
{
	union {
		struct file_handle fh;
		char buf[sizeof(struct file_handle) + LXNS_HANDLE_MAX];
	} h;
	struct stat st;
	int mnt_id;

	int r;

	h.fh.handle_bytes = LXNS_HANDLE_MAX;
	r = name_to_handle_at(dirfd, path, &h.fh, &mnt_id, AT_SYMLINK_FOLLOW);
	if (r == 0 && h.fh.handle_type == LXNS_FILEID_NSFS && h.fh.handle_bytes >= LXNS_NSFS_HANDLE_MIN) {
		uint64_t id;
		uint32_t type, inum;

		if (fstatat(dirfd, path, &st, 0) < 0)
			return lxns__neg_errno();
		memcpy(&id, h.fh.f_handle, sizeof(id));
		memcpy(&type, h.fh.f_handle + 8, sizeof(type));
		memcpy(&inum, h.fh.f_handle + 12, sizeof(inum));
		*ret_ident = (struct lxns_ident){ .type = (int)type, .dev = st.st_dev, .ino = inum, .id = id };
		return 0;
	}
	/* Errors the open below would give too; anything else (no handles, another file system)
	 * is for the open and the ioctls to judge. */
	if (r < 0 && (errno == ENOENT || errno == EACCES || errno == ENOTDIR || errno == ELOOP))
		return lxns__neg_errno();

	int pathfd = openat(dirfd, path, O_PATH | O_CLOEXEC);
	_cleanup_close_ int fd = lxns__nsfs_reopen(-1, pathfd < 0 ? lxns__neg_errno() : pathfd);
	if (fd < 0)
		return fd;
	return lxns_fd_ident(fd, ret_ident);
}

LXNS_EXPORT int lxns_path_ident(const char *path, struct lxns_ident *ret_ident)
{
	if (!path)
		return -EINVAL;
	return lxns__path_ident(AT_FDCWD, path, ret_ident);
}

LXNS_EXPORT int lxns_current_ident(int type, struct lxns_ident *ret_ident)
{
	const char *name = lxns__proc_name(type, false);
	char path[64];

	if (!name)
		return -EINVAL;
	snprintf(path, sizeof(path), "/proc/thread-self/ns/%s", name);
	return lxns__path_ident(AT_FDCWD, path, ret_ident);
}

LXNS_EXPORT int lxns_current_id(int type, uint64_t *ret_id)
{
	struct lxns_ident ident;
	int r = lxns_current_ident(type, &ident);

	if (r < 0)
		return r;
	if (ident.id == 0)
		return -EOPNOTSUPP;
	*ret_id = ident.id;
	return 0;
}
