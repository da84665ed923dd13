/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The record layer: one entry per namespace seen, found by inode, and what each source says of
 * it, whatever order the sources run in. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "scan.h"

static size_t slot_of(uint64_t ino, size_t nslots)
{
	return (size_t)((ino * 0x9E3779B97F4A7C15ull) >> 17) & (nslots - 1);
}

struct seen *lxns__table_find(const struct table *t, uint64_t ino)
{
	if (!t->nslots)
		return NULL;
	for (size_t i = slot_of(ino, t->nslots);; i = (i + 1) & (t->nslots - 1)) {
		struct seen *s = t->slots[i];
		if (!s || s->ino == ino)
			return s;
	}
}

static void slot_put(struct seen **slots, size_t nslots, struct seen *s)
{
	size_t i = slot_of(s->ino, nslots);

	while (slots[i])
		i = (i + 1) & (nslots - 1);
	slots[i] = s;
}

/* Room for one more entry: slots at most half full, and a place in the list. */
static int table_reserve(struct table *t)
{
	if ((t->n + 1) * 2 > t->nslots) {
		size_t nslots = t->nslots ? t->nslots * 2 : 1024;
		struct seen **slots = calloc(nslots, sizeof(*slots));

		if (!slots)
			return -ENOMEM;
		for (size_t k = 0; k < t->n; k++)
			slot_put(slots, nslots, t->v[k]);
		free(t->slots);
		t->slots = slots;
		t->nslots = nslots;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct seen **v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		t->v = v;
		t->cap = cap;
	}
	return 0;
}

struct seen *lxns__table_get(struct table *t, int type, uint64_t ino, bool *ret_new)
{
	struct seen *s = lxns__table_find(t, ino);

	*ret_new = !s;
	if (s)
		return s;
	if (table_reserve(t) < 0 || !(s = calloc(1, sizeof(*s))))
		return NULL;
	s->type = type;
	s->ino = ino;
	s->fd = s->found_fd = -1;
	slot_put(t->slots, t->nslots, s);
	t->v[t->n++] = s;
	return s;
}

static void seen_free(struct seen *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free(s->comm);
	free(s->mount_path);
	free(s);
}

void lxns__table_free(struct table *t)
{
	if (!t)
		return;
	for (size_t k = 0; k < t->n; k++)
		seen_free(t->v[k]);
	free(t->v);
	free(t->slots);
	free(t);
}

static int way_rank(unsigned how)
{
	return how == LXNS_FOUND_THREAD ? 3 : how == LXNS_FOUND_FD ? 2 : how == LXNS_FOUND_CHILDREN ? 1 : 0;
}

void lxns__found_by(struct seen *s, unsigned how, pid_t pid, int fd)
{
	int rank = way_rank(how), had = way_rank(s->found_how);

	if (!rank || pid <= 0 || rank < had || (rank == had && pid >= s->found_pid))
		return;
	s->found_pid = pid;
	s->found_how = how;
	s->found_fd = fd;
}

/* What @from knows that @to does not: its facts, a lower process, a mount. Strings move. */
static void take_over(struct seen *to, struct seen *from)
{
	if (to->probe != PROBE_DONE && from->probe != PROBE_NOT_YET) {
		to->probe = from->probe;
		to->id = from->id;
		to->owner_ino = from->owner_ino;
		to->parent_ino = from->parent_ino;
		to->owner_err = from->owner_err;
		to->parent_err = from->parent_err;
		to->owner_uid = from->owner_uid;
		to->have_owner_uid = from->have_owner_uid;
	}
	to->gone = to->probe == PROBE_NOT_YET && (to->gone || from->gone);
	to->nprocs += from->nprocs;
	if (from->pid && (!to->pid || from->pid < to->pid)) {
		to->pid = from->pid;
		free(to->comm);
		to->comm = TAKE_PTR(from->comm);
	}
	if (from->found_pid)
		lxns__found_by(to, from->found_how, from->found_pid, from->found_fd);
	to->found |= from->found;
	if (!to->mount_path && from->mount_path) {
		to->mount_path = TAKE_PTR(from->mount_path);
		to->mount_ns = from->mount_ns;
	}
	to->mounts_read |= from->mounts_read;
	if (to->fd < 0)
		to->fd = TAKE_FD(from->fd);
}

int lxns__table_merge(struct table *dst, struct table *src)
{
	int r = 0;

	for (size_t k = 0; k < src->n && r == 0; k++) {
		struct seen *f = src->v[k], *s;
		bool is_new;

		s = lxns__table_get(dst, f->type, f->ino, &is_new);
		if (!s)
			r = -ENOMEM;
		else
			take_over(s, f);
	}
	lxns__table_free(src);
	return r;
}

struct seen *lxns__saw(struct scan *sc, int type, uint64_t ino, unsigned how, pid_t pid, bool *ret_new)
{
	bool is_new;
	struct seen *s = lxns__table_get(sc->t, type, ino, &is_new);

	if (!s) {
		sc->err = -ENOMEM;
		return NULL;
	}
	s->found |= how;
	if (how == LXNS_FOUND_PROCESS) {
		s->nprocs++;
		if (!s->pid || pid < s->pid) { /* the source reads the command of the new lowest */
			s->pid = pid;
			free(s->comm);
			s->comm = NULL;
		}
	} else if (how != LXNS_FOUND_FD) { /* the fd's caller says which fd */
		lxns__found_by(s, how, pid, -1);
	}
	if (ret_new)
		*ret_new = is_new;
	return s;
}

void lxns__count_error(struct scan *sc, int err, const char *what)
{
	enum lxns_stat which = LXNS_STAT_FAILED;

	if (err == EACCES || err == EPERM)
		which = LXNS_STAT_DENIED;
	else if (err == ENOENT || err == ESRCH)
		which = LXNS_STAT_VANISHED;
	sc->stats[which]++;
	lxns__log(LXNS_LOG_DEBUG, "discover: %s: %s", what, strerror(err));
}

struct claims {
	pthread_mutex_t lock;
	uint64_t *slots; /* open addressing on inode; 0 is free, and no namespace has inode 0 */
	size_t n, cap;
};

struct claims *lxns__claims_new(void)
{
	struct claims *c = calloc(1, sizeof(*c));

	if (c)
		pthread_mutex_init(&c->lock, NULL);
	return c;
}

void lxns__claims_free(struct claims *c)
{
	if (!c)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c->slots);
	free(c);
}

/* The slot of @ino in @slots, or the free one where it would go. */
static size_t claim_slot(const uint64_t *slots, size_t cap, uint64_t ino)
{
	size_t i = slot_of(ino, cap);

	while (slots[i] && slots[i] != ino)
		i = (i + 1) & (cap - 1);
	return i;
}

bool lxns__claim(struct scan *sc, uint64_t ino)
{
	struct claims *c = sc->claims;
	bool mine = true;

	if (!c)
		return true;
	pthread_mutex_lock(&c->lock);
	if ((c->n + 1) * 2 > c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 4096;
		uint64_t *slots = calloc(cap, sizeof(*slots));

		if (!slots)
			goto out; /* no memory to share: probe it here too */
		for (size_t k = 0; k < c->cap; k++)
			if (c->slots[k])
				slots[claim_slot(slots, cap, c->slots[k])] = c->slots[k];
		free(c->slots);
		c->slots = slots;
		c->cap = cap;
	}
	size_t i = claim_slot(c->slots, c->cap, ino);
	mine = !c->slots[i];
	if (mine) {
		c->slots[i] = ino;
		c->n++;
	}
out:
	pthread_mutex_unlock(&c->lock);
	return mine;
}

void lxns__unclaim(struct scan *sc, uint64_t ino)
{
	struct claims *c = sc->claims;

	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	/* Removed by rehashing what follows it in its run, so that lookups stay whole. */
	size_t i = c->cap ? claim_slot(c->slots, c->cap, ino) : 0;
	if (c->cap && c->slots[i] == ino) {
		c->slots[i] = 0;
		c->n--;
		for (size_t j = (i + 1) & (c->cap - 1); c->slots[j]; j = (j + 1) & (c->cap - 1)) {
			uint64_t moved = c->slots[j];
			c->slots[j] = 0;
			c->slots[claim_slot(c->slots, c->cap, moved)] = moved;
		}
	}
	pthread_mutex_unlock(&c->lock);
}
