/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The shared front end of lsuserns and lspidns: options, columns, and rendering of the
 * discovery snapshot through libsmartcols (trees, raw, JSON) or as a Graphviz graph. */
#ifndef LXNS_NSTOOL_H
#define LXNS_NSTOOL_H

struct nstool {
	const char *name;    /* program name */
	int tree_type;       /* LXNS_USER or LXNS_PID */
	const char *summary; /* one line for --help */
	bool has_details;    /* -d/--details and -t/--type: owned namespaces under each user one */
};

int nstool_main(const struct nstool *tool, int argc, char **argv);

#endif
