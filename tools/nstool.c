/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <locale.h>
#include <libsmartcols.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lxns.h"
#include "nstool.h"

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

static const struct {
	const char *name;
	double whint;
	int flags;
	int json;
	const char *help;
} columns[NCOLS] = {
	[COL_DESC] = { "NAMESPACE", 0.5, 0, SCOLS_JSON_STRING, "namespace, how it was found, owner" },
	[COL_NS] = { "NS", 0.2, 0, SCOLS_JSON_STRING, "namespace as type:[inode]" },
	[COL_TYPE] = { "TYPE", 5, 0, SCOLS_JSON_STRING, "namespace type" },
	[COL_INO] = { "INO", 10, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "inode number" },
	[COL_ID] = { "ID", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "kernel namespace id (6.18+)" },
	[COL_NPROCS] = { "NPROCS", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "number of processes in it" },
	[COL_PID] = { "PID", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "lowest PID in it" },
	[COL_COMMAND] = { "COMMAND", 0.2, SCOLS_FL_TRUNC, SCOLS_JSON_STRING, "command of that PID" },
	[COL_FOUND] = { "FOUND", 0.2, 0, SCOLS_JSON_STRING, "how it was found" },
	[COL_OWNERNS] = { "OWNERNS", 0.2, 0, SCOLS_JSON_STRING, "owning user namespace" },
	[COL_UID] = { "UID", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "owner UID (of the user namespace)" },
	[COL_USER] = { "USER", 8, 0, SCOLS_JSON_STRING, "owner user name" },
	[COL_PARENT] = { "PARENT", 0.2, 0, SCOLS_JSON_STRING, "parent namespace" },
};

static const enum col default_table_columns[] = {
	COL_NS, COL_TYPE, COL_ID, COL_NPROCS, COL_PID, COL_COMMAND, COL_FOUND, COL_OWNERNS, COL_UID, COL_USER,
	COL_PARENT,
};

enum mode { MODE_TREE, MODE_RAW, MODE_JSON, MODE_DOT };

struct opts {
	enum mode mode;
	int color; /* -1 auto */
	bool noheadings, details, custom_columns;
	int owned_types; /* -t: types listed under user namespaces */
	unsigned sources;
	unsigned flags; /* LXNS_DISCOVER_* */
	enum col cols[NCOLS];
	size_t ncols;
};

static const char *const source_names[] = { "procs", "threads", "fds", "mounts", "hierarchy" };

/* "net" -> LXNS_NET; comma lists of types or sources into masks. -1 on an unknown name. */
static int parse_list(const char *list, bool sources)
{
	char *copy = strdup(list), *save = NULL;
	int mask = 0;

	if (!copy)
		return -1;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int bit = -1;

		if (!sources)
			bit = lxns_type_from_name(tok);
		else
			for (size_t i = 0; i < sizeof(source_names) / sizeof(source_names[0]); i++)
				if (strcmp(tok, source_names[i]) == 0)
					bit = 1 << i;
		if (bit < 0) {
			free(copy);
			return -1;
		}
		mask |= bit;
	}
	free(copy);
	return mask ? mask : -1;
}

static int parse_columns(const char *list, struct opts *o)
{
	char *copy = strdup(list), *save = NULL;

	if (!copy)
		return -1;
	o->ncols = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < NCOLS; i++)
			if (strcasecmp(tok, columns[i].name) == 0)
				break;
		if (i == NCOLS || o->ncols == NCOLS) {
			free(copy);
			return -1;
		}
		o->cols[o->ncols++] = (enum col)i;
	}
	free(copy);
	return o->ncols ? 0 : -1;
}

static void usage(const struct nstool *tool)
{
	printf("Usage: %s [options]\n\n%s\n\nOptions:\n", tool->name, tool->summary);
	printf(" -c, --color[=WHEN]    colorize: auto (default), always or never\n"
	       " -J, --json            JSON output, children nested\n"
	       " -r, --raw             raw output\n"
	       "     --dot             a Graphviz graph of user and PID namespaces\n"
	       " -o, --output LIST     columns to print (see below)\n"
	       " -n, --noheadings      no column headings\n"
	       " -s, --sources LIST    where to look: procs,threads,fds,mounts,hierarchy (default all)\n"
	       "     --no-bpf          read /proc only, never the BPF task iterators\n");
	if (tool->has_details)
		printf(" -d, --details         also list the namespaces each user namespace owns\n"
		       " -t, --type LIST       with -d: only these types (cgroup,ipc,mnt,net,pid,time,uts)\n");
	printf(" -h, --help            this help\n"
	       " -V, --version         version\n\nColumns:\n");
	for (size_t i = 0; i < NCOLS; i++)
		printf(" %10s  %s\n", columns[i].name, columns[i].help);
}

static int parse_options(const struct nstool *tool, int argc, char **argv, struct opts *o)
{
	enum { OPT_DOT = 256, OPT_NO_BPF };
	static const struct option longopts[] = {
		{ "color", optional_argument, NULL, 'c' }, { "json", no_argument, NULL, 'J' },
		{ "raw", no_argument, NULL, 'r' },         { "dot", no_argument, NULL, OPT_DOT },
		{ "output", required_argument, NULL, 'o' }, { "noheadings", no_argument, NULL, 'n' },
		{ "sources", required_argument, NULL, 's' }, { "details", no_argument, NULL, 'd' },
		{ "type", required_argument, NULL, 't' },  { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },     { "no-bpf", no_argument, NULL, OPT_NO_BPF },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct opts){ .mode = MODE_TREE, .color = -1, .owned_types = LXNS_ALL & ~LXNS_USER };
	opterr = 0; /* our own one-line messages */
	while ((c = getopt_long(argc, argv, "c::Jro:ns:dt:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (!optarg || strcmp(optarg, "auto") == 0)
				o->color = -1;
			else if (strcmp(optarg, "always") == 0)
				o->color = 1;
			else if (strcmp(optarg, "never") == 0)
				o->color = 0;
			else {
				fprintf(stderr, "%s: invalid --color value '%s' (auto, always, never)\n", tool->name, optarg);
				return 1;
			}
			break;
		case 'J': o->mode = MODE_JSON; break;
		case 'r': o->mode = MODE_RAW; break;
		case OPT_DOT: o->mode = MODE_DOT; break;
		case OPT_NO_BPF: o->flags |= LXNS_DISCOVER_NO_BPF; break;
		case 'n': o->noheadings = true; break;
		case 'o':
			if (parse_columns(optarg, o) < 0) {
				fprintf(stderr, "%s: unknown column in '%s' (see --help)\n", tool->name, optarg);
				return 1;
			}
			o->custom_columns = true;
			break;
		case 's': {
			int m = parse_list(optarg, true);
			if (m < 0) {
				fprintf(stderr, "%s: unknown source in '%s' (procs, threads, fds, mounts, hierarchy)\n",
					tool->name, optarg);
				return 1;
			}
			o->sources = (unsigned)m;
			break;
		}
		case 'd':
		case 't':
			if (!tool->has_details) {
				fprintf(stderr, "%s: -%c is not supported; see --help\n", tool->name, c);
				return 1;
			}
			o->details = true;
			if (c == 't') {
				int m = parse_list(optarg, false);
				if (m < 0 || (m & LXNS_USER)) {
					fprintf(stderr, "%s: invalid type list '%s'\n", tool->name, optarg);
					return 1;
				}
				o->owned_types = m;
			}
			break;
		case 'h': usage(tool); exit(0);
		case 'V': printf("%s from lxns %s\n", tool->name, LXNS_VERSION); exit(0);
		default:
			if (optopt && optopt < 256)
				fprintf(stderr, "%s: invalid option or missing argument -- '%c'; see --help\n",
					tool->name, optopt);
			else
				fprintf(stderr, "%s: unrecognized option '%s'; see --help\n", tool->name, argv[optind - 1]);
			return 1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", tool->name, argv[optind]);
		return 1;
	}
	if (!o->custom_columns) {
		if (o->mode == MODE_TREE) {
			o->cols[0] = COL_DESC;
			o->ncols = 1;
			o->noheadings = true;
		} else {
			memcpy(o->cols, default_table_columns, sizeof(default_table_columns));
			o->ncols = sizeof(default_table_columns) / sizeof(default_table_columns[0]);
		}
	}
	if (o->color < 0)
		o->color = isatty(STDOUT_FILENO);
	return 0;
}

/* --- Cell text ------------------------------------------------------------------------------ */

static void ns_name(const struct lxns_node *n, char *buf, size_t size)
{
	snprintf(buf, size, "%s:[%" PRIu64 "]", lxns_type_name(lxns_node_type(n)), lxns_node_ino(n));
}

/* The user namespace whose owner UID describes @n: itself, or its owner. */
static const struct lxns_node *uid_node(const struct lxns_node *n)
{
	return lxns_node_type(n) == LXNS_USER ? n : lxns_node_owner(n);
}

/* getpwuid() rereads the passwd database each time: remember the last few answers. */
static const char *user_name(uid_t uid, const char *fallback)
{
	static struct {
		uid_t uid;
		char name[64];
	} cache[8];
	static size_t used, next;

	for (size_t i = 0; i < used; i++)
		if (cache[i].uid == uid)
			return cache[i].name;
	struct passwd *pw = getpwuid(uid);
	size_t slot = next++ % 8;
	cache[slot].uid = uid;
	snprintf(cache[slot].name, sizeof(cache[slot].name), "%s", pw ? pw->pw_name : fallback);
	if (used < 8)
		used++;
	return cache[slot].name;
}

static void user_text(const struct lxns_node *n, char *uidbuf, size_t uidsize, char *namebuf, size_t namesize)
{
	uid_t uid;

	uidbuf[0] = namebuf[0] = '\0';
	if (!uid_node(n) || lxns_node_owner_uid(uid_node(n), &uid) < 0)
		return;
	snprintf(uidbuf, uidsize, "%u", (unsigned)uid);
	snprintf(namebuf, namesize, "%s", user_name(uid, uidbuf));
}

/* How a namespace was found, for those without a process. */
static void found_text(const struct lxns_node *n, char *buf, size_t size)
{
	unsigned how = lxns_node_found(n);
	pid_t pid = lxns_node_found_pid(n);

	if (lxns_node_nprocs(n))
		snprintf(buf, size, "process");
	else if (how & LXNS_FOUND_THREAD)
		snprintf(buf, size, "thread %d", (int)pid);
	else if (how & LXNS_FOUND_FD)
		snprintf(buf, size, "fd of pid %d", (int)pid);
	else if (how & LXNS_FOUND_MOUNT)
		snprintf(buf, size, "bind mount %s", lxns_node_mount_path(n));
	else if (how & LXNS_FOUND_CHILDREN)
		snprintf(buf, size, "%s_for_children of pid %d", lxns_type_name(lxns_node_type(n)), (int)pid);
	else
		snprintf(buf, size, "hidden");
}

/* 'process "cmd"', or how a namespace without processes was found. */
static void how_text(const struct lxns_node *n, char *buf, size_t size)
{
	if (lxns_node_nprocs(n))
		snprintf(buf, size, "process \"%s\"", lxns_node_comm(n) ? lxns_node_comm(n) : "?");
	else
		found_text(n, buf, size);
}

/* The specification's line: user:[N] process "cmd" owner alice (1000). */
static void describe(const struct lxns_node *n, int tree_type, char *buf, size_t size)
{
	char ns[48], how[4200], uid[16], user[64], owner[48] = "";
	int type = lxns_node_type(n);

	ns_name(n, ns, sizeof(ns));
	how_text(n, how, sizeof(how));
	user_text(n, uid, sizeof(uid), user, sizeof(user));
	if (type == tree_type && type != LXNS_USER && lxns_node_owner(n)) {
		ns_name(lxns_node_owner(n), owner, sizeof(owner));
		strcat(owner, " ");
	}
	if (type != tree_type) /* an owned namespace listed under its user namespace */
		snprintf(buf, size, "%s %s", ns, how);
	else if (uid[0])
		snprintf(buf, size, "%s %s owner %s%s (%s)", ns, how, owner, user, uid);
	else
		snprintf(buf, size, "%s %s", ns, how);
}

static int set_cell(struct libscols_line *ln, size_t i, enum col c, const struct lxns_node *n, int tree_type)
{
	char buf[4400] = "", other[64];
	struct lxns_ident id;

	switch (c) {
	case COL_DESC: describe(n, tree_type, buf, sizeof(buf)); break;
	case COL_NS: ns_name(n, buf, sizeof(buf)); break;
	case COL_TYPE: snprintf(buf, sizeof(buf), "%s", lxns_type_name(lxns_node_type(n))); break;
	case COL_INO: snprintf(buf, sizeof(buf), "%" PRIu64, lxns_node_ino(n)); break;
	case COL_ID:
		if (lxns_node_ident(n, &id) == 0 && id.id)
			snprintf(buf, sizeof(buf), "%" PRIu64, id.id);
		break;
	case COL_NPROCS: snprintf(buf, sizeof(buf), "%u", lxns_node_nprocs(n)); break;
	case COL_PID:
		if (lxns_node_pid(n))
			snprintf(buf, sizeof(buf), "%d", (int)lxns_node_pid(n));
		break;
	case COL_COMMAND:
		if (lxns_node_comm(n))
			snprintf(buf, sizeof(buf), "%s", lxns_node_comm(n));
		break;
	case COL_FOUND: found_text(n, buf, sizeof(buf)); break;
	case COL_OWNERNS:
		if (lxns_node_owner(n))
			ns_name(lxns_node_owner(n), buf, sizeof(buf));
		break;
	case COL_UID: user_text(n, buf, sizeof(buf), other, sizeof(other)); break;
	case COL_USER: user_text(n, other, sizeof(other), buf, sizeof(buf)); break;
	case COL_PARENT:
		if (lxns_node_parent(n))
			ns_name(lxns_node_parent(n), buf, sizeof(buf));
		break;
	case NCOLS: break;
	}
	return scols_line_set_data(ln, i, buf[0] ? buf : NULL);
}

/* --- Tables --------------------------------------------------------------------------------- */

static int add_lines(struct libscols_table *tb, struct libscols_line *parent, const struct lxns_node *n,
		     const struct nstool *tool, const struct opts *o)
{
	struct libscols_line *ln = scols_table_new_line(tb, parent);
	const struct lxns_node *k;

	if (!ln)
		return -ENOMEM;
	for (size_t i = 0; i < o->ncols; i++)
		if (set_cell(ln, i, o->cols[i], n, tool->tree_type) < 0)
			return -ENOMEM;
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
		const typeof(columns[0]) *c = &columns[o->cols[i]];
		int flags = c->flags;

		/* The first namespace column draws the tree (raw output lists it flat, with PARENT). */
		if (!tree_set && o->mode != MODE_RAW && (o->cols[i] == COL_DESC || o->cols[i] == COL_NS)) {
			flags |= SCOLS_FL_TREE;
			tree_set = true;
		}
		struct libscols_column *cl = scols_table_new_column(tb, c->name, c->whint, flags);
		if (!cl)
			goto out;
		scols_column_set_json_type(cl, c->json);
	}
	for (root = lxns_snapshot_next_root(snap, tool->tree_type, NULL); root;
	     root = lxns_snapshot_next_root(snap, tool->tree_type, root))
		if (add_lines(tb, NULL, root, tool, o) < 0)
			goto out;
	r = scols_print_table(tb) < 0 ? -EIO : 0;
out:
	scols_unref_table(tb);
	return r;
}

/* --- Graphviz ------------------------------------------------------------------------------- */

static void dot_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

static void dot_node(const struct lxns_node *n)
{
	char ns[48], how[4200], uid[16], user[64], label[4400];

	ns_name(n, ns, sizeof(ns));
	how_text(n, how, sizeof(how));
	user_text(n, uid, sizeof(uid), user, sizeof(user));
	if (lxns_node_type(n) == LXNS_USER && uid[0])
		snprintf(label, sizeof(label), "%s\n%s\nowner %s (%s)", ns, how, user, uid);
	else
		snprintf(label, sizeof(label), "%s\n%s", ns, how);
	printf("  ");
	dot_string(ns);
	printf(" [label=");
	dot_string(label);
	printf(", shape=%s%s];\n", lxns_node_type(n) == LXNS_USER ? "box" : "ellipse",
	       lxns_node_nprocs(n) ? "" : ", style=dashed");
}

static void dot_edge(const struct lxns_node *from, const struct lxns_node *to, const char *attrs)
{
	char a[48], b[48];

	ns_name(from, a, sizeof(a));
	ns_name(to, b, sizeof(b));
	printf("  ");
	dot_string(a);
	printf(" -> ");
	dot_string(b);
	printf("%s;\n", attrs);
}

static int print_dot(const struct lxns_snapshot *snap, const struct opts *o)
{
	const struct lxns_node *n;

	printf("digraph namespaces {\n  rankdir=TB;\n  node [fontname=\"monospace\", fontsize=10];\n  edge [fontname=\"monospace\", fontsize=9];\n");
	lxns_snapshot_foreach(snap, n) {
		int type = lxns_node_type(n);
		bool shown = type == LXNS_USER || type == LXNS_PID ||
			     (o->details && (type & o->owned_types));

		if (!shown)
			continue;
		dot_node(n);
		if (lxns_node_parent(n))
			dot_edge(lxns_node_parent(n), n, "");
		if (type != LXNS_USER && lxns_node_owner(n))
			dot_edge(n, lxns_node_owner(n), " [style=dashed, color=gray40, label=\"owner\"]");
	}
	printf("}\n");
	return 0;
}

/* --- main ----------------------------------------------------------------------------------- */

int nstool_main(const struct nstool *tool, int argc, char **argv)
{
	struct lxns_snapshot *snap;
	struct opts o;
	unsigned long denied, failed;
	int r;

	setlocale(LC_ALL, ""); /* line-drawing characters where the locale has them */
	r = parse_options(tool, argc, argv, &o);
	if (r)
		return r;
	/* PID namespaces are found through pid links, their owners through the hierarchy. A user
	 * namespace may be known only as the owner of another namespace, so lsuserns (and the
	 * graph, which shows both kinds with their processes) reads every type. */
	LXNS_OPTS(lxns_discover_opts, dopts, .sources = o.sources, .flags = o.flags,
		  .types = tool->tree_type == LXNS_PID && o.mode != MODE_DOT ? LXNS_PID : 0);
	r = lxns_discover(&dopts, &snap);
	if (r < 0) {
		fprintf(stderr, "%s: cannot read the namespaces of the system: %s\n", tool->name, strerror(-r));
		return 1;
	}
	r = o.mode == MODE_DOT ? print_dot(snap, &o) : print_table(snap, tool, &o);
	denied = lxns_snapshot_stat(snap, LXNS_STAT_DENIED);
	failed = lxns_snapshot_stat(snap, LXNS_STAT_FAILED);
	lxns_snapshot_free(snap);
	if (r < 0) {
		fprintf(stderr, "%s: cannot print: %s\n", tool->name, strerror(-r));
		return 1;
	}
	fflush(stdout);
	if (denied || failed)
		fprintf(stderr, "%s: %lu item(s) could not be read (permission denied), %lu failed; the view may be incomplete\n",
			tool->name, denied, failed);
	return 0;
}
