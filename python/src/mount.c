/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Detached mount trees, for lxns.mount.ClonedTree. */
#include <unistd.h>

#include "pylxns.h"

static PyObject *mount_tree_clone(PyObject *module, PyObject *arg)
{
	PyObject *path, *result;
	int fd;

	(void)module;
	if (!PyUnicode_FSConverter(arg, &path))
		return NULL;
	Py_BEGIN_ALLOW_THREADS
	fd = lxns_tree_clone(PyBytes_AS_STRING(path), 0);
	Py_END_ALLOW_THREADS
	Py_DECREF(path);
	if (fd < 0)
		return pylxns_error_path(fd, arg);
	result = PyLong_FromLong(fd);
	if (!result)
		close(fd);
	return result;
}

static PyObject *mount_tree_attach(PyObject *module, PyObject *args)
{
	PyObject *target, *path;
	int fd, r;

	(void)module;
	if (!PyArg_ParseTuple(args, "iO:tree_attach", &fd, &target) ||
	    !PyUnicode_FSConverter(target, &path))
		return NULL;
	Py_BEGIN_ALLOW_THREADS
	r = lxns_tree_attach(fd, PyBytes_AS_STRING(path));
	Py_END_ALLOW_THREADS
	Py_DECREF(path);
	if (r < 0)
		return pylxns_error_path(r, target);
	Py_RETURN_NONE;
}

PyMethodDef pylxns_mount_methods[] = {
	{ "tree_clone", mount_tree_clone, METH_O,
	  "tree_clone(path, /)\n--\n\nA close-on-exec fd of a detached clone of the mount at path "
	  "(not its submounts; open_tree(2) with OPEN_TREE_CLONE); closing it unmounts the clone "
	  "unless attached.\nRaises OSError." },
	{ "tree_attach", mount_tree_attach, METH_VARARGS,
	  "tree_attach(fd, path, /)\n--\n\nAttach a detached tree at path (move_mount(2)); the fd "
	  "stays the caller's.\nRaises OSError: EINVAL (not a detached tree)." },
	{ NULL, NULL, 0, NULL },
};
