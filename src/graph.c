/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The snapshot graph: storage, lookup, ordering, and the walking API. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "graph.h"

static size_t slot_of(uint64_t ino, size_t cap)
{
	return (size_t)((ino * 0x9E3779B97F4A7C15ull) >> 17) & (cap - 1);
}

struct lxns_node *lxns__graph_find(const struct lxns_snapshot *s, uint64_t ino)
{
	if (!s->table_cap)
		return NULL;
	for (size_t i = slot_of(ino, s->table_cap);; i = (i + 1) & (s->table_cap - 1)) {
		struct lxns_node *n = s->table[i];
		if (!n || n->ino == ino)
			return n;
	}
}

/* Put every node into a table of @cap slots (a power of two, at least twice the nodes). */
static void table_fill(struct lxns_snapshot *s, struct lxns_node **table, size_t cap)
{
	for (size_t k = 0; k < s->n; k++) {
		size_t i = slot_of(s->nodes[k]->ino, cap);
		while (table[i])
			i = (i + 1) & (cap - 1);
		table[i] = s->nodes[k];
	}
}

static int table_grow(struct lxns_snapshot *s)
{
	size_t cap = s->table_cap ? s->table_cap * 2 : 1024;
	struct lxns_node **t = calloc(cap, sizeof(*t));

	if (!t)
		return -ENOMEM;
	table_fill(s, t, cap);
	free(s->table);
	s->table = t;
	s->table_cap = cap;
	return 0;
}

struct lxns_node *lxns__graph_get(struct lxns_snapshot *s, int type, uint64_t ino)
{
	struct lxns_node *n = lxns__graph_find(s, ino);

	if (n)
		return n;
	/* Grown before the node is added, so the table always has room for it. */
	if ((s->n + 1) * 2 > s->table_cap && table_grow(s) < 0)
		return NULL;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		struct lxns_node **nodes = realloc(s->nodes, cap * sizeof(*nodes));
		if (!nodes)
			return NULL;
		s->nodes = nodes;
		s->cap = cap;
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->type = type;
	n->dev = s->nsfs_dev;
	n->ino = ino;
	n->scan_fd = n->found_fd = n->owner_fd = n->parent_fd = -1;
	size_t i = slot_of(ino, s->table_cap);
	while (s->table[i])
		i = (i + 1) & (s->table_cap - 1);
	s->table[i] = n;
	s->nodes[s->n++] = n;
	return n;
}

static int way_rank(unsigned how)
{
	return how == LXNS_SRC_THREADS ? 3 : how == LXNS_SRC_FDS ? 2 : how == LXNS_FOUND_CHILDREN ? 1 : 0;
}

void lxns__found_by(struct lxns_node *n, unsigned how, pid_t pid, int fd)
{
	int rank = way_rank(how), had = way_rank(n->found_how);

	if (!rank || pid <= 0 || rank < had || (rank == had && pid >= n->found_pid))
		return;
	n->found_pid = pid;
	n->found_how = how;
	n->found_fd = fd;
}

int lxns__graph_merge(struct lxns_snapshot *s, struct lxns_snapshot *from)
{
	int r = 0;

	for (size_t k = 0; k < from->n && r == 0; k++) {
		struct lxns_node *f = from->nodes[k], *n = lxns__graph_get(s, f->type, f->ino);

		if (!n) {
			r = -ENOMEM;
			break;
		}
		n->nprocs += f->nprocs;
		if (f->pid && (!n->pid || f->pid < n->pid))
			n->pid = f->pid;
		if (f->found_pid)
			lxns__found_by(n, f->found_how, f->found_pid, f->found_fd);
		n->found |= f->found;
	}
	lxns_snapshot_free(from);
	return r;
}

static int node_cmp(const void *a, const void *b)
{
	const struct lxns_node *x = *(struct lxns_node *const *)a, *y = *(struct lxns_node *const *)b;
	int tx = lxns__type_index(x->type), ty = lxns__type_index(y->type);

	if (tx != ty)
		return tx < ty ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

void lxns__graph_finish(struct lxns_snapshot *s)
{
	qsort(s->nodes, s->n, sizeof(*s->nodes), node_cmp);
	/* Backwards, pushing to the front, so every list comes out sorted. */
	for (size_t k = s->n; k-- > 0;) {
		struct lxns_node *n = s->nodes[k];

		n->index = k;
		if (n->parent) {
			n->next_sibling = n->parent->first_child;
			n->parent->first_child = n;
		}
		if (n->owner && n->type != LXNS_USER) {
			n->next_owned = n->owner->first_owned;
			n->owner->first_owned = n;
		}
	}
	s->stats[LXNS_STAT_NAMESPACES] = s->n;
}

int lxns__node_path(const struct lxns_node *n, char *buf, size_t size)
{
	const char *name = lxns_type_name(n->type);

	if (n->nprocs)
		snprintf(buf, size, "/proc/%d/ns/%s", (int)n->pid, name);
	else if (n->found_how == LXNS_SRC_THREADS)
		snprintf(buf, size, "/proc/%d/ns/%s", (int)n->found_pid, name);
	else if (n->found_how == LXNS_SRC_FDS)
		snprintf(buf, size, "/proc/%d/fd/%d", (int)n->found_pid, n->found_fd);
	else if (n->found_how == LXNS_FOUND_CHILDREN)
		snprintf(buf, size, "/proc/%d/ns/%s", (int)n->found_pid, lxns__proc_name(n->type, true));
	else if ((n->found & LXNS_SRC_MOUNTS) && n->mount_self)
		snprintf(buf, size, "%s", n->mount_path);
	else if ((n->found & LXNS_SRC_MOUNTS) && n->mount_ns && n->mount_ns->pid)
		snprintf(buf, size, "/proc/%d/root%s", (int)n->mount_ns->pid, n->mount_path);
	else
		return -ENOENT;
	return 0;
}

/* --- Public walking API --------------------------------------------------------------------- */

static void node_free(struct lxns_node *n)
{
	if (n->scan_fd >= 0)
		close(n->scan_fd);
	if (n->owner_fd >= 0)
		close(n->owner_fd);
	if (n->parent_fd >= 0)
		close(n->parent_fd);
	free(n->comm);
	free(n->mount_path);
	free(n->mount_lines);
	free(n);
}

size_t lxns__graph_filter(struct lxns_snapshot *s, bool (*keep)(const struct lxns_node *))
{
	size_t kept = 0, dropped;

	for (size_t k = 0; k < s->n; k++) {
		if (keep(s->nodes[k]))
			s->nodes[kept++] = s->nodes[k];
		else
			node_free(s->nodes[k]);
	}
	dropped = s->n - kept;
	if (dropped) {
		s->n = kept;
		memset(s->table, 0, s->table_cap * sizeof(*s->table));
		table_fill(s, s->table, s->table_cap);
	}
	return dropped;
}

LXNS_EXPORT void lxns_snapshot_free(struct lxns_snapshot *s)
{
	if (!s)
		return;
	for (size_t k = 0; k < s->n; k++)
		node_free(s->nodes[k]);
	free(s->nodes);
	free(s->table);
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

/* Shared by the two getters: @rel the related node, known whether it was learned. */
static int relative_of(struct lxns_node *rel, bool learned, bool exists, struct lxns_node **ret)
{
	if (rel) {
		*ret = rel;
		return 0;
	}
	if (!learned)
		return -ENODATA;
	return exists ? -ENOENT : -EPERM;
}

LXNS_EXPORT int lxns_node_get_parent(const struct lxns_node *n, struct lxns_node **ret_parent)
{
	if (!n)
		return -EINVAL;
	if (n->type != LXNS_USER && n->type != LXNS_PID)
		return -EINVAL;
	return relative_of(n->parent, n->probed, n->parent_ino != 0, ret_parent);
}

LXNS_EXPORT int lxns_node_get_owner(const struct lxns_node *n, struct lxns_node **ret_owner)
{
	if (!n)
		return -EINVAL;
	return relative_of(n->owner, n->probed, n->owner_ino != 0, ret_owner);
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

LXNS_EXPORT int lxns_node_open(const struct lxns_node *n, struct lxns_ns **ret_ns)
{
	char path[4200];
	struct lxns_ns *ns;
	struct stat st;
	int r;

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
	r = lxns__node_path(n, path, sizeof(path));
	if (r < 0)
		return n->id ? -ESTALE : -EOPNOTSUPP;
	r = lxns_ns_open_path(path, n->type, &ns);
	if (r == -ENOENT || r == -ESRCH || r == -EMEDIUMTYPE)
		return -ESTALE;
	if (r < 0)
		return r;
	/* The path may name another namespace by now (a reused PID, a new mount). */
	if (fstat(lxns_ns_fileno(ns), &st) < 0 || st.st_ino != n->ino) {
		lxns_ns_free(ns);
		return -ESTALE;
	}
	*ret_ns = ns;
	return 0;
}
