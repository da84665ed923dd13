/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One escaping policy for every name the tools print: process names and mount paths that any
 * user chooses, user names, the library's log. The result is printable UTF-8: what could
 * steer a terminal or a reader (C0 and C1 controls, DEL, bidi and line-breaking format
 * characters, bytes that are not UTF-8) is shown escaped, and a backslash always, so that an
 * escape in the output is never one the name carried. Each output format then quotes that text
 * by its own rules (JSON strings, DOT strings, raw output's blanks). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "nstool.h"

/* Code points shown as \uXXXX though valid: controls of the C1 block, and format characters
 * that reorder or break the text around them (Unicode's bidi controls, the line and paragraph
 * separators, the byte order mark). */
static bool hidden_char(uint32_t c)
{
	return (c >= 0x80 && c <= 0x9f) || c == 0x061c || c == 0x200e || c == 0x200f ||
	       (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0xfeff;
}

/* Length of the valid UTF-8 sequence at @s (its code point in *ret), or 0: overlong forms,
 * surrogates and values past U+10FFFF are not valid. */
static size_t utf8_char(const unsigned char *s, uint32_t *ret)
{
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len;
	uint32_t c;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	c = s[0] & (0xff >> (len + 1));
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min[len] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*ret = c;
	return len;
}

char *nstool_escape(char *buf, size_t size, const char *s, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = 0;

	if (!size)
		return buf;
	while (*p) {
		char piece[16];
		size_t len = 1, plen;
		uint32_t c = *p;

		if (c == '\\' || (c == '"' && (flags & ESC_QUOTED)))
			plen = (size_t)snprintf(piece, sizeof(piece), "\\%c", (int)c);
		else if (c < 0x20 || c == 0x7f)
			plen = (size_t)snprintf(piece, sizeof(piece), "\\x%02x", (unsigned)c);
		else if (c < 0x80)
			plen = (size_t)snprintf(piece, sizeof(piece), "%c", (int)c);
		else if (!(len = utf8_char(p, &c)))
			len = 1, plen = (size_t)snprintf(piece, sizeof(piece), "\\x%02x", (unsigned)*p);
		else if (hidden_char(c))
			plen = (size_t)snprintf(piece, sizeof(piece), "\\u%04x", (unsigned)c);
		else
			memcpy(piece, p, len), plen = len;
		if (n + plen >= size)
			break; /* truncated, but never inside an escape or a character */
		memcpy(buf + n, piece, plen);
		n += plen;
		p += len;
	}
	buf[n] = '\0';
	return buf;
}
