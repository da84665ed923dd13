/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The tools' command line: options, lists of types, sources and columns, --help. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "nstool.h"

static const char *const source_names[] = { "procs", "threads", "fds", "mounts", "hierarchy" };

/* Split @list at commas and call @fn on each item; stops at the first it refuses (< 0), whose
 * text is kept for *ret_bad. An empty list or item is refused. */
static int each_item(const char *list, int (*fn)(const char *item, void *arg), void *arg, const char **ret_bad)
{
	static char bad[64];
	const char *p = list;

	do {
		size_t len = strcspn(p, ",");
		char item[64];
		int r;

		if (len == 0 || len >= sizeof(item)) {
			snprintf(bad, sizeof(bad), "%.*s", (int)(len < sizeof(bad) ? len : sizeof(bad) - 1), p);
			*ret_bad = bad;
			return -1;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		r = fn(item, arg);
		if (r < 0) {
			snprintf(bad, sizeof(bad), "%s", item);
			*ret_bad = bad;
			return r;
		}
		p += len;
	} while (*p++ == ',');
	return 0;
}

static int add_type(const char *item, void *arg)
{
	int type = lxns_type_from_name(item);

	if (type < 0)
		return -1;
	*(int *)arg |= type;
	return 0;
}

static int add_source(const char *item, void *arg)
{
	for (size_t i = 0; i < sizeof(source_names) / sizeof(source_names[0]); i++)
		if (strcmp(item, source_names[i]) == 0) {
			*(int *)arg |= 1 << i;
			return 0;
		}
	return -1;
}

int nstool_parse_types(const char *list, const char **ret_bad)
{
	int mask = 0, r = each_item(list, add_type, &mask, ret_bad);

	return r < 0 ? r : mask;
}

int nstool_parse_sources(const char *list, const char **ret_bad)
{
	int mask = 0, r = each_item(list, add_source, &mask, ret_bad);

	return r < 0 ? r : mask;
}

struct col_list {
	enum col *cols;
	size_t n, max;
};

static int add_column(const char *item, void *arg)
{
	struct col_list *l = arg;

	for (size_t i = 0; i < NCOLS; i++)
		if (strcasecmp(item, nstool_columns[i].name) == 0) {
			if (l->n == l->max)
				return -E2BIG;
			l->cols[l->n++] = (enum col)i;
			return 0;
		}
	return -1;
}

int nstool_parse_columns(const char *list, enum col *cols, size_t max, size_t *ret_n, const char **ret_bad)
{
	struct col_list l = { .cols = cols, .max = max };
	int r = each_item(list, add_column, &l, ret_bad);

	if (r < 0)
		return r;
	*ret_n = l.n;
	return 0;
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
	       "     --no-bpf          read /proc only, never the BPF task iterators\n"
	       "     --timeout SECONDS give up on mounts no helper could read by then (default %g)\n"
	       " -v, --verbose         say why the scan went as it did (-vv: every item it missed)\n",
	       LXNS_DISCOVER_TIMEOUT_MS / 1000.0);
	if (tool->has_details)
		printf(" -d, --details         also list the namespaces each user namespace owns\n"
		       " -t, --type LIST       with -d: only these types (cgroup,ipc,mnt,net,pid,time,uts)\n");
	printf(" -h, --help            this help\n"
	       " -V, --version         version\n\nColumns:\n");
	for (size_t i = 0; i < NCOLS; i++)
		printf(" %10s  %s\n", nstool_columns[i].name, nstool_columns[i].help);
}

/* A list option with an unknown or empty item; @known says what the items may be. */
static void bad_item(const struct nstool *tool, const char *opt, const char *list, const char *bad, const char *what,
		     const char *known)
{
	if (bad[0])
		fprintf(stderr, "%s: %s: unknown %s '%s' in '%s' (%s)\n", tool->name, opt, what, bad, list, known);
	else
		fprintf(stderr, "%s: %s: an empty %s in '%s' (%s)\n", tool->name, opt, what, list, known);
}

/* "SECONDS" as milliseconds, 0.001 ... 3600; -1 for anything else. */
static long parse_seconds(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0.001 && v <= 3600))
		return -1;
	return (long)(v * 1000 + 0.5);
}

/* An option getopt refused: which one, and why. */
static void bad_option(const struct nstool *tool, const char *arg, int c)
{
	const char *eq = arg ? strchr(arg, '=') : NULL;

	if (c == ':')
		fprintf(stderr, "%s: option '%s' needs a value; see --help\n", tool->name, arg);
	else if (eq && strncmp(arg, "--", 2) == 0 && optopt)
		fprintf(stderr, "%s: option '%.*s' takes no value (given '%s'); see --help\n", tool->name,
			(int)(eq - arg), arg, eq + 1);
	else if (optopt && optopt < 256 && arg && arg[1] != '-')
		fprintf(stderr, "%s: unknown option '-%c'; see --help\n", tool->name, optopt);
	else
		fprintf(stderr, "%s: unknown option '%s'; see --help\n", tool->name, arg ? arg : "?");
}

int nstool_options(const struct nstool *tool, int argc, char **argv, struct opts *o)
{
	enum { OPT_DOT = 256, OPT_NO_BPF, OPT_TIMEOUT };
	static const struct option longopts[] = {
		{ "color", optional_argument, NULL, 'c' },   { "json", no_argument, NULL, 'J' },
		{ "raw", no_argument, NULL, 'r' },           { "dot", no_argument, NULL, OPT_DOT },
		{ "output", required_argument, NULL, 'o' },  { "noheadings", no_argument, NULL, 'n' },
		{ "sources", required_argument, NULL, 's' }, { "details", no_argument, NULL, 'd' },
		{ "type", required_argument, NULL, 't' },    { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },       { "no-bpf", no_argument, NULL, OPT_NO_BPF },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT }, { "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	bool custom_columns = false;
	const char *bad;
	long ms;
	int c, m;

	*o = (struct opts){ .mode = MODE_TREE, .color = -1, .owned_types = LXNS_ALL & ~LXNS_USER };
	opterr = 0; /* our own one-line messages */
	while ((c = getopt_long(argc, argv, ":c::Jro:ns:dt:hVv", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (!optarg || strcmp(optarg, "auto") == 0)
				o->color = -1;
			else if (strcmp(optarg, "always") == 0)
				o->color = 1;
			else if (strcmp(optarg, "never") == 0)
				o->color = 0;
			else {
				fprintf(stderr, "%s: --color: unknown value '%s' (auto, always, never)\n", tool->name, optarg);
				return 1;
			}
			break;
		case 'J': o->mode = MODE_JSON; break;
		case 'r': o->mode = MODE_RAW; break;
		case OPT_DOT: o->mode = MODE_DOT; break;
		case OPT_NO_BPF: o->flags |= LXNS_DISCOVER_NO_BPF; break;
		case 'n': o->noheadings = true; break;
		case 'v': o->verbose++; break;
		case 'o':
			m = nstool_parse_columns(optarg, o->cols, COLS_MAX, &o->ncols, &bad);
			if (m == -E2BIG) {
				fprintf(stderr, "%s: -o: more than %d columns in '%s'\n", tool->name, COLS_MAX, optarg);
				return 1;
			}
			if (m < 0) {
				bad_item(tool, "-o", optarg, bad, "column", "see --help");
				return 1;
			}
			custom_columns = true;
			break;
		case 's':
			m = nstool_parse_sources(optarg, &bad);
			if (m < 0) {
				bad_item(tool, "-s", optarg, bad, "source", "procs, threads, fds, mounts, hierarchy");
				return 1;
			}
			o->sources = (unsigned)m;
			break;
		case OPT_TIMEOUT:
			ms = parse_seconds(optarg);
			if (ms < 0) {
				fprintf(stderr, "%s: --timeout: '%s' is not a number of seconds from 0.001 to 3600\n",
					tool->name, optarg);
				return 1;
			}
			o->timeout_ms = (unsigned)ms;
			break;
		case 'd':
		case 't':
			if (!tool->has_details) {
				fprintf(stderr, "%s: -%c is not supported; see --help\n", tool->name, c);
				return 1;
			}
			o->details = true;
			if (c == 't') {
				m = nstool_parse_types(optarg, &bad);
				if (m < 0 || (m & LXNS_USER)) {
					bad_item(tool, "-t", optarg, m < 0 ? bad : "user", "type",
						 "cgroup, ipc, mnt, net, pid, time, uts");
					return 1;
				}
				o->owned_types = m;
			}
			break;
		case 'h': usage(tool); exit(0);
		case 'V': printf("%s from lxns %s\n", tool->name, LXNS_VERSION); exit(0);
		default:
			bad_option(tool, argv[optind - 1], c);
			return 1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'; see --help\n", tool->name, argv[optind]);
		return 1;
	}
	if (!custom_columns) {
		static const enum col table[] = {
			COL_NS, COL_TYPE, COL_ID, COL_NPROCS, COL_PID, COL_COMMAND, COL_FOUND, COL_OWNERNS, COL_UID,
			COL_USER, COL_PARENT,
		};
		if (o->mode == MODE_TREE) {
			o->cols[0] = COL_DESC;
			o->ncols = 1;
			o->noheadings = true;
		} else {
			memcpy(o->cols, table, sizeof(table));
			o->ncols = sizeof(table) / sizeof(table[0]);
		}
	}
	if (o->color < 0)
		o->color = isatty(STDOUT_FILENO);
	return 0;
}
