/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Namespaces as fds, for the classes of lxns.namespaces: opening them (from a PID, a pidfd, a
 * path, a persistent handle), handles, limits, and the library's join order. The classes own
 * the fds; library handles live only for the length of a call. */
#include <unistd.h>

#include "pylxns.h"

/* The fd of a handle just opened (result @r), taken out of it; the handle is freed. */
static PyObject *fd_of(int r, struct lxns_ns *ns, PyObject *path)
{
	PyObject *result;
	int fd;

	if (r < 0)
		return path ? pylxns_error_path(r, path) : pylxns_error(r);
	fd = lxns_ns_steal_fd(ns);
	lxns_ns_free(ns);
	result = PyLong_FromLong(fd);
	if (!result)
		close(fd);
	return result;
}

static PyObject *ns_open_pid(PyObject *module, PyObject *args)
{
	struct lxns_ns *ns = NULL;
	int pid, type, r;

	(void)module;
	if (!PyArg_ParseTuple(args, "ii:open_pid", &pid, &type))
		return NULL;
	r = lxns_ns_open_pid(pid, type, 0, &ns);
	return fd_of(r, ns, NULL);
}

static PyObject *ns_open_pidfd(PyObject *module, PyObject *args)
{
	struct lxns_ns *ns = NULL;
	int pidfd, type, r;

	(void)module;
	if (!PyArg_ParseTuple(args, "O&i:open_pidfd", pylxns_fd_converter, &pidfd, &type))
		return NULL;
	r = lxns_ns_open_pidfd(pidfd, type, 0, &ns);
	return fd_of(r, ns, NULL);
}

static PyObject *ns_open_path(PyObject *module, PyObject *args)
{
	struct lxns_ns *ns = NULL;
	PyObject *path, *bytes;
	int type, r;

	(void)module;
	if (!PyArg_ParseTuple(args, "Oi:open_path", &path, &type) || !PyUnicode_FSConverter(path, &bytes))
		return NULL;
	r = lxns_ns_open_path(PyBytes_AS_STRING(bytes), type, &ns);
	Py_DECREF(bytes);
	return fd_of(r, ns, path);
}

static PyObject *ns_handle(PyObject *module, PyObject *arg)
{
	struct lxns_handle h;
	char buf[LXNS_HANDLE_STRING_MAX];
	int fd, r;

	(void)module;
	if (!pylxns_fd_converter(arg, &fd))
		return NULL;
	r = lxns_fd_handle(fd, &h);
	if (r >= 0)
		r = lxns_handle_format(&h, buf, sizeof(buf));
	return r < 0 ? pylxns_error(r) : PyUnicode_FromString(buf);
}

static PyObject *ns_open_handle(PyObject *module, PyObject *arg)
{
	struct lxns_handle h;
	struct lxns_ns *ns = NULL;
	const char *s;
	int r;

	(void)module;
	s = PyUnicode_AsUTF8(arg);
	if (!s)
		return NULL;
	if (lxns_handle_parse(s, &h) < 0)
		return PyErr_Format(PyExc_ValueError, "not a namespace handle: %R", arg);
	r = lxns_handle_open(&h, &ns);
	return fd_of(r, ns, NULL);
}

static PyObject *ns_limit_get(PyObject *module, PyObject *arg)
{
	long limit;
	int type, r;

	(void)module;
	if (!PyArg_Parse(arg, "i:limit_get", &type))
		return NULL;
	r = lxns_limit_get(type, &limit);
	return r < 0 ? pylxns_error(r) : PyLong_FromLong(limit);
}

static PyObject *ns_limit_set(PyObject *module, PyObject *args)
{
	long limit;
	int type, r;

	(void)module;
	if (!PyArg_ParseTuple(args, "il:limit_set", &type, &limit))
		return NULL;
	r = lxns_limit_set(type, limit);
	if (r < 0)
		return pylxns_error(r);
	Py_RETURN_NONE;
}

static PyObject *ns_join_order(PyObject *module, PyObject *unused)
{
	size_t n;
	const int *order = lxns_join_order(&n);
	PyObject *t = PyTuple_New((Py_ssize_t)n);

	(void)module, (void)unused;
	for (size_t i = 0; t && i < n; i++) {
		PyObject *v = PyLong_FromLong(order[i]);

		if (!v)
			Py_CLEAR(t);
		else
			PyTuple_SET_ITEM(t, (Py_ssize_t)i, v);
	}
	return t;
}

PyMethodDef pylxns_ns_methods[] = {
	{ "open_pid", ns_open_pid, METH_VARARGS,
	  "open_pid(pid, type, /)\n--\n\nA close-on-exec fd of namespace type of process pid.\n"
	  "Raises OSError: ProcessLookupError (no such process), EINVAL (pid <= 0 or a bad type)." },
	{ "open_pidfd", ns_open_pidfd, METH_VARARGS,
	  "open_pidfd(pidfd, type, /)\n--\n\nThe same for the process a pidfd names.\nRaises "
	  "OSError: ProcessLookupError (it exited), EBADF." },
	{ "open_path", ns_open_path, METH_VARARGS,
	  "open_path(path, type, /)\n--\n\nA close-on-exec fd of the namespace file at path, "
	  "checked to be one (type 0: any).\nRaises OSError: EINVAL (not a namespace), EMEDIUMTYPE "
	  "(another type), and open(2)'s errors." },
	{ "handle", ns_handle, METH_O,
	  "handle(fd, /)\n--\n\nThe persistent handle of a namespace, as a string.\nRaises OSError: "
	  "EOPNOTSUPP (kernels before 6.18)." },
	{ "open_handle", ns_open_handle, METH_O,
	  "open_handle(handle, /)\n--\n\nA close-on-exec fd of the namespace a handle names.\n"
	  "Raises ValueError (not a handle), OSError: ESTALE (gone, or not ours to open), "
	  "EOPNOTSUPP." },
	{ "limit_get", ns_limit_get, METH_O,
	  "limit_get(type, /)\n--\n\n/proc/sys/user/max_<type>_namespaces.\nRaises OSError." },
	{ "limit_set", ns_limit_set, METH_VARARGS,
	  "limit_set(type, limit, /)\n--\n\nSet /proc/sys/user/max_<type>_namespaces.\nRaises "
	  "OSError: EINVAL (out of 0...INT_MAX), PermissionError." },
	{ "join_order", ns_join_order, METH_NOARGS,
	  "join_order()\n--\n\nEvery namespace type once, in an order suited for joining." },
	{ NULL, NULL, 0, NULL },
};
