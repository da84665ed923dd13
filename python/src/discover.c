/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Discovery: lxns.discover() and its snapshot. A Snapshot owns the library's snapshot; a Node
 * is a view of one of its nodes and keeps the Snapshot alive (nodes never refer back, so there
 * are no cycles and a snapshot is freed as soon as nothing uses it). Nodes are made when asked
 * for; two views of the same node compare equal.
 *
 * Names follow the tools: types as /proc/PID/ns/ spells them, sources as lsuserns -s takes them,
 * ways of finding as LXNS_FOUND_* names them. comm and mount paths are bytes a process chose:
 * they come as str decoded like file names (os.fsdecode: UTF-8, undecodable bytes as lone
 * surrogates), so os.fsencode() gives the kernel's bytes back. */
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <unistd.h>

#include "pylxns.h"

typedef struct {
	PyObject_HEAD
	struct lxns_snapshot *snap;
	PyTypeObject *node_type;
	PyTypeObject *stats_type;
} SnapshotObject;

typedef struct {
	PyObject_HEAD
	SnapshotObject *owner;
	struct lxns_node *node;
} NodeObject;

struct name_bit {
	const char *name;
	unsigned bit;
};

static const struct name_bit source_names[] = {
	{ "procs", LXNS_SRC_PROCS },   { "threads", LXNS_SRC_THREADS },
	{ "fds", LXNS_SRC_FDS },       { "mounts", LXNS_SRC_MOUNTS },
	{ "hierarchy", LXNS_SRC_HIERARCHY }, { NULL, 0 },
};

static const struct name_bit found_names[] = {
	{ "process", LXNS_FOUND_PROCESS }, { "thread", LXNS_FOUND_THREAD },
	{ "fd", LXNS_FOUND_FD },           { "mount", LXNS_FOUND_MOUNT },
	{ "hierarchy", LXNS_FOUND_HIERARCHY }, { "children", LXNS_FOUND_CHILDREN },
	{ NULL, 0 },
};

/* ---------------------------------------------------------------------------------------------
 * Options
 */

static int source_of_name(PyObject *name)
{
	const char *s = PyUnicode_Check(name) ? PyUnicode_AsUTF8(name) : NULL;

	if (!s) {
		if (!PyErr_Occurred())
			PyErr_Format(PyExc_TypeError, "a source is a str, not %T", name);
		return -1;
	}
	for (const struct name_bit *n = source_names; n->name; n++)
		if (strcmp(n->name, s) == 0)
			return (int)n->bit;
	PyErr_Format(PyExc_ValueError, "unknown source: %R (procs, threads, fds, mounts, hierarchy)",
		     name);
	return -1;
}

/* Seconds (None: the library's default) as milliseconds. */
static int timeout_ms(PyObject *timeout, unsigned *ret_ms)
{
	double s, ms;

	if (timeout == Py_None) {
		*ret_ms = 0;
		return 0;
	}
	s = PyFloat_AsDouble(timeout);
	if (s == -1.0 && PyErr_Occurred())
		return -1;
	ms = ceil(s * 1000.0);
	if (!(ms >= 1.0 && ms <= (double)UINT_MAX)) {
		PyErr_Format(PyExc_ValueError, "timeout must be a positive number of seconds, not %R",
			     timeout);
		return -1;
	}
	*ret_ms = (unsigned)ms;
	return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Nodes
 */

static PyObject *node_new(SnapshotObject *owner, struct lxns_node *node)
{
	NodeObject *self;

	if (!node)
		Py_RETURN_NONE;
	self = (NodeObject *)owner->node_type->tp_alloc(owner->node_type, 0);
	if (!self)
		return NULL;
	self->owner = (SnapshotObject *)Py_NewRef(owner);
	self->node = node;
	return (PyObject *)self;
}

static void node_dealloc(NodeObject *self)
{
	PyTypeObject *tp = Py_TYPE(self);

	Py_DECREF(self->owner);
	tp->tp_free(self);
	Py_DECREF(tp);
}

/* One walk of the library, next(container, prev) from prev = NULL, as a tuple of nodes. */
typedef struct lxns_node *(*walk_fn)(const void *container, int type, const struct lxns_node *prev);

static struct lxns_node *walk_all(const void *snap, int type, const struct lxns_node *prev)
{
	(void)type;
	return lxns_snapshot_next(snap, prev);
}

static struct lxns_node *walk_roots(const void *snap, int type, const struct lxns_node *prev)
{
	return lxns_snapshot_next_root(snap, type, prev);
}

static struct lxns_node *walk_children(const void *node, int type, const struct lxns_node *prev)
{
	(void)type;
	return lxns_node_next_child(node, prev);
}

static struct lxns_node *walk_owned(const void *node, int type, const struct lxns_node *prev)
{
	(void)type;
	return lxns_node_next_owned(node, prev);
}

static PyObject *collect(SnapshotObject *owner, walk_fn next, const void *container, int type)
{
	PyObject *list = PyList_New(0), *tuple;

	if (!list)
		return NULL;
	for (struct lxns_node *n = next(container, type, NULL); n; n = next(container, type, n)) {
		PyObject *node = node_new(owner, n);

		if (!node || PyList_Append(list, node) < 0) {
			Py_XDECREF(node);
			Py_DECREF(list);
			return NULL;
		}
		Py_DECREF(node);
	}
	tuple = PyList_AsTuple(list);
	Py_DECREF(list);
	return tuple;
}

/* Text the kernel holds as bytes, decoded as a file name; None for NULL. */
static PyObject *fs_text(const char *s)
{
	if (!s)
		Py_RETURN_NONE;
	return PyUnicode_DecodeFSDefault(s);
}

/* A positive number, or None for the library's 0 ("none"). */
static PyObject *positive_or_none(unsigned long long v)
{
	if (!v)
		Py_RETURN_NONE;
	return PyLong_FromUnsignedLongLong(v);
}

static PyObject *node_type(NodeObject *self, void *closure)
{
	(void)closure;
	return PyUnicode_FromString(lxns_type_name(lxns_node_type(self->node)));
}

static PyObject *node_ino(NodeObject *self, void *closure)
{
	(void)closure;
	return PyLong_FromUnsignedLongLong(lxns_node_ino(self->node));
}

static PyObject *node_id(NodeObject *self, void *closure)
{
	struct lxns_ident ident;

	(void)closure;
	if (lxns_node_ident(self->node, &ident) < 0)
		Py_RETURN_NONE;
	return positive_or_none(ident.id);
}

static PyObject *node_parent(NodeObject *self, void *closure)
{
	(void)closure;
	return node_new(self->owner, lxns_node_parent(self->node));
}

static PyObject *node_owner(NodeObject *self, void *closure)
{
	(void)closure;
	return node_new(self->owner, lxns_node_owner(self->node));
}

static PyObject *node_get_parent(NodeObject *self, PyObject *unused)
{
	struct lxns_node *n;
	int r = lxns_node_get_parent(self->node, &n);

	(void)unused;
	return r < 0 ? pylxns_error(r) : node_new(self->owner, n);
}

static PyObject *node_get_owner(NodeObject *self, PyObject *unused)
{
	struct lxns_node *n;
	int r = lxns_node_get_owner(self->node, &n);

	(void)unused;
	return r < 0 ? pylxns_error(r) : node_new(self->owner, n);
}

static PyObject *node_children(NodeObject *self, void *closure)
{
	(void)closure;
	return collect(self->owner, walk_children, self->node, 0);
}

static PyObject *node_owned(NodeObject *self, void *closure)
{
	(void)closure;
	return collect(self->owner, walk_owned, self->node, 0);
}

static PyObject *node_nprocs(NodeObject *self, void *closure)
{
	(void)closure;
	return PyLong_FromUnsignedLong(lxns_node_nprocs(self->node));
}

static PyObject *node_pid(NodeObject *self, void *closure)
{
	(void)closure;
	return positive_or_none((unsigned long long)lxns_node_pid(self->node));
}

static PyObject *node_comm(NodeObject *self, void *closure)
{
	(void)closure;
	return fs_text(lxns_node_comm(self->node));
}

static PyObject *node_found(NodeObject *self, void *closure)
{
	unsigned found = lxns_node_found(self->node);
	PyObject *set = PyFrozenSet_New(NULL);

	(void)closure;
	for (const struct name_bit *n = found_names; set && n->name; n++) {
		PyObject *name;

		if (!(found & n->bit))
			continue;
		name = PyUnicode_FromString(n->name);
		if (!name || PySet_Add(set, name) < 0)
			Py_CLEAR(set);
		Py_XDECREF(name);
	}
	return set;
}

static PyObject *node_found_pid(NodeObject *self, void *closure)
{
	(void)closure;
	return positive_or_none((unsigned long long)lxns_node_found_pid(self->node));
}

static PyObject *node_mount_path(NodeObject *self, void *closure)
{
	(void)closure;
	return fs_text(lxns_node_mount_path(self->node));
}

static PyObject *node_mount_ns(NodeObject *self, void *closure)
{
	(void)closure;
	return node_new(self->owner, lxns_node_mount_ns(self->node));
}

static PyObject *node_owner_uid(NodeObject *self, void *closure)
{
	uid_t uid;

	(void)closure;
	if (lxns_node_owner_uid(self->node, &uid) < 0)
		Py_RETURN_NONE;
	return PyLong_FromUnsignedLong(uid);
}

/* The namespace again, as an object of its lxns.namespaces class. */
static PyObject *node_open(NodeObject *self, PyObject *unused)
{
	struct lxns_ns *ns;
	PyObject *namespaces, *result = NULL;
	int fd, r;

	(void)unused;
	r = lxns_node_open(self->node, &ns);
	if (r < 0)
		return pylxns_error(r);
	fd = lxns_ns_steal_fd(ns);
	lxns_ns_free(ns);
	namespaces = PyImport_ImportModule("lxns.namespaces");
	if (namespaces) {
		result = PyObject_CallMethod(namespaces, "_adopt", "i", fd);
		Py_DECREF(namespaces);
	} else {
		close(fd);
	}
	return result;
}

static PyObject *node_repr(NodeObject *self)
{
	return PyUnicode_FromFormat("<lxns.Node %s:[%llu]>", lxns_type_name(lxns_node_type(self->node)),
				    (unsigned long long)lxns_node_ino(self->node));
}

static PyObject *node_richcompare(PyObject *a, PyObject *b, int op)
{
	bool same;

	if (!Py_IS_TYPE(b, Py_TYPE(a)) || (op != Py_EQ && op != Py_NE))
		Py_RETURN_NOTIMPLEMENTED;
	same = ((NodeObject *)a)->node == ((NodeObject *)b)->node &&
	       ((NodeObject *)a)->owner == ((NodeObject *)b)->owner;
	return PyBool_FromLong(op == Py_EQ ? same : !same);
}

static Py_hash_t node_hash(NodeObject *self)
{
	Py_hash_t h = (Py_hash_t)((uintptr_t)self->node >> 4);

	return h == -1 ? -2 : h;
}

static PyGetSetDef node_getset[] = {
	{ "type", (getter)node_type, NULL, "Type name, as /proc/PID/ns/ spells it (\"net\").", NULL },
	{ "ino", (getter)node_ino, NULL, "Inode number: the N of \"net:[N]\".", NULL },
	{ "id", (getter)node_id, NULL, "The kernel's 64-bit namespace id; None before Linux 6.18.",
	  NULL },
	{ "parent", (getter)node_parent, NULL,
	  "Parent (user and pid namespaces), or None: at the top, for the other types, and where it "
	  "is not in the snapshot or could not be learned (get_parent() tells which).", NULL },
	{ "owner", (getter)node_owner, NULL,
	  "Owning user namespace (for a user namespace, its parent), or None as for parent "
	  "(get_owner() tells which).", NULL },
	{ "children", (getter)node_children, NULL,
	  "Child namespaces of a user or pid namespace, by inode (a tuple).", NULL },
	{ "owned", (getter)node_owned, NULL,
	  "Namespaces of other types a user namespace owns, by type then inode (a tuple).", NULL },
	{ "nprocs", (getter)node_nprocs, NULL, "Processes in it (for pid and time: their own).", NULL },
	{ "pid", (getter)node_pid, NULL, "The lowest of those PIDs, or None.", NULL },
	{ "comm", (getter)node_comm, NULL,
	  "Command name of that process (str as os.fsdecode() gives it), or None.", NULL },
	{ "found", (getter)node_found, NULL,
	  "How it was found, a frozenset of: process, thread, fd, mount, hierarchy, children.", NULL },
	{ "found_pid", (getter)node_found_pid, NULL,
	  "The thread, the holder of an fd, or the process whose pid/time_for_children it is; or "
	  "None.", NULL },
	{ "mount_path", (getter)node_mount_path, NULL,
	  "Path of a bind mount of it, as seen in mount_ns (str as os.fsdecode() gives it), or None.",
	  NULL },
	{ "mount_ns", (getter)node_mount_ns, NULL, "The mount namespace of mount_path, or None.", NULL },
	{ "owner_uid", (getter)node_owner_uid, NULL,
	  "UID of the creator of a user namespace, in ours; None for other types or when unreadable.",
	  NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static PyMethodDef node_methods[] = {
	{ "get_parent", (PyCFunction)node_get_parent, METH_NOARGS,
	  "get_parent()\n--\n\nThe parent node.\nRaises PermissionError (at the top: none we may "
	  "see), OSError EINVAL (a type without parents), FileNotFoundError (it exists but the "
	  "snapshot does not hold it: sources without hierarchy), OSError ENODATA (it could not be "
	  "learned; counted in stats.unresolved)." },
	{ "get_owner", (PyCFunction)node_get_owner, METH_NOARGS,
	  "get_owner()\n--\n\nThe owning user namespace node. Raises as get_parent() does." },
	{ "open", (PyCFunction)node_open, METH_NOARGS,
	  "open()\n--\n\nOpen the namespace again, as an lxns.namespaces object (close it).\nRaises "
	  "OSError: ESTALE (gone), PermissionError, EOPNOTSUPP (found only through the hierarchy, "
	  "or as a mount in another mount namespace, before Linux 6.18)." },
	{ NULL, NULL, 0, NULL },
};

static PyType_Slot node_slots[] = {
	{ Py_tp_doc, "One namespace of a Snapshot. Relations are Nodes of the same snapshot." },
	{ Py_tp_dealloc, node_dealloc },
	{ Py_tp_repr, node_repr },
	{ Py_tp_richcompare, node_richcompare },
	{ Py_tp_hash, node_hash },
	{ Py_tp_getset, node_getset },
	{ Py_tp_methods, node_methods },
	{ 0, NULL },
};

static PyType_Spec node_spec = {
	.name = "lxns.Node",
	.basicsize = sizeof(NodeObject),
	.flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION | Py_TPFLAGS_IMMUTABLETYPE,
	.slots = node_slots,
};

/* ---------------------------------------------------------------------------------------------
 * Snapshots
 */

static void snapshot_dealloc(SnapshotObject *self)
{
	PyTypeObject *tp = Py_TYPE(self);

	lxns_snapshot_free(self->snap);
	Py_DECREF(self->node_type);
	Py_DECREF(self->stats_type);
	tp->tp_free(self);
	Py_DECREF(tp);
}

static PyObject *snapshot_iter(SnapshotObject *self)
{
	PyObject *all = collect(self, walk_all, self->snap, 0), *it;

	if (!all)
		return NULL;
	it = PyObject_GetIter(all);
	Py_DECREF(all);
	return it;
}

static Py_ssize_t snapshot_len(SnapshotObject *self)
{
	return (Py_ssize_t)lxns_snapshot_stat(self->snap, LXNS_STAT_NAMESPACES);
}

static PyObject *snapshot_roots(SnapshotObject *self, PyObject *name)
{
	int type = pylxns_type_of_name(name);

	if (type < 0)
		return NULL;
	return collect(self, walk_roots, self->snap, type);
}

static PyObject *snapshot_stats(SnapshotObject *self, void *closure)
{
	PyObject *stats = PyStructSequence_New(self->stats_type);

	(void)closure;
	if (!stats)
		return NULL;
	for (int i = 0; i < LXNS_STAT_MAX; i++) {
		unsigned long v = lxns_snapshot_stat(self->snap, (enum lxns_stat)i);
		PyObject *item = i == LXNS_STAT_PROC_HIDDEN ? PyBool_FromLong((long)v)
							    : PyLong_FromUnsignedLong(v);

		if (!item) {
			Py_DECREF(stats);
			return NULL;
		}
		PyStructSequence_SET_ITEM(stats, i, item);
	}
	return stats;
}

static PyGetSetDef snapshot_getset[] = {
	{ "stats", (getter)snapshot_stats, NULL, "What the scan read and what it could not (Stats).",
	  NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static PyMethodDef snapshot_methods[] = {
	{ "roots", (PyCFunction)snapshot_roots, METH_O,
	  "roots(type, /)\n--\n\nTops of the user (\"user\") or pid (\"pid\") tree: nodes of that "
	  "type without a parent in the snapshot. Normally one; more where a parent could not be "
	  "learned or, without the hierarchy source, was not looked for. Empty for other types.\n"
	  "Raises ValueError for an unknown type name." },
	{ NULL, NULL, 0, NULL },
};

static PyType_Slot snapshot_slots[] = {
	{ Py_tp_doc, "Every namespace lxns.discover() found, and how they relate. Iterating gives "
		     "every Node, sorted by type name then inode." },
	{ Py_tp_dealloc, snapshot_dealloc },
	{ Py_tp_iter, snapshot_iter },
	{ Py_sq_length, snapshot_len },
	{ Py_tp_getset, snapshot_getset },
	{ Py_tp_methods, snapshot_methods },
	{ 0, NULL },
};

static PyType_Spec snapshot_spec = {
	.name = "lxns.Snapshot",
	.basicsize = sizeof(SnapshotObject),
	.flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION | Py_TPFLAGS_IMMUTABLETYPE,
	.slots = snapshot_slots,
};

/* In enum lxns_stat order. */
static PyStructSequence_Field stats_fields[] = {
	{ "namespaces", "nodes in the snapshot" },
	{ "processes", "processes read" },
	{ "threads", "threads read (beyond each process's main thread)" },
	{ "fds", "namespace fds found" },
	{ "mounts", "nsfs bind mounts found" },
	{ "denied", "items we had no permission to read" },
	{ "vanished", "processes, threads or fds gone mid-scan" },
	{ "failed", "items that failed otherwise" },
	{ "tasks_bpf", "tasks read through the BPF task iterator; 0 when /proc was read" },
	{ "unresolved", "nodes whose owner or parent could not be learned" },
	{ "timed_out", "mount namespaces whose mounts were abandoned at the deadline" },
	{ "proc_hidden", "True when /proc hides other users' processes from us (hidepid)" },
	{ NULL, NULL },
};

static PyStructSequence_Desc stats_desc = {
	.name = "lxns.Stats",
	.doc = "What a discovery read and what it could not, with why.",
	.fields = stats_fields,
	.n_in_sequence = LXNS_STAT_MAX,
};

static PyObject *discover(PyObject *module, PyObject *args, PyObject *kwargs)
{
	static char *keywords[] = { "types", "sources", "no_bpf", "timeout", NULL };
	struct pylxns_state *st = pylxns_state(module);
	PyObject *types = Py_None, *sources = Py_None, *timeout = Py_None;
	struct lxns_snapshot *snap;
	SnapshotObject *self;
	unsigned type_mask, source_mask, ms;
	int no_bpf = 0, r;

	if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|$OOpO:discover", keywords, &types, &sources,
					 &no_bpf, &timeout))
		return NULL;
	if (pylxns_mask_of_names(types, pylxns_type_of_name, &type_mask) < 0 ||
	    pylxns_mask_of_names(sources, source_of_name, &source_mask) < 0 || timeout_ms(timeout, &ms) < 0)
		return NULL;

	LXNS_OPTS(lxns_discover_opts, opts, .types = (int)type_mask, .sources = source_mask,
		  .flags = no_bpf ? LXNS_DISCOVER_NO_BPF : 0, .timeout_ms = ms);
	Py_BEGIN_ALLOW_THREADS
	r = lxns_discover(&opts, &snap);
	Py_END_ALLOW_THREADS
	if (r < 0)
		return pylxns_error(r);

	self = (SnapshotObject *)st->snapshot_type->tp_alloc(st->snapshot_type, 0);
	if (!self) {
		lxns_snapshot_free(snap);
		return NULL;
	}
	self->snap = snap;
	self->node_type = (PyTypeObject *)Py_NewRef(st->node_type);
	self->stats_type = (PyTypeObject *)Py_NewRef(st->stats_type);
	return (PyObject *)self;
}

PyMethodDef pylxns_discover_methods[] = {
	{ "discover", (PyCFunction)(void (*)(void))discover, METH_VARARGS | METH_KEYWORDS,
	  "discover(*, types=None, sources=None, no_bpf=False, timeout=None)\n--\n\n"
	  "Find every namespace of the system and how they relate, as a Snapshot.\n\n"
	  "types: type names to list (\"user\", \"pid\", ...; None: all); owners are walked "
	  "whatever this says.\nsources: where to look, of \"procs\", \"threads\", \"fds\", "
	  "\"mounts\", \"hierarchy\" (None: all).\nno_bpf: read /proc even where the BPF iterators "
	  "could be used.\ntimeout: seconds allowed for reading the mounts of other mount "
	  "namespaces (None: 2).\n\nProcesses that exit and items we may not read are counted in "
	  "the snapshot's stats, not raised. The GIL is released during the scan.\nRaises "
	  "ValueError (an unknown name), OSError (e.g. /proc cannot be opened)." },
	{ NULL, NULL, 0, NULL },
};

int pylxns_discover_exec(PyObject *module)
{
	struct pylxns_state *st = pylxns_state(module);

	st->node_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &node_spec, NULL);
	st->snapshot_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &snapshot_spec, NULL);
	st->stats_type = PyStructSequence_NewType(&stats_desc);
	if (!st->node_type || !st->snapshot_type || !st->stats_type)
		return -1;
	if (PyModule_AddType(module, st->node_type) < 0 || PyModule_AddType(module, st->snapshot_type) < 0 ||
	    PyModule_AddType(module, st->stats_type) < 0)
		return -1;
	return 0;
}
