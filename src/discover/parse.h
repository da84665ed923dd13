/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Parsers of namespace link texts and mountinfo lines (parse.c). */
#ifndef LXNS_PARSE_H
#define LXNS_PARSE_H

#include "internal.h"

/* "net:[4026531833]" -> LXNS_NET, 4026531833. False for any other text (also a bad number). */
bool lxns__parse_ns_link(const char *text, int *ret_type, uint64_t *ret_ino);

/* readlinkat() of a namespace link, parsed. 0, or -errno (-EINVAL: not a namespace link). */
int lxns__read_ns_link(int dirfd, const char *path, int *ret_type, uint64_t *ret_ino);

/* If @line (one mountinfo line without its newline; modified in place) is an nsfs mount, its
 * mount point (unescaped, in place: absolute, with any byte but NUL) and the namespace it holds
 * in *ret_type and *ret_ino; else NULL. */
char *lxns__mountinfo_nsfs(char *line, int *ret_type, uint64_t *ret_ino);

/* The mount point of mountinfo line @line (modified in place; unescaped: absolute, with any
 * byte but NUL) and its mount ID in *ret_id, or NULL for a line that is not one. */
char *lxns__mountinfo_point(char *line, int *ret_id);

#endif
