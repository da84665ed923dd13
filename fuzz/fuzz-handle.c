/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxns_handle_parse() on any string: no crash, and what it takes is exactly what
 * lxns_handle_format() writes back. */
#include <stdlib.h>
#include <string.h>

#include "lxns.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *s = strndup((const char *)data, size), text[LXNS_HANDLE_STRING_MAX];
	struct lxns_handle h;

	if (!s)
		return 0;
	if (lxns_handle_parse(s, &h) == 0 &&
	    (lxns_handle_format(&h, text, sizeof(text)) < 0 || strcmp(text, s) != 0))
		abort();
	free(s);
	return 0;
}
