/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The shared front end of lsuserns and lspidns: options (options.c), the text of each column
 * (cells.c) in one escaping policy (escape.c), rendering through libsmartcols or as a Graphviz
 * graph (render.c), and the run itself (nstool.c). */
#ifndef LXNS_NSTOOL_H
#define LXNS_NSTOOL_H

#include <stdbool.h>
#include <stddef.h>

#include "lxns.h"

struct nstool {
	const char *name;    /* program name */
	int tree_type;       /* LXNS_USER or LXNS_PID */
	const char *summary; /* one line for --help */
	bool has_details;    /* -d/--details and -t/--type: owned namespaces under each user one */
};

/* --- Columns (cells.c) ---------------------------------------------------------------------- */

enum col {
	COL_DESC,
	COL_NS,
	COL_TYPE,
	COL_INO,
	COL_ID,
	COL_NPROCS,
	COL_PID,
	COL_COMMAND,
	COL_FOUND,
	COL_OWNERNS,
	COL_UID,
	COL_USER,
	COL_PARENT,
	NCOLS
};

struct column {
	const char *name;
	double whint;
	int flags;    /* SCOLS_FL_* */
	int json;     /* SCOLS_JSON_* */
	const char *help;
};
extern const struct column nstool_columns[NCOLS];

/* Text of column @c for node @n in a tree of @tree_type, escaped, into @buf ("" for none). */
void nstool_cell(enum col c, const struct lxns_node *n, int tree_type, char *buf, size_t size);

/* "type:[inode]" of a node. */
void nstool_ns_name(const struct lxns_node *n, char *buf, size_t size);

/* The parts of a DOT node's label: the namespace, how it was found, its owner (or ""). */
void nstool_label_parts(const struct lxns_node *n, char *how, size_t how_size, char *owner, size_t owner_size);

/* --- Escaping (escape.c) -------------------------------------------------------------------- */

#define ESC_QUOTED 0x1 /* the text stands between double quotes: escape them too */

/* @s as printable UTF-8 into @buf (@size bytes, NUL-terminated, truncated between characters):
 * C0 controls, DEL and bytes that are not UTF-8 as \xHH, C1 controls and the format characters
 * that reorder or break text (bidi controls, U+2028/9, U+FEFF) as \uHHHH, a backslash as \\.
 * NULL reads as "". Returns @buf. */
char *nstool_escape(char *buf, size_t size, const char *s, unsigned flags);

/* --- Options (options.c) -------------------------------------------------------------------- */

enum mode { MODE_TREE, MODE_RAW, MODE_JSON, MODE_DOT };

#define COLS_MAX 64 /* columns -o may name, repeats included */

struct opts {
	enum mode mode;
	int color; /* -1 auto */
	bool noheadings, details;
	int verbose;       /* -v: 1 the library's info messages, 2 (-vv) its debug messages too */
	int owned_types;   /* -t: types listed under user namespaces */
	unsigned sources;
	unsigned flags;    /* LXNS_DISCOVER_* */
	unsigned timeout_ms;
	enum col cols[COLS_MAX];
	size_t ncols;
};

/* Parse the command line into @o. 0, or 1 after a one-line message naming the option and the
 * value that is wrong; --help and --version print and exit 0. */
int nstool_options(const struct nstool *tool, int argc, char **argv, struct opts *o);

/* The list parsers (fuzzed): a comma list of type names or of sources into a mask; of column
 * names into @cols (at most @max). -1 for an empty or bad list, with the bad item in *ret_bad
 * (a pointer into a static copy, "" for an empty item); -E2BIG for too many columns. */
int nstool_parse_types(const char *list, const char **ret_bad);
int nstool_parse_sources(const char *list, const char **ret_bad);
int nstool_parse_columns(const char *list, enum col *cols, size_t max, size_t *ret_n, const char **ret_bad);

/* --- Rendering (render.c) ------------------------------------------------------------------- */

/* Print the snapshot as the options say. 0 or -errno. */
int nstool_render(const struct lxns_snapshot *snap, const struct nstool *tool, const struct opts *o);

/* --- The run (nstool.c) --------------------------------------------------------------------- */

int nstool_main(const struct nstool *tool, int argc, char **argv);

#endif
