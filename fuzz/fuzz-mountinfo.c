/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parsers of what the kernel prints about namespaces, on any line: no crash; a mount point
 * is absolute, a namespace link is exactly what the kernel's "%s:[%u]" would print. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *line = strndup((const char *)data, size), *copy, *path, text[64];
	uint64_t ino;
	int type, id;

	if (!line)
		return 0;
	if (lxns__parse_ns_link(line, &type, &ino)) {
		snprintf(text, sizeof(text), "%s:[%llu]", lxns_type_name(type), (unsigned long long)ino);
		if (strcmp(text, line) != 0)
			abort();
	}
	copy = strdup(line);
	path = copy ? lxns__mountinfo_nsfs(copy, &type, &ino) : NULL;
	if (path && (path[0] != '/' || !lxns_type_name(type) || ino == 0 || path < copy || path >= copy + size))
		abort();
	free(copy);
	copy = strdup(line);
	path = copy ? lxns__mountinfo_point(copy, &id) : NULL;
	if (path && (path[0] != '/' || path < copy || path >= copy + size || id < 0))
		abort();
	free(copy);
	free(line);
	return 0;
}
