/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Printing a snapshot: trees, raw and JSON through libsmartcols, or a Graphviz graph. The text
 * handed to either is already escaped (cells.c); each format then quotes it by its own rules. */
#include <errno.h>
#include <libsmartcols.h>
#include <stdio.h>
#include <string.h>

#include "nstool.h"

/* Cells are escaped by us: libsmartcols must not encode our backslashes and quotes again in
 * the text tree. Raw output has its own rule for blanks and backslashes on top; JSON its own. */
#define SAFE_CHARS "\\\""

static int add_lines(struct libscols_table *tb, struct libscols_line *parent, const struct lxns_node *n,
		     const struct nstool *tool, const struct opts *o)
{
	struct libscols_line *ln = scols_table_new_line(tb, parent);
	const struct lxns_node *k;
	char buf[8192];

	if (!ln)
		return -ENOMEM;
	for (size_t i = 0; i < o->ncols; i++) {
		nstool_cell(o->cols[i], n, tool->tree_type, buf, sizeof(buf));
		if (scols_line_set_data(ln, i, buf[0] ? buf : NULL) < 0)
			return -ENOMEM;
	}
	if (o->color && !lxns_node_nprocs(n))
		scols_line_set_color(ln, lxns_node_found(n) == LXNS_FOUND_HIERARCHY ? "darkgray" : "yellow");
	if (o->details && lxns_node_type(n) == LXNS_USER)
		lxns_node_foreach_owned(n, k)
			if ((lxns_node_type(k) & o->owned_types) && add_lines(tb, ln, k, tool, o) < 0)
				return -ENOMEM;
	/* An owned namespace listed under its user namespace stands alone: its own children (pid
	 * namespaces) are listed under the user namespaces that own them. */
	if (lxns_node_type(n) == tool->tree_type)
		lxns_node_foreach_child(n, k)
			if (add_lines(tb, ln, k, tool, o) < 0)
				return -ENOMEM;
	return 0;
}

static int print_table(const struct lxns_snapshot *snap, const struct nstool *tool, const struct opts *o)
{
	struct libscols_table *tb = scols_new_table();
	const struct lxns_node *root;
	bool tree_set = false;
	int r = -ENOMEM;

	if (!tb)
		return -ENOMEM;
	scols_table_enable_json(tb, o->mode == MODE_JSON);
	scols_table_enable_raw(tb, o->mode == MODE_RAW);
	scols_table_enable_noheadings(tb, o->noheadings);
	scols_table_enable_colors(tb, o->color);
	scols_table_set_name(tb, "namespaces");
	for (size_t i = 0; i < o->ncols; i++) {
		const struct column *c = &nstool_columns[o->cols[i]];
		int flags = c->flags;

		/* The first namespace column draws the tree (raw output lists it flat, with PARENT). */
		if (!tree_set && o->mode != MODE_RAW && (o->cols[i] == COL_DESC || o->cols[i] == COL_NS)) {
			flags |= SCOLS_FL_TREE;
			tree_set = true;
		}
		struct libscols_column *cl = scols_table_new_column(tb, c->name, c->whint, flags);
		if (!cl || scols_column_set_safechars(cl, SAFE_CHARS) < 0)
			goto out;
		scols_column_set_json_type(cl, c->json);
	}
	for (root = lxns_snapshot_next_root(snap, tool->tree_type, NULL); root;
	     root = lxns_snapshot_next_root(snap, tool->tree_type, root))
		if (add_lines(tb, NULL, root, tool, o) < 0)
			goto out;
	/* What would be listed under an owner that could not be learned stands at the top. */
	if (o->details)
		lxns_snapshot_foreach(snap, root) {
			struct lxns_node *owner;

			if ((lxns_node_type(root) & o->owned_types) && lxns_node_get_owner(root, &owner) == -ENODATA &&
			    add_lines(tb, NULL, root, tool, o) < 0)
				goto out;
		}
	r = scols_print_table(tb) < 0 ? -EIO : 0;
out:
	scols_unref_table(tb);
	return r;
}

/* A DOT string of escaped text: its quotes and backslashes escaped once more, as DOT wants.
 * @lines are joined by DOT's line breaks. */
static void dot_string(const char *const *lines, size_t n)
{
	putchar('"');
	for (size_t i = 0; i < n; i++) {
		if (!lines[i][0])
			continue;
		if (i)
			fputs("\\n", stdout);
		for (const char *s = lines[i]; *s; s++) {
			if (*s == '"' || *s == '\\')
				putchar('\\');
			putchar(*s);
		}
	}
	putchar('"');
}

static void dot_node(const struct lxns_node *n)
{
	char ns[48], how[4400], owner[128];
	const char *name[] = { ns }, *label[] = { ns, how, owner };

	nstool_ns_name(n, ns, sizeof(ns));
	nstool_label_parts(n, how, sizeof(how), owner, sizeof(owner));
	printf("  ");
	dot_string(name, 1);
	printf(" [label=");
	dot_string(label, 3);
	printf(", shape=%s%s];\n", lxns_node_type(n) == LXNS_USER ? "box" : "ellipse",
	       lxns_node_nprocs(n) ? "" : ", style=dashed");
}

static void dot_edge(const struct lxns_node *from, const struct lxns_node *to, const char *attrs)
{
	char a[48], b[48];
	const char *pa[] = { a }, *pb[] = { b };

	nstool_ns_name(from, a, sizeof(a));
	nstool_ns_name(to, b, sizeof(b));
	printf("  ");
	dot_string(pa, 1);
	printf(" -> ");
	dot_string(pb, 1);
	printf("%s;\n", attrs);
}

static int print_dot(const struct lxns_snapshot *snap, const struct opts *o)
{
	const struct lxns_node *n;

	printf("digraph namespaces {\n  rankdir=TB;\n  node [fontname=\"monospace\", fontsize=10];\n"
	       "  edge [fontname=\"monospace\", fontsize=9];\n");
	lxns_snapshot_foreach(snap, n) {
		int type = lxns_node_type(n);
		bool shown = type == LXNS_USER || type == LXNS_PID || (o->details && (type & o->owned_types));

		if (!shown)
			continue;
		dot_node(n);
		if (lxns_node_parent(n))
			dot_edge(lxns_node_parent(n), n, "");
		if (type != LXNS_USER && lxns_node_owner(n))
			dot_edge(n, lxns_node_owner(n), " [style=dashed, color=gray40, label=\"owner\"]");
	}
	printf("}\n");
	return ferror(stdout) ? -EIO : 0;
}

int nstool_render(const struct lxns_snapshot *snap, const struct nstool *tool, const struct opts *o)
{
	return o->mode == MODE_DOT ? print_dot(snap, o) : print_table(snap, tool, o);
}
