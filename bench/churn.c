/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Robustness under load: while a helper keeps creating and killing short-lived containers (new
 * user, pid, net and uts namespaces under a user namespace that keeps no process of its own, so
 * it exists only as the owner of the rest), run discovery RUNS times (default 500). Every run
 * must succeed, leave the fd count where it was, and give a graph without dangling edges: every
 * parent and owner is a node of the snapshot; run as root in the initial namespaces, no false
 * root: exactly one user and one pid namespace have no parent, and no owner or parent is left
 * unknown. Prints a summary; exits 1 on any failure.
 *
 * Usage: churn [-n RUNS] [-j CONCURRENT] [-P]    (-P: read /proc, never the BPF iterators) */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lxns.h"

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* Map root in a new user namespace to our ids outside. */
static void map_root(uid_t uid, gid_t gid)
{
	char buf[64];
	int fd;

	if ((fd = open("/proc/self/setgroups", O_WRONLY | O_CLOEXEC)) >= 0) {
		(void)!write(fd, "deny", 4);
		close(fd);
	}
	for (int i = 0; i < 2; i++) {
		int n = snprintf(buf, sizeof(buf), "0 %u 1", i ? (unsigned)gid : (unsigned)uid);
		if ((fd = open(i ? "/proc/self/gid_map" : "/proc/self/uid_map", O_WRONLY | O_CLOEXEC)) >= 0) {
			(void)!write(fd, buf, (size_t)n);
			close(fd);
		}
	}
}

/* A short-lived container: a user namespace the container's maker leaves at once (its only
 * process forks the container and exits), then new namespaces under it with an init and two
 * children, gone in a few ms. */
static _Noreturn void container(unsigned seed)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();

	if (unshare(CLONE_NEWUSER) < 0)
		_exit(1);
	map_root(uid, gid);
	if (fork() != 0)
		_exit(0);
	if (unshare(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS) < 0)
		_exit(1);
	pid_t init = fork();
	if (init == 0) {
		for (int i = 0; i < 2; i++)
			if (fork() == 0) {
				usleep(500 + rand_r(&seed) % 3000);
				_exit(0);
			}
		while (wait(NULL) > 0)
			;
		_exit(0);
	}
	waitpid(init, NULL, 0);
	_exit(0);
}

/* Keep @concurrent containers alive at all times until killed. The maker of each exits at once
 * and its container comes back to us (a subreaper): two processes to wait for per container. */
static _Noreturn void churner(int concurrent)
{
	unsigned seed = (unsigned)getpid();
	int running = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	for (;;) {
		while (running < 2 * concurrent) {
			pid_t pid = fork();
			if (pid == 0) {
				prctl(PR_SET_PDEATHSIG, SIGKILL);
				container(seed++);
			}
			running += pid > 0 ? 2 : 0;
			seed++;
		}
		if (wait(NULL) > 0)
			running--;
	}
}

static int ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (void *const *)a, y = (uintptr_t) * (void *const *)b;

	return x < y ? -1 : x > y;
}

/* 0 when the snapshot's edges all stay inside it and the trees have one root each. */
static int check(struct lxns_snapshot *s, bool in_initial)
{
	size_t n = lxns_snapshot_stat(s, LXNS_STAT_NAMESPACES), k = 0, roots[2] = { 0 };
	struct lxns_node **all = malloc((n + 1) * sizeof(*all)), *node;
	int bad = 0;

	lxns_snapshot_foreach(s, node)
		all[k++] = node;
	qsort(all, k, sizeof(*all), ptr_cmp);
	lxns_snapshot_foreach(s, node) {
		struct lxns_node *rel[2] = { lxns_node_parent(node), lxns_node_owner(node) };

		for (int i = 0; i < 2; i++)
			if (rel[i] && !bsearch(&rel[i], all, k, sizeof(*all), ptr_cmp)) {
				fprintf(stderr, "churn: %s:[%llu] has a dangling %s\n", lxns_type_name(lxns_node_type(node)),
					(unsigned long long)lxns_node_ino(node), i ? "owner" : "parent");
				bad = 1;
			}
	}
	for (int t = 0; t < 2; t++)
		for (node = lxns_snapshot_next_root(s, t ? LXNS_PID : LXNS_USER, NULL); node;
		     node = lxns_snapshot_next_root(s, t ? LXNS_PID : LXNS_USER, node))
			roots[t]++;
	if (in_initial && (roots[0] != 1 || roots[1] != 1 || lxns_snapshot_stat(s, LXNS_STAT_UNRESOLVED))) {
		fprintf(stderr, "churn: %zu user and %zu pid roots, expected 1 and 1; %lu unresolved (a lost parent)\n",
			roots[0], roots[1], lxns_snapshot_stat(s, LXNS_STAT_UNRESOLVED));
		bad = 1;
	}
	free(all);
	return bad;
}

int main(int argc, char **argv)
{
	int runs = 500, concurrent = 8, c, failures = 0, fds, leaks = 0;
	unsigned long min_ns = ~0ul, max_ns = 0, vanished = 0;
	struct timespec a, b;
	pid_t helper;
	bool in_initial;

	LXNS_OPTS(lxns_discover_opts, opts);

	while ((c = getopt(argc, argv, "n:j:P")) != -1) {
		switch (c) {
		case 'n': runs = atoi(optarg); break;
		case 'j': concurrent = atoi(optarg); break;
		case 'P': opts.flags |= LXNS_DISCOVER_NO_BPF; break;
		default:
			fprintf(stderr, "usage: churn [-n RUNS] [-j CONCURRENT] [-P]\n");
			return 2;
		}
	}
	{
		struct lxns_ident user;
		in_initial = geteuid() == 0 && lxns_current_ident(LXNS_USER, &user) == 0 && user.ino == 0xEFFFFFFDU;
	}
	helper = fork();
	if (helper == 0)
		churner(concurrent);
	if (helper < 0) {
		perror("churn: fork");
		return 1;
	}
	usleep(20000);
	fds = count_fds();
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < runs; i++) {
		struct lxns_snapshot *s;
		int r = lxns_discover(&opts, &s);

		if (r < 0) {
			fprintf(stderr, "churn: run %d failed: %s\n", i, strerror(-r));
			failures++;
			continue;
		}
		unsigned long n = lxns_snapshot_stat(s, LXNS_STAT_NAMESPACES);
		min_ns = n < min_ns ? n : min_ns;
		max_ns = n > max_ns ? n : max_ns;
		vanished += lxns_snapshot_stat(s, LXNS_STAT_VANISHED);
		failures += check(s, in_initial);
		lxns_snapshot_free(s);
		if (count_fds() != fds) {
			fprintf(stderr, "churn: run %d: fd count %d, was %d\n", i, count_fds(), fds);
			leaks++;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	kill(helper, SIGKILL);
	waitpid(helper, NULL, 0);
	printf("churn%s: %d runs, %d failed, %d fd leaks; %lu-%lu namespaces a run, %lu items vanished mid-scan; %.1f ms a run\n",
	       opts.flags ? " (/proc)" : "", runs, failures, leaks, min_ns, max_ns, vanished,
	       ((b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6) / (runs ? runs : 1));
	return failures || leaks ? 1 : 0;
}
