/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lspidns: the PID namespace hierarchy as a tree, with each one's owning user namespace. */
#include <stdbool.h>

#include "lxns.h"
#include "nstool.h"

int main(int argc, char **argv)
{
	static const struct nstool tool = {
		.name = "lspidns",
		.tree_type = LXNS_PID,
		.summary = "List the PID namespaces of the system as a tree, with their owners.",
	};

	return nstool_main(&tool, argc, argv);
}
