/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Relations between namespaces: owning user namespace, parent, type, owner UID. */
#include "internal.h"

/* A new fd from one of the nsfs ioctls that return one (always O_CLOEXEC). */
static int fd_related(int fd, unsigned long request)
{
	int r = lxns__fd_check(fd, 0);

	if (r < 0)
		return r;
	r = ioctl(fd, request);
	return r < 0 ? lxns__neg_errno() : r;
}

/* Run an fd function on a path opened for the purpose. */
#define WITH_PATH_FD(path, call)                                                                  \
	({                                                                                        \
		_cleanup_close_ int fd = lxns__open_path(path);                                   \
		fd < 0 ? fd : (call);                                                             \
	})

LXNS_EXPORT int lxns_fd_type(int fd)
{
	return lxns__fd_check(fd, 0);
}

LXNS_EXPORT int lxns_fd_owner(int fd)
{
	return fd_related(fd, NS_GET_USERNS);
}

LXNS_EXPORT int lxns_fd_parent(int fd)
{
	return fd_related(fd, NS_GET_PARENT);
}

LXNS_EXPORT int lxns_fd_owner_uid(int fd, uid_t *ret_uid)
{
	uid_t uid = 0; /* written by the kernel; set for memory checkers that cannot know */
	int r = lxns__fd_check(fd, 0);

	if (r < 0)
		return r;
	if (ioctl(fd, NS_GET_OWNER_UID, &uid) < 0)
		return lxns__neg_errno();
	*ret_uid = uid;
	return 0;
}

LXNS_EXPORT int lxns_path_type(const char *path)
{
	return WITH_PATH_FD(path, lxns_fd_type(fd));
}

LXNS_EXPORT int lxns_path_owner(const char *path)
{
	return WITH_PATH_FD(path, lxns_fd_owner(fd));
}

LXNS_EXPORT int lxns_path_parent(const char *path)
{
	return WITH_PATH_FD(path, lxns_fd_parent(fd));
}

LXNS_EXPORT int lxns_path_owner_uid(const char *path, uid_t *ret_uid)
{
	return WITH_PATH_FD(path, lxns_fd_owner_uid(fd, ret_uid));
}

LXNS_EXPORT int lxns_ns_owner(const struct lxns_ns *ns, struct lxns_ns **ret_owner)
{
	int fd = lxns__ns_fd(ns);

	return fd < 0 ? fd : lxns__ns_adopt(fd_related(fd, NS_GET_USERNS), LXNS_USER, ret_owner);
}

LXNS_EXPORT int lxns_ns_parent(const struct lxns_ns *ns, struct lxns_ns **ret_parent)
{
	int fd = lxns__ns_fd(ns);

	return fd < 0 ? fd : lxns__ns_adopt(fd_related(fd, NS_GET_PARENT), ns->type, ret_parent);
}

LXNS_EXPORT int lxns_ns_owner_uid(const struct lxns_ns *ns, uid_t *ret_uid)
{
	int fd = lxns__ns_fd(ns);

	return fd < 0 ? fd : lxns_fd_owner_uid(fd, ret_uid);
}
