/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The last stage: the scan's entries become the snapshot's nodes, edges by inode, sorted, with
 * every missing edge saying why. */
#include <string.h>

#include "scan.h"
#include "snapshot.h"

/* A namespace whose every way in turned out gone (its processes exited during the scan), and
 * that nothing kept refers to, is gone: left out. */
static bool left_out(const struct seen *s)
{
	return s->gone && s->probe != PROBE_DONE && !s->referenced;
}

static void mark_referenced(const struct table *t, uint64_t ino)
{
	struct seen *r = ino ? lxns__table_find(t, ino) : NULL;

	if (r)
		r->referenced = true;
}

/* The node of relative @ino of a probed entry (asking gave @err), or why there is none. */
static int edge(const struct table *t, uint64_t ino, int err, struct lxns_node **ret)
{
	struct seen *r;

	*ret = NULL;
	if (err)
		return -ENODATA; /* the kernel would not say */
	if (!ino)
		return -EPERM; /* none we may see */
	r = lxns__table_find(t, ino);
	if (!r || !r->node)
		return -ENOENT; /* not looked for */
	*ret = r->node;
	return 0;
}

static void link_node(struct scan *sc, struct seen *s)
{
	struct lxns_node *n = s->node;
	bool tree = s->type == LXNS_USER || s->type == LXNS_PID;

	if (s->probe != PROBE_DONE) {
		n->owner_err = -ENODATA;
		n->parent_err = tree ? -ENODATA : -EINVAL;
		sc->stats[LXNS_STAT_UNRESOLVED]++;
		lxns__log(LXNS_LOG_NOTICE, "discover: %s:[%llu]: owner%s unknown: %s", lxns_type_name(s->type),
			  (unsigned long long)s->ino, tree ? " and parent" : "",
			  s->probe == PROBE_REFUSED ? "permission denied" : "no way in left to ask");
		return;
	}
	n->owner_err = edge(sc->t, s->owner_ino, s->owner_err, &n->owner);
	if (!tree)
		n->parent_err = -EINVAL;
	else
		n->parent_err = edge(sc->t, s->parent_ino, s->parent_err, &n->parent);
	if (n->owner_err == -ENODATA || n->parent_err == -ENODATA)
		sc->stats[LXNS_STAT_UNRESOLVED]++;
}

static int node_cmp(const void *a, const void *b)
{
	const struct lxns_node *x = *(struct lxns_node *const *)a, *y = *(struct lxns_node *const *)b;
	int tx = lxns__type_index(x->type), ty = lxns__type_index(y->type);

	if (tx != ty)
		return tx < ty ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/* Sort, and build the child and owned lists: backwards, pushing to the front, so every list
 * comes out sorted. */
static void finish(struct lxns_snapshot *snap)
{
	qsort(snap->nodes, snap->n, sizeof(*snap->nodes), node_cmp);
	for (size_t k = snap->n; k-- > 0;) {
		struct lxns_node *n = snap->nodes[k];

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
	snap->stats[LXNS_STAT_NAMESPACES] = snap->n;
}

int lxns__link(struct scan *sc, uint64_t nsfs_dev, struct lxns_snapshot **ret_snapshot)
{
	struct table *t = sc->t;
	struct lxns_snapshot *snap = calloc(1, sizeof(*snap));

	if (!snap || !(snap->nodes = malloc((t->n + 1) * sizeof(*snap->nodes)))) {
		free(snap);
		return -ENOMEM;
	}
	for (size_t k = 0; k < t->n; k++) {
		struct seen *s = t->v[k];

		if (s->probe == PROBE_DONE) {
			mark_referenced(t, s->owner_ino);
			mark_referenced(t, s->parent_ino);
		}
		if (s->found & LXNS_FOUND_MOUNT)
			mark_referenced(t, s->mount_ns);
	}
	for (size_t k = 0; k < t->n; k++) {
		struct seen *s = t->v[k];
		struct lxns_node *n;

		if (left_out(s)) {
			sc->stats[LXNS_STAT_VANISHED]++;
			continue;
		}
		n = calloc(1, sizeof(*n));
		if (!n) {
			lxns_snapshot_free(snap);
			return -ENOMEM;
		}
		*n = (struct lxns_node){
			.type = s->type, .dev = nsfs_dev, .ino = s->ino, .id = s->id,
			.owner_uid = s->owner_uid, .have_owner_uid = s->have_owner_uid,
			.nprocs = s->nprocs, .pid = s->pid, .comm = TAKE_PTR(s->comm),
			/* The hierarchy is a way in only for what nothing else showed: in any order of
			 * scanning, one seen first as an owner and then in a process is found by that. */
			.found = s->found == LXNS_FOUND_HIERARCHY ? s->found : s->found & ~LXNS_FOUND_HIERARCHY,
			.found_pid = s->found_pid, .found_how = s->found_how, .found_fd = s->found_fd,
			.mount_path = TAKE_PTR(s->mount_path), .mount_self = s->mount_ns == sc->self_mnt,
		};
		s->node = n;
		snap->nodes[snap->n++] = n;
	}
	for (size_t k = 0; k < t->n; k++) {
		struct seen *s = t->v[k], *m;

		if (!s->node)
			continue;
		link_node(sc, s);
		if (s->mount_ns && (m = lxns__table_find(t, s->mount_ns)))
			s->node->mount_ns = m->node;
	}
	memcpy(snap->stats, sc->stats, sizeof(snap->stats));
	finish(snap);
	*ret_snapshot = snap;
	return 0;
}
