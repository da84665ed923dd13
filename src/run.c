/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Running code in other namespaces from a forked child, so the caller's never change. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "internal.h"

/* Shared between the caller and its children (MAP_SHARED), so no pipe protocol is needed. */
struct run_shared {
	int err;          /* lxns_enter() failure in the child */
	int status;       /* the grandchild's wait status, when one ran @fn */
	bool have_status;
	size_t len;
	unsigned char data[];
};

static pid_t wait_for(pid_t pid, int *status)
{
	pid_t r;

	do
		r = waitpid(pid, status, 0);
	while (r < 0 && errno == EINTR);
	return r;
}

/* Die with our parent; false when it is already gone, i.e. our parent is no longer @parent
 * (0 for a parent outside our pid namespace: getppid() says 0 for it). */
static bool tie_to_parent(pid_t parent)
{
	return prctl(PR_SET_PDEATHSIG, SIGKILL) == 0 && getppid() == parent;
}

static _Noreturn void run_fn(struct run_shared *sh, size_t cap, lxns_run_fn fn, void *arg)
{
	size_t len = 0;
	int code = fn(arg, cap ? sh->data : NULL, cap, &len);

	sh->len = len < cap ? len : cap;
	fflush(NULL);
	_exit(code & 0xff);
}

/* The child: join, then run @fn in a process of its own (inside the target's pid namespace when
 * it joined one), whose wait status it leaves in shared memory. Non-dumpable from the start: root
 * of the target's user namespace must not ptrace it and forge the result. */
static _Noreturn void run_child(struct run_shared *sh, size_t cap, const struct lxns_target *target,
				lxns_run_fn fn, void *arg, pid_t parent)
{
	pid_t pid;
	int r, status;

	if (!tie_to_parent(parent) || prctl(PR_SET_DUMPABLE, 0) < 0)
		_exit(127);
	/* The caller may ignore SIGCHLD; we are ours to wait for our child. */
	signal(SIGCHLD, SIG_DFL);
	r = lxns_enter(target);
	if (r < 0) {
		sh->err = r;
		_exit(127);
	}
	pid = fork();
	if (pid < 0) {
		sh->err = lxns__neg_errno();
		_exit(127);
	}
	if (pid == 0) {
		if (!tie_to_parent(r & LXNS_PID ? 0 : getppid()))
			_exit(127);
		run_fn(sh, cap, fn, arg);
	}
	if (wait_for(pid, &status) < 0) {
		sh->err = lxns__neg_errno();
		_exit(127);
	}
	sh->status = status;
	sh->have_status = true;
	_exit(0);
}

LXNS_EXPORT int lxns_run(const struct lxns_target *target, lxns_run_fn fn, void *arg, void *buf,
			 size_t *len, int *ret_status)
{
	struct run_shared *sh;
	size_t cap, size;
	pid_t parent = getpid(), pid;
	int r, status;

	if (!fn || !ret_status || (buf && !len))
		return -EINVAL;
	cap = buf ? *len : 0;
	r = lxns__opts_check(target, target ? target->sz : 0, sizeof(*target));
	if (r < 0)
		return r;
	size = sizeof(*sh) + cap;
	sh = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return -ENOMEM;
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		run_child(sh, cap, target, fn, arg, parent);
	/* A caller that ignores SIGCHLD has its children reaped for it: then waitpid() waits for the
	 * child's end and says ECHILD, and the status is the one the child left. */
	bool waited = pid > 0 && wait_for(pid, &status) == pid;
	if (pid < 0)
		r = lxns__neg_errno();
	else if (!waited && errno != ECHILD)
		r = lxns__neg_errno();
	else if (sh->err)
		r = sh->err;
	else if (!sh->have_status && !waited)
		r = -ECHILD; /* reaped for the caller before it could say */
	else {
		/* The status of the process that ran @fn; of the child, if it was killed first. */
		status = sh->have_status ? sh->status : status;
		if (buf) {
			size_t n = WIFEXITED(status) ? sh->len : 0;
			memcpy(buf, sh->data, n);
			*len = n;
		}
		*ret_status = status;
		r = 0;
	}
	munmap(sh, size);
	return r;
}

static int exec_fn(void *arg, void *buf, size_t size, size_t *ret_len)
{
	char *const *argv = arg;

	(void)buf, (void)size, (void)ret_len;
	execvp(argv[0], argv);
	return 127;
}

LXNS_EXPORT int lxns_run_exec(const struct lxns_target *target, char *const argv[], int *ret_status)
{
	if (!argv || !argv[0])
		return -EINVAL;
	return lxns_run(target, exec_fn, (void *)argv, NULL, NULL, ret_status);
}
