/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lxns: Linux kernel namespaces as handles, relations and identities.
 *
 * Conventions, true for every function below unless its comment says otherwise:
 *  - Functions returning int give >= 0 on success and a negative errno on failure.
 *  - Output parameters are named ret_* and are written only on success.
 *  - Every file descriptor the library hands out has FD_CLOEXEC set.
 *  - The library never prints and never changes the caller's signal dispositions.
 *  - A namespace type is one of the LXNS_* constants below, equal to the kernel's CLONE_NEW* bit;
 *    a "mask" is a bitwise OR of such types.
 */
#ifndef LXNS_H
#define LXNS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------------
 * Types
 */

/* Namespace types, equal to the kernel's CLONE_NEW* values. */
#define LXNS_CGROUP 0x02000000
#define LXNS_IPC    0x08000000
#define LXNS_MNT    0x00020000
#define LXNS_NET    0x40000000
#define LXNS_PID    0x20000000
#define LXNS_TIME   0x00000080
#define LXNS_USER   0x10000000
#define LXNS_UTS    0x04000000

/* Every type above. */
#define LXNS_ALL                                                                                  \
	(LXNS_CGROUP | LXNS_IPC | LXNS_MNT | LXNS_NET | LXNS_PID | LXNS_TIME | LXNS_USER | LXNS_UTS)

/* Number of namespace types. */
#define LXNS_NTYPES 8

/* Name of a type as lsns and /proc/PID/ns/ spell it ("cgroup", "ipc", "mnt", "net", "pid",
 * "time", "user", "uts"); NULL when @type is not exactly one type. */
const char *lxns_type_name(int type);

/* Type of a name as lxns_type_name() returns it. Returns the type, or -EINVAL for any other
 * string (NULL included). */
int lxns_type_from_name(const char *name);

/* All LXNS_NTYPES types, each once, in an order suited for joining: user first, then cgroup,
 * ipc, uts, net, pid, mnt, time. The user namespace is listed first because an unprivileged
 * caller must enter it before it can enter the others; lxns_enter() moves it to the end when
 * the caller is privileged. Writes the count to *ret_n when ret_n is not NULL. */
const int *lxns_join_order(size_t *ret_n);

/* ------------------------------------------------------------------------------------------------
 * Handles
 *
 * A struct lxns_ns holds one namespace file descriptor and its type. After lxns_ns_close(),
 * every call taking the handle returns -EBADF (lxns_ns_fileno() too); lxns_ns_free() releases it.
 */
struct lxns_ns;

/* Flags for lxns_ns_from_fd(). */
#define LXNS_CLOSEFD 0x1 /* the handle owns the fd: lxns_ns_close()/lxns_ns_free() close it */

/* Flags for lxns_ns_open_pid() and lxns_ns_open_pidfd(). */
#define LXNS_FOR_CHILDREN 0x1 /* pid_for_children / time_for_children (LXNS_PID or LXNS_TIME) */

/* Wrap an existing namespace fd. @type is the expected type, or 0 for any. The fd is adopted
 * only on success: on any failure it is neither adopted nor closed, whatever @flags say.
 * Errors: -EBADF (fd < 0 or not open), -EINVAL (unknown type or flag, or the fd is not a
 * namespace, e.g. /dev/null or a pipe), -EMEDIUMTYPE (a namespace, but of another type than
 * @type), -ENOMEM. */
int lxns_ns_from_fd(int fd, int type, unsigned flags, struct lxns_ns **ret_ns);

/* Open a namespace file by path (e.g. /proc/42/ns/net or a bind mount of one). @type as above.
 * Errors: -EINVAL (bad type; path is not a namespace), -EMEDIUMTYPE, -ENOENT, -EACCES, and the
 * other errors of open(2). */
int lxns_ns_open_path(const char *path, int type, struct lxns_ns **ret_ns);

/* Open namespace @type of process @pid. Uses pidfd_open() + PIDFD_GET_*_NAMESPACE where the
 * kernel has them (6.11+; no race with PID reuse), /proc/PID/ns/<name> otherwise.
 * Errors: -EINVAL (pid <= 0, not exactly one type, bad flag, LXNS_FOR_CHILDREN with a type
 * other than pid/time), -ESRCH (no such process), -EACCES/-EPERM (not allowed to inspect it),
 * -ENOENT (the kernel lacks that namespace type). */
int lxns_ns_open_pid(pid_t pid, int type, unsigned flags, struct lxns_ns **ret_ns);

/* Same, from a pidfd the caller owns (not closed). Errors as above, -EBADF for a bad pidfd,
 * -ESRCH once the process has exited. On kernels without PIDFD_GET_*_NAMESPACE, the PID is read
 * from the pidfd's fdinfo and liveness is checked again after the open. */
int lxns_ns_open_pidfd(int pidfd, int type, unsigned flags, struct lxns_ns **ret_ns);

/* Open the calling thread's namespace of @type. Flags and errors as lxns_ns_open_pid(). */
int lxns_ns_open_self(int type, unsigned flags, struct lxns_ns **ret_ns);

/* Close the fd (when owned). May be called any number of times; only the first call closes.
 * Returns 0, or -EBADF for a NULL handle. */
int lxns_ns_close(struct lxns_ns *ns);

/* Close and free. Accepts NULL. */
void lxns_ns_free(struct lxns_ns *ns);

/* The fd (still owned by the handle), or -EBADF once closed. */
int lxns_ns_fileno(const struct lxns_ns *ns);

/* The type, or -EBADF once closed. */
int lxns_ns_type(const struct lxns_ns *ns);

/* Take the fd out of the handle, which then behaves as closed: the caller owns the fd from now
 * on (if the handle did; a handle made without LXNS_CLOSEFD never owned it). Returns the fd, or
 * -EBADF. */
int lxns_ns_steal_fd(struct lxns_ns *ns);

/* ------------------------------------------------------------------------------------------------
 * Relations. Each comes for a handle, a raw fd and a path; returned fds are new and O_CLOEXEC.
 *
 * Owner (owning user namespace of any namespace; for a user namespace, its parent):
 *   -EPERM when the owner is outside the caller's user namespace tree (hidden from us).
 * Parent (user and pid only):
 *   -EPERM at the top (the initial namespace or the caller's root), or when hidden from us;
 *   -EINVAL for the flat types (cgroup, ipc, mnt, net, time, uts).
 * Owner UID (user namespaces only): UID of the creator, in the caller's user namespace;
 *   -EINVAL for any other type; the UID is (uid_t)-1 when it has no mapping in ours.
 * The fd and path forms also return -EINVAL for an fd or file that is not a namespace, -EBADF
 * for a bad fd, and open(2)'s errors for a path. Handle forms return -EBADF once closed.
 */
int lxns_ns_owner(const struct lxns_ns *ns, struct lxns_ns **ret_owner);
int lxns_ns_parent(const struct lxns_ns *ns, struct lxns_ns **ret_parent);
int lxns_ns_owner_uid(const struct lxns_ns *ns, uid_t *ret_uid);

int lxns_fd_type(int fd);                        /* the type */
int lxns_fd_owner(int fd);                       /* a new fd */
int lxns_fd_parent(int fd);                      /* a new fd */
int lxns_fd_owner_uid(int fd, uid_t *ret_uid);

int lxns_path_type(const char *path);
int lxns_path_owner(const char *path);
int lxns_path_parent(const char *path);
int lxns_path_owner_uid(const char *path, uid_t *ret_uid);

/* ------------------------------------------------------------------------------------------------
 * Identity
 */
struct lxns_ident {
	int type;     /* LXNS_* */
	uint64_t dev; /* st_dev of the nsfs inode */
	uint64_t ino; /* inode number: the N of "net:[N]" */
	uint64_t id;  /* kernel's 64-bit namespace id (6.18+), 0 where the kernel has none */
};

/* Identity of a handle / fd / path. Errors: -EBADF, -EINVAL (not a namespace). */
int lxns_ns_ident(const struct lxns_ns *ns, struct lxns_ident *ret_ident);
int lxns_fd_ident(int fd, struct lxns_ident *ret_ident);
int lxns_path_ident(const char *path, struct lxns_ident *ret_ident);

/* The kernel's 64-bit namespace id (NS_GET_ID). Unique for the life of the system, never
 * reused, unlike inode numbers. Errors: -EBADF, -EINVAL (not a namespace), -EOPNOTSUPP (kernel
 * older than 6.18). */
int lxns_ns_id(const struct lxns_ns *ns, uint64_t *ret_id);
int lxns_fd_id(int fd, uint64_t *ret_id);

/* Identity / id of the calling thread's namespace of @type without opening a file (stat and
 * name_to_handle_at on /proc/thread-self/ns/<name>). lxns_current_ident() sets id to 0 when the
 * kernel has no ids; lxns_current_id() returns -EOPNOTSUPP then. -EINVAL for a bad type. */
int lxns_current_ident(int type, struct lxns_ident *ret_ident);
int lxns_current_id(int type, uint64_t *ret_id);

/* ------------------------------------------------------------------------------------------------
 * Entering and creating namespaces
 */

/* Enter the namespace of a handle (setns with its type checked by the kernel). Note that for pid
 * and time namespaces only children created afterwards are inside. Errors: -EBADF, -EPERM,
 * -EINVAL (e.g. entering the user namespace we are in, or a user namespace from a multithreaded
 * process), and setns(2)'s others. */
int lxns_ns_enter(const struct lxns_ns *ns);

/* Options struct convention: first member is the size; declare with LXNS_OPTS(). */
#define LXNS_OPTS(TYPE, NAME, ...)                                                                \
	struct TYPE NAME = { .sz = sizeof(struct TYPE), __VA_ARGS__ }

/* Which namespaces to join: those of a process (pid or pidfd, restricted to @types; 0 = all), or
 * an explicit set of handles. Exactly one of pid, pidfd (>0; 0 means unset) and ns is used. */
struct lxns_target {
	size_t sz;
	pid_t pid;
	int pidfd;
	int types;
	struct lxns_ns *const *ns;
	size_t n_ns;
};

/* Enter the namespaces of a target in the calling process. Namespaces the caller is already in
 * are skipped (so entering your own user namespace is not an error and a mount namespace you are
 * in does not reset root and cwd). For a pid/pidfd target the kernel's atomic setns(pidfd, mask)
 * (5.8+) is used; otherwise, or on older kernels, one setns() per namespace in
 * lxns_join_order() order, with the user namespace first when the caller lacks CAP_SYS_ADMIN and
 * last when it has it. A failure part-way through a one-by-one join leaves the caller in the
 * namespaces entered so far; lxns_run() avoids that by joining in a child.
 * Returns the mask of namespaces entered. Errors: -EINVAL (no or several targets, bad types),
 * -ESRCH, -EACCES, -EPERM, -EBADF, and setns(2)'s others. */
int lxns_enter(const struct lxns_target *target);

/* Unshare one or more types (a mask). Errors: -EINVAL (0 or unknown bits), -EPERM, -ENOSPC
 * (a max_*_namespaces limit), -EUSERS. */
int lxns_unshare(int mask);

/* Unshare one type and return a handle to the new namespace (for pid and time: the namespace of
 * children to come, i.e. pid_for_children / time_for_children). Errors as lxns_unshare(). */
int lxns_unshare_ns(int type, struct lxns_ns **ret_ns);

/* ------------------------------------------------------------------------------------------------
 * Limits: /proc/sys/user/max_<type>_namespaces of the caller's user namespace. Limits are per
 * user namespace and bound the namespaces created in it and its descendants.
 */

/* Errors: -EINVAL (bad type), open/read errors. */
int lxns_limit_get(int type, long *ret_limit);

/* Set to @limit (0 ... INT_MAX). Errors: -EINVAL (bad type, out of range; nothing written),
 * -EPERM/-EACCES (no CAP_SYS_RESOURCE over the user namespace). */
int lxns_limit_set(int type, long limit);

/* Set from a decimal string, as a sysctl would. Leading/trailing blanks and one trailing
 * newline are allowed; anything else non-numeric, or out of range, gives -EINVAL and nothing is
 * written. */
int lxns_limit_set_string(int type, const char *limit);

/* ------------------------------------------------------------------------------------------------
 * Persistent references: nsfs file handles (6.18+). A handle names a namespace by its id and
 * can be reopened later by any process that may access the namespace, as long as it lives.
 */
#define LXNS_HANDLE_MAX 64           /* bytes, enough for every nsfs handle version */
#define LXNS_HANDLE_STRING_MAX 160   /* characters including the NUL */

struct lxns_handle {
	int handle_type;                  /* the kernel's file handle type (FILEID_NSFS) */
	unsigned len;                     /* bytes used in data */
	unsigned char data[LXNS_HANDLE_MAX];
};

/* Encode. Errors: -EBADF, -EINVAL (not a namespace), -EOPNOTSUPP (kernel without nsfs handles). */
int lxns_ns_handle(const struct lxns_ns *ns, struct lxns_handle *ret_handle);
int lxns_fd_handle(int fd, struct lxns_handle *ret_handle);

/* Reopen. Errors: -ESTALE (the namespace is gone or never existed), -EINVAL (malformed handle),
 * -EOPNOTSUPP, -EPERM. */
int lxns_handle_open(const struct lxns_handle *handle, struct lxns_ns **ret_ns);

/* Printable form "nsfs:<type hex>:<data hex>" and back. lxns_handle_format() needs @size >=
 * LXNS_HANDLE_STRING_MAX (else -ENOBUFS); lxns_handle_parse() returns -EINVAL for anything it
 * did not produce. */
int lxns_handle_format(const struct lxns_handle *handle, char *buf, size_t size);
int lxns_handle_parse(const char *s, struct lxns_handle *ret_handle);

/* ------------------------------------------------------------------------------------------------
 * Pinning and mount trees, with the new mount API (open_tree + move_mount).
 */

/* Flags for lxns_pin() / lxns_unpin(). */
#define LXNS_PIN_CREATE 0x1 /* pin: create the file at @path if missing (removed again on failure) */
#define LXNS_PIN_REMOVE 0x2 /* unpin: unlink @path after unmounting */

/* Keep a namespace alive by bind-mounting it at @path, a file (the namespace stays alive, with
 * no process in it, until lxns_unpin()). Open it back with lxns_ns_open_path(). Errors: -EBADF,
 * -EINVAL (bad flags), -ENOENT (no file and no LXNS_PIN_CREATE), -EPERM, and those of
 * open_tree(2)/move_mount(2). On failure nothing is mounted and a file the call created is
 * removed again. */
int lxns_pin(const struct lxns_ns *ns, const char *path, unsigned flags);

/* Unmount a pin (lazily, so open fds stay valid). Errors: -EINVAL (bad flags, or @path is not a
 * pinned namespace: nothing is unmounted), -ENOENT, -EPERM. */
int lxns_unpin(const char *path, unsigned flags);

/* Flags for lxns_bind_tree(). */
#define LXNS_TREE_RECURSIVE 0x1 /* clone the whole subtree (AT_RECURSIVE), not one mount */

/* Clone the mount (tree) at @source and attach it at @target, like mount --bind / --rbind.
 * Errors: -ENOENT, -ENOTDIR, -EINVAL (bad flags or source not a mount-able object), -EPERM. */
int lxns_bind_tree(const char *source, const char *target, unsigned flags);

/* ------------------------------------------------------------------------------------------------
 * Running code inside other namespaces. A child is forked; it joins the target's namespaces
 * (lxns_enter()), forks once more when it joined a pid namespace so the code really runs inside
 * it, and runs the callback or the command. The caller's own namespaces never change. Children
 * die with the caller (PR_SET_PDEATHSIG).
 */

/* Runs in the child. It may write up to @size bytes of result to @buf (NULL when the caller
 * passed none) and set *ret_len (0 on entry) to their number. The return value becomes the
 * child's exit status (0...255). */
typedef int (*lxns_run_fn)(void *arg, void *buf, size_t size, size_t *ret_len);

/* Run @fn in the target's namespaces. On success *ret_status holds the waitpid() status of the
 * process that ran @fn and, when @buf is not NULL, @buf the result and *len (in: capacity, out:
 * length) its length; the result is kept only when the process exited normally. Pending stdio
 * output is flushed before forking. Errors: -EINVAL (NULL fn or ret_status, @buf without @len),
 * those of lxns_enter() (reported from the child), -ENOMEM, -EAGAIN. A child that was killed
 * or crashed is not an error: see *ret_status. */
int lxns_run(const struct lxns_target *target, lxns_run_fn fn, void *arg, void *buf, size_t *len,
	     int *ret_status);

/* Same, running argv[0] (looked up in PATH inside the target's mount namespace). Exit status 127
 * means the command could not be executed. */
int lxns_run_exec(const struct lxns_target *target, char *const argv[], int *ret_status);

/* ------------------------------------------------------------------------------------------------
 * Discovery: a snapshot of every namespace on the system and how they relate.
 *
 * lxns_discover() reads what the caller's privileges allow and returns a graph to walk, then
 * free with lxns_snapshot_free(). Each namespace is opened at most once, however many processes
 * share it. Processes that exit mid-scan and permission errors are normal: they are counted
 * (lxns_snapshot_stat()) and the snapshot holds what could be read.
 *
 * Processes, threads and their namespace fds are read from /proc, or, when the caller may load
 * BPF programs (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN) and the kernel has BTF, all at once
 * from the kernel's task list by two BPF iterators this library builds for the running kernel:
 * the same namespaces, several times faster. Where that is not possible (or flags say
 * LXNS_DISCOVER_NO_BPF), /proc is read instead, silently.
 */
struct lxns_snapshot;
struct lxns_node;

/* Sources (lxns_discover_opts.sources) and, per node, how it was found (lxns_node_found()). */
#define LXNS_SRC_PROCS     0x01 /* /proc/PID/ns/<type> and pid/time_for_children of every process */
#define LXNS_SRC_THREADS   0x02 /* /proc/PID/task/TID/ns of threads that differ from their process */
#define LXNS_SRC_FDS       0x04 /* namespace fds every process holds open */
#define LXNS_SRC_MOUNTS    0x08 /* nsfs bind mounts in every mount namespace we can reach */
#define LXNS_SRC_HIERARCHY 0x10 /* owners and parents, walked upward from all the above */
#define LXNS_SRC_ALL       0x1f

/* lxns_discover_opts.flags */
#define LXNS_DISCOVER_NO_BPF 0x1 /* read /proc even where BPF iterators could be used */

struct lxns_discover_opts {
	size_t sz;
	int types;        /* mask of types to list; 0 = all. (Owners are walked whatever this says.) */
	unsigned sources; /* LXNS_SRC_* mask; 0 = all */
	unsigned flags;   /* LXNS_DISCOVER_* */
};

/* Errors: -EINVAL (bad options), -E2BIG (options from a newer caller set fields we lack),
 * -ENOMEM, and errors opening /proc. Never fails for a process or namespace it could not read. */
int lxns_discover(const struct lxns_discover_opts *opts, struct lxns_snapshot **ret_snapshot);

/* Accepts NULL. Every node of the snapshot goes with it. */
void lxns_snapshot_free(struct lxns_snapshot *snapshot);

/* What the scan read and what it could not, with why. */
enum lxns_stat {
	LXNS_STAT_NAMESPACES, /* nodes in the snapshot */
	LXNS_STAT_PROCESSES,  /* processes read */
	LXNS_STAT_THREADS,    /* threads read (beyond each process's main thread) */
	LXNS_STAT_FDS,        /* namespace fds found */
	LXNS_STAT_MOUNTS,     /* nsfs bind mounts found */
	LXNS_STAT_DENIED,     /* items we had no permission to read (EACCES/EPERM) */
	LXNS_STAT_VANISHED,   /* processes, threads or fds gone mid-scan */
	LXNS_STAT_FAILED,     /* items that failed otherwise */
	LXNS_STAT_TASKS_BPF,  /* tasks read through the BPF task iterator; 0 when /proc was read */
	LXNS_STAT_MAX
};
unsigned long lxns_snapshot_stat(const struct lxns_snapshot *snapshot, enum lxns_stat which);

/* Iteration, one style for every walk: next(container, prev) starting from prev = NULL, and a
 * foreach macro. Flat list: every node, sorted by type (as lxns_type_name() sorts) then inode. */
struct lxns_node *lxns_snapshot_next(const struct lxns_snapshot *snapshot, const struct lxns_node *prev);
#define lxns_snapshot_foreach(snap, node)                                                         \
	for ((node) = lxns_snapshot_next((snap), NULL); (node); (node) = lxns_snapshot_next((snap), (node)))

/* Roots of the user (type LXNS_USER) or pid (LXNS_PID) trees: nodes of that type without a
 * parent in the snapshot (normally one, the initial namespace or the top we can see). NULL for
 * other types. */
struct lxns_node *lxns_snapshot_next_root(const struct lxns_snapshot *snapshot, int type,
					  const struct lxns_node *prev);

/* Children of a user or pid namespace (same type), sorted by inode. */
struct lxns_node *lxns_node_next_child(const struct lxns_node *node, const struct lxns_node *prev);

/* Namespaces of other types that a user namespace owns, sorted by type then inode. */
struct lxns_node *lxns_node_next_owned(const struct lxns_node *user, const struct lxns_node *prev);

#define lxns_node_foreach_child(node, child)                                                      \
	for ((child) = lxns_node_next_child((node), NULL); (child);                               \
	     (child) = lxns_node_next_child((node), (child)))
#define lxns_node_foreach_owned(node, owned)                                                      \
	for ((owned) = lxns_node_next_owned((node), NULL); (owned);                               \
	     (owned) = lxns_node_next_owned((node), (owned)))

/* A node's facts. Identity (id is 0 where the kernel has no namespace ids). */
int lxns_node_ident(const struct lxns_node *node, struct lxns_ident *ret_ident);
int lxns_node_type(const struct lxns_node *node);
uint64_t lxns_node_ino(const struct lxns_node *node);

/* Parent (user/pid) and owning user namespace; NULL at the top, beyond what we may see, or for
 * flat types' parent. For a user namespace the owner is its parent. */
struct lxns_node *lxns_node_parent(const struct lxns_node *node);
struct lxns_node *lxns_node_owner(const struct lxns_node *node);

/* Owner UID of a user namespace. -EINVAL for other types, -ENODATA when it could not be read. */
int lxns_node_owner_uid(const struct lxns_node *node, uid_t *ret_uid);

/* Processes whose namespace of this type it is (for pid and time: their own, not the one of
 * their children), the lowest PID among them (0 when none) and its command name (NULL). */
unsigned lxns_node_nprocs(const struct lxns_node *node);
pid_t lxns_node_pid(const struct lxns_node *node);
const char *lxns_node_comm(const struct lxns_node *node);

/* How it was found: LXNS_SRC_* bits, all ways that applied. lxns_node_found_pid() gives the
 * thread id, else the holder of an fd, else the process whose pid/time_for_children it is (the
 * lowest such), lxns_node_mount_path() the path of a bind mount as seen in its mount
 * namespace, lxns_node_mount_ns() that mount namespace. */
unsigned lxns_node_found(const struct lxns_node *node);
#define LXNS_FOUND_CHILDREN 0x100 /* in lxns_node_found(): only as pid/time_for_children */
pid_t lxns_node_found_pid(const struct lxns_node *node);
const char *lxns_node_mount_path(const struct lxns_node *node);
struct lxns_node *lxns_node_mount_ns(const struct lxns_node *node);

/* Open the namespace again (by its id where the kernel has nsfs handles, else by the path it was
 * found at, checked to still be the same namespace). Errors: -ESTALE (gone, or its path now
 * names another), -EACCES, -EOPNOTSUPP (found only through the hierarchy on a kernel without
 * nsfs handles). */
int lxns_node_open(const struct lxns_node *node, struct lxns_ns **ret_ns);

#ifdef __cplusplus
}
#endif

#endif /* LXNS_H */
