/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Running a callback or a command inside other namespaces, leaving the caller's alone. */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "lxns.h"

struct seen {
	pid_t pid;
	uint64_t net, pid_ns, uts;
};

static int report(void *arg, void *buf, size_t size, size_t *ret_len)
{
	struct seen s = { .pid = getpid() };
	struct lxns_ident id;

	if (size < sizeof(s))
		return 3;
	if (lxns_current_ident(LXNS_NET, &id) < 0)
		return 4;
	s.net = id.ino;
	if (lxns_current_ident(LXNS_PID, &id) < 0)
		return 4;
	s.pid_ns = id.ino;
	if (lxns_current_ident(LXNS_UTS, &id) < 0)
		return 4;
	s.uts = id.ino;
	memcpy(buf, &s, sizeof(s));
	*ret_len = sizeof(s);
	return *(int *)arg;
}

static uint64_t pid_ino(pid_t pid, const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, name);
	return harness_link_ino(path);
}

TEST(run_callback_in_another_process_namespaces)
{
	harness_require_unshare(CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWUTS);
	struct helper h = helper_spawn(LXNS_NET | LXNS_PID | LXNS_UTS, false);
	uint64_t our_net = pid_ino(getpid(), "net");
	struct seen s = { 0 };
	size_t len = sizeof(s);
	int status = -1, code = 42;

	LXNS_OPTS(lxns_target, t, .pid = h.pid);
	CHECK_OK(lxns_run(&t, report, &code, &s, &len, &status));
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 42);
	CHECK_EQ(len, sizeof(s));
	CHECK_EQ(s.net, pid_ino(h.pid, "net"));
	CHECK_EQ(s.uts, pid_ino(h.pid, "uts"));
	/* Really inside the pid namespace: a small PID there, beside the helper's init (1). */
	CHECK_EQ(s.pid_ns, pid_ino(h.pid, "pid"));
	CHECK(s.pid > 1 && s.pid < 10);
	/* The caller never moved. */
	CHECK_EQ(pid_ino(getpid(), "net"), our_net);
	helper_kill(&h);
}

TEST(run_with_handles_and_restricted_types)
{
	harness_require_unshare(CLONE_NEWNET | CLONE_NEWUTS);
	struct helper h = helper_spawn(LXNS_NET | LXNS_UTS, false);
	struct seen s;
	size_t len = sizeof(s);
	int status, code = 0;
	struct lxns_ns *uts;

	LXNS_OPTS(lxns_target, only_net, .pid = h.pid, .types = LXNS_NET);
	CHECK_OK(lxns_run(&only_net, report, &code, &s, &len, &status));
	CHECK_EQ(s.net, pid_ino(h.pid, "net"));
	CHECK_EQ(s.uts, pid_ino(getpid(), "uts"));

	CHECK_OK(lxns_ns_open_pid(h.pid, LXNS_UTS, 0, &uts));
	LXNS_OPTS(lxns_target, handles, .ns = &uts, .n_ns = 1);
	len = sizeof(s);
	CHECK_OK(lxns_run(&handles, report, &code, &s, &len, &status));
	CHECK_EQ(s.uts, pid_ino(h.pid, "uts"));
	CHECK_EQ(s.net, pid_ino(getpid(), "net"));
	lxns_ns_free(uts);
	helper_kill(&h);
}

static int crash(void *arg, void *buf, size_t size, size_t *ret_len)
{
	(void)arg, (void)buf, (void)size;
	*ret_len = 1;
	raise(SIGKILL);
	return 0;
}

static int too_much(void *arg, void *buf, size_t size, size_t *ret_len)
{
	(void)arg;
	memset(buf, 'x', size);
	*ret_len = size + 100; /* claims more than there is room for */
	return 0;
}

TEST(run_status_result_and_errors)
{
	char buf[8];
	size_t len = sizeof(buf);
	int status = 1234;
	pid_t gone = CHECK_SYS(fork());

	if (gone == 0)
		_exit(0);
	CHECK_SYS(waitpid(gone, NULL, 0));
	LXNS_OPTS(lxns_target, self, .pid = getpid());
	LXNS_OPTS(lxns_target, missing, .pid = gone);

	CHECK_OK(lxns_run(&self, crash, NULL, buf, &len, &status));
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	CHECK_EQ(len, 0); /* no result from a process that did not exit */

	len = sizeof(buf);
	CHECK_OK(lxns_run(&self, too_much, NULL, buf, &len, &status));
	CHECK_EQ(len, sizeof(buf));

	status = 1234;
	len = sizeof(buf);
	CHECK_ERR(lxns_run(&missing, crash, NULL, buf, &len, &status), ESRCH);
	CHECK_EQ(status, 1234);
	CHECK_EQ(len, sizeof(buf));
	CHECK_ERR(lxns_run(NULL, crash, NULL, NULL, NULL, &status), EINVAL);
	CHECK_ERR(lxns_run(&self, NULL, NULL, NULL, NULL, &status), EINVAL);
	CHECK_ERR(lxns_run(&self, crash, NULL, NULL, NULL, NULL), EINVAL);
	CHECK_ERR(lxns_run(&self, crash, NULL, buf, NULL, &status), EINVAL);
}

TEST(run_exec_commands)
{
	harness_require_unshare(CLONE_NEWUTS);
	struct helper h = helper_spawn(LXNS_UTS, false);
	char *ok[] = { "true", NULL }, *fails[] = { "false", NULL };
	char *missing[] = { "/nonexistent/command", NULL }, *empty[] = { NULL };
	int status;

	LXNS_OPTS(lxns_target, t, .pid = h.pid);
	CHECK_OK(lxns_run_exec(&t, ok, &status));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_OK(lxns_run_exec(&t, fails, &status));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	CHECK_OK(lxns_run_exec(&t, missing, &status));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 127);
	CHECK_ERR(lxns_run_exec(&t, empty, &status), EINVAL);
	CHECK_ERR(lxns_run_exec(&t, NULL, &status), EINVAL);
	helper_kill(&h);
}

TEST(run_unprivileged_into_root_namespaces_is_refused)
{
	harness_require_unshare(CLONE_NEWNET);
	struct helper h = helper_spawn(LXNS_NET, false);
	pid_t pid = CHECK_SYS(fork());

	if (pid == 0) {
		int status = 0, code = 0;

		harness_drop_privileges();
		LXNS_OPTS(lxns_target, t, .pid = h.pid);
		CHECK_ERR(lxns_run(&t, report, &code, NULL, NULL, &status), EACCES);
		_exit(0);
	}
	harness_wait_ok(pid);
	helper_kill(&h);
}

static int dumpable_and_exit(void *arg, void *buf, size_t size, size_t *ret_len)
{
	(void)arg, (void)buf, (void)size, (void)ret_len;
	return prctl(PR_GET_DUMPABLE) == 0 ? 7 : 1;
}

/* A caller that ignores SIGCHLD (its children reaped for it) gets the status all the same; the
 * code runs in a process no one in the target's namespaces may ptrace (not dumpable). */
TEST(run_with_sigchld_ignored_and_not_dumpable)
{
	harness_require_unshare(CLONE_NEWUTS);
	struct helper h = helper_spawn(LXNS_UTS, false);
	pid_t pid = CHECK_SYS(fork());

	if (pid == 0) {
		LXNS_OPTS(lxns_target, t, .pid = h.pid);
		int status = 0;

		for (int i = 0; i < 2; i++) {
			struct sigaction sa = { .sa_handler = i ? SIG_DFL : SIG_IGN, .sa_flags = i ? SA_NOCLDWAIT : 0 };
			CHECK_SYS(sigaction(SIGCHLD, &sa, NULL));
			CHECK_OK(lxns_run(&t, dumpable_and_exit, NULL, NULL, NULL, &status));
			CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7);
		}
		_exit(0);
	}
	harness_wait_ok(pid);
	helper_kill(&h);
}
