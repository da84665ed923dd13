/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The limit parser on any string: no crash, a value in range, and the same value from the
 * decimal form of what it took. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *s = strndup((const char *)data, size), text[32];
	long v, again;

	if (!s)
		return 0;
	if (lxns__parse_limit(s, &v) == 0) {
		snprintf(text, sizeof(text), "%ld", v);
		if (v < 0 || v > INT_MAX || lxns__parse_limit(text, &again) < 0 || again != v)
			abort();
	}
	free(s);
	return 0;
}
