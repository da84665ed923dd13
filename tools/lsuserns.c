/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lsuserns: the user namespace hierarchy as a tree. */
#include <stdbool.h>

#include "lxns.h"
#include "nstool.h"

int main(int argc, char **argv)
{
	static const struct nstool tool = {
		.name = "lsuserns",
		.tree_type = LXNS_USER,
		.summary = "List the user namespaces of the system as a tree.",
		.has_details = true,
	};

	return nstool_main(&tool, argc, argv);
}
