/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Running a Python callable in another process's namespaces, through lxns_run(): the library
 * forks a child that joins the target and calls back into Python there.
 *
 * Forking a Python process has a protocol (PyOS_BeforeFork() with the GIL held, fork, then
 * PyOS_AfterFork_Parent() or PyOS_AfterFork_Child()), and the GIL must be held at the fork so
 * no other thread is halfway through changing an object the child inherits. lxns_run() forks
 * and then waits, in one call; to hold the GIL for the fork yet release it for the wait, a
 * pthread_atfork() handler finishes the parent's part right after the fork and releases the
 * GIL there. The child's part is done in the callback, in the process that runs the callable
 * (the child, or the grandchild the library forks after joining a pid namespace). */
#include <pthread.h>
#include <string.h>

#include "pylxns.h"

/* A run() of this thread between PyOS_BeforeFork() and the library's fork. */
struct run_fork {
	PyThreadState *saved; /* set by the parent's fork handler when it released the GIL */
};

static _Thread_local struct run_fork *pending_fork;

static void fork_parent(void)
{
	struct run_fork *f = pending_fork;

	if (!f)
		return;
	pending_fork = NULL;
	PyOS_AfterFork_Parent();
	f->saved = PyEval_SaveThread();
}

/* The child (and a grandchild forked from it) must not take the library's later forks for
 * ours. */
static void fork_child(void)
{
	pending_fork = NULL;
}

static int fork_handlers_error;

static void register_fork_handlers(void)
{
	fork_handlers_error = pthread_atfork(NULL, fork_parent, fork_child);
}

/* In the process forked for the callable: Python's state after a fork, then the call. The
 * callable returns the bytes to hand back (lxns._run pickles the outcome). */
static int run_in_child(void *arg, void *buf, size_t size, size_t *ret_len)
{
	PyObject *fn = arg, *result;
	Py_ssize_t len;

	PyOS_AfterFork_Child();
	result = PyObject_CallNoArgs(fn);
	if (!result) {
		PyErr_WriteUnraisable(fn);
		return 1;
	}
	len = PyBytes_Check(result) ? PyBytes_GET_SIZE(result) : -1;
	if (len < 0 || (size_t)len > size) {
		Py_DECREF(result);
		return 1;
	}
	memcpy(buf, PyBytes_AS_STRING(result), (size_t)len);
	*ret_len = (size_t)len;
	Py_DECREF(result);
	return 0;
}

/* lxns_run() with the fork protocol around it. */
static int run_forked(const struct lxns_target *target, PyObject *fn, void *buf, size_t *len,
		      int *status)
{
	struct run_fork f = { NULL };
	int r;

	PyOS_BeforeFork();
	pending_fork = &f;
	r = lxns_run(target, run_in_child, fn, buf, len, status);
	pending_fork = NULL;
	if (f.saved)
		PyEval_RestoreThread(f.saved);
	else
		PyOS_AfterFork_Parent(); /* it failed before forking */
	return r;
}

/* Library handles (not owning) for the fds of a sequence of namespaces. */
static int handles_of(PyObject *namespaces, struct lxns_ns ***ret_ns, size_t *ret_n)
{
	PyObject *seq = PySequence_Fast(namespaces, "namespaces must be a sequence of namespaces");
	struct lxns_ns **ns;
	Py_ssize_t n;
	int r = 0;

	if (!seq)
		return -1;
	n = PySequence_Fast_GET_SIZE(seq);
	ns = PyMem_Calloc((size_t)n + 1, sizeof(*ns));
	if (!ns) {
		Py_DECREF(seq);
		PyErr_NoMemory();
		return -1;
	}
	for (Py_ssize_t i = 0; i < n && r == 0; i++) {
		int fd;

		if (!pylxns_fd_converter(PySequence_Fast_GET_ITEM(seq, i), &fd))
			r = -1;
		else if ((r = lxns_ns_from_fd(fd, 0, 0, &ns[i])) < 0)
			pylxns_error(r);
	}
	Py_DECREF(seq);
	if (r < 0) {
		for (Py_ssize_t i = 0; i < n; i++)
			lxns_ns_free(ns[i]);
		PyMem_Free(ns);
		return -1;
	}
	*ret_ns = ns;
	*ret_n = (size_t)n;
	return 0;
}

static PyObject *run(PyObject *module, PyObject *args, PyObject *kwargs)
{
	static char *keywords[] = { "", "", "pid", "pidfd", "namespaces", "types", NULL };
	PyObject *fn, *pid = Py_None, *pidfd = Py_None, *namespaces = Py_None, *types = Py_None;
	PyObject *result = NULL;
	struct lxns_ns **ns = NULL;
	size_t n_ns = 0, len;
	Py_ssize_t capacity;
	unsigned type_mask;
	void *buf = NULL;
	int status, r;

	(void)module;
	if (!PyArg_ParseTupleAndKeywords(args, kwargs, "On|$OOOO:run", keywords, &fn, &capacity, &pid,
					 &pidfd, &namespaces, &types))
		return NULL;
	if ((pid != Py_None) + (pidfd != Py_None) + (namespaces != Py_None) != 1)
		return PyErr_Format(PyExc_TypeError, "give exactly one of pid, pidfd and namespaces");
	if (capacity < 0)
		return PyErr_Format(PyExc_ValueError, "max_result must not be negative");
	if (pylxns_mask_of_names(types, pylxns_type_of_name, &type_mask) < 0)
		return NULL;

	LXNS_OPTS(lxns_target, target, .types = (int)type_mask);
	if (pid != Py_None && !PyArg_Parse(pid, "i", &target.pid))
		return NULL;
	if (pidfd != Py_None) {
		if (!pylxns_fd_converter(pidfd, &target.pidfd))
			return NULL;
		target.flags = LXNS_TARGET_PIDFD;
	}
	if (namespaces != Py_None) {
		if (handles_of(namespaces, &ns, &n_ns) < 0)
			return NULL;
		target.ns = ns;
		target.n_ns = n_ns;
	}

	len = (size_t)capacity;
	buf = PyMem_Malloc(len ? len : 1);
	if (!buf) {
		PyErr_NoMemory();
		goto out;
	}
	r = run_forked(&target, fn, buf, &len, &status);
	if (r < 0)
		pylxns_error(r);
	else
		result = Py_BuildValue("iy#", status, (const char *)buf, (Py_ssize_t)len);
out:
	PyMem_Free(buf);
	for (size_t i = 0; i < n_ns; i++)
		lxns_ns_free(ns[i]);
	PyMem_Free(ns);
	return result;
}

PyMethodDef pylxns_run_methods[] = {
	{ "run", (PyCFunction)(void (*)(void))run, METH_VARARGS | METH_KEYWORDS,
	  "run(fn, capacity, /, *, pid=None, pidfd=None, namespaces=None, types=None)\n--\n\n"
	  "Call fn() in a child forked inside the namespaces of a process (pid or pidfd, optionally "
	  "only the types named) or of a sequence of namespace objects; fn returns bytes, at most "
	  "capacity of them. Returns (wait status, those bytes). The GIL is released while "
	  "waiting.\nRaises TypeError (not exactly one target), OSError (joining failed: e.g. "
	  "ProcessLookupError, PermissionError)." },
	{ NULL, NULL, 0, NULL },
};

int pylxns_run_exec(PyObject *module)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	(void)module;
	pthread_once(&once, register_fork_handlers);
	if (fork_handlers_error) {
		errno = fork_handlers_error;
		PyErr_SetFromErrno(PyExc_OSError);
		return -1;
	}
	return 0;
}
