/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* System-wide discovery: each test builds a known situation and asserts the exact nodes and
 * edges the snapshot has for it. */
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <stddef.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "lxns.h"
#include "parse.h"
#include "snapshots.h"

static uint64_t fd_ino(int fd)
{
	struct stat st;

	CHECK_SYS(fstat(fd, &st));
	return st.st_ino;
}

/* Fork a process that runs @setup, reports its PID and pauses. Killed with kill_wait(). */
static pid_t spawn(void (*setup)(void *), void *arg)
{
	int p[2];
	pid_t pid, me = getpid();
	char c;

	CHECK_SYS(pipe2(p, O_CLOEXEC));
	pid = CHECK_SYS(fork());
	if (pid == 0) {
		close(p[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != me)
			_exit(1);
		setup(arg);
		(void)!write(p[1], "k", 1);
		for (;;)
			if (wait(NULL) < 0) /* reap what setup forked, once it ends */
				pause();
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1)
		FAIL("the spawned process failed to set up");
	close(p[0]);
	return pid;
}

static void kill_wait(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void do_unshare(void *arg)
{
	if (unshare(*(int *)arg) < 0)
		_exit(1);
}

TEST(chain_of_four_nested_user_namespaces)
{
	harness_require_unshare(CLONE_NEWUSER);
	int flags = CLONE_NEWUSER;
	pid_t pids[4];
	uint64_t ino[5] = { link_of(getpid(), "user") };
	int p[2];

	/* Each level forks the next from inside its own new user namespace. */
	CHECK_SYS(pipe2(p, O_CLOEXEC));
	pid_t top = CHECK_SYS(fork());
	if (top == 0) {
		close(p[0]);
		for (int level = 0; level < 4; level++) {
			pid_t child;

			uid_t uid = geteuid();
			gid_t gid = getegid();

			prctl(PR_SET_PDEATHSIG, SIGKILL);
			do_unshare(&flags);
			harness_map_root(uid, gid); /* a nested one needs our ids mapped */
			pid_t me = getpid();
			(void)!write(p[1], &me, sizeof(me));
			if (level == 3)
				break;
			child = fork();
			if (child != 0) {
				if (child < 0)
					_exit(1);
				waitpid(child, NULL, 0);
				_exit(0);
			}
		}
		for (;;)
			pause();
	}
	close(p[1]);
	for (int i = 0; i < 4; i++)
		if (read(p[0], &pids[i], sizeof(pids[i])) != sizeof(pids[i]))
			FAIL("level %d did not report", i);
	close(p[0]);
	for (int i = 0; i < 4; i++)
		ino[i + 1] = link_of(pids[i], "user");

	struct lxns_snapshot *s = discover(0);
	for (int i = 1; i <= 4; i++) {
		struct lxns_node *n = node_of(s, ino[i]);
		uid_t uid = 1;

		CHECK_EQ(lxns_node_type(n), LXNS_USER);
		CHECK(lxns_node_parent(n) == node_of(s, ino[i - 1]));
		CHECK(lxns_node_owner(n) == lxns_node_parent(n));
		CHECK_EQ(lxns_node_nprocs(n), 1);
		CHECK_EQ(lxns_node_pid(n), pids[i - 1]);
		CHECK(lxns_node_found(n) & LXNS_FOUND_PROCESS);
		CHECK_OK(lxns_node_owner_uid(n, &uid));
		CHECK_EQ(uid, 0);
		/* Exactly one child, the next level. */
		struct lxns_node *child = lxns_node_next_child(n, NULL);
		if (i < 4) {
			CHECK(child == node_of(s, ino[i + 1]));
			CHECK(lxns_node_next_child(n, child) == NULL);
		} else {
			CHECK(child == NULL);
		}
	}
	lxns_snapshot_free(s);
	kill_wait(pids[3]); /* each level exits when its child does */
	waitpid(top, NULL, 0);
}

static void unshare_user_twice(void *arg)
{
	int flags = CLONE_NEWUSER;

	(void)arg;
	do_unshare(&flags);
	harness_map_root(0, 0);
	do_unshare(&flags);
}

TEST(hidden_intermediate_user_namespace)
{
	harness_require_unshare(CLONE_NEWUSER);
	pid_t pid = spawn(unshare_user_twice, NULL);
	uint64_t inner = link_of(pid, "user");
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	int fd = CHECK_OK(lxns_path_parent(path));
	uint64_t middle = fd_ino(fd);
	close(fd);

	struct lxns_snapshot *s = discover(0);
	struct lxns_node *m = node_of(s, middle), *in = node_of(s, inner);
	CHECK_EQ(lxns_node_found(m), LXNS_FOUND_HIERARCHY);
	CHECK_EQ(lxns_node_nprocs(m), 0);
	CHECK(lxns_node_comm(m) == NULL);
	CHECK(lxns_node_parent(m) == node_of(s, link_of(getpid(), "user")));
	CHECK(lxns_node_parent(in) == m);
	/* It can be opened again, by its id. */
	struct lxns_ns *ns;
	struct lxns_ident id;
	int r = lxns_node_open(m, &ns);
	if (r != -EOPNOTSUPP) {
		CHECK_OK(r);
		CHECK_OK(lxns_ns_ident(ns, &id));
		CHECK_EQ(id.ino, middle);
		lxns_ns_free(ns);
	}
	lxns_snapshot_free(s);

	/* Without the hierarchy source it is not there, and the inner one has no parent. */
	s = discover(LXNS_SRC_PROCS);
	struct lxns_node *n;
	lxns_snapshot_foreach(s, n)
		CHECK(lxns_node_ino(n) != middle);
	CHECK(lxns_node_parent(node_of(s, inner)) == NULL);
	lxns_snapshot_free(s);
	kill_wait(pid);
}

/* Hundreds of them at once: the BPF pass's output fills the kernel's buffer several times over,
 * and the task whose records would overflow it is run again at the next read (its map updates
 * made already); every middle namespace is still described, with its parent. */
TEST(many_hidden_intermediate_user_namespaces)
{
	harness_require_unshare(CLONE_NEWUSER);
	enum { N = 300 };
	pid_t pids[N];
	uint64_t top = link_of(getpid(), "user");

	for (int k = 0; k < N; k++)
		pids[k] = spawn(unshare_user_twice, NULL);
	for (int round = 0; round < 3; round++) {
		struct lxns_snapshot *s = discover(0);
		for (int k = 0; k < N; k++) {
			struct lxns_node *in = node_of(s, link_of(pids[k], "user")), *m = lxns_node_parent(in);

			if (!m || lxns_node_parent(m) != node_of(s, top))
				FAIL("round %d: the middle of process %d's chain: %s", round, (int)pids[k],
				     m ? "its parent is lost" : "lost");
		}
		CHECK_EQ(lxns_snapshot_stat(s, LXNS_STAT_UNRESOLVED), 0);
		lxns_snapshot_free(s);
	}
	for (int k = 0; k < N; k++)
		kill_wait(pids[k]);
}

/* A chain of *arg user namespaces, each made inside the one before: only the innermost keeps
 * a process. */
static void unshare_user_chain(void *arg)
{
	int flags = CLONE_NEWUSER;

	for (int level = 0; level < *(int *)arg; level++) {
		do_unshare(&flags);
		harness_map_root(0, 0);
	}
}

/* The BPF walk keeps the user namespaces it wrote in a map of 2,048; past that it must write
 * each one it meets again, never take the map's refusal for "written before" (which would end
 * the chains there). */
TEST(more_hidden_user_namespaces_than_the_walk_map_holds)
{
	harness_require_unshare(CLONE_NEWUSER);
	/* 75 x 29 = 2,175 user namespaces without a process, past the map's WALK_MAP_ENTRIES */
	enum { N = 75, DEPTH = 30 };
	int depth = DEPTH;
	FILE *f = fopen("/proc/sys/user/max_user_namespaces", "re");
	long max = 0;

	if (!f || fscanf(f, "%ld", &max) != 1)
		max = 0;
	if (f)
		fclose(f);
	if (max < 2 * N * DEPTH)
		SKIP("max_user_namespaces is %ld, this needs %d", max, 2 * N * DEPTH);
	pid_t pids[N];
	uint64_t top = link_of(getpid(), "user");

	for (int k = 0; k < N; k++)
		pids[k] = spawn(unshare_user_chain, &depth);
	struct lxns_snapshot *s = discover(0);
	for (int k = 0; k < N; k++) {
		struct lxns_node *n = node_of(s, link_of(pids[k], "user"));
		int level = 0;

		for (; n && n != node_of(s, top) && level <= DEPTH; level++)
			n = lxns_node_parent(n);
		if (level != DEPTH)
			FAIL("process %d's chain: %d levels above it, not %d", (int)pids[k], level, DEPTH);
	}
	CHECK_EQ(lxns_snapshot_stat(s, LXNS_STAT_UNRESOLVED), 0);
	lxns_snapshot_free(s);
	for (int k = 0; k < N; k++)
		kill_wait(pids[k]);
}

/* Create a network namespace, keep an fd on it and go back to the original one. */
static void hold_netns_by_fd(void *arg)
{
	int orig = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), flags = CLONE_NEWNET;

	(void)arg;
	do_unshare(&flags);
	if (open("/proc/self/ns/net", O_RDONLY) < 0 || setns(orig, CLONE_NEWNET) < 0)
		_exit(1);
	close(orig);
}

TEST(network_namespace_held_only_by_an_fd)
{
	harness_require_unshare(CLONE_NEWNET);
	pid_t pid = spawn(hold_netns_by_fd, NULL);
	uint64_t held = 0;
	char path[64], buf[64];

	/* Find the fd's namespace the way a person would: readlink its fds. */
	for (int fd = 0; fd < 64 && !held; fd++) {
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
		n = readlink(path, buf, sizeof(buf) - 1);
		if (n > 0 && (buf[n] = '\0', strncmp(buf, "net:[", 5) == 0))
			held = strtoull(buf + 5, NULL, 10);
	}
	CHECK(held != 0);
	CHECK(held != link_of(pid, "net"));

	struct lxns_snapshot *s = discover(0);
	struct lxns_node *n = node_of(s, held);
	CHECK_EQ(lxns_node_type(n), LXNS_NET);
	CHECK_EQ(lxns_node_nprocs(n), 0);
	CHECK_EQ(lxns_node_found(n), LXNS_FOUND_FD);
	CHECK_EQ(lxns_node_found_pid(n), pid);
	CHECK(lxns_node_owner(n) == node_of(s, link_of(getpid(), "user")));
	CHECK(lxns_snapshot_stat(s, LXNS_STAT_FDS) >= 1);
	lxns_snapshot_free(s);

	/* Processes only: not found. */
	s = discover(LXNS_SRC_PROCS | LXNS_SRC_HIERARCHY);
	lxns_snapshot_foreach(s, n)
		CHECK(lxns_node_ino(n) != held);
	lxns_snapshot_free(s);
	kill_wait(pid);
}

/* A child makes a user namespace in a user namespace, a network namespace there, sends us an
 * fd on that and exits: the two user namespaces keep no process; they are known only as the
 * owner, and its parent, of a namespace we hold by an fd. */
static int netns_fd_from_a_child_gone(void)
{
	int sv[2], fd = -1;
	char byte = 0, ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };

	CHECK_SYS(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	pid_t child = CHECK_SYS(fork());
	if (child == 0) {
		int flags = CLONE_NEWUSER;
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

		do_unshare(&flags);
		harness_map_root(0, 0);
		flags = CLONE_NEWUSER | CLONE_NEWNET;
		do_unshare(&flags);
		fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
		_exit(fd < 0 || sendmsg(sv[1], &msg, 0) != 1);
	}
	close(sv[1]);
	harness_wait_ok(child);
	CHECK_SYS(recvmsg(sv[0], &msg, MSG_CMSG_CLOEXEC));
	close(sv[0]);
	CHECK(CMSG_FIRSTHDR(&msg) && CMSG_FIRSTHDR(&msg)->cmsg_type == SCM_RIGHTS);
	memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(int));
	return fd;
}

TEST(owners_without_processes_of_a_namespace_held_by_an_fd)
{
	harness_require_unshare(CLONE_NEWUSER | CLONE_NEWNET);
	int net = netns_fd_from_a_child_gone(), owner = CHECK_OK(lxns_fd_owner(net)), up = CHECK_OK(lxns_fd_parent(owner));
	uint64_t ino[3] = { fd_ino(net), fd_ino(owner), fd_ino(up) };

	close(owner);
	close(up);
	struct lxns_snapshot *s = discover(0);
	struct lxns_node *n = node_of(s, ino[0]), *u2 = node_of(s, ino[1]), *u1 = node_of(s, ino[2]);
	CHECK_EQ(lxns_node_found(n), LXNS_FOUND_FD);
	CHECK_EQ(lxns_node_found_pid(n), getpid());
	CHECK(lxns_node_owner(n) == u2);
	CHECK_EQ(lxns_node_found(u2), LXNS_FOUND_HIERARCHY);
	CHECK_EQ(lxns_node_found(u1), LXNS_FOUND_HIERARCHY);
	CHECK(lxns_node_parent(u2) == u1);
	CHECK(lxns_node_parent(u1) == node_of(s, link_of(getpid(), "user")));
	CHECK_EQ(lxns_snapshot_stat(s, LXNS_STAT_UNRESOLVED), 0);
	lxns_snapshot_free(s);
	close(net);
}

struct pinned_mntns {
	char dir[64];
	pid_t pid;
};

/* In a new mount namespace: a tmpfs on /tmp with a new network namespace pinned at /tmp/pin. */
static void mntns_with_pinned_net(void *arg)
{
	struct lxns_ns *net;
	int flags = CLONE_NEWNS;

	(void)arg;
	do_unshare(&flags);
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0 || mount("tmpfs", "/tmp", "tmpfs", 0, NULL) < 0)
		_exit(1);
	flags = CLONE_NEWNET;
	do_unshare(&flags);
	if (lxns_ns_open_self(LXNS_NET, 0, &net) < 0 || lxns_pin(net, "/tmp/pin", LXNS_PIN_CREATE) < 0)
		_exit(1);
	lxns_ns_free(net);
}

/* Pin namespace @type of @pid at @dir/@name (a new temporary @dir), then end @pid: the pin is
 * all that holds it. Undo with lxns_unpin() and rmdir(). */
static void pin_then_kill(pid_t pid, int type, char *dir, char *pin, size_t size)
{
	struct lxns_ns *ns;

	CHECK(mkdtemp(dir));
	snprintf(pin, size, "%s/%s", dir, lxns_type_name(type));
	CHECK_OK(lxns_ns_open_pid(pid, type, 0, &ns));
	CHECK_OK(lxns_pin(ns, pin, LXNS_PIN_CREATE));
	lxns_ns_free(ns);
	kill_wait(pid);
}

TEST(network_namespace_bind_mounted_in_a_mount_namespace_without_processes)
{
	harness_require_unshare(CLONE_NEWNS | CLONE_NEWNET);
	pid_t pid = spawn(mntns_with_pinned_net, NULL);
	uint64_t mnt = link_of(pid, "mnt"), net = link_of(pid, "net");
	char dir[] = "/tmp/lxns-test-XXXXXX", pin[64];

	/* Keep the mount namespace with a pin in ours, then let its only process go. */
	pin_then_kill(pid, LXNS_MNT, dir, pin, sizeof(pin));

	struct lxns_snapshot *s = discover(0);
	struct lxns_node *m = node_of(s, mnt), *n = node_of(s, net);
	CHECK_EQ(lxns_node_nprocs(m), 0);
	CHECK_EQ(lxns_node_found(m), LXNS_FOUND_MOUNT);
	CHECK(strcmp(lxns_node_mount_path(m), pin) == 0);
	CHECK_EQ(lxns_node_type(n), LXNS_NET);
	CHECK_EQ(lxns_node_nprocs(n), 0);
	CHECK_EQ(lxns_node_found(n), LXNS_FOUND_MOUNT);
	CHECK(strcmp(lxns_node_mount_path(n), "/tmp/pin") == 0);
	CHECK(lxns_node_mount_ns(n) == m);
	CHECK(lxns_node_owner(n) == node_of(s, link_of(getpid(), "user")));
	lxns_snapshot_free(s);

	CHECK_OK(lxns_unpin(pin, LXNS_PIN_REMOVE));
	CHECK_SYS(rmdir(dir));
}

TEST(user_namespace_alive_only_through_a_pinned_namespace_it_owns)
{
	harness_require_unshare(CLONE_NEWUSER | CLONE_NEWNET);
	int flags = CLONE_NEWUSER | CLONE_NEWNET;
	pid_t pid = spawn(do_unshare, &flags);
	uint64_t user = link_of(pid, "user"), net = link_of(pid, "net");
	char dir[] = "/tmp/lxns-test-XXXXXX", pin[64];

	pin_then_kill(pid, LXNS_NET, dir, pin, sizeof(pin));

	struct lxns_snapshot *s = discover(0);
	struct lxns_node *u = node_of(s, user), *n = node_of(s, net);
	CHECK_EQ(lxns_node_found(n), LXNS_FOUND_MOUNT);
	CHECK(lxns_node_owner(n) == u);
	CHECK_EQ(lxns_node_found(u), LXNS_FOUND_HIERARCHY);
	CHECK_EQ(lxns_node_nprocs(u), 0);
	CHECK(lxns_node_parent(u) == node_of(s, link_of(getpid(), "user")));
	/* It owns the pinned one. */
	CHECK(lxns_node_next_owned(u, NULL) == n);
	CHECK(lxns_node_next_owned(u, n) == NULL);
	lxns_snapshot_free(s);

	CHECK_OK(lxns_unpin(pin, LXNS_PIN_REMOVE));
	CHECK_SYS(rmdir(dir));
}

/* Two pid namespaces, one inside the other; we get the PID of the first one's init. */
static void nested_pid_namespaces(void *arg)
{
	int p[2], flags = CLONE_NEWPID;
	pid_t init1;

	if (pipe2(p, O_CLOEXEC) < 0)
		_exit(1);
	do_unshare(&flags);
	init1 = fork();
	if (init1 == 0) {
		/* init of the first namespace: make the second one and its init. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		do_unshare(&flags);
		if (fork() == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			(void)!write(p[1], "k", 1);
			for (;;)
				pause();
		}
		for (;;)
			pause();
	}
	char c;
	if (init1 < 0 || read(p[0], &c, 1) != 1)
		_exit(1);
	*(pid_t *)arg = init1;
}

TEST(nested_pid_namespaces)
{
	harness_require_unshare(CLONE_NEWPID);
	/* The spawned process writes init1's PID to shared memory before reporting. */
	pid_t *shared = mmap(NULL, sizeof(pid_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(shared != MAP_FAILED);
	pid_t pid = spawn(nested_pid_namespaces, shared);
	pid_t init1 = *shared;
	uint64_t ours = link_of(getpid(), "pid"), ns1 = link_of(init1, "pid");
	uint64_t ns2 = link_of(init1, "pid_for_children");

	CHECK(ns1 != ours && ns2 != ns1);
	struct lxns_snapshot *s = discover(0);
	struct lxns_node *a = node_of(s, ns1), *b = node_of(s, ns2);
	CHECK(lxns_node_parent(a) == node_of(s, ours));
	CHECK(lxns_node_parent(b) == a);
	CHECK_EQ(lxns_node_nprocs(a), 1); /* init1; its child is in ns2 */
	CHECK_EQ(lxns_node_pid(a), init1);
	CHECK_EQ(lxns_node_nprocs(b), 1);
	CHECK(lxns_node_next_child(a, NULL) == b);
	lxns_snapshot_free(s);
	munmap(shared, sizeof(pid_t));
	kill(init1, SIGKILL); /* takes ns2 with it; the spawned process reaps it */
	for (int i = 0; i < 1000 && kill(init1, 0) == 0; i++)
		usleep(1000);
	kill_wait(pid);
}

/* unshare() of pid and time namespaces changes only what children get: a time namespace made
 * so is found through time_for_children of its maker; a pid namespace is not, until its first
 * process exists (the kernel hides pid_for_children until then, and so do both scans). */
TEST(namespaces_made_for_children_to_come)
{
	harness_require_unshare(CLONE_NEWTIME | CLONE_NEWPID);
	int flags = CLONE_NEWTIME | CLONE_NEWPID;
	pid_t pid = spawn(do_unshare, &flags);
	uint64_t time_now = link_of(pid, "time"), time_next = link_of(pid, "time_for_children");
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/pid_for_children", (int)pid);
	CHECK(access(path, F_OK) < 0 && errno == ENOENT);
	CHECK(time_next != time_now);
	struct lxns_snapshot *s = discover(0);
	struct lxns_node *n = node_of(s, time_next);
	CHECK_EQ(lxns_node_found(n), LXNS_FOUND_CHILDREN);
	CHECK_EQ(lxns_node_found_pid(n), pid);
	CHECK_EQ(lxns_node_nprocs(n), 0);
	CHECK(lxns_node_owner(n) == node_of(s, link_of(pid, "user")));
	CHECK(lxns_node_pid(node_of(s, time_now)) <= pid);
	lxns_snapshot_free(s);
	kill_wait(pid);
}

TEST(thread_in_its_own_namespace)
{
	harness_require_unshare(CLONE_NEWUTS);
	char path[64];

	pid_t tid = harness_thread_in_own_uts();
	snprintf(path, sizeof(path), "/proc/%d/task/%d/ns/uts", (int)getpid(), (int)tid);
	uint64_t uts = harness_link_ino(path);

	struct lxns_snapshot *s = discover(0);
	struct lxns_node *n = node_of(s, uts);
	CHECK_EQ(lxns_node_found(n), LXNS_FOUND_THREAD);
	CHECK_EQ(lxns_node_found_pid(n), tid);
	CHECK_EQ(lxns_node_nprocs(n), 0);
	CHECK(lxns_snapshot_stat(s, LXNS_STAT_THREADS) >= 1);
	lxns_snapshot_free(s);

	/* Also held as an fd by the process (a lower PID): the thread still names it, and the
	 * node opens through it. */
	int fd = CHECK_SYS(open(path, O_RDONLY | O_CLOEXEC));
	struct lxns_ns *ns;
	s = discover(0);
	n = node_of(s, uts);
	CHECK_EQ(lxns_node_found(n), LXNS_FOUND_THREAD | LXNS_FOUND_FD);
	CHECK_EQ(lxns_node_found_pid(n), tid);
	struct lxns_ident id;
	CHECK_OK(lxns_node_open(n, &ns));
	CHECK_OK(lxns_ns_ident(ns, &id));
	CHECK_EQ(id.ino, uts);
	lxns_ns_free(ns);
	lxns_snapshot_free(s);
	close(fd);

	s = discover(LXNS_SRC_PROCS);
	lxns_snapshot_foreach(s, n)
		CHECK(lxns_node_ino(n) != uts);
	lxns_snapshot_free(s);
	harness_thread_stop();
}

TEST(flat_list_is_sorted_and_trees_are_consistent)
{
	struct lxns_snapshot *s = discover(0);
	struct lxns_node *n, *prev = NULL, *k;
	size_t count = 0;

	lxns_snapshot_foreach(s, n) {
		if (prev) {
			int a = lxns_node_type(prev), b = lxns_node_type(n);
			CHECK(strcmp(lxns_type_name(a), lxns_type_name(b)) < 0 ||
			      (a == b && lxns_node_ino(prev) < lxns_node_ino(n)));
		}
		/* Every child lists its parent, every owned node its owner. */
		lxns_node_foreach_child(n, k)
			CHECK(lxns_node_parent(k) == n);
		lxns_node_foreach_owned(n, k)
			CHECK(lxns_node_owner(k) == n && lxns_node_type(k) != LXNS_USER);
		if (lxns_node_type(n) != LXNS_USER && lxns_node_type(n) != LXNS_PID)
			CHECK(lxns_node_parent(n) == NULL);
		prev = n;
		count++;
	}
	CHECK_EQ(count, lxns_snapshot_stat(s, LXNS_STAT_NAMESPACES));
	CHECK(lxns_snapshot_next_root(s, LXNS_USER, NULL) == node_of(s, link_of(getpid(), "user")));
	CHECK(lxns_snapshot_next_root(s, LXNS_NET, NULL) == NULL);
	/* Our own namespaces are all there with us counted, with their identity. */
	n = node_of(s, link_of(getpid(), "net"));
	CHECK(lxns_node_nprocs(n) >= 1 && lxns_node_comm(n) != NULL);
	struct lxns_ident a, b;
	CHECK_OK(lxns_node_ident(n, &a));
	CHECK_OK(lxns_current_ident(LXNS_NET, &b));
	CHECK_IDENT_EQ(a, b);
	struct lxns_ns *ns;
	CHECK_OK(lxns_node_open(n, &ns));
	CHECK_CLOEXEC(lxns_ns_fileno(ns));
	CHECK_OK(lxns_ns_ident(ns, &b));
	CHECK_IDENT_EQ(a, b);
	lxns_ns_free(ns);
	lxns_snapshot_free(s);
	lxns_snapshot_free(NULL);
}

/* Whether our effective capabilities include CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN. */
static bool may_load_bpf(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	unsigned long long caps = 0;
	char line[256];

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	if (f)
		fclose(f);
	return (caps >> 21 & 1) || ((caps >> 38 & 1) && (caps >> 39 & 1));
}

/* A caller that may load BPF, on a kernel with BTF, reads tasks through the iterators; the flag
 * turns them off. */
TEST(bpf_iterators_are_used_where_allowed)
{
	if (!may_load_bpf() || access("/sys/kernel/btf/vmlinux", R_OK) < 0)
		SKIP("needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN) and kernel BTF");
	struct lxns_snapshot *s = discover_flags(0, 0), *proc = discover_flags(0, LXNS_DISCOVER_NO_BPF);

	/* Every task: at least every process, as /proc counts them. */
	CHECK(lxns_snapshot_stat(s, LXNS_STAT_TASKS_BPF) >= lxns_snapshot_stat(s, LXNS_STAT_PROCESSES));
	CHECK(lxns_snapshot_stat(s, LXNS_STAT_PROCESSES) > 1);
	CHECK_EQ(lxns_snapshot_stat(proc, LXNS_STAT_TASKS_BPF), 0);
	CHECK(lxns_snapshot_stat(proc, LXNS_STAT_PROCESSES) > 1);
	lxns_snapshot_free(s);
	lxns_snapshot_free(proc);
}

/* A scan from inside a pid namespace (with its own /proc) sees PIDs as that namespace numbers
 * them, and nothing above it: the BPF scan (checked against /proc in discover()) too. */
static void scan_inside_pid_namespace(void)
{
	uint64_t ours = harness_link_ino("/proc/self/ns/pid"), nested;
	int stop[2];
	char path[64];

	CHECK_SYS(pipe2(stop, O_CLOEXEC));
	pid_t child = CHECK_SYS(fork());
	if (child == 0) {
		char c;

		close(stop[1]);
		if (unshare(CLONE_NEWPID) < 0 || fork() != 0) /* its init pauses in the nested namespace */
			_exit(read(stop[0], &c, 1) < 0);
		(void)!read(stop[0], &c, 1);
		_exit(0);
	}
	close(stop[0]);
	/* Until its init is there: before that, pid_for_children reads ENOENT (no reaper yet). */
	for (int i = 0; i < 5000 && access("/proc/3", F_OK) < 0; i++)
		usleep(1000);
	snprintf(path, sizeof(path), "/proc/%d/ns/pid_for_children", (int)child);
	nested = harness_link_ino(path);
	CHECK(nested != ours);
	struct lxns_snapshot *s = discover(0);
	struct lxns_node *top = node_of(s, ours), *n = node_of(s, nested);
	CHECK(lxns_node_parent(top) == NULL);
	CHECK_EQ(lxns_node_pid(top), 1);
	CHECK(lxns_node_parent(n) == top);
	CHECK_EQ(lxns_node_pid(n), 3); /* the nested init, as we number it */
	CHECK_EQ(lxns_node_nprocs(n), 1);
	lxns_snapshot_free(s);
	close(stop[1]);
	harness_wait_ok(child);
}

TEST(scan_from_inside_a_pid_namespace)
{
	harness_require_unshare(CLONE_NEWPID | CLONE_NEWNS);
	pid_t pid = CHECK_SYS(fork());

	if (pid == 0) {
		CHECK_SYS(unshare(CLONE_NEWPID | CLONE_NEWNS));
		pid_t init = CHECK_SYS(fork());
		if (init == 0) {
			CHECK_SYS(mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL));
			CHECK_SYS(mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
			scan_inside_pid_namespace();
			_exit(0);
		}
		harness_wait_ok(init);
		_exit(0);
	}
	harness_wait_ok(pid);
}

TEST(bad_options)
{
	struct lxns_snapshot *s = (struct lxns_snapshot *)0x1;

	LXNS_OPTS(lxns_discover_opts, bad_types, .types = 0x1);
	LXNS_OPTS(lxns_discover_opts, bad_sources, .sources = 0x400);
	LXNS_OPTS(lxns_discover_opts, bad_flags, .flags = 0x2);
	struct lxns_discover_opts short_sz = { .sz = 2 };
	CHECK_ERR(lxns_discover(&bad_types, &s), EINVAL);
	CHECK_ERR(lxns_discover(&bad_sources, &s), EINVAL);
	CHECK_ERR(lxns_discover(&bad_flags, &s), EINVAL);
	CHECK_ERR(lxns_discover(&short_sz, &s), EINVAL);
	CHECK(s == (struct lxns_snapshot *)0x1);
}

TEST(unprivileged_scan_completes_and_reports_what_it_could_not_read)
{
	pid_t pid = CHECK_SYS(fork());

	if (pid == 0) {
		harness_drop_privileges();
		struct lxns_snapshot *s = discover(0);
		struct lxns_node *n = node_of(s, link_of(getpid(), "user"));

		CHECK(lxns_node_nprocs(n) >= 1);
		/* Root's processes (PID 1 at least) are out of reach, and BPF is. */
		CHECK(lxns_snapshot_stat(s, LXNS_STAT_DENIED) > 0);
		CHECK_EQ(lxns_snapshot_stat(s, LXNS_STAT_TASKS_BPF), 0);
		lxns_snapshot_free(s);
		_exit(0);
	}
	harness_wait_ok(pid);
}

/* A process that forks @one over and over, reaping what it leaves, until stop_churn(). */
struct churn {
	pid_t pid;
	int stop; /* closing it stops the churn */
};

static struct churn start_churn(void (*one)(void))
{
	int stop[2];
	pid_t pid;

	CHECK_SYS(pipe2(stop, O_CLOEXEC | O_NONBLOCK));
	pid = CHECK_SYS(fork());
	if (pid == 0) {
		char byte;

		close(stop[1]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		prctl(PR_SET_CHILD_SUBREAPER, 1); /* orphaned grandchildren come back to be reaped */
		/* Until the test closes the pipe (read gives 0): no child is ever left behind. */
		while (read(stop[0], &byte, 1) != 0) {
			one();
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
		}
		while (wait(NULL) > 0)
			;
		_exit(0);
	}
	close(stop[0]);
	return (struct churn){ .pid = pid, .stop = stop[1] };
}

static void stop_churn(struct churn *c)
{
	close(c->stop);
	harness_wait_ok(c->pid);
}

/* A process in new net and uts namespaces for 200 us. */
static void short_lived_namespaces(void)
{
	pid_t c = fork();

	if (c == 0) {
		if (unshare(CLONE_NEWNET | CLONE_NEWUTS) == 0)
			usleep(200);
		_exit(0);
	}
	if (c > 0)
		waitpid(c, NULL, 0);
}

/* Processes and namespaces come and go during the scans; every scan completes. */
TEST(scans_complete_during_process_churn)
{
	harness_require_unshare(CLONE_NEWNET | CLONE_NEWUTS);
	struct churn c = start_churn(short_lived_namespaces);

	for (int i = 0; i < 40; i++) { /* the two ways in turn */
		struct lxns_snapshot *s = discover_flags(0, i % 2 ? LXNS_DISCOVER_NO_BPF : 0);
		CHECK(lxns_snapshot_stat(s, LXNS_STAT_NAMESPACES) > 0);
		lxns_snapshot_free(s);
	}
	stop_churn(&c);
}

/* Every node's owner and parent are known (or there is none: the top, a flat type's parent),
 * and there is exactly one user and one pid root: the tree the kernel has. Returns a message
 * for the first node that breaks it, or NULL. */
static const char *false_root(const struct lxns_snapshot *s, char *buf, size_t size)
{
	struct lxns_node *n, *rel;
	int roots[2] = { 0 };

	lxns_snapshot_foreach(s, n) {
		int p = lxns_node_get_parent(n, &rel), o = lxns_node_get_owner(n, &rel);

		if (p == -ENODATA || o == -ENODATA || p == -ENOENT || o == -ENOENT) {
			snprintf(buf, size, "%s:[%llu] has no %s (%s)", lxns_type_name(lxns_node_type(n)),
				 (unsigned long long)lxns_node_ino(n), p < 0 && p != -EPERM && p != -EINVAL ? "parent" : "owner",
				 strerror(-(p < 0 && p != -EPERM && p != -EINVAL ? p : o)));
			return buf;
		}
	}
	for (int t = 0; t < 2; t++)
		for (n = lxns_snapshot_next_root(s, t ? LXNS_PID : LXNS_USER, NULL); n;
		     n = lxns_snapshot_next_root(s, t ? LXNS_PID : LXNS_USER, n))
			roots[t]++;
	if (roots[0] != 1 || roots[1] != 1) {
		snprintf(buf, size, "%d user and %d pid roots", roots[0], roots[1]);
		return buf;
	}
	return NULL;
}

/* A chain user -> user -> (user, net) whose middle has no process: it exists only as the owner
 * of what the grandchild is in, for the 20 ms the grandchild lives. */
static void short_lived_owner_only_chain(void)
{
	pid_t child = fork();
	uid_t uid = geteuid();
	gid_t gid = getegid();

	if (child != 0) {
		usleep(2000);
		return;
	}
	if (unshare(CLONE_NEWUSER) < 0)
		_exit(1);
	harness_map_root(uid, gid);
	if (fork() == 0) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0)
			usleep(20000);
		_exit(0);
	}
	_exit(0); /* the middle namespace keeps no process: the grandchild goes on alone */
}

/* Scans while such chains come and go: as root in the initial namespaces, not one false root,
 * through BPF and /proc alike (the owner of each is asked through a reference taken when it
 * was first seen, or read in the same BPF pass). */
TEST(owner_only_chains_under_short_lived_processes_give_no_false_root)
{
	harness_require_unshare(CLONE_NEWUSER | CLONE_NEWNET);
	struct lxns_ident user;
	CHECK_OK(lxns_current_ident(LXNS_USER, &user));
	if (geteuid() != 0 || user.ino != 0xEFFFFFFDU)
		SKIP("needs root in the initial user namespace (one root is what the kernel has only there)");
	struct churn c = start_churn(short_lived_owner_only_chain);
	struct timespec start, now;

	/* 200 scans; under valgrind, which runs them ~50 times slower, as many as 30 s allow (at
	 * least 20), so that the case stays within the harness's time. */
	clock_gettime(CLOCK_MONOTONIC, &start);
	usleep(50000);
	for (int i = 0; i < 200; i++) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (i >= 20 && now.tv_sec - start.tv_sec > 30)
			break;
		struct lxns_snapshot *s = discover_flags(0, i % 2 ? LXNS_DISCOVER_NO_BPF : 0);
		char why[160];
		const char *bad = false_root(s, why, sizeof(why));

		if (bad)
			FAIL("scan %d (%s): %s", i, i % 2 ? "/proc" : "BPF or /proc", bad);
		CHECK_EQ(lxns_snapshot_stat(s, LXNS_STAT_UNRESOLVED), 0);
		lxns_snapshot_free(s);
	}
	stop_churn(&c);
}

/* The edges' reasons: the top is -EPERM, a flat type's parent -EINVAL, an owner the sources did
 * not look for -ENOENT; NULL from the plain getters for all three. */
TEST(missing_edges_say_why)
{
	struct lxns_snapshot *s = discover(0);
	struct lxns_node *top = node_of(s, link_of(getpid(), "user")), *net = node_of(s, link_of(getpid(), "net"));
	struct lxns_node *rel = (struct lxns_node *)0x1;

	CHECK_ERR(lxns_node_get_parent(top, &rel), EPERM);
	CHECK_ERR(lxns_node_get_owner(top, &rel), EPERM);
	CHECK_ERR(lxns_node_get_parent(net, &rel), EINVAL);
	CHECK(rel == (struct lxns_node *)0x1);
	CHECK_OK(lxns_node_get_owner(net, &rel));
	CHECK(rel == top && lxns_node_owner(net) == top && lxns_node_parent(net) == NULL);
	CHECK_ERR(lxns_node_get_owner(NULL, &rel), EINVAL);
	lxns_snapshot_free(s);

	/* Net namespaces only, without the hierarchy: their owner is known, not held. */
	LXNS_OPTS(lxns_discover_opts, o, .types = LXNS_NET, .sources = LXNS_SRC_PROCS);
	CHECK_OK(lxns_discover(&o, &s));
	net = node_of(s, link_of(getpid(), "net"));
	CHECK_ERR(lxns_node_get_owner(net, &rel), ENOENT);
	CHECK(lxns_node_owner(net) == NULL);
	CHECK_EQ(lxns_snapshot_stat(s, LXNS_STAT_UNRESOLVED), 0);
	lxns_snapshot_free(s);
}

/* Keep CAP_BPF and CAP_PERFMON alone (the BPF iterators' need) as uid 65534. */
static void become_nobody_with_bpf_caps(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = { 0 };

	CHECK_SYS(prctl(PR_SET_KEEPCAPS, 1));
	CHECK_SYS(setgroups(0, NULL));
	CHECK_SYS(setresgid(65534, 65534, 65534));
	CHECK_SYS(setresuid(65534, 65534, 65534));
	CHECK_SYS(prctl(PR_SET_DUMPABLE, 1));
	for (int i = 0; i < 2; i++) {
		int cap = i ? CAP_PERFMON : CAP_BPF;
		data[cap / 32].effective |= 1u << (cap % 32);
		data[cap / 32].permitted |= 1u << (cap % 32);
	}
	CHECK_SYS(syscall(SYS_capset, &hdr, data));
}

/* The BPF scan as an unprivileged user allowed to load BPF: the chain of a user namespace whose
 * middle has no process, from its records alone (/proc would refuse to open root's processes'
 * namespaces), and lspidns's owners with it. */
TEST(bpf_scan_without_cap_sys_admin_keeps_the_chain)
{
	harness_require_unshare(CLONE_NEWUSER);
	if (access("/sys/kernel/btf/vmlinux", R_OK) < 0)
		SKIP("no kernel BTF");
	pid_t pid = spawn(unshare_user_twice, NULL);
	uint64_t inner = link_of(pid, "user"), top = link_of(getpid(), "user"), middle;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	int fd = CHECK_OK(lxns_path_parent(path));
	middle = fd_ino(fd);
	close(fd);
	pid_t child = CHECK_SYS(fork());
	if (child == 0) {
		become_nobody_with_bpf_caps();
		struct lxns_snapshot *s = discover_flags(0, 0);
		if (!lxns_snapshot_stat(s, LXNS_STAT_TASKS_BPF))
			SKIP("the kernel refused BPF to CAP_BPF and CAP_PERFMON alone");
		struct lxns_node *in = node_of(s, inner), *m = node_of(s, middle);
		CHECK(lxns_node_parent(in) == m);
		CHECK(lxns_node_parent(m) == node_of(s, top));
		CHECK(lxns_snapshot_next_root(s, LXNS_USER, lxns_snapshot_next_root(s, LXNS_USER, NULL)) == NULL);
		lxns_snapshot_free(s);

		LXNS_OPTS(lxns_discover_opts, pids, .types = LXNS_PID);
		CHECK_OK(lxns_discover(&pids, &s));
		struct lxns_node *n;
		lxns_snapshot_foreach(s, n)
			if (lxns_node_type(n) == LXNS_PID)
				CHECK(lxns_node_owner(n) != NULL);
		lxns_snapshot_free(s);
		_exit(0);
	}
	harness_wait_ok(child);
	kill_wait(pid);
}

struct log_seen {
	char text[4096];
};

static void collect_log(int level, const char *message, void *userdata)
{
	struct log_seen *l = userdata;
	size_t len = strlen(l->text);

	snprintf(l->text + len, sizeof(l->text) - len, "%d %s\n", level, message);
}

/* The log channel says why /proc was read: asked to, or BPF not allowed. Nothing without a
 * function, and nothing above the level asked for. */
TEST(log_says_why_proc_was_read)
{
	static struct log_seen l;

	lxns_set_log(collect_log, LXNS_LOG_INFO, &l);
	lxns_snapshot_free(discover_flags(0, LXNS_DISCOVER_NO_BPF));
	CHECK(strstr(l.text, "6 discover: reading /proc (asked to)\n"));
	CHECK(!strstr(l.text, "\n7 ") && strncmp(l.text, "7 ", 2) != 0);
	pid_t pid = CHECK_SYS(fork());
	if (pid == 0) {
		harness_drop_privileges();
		l.text[0] = '\0';
		lxns_snapshot_free(discover_flags(0, 0));
		CHECK(strstr(l.text, "6 bpf: ") && strstr(l.text, "6 discover: reading /proc\n"));
		_exit(0);
	}
	harness_wait_ok(pid);
	lxns_set_log(NULL, 0, NULL);
	l.text[0] = '\0';
	lxns_snapshot_free(discover_flags(0, LXNS_DISCOVER_NO_BPF));
	CHECK_EQ(l.text[0], '\0');
}

/* A user namespace with *arg processes below it, each in a user namespace of its own. */
static void user_namespace_over_many(void *arg)
{
	int flags = CLONE_NEWUSER, p[2];
	char c;

	do_unshare(&flags);
	harness_map_root(0, 0);
	if (pipe2(p, O_CLOEXEC) < 0)
		_exit(1);
	for (int k = 0; k < *(int *)arg; k++) {
		pid_t pid = fork();

		if (pid < 0)
			_exit(1);
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			do_unshare(&flags);
			(void)!write(p[1], "k", 1);
			pause();
			_exit(0);
		}
		if (read(p[0], &c, 1) != 1)
			_exit(1);
	}
}

/* The walk writes a user namespace once: the processes below one all start their walks there,
 * and only the first may write it and its parent. (The walk's map answered -EEXIST in a way
 * only a 32-bit compare sees on kernels before 6.4: there every walk went to the top.) */
TEST(walks_write_a_shared_owner_once)
{
	harness_require_unshare(CLONE_NEWUSER);
	static struct log_seen l;
	int n = 200;
	size_t tasks = 0, files = 0, walked = 0;
	pid_t pid = spawn(user_namespace_over_many, &n);

	lxns_set_log(collect_log, LXNS_LOG_INFO, &l);
	lxns_snapshot_free(discover_flags(0, 0));
	lxns_set_log(NULL, 0, NULL);
	kill_wait(pid);
	const char *line = strstr(l.text, "6 bpf: ");
	if (!line || sscanf(line, "6 bpf: %zu tasks, %zu namespace files, %zu user namespaces up owner chains",
			    &tasks, &files, &walked) != 3)
		SKIP("no BPF scan here");
	if (walked >= (size_t)n / 2)
		FAIL("the walk wrote %zu user namespaces for %d processes below one", walked, n);
}

/* Pin a new network namespace, which no process is in, at @path. Returns its inode. */
static uint64_t pin_new_net(const char *path)
{
	int p[2];
	uint64_t ino = 0;
	pid_t pid;

	CHECK_SYS(pipe2(p, O_CLOEXEC));
	pid = CHECK_SYS(fork());
	if (pid == 0) {
		struct lxns_ns *net;

		if (unshare(CLONE_NEWNET) < 0 || lxns_ns_open_self(LXNS_NET, 0, &net) < 0 ||
		    lxns_pin(net, path, LXNS_PIN_CREATE) < 0)
			_exit(1);
		ino = harness_link_ino("/proc/self/ns/net");
		_exit(write(p[1], &ino, sizeof(ino)) == sizeof(ino) ? 0 : 1);
	}
	close(p[1]);
	harness_wait_ok(pid);
	CHECK(read(p[0], &ino, sizeof(ino)) == sizeof(ino));
	close(p[0]);
	return ino;
}

/* Mount points as mountinfo prints them, with their mount IDs: escaped, after optional
 * fields; nothing from a line without the separator, with a relative mount point or a bad ID. */
TEST(mountinfo_mount_points)
{
	static const struct {
		const char *line, *point;
		int id;
	} cases[] = {
		{ "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue", "/mnt2", 36 },
		{ "40 25 0:4 net:[4026532008] /run/netns/a\\040b rw shared:2 master:3 - nsfs nsfs rw", "/run/netns/a b", 40 },
		{ "41 25 0:4 / / rw - tmpfs tmpfs rw", "/", 41 },
		{ "42 25 0:4 / /x\\134y\\012 rw - tmpfs tmpfs rw", "/x\\y\n", 42 },
		{ "43 25 0:4 / relative rw - tmpfs tmpfs rw", NULL, 0 },
		{ "44 25 0:4 / /x rw", NULL, 0 },
		{ "45 25 / - tmpfs tmpfs rw", NULL, 0 },
		{ "4x6 25 0:4 / /x rw - tmpfs tmpfs rw", NULL, 0 },
		{ "-47 25 0:4 / /x rw - tmpfs tmpfs rw", NULL, 0 },
	};

	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		char line[256];
		const char *point;
		int id = -1;

		snprintf(line, sizeof(line), "%s", cases[k].line);
		point = lxns__mountinfo_point(line, &id);
		if (!cases[k].point ? point != NULL : !point || strcmp(point, cases[k].point) != 0 || id != cases[k].id)
			FAIL("%s: %s %d", cases[k].line, point ? point : "(none)", id);
	}
}

/* Our own mount namespace, its root a new tmpfs with /proc (a root whose names never need
 * revalidating, whatever the machine's is: the VM's is an overlay over 9p). Skips where the
 * kernel has no RESOLVE_CACHED. */
static void tmpfs_root(void)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = 0x20 /* RESOLVE_CACHED */ };
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof(how));

	if (fd < 0 && (errno == ENOSYS || errno == EINVAL))
		SKIP("no openat2() RESOLVE_CACHED here (before 5.12)");
	if (fd >= 0)
		close(fd);
	CHECK_SYS(unshare(CLONE_NEWNS));
	CHECK_SYS(mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL));
	CHECK_SYS(mount("tmpfs", "/tmp", "tmpfs", 0, NULL));
	CHECK_SYS(mkdir("/tmp/proc", 0755));
	CHECK_SYS(mount("proc", "/tmp/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
	CHECK_SYS(chroot("/tmp"));
	CHECK_SYS(chdir("/"));
}

/* The cached walk takes absolute paths without "." or ".." only (it must never climb above our
 * root) and follows no symlink; the mount ID of what it reached comes from procfs, and is the
 * one stat() gives. */
TEST(cached_walk_refuses_what_it_must)
{
	static const char *const bad[] = { "relative", "/a/./b", "/a/..", "/.", "/..", "//..", "/a/../b" };
	struct statx stx;
	int fd = -EAGAIN;

	harness_require_unshare(CLONE_NEWNS | CLONE_NEWNET);
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		CHECK_ERR(lxns__open_path_cached(bad[k]), EINVAL);
	tmpfs_root();
	CHECK_ERR(lxns__open_path_cached("/proc/self/ns/net"), ELOOP);
	uint64_t net = pin_new_net("/pin");
	CHECK_SYS(statx(AT_FDCWD, "/pin", AT_SYMLINK_NOFOLLOW, STATX_MNT_ID | STATX_INO, &stx));
	/* (A mount or unmount anywhere during the walk makes it fail: tries.) */
	for (int try = 0; try < 20 && fd == -EAGAIN; try++)
		fd = lxns__open_path_cached("/pin");
	CHECK_SYS(fd);
	CHECK_EQ(lxns__mount_id_of(-1, fd), (int)stx.stx_mnt_id);
	CHECK_EQ(stx.stx_ino, net);
	close(fd);
}

/* Our own mount namespace, its root a new tmpfs with /proc, and 40 network namespaces pinned
 * there that no process is in: their inodes. */
static void root_with_pins(uint64_t *nets)
{
	char path[64];

	tmpfs_root();
	for (int i = 0; i < 40; i++) {
		snprintf(path, sizeof(path), "/net%d", i);
		nets[i] = pin_new_net(path);
	}
}

/* Discover with the log on; the counts of its "mounts:" line. */
static struct lxns_snapshot *discover_counting_opens(unsigned flags, size_t *ret_here, size_t *ret_helpers)
{
	static struct log_seen l;
	struct lxns_snapshot *s;
	const char *line;

	l.text[0] = '\0';
	lxns_set_log(collect_log, LXNS_LOG_INFO, &l);
	s = discover_flags(0, flags);
	lxns_set_log(NULL, 0, NULL);
	line = strstr(l.text, "6 mounts: ");
	if (!line || sscanf(line, "6 mounts: %zu bind mounts opened here, %zu helper processes", ret_here, ret_helpers) != 2)
		FAIL("no mounts line in the log: %s", l.text);
	return s;
}

/* Bind mounts in our own mount namespace are opened by the scan itself when the kernel holds
 * their paths: 40 pins, each with its owner, and no other mount of ours to open (the rest of
 * the system is outside our root). Before 5.12 the kernel cannot: then helpers do. */
TEST(bind_mounts_are_opened_here_where_the_kernel_holds_their_paths)
{
	harness_require_unshare(CLONE_NEWNS | CLONE_NEWNET);
	uint64_t nets[40], user = link_of(getpid(), "user");

	root_with_pins(nets);
	for (int mode = 0; mode < 2; mode++) {
		size_t opened = 0, helpers = 0;
		struct lxns_snapshot *s = discover_counting_opens(mode ? LXNS_DISCOVER_NO_BPF : 0, &opened, &helpers);

		for (int i = 0; i < 40; i++) {
			struct lxns_node *n = node_of(s, nets[i]);

			CHECK_EQ(lxns_node_found(n), LXNS_FOUND_MOUNT);
			CHECK(lxns_node_owner(n) == node_of(s, user));
		}
		CHECK_EQ(lxns_snapshot_stat(s, LXNS_STAT_UNRESOLVED), 0);
		lxns_snapshot_free(s);
		/* (A mount or unmount elsewhere during a walk makes it fail: five tries each.) */
		CHECK(opened >= 38 && opened <= 40);
	}
}

/* A walk to a mount point with another mount stacked on it ends on the top one, which might
 * ask a server; such mounts are left to helpers. Another namespace pinned over /net0: the hidden
 * one cannot be opened by anyone (its owner is unknown, and said so), the top one is, by a
 * helper; the other 39 here. */
TEST(bind_mounts_with_another_stacked_on_them_are_left_to_helpers)
{
	harness_require_unshare(CLONE_NEWNS | CLONE_NEWNET);
	uint64_t nets[40], top;

	root_with_pins(nets);
	top = pin_new_net("/net0");
	for (int mode = 0; mode < 2; mode++) {
		size_t opened = 0, helpers = 0;
		struct lxns_snapshot *s = discover_counting_opens(mode ? LXNS_DISCOVER_NO_BPF : 0, &opened, &helpers);
		struct lxns_node *rel;

		CHECK(lxns_node_owner(node_of(s, top)) != NULL);
		CHECK_ERR(lxns_node_get_owner(node_of(s, nets[0]), &rel), ENODATA);
		CHECK_EQ(lxns_snapshot_stat(s, LXNS_STAT_UNRESOLVED), 1);
		lxns_snapshot_free(s);
		CHECK(opened >= 37 && opened <= 39);
		CHECK(helpers >= 1);
	}
}

/* The options struct has no padding a later field could land in; an older caller's size is
 * taken, a newer caller's is taken when what we do not know is zero. */
TEST(options_abi)
{
	struct lxns_snapshot *s;
	struct {
		struct lxns_discover_opts o;
		unsigned future;
	} newer = { .o = { .sz = sizeof(newer), .sources = LXNS_SRC_PROCS }, .future = 1 };

	CHECK_EQ(sizeof(struct lxns_discover_opts),
		 offsetof(struct lxns_discover_opts, timeout_ms) + sizeof(unsigned));
	CHECK_ERR(lxns_discover(&newer.o, &s), E2BIG);
	newer.future = 0;
	CHECK_OK(lxns_discover(&newer.o, &s));
	lxns_snapshot_free(s);
	struct lxns_discover_opts older = { .sz = offsetof(struct lxns_discover_opts, timeout_ms), .sources = LXNS_SRC_PROCS };
	CHECK_OK(lxns_discover(&older, &s));
	lxns_snapshot_free(s);
}
