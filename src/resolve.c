/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Opening namespace files by paths that others may shape: O_PATH first, nothing opened for
 * reading before it is known to be nsfs, and, below a root, no symlink followed. */
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>

#include "internal.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef RESOLVE_CACHED
#define RESOLVE_CACHED 0x20 /* Linux 5.12 */
#endif

int lxns__nsfs_reopen(int proc_dirfd, int pathfd)
{
	_cleanup_close_ int fd = pathfd;
	struct statfs sfs;
	char path[64];
	int r;

	if (fd < 0)
		return fd;
	if (fstatfs(fd, &sfs) < 0)
		return lxns__neg_errno();
	if (sfs.f_type != NSFS_MAGIC)
		return -EINVAL;
	snprintf(path, sizeof(path), "%sself/fd/%d", proc_dirfd < 0 ? "/proc/" : "", fd);
	r = openat(proc_dirfd < 0 ? AT_FDCWD : proc_dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	return r < 0 ? lxns__neg_errno() : r;
}

int lxns__open_path(const char *path)
{
	int fd;

	if (!path)
		return -EINVAL;
	fd = open(path, O_PATH | O_CLOEXEC);
	return lxns__nsfs_reopen(-1, fd < 0 ? lxns__neg_errno() : fd);
}

int lxns__walk_beneath(int rootfd, const char *path)
{
	_cleanup_close_ int cur = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
	const char *p = path;

	if (cur < 0)
		return lxns__neg_errno();
	while (*p) {
		char name[NAME_MAX + 1];
		size_t len;
		struct stat st;
		int next;

		while (*p == '/')
			p++;
		len = strcspn(p, "/");
		if (len == 0)
			break;
		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		memcpy(name, p, len);
		name[len] = '\0';
		p += len;
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			return -EINVAL;
		next = openat(cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0)
			return lxns__neg_errno();
		close(cur);
		cur = next;
		if (fstat(cur, &st) < 0)
			return lxns__neg_errno();
		if (p[strspn(p, "/")] && S_ISLNK(st.st_mode))
			return -ELOOP;
		if (p[strspn(p, "/")] && !S_ISDIR(st.st_mode))
			return -ENOTDIR;
	}
	return TAKE_FD(cur);
}

int lxns__open_nsfs_beneath(int proc_dirfd, int rootfd, const char *path)
{
	struct open_how how = {
		.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));

	if (fd < 0 && (errno == ENOSYS || errno == ENAMETOOLONG || errno == E2BIG))
		fd = lxns__walk_beneath(rootfd, path);
	else if (fd < 0)
		fd = lxns__neg_errno();
	/* With O_NOFOLLOW a symlink at the end is opened itself: not nsfs, refused below. */
	return lxns__nsfs_reopen(proc_dirfd, fd);
}

int lxns__mount_id_of(int proc_dirfd, int fd)
{
	char path[64], buf[512];
	const char *at;
	int info;
	ssize_t n;

	snprintf(path, sizeof(path), "%sthread-self/fdinfo/%d", proc_dirfd < 0 ? "/proc/" : "", fd);
	info = openat(proc_dirfd < 0 ? AT_FDCWD : proc_dirfd, path, O_RDONLY | O_CLOEXEC);
	if (info < 0)
		return lxns__neg_errno();
	n = read(info, buf, sizeof(buf) - 1);
	int err = n < 0 ? errno : EIO;

	close(info);
	if (n <= 0)
		return -err;
	buf[n] = '\0';
	at = strstr(buf, "\nmnt_id:\t");
	return at ? atoi(at + 9) : -EIO;
}

int lxns__open_path_cached(const char *path)
{
	struct open_how how = {
		.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_CACHED | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	if (path[0] != '/')
		return -EINVAL;
	for (const char *p = path; (p = strstr(p, "/.")); p++) /* no "." or "..": never above the root */
		if (p[2] == '/' || p[2] == '\0' || (p[2] == '.' && (p[3] == '/' || p[3] == '\0')))
			return -EINVAL;
	fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
	if (fd < 0 && (errno == ENOSYS || errno == EINVAL))
		return -EOPNOTSUPP; /* before 5.6 no openat2(), before 5.12 no RESOLVE_CACHED */
	return fd < 0 ? lxns__neg_errno() : fd;
}
