/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxns._lxns: the module definition (multi-phase init, PEP 489), which gathers the other
 * files' methods and runs their exec steps. */
#include "pylxns.h"

static int module_exec(PyObject *module)
{
	static PyMethodDef *const tables[] = {
		pylxns_os_methods, pylxns_ns_methods, pylxns_mount_methods, pylxns_discover_methods,
		pylxns_run_methods,
	};

	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		if (PyModule_AddFunctions(module, tables[i]) < 0)
			return -1;
	if (PyModule_AddStringConstant(module, "__version__", LXNS_VERSION) < 0)
		return -1;
	if (pylxns_os_exec(module) < 0 || pylxns_discover_exec(module) < 0 || pylxns_run_exec(module) < 0)
		return -1;
	return 0;
}

static int module_traverse(PyObject *module, visitproc visit, void *arg)
{
	struct pylxns_state *st = pylxns_state(module);

	Py_VISIT(st->snapshot_type);
	Py_VISIT(st->node_type);
	Py_VISIT(st->stats_type);
	return 0;
}

static int module_clear(PyObject *module)
{
	struct pylxns_state *st = pylxns_state(module);

	Py_CLEAR(st->snapshot_type);
	Py_CLEAR(st->node_type);
	Py_CLEAR(st->stats_type);
	return 0;
}

static void module_free(void *module)
{
	module_clear(module);
}

static PyModuleDef_Slot module_slots[] = {
	{ Py_mod_exec, (void *)module_exec },
	{ 0, NULL },
};

static struct PyModuleDef module_def = {
	PyModuleDef_HEAD_INIT,
	.m_name = "lxns._lxns",
	.m_doc = "The C layer of the lxns Python front, over liblxns. Use the lxns and linuxns_rel "
		 "packages rather than this module.",
	.m_size = sizeof(struct pylxns_state),
	.m_slots = module_slots,
	.m_traverse = module_traverse,
	.m_clear = module_clear,
	.m_free = module_free,
};

PyMODINIT_FUNC PyInit__lxns(void);

PyMODINIT_FUNC PyInit__lxns(void)
{
	return PyModuleDef_Init(&module_def);
}
