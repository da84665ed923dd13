/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxns._lxns: the helpers the other files share: module state, errors from negative errnos,
 * fd arguments, constants, type names. */
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

