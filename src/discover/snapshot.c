/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Walking a snapshot: the public node API. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "snapshot.h"

LXNS_EXPORT void lxns_snapshot_free(struct lxns_snapshot *s)
{
	if (!s)
		return;
	for (size_t k = 0; k < s->n; k++) {
		free(s->nodes[k]->comm);
		free(s->nodes[k]->mount_path);
		free(s->nodes[k]);
	}
	free(s->nodes);
	free(s);
}

LXNS_EXPORT unsigned long lxns_snapshot_stat(const struct lxns_snapshot *s, enum lxns_stat which)
{
	if (!s || (unsigned)which >= LXNS_STAT_MAX)
		return 0;
	return s->stats[which];
}

LXNS_EXPORT struct lxns_node *lxns_snapshot_next(const struct lxns_snapshot *s,
						 const struct lxns_node *prev)
{
	size_t k = prev ? prev->index + 1 : 0;

	return s && k < s->n ? s->nodes[k] : NULL;
}

LXNS_EXPORT struct lxns_node *lxns_snapshot_next_root(const struct lxns_snapshot *s, int type,
						      const struct lxns_node *prev)
{
	if (!s || (type != LXNS_USER && type != LXNS_PID))
		return NULL;
	for (size_t k = prev ? prev->index + 1 : 0; k < s->n; k++)
		if (s->nodes[k]->type == type && !s->nodes[k]->parent)
			return s->nodes[k];
	return NULL;
}

LXNS_EXPORT struct lxns_node *lxns_node_next_child(const struct lxns_node *node,
						   const struct lxns_node *prev)
{
	return prev ? prev->next_sibling : node ? node->first_child : NULL;
}

LXNS_EXPORT struct lxns_node *lxns_node_next_owned(const struct lxns_node *user,
						   const struct lxns_node *prev)
{
	return prev ? prev->next_owned : user ? user->first_owned : NULL;
}

LXNS_EXPORT int lxns_node_ident(const struct lxns_node *n, struct lxns_ident *ret_ident)
{
	if (!n)
		return -EINVAL;
	*ret_ident = (struct lxns_ident){ .type = n->type, .dev = n->dev, .ino = n->ino, .id = n->id };
	return 0;
}

LXNS_EXPORT int lxns_node_type(const struct lxns_node *n)
{
	return n ? n->type : -EINVAL;
}

LXNS_EXPORT uint64_t lxns_node_ino(const struct lxns_node *n)
{
	return n ? n->ino : 0;
}

static int relative(struct lxns_node *rel, int err, struct lxns_node **ret)
{
	if (!rel)
		return err;
	*ret = rel;
	return 0;
}

LXNS_EXPORT int lxns_node_get_parent(const struct lxns_node *n, struct lxns_node **ret_parent)
{
	return n ? relative(n->parent, n->parent_err, ret_parent) : -EINVAL;
}

LXNS_EXPORT int lxns_node_get_owner(const struct lxns_node *n, struct lxns_node **ret_owner)
{
	return n ? relative(n->owner, n->owner_err, ret_owner) : -EINVAL;
}

LXNS_EXPORT struct lxns_node *lxns_node_parent(const struct lxns_node *n)
{
	return n ? n->parent : NULL;
}

LXNS_EXPORT struct lxns_node *lxns_node_owner(const struct lxns_node *n)
{
	return n ? n->owner : NULL;
}

LXNS_EXPORT int lxns_node_owner_uid(const struct lxns_node *n, uid_t *ret_uid)
{
	if (!n || n->type != LXNS_USER)
		return -EINVAL;
	if (!n->have_owner_uid)
		return -ENODATA;
	*ret_uid = n->owner_uid;
	return 0;
}

LXNS_EXPORT unsigned lxns_node_nprocs(const struct lxns_node *n)
{
	return n ? n->nprocs : 0;
}

LXNS_EXPORT pid_t lxns_node_pid(const struct lxns_node *n)
{
	return n ? n->pid : 0;
}

LXNS_EXPORT const char *lxns_node_comm(const struct lxns_node *n)
{
	return n ? n->comm : NULL;
}

LXNS_EXPORT unsigned lxns_node_found(const struct lxns_node *n)
{
	return n ? n->found : 0;
}

LXNS_EXPORT pid_t lxns_node_found_pid(const struct lxns_node *n)
{
	return n ? n->found_pid : 0;
}

LXNS_EXPORT const char *lxns_node_mount_path(const struct lxns_node *n)
{
	return n ? n->mount_path : NULL;
}

LXNS_EXPORT struct lxns_node *lxns_node_mount_ns(const struct lxns_node *n)
{
	return n ? n->mount_ns : NULL;
}

/* By the way it was found: a /proc link of the process, thread or fd that showed it, or a bind
 * mount in our own mount namespace, resolved without following symlinks. An fd on it, or
 * -errno (-EOPNOTSUPP: no way left but its id). */
static int open_by_way(const struct lxns_node *n)
{
	char path[96];
	const char *name = lxns_type_name(n->type);

	if (n->nprocs)
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)n->pid, name);
	else if (n->found_how == LXNS_FOUND_THREAD)
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)n->found_pid, name);
	else if (n->found_how == LXNS_FOUND_CHILDREN)
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)n->found_pid, lxns__proc_name(n->type, true));
	else if (n->found_how == LXNS_FOUND_FD)
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)n->found_pid, n->found_fd);
	else if ((n->found & LXNS_FOUND_MOUNT) && n->mount_self && n->mount_path) {
		_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		return root < 0 ? lxns__neg_errno() : lxns__open_nsfs_beneath(-1, root, n->mount_path);
	} else
		return -EOPNOTSUPP;
	return lxns__open_path(path);
}

LXNS_EXPORT int lxns_node_open(const struct lxns_node *n, struct lxns_ns **ret_ns)
{
	struct lxns_ns *ns;
	struct stat st;
	int fd, r;

	if (!n)
		return -EINVAL;
	if (n->id) {
		struct lxns_handle h = { .handle_type = LXNS_FILEID_NSFS, .len = LXNS_NSFS_HANDLE_MIN };
		uint32_t type = (uint32_t)n->type, inum = (uint32_t)n->ino;

		memcpy(h.data, &n->id, 8);
		memcpy(h.data + 8, &type, 4);
		memcpy(h.data + 12, &inum, 4);
		r = lxns_handle_open(&h, ret_ns);
		if (r != -EOPNOTSUPP)
			return r;
	}
	fd = open_by_way(n);
	if (fd == -EOPNOTSUPP && n->id)
		return -ESTALE;
	if (fd == -ENOENT || fd == -ESRCH || fd == -EINVAL)
		return -ESTALE;
	r = lxns__ns_adopt(fd, n->type, &ns);
	if (r == -EMEDIUMTYPE)
		return -ESTALE;
	if (r < 0)
		return r;
	/* The way may lead to another namespace by now (a reused PID, a new mount). */
	if (fstat(lxns_ns_fileno(ns), &st) < 0 || st.st_ino != n->ino) {
		lxns_ns_free(ns);
		return -ESTALE;
	}
	*ret_ns = ns;
	return 0;
}
