/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Per-user-namespace limits: /proc/sys/user/max_<type>_namespaces. */
#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static int limit_path(int type, char *buf, size_t size)
{
	const char *name = lxns__proc_name(type, false);

	if (!name)
		return -EINVAL;
	snprintf(buf, size, "/proc/sys/user/max_%s_namespaces", name);
	return 0;
}

int lxns__parse_limit(const char *s, long *ret)
{
	const char *p = s;
	long v = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		v = v * 10 + (*p - '0');
		if (v > INT_MAX)
			return -EINVAL;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\n')
		p++;
	if (*p)
		return -EINVAL;
	*ret = v;
	return 0;
}

LXNS_EXPORT int lxns_limit_get(int type, long *ret_limit)
{
	char path[64], buf[32];
	ssize_t n;
	int r = limit_path(type, path, sizeof(path));

	if (r < 0)
		return r;
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return lxns__neg_errno();
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return lxns__neg_errno();
	buf[n] = '\0';
	return lxns__parse_limit(buf, ret_limit) < 0 ? -EIO : 0;
}

LXNS_EXPORT int lxns_limit_set(int type, long limit)
{
	char path[64], buf[32];
	int len, r = limit_path(type, path, sizeof(path));

	if (r < 0)
		return r;
	if (limit < 0 || limit > INT_MAX)
		return -EINVAL;
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return lxns__neg_errno();
	len = snprintf(buf, sizeof(buf), "%ld\n", limit);
	errno = 0;
	if (write(fd, buf, (size_t)len) != len)
		return errno ? lxns__neg_errno() : -EIO;
	return 0;
}

LXNS_EXPORT int lxns_limit_set_string(int type, const char *limit)
{
	long v;
	int r;

	if (!limit || !lxns__is_one_type(type))
		return -EINVAL;
	r = lxns__parse_limit(limit, &v);
	return r < 0 ? r : lxns_limit_set(type, v);
}
