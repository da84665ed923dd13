/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The run of lsuserns and lspidns: options, the discovery, the output, and one line on
 * standard error for whatever could not be seen. */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nstool.h"

/* -v: the library's messages, escaped like every other text from the system. */
static void print_log(int level, const char *message, void *userdata)
{
	char buf[2048];

	(void)level;
	fprintf(stderr, "%s: %s\n", (const char *)userdata, nstool_escape(buf, sizeof(buf), message, 0));
}

/* Append ", @what" to the note when @count is not 0. */
static void note_part(char *note, size_t size, unsigned long count, const char *what)
{
	size_t len = strlen(note);

	if (count)
		snprintf(note + len, size - len, "%s%lu %s", len ? ", " : "", count, what);
}

/* Everything that may make the view incomplete, in one line. Processes that exited during the
 * scan are not in it: their namespaces, if alive, were found through what still held them. */
static void print_note(const struct nstool *tool, const struct lxns_snapshot *snap, const struct opts *o)
{
	char note[512] = "";

	note_part(note, sizeof(note), lxns_snapshot_stat(snap, LXNS_STAT_DENIED),
		  "item(s) could not be read (permission denied)");
	note_part(note, sizeof(note), lxns_snapshot_stat(snap, LXNS_STAT_FAILED), "failed");
	note_part(note, sizeof(note), lxns_snapshot_stat(snap, LXNS_STAT_UNRESOLVED),
		  "namespace(s) with an owner or parent that could not be learned");
	note_part(note, sizeof(note), lxns_snapshot_stat(snap, LXNS_STAT_TIMED_OUT),
		  "mount namespace(s) not read before the deadline");
	if (lxns_snapshot_stat(snap, LXNS_STAT_PROC_HIDDEN))
		note_part(note, sizeof(note), 1, "/proc that hides other users' processes (hidepid)");
	if (note[0])
		fprintf(stderr, "%s: the view may be incomplete: %s%s\n", tool->name, note,
			o->verbose ? "" : "; -v says more");
}

int nstool_main(const struct nstool *tool, int argc, char **argv)
{
	struct lxns_snapshot *snap;
	struct opts o;
	int r;

	setlocale(LC_ALL, ""); /* line-drawing characters where the locale has them */
	r = nstool_options(tool, argc, argv, &o);
	if (r)
		return r;
	if (o.verbose)
		lxns_set_log(print_log, o.verbose > 1 ? LXNS_LOG_DEBUG : LXNS_LOG_INFO, (void *)tool->name);
	/* PID namespaces are found through pid links, their owners through the hierarchy. A user
	 * namespace may be known only as the owner of another namespace, so lsuserns (and the
	 * graph, which shows both kinds with their processes) reads every type. */
	LXNS_OPTS(lxns_discover_opts, dopts, .sources = o.sources, .flags = o.flags, .timeout_ms = o.timeout_ms,
		  .types = tool->tree_type == LXNS_PID && o.mode != MODE_DOT ? LXNS_PID : 0);
	r = lxns_discover(&dopts, &snap);
	if (r < 0) {
		fprintf(stderr, "%s: cannot read the namespaces of the system: %s\n", tool->name, strerror(-r));
		return 1;
	}
	r = nstool_render(snap, tool, &o);
	if (r == 0 && fflush(stdout) != 0)
		r = -EIO;
	if (r < 0) {
		fprintf(stderr, "%s: cannot print: %s\n", tool->name, strerror(-r));
		lxns_snapshot_free(snap);
		return 1;
	}
	print_note(tool, snap, &o);
	lxns_snapshot_free(snap);
	return 0;
}
