/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A reader of the kernel's BTF, just enough to find structs, their members and functions by
 * name. Format: Documentation/bpf/btf.rst. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "btf.h"

/* Every MARK_EVERY-th type is marked on the first walk: a type is then found by its id from the
 * mark below it, not from the first type (struct members name their types by id). */
#define MARK_EVERY 256
#define MARKS 1024

struct lxns_btf {
	void *data;
	size_t size;
	bool mapped;
	const char *types, *types_end;
	const char *strings;
	uint32_t strings_len;
	const struct btf_type *mark[MARKS]; /* type k * MARK_EVERY (NULL for k = 0), k < nmarks */
	uint32_t nmarks;
};

/* Bytes after the common part of a type. -1 for a kind this reader does not know. */
static long type_extra(const struct btf_type *t)
{
	uint32_t vlen = BTF_INFO_VLEN(t->info);

	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return 0;
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return (long)vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return (long)vlen * sizeof(struct btf_enum);
	case BTF_KIND_FUNC_PROTO:
		return (long)vlen * sizeof(struct btf_param);
	case BTF_KIND_DATASEC:
		return (long)vlen * sizeof(struct btf_var_secinfo);
	case BTF_KIND_ENUM64:
		return (long)vlen * sizeof(struct btf_enum64);
	}
	return -1;
}

/* Map it (kernels since 6.16 allow it), else read it. */
static int load(int fd, struct lxns_btf *b)
{
	struct stat st;
	size_t got = 0;

	if (fstat(fd, &st) < 0)
		return lxns__neg_errno();
	if (st.st_size < (off_t)sizeof(struct btf_header))
		return -EINVAL;
	b->size = (size_t)st.st_size;
	b->data = mmap(NULL, b->size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (b->data != MAP_FAILED) {
		b->mapped = true;
		return 0;
	}
	b->data = malloc(b->size);
	if (!b->data)
		return -ENOMEM;
	while (got < b->size) {
		ssize_t n = read(fd, (char *)b->data + got, b->size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? lxns__neg_errno() : -EINVAL;
		got += (size_t)n;
	}
	return 0;
}

static int parse(struct lxns_btf *b)
{
	const struct btf_header *h = b->data;

	if (h->magic != BTF_MAGIC || h->hdr_len < sizeof(*h) || (size_t)h->hdr_len + h->type_off + h->type_len > b->size ||
	    (size_t)h->hdr_len + h->str_off + h->str_len > b->size || h->str_len == 0)
		return -EINVAL;
	b->types = (const char *)b->data + h->hdr_len + h->type_off;
	b->types_end = b->types + h->type_len;
	b->strings = (const char *)b->data + h->hdr_len + h->str_off;
	b->strings_len = h->str_len;
	return b->strings[b->strings_len - 1] == '\0' ? 0 : -EINVAL;
}

/* The type after @t, NULL at the end, or where the data would run past it (a kind this reader
 * does not know, a name outside the strings). */
static const struct btf_type *next_type(const struct lxns_btf *b, const struct btf_type *t)
{
	const char *p = t ? (const char *)(t + 1) + type_extra(t) : b->types;

	t = (const struct btf_type *)p;
	if ((size_t)(b->types_end - p) < sizeof(*t) || type_extra(t) < 0 ||
	    (size_t)(b->types_end - p) < sizeof(*t) + (size_t)type_extra(t) || t->name_off >= b->strings_len)
		return NULL;
	return t;
}

int lxns__btf_open(struct lxns_btf **ret_btf)
{
	struct lxns_btf *b;
	int fd, r;

	fd = open("/sys/kernel/btf/vmlinux", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return lxns__neg_errno();
	b = calloc(1, sizeof(*b));
	r = b ? load(fd, b) : -ENOMEM;
	if (b)
		b->nmarks = 1; /* mark 0: before the first type (id 0 is void, with no record) */
	close(fd);
	if (r == 0)
		r = parse(b);
	if (r < 0) {
		lxns__btf_free(b);
		return r;
	}
	*ret_btf = b;
	return 0;
}

void lxns__btf_free(struct lxns_btf *btf)
{
	if (!btf)
		return;
	if (btf->mapped)
		munmap(btf->data, btf->size);
	else
		free(btf->data);
	free(btf);
}

/* Names are compared only where their first two bytes are those of a wanted one. */
#define PAIR(name) ((uint8_t)(name)[0] << 8 | (uint8_t)((name)[0] ? (name)[1] : 0))

void lxns__btf_find(struct lxns_btf *btf, struct lxns_btf_want *want, size_t n)
{
	uint64_t pairs[65536 / 64] = { 0 };
	uint32_t id = 1;
	size_t left = n;

	for (size_t k = 0; k < n; k++) {
		want[k].id = 0;
		want[k].type = NULL;
		pairs[PAIR(want[k].name) / 64] |= 1ULL << (PAIR(want[k].name) % 64);
	}
	for (const struct btf_type *t = next_type(btf, NULL); t && left; t = next_type(btf, t), id++) {
		const char *name = btf->strings + t->name_off;
		int kind = BTF_INFO_KIND(t->info);

		if (id % MARK_EVERY == 0 && id / MARK_EVERY == btf->nmarks && btf->nmarks < MARKS)
			btf->mark[btf->nmarks++] = t;
		if ((kind != BTF_KIND_STRUCT && kind != BTF_KIND_FUNC) || !(pairs[PAIR(name) / 64] & (1ULL << (PAIR(name) % 64))))
			continue;
		for (size_t k = 0; k < n; k++)
			if (!want[k].id && want[k].kind == kind && strcmp(name, want[k].name) == 0) {
				want[k].id = id;
				want[k].type = t;
				left--;
			}
	}
}

/* Type @id, by walking to it from the mark below it: only unnamed members need it. */
static const struct btf_type *type_by_id(const struct lxns_btf *btf, uint32_t id)
{
	uint32_t k = id / MARK_EVERY < btf->nmarks ? id / MARK_EVERY : btf->nmarks - 1;
	uint32_t i = k * MARK_EVERY;
	const struct btf_type *t = btf->mark[k];

	for (; i < id && (t = next_type(btf, t)); i++)
		;
	return id ? t : NULL;
}

/* The type behind typedefs and qualifiers. */
static const struct btf_type *resolve(const struct lxns_btf *btf, uint32_t id)
{
	for (int depth = 0; depth < 32; depth++) {
		const struct btf_type *t = type_by_id(btf, id);

		if (!t)
			return NULL;
		switch (BTF_INFO_KIND(t->info)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			continue;
		}
		return t;
	}
	return NULL;
}

/* Size of type @id (behind typedefs and qualifiers), or 0 where it has none. */
static uint32_t size_of(const struct lxns_btf *btf, uint32_t id)
{
	const struct btf_type *t = resolve(btf, id);

	if (!t)
		return 0;
	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return t->size;
	case BTF_KIND_PTR:
		return sizeof(void *);
	}
	return 0;
}

/* Named members first; unnamed structs and unions (whose members are this one's) only when
 * none has the name, since finding their types means walking the list. */
static int member(const struct lxns_btf *btf, const struct btf_type *type, const char *name, int depth,
		  uint32_t *ret_type)
{
	const struct btf_member *m = (const struct btf_member *)(type + 1);
	bool bitfields = BTF_INFO_KFLAG(type->info);
	int kind = BTF_INFO_KIND(type->info);
	uint32_t vlen = BTF_INFO_VLEN(type->info);

	if ((kind != BTF_KIND_STRUCT && kind != BTF_KIND_UNION) || depth > 8)
		return -ENOENT;
	for (int unnamed = 0; unnamed < 2; unnamed++)
		for (uint32_t i = 0; i < vlen; i++) {
			uint32_t bits = bitfields ? BTF_MEMBER_BIT_OFFSET(m[i].offset) : m[i].offset;
			const struct btf_type *inner;
			int r;

			if (m[i].name_off >= btf->strings_len)
				return -EINVAL;
			if (!unnamed && m[i].name_off && strcmp(btf->strings + m[i].name_off, name) == 0) {
				*ret_type = m[i].type;
				return bits % 8 || (bitfields && BTF_MEMBER_BITFIELD_SIZE(m[i].offset)) ? -EINVAL : (int)(bits / 8);
			}
			if (!unnamed || m[i].name_off)
				continue;
			inner = resolve(btf, m[i].type);
			r = inner ? member(btf, inner, name, depth + 1, ret_type) : -ENOENT;
			if (r != -ENOENT)
				return r < 0 ? r : r + (int)(bits / 8);
		}
	return -ENOENT;
}

int lxns__btf_member(const struct lxns_btf *btf, const struct btf_type *type, const char *name)
{
	uint32_t id;

	return type ? member(btf, type, name, 0, &id) : -ENOENT;
}

int lxns__btf_member_size(const struct lxns_btf *btf, const struct btf_type *type, const char *name)
{
	uint32_t id = 0;
	int r = type ? member(btf, type, name, 0, &id) : -ENOENT;

	if (r < 0)
		return r;
	r = (int)size_of(btf, id);
	return r ? r : -EINVAL;
}
