/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lxns: Linux kernel namespaces as handles, relations and identities.
 *
 * Conventions, true for every function below unless its comment says otherwise:
 *  - Functions returning int give >= 0 on success and a negative errno on failure.
 *  - Output parameters are named ret_* and are written only on success.
 *  - A call that fails has changed nothing, or its comment says exactly what it changed.
 *  - Every file descriptor the library hands out has FD_CLOEXEC set.
 *  - The library never prints (see lxns_set_log()) and never changes the caller's signal
 *    dispositions.
 *  - A namespace type is one of the LXNS_* constants below, equal to the kernel's CLONE_NEW* bit;
 *    a "mask" is a bitwise OR of such types.
 *  - "Kernel too old" is -EOPNOTSUPP, found out before anything was changed. Where kernels
 *    differ, a comment says which version gives what ("since Linux 6.11").
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
 * Log channel. The library never prints; a caller can ask to be told why something was done the
 * way it was: why discovery read /proc rather than the BPF iterators (which check failed, the
 * verifier's log of a refused program), what timed out, what could not be read and why.
 * Messages are single lines without a trailing newline (the verifier's log comes one line per
 * message), each starting with where it comes from ("discover: ", "bpf: ", "mounts: ").
 */
#define LXNS_LOG_ERR     3 /* an operation failed */
#define LXNS_LOG_WARNING 4 /* a part of the work was left undone, or done another way */
#define LXNS_LOG_NOTICE  5 /* what the caller should know about a result */
#define LXNS_LOG_INFO    6 /* what was done, and how */
#define LXNS_LOG_DEBUG   7 /* every item that could not be read; the verifier's log */

typedef void (*lxns_log_fn)(int level, const char *message, void *userdata);

/* Send messages of @max_level and more important ones (lower values) to @fn, process-wide;
 * NULL (the default) turns logging off. Set it before the library is used from several threads:
 * a call running while it changes may still use the previous function. @fn may be called from
 * any thread the library runs on, including lxns_discover()'s workers, one call at a time. */
void lxns_set_log(lxns_log_fn fn, int max_level, void *userdata);

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
 * The path is followed as open(2) follows it; the file is opened O_PATH first and checked to be
 * a namespace before it is opened for reading, so naming a device or a FIFO has no side effect.
 * Errors: -EINVAL (bad type; path is not a namespace), -EMEDIUMTYPE, -ENOENT, -EACCES, and the
 * other errors of open(2). */
int lxns_ns_open_path(const char *path, int type, struct lxns_ns **ret_ns);

/* Open namespace @type of process @pid. Uses pidfd_open() + PIDFD_GET_*_NAMESPACE where the
 * kernel has them (since Linux 6.11; no race with PID reuse), /proc/PID/ns/<name> otherwise.
 * Errors: -EINVAL (pid <= 0, not exactly one type, bad flag, LXNS_FOR_CHILDREN with a type
 * other than pid/time), -ESRCH (no such process), -EACCES/-EPERM (not allowed to inspect it),
 * -ENOENT (the kernel lacks that namespace type; or LXNS_PID with LXNS_FOR_CHILDREN before
 * Linux 6.11, while the process's pid namespace for children has no process yet: /proc shows it
 * only from its first process on). */
int lxns_ns_open_pid(pid_t pid, int type, unsigned flags, struct lxns_ns **ret_ns);

/* Same, from a pidfd the caller owns (not closed). Errors as above, -EBADF for a bad pidfd,
 * -ESRCH once the process has exited. Before Linux 6.11 the PID is read from the pidfd's fdinfo
 * and liveness is checked again after the open. */
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
 *   -EINVAL for any other type; where that UID has no mapping in the caller's user namespace the
 *   kernel gives the overflow UID (/proc/sys/kernel/overflowuid, normally 65534).
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
	uint64_t id;  /* kernel's 64-bit namespace id (since Linux 6.18), 0 where the kernel has none */
};

/* Identity of a handle / fd / path. Errors: -EBADF, -EINVAL (not a namespace). */
int lxns_ns_ident(const struct lxns_ns *ns, struct lxns_ident *ret_ident);
int lxns_fd_ident(int fd, struct lxns_ident *ret_ident);
int lxns_path_ident(const char *path, struct lxns_ident *ret_ident);

/* The kernel's 64-bit namespace id (NS_GET_ID). Unique for the life of the system, never
 * reused, unlike inode numbers. Errors: -EBADF, -EINVAL (not a namespace), -EOPNOTSUPP (before
 * Linux 6.18). */
int lxns_ns_id(const struct lxns_ns *ns, uint64_t *ret_id);
int lxns_fd_id(int fd, uint64_t *ret_id);

/* Identity / id of the calling thread's namespace of @type without opening a file (stat, and
 * since Linux 6.18 name_to_handle_at, on /proc/thread-self/ns/<name>). lxns_current_ident() sets
 * id to 0 where the kernel has no ids; lxns_current_id() returns -EOPNOTSUPP then. -EINVAL for a
 * bad type. */
int lxns_current_ident(int type, struct lxns_ident *ret_ident);
int lxns_current_id(int type, uint64_t *ret_id);

/* ------------------------------------------------------------------------------------------------
 * Entering and creating namespaces
 */

/* Enter the namespace of a handle (setns with its type checked by the kernel). For a pid
 * namespace only children created afterwards are inside; a time namespace moves the caller at
 * once (and its children), and needs a single-threaded caller (-EUSERS otherwise). Errors:
 * -EBADF, -EPERM, -EINVAL (e.g. entering the user namespace we are in, or a user namespace from
 * a multithreaded process), -EUSERS, and setns(2)'s others. */
int lxns_ns_enter(const struct lxns_ns *ns);

/* Options structs: the first member is the size, set by LXNS_OPTS() (which zeroes every field
 * not named). The structs have no padding; a later version only appends fields, and rejects
 * (-E2BIG) a larger struct from a newer caller that set a field it does not know. */
#define LXNS_OPTS(TYPE, NAME, ...)                                                                \
	struct TYPE NAME = { .sz = sizeof(struct TYPE), __VA_ARGS__ }

/* lxns_target.flags */
#define LXNS_TARGET_PIDFD 0x1 /* the target is the process @pidfd names (0 is a valid fd) */

/* Which namespaces to join: those of a process, restricted to @types (0 = all), named by
 * @pid (> 0) or, with LXNS_TARGET_PIDFD, by @pidfd; or an explicit set of handles @ns. Exactly
 * one of the three. */
struct lxns_target {
	size_t sz;
	unsigned flags; /* LXNS_TARGET_* */
	pid_t pid;
	int pidfd;
	int types;
	struct lxns_ns *const *ns;
	size_t n_ns;
};

/* Enter the namespaces of a target in the calling process. Namespaces the caller is already in
 * are skipped (so entering your own user namespace is not an error and a mount namespace you are
 * in does not reset root and cwd). All or nothing: for a process target the kernel's atomic
 * setns(pidfd, mask) is used (since Linux 5.8); for handles, and on older kernels, one setns()
 * per namespace in lxns_join_order() order, user namespace first when the caller lacks
 * CAP_SYS_ADMIN and last when it has it, after checking what the kernel would refuse (a user
 * namespace from a multithreaded caller, a time namespace from a multithreaded caller, a
 * namespace not owned by the user namespace being entered). Should a later setns() fail all the
 * same, the namespaces entered so far are left again; only where that is impossible (the user
 * namespace was entered first) does the call return -ENOTRECOVERABLE, and the caller is then in
 * the target's user namespace and those entered after it. lxns_run() avoids all this by joining
 * in a child. Returns the mask of namespaces entered. Errors: -EINVAL (no or several targets,
 * bad types or flags; a user namespace from a multithreaded caller), -EUSERS (a time namespace
 * from a multithreaded caller), -ESRCH, -EACCES, -EPERM, -EBADF, -ENOTRECOVERABLE, and
 * setns(2)'s others. */
int lxns_enter(const struct lxns_target *target);

/* Unshare one or more types (a mask). Errors: -EINVAL (0 or unknown bits), -EPERM, -ENOSPC
 * (a max_*_namespaces limit), -EUSERS. */
int lxns_unshare(int mask);

/* Unshare one type and return a handle to the new namespace (for pid and time: the namespace of
 * children to come, i.e. pid_for_children / time_for_children). A new pid namespace has no
 * process until the caller forks: its handle comes from the pidfd ioctls (since Linux 6.11; from
 * a thread other than the main one, since the thread pidfds of Linux 6.9 as well). Where they are
 * missing, LXNS_PID gives -EOPNOTSUPP before anything is unshared. What could fail after the
 * unshare is had before it; should opening the new namespace fail all the same, the old one is
 * entered again, and only for a user namespace, which cannot be left, is the result
 * -ENOTRECOVERABLE: the caller is in the new one. Errors as lxns_unshare(), -EOPNOTSUPP, -EMFILE,
 * -ENOMEM, -ENOTRECOVERABLE. */
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
 * Persistent references: nsfs file handles (since Linux 6.18). A handle names a namespace by its
 * id and can be reopened later by any process that may access the namespace, as long as it lives.
 */
#define LXNS_HANDLE_MAX 64           /* bytes, enough for every nsfs handle version */
#define LXNS_HANDLE_STRING_MAX 160   /* characters including the NUL */

struct lxns_handle {
	int handle_type;                  /* the kernel's file handle type (FILEID_NSFS) */
	unsigned len;                     /* bytes used in data */
	unsigned char data[LXNS_HANDLE_MAX];
};

/* Encode. Errors: -EBADF, -EINVAL (not a namespace), -EOPNOTSUPP (before Linux 6.18). */
int lxns_ns_handle(const struct lxns_ns *ns, struct lxns_handle *ret_handle);
int lxns_fd_handle(int fd, struct lxns_handle *ret_handle);

/* Reopen. Errors: -ESTALE (the namespace is gone, never existed, or is not one the caller may
 * open: the kernel gives ESTALE for all three, so only for a caller with CAP_SYS_ADMIN in the
 * initial user namespace does it mean gone), -EINVAL (malformed handle), -EOPNOTSUPP. */
int lxns_handle_open(const struct lxns_handle *handle, struct lxns_ns **ret_ns);

/* Printable form "nsfs:<type hex>:<data hex>" (lowercase hex, the type without leading zeros)
 * and back. lxns_handle_format() needs @size >= LXNS_HANDLE_STRING_MAX (else -ENOBUFS) and a
 * handle of 16 ... LXNS_HANDLE_MAX bytes (else -EINVAL); lxns_handle_parse() takes exactly what
 * lxns_handle_format() writes and returns -EINVAL for anything else. */
int lxns_handle_format(const struct lxns_handle *handle, char *buf, size_t size);
int lxns_handle_parse(const char *s, struct lxns_handle *ret_handle);

/* ------------------------------------------------------------------------------------------------
 * Pinning and mount trees, with the new mount API (open_tree + move_mount, since Linux 5.2).
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

/* Flags for lxns_tree_clone() and lxns_bind_tree(). */
#define LXNS_TREE_RECURSIVE 0x1 /* clone the whole subtree (AT_RECURSIVE), not one mount */

/* Clone the mount (tree) at @path into a detached mount, returned as an O_CLOEXEC fd
 * (open_tree(2) with OPEN_TREE_CLONE). Closing the fd unmounts the clone unless it was attached.
 * Errors: -EINVAL (bad flags), -ENOENT, -ENOTDIR, -EPERM, -EOPNOTSUPP (before Linux 5.2), and
 * those of open_tree(2). */
int lxns_tree_clone(const char *path, unsigned flags);

/* Attach a detached tree (from lxns_tree_clone()) at @target (move_mount(2)). The fd stays the
 * caller's to close. A tree attached already is moved, as move_mount(2) moves any mount the fd
 * names. Errors: -EBADF, -ENOENT, -EINVAL (not the root of a mount), -ELOOP (moved onto
 * itself), -EPERM, -EOPNOTSUPP (before Linux 5.2), and those of move_mount(2). */
int lxns_tree_attach(int tree_fd, const char *target);

/* Clone the mount (tree) at @source and attach it at @target, like mount --bind / --rbind (a
 * classic bind mount before Linux 5.2). Errors: -ENOENT, -ENOTDIR, -EINVAL (bad flags or source
 * not a mount-able object), -EPERM. */
int lxns_bind_tree(const char *source, const char *target, unsigned flags);

/* ------------------------------------------------------------------------------------------------
 * Running code inside other namespaces. A child is forked; it joins the target's namespaces
 * (lxns_enter()), forks once more so the code runs in a process of its own (inside the target's
 * pid namespace when it joined one), and runs the callback or the command. The caller's own
 * namespaces never change. Children die with the caller (PR_SET_PDEATHSIG). A caller that ignores
 * SIGCHLD (SIG_IGN or SA_NOCLDWAIT) gets the status all the same.
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
 * free with lxns_snapshot_free(). Processes that exit mid-scan and permission errors are normal:
 * they are counted (lxns_snapshot_stat()) and the snapshot holds what could be read. Every
 * namespace is asked for its owner and parent through a reference taken when it was first seen,
 * so these edges never depend on a process still being alive; where they could still not be
 * learned (no permission), the node says so (lxns_node_get_parent(): -ENODATA) and
 * LXNS_STAT_UNRESOLVED counts it. A snapshot never shows a structure the kernel did not have:
 * a node without a parent is the top, or counted there.
 *
 * Processes, threads and their namespace fds are read from /proc, or, when the caller may load
 * BPF programs (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN) and the kernel has BTF, task
 * iterators and bpf_loop() (since Linux 5.17), all at once from the kernel's task list by two
 * BPF iterators this library builds for the running kernel (with every namespace's owner and
 * parent chain read in the same pass): the same namespaces, several times faster. Where that is
 * not possible (or flags say LXNS_DISCOVER_NO_BPF), /proc is read instead; lxns_set_log() tells
 * why.
 *
 * Bind mounts are found in mountinfo, which names each nsfs mount's namespace; a mount whose
 * namespace was seen nowhere else is opened to learn its owner. In the caller's own mount
 * namespace that is done in the calling process when the kernel can walk the path from memory
 * alone and no other mount is stacked on it (openat2() RESOLVE_CACHED, since Linux 5.12: a walk
 * that never calls into a file system to look up or revalidate a name). Otherwise it is done by
 * a helper process inside the mount
 * namespace (openat2(), since Linux 5.6; one component at a time before, and for paths longer
 * than PATH_MAX), abandoned (the helper killed) at a deadline; the calling process forks those
 * helpers (at most 16 at once) only when there are such mounts. Either way no symlink is
 * followed, the walk never leaves the root, and the file is checked to be nsfs before it is
 * opened for reading and to be the namespace mountinfo named.
 */
struct lxns_snapshot;
struct lxns_node;

/* Sources (lxns_discover_opts.sources). */
#define LXNS_SRC_PROCS     0x01 /* /proc/PID/ns/<type> and pid/time_for_children of every process */
#define LXNS_SRC_THREADS   0x02 /* /proc/PID/task/TID/ns of threads that differ from their process */
#define LXNS_SRC_FDS       0x04 /* namespace fds every process holds open */
#define LXNS_SRC_MOUNTS    0x08 /* nsfs bind mounts in every mount namespace we can reach */
#define LXNS_SRC_HIERARCHY 0x10 /* owners and parents, walked upward from all the above */
#define LXNS_SRC_ALL       0x1f

/* lxns_discover_opts.flags */
#define LXNS_DISCOVER_NO_BPF 0x1 /* read /proc even where BPF iterators could be used */

/* The default of lxns_discover_opts.timeout_ms. */
#define LXNS_DISCOVER_TIMEOUT_MS 2000

struct lxns_discover_opts {
	size_t sz;
	int types;           /* mask of types to list; 0 = all. (Owners are walked whatever this says.) */
	unsigned sources;    /* LXNS_SRC_* mask; 0 = all */
	unsigned flags;      /* LXNS_DISCOVER_* */
	unsigned timeout_ms; /* deadline for reading mounts through helpers; 0 = LXNS_DISCOVER_TIMEOUT_MS */
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
	LXNS_STAT_UNRESOLVED, /* nodes whose owner or parent could not be learned (-ENODATA) */
	LXNS_STAT_TIMED_OUT,  /* mount namespaces whose mounts were abandoned at the deadline */
	LXNS_STAT_PROC_HIDDEN, /* 1 when /proc hides other users' processes from us (hidepid) */
	LXNS_STAT_MAX
};
unsigned long lxns_snapshot_stat(const struct lxns_snapshot *snapshot, enum lxns_stat which);

/* Iteration, one style for every walk: next(container, prev) starting from prev = NULL, and a
 * foreach macro. Flat list: every node, sorted by type (as lxns_type_name() sorts) then inode. */
struct lxns_node *lxns_snapshot_next(const struct lxns_snapshot *snapshot, const struct lxns_node *prev);
#define lxns_snapshot_foreach(snap, node)                                                         \
	for ((node) = lxns_snapshot_next((snap), NULL); (node); (node) = lxns_snapshot_next((snap), (node)))

/* Roots of the user (type LXNS_USER) or pid (LXNS_PID) trees: nodes of that type without a
 * parent in the snapshot. Normally one, the initial namespace or the top we can see; others are
 * nodes whose parent could not be learned (counted in LXNS_STAT_UNRESOLVED) or, without
 * LXNS_SRC_HIERARCHY, was not looked for. NULL for other types. */
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

/* Parent (user and pid namespaces) and owning user namespace (for a user namespace, its
 * parent). 0 with the node, or: -EPERM at the top (none we may see: the initial namespace, or
 * above the caller's own), -EINVAL for the parent of a flat type, -ENOENT when it exists but the
 * snapshot does not hold it (sources without LXNS_SRC_HIERARCHY), -ENODATA when it could not be
 * learned (counted in LXNS_STAT_UNRESOLVED). */
int lxns_node_get_parent(const struct lxns_node *node, struct lxns_node **ret_parent);
int lxns_node_get_owner(const struct lxns_node *node, struct lxns_node **ret_owner);

/* The same, NULL for every case without a node. */
struct lxns_node *lxns_node_parent(const struct lxns_node *node);
struct lxns_node *lxns_node_owner(const struct lxns_node *node);

/* Owner UID of a user namespace (see Relations). -EINVAL for other types, -ENODATA when it
 * could not be read. */
int lxns_node_owner_uid(const struct lxns_node *node, uid_t *ret_uid);

/* Processes whose namespace of this type it is (for pid and time: their own, not the one of
 * their children), the lowest PID among them (0 when none) and its command name (NULL), the
 * bytes the kernel has, unescaped: a process chooses its own name, so escape it before showing
 * it. */
unsigned lxns_node_nprocs(const struct lxns_node *node);
pid_t lxns_node_pid(const struct lxns_node *node);
const char *lxns_node_comm(const struct lxns_node *node);

/* How a node was found (lxns_node_found()): every way that applied. */
#define LXNS_FOUND_PROCESS   0x01 /* a process's own namespace */
#define LXNS_FOUND_THREAD    0x02 /* a thread's, other than its process's */
#define LXNS_FOUND_FD        0x04 /* an open namespace fd */
#define LXNS_FOUND_MOUNT     0x08 /* an nsfs bind mount */
#define LXNS_FOUND_HIERARCHY 0x10 /* only as the owner or parent of another (never with others) */
#define LXNS_FOUND_CHILDREN  0x20 /* a process's pid_for_children / time_for_children */

/* LXNS_FOUND_* bits. lxns_node_found_pid() gives the thread id, else the holder of an fd, else
 * the process whose pid/time_for_children it is (the lowest such), lxns_node_mount_path() the
 * path of a bind mount as seen in its mount namespace (unescaped, like comm),
 * lxns_node_mount_ns() that mount namespace. */
unsigned lxns_node_found(const struct lxns_node *node);
pid_t lxns_node_found_pid(const struct lxns_node *node);
const char *lxns_node_mount_path(const struct lxns_node *node);
struct lxns_node *lxns_node_mount_ns(const struct lxns_node *node);

/* Open the namespace again: by its id where the kernel has nsfs handles (since Linux 6.18),
 * else by the way it was found (checked to still be the same namespace; a bind mount path in the
 * caller's mount namespace is resolved without following symlinks, in the calling thread and
 * with no deadline: a stalled file system on that path blocks this call as it would open(2);
 * lxns_discover() itself walks such paths only in helpers it can abandon). Errors: -ESTALE (gone, or
 * its path now names another), -EACCES, -EOPNOTSUPP (found only through the hierarchy, or only
 * as a mount in another mount namespace, before Linux 6.18). */
int lxns_node_open(const struct lxns_node *node, struct lxns_ns **ret_ns);

#ifdef __cplusplus
}
#endif

#endif /* LXNS_H */
