/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Parsers of what the kernel prints about namespaces, which others shape in part (mount
 * points): namespace link texts and mountinfo lines. Fuzzed (fuzz/). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse.h"

bool lxns__parse_ns_link(const char *text, int *ret_type, uint64_t *ret_ino)
{
	const char *colon = strchr(text, ':'), *p;
	char name[8];
	size_t len = colon ? (size_t)(colon - text) : 0;
	uint64_t ino = 0;
	int type;

	if (!colon || len == 0 || len >= sizeof(name) || colon[1] != '[')
		return false;
	memcpy(name, text, len);
	name[len] = '\0';
	type = lxns_type_from_name(name);
	if (type < 0)
		return false;
	/* Decimal digits only, no sign, no blanks, no leading zero, no overflow, then "]" and the
	 * end: the kernel's "%s:[%u]" and nothing else. */
	if (colon[2] == '0')
		return false;
	for (p = colon + 2; *p >= '0' && *p <= '9'; p++) {
		if (ino > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return false;
		ino = ino * 10 + (uint64_t)(*p - '0');
	}
	if (p == colon + 2 || ino == 0 || p[0] != ']' || p[1] != '\0')
		return false;
	*ret_type = type;
	*ret_ino = ino;
	return true;
}

int lxns__read_ns_link(int dirfd, const char *path, int *ret_type, uint64_t *ret_ino)
{
	char buf[64];
	ssize_t n = readlinkat(dirfd, path, buf, sizeof(buf) - 1);

	if (n < 0)
		return lxns__neg_errno();
	buf[n] = '\0';
	return lxns__parse_ns_link(buf, ret_type, ret_ino) ? 0 : -EINVAL;
}

/* Undo mountinfo's octal escapes (\040 for a blank, \011, \012, \134) in place. Anything else
 * after a backslash stays as it is. */
static void unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
		    s[3] <= '7' && (s[1] != '0' || s[2] != '0' || s[3] != '0')) {
			*out++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

/* The fields of mountinfo line @line (modified in place: cut at its " - ") up to the fifth, the
 * mount point, which is returned unescaped; NULL if it has fewer or that one is not absolute. */
static char *mount_point(char *line, char **fields)
{
	/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS */
	char *save = NULL, *sep = strstr(line, " - ");
	int k = 0;

	if (!sep)
		return NULL;
	*sep = '\0';
	for (char *tok = strtok_r(line, " ", &save); tok && k < 5; tok = strtok_r(NULL, " ", &save))
		fields[k++] = tok;
	if (k < 5 || fields[4][0] != '/')
		return NULL;
	unescape(fields[4]);
	return fields[4];
}

char *lxns__mountinfo_nsfs(char *line, int *ret_type, uint64_t *ret_ino)
{
	char *fields[5], *sep = strstr(line, " - ");

	if (!sep || strncmp(sep, " - nsfs ", 8) != 0 || !mount_point(line, fields) ||
	    !lxns__parse_ns_link(fields[3], ret_type, ret_ino))
		return NULL;
	return fields[4];
}

char *lxns__mountinfo_point(char *line, int *ret_id)
{
	char *fields[5], *end;
	char *point = mount_point(line, fields);
	long id;

	if (!point)
		return NULL;
	errno = 0;
	id = strtol(fields[0], &end, 10);
	if (errno || *end || id < 0 || id > INT_MAX)
		return NULL;
	*ret_id = (int)id;
	return point;
}
