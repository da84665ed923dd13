/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The tools' list parsers and their escaping on any string: no crash, masks of known bits only,
 * and escaped text that is printable UTF-8 with nothing that could steer a terminal. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nstool.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* Valid UTF-8 with no C0 control, DEL, C1 control, U+202A-U+202E, U+2066-U+2069. */
static void check_printable(const unsigned char *s)
{
	while (*s) {
		if (*s < 0x20 || *s == 0x7f)
			abort();
		if (*s < 0x80) {
			s++;
			continue;
		}
		size_t len = *s >= 0xf0 ? 4 : *s >= 0xe0 ? 3 : 2;
		uint32_t c = *s & (0xff >> (len + 1));
		for (size_t i = 1; i < len; i++) {
			if ((s[i] & 0xc0) != 0x80)
				abort();
			c = c << 6 | (s[i] & 0x3f);
		}
		if (c <= 0x9f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
			abort();
		s += len;
	}
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *s = strndup((const char *)data, size), out[256];
	enum col cols[COLS_MAX];
	const char *bad;
	size_t n;
	int m;

	if (!s)
		return 0;
	m = nstool_parse_types(s, &bad);
	if (m >= 0 && (m == 0 || (m & ~LXNS_ALL)))
		abort();
	m = nstool_parse_sources(s, &bad);
	if (m >= 0 && (m == 0 || (m & ~LXNS_SRC_ALL)))
		abort();
	if (nstool_parse_columns(s, cols, COLS_MAX, &n, &bad) == 0 && (n == 0 || n > COLS_MAX))
		abort();
	for (unsigned flags = 0; flags <= ESC_QUOTED; flags++) {
		nstool_escape(out, sizeof(out), s, flags);
		if (strlen(out) >= sizeof(out))
			abort();
		check_printable((const unsigned char *)out);
	}
	free(s);
	return 0;
}
