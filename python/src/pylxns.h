/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxns._lxns: the C layer of the Python front. Each source file is one concern and offers its
 * functions (a PyMethodDef table) and, where it has types or constants, an exec step that
 * module.c runs when the module is created (PEP 489). */
#ifndef PYLXNS_H
#define PYLXNS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "lxns.h"

/* Per-module state: the heap types of discover.c. */
struct pylxns_state {
	PyTypeObject *snapshot_type;
	PyTypeObject *node_type;
	PyTypeObject *stats_type;
};

struct pylxns_state *pylxns_state(PyObject *module);

/* Raise the OSError subclass for a library result @neg (a negative errno); returns NULL. The
 * _path form names @path (a path argument as given, may be NULL) in the exception, as
 * os.fspath() gives it, like the os module's errors. */
PyObject *pylxns_error(int neg);
PyObject *pylxns_error_path(int neg, PyObject *path);

/* "O&" converter: an int fd, or an object with fileno(), into an int. */
int pylxns_fd_converter(PyObject *obj, void *ret_fd);

/* Add integer constants to the module; 0 or -1 with an exception set. */
struct pylxns_const {
	const char *name;
	long value;
};
int pylxns_add_constants(PyObject *module, const struct pylxns_const *constants);

/* A type name ("net") as its LXNS_* bit; -1 with TypeError or ValueError for anything else. */
int pylxns_type_of_name(PyObject *name);

/* None (0, which the library takes as "all"), one name, or an iterable of names, as the OR of
 * what @bit_of gives for each; -1 with an exception set. */
int pylxns_mask_of_names(PyObject *names, int (*bit_of)(PyObject *), unsigned *ret_mask);

extern PyMethodDef pylxns_os_methods[];
int pylxns_os_exec(PyObject *module);

extern PyMethodDef pylxns_ns_methods[];

extern PyMethodDef pylxns_mount_methods[];

extern PyMethodDef pylxns_discover_methods[];
int pylxns_discover_exec(PyObject *module);

extern PyMethodDef pylxns_run_methods[];
int pylxns_run_exec(PyObject *module);

#endif
