/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Discovery as root on a host where others shape what it reads: bind mounts under a file system
 * that never answers, symlinks planted where a bind mount was, mount points longer than
 * PATH_MAX, a /proc that hides processes. Each test builds the situation and asserts that the
 * scan ends in time, opens nothing it should not, and says what it could not see. */
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "lxns.h"
#include "snapshots.h"

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A scan with a deadline of @timeout_ms, both ways; returns its snapshot, and how long it took. */
static struct lxns_snapshot *scan(unsigned flags, unsigned timeout_ms, double *ret_seconds)
{
	LXNS_OPTS(lxns_discover_opts, o, .flags = flags, .timeout_ms = timeout_ms);
	struct lxns_snapshot *s;
	double t = now();

	CHECK_OK(lxns_discover(&o, &s));
	*ret_seconds = now() - t;
	return s;
}

/* In the calling (forked) process: a mount namespace of its own (private, so ours never
 * changes) with a tmpfs at @dir, and a new network namespace pinned at @dir/a/ns, made by a
 * child that then exits: the pin is all that holds it. Returns its inode. */
static uint64_t pin_below(const char *dir)
{
	char path[PATH_MAX];
	uint64_t ino;
	int p[2];

	CHECK_SYS(unshare(CLONE_NEWNS));
	CHECK_SYS(mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL));
	CHECK_SYS(mount("tmpfs", dir, "tmpfs", 0, NULL));
	snprintf(path, sizeof(path), "%s/a", dir);
	CHECK_SYS(mkdir(path, 0755));
	snprintf(path, sizeof(path), "%s/a/ns", dir);
	CHECK_SYS(pipe2(p, O_CLOEXEC));
	pid_t pid = CHECK_SYS(fork());
	if (pid == 0) {
		struct lxns_ns *net;

		CHECK_SYS(unshare(CLONE_NEWNET));
		CHECK_OK(lxns_ns_open_self(LXNS_NET, 0, &net));
		CHECK_OK(lxns_pin(net, path, LXNS_PIN_CREATE));
		ino = harness_link_ino("/proc/self/ns/net");
		CHECK_SYS(write(p[1], &ino, sizeof(ino)));
		_exit(0);
	}
	close(p[1]);
	harness_wait_ok(pid);
	CHECK(read(p[0], &ino, sizeof(ino)) == sizeof(ino));
	close(p[0]);
	return ino;
}

/* Fork a child that runs @setup(@dir, @arg) and writes the inode it returns to us; returns its
 * PID and the inode. The child then waits for its standard input, @to, to close. */
static pid_t child(uint64_t (*setup)(const char *dir, void *arg), const char *dir, void *arg, uint64_t *ret_ino,
		   int *ret_to)
{
	int ready[2], to[2];
	pid_t pid;
	char c;

	CHECK_SYS(pipe2(ready, O_CLOEXEC));
	CHECK_SYS(pipe2(to, O_CLOEXEC));
	pid = CHECK_SYS(fork());
	if (pid == 0) {
		uint64_t ino;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(to[1]);
		CHECK_SYS(dup2(to[0], STDIN_FILENO));
		CHECK_SYS(dup2(ready[1], STDOUT_FILENO));
		ino = setup(dir, arg);
		CHECK_SYS(write(ready[1], &ino, sizeof(ino)));
		while (read(STDIN_FILENO, &c, 1) > 0)
			;
		while (wait(NULL) > 0) /* what setup started ends with its input too */
			;
		_exit(0);
	}
	close(ready[1]);
	close(to[0]);
	if (read(ready[0], ret_ino, sizeof(*ret_ino)) != sizeof(*ret_ino))
		FAIL("the child could not set up its situation");
	close(ready[0]);
	*ret_to = to[1];
	return pid;
}

/* fuse-stall, from beside this program, on @dir/a: the mount over the pin's directory leaves
 * every lookup below it waiting for an answer that never comes. It runs in a child of its own
 * (the FUSE server must not be the process that waits); its "ready" reaches us first. */
static uint64_t pin_below_a_stalled_fuse(const char *dir, void *arg)
{
	char self[PATH_MAX], prog[PATH_MAX + 16], where[PATH_MAX], line[16];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	uint64_t ino = pin_below(dir);
	int out[2];

	(void)arg;
	CHECK(n > 0);
	self[n] = '\0';
	*strrchr(self, '/') = '\0';
	snprintf(prog, sizeof(prog), "%s/fuse-stall", self);
	snprintf(where, sizeof(where), "%s/a", dir);
	CHECK_SYS(pipe2(out, O_CLOEXEC));
	if (CHECK_SYS(fork()) == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(out[1], STDOUT_FILENO);
		execl(prog, prog, where, (char *)NULL);
		_exit(1);
	}
	close(out[1]);
	if (read(out[0], line, sizeof(line)) < 5 || strncmp(line, "ready", 5))
		FAIL("fuse-stall did not mount");
	close(out[0]);
	return ino;
}

/* A bind mount below a FUSE mount that never answers: the scan ends at its deadline (the
 * helper killed), says so, and still lists the namespace, from mountinfo, as found by a bind
 * mount whose owner could not be learned. */
TEST(bind_mount_below_a_stalled_fuse_mount_is_abandoned_at_the_deadline)
{
	if (access("/dev/fuse", R_OK | W_OK) < 0)
		SKIP("no /dev/fuse");
	harness_require_unshare(CLONE_NEWNS | CLONE_NEWNET);
	char dir[] = "/tmp/lxns-test-XXXXXX";
	CHECK(mkdtemp(dir));
	uint64_t net;
	int to;
	pid_t pid = child(pin_below_a_stalled_fuse, dir, NULL, &net, &to);

	for (int mode = 0; mode < 2; mode++) {
		double seconds;
		struct lxns_snapshot *s = scan(mode ? LXNS_DISCOVER_NO_BPF : 0, 300, &seconds);
		struct lxns_node *n = node_of(s, net), *rel;

		CHECK(seconds < 5);
		CHECK_EQ(lxns_snapshot_stat(s, LXNS_STAT_TIMED_OUT), 1);
		CHECK_EQ(lxns_node_found(n), LXNS_FOUND_MOUNT);
		CHECK_ERR(lxns_node_get_owner(n, &rel), ENODATA);
		CHECK(lxns_snapshot_stat(s, LXNS_STAT_UNRESOLVED) >= 1);
		lxns_snapshot_free(s);
	}
	close(to);
	harness_wait_ok(pid); /* fuse-stall dies with it, and the connection with the namespace */
	CHECK_SYS(rmdir(dir));
}

/* As uid 65534 in its own user and mount namespaces: a pin at @dir/a/ns, then a tmpfs over
 * @dir/a where "ns" is a symlink to @target. */
static uint64_t plant_a_symlink(const char *dir, void *target)
{
	char path[PATH_MAX];
	uid_t uid;
	gid_t gid;
	uint64_t ino;

	harness_drop_privileges();
	uid = geteuid();
	gid = getegid();
	CHECK_SYS(unshare(CLONE_NEWUSER));
	harness_map_root(uid, gid);
	ino = pin_below(dir);
	snprintf(path, sizeof(path), "%s/a", dir);
	CHECK_SYS(mount("tmpfs", path, "tmpfs", 0, NULL));
	snprintf(path, sizeof(path), "%s/a/ns", dir);
	CHECK_SYS(symlink(target, path));
	return ino;
}

/* Root's scan never opens what an unprivileged user names: the planted symlink's target sees
 * no open (inotify), and the namespace still shows, its owner unknown, counted. */
TEST(a_symlink_planted_over_a_bind_mount_is_never_followed)
{
	harness_require_unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET);
	char dir[] = "/tmp/lxns-test-XXXXXX", target[PATH_MAX];
	CHECK(mkdtemp(dir));
	CHECK_SYS(chmod(dir, 0755));
	snprintf(target, sizeof(target), "%s-target", dir);
	int fd = CHECK_SYS(open(target, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
	close(fd);
	int in = CHECK_SYS(inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
	CHECK_SYS(inotify_add_watch(in, target, IN_OPEN | IN_ACCESS));
	uint64_t net;
	int to;
	pid_t pid = child(plant_a_symlink, dir, target, &net, &to);

	for (int mode = 0; mode < 2; mode++) {
		double seconds;
		struct lxns_snapshot *s = scan(mode ? LXNS_DISCOVER_NO_BPF : 0, 2000, &seconds);
		struct lxns_node *n = node_of(s, net), *rel;
		struct inotify_event ev;

		CHECK_EQ(lxns_node_found(n), LXNS_FOUND_MOUNT);
		CHECK_ERR(lxns_node_get_owner(n, &rel), ENODATA);
		CHECK(lxns_snapshot_stat(s, LXNS_STAT_FAILED) >= 1);
		CHECK(read(in, &ev, sizeof(ev)) < 0 && errno == EAGAIN);
		lxns_snapshot_free(s);
	}
	close(to);
	harness_wait_ok(pid);
	close(in);
	CHECK_SYS(unlink(target));
	CHECK_SYS(rmdir(dir));
}

/* A directory chain longer than PATH_MAX below @dir (in a private mount namespace on a tmpfs),
 * with a new user namespace and a network namespace it owns pinned at its bottom, made by a
 * child that then exits. Returns the user namespace's inode. */
static uint64_t pin_at_a_long_path(const char *dir, void *arg)
{
	char name[201];
	int fd, p[2];
	uint64_t ino[2];

	CHECK_SYS(unshare(CLONE_NEWNS));
	CHECK_SYS(mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL));
	CHECK_SYS(mount("tmpfs", dir, "tmpfs", 0, NULL));
	memset(name, 'd', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	fd = CHECK_SYS(open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC));
	for (int level = 0; level < 25; level++) { /* 25 * 201 bytes */
		int next;

		CHECK_SYS(mkdirat(fd, name, 0755));
		next = CHECK_SYS(openat(fd, name, O_PATH | O_DIRECTORY | O_CLOEXEC));
		close(fd);
		fd = next;
	}
	CHECK_SYS(pipe2(p, O_CLOEXEC));
	pid_t pid = CHECK_SYS(fork());
	if (pid == 0) {
		uid_t uid = geteuid();
		gid_t gid = getegid();
		CHECK_SYS(unshare(CLONE_NEWUSER | CLONE_NEWNET));
		harness_map_root(uid, gid);
		for (int i = 0; i < 2; i++)
			ino[i] = harness_link_ino(i ? "/proc/self/ns/net" : "/proc/self/ns/user");
		CHECK_SYS(write(p[1], ino, sizeof(ino)));
		pause();
	}
	close(p[1]);
	CHECK(read(p[0], ino, sizeof(ino)) == sizeof(ino));
	close(p[0]);
	for (int i = 0; i < 2; i++) {
		const char *type = i ? "net" : "user";
		char path[64];
		int ns, tree, file;

		file = CHECK_SYS(openat(fd, type, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
		close(file);
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, type);
		ns = CHECK_SYS(open(path, O_RDONLY | O_CLOEXEC));
		tree = CHECK_SYS(syscall(SYS_open_tree, ns, "", OPEN_TREE_CLONE | AT_EMPTY_PATH | O_CLOEXEC));
		CHECK_SYS(syscall(SYS_move_mount, tree, "", fd, type, MOVE_MOUNT_F_EMPTY_PATH));
		close(tree);
		close(ns);
	}
	close(fd);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	(void)arg;
	return ino[0];
}

/* Pins at a mount point longer than PATH_MAX: found from mountinfo, opened one component at a
 * time, owner and parent known; no extra root. */
TEST(namespaces_pinned_past_path_max)
{
	harness_require_unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET);
	char dir[] = "/tmp/lxns-test-XXXXXX";
	CHECK(mkdtemp(dir));
	uint64_t user;
	int to;
	pid_t pid = child(pin_at_a_long_path, dir, NULL, &user, &to);

	for (int mode = 0; mode < 2; mode++) {
		double seconds;
		struct lxns_snapshot *s = scan(mode ? LXNS_DISCOVER_NO_BPF : 0, 2000, &seconds);
		struct lxns_node *u = node_of(s, user), *n = lxns_node_next_owned(u, NULL);

		CHECK_EQ(lxns_node_found(u), LXNS_FOUND_MOUNT);
		CHECK(strlen(lxns_node_mount_path(u)) > PATH_MAX);
		CHECK(lxns_node_parent(u) == node_of(s, link_of(getpid(), "user")));
		CHECK(n && lxns_node_type(n) == LXNS_NET && lxns_node_found(n) == LXNS_FOUND_MOUNT);
		CHECK(lxns_node_owner(n) == u && strlen(lxns_node_mount_path(n)) > PATH_MAX);
		CHECK(lxns_snapshot_next_root(s, LXNS_USER, lxns_snapshot_next_root(s, LXNS_USER, NULL)) == NULL);
		CHECK_EQ(lxns_snapshot_stat(s, LXNS_STAT_UNRESOLVED), 0);
		lxns_snapshot_free(s);
	}
	close(to);
	harness_wait_ok(pid);
	CHECK_SYS(rmdir(dir));
}

/* A /proc mounted hidepid=2 hides other users' processes from an unprivileged scan: it says so
 * (root sees every process, so it does not). */
TEST(proc_with_hidepid_is_noted)
{
	harness_require_unshare(CLONE_NEWNS);
	pid_t pid = CHECK_SYS(fork());

	if (pid == 0) {
		struct lxns_snapshot *s;

		CHECK_SYS(unshare(CLONE_NEWNS));
		CHECK_SYS(mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL));
		CHECK_SYS(mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=invisible"));
		s = discover_flags(0, LXNS_DISCOVER_NO_BPF);
		CHECK_EQ(lxns_snapshot_stat(s, LXNS_STAT_PROC_HIDDEN), 0);
		lxns_snapshot_free(s);
		harness_drop_privileges();
		s = discover_flags(0, LXNS_DISCOVER_NO_BPF);
		CHECK_EQ(lxns_snapshot_stat(s, LXNS_STAT_PROC_HIDDEN), 1);
		lxns_snapshot_free(s);
		_exit(0);
	}
	harness_wait_ok(pid);
}
