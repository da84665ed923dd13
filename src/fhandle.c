/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Persistent references to namespaces: nsfs file handles (6.18+). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

union handle_buf {
	struct file_handle fh;
	char buf[sizeof(struct file_handle) + LXNS_HANDLE_MAX];
};

static int fd_handle(int fd, struct lxns_handle *ret_handle)
{
	union handle_buf h;
	int mnt_id;

	h.fh.handle_bytes = LXNS_HANDLE_MAX;
	if (name_to_handle_at(fd, "", &h.fh, &mnt_id, AT_EMPTY_PATH) < 0)
		return lxns__neg_errno(); /* EOPNOTSUPP: nsfs without export operations */
	if (h.fh.handle_type != LXNS_FILEID_NSFS)
		return -EOPNOTSUPP;
	ret_handle->handle_type = h.fh.handle_type;
	ret_handle->len = h.fh.handle_bytes;
	memset(ret_handle->data, 0, sizeof(ret_handle->data));
	memcpy(ret_handle->data, h.fh.f_handle, h.fh.handle_bytes);
	return 0;
}

LXNS_EXPORT int lxns_fd_handle(int fd, struct lxns_handle *ret_handle)
{
	int r = lxns__fd_check(fd, 0);

	return r < 0 ? r : fd_handle(fd, ret_handle);
}

LXNS_EXPORT int lxns_ns_handle(const struct lxns_ns *ns, struct lxns_handle *ret_handle)
{
	int fd = lxns__ns_fd(ns);

	return fd < 0 ? fd : fd_handle(fd, ret_handle);
}

LXNS_EXPORT int lxns_handle_open(const struct lxns_handle *handle, struct lxns_ns **ret_ns)
{
	union handle_buf h;
	int fd;

	if (!handle || handle->handle_type != LXNS_FILEID_NSFS || handle->len < LXNS_NSFS_HANDLE_MIN ||
	    handle->len > LXNS_HANDLE_MAX)
		return -EINVAL;
	h.fh.handle_type = handle->handle_type;
	h.fh.handle_bytes = handle->len;
	memcpy(h.fh.f_handle, handle->data, handle->len);
	fd = open_by_handle_at(LXNS_FD_NSFS_ROOT, &h.fh, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == EBADF) {
		/* A kernel without FD_NSFS_ROOT: any nsfs fd names the same file system. */
		_cleanup_close_ int anchor = open("/proc/thread-self/ns/user", O_RDONLY | O_CLOEXEC);
		if (anchor < 0)
			return lxns__neg_errno();
		fd = open_by_handle_at(anchor, &h.fh, O_RDONLY | O_CLOEXEC);
	}
	return lxns__ns_adopt(fd < 0 ? lxns__neg_errno() : fd, 0, ret_ns);
}

LXNS_EXPORT int lxns_handle_format(const struct lxns_handle *handle, char *buf, size_t size)
{
	size_t n;

	if (!handle || !buf || handle->len < LXNS_NSFS_HANDLE_MIN || handle->len > LXNS_HANDLE_MAX)
		return -EINVAL;
	if (size < LXNS_HANDLE_STRING_MAX)
		return -ENOBUFS;
	n = (size_t)snprintf(buf, size, "nsfs:%x:", (unsigned)handle->handle_type);
	for (unsigned i = 0; i < handle->len; i++)
		n += (size_t)snprintf(buf + n, size - n, "%02x", handle->data[i]);
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Exactly what lxns_handle_format() writes: "nsfs:", the type in lowercase hex without leading
 * zeros (at most 8 digits), ":", then LXNS_NSFS_HANDLE_MIN ... LXNS_HANDLE_MAX bytes as pairs of
 * lowercase hex digits, and the end. */
LXNS_EXPORT int lxns_handle_parse(const char *s, struct lxns_handle *ret_handle)
{
	struct lxns_handle h = { 0 };
	uint32_t type = 0;
	int digits = 0;

	if (!s || strncmp(s, "nsfs:", 5) != 0)
		return -EINVAL;
	for (s += 5; hex_digit(*s) >= 0; s++, digits++) {
		if (digits == 8 || (digits == 1 && type == 0))
			return -EINVAL; /* too long, or a leading zero */
		type = type << 4 | (uint32_t)hex_digit(*s);
	}
	if (digits == 0 || *s++ != ':')
		return -EINVAL;
	while (*s) {
		int hi = hex_digit(s[0]), lo = hi < 0 ? -1 : hex_digit(s[1]);

		if (lo < 0 || h.len == LXNS_HANDLE_MAX)
			return -EINVAL;
		h.data[h.len++] = (unsigned char)(hi << 4 | lo);
		s += 2;
	}
	if (h.len < LXNS_NSFS_HANDLE_MIN)
		return -EINVAL;
	h.handle_type = (int)type;
	*ret_handle = h;
	return 0;
}
