/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxns.os: thin wrappers of the namespace and mount syscalls, as python-lxns has them. The
 * relation ioctls go through the library's fd functions; unshare, setns, open_tree and
 * move_mount are called directly, because these wrappers take whatever the kernel takes
 * (CLONE_FS with unshare, 0 as a no-op, any nstype with setns, any dirfd). */
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pylxns.h"

/* Newer than the installed headers. */
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x80
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

/* The library says -EINVAL both for a file that is not a namespace and for a request its type
 * does not have (the parent of a flat type, the owner UID of a non-user namespace); the nsfs
 * ioctls say ENOTTY for the first, as python-lxns and linuxns_rel report. Tell the two apart by
 * asking the type, only once a call has failed. */
static int nsfs_result(int fd, int r)
{
	if (r == -EINVAL && lxns_fd_type(fd) == -EINVAL)
		return -ENOTTY;
	return r;
}

static PyObject *os_unshare(PyObject *module, PyObject *arg)
{
	int flags, r;

	(void)module;
	if (!PyArg_Parse(arg, "i:unshare", &flags))
		return NULL;
	Py_BEGIN_ALLOW_THREADS
	r = unshare(flags);
	Py_END_ALLOW_THREADS
	if (r < 0)
		return PyErr_SetFromErrno(PyExc_OSError);
	Py_RETURN_NONE;
}

static PyObject *os_setns(PyObject *module, PyObject *args)
{
	int fd, nstype, r;

	(void)module;
	if (!PyArg_ParseTuple(args, "O&i:setns", pylxns_fd_converter, &fd, &nstype))
		return NULL;
	Py_BEGIN_ALLOW_THREADS
	r = setns(fd, nstype);
	Py_END_ALLOW_THREADS
	if (r < 0)
		return PyErr_SetFromErrno(PyExc_OSError);
	Py_RETURN_NONE;
}

static PyObject *os_ns_get_userns(PyObject *module, PyObject *arg)
{
	int fd, r;

	(void)module;
	if (!pylxns_fd_converter(arg, &fd))
		return NULL;
	r = nsfs_result(fd, lxns_fd_owner(fd));
	return r < 0 ? pylxns_error(r) : PyLong_FromLong(r);
}

static PyObject *os_ns_get_parent(PyObject *module, PyObject *arg)
{
	int fd, r;

	(void)module;
	if (!pylxns_fd_converter(arg, &fd))
		return NULL;
	r = nsfs_result(fd, lxns_fd_parent(fd));
	return r < 0 ? pylxns_error(r) : PyLong_FromLong(r);
}

static PyObject *os_ns_get_nstype(PyObject *module, PyObject *arg)
{
	int fd, r;

	(void)module;
	if (!pylxns_fd_converter(arg, &fd))
		return NULL;
	r = nsfs_result(fd, lxns_fd_type(fd));
	return r < 0 ? pylxns_error(r) : PyLong_FromLong(r);
}

static PyObject *os_ns_get_owner_uid(PyObject *module, PyObject *arg)
{
	uid_t uid;
	int fd, r;

	(void)module;
	if (!pylxns_fd_converter(arg, &fd))
		return NULL;
	r = nsfs_result(fd, lxns_fd_owner_uid(fd, &uid));
	return r < 0 ? pylxns_error(r) : PyLong_FromUnsignedLong(uid);
}

static PyObject *os_open_tree(PyObject *module, PyObject *args, PyObject *kwargs)
{
	static char *keywords[] = { "dirfd", "path", "flags", NULL };
	PyObject *path = Py_None, *bytes = NULL, *result = NULL;
	int dirfd = AT_FDCWD, flags = 0, fd;

	(void)module;
	if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|iOi:open_tree", keywords, &dirfd, &path, &flags))
		return NULL;
	if (path != Py_None && !PyUnicode_FSConverter(path, &bytes))
		return NULL;
	Py_BEGIN_ALLOW_THREADS
	fd = (int)syscall(SYS_open_tree, dirfd, bytes ? PyBytes_AS_STRING(bytes) : NULL, (unsigned)flags);
	Py_END_ALLOW_THREADS
	if (fd < 0)
		pylxns_error_path(-errno, bytes ? path : NULL);
	else
		result = PyLong_FromLong(fd);
	Py_XDECREF(bytes);
	return result;
}

static PyObject *os_move_mount(PyObject *module, PyObject *args, PyObject *kwargs)
{
	static char *keywords[] = { "from_dirfd", "from_path", "to_dirfd", "to_path", "flags", NULL };
	PyObject *from = NULL, *to = NULL, *from_bytes = NULL, *to_bytes = NULL, *result = NULL;
	int from_dirfd = AT_FDCWD, to_dirfd = AT_FDCWD, flags = 0, r;

	(void)module;
	if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|iOiOi:move_mount", keywords, &from_dirfd, &from,
					 &to_dirfd, &to, &flags))
		return NULL;
	if ((from && !PyUnicode_FSConverter(from, &from_bytes)) ||
	    (to && !PyUnicode_FSConverter(to, &to_bytes)))
		goto out;
	Py_BEGIN_ALLOW_THREADS
	r = (int)syscall(SYS_move_mount, from_dirfd, from_bytes ? PyBytes_AS_STRING(from_bytes) : "",
			 to_dirfd, to_bytes ? PyBytes_AS_STRING(to_bytes) : "", (unsigned)flags);
	Py_END_ALLOW_THREADS
	if (r < 0)
		pylxns_error_path(-errno, to_bytes ? to : from);
	else
		result = Py_NewRef(Py_None);
out:
	Py_XDECREF(from_bytes);
	Py_XDECREF(to_bytes);
	return result;
}

PyMethodDef pylxns_os_methods[] = {
	{ "unshare", os_unshare, METH_O,
	  "unshare(flags, /)\n--\n\nunshare(2): disassociate parts of the execution context (any "
	  "CLONE_* flags; 0 does nothing).\nRaises OSError." },
	{ "setns", os_setns, METH_VARARGS,
	  "setns(fd, nstype, /)\n--\n\nsetns(2): join the namespace fd refers to (nstype 0: any "
	  "type).\nRaises OSError (EINVAL for a file that is not a namespace)." },
	{ "ns_get_userns", os_ns_get_userns, METH_O,
	  "ns_get_userns(fd, /)\n--\n\nA new close-on-exec fd of the user namespace owning the "
	  "namespace fd refers to.\nRaises OSError: ENOTTY (not a namespace), PermissionError (the "
	  "owner is outside our user namespace tree)." },
	{ "ns_get_parent", os_ns_get_parent, METH_O,
	  "ns_get_parent(fd, /)\n--\n\nA new close-on-exec fd of the parent of a user or pid "
	  "namespace.\nRaises OSError: ENOTTY (not a namespace), EINVAL (a type without parents), "
	  "PermissionError (at the top, or hidden from us)." },
	{ "ns_get_nstype", os_ns_get_nstype, METH_O,
	  "ns_get_nstype(fd, /)\n--\n\nThe CLONE_NEW* type of the namespace fd refers to.\nRaises "
	  "OSError: ENOTTY (not a namespace)." },
	{ "ns_get_owner_uid", os_ns_get_owner_uid, METH_O,
	  "ns_get_owner_uid(fd, /)\n--\n\nUID of the creator of a user namespace, in ours (the "
	  "overflow UID where it has no mapping).\nRaises OSError: ENOTTY (not a namespace), EINVAL "
	  "(not a user namespace)." },
	{ "open_tree", (PyCFunction)(void (*)(void))os_open_tree, METH_VARARGS | METH_KEYWORDS,
	  "open_tree(dirfd=AT_FDCWD, path=None, flags=0)\n--\n\nopen_tree(2): an fd of a mount "
	  "(a detached clone with OPEN_TREE_CLONE), close-on-exec only with OPEN_TREE_CLOEXEC.\n"
	  "Raises OSError." },
	{ "move_mount", (PyCFunction)(void (*)(void))os_move_mount, METH_VARARGS | METH_KEYWORDS,
	  "move_mount(from_dirfd=AT_FDCWD, from_path='', to_dirfd=AT_FDCWD, to_path='', flags=0)\n"
	  "--\n\nmove_mount(2): move or attach a mount.\nRaises OSError." },
	{ NULL, NULL, 0, NULL },
};

static const struct pylxns_const os_constants[] = {
	{ "CLONE_FILES", CLONE_FILES },
	{ "CLONE_FS", CLONE_FS },
	{ "CLONE_NEWCGROUP", CLONE_NEWCGROUP },
	{ "CLONE_NEWIPC", CLONE_NEWIPC },
	{ "CLONE_NEWNET", CLONE_NEWNET },
	{ "CLONE_NEWNS", CLONE_NEWNS },
	{ "CLONE_NEWPID", CLONE_NEWPID },
	{ "CLONE_NEWTIME", CLONE_NEWTIME },
	{ "CLONE_NEWUSER", CLONE_NEWUSER },
	{ "CLONE_NEWUTS", CLONE_NEWUTS },
	{ "CLONE_SYSVSEM", CLONE_SYSVSEM },
	{ "AT_EMPTY_PATH", AT_EMPTY_PATH },
	{ "AT_NO_AUTOMOUNT", AT_NO_AUTOMOUNT },
	{ "AT_SYMLINK_NOFOLLOW", AT_SYMLINK_NOFOLLOW },
	{ "AT_RECURSIVE", AT_RECURSIVE },
	{ "OPEN_TREE_CLOEXEC", OPEN_TREE_CLOEXEC },
	{ "OPEN_TREE_CLONE", OPEN_TREE_CLONE },
	{ "MOVE_MOUNT_F_SYMLINKS", MOVE_MOUNT_F_SYMLINKS },
	{ "MOVE_MOUNT_F_AUTOMOUNTS", MOVE_MOUNT_F_AUTOMOUNTS },
	{ "MOVE_MOUNT_F_EMPTY_PATH", MOVE_MOUNT_F_EMPTY_PATH },
	{ "MOVE_MOUNT_T_SYMLINKS", MOVE_MOUNT_T_SYMLINKS },
	{ "MOVE_MOUNT_T_EMPTY_PATH", MOVE_MOUNT_T_EMPTY_PATH },
	{ NULL, 0 },
};

int pylxns_os_exec(PyObject *module)
{
	return pylxns_add_constants(module, os_constants);
}
