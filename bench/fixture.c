/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Benchmark population: N processes spread over U user namespaces (chains nested 4 deep), each
 * user namespace with its own net, uts, ipc and mount namespaces, P of them with a pid namespace
 * (nested along the chains), every tenth holding an extra network namespace only by an fd, and
 * U/10 network namespaces (with their user namespaces) held only by bind mounts.
 *
 * Usage: fixture [-n N] [-u U] [-p P]      (defaults 2000, 200, 50; N up to 10000 and beyond)
 * Prints "ready PROCS" when the population stands, then waits for standard input to
 * close (or SIGTERM/SIGINT) and tears everything down: every process killed and reaped, every
 * bind mount removed. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/close_range.h>
#include <unistd.h>

#include "lxns.h"

#define CHAIN 4 /* user namespaces nested this deep */

static int ready_fd; /* every process of the population writes one byte here when set up */

static void die(const char *what)
{
	fprintf(stderr, "fixture: %s: %s\n", what, strerror(errno));
	_exit(1);
}

/* Tell the fixture this process is set up. The population's processes keep only the fds a
 * process normally has (0, 1, 2) and those they hold on purpose, not this plumbing. */
static void announce(void)
{
	if (write(ready_fd, "x", 1) != 1)
		_exit(1);
	close(ready_fd);
}

/* Die with the parent; every process of the population does, so killing the top ones ends all. */
static void tie(pid_t parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(1);
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		die(path);
	close(fd);
}

static void map_root(void)
{
	write_file("/proc/self/setgroups", "deny");
	write_file("/proc/self/uid_map", "0 0 1");
	write_file("/proc/self/gid_map", "0 0 1");
}

static _Noreturn void sleep_forever(void)
{
	for (;;)
		pause();
}

struct plan {
	int n, u, p;
	int per_ns;   /* processes per user namespace, holder and leader included */
};

static _Noreturn void holder(const struct plan *pl, int index);

/* Inside the new namespaces: the sleepers, an fd-held network namespace every tenth time, and
 * the next holder of the chain. */
static _Noreturn void leader(const struct plan *pl, int index)
{
	pid_t me = getpid();

	if (index % 10 == 5) {
		int orig = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

		if (orig < 0 || unshare(CLONE_NEWNET) < 0 || open("/proc/self/ns/net", O_RDONLY) < 0 ||
		    setns(orig, CLONE_NEWNET) < 0)
			die("fd-held netns");
		close(orig);
	}
	for (int k = 2; k < pl->per_ns; k++) {
		pid_t pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			tie(me);
			announce();
			sleep_forever();
		}
	}
	if ((index + 1) % CHAIN != 0 && index + 1 < pl->u) {
		pid_t pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			tie(me);
			holder(pl, index + 1);
		}
	}
	announce();
	for (;;)
		if (wait(NULL) < 0 && errno == ECHILD)
			pause();
}

/* A user namespace (and net, uts, ipc, mnt; pid for the first P), entered by a leader process. */
static _Noreturn void holder(const struct plan *pl, int index)
{
	int flags;
	pid_t pid;

	if (unshare(CLONE_NEWUSER) < 0)
		die("unshare user");
	map_root();
	flags = CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNS | (index < pl->p ? CLONE_NEWPID : 0);
	if (unshare(flags) < 0)
		die("unshare");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		/* Our PID is invisible from inside a new pid namespace: no getppid() check. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
			_exit(1);
		leader(pl, index);
	}
	announce();
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	_exit(0);
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct plan pl = { .n = 2000, .u = 200, .p = 50 };
	char dir[] = "/tmp/lxns-bench-XXXXXX";
	pid_t me = getpid();
	int pipefd[2], c, expected = 0, got = 0, pins = 0;
	pid_t *tops;
	int ntops = 0;

	while ((c = getopt(argc, argv, "n:u:p:")) != -1) {
		switch (c) {
		case 'n': pl.n = atoi(optarg); break;
		case 'u': pl.u = atoi(optarg); break;
		case 'p': pl.p = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: fixture [-n PROCS] [-u USERNS] [-p PIDNS]\n");
			return 2;
		}
	}
	if (pl.n < 2 || pl.u < 1 || pl.p < 0 || pl.p > pl.u || pl.n < 2 * pl.u) {
		fprintf(stderr, "fixture: need N >= 2*U, U >= 1, 0 <= P <= U\n");
		return 2;
	}
	pl.per_ns = pl.n / pl.u;
	/* The population starts with 0, 1 and 2 only, whatever the caller left open. */
	close_range(3, ~0U, 0);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (pipe2(pipefd, O_CLOEXEC) < 0 || !mkdtemp(dir))
		die("setup");
	ready_fd = pipefd[1];
	tops = calloc((size_t)pl.u + 1, sizeof(*tops));

	/* Chains of user namespaces; each holder announces itself, its leader and the sleepers. */
	for (int i = 0; i < pl.u; i += CHAIN) {
		pid_t pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			tie(me);
			holder(&pl, i);
		}
		tops[ntops++] = pid;
	}
	expected = pl.u * pl.per_ns;

	/* Network namespaces (in their own user namespaces) held only by bind mounts. */
	for (int k = 0; k < pl.u / 10; k++) {
		int sync[2];
		char path[96], b;
		struct lxns_ns *ns;
		pid_t pid;

		if (pipe2(sync, O_CLOEXEC) < 0)
			die("pipe");
		pid = fork();
		if (pid == 0) {
			tie(me);
			if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
				die("unshare");
			(void)!write(sync[1], "x", 1);
			sleep_forever();
		}
		close(sync[1]);
		if (pid < 0 || read(sync[0], &b, 1) != 1)
			die("pinned netns");
		close(sync[0]);
		snprintf(path, sizeof(path), "%s/net-%d", dir, k);
		if (lxns_ns_open_pid(pid, LXNS_NET, 0, &ns) < 0 || lxns_pin(ns, path, LXNS_PIN_CREATE) < 0)
			die("pin");
		lxns_ns_free(ns);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pins++;
	}

	while (got < expected) {
		char buf[4096];
		ssize_t r = read(pipefd[0], buf, sizeof(buf));
		if (r <= 0)
			die("waiting for the population");
		got += (int)r;
	}
	printf("ready %d\n", got);
	fflush(stdout);

	/* No SA_RESTART: the signal interrupts the read below. */
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	while (!stop && read(STDIN_FILENO, &c, 1) > 0)
		;

	/* Teardown: the pins first (they need no process), then the tops die and the rest follow
	 * them (PR_SET_PDEATHSIG); orphans come to us, a subreaper, to be reaped. Children that are
	 * not the population's (a caller's process substitution) are left alone. */
	for (int k = 0; k < pins; k++) {
		char path[96];
		snprintf(path, sizeof(path), "%s/net-%d", dir, k);
		lxns_unpin(path, LXNS_PIN_REMOVE);
	}
	rmdir(dir);
	for (int i = 0; i < ntops; i++)
		kill(tops[i], SIGKILL);
	for (int i = 0; i < ntops; i++)
		while (waitpid(tops[i], NULL, 0) < 0 && errno == EINTR)
			;
	for (int quiet = 0; quiet < 20;) {
		pid_t r = waitpid(-1, NULL, WNOHANG);
		if (r < 0 && errno == ECHILD)
			break;
		if (r > 0) {
			quiet = 0;
			continue;
		}
		usleep(10000);
		quiet++;
	}
	free(tops);
	return 0;
}
