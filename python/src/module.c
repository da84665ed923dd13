/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxns._lxns: module definition (multi-phase init), its state, and the helpers shared by the
 * other files: errors from negative errnos, fd arguments, constants. */
#include "pylxns.h"

struct pylxns_state *pylxns_state(PyObject *module)
{
	return PyModule_GetState(module);
}

PyObject *pylxns_error(int neg)
{
	errno = -neg;
	return PyErr_SetFromErrno(PyExc_OSError);
}

PyObject *pylxns_error_path(int neg, PyObject *path)
{
	PyObject *name = path ? PyOS_FSPath(path) : NULL;

	errno = -neg;
	PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, name);
	Py_XDECREF(name);
	return NULL;
}

int pylxns_fd_converter(PyObject *obj, void *ret_fd)
{
	int fd = PyObject_AsFileDescriptor(obj);

	if (fd < 0)
		return 0;
	*(int *)ret_fd = fd;
	return 1;
}

int pylxns_add_constants(PyObject *module, const struct pylxns_const *constants)
{
	for (const struct pylxns_const *c = constants; c->name; c++)
		if (PyModule_AddIntConstant(module, c->name, c->value) < 0)
			return -1;
	return 0;
}

/* A type name ("net") as its bit; -1 with ValueError for anything else. */
int pylxns_type_of_name(PyObject *name)
{
	const char *s = PyUnicode_Check(name) ? PyUnicode_AsUTF8(name) : NULL;
	int type;

	if (!s) {
		if (!PyErr_Occurred())
			PyErr_Format(PyExc_TypeError, "a namespace type is a str, not %T", name);
		return -1;
	}
	type = lxns_type_from_name(s);
	if (type < 0) {
		PyErr_Format(PyExc_ValueError, "unknown namespace type: %R", name);
		return -1;
	}
	return type;
}

/* None (0: the library's default, all), one name, or an iterable of names, as a mask. */
int pylxns_mask_of_names(PyObject *names, int (*bit_of)(PyObject *), unsigned *ret_mask)
{
	PyObject *it, *name;
	unsigned mask = 0;

	if (names == Py_None) {
		*ret_mask = 0;
		return 0;
	}
	if (PyUnicode_Check(names)) {
		int bit = bit_of(names);

		if (bit < 0)
			return -1;
		*ret_mask = (unsigned)bit;
		return 0;
	}
	it = PyObject_GetIter(names);
	if (!it)
		return -1;
	while ((name = PyIter_Next(it))) {
		int bit = bit_of(name);

		Py_DECREF(name);
		if (bit < 0)
			break;
		mask |= (unsigned)bit;
	}
	Py_DECREF(it);
	if (PyErr_Occurred())
		return -1;
	if (mask == 0) {
		PyErr_SetString(PyExc_ValueError, "no names given (None means all)");
		return -1;
	}
	*ret_mask = mask;
	return 0;
}

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
