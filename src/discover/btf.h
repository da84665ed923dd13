/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel's own type information (/sys/kernel/btf/vmlinux): where the members of its
 * structs lie, for the BPF task scan. */
#ifndef LXNS_BTF_H
#define LXNS_BTF_H

#include <linux/btf.h>

#include "internal.h"

struct lxns_btf;

/* Read the running kernel's BTF. -ENOENT without one, -EINVAL if it does not parse, -ENOMEM. */
int lxns__btf_open(struct lxns_btf **ret_btf);
void lxns__btf_free(struct lxns_btf *btf);

/* A named type to look up: a struct (BTF_KIND_STRUCT) or a function (BTF_KIND_FUNC). */
struct lxns_btf_want {
	const char *name;
	int kind;
	uint32_t id;                /* out: 0 when there is none */
	const struct btf_type *type; /* out */
};

/* Fill in @want, @n of them, in one pass over the types (ending where the last is found), which
 * also marks the way for the member lookups below. */
void lxns__btf_find(struct lxns_btf *btf, struct lxns_btf_want *want, size_t n);

/* Byte offset of member @name of struct @type (also inside unnamed struct and union members),
 * or -ENOENT: the kernel was built without it. Bit fields are -EINVAL. */
int lxns__btf_member(const struct lxns_btf *btf, const struct btf_type *type, const char *name);

/* Size in bytes of that member's type, -ENOENT as above, -EINVAL for a type without a size. */
int lxns__btf_member_size(const struct lxns_btf *btf, const struct btf_type *type, const char *name);

#endif
