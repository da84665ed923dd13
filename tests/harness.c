/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define MAX_TESTS 128
#define EXIT_SKIP 77
#define TEST_TIMEOUT 60 /* seconds a case may take; LXNS_TEST_TIMEOUT overrides (valgrind) */

static struct {
	const char *name;
	harness_fn fn;
} tests[MAX_TESTS];
static int n_tests;
static int msg_fd = -1; /* in a test child: where failure and skip messages go */

/* TEST_TIMEOUT, or the seconds LXNS_TEST_TIMEOUT gives (for runs under a slow emulator). */
static unsigned test_timeout(void)
{
	const char *s = getenv("LXNS_TEST_TIMEOUT");
	char *end;
	unsigned long v = s ? strtoul(s, &end, 10) : 0;

	return s && *s && !*end && v > 0 && v < 86400 ? (unsigned)v : TEST_TIMEOUT;
}

void harness_register(const char *name, harness_fn fn)
{
	if (n_tests == MAX_TESTS)
		abort();
	tests[n_tests].name = name;
	tests[n_tests++].fn = fn;
}

__attribute__((format(printf, 3, 0))) static _Noreturn void finish(int code, const char *prefix, const char *fmt, va_list ap)
{
	char buf[1024];
	int n = snprintf(buf, sizeof(buf), "%s", prefix);

	vsnprintf(buf + n, sizeof(buf) - 1 - (size_t)n, fmt, ap);
	strcat(buf, "\n");
	if (msg_fd >= 0 && write(msg_fd, buf, strlen(buf)) < 0)
		code = 1;
	/* A process the test forked reports through its exit code too: harness_wait_ok() passes a
	 * skip on as a skip. */
	_exit(code);
}

void harness_fail(const char *file, int line, const char *fmt, ...)
{
	char prefix[256];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "%s:%d: ", file, line);
	va_start(ap, fmt);
	finish(1, prefix, fmt, ap);
}

void harness_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	finish(EXIT_SKIP, "", fmt, ap);
}

bool harness_is_cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	return flags >= 0 && (flags & FD_CLOEXEC);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t size = 0;

	if (!f)
		return NULL;
	FILE *out = open_memstream(&buf, &size);
	int c;
	while (out && (c = fgetc(f)) != EOF)
		fputc(c, out);
	if (out)
		fclose(out);
	fclose(f);
	return buf;
}

/* How many of our children still run (orphans of the test come to us: we are a subreaper),
 * each sent SIGKILL when @kill_them; zombies are reaped without blame. */
static int running_children(bool kill_them)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d))) {
		char path[300], *stat;
		int pid = atoi(e->d_name), ppid = 0;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		stat = read_all(path);
		char *p = stat ? strrchr(stat, ')') : NULL, state = 0;
		if (p && sscanf(p, ") %c %d", &state, &ppid) == 2 && ppid == getpid() && state != 'Z') {
			if (kill_them)
				kill(pid, SIGKILL);
			n++;
		}
		free(stat);
	}
	if (d)
		closedir(d);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	return n;
}

/* Kill and reap every process the test left running. One already dying (a helper sent SIGKILL
 * by its parent's death, PR_SET_PDEATHSIG) gets a second to end without blame: how soon it
 * does depends on the machine, and counting it made a slow machine fail tests that had ended
 * well. Returns how many still ran after that. */
static int reap_leftovers(void)
{
	int left;

	for (int ms = 0; ms < 1000 && running_children(false); ms += 10)
		usleep(10000);
	left = running_children(true);
	for (int round = 0; round < 50 && running_children(true); round++)
		usleep(10000);
	return left;
}

/* The test files in /tmp ("lxns-test-*"), each name followed by '/', or NULL. */
static char *tmp_files(void)
{
	DIR *d = opendir("/tmp");
	struct dirent *e;
	char *buf = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&buf, &size);

	while (d && out && (e = readdir(d)))
		if (strncmp(e->d_name, "lxns-test-", 10) == 0)
			fprintf(out, "%s/", e->d_name);
	if (d)
		closedir(d);
	if (out)
		fclose(out);
	return buf;
}

/* The first name in @after that @before lacks, or NULL. */
static const char *new_file(const char *before, char *after)
{
	for (char *name = after, *end; before && after && *name; name = end + 1) {
		end = strchr(name, '/');
		*end = '\0';
		char *hit = strstr(before, name);
		if (!hit || (hit != before && hit[-1] != '/') || hit[strlen(name)] != '/')
			return name;
	}
	return NULL;
}

static int run_one(int i)
{
	char msg[1024] = "";
	char *mounts_before = read_all("/proc/self/mountinfo"), *mounts_after;
	char *tmp_before = tmp_files(), *tmp_after;
	const char *left_file;
	int pipefd[2], status, result;
	ssize_t len;
	pid_t pid;

	fflush(NULL);
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		abort();
	pid = fork();
	if (pid == 0) {
		int before, after;

		free(mounts_before); /* the runner's, not the test's */
		free(tmp_before);
		close(pipefd[0]);
		msg_fd = pipefd[1];
		alarm(test_timeout());
		before = count_fds();
		tests[i].fn();
		after = count_fds();
		if (before != after)
			FAIL("fd count went from %d to %d: an fd leaked", before, after);
		_exit(0);
	}
	close(pipefd[1]);
	waitpid(pid, &status, 0);
	/* Read only after the wait: a leftover process holding the pipe must not block us. */
	fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
	len = read(pipefd[0], msg, sizeof(msg) - 1);
	msg[len > 0 ? len : 0] = '\0';
	close(pipefd[0]);
	/* One line: the innermost failure first, then the children that reported it upward. */
	for (char *p = msg; *p; p++)
		if (*p == '\n')
			*p = p[1] ? ';' : '\0';

	result = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
	if (WIFSIGNALED(status))
		snprintf(msg, sizeof(msg), "killed by signal %d%s", WTERMSIG(status),
			 WTERMSIG(status) == SIGALRM ? " (timeout)" : "");
	int left = reap_leftovers();
	if (left && result != 1) {
		result = 1;
		snprintf(msg, sizeof(msg), "left %d process(es) behind", left);
	}
	mounts_after = read_all("/proc/self/mountinfo");
	if (result != 1 && (!mounts_before || !mounts_after || strcmp(mounts_before, mounts_after))) {
		result = 1;
		snprintf(msg, sizeof(msg), "the mount table changed: a mount was left behind");
	}
	free(mounts_before);
	free(mounts_after);
	tmp_after = tmp_files();
	left_file = new_file(tmp_before, tmp_after);
	if (result != 1 && left_file) {
		result = 1;
		snprintf(msg, sizeof(msg), "left /tmp/%s behind", left_file);
	}
	free(tmp_before);
	free(tmp_after);

	if (result == 0)
		printf("PASS %s\n", tests[i].name);
	else if (result == EXIT_SKIP)
		printf("SKIP %s: %s\n", tests[i].name, msg);
	else
		printf("FAIL %s: %s\n", tests[i].name, msg[0] ? msg : "failed");
	fflush(stdout);
	return result;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0, skipped = 0;

	prctl(PR_SET_CHILD_SUBREAPER, 1);
	for (int i = 0; i < n_tests; i++) {
		if (argc > 1 && !strstr(tests[i].name, argv[1]))
			continue;
		int r = run_one(i);
		passed += r == 0;
		skipped += r == EXIT_SKIP;
		failed += r != 0 && r != EXIT_SKIP;
	}
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}

/* --- Situations ----------------------------------------------------------------------------- */

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		FAIL("writing %s: %s", path, strerror(errno));
	close(fd);
}

void harness_map_root(uid_t uid, gid_t gid)
{
	char buf[64];

	write_file("/proc/self/setgroups", "deny");
	snprintf(buf, sizeof(buf), "0 %u 1", (unsigned)uid);
	write_file("/proc/self/uid_map", buf);
	snprintf(buf, sizeof(buf), "0 %u 1", (unsigned)gid);
	write_file("/proc/self/gid_map", buf);
}

struct helper helper_spawn(int flags, bool map_root_inside)
{
	int ready[2];
	pid_t pid, parent = getpid();
	struct helper h;
	char c;

	CHECK_SYS(pipe2(ready, O_CLOEXEC));
	pid = CHECK_SYS(fork());
	if (pid == 0) {
		uid_t uid = geteuid();
		gid_t gid = getegid();
		pid_t inner;

		close(ready[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		if (unshare(flags) < 0) {
			c = errno == EPERM ? 'P' : 'E';
			(void)!write(ready[1], &c, 1);
			_exit(1);
		}
		if ((flags & CLONE_NEWUSER) && map_root_inside)
			harness_map_root(uid, gid);
		inner = getpid();
		if ((flags & CLONE_NEWPID) && (inner = fork()) == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (;;)
				pause();
		}
		if (inner < 0)
			_exit(1);
		/* Report the PID of the process inside, then wait for it to be killed. */
		c = 'K';
		(void)!write(ready[1], &c, 1);
		(void)!write(ready[1], &inner, sizeof(inner));
		if (inner != getpid()) {
			while (waitpid(inner, NULL, 0) < 0 && errno == EINTR)
				;
			_exit(0);
		}
		for (;;)
			pause();
	}
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1 || c != 'K') {
		close(ready[0]);
		waitpid(pid, NULL, 0);
		if (c == 'P')
			SKIP("cannot unshare %#x here (EPERM)", flags);
		FAIL("helper could not unshare %#x", flags);
	}
	h.outer = pid;
	if (read(ready[0], &h.pid, sizeof(h.pid)) != sizeof(h.pid))
		FAIL("helper did not report its PID");
	close(ready[0]);
	return h;
}

void helper_kill(struct helper *h)
{
	if (h->outer <= 0)
		return;
	/* The process inside first: the outer one reaps it and exits. */
	kill(h->pid, SIGKILL);
	waitpid(h->outer, NULL, 0);
	h->outer = h->pid = 0;
}

void harness_drop_privileges(void)
{
	CHECK_SYS(setgroups(0, NULL));
	CHECK_SYS(setresgid(65534, 65534, 65534));
	CHECK_SYS(setresuid(65534, 65534, 65534));
	/* A uid change makes us non-dumpable, which would make /proc/self root's. */
	CHECK_SYS(prctl(PR_SET_DUMPABLE, 1));
}

uint64_t harness_link_ino(const char *path)
{
	char buf[128];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);
	char *p;

	if (n < 0)
		FAIL("readlink %s: %s", path, strerror(errno));
	buf[n] = '\0';
	p = strchr(buf, '[');
	if (!p)
		FAIL("%s -> %s is no namespace link", path, buf);
	return strtoull(p + 1, NULL, 10);
}

void harness_require_unshare(int flags)
{
	pid_t pid = CHECK_SYS(fork());
	int status;

	if (pid == 0)
		_exit(unshare(flags) < 0 ? 1 : 0);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		SKIP("cannot unshare %#x here", flags);
}

bool harness_have_pidfd_ioctls(void)
{
	int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0), fd;

	if (pidfd < 0)
		return false;
	fd = ioctl(pidfd, _IO(0xFF, 4), 0); /* PIDFD_GET_NET_NAMESPACE */
	close(pidfd);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

void harness_wait_ok(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) < 0)
		FAIL("waitpid: %s", strerror(errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_SKIP)
		SKIP("(in child %d)", (int)pid); /* its reason is its own message */
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		FAIL("child %d failed (status %#x)", (int)pid, status);
}

static void *uts_thread(void *arg)
{
	if (unshare(CLONE_NEWUTS) == 0)
		*(volatile pid_t *)arg = gettid();
	for (;;)
		pause();
	return NULL;
}

static pthread_t uts_thread_id;

pid_t harness_thread_in_own_uts(void)
{
	static volatile pid_t tid;

	tid = 0;
	CHECK(pthread_create(&uts_thread_id, NULL, uts_thread, (void *)&tid) == 0);
	for (int i = 0; i < 1000 && !tid; i++)
		usleep(1000);
	if (!tid)
		FAIL("the thread could not unshare its uts namespace");
	return tid;
}

void harness_thread_stop(void)
{
	/* pause() is a cancellation point. */
	CHECK(pthread_cancel(uts_thread_id) == 0);
	CHECK(pthread_join(uts_thread_id, NULL) == 0);
}
