/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pinning namespaces at paths, and cloning mount trees. */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "lxns.h"

static void temp_dir(char *buf)
{
	strcpy(buf, "/tmp/lxns-test-XXXXXX");
	CHECK(mkdtemp(buf) != NULL);
}

TEST(pin_keeps_a_namespace_without_processes)
{
	harness_require_unshare(CLONE_NEWNET);
	struct helper h = helper_spawn(LXNS_NET, false);
	struct lxns_ns *ns, *back;
	struct lxns_ident a, b;
	char dir[64], pin[96];

	temp_dir(dir);
	snprintf(pin, sizeof(pin), "%s/net", dir);
	CHECK_OK(lxns_ns_open_pid(h.pid, LXNS_NET, 0, &ns));
	CHECK_OK(lxns_ns_ident(ns, &a));
	CHECK_OK(lxns_pin(ns, pin, LXNS_PIN_CREATE));
	lxns_ns_free(ns);
	helper_kill(&h);

	/* Nothing but the pin holds it now. */
	CHECK_OK(lxns_ns_open_path(pin, LXNS_NET, &back));
	CHECK_CLOEXEC(lxns_ns_fileno(back));
	CHECK_OK(lxns_ns_ident(back, &b));
	CHECK_EQ(b.ino, a.ino);
	CHECK_EQ(b.id, a.id);
	lxns_ns_free(back);

	CHECK_OK(lxns_unpin(pin, LXNS_PIN_REMOVE));
	CHECK(access(pin, F_OK) < 0 && errno == ENOENT);
	CHECK_SYS(rmdir(dir));
}

TEST(pin_errors_leave_nothing_behind)
{
	struct lxns_ns *ns;
	char dir[64], path[96];

	temp_dir(dir);
	CHECK_OK(lxns_ns_open_self(LXNS_UTS, 0, &ns));
	/* No file and no LXNS_PIN_CREATE. */
	snprintf(path, sizeof(path), "%s/missing", dir);
	CHECK_ERR(lxns_pin(ns, path, 0), ENOENT);
	CHECK_ERR(lxns_pin(ns, "/nonexistent-dir/x", LXNS_PIN_CREATE), ENOENT);
	CHECK_ERR(lxns_pin(ns, path, 0x80), EINVAL);
	CHECK_ERR(lxns_pin(ns, NULL, 0), EINVAL);
	/* A directory cannot take a file's mount (move_mount says EINVAL); it existed before,
	 * so it stays. */
	CHECK_ERR(lxns_pin(ns, dir, LXNS_PIN_CREATE), EINVAL);
	CHECK(access(dir, F_OK) == 0);
	CHECK(access(path, F_OK) < 0);

	/* Unpinning what is no pin. */
	snprintf(path, sizeof(path), "%s/plain", dir);
	close(CHECK_SYS(open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600)));
	CHECK_ERR(lxns_unpin(path, 0), EINVAL);
	CHECK(access(path, F_OK) == 0);
	CHECK_ERR(lxns_unpin("/proc/self/ns/net", 0), EINVAL);
	CHECK_ERR(lxns_unpin(path, 0x80), EINVAL);
	CHECK_ERR(lxns_unpin("/nonexistent-dir/x", 0), ENOENT);
	unlink(path);
	lxns_ns_free(ns);
	CHECK_SYS(rmdir(dir));
}

TEST(unprivileged_pin_is_eperm_and_removes_its_file)
{
	char dir[64], path[96];

	temp_dir(dir); /* before the fork: one directory, removed by the parent */
	CHECK_SYS(chmod(dir, 0777));
	snprintf(path, sizeof(path), "%s/pin", dir);
	pid_t pid = CHECK_SYS(fork());
	if (pid == 0) {
		struct lxns_ns *ns;

		harness_drop_privileges();
		CHECK_OK(lxns_ns_open_self(LXNS_UTS, 0, &ns));
		CHECK_ERR(lxns_pin(ns, path, LXNS_PIN_CREATE), EPERM);
		CHECK(access(path, F_OK) < 0 && errno == ENOENT);
		lxns_ns_free(ns);
		_exit(0);
	}
	harness_wait_ok(pid);
	CHECK_SYS(rmdir(dir));
}

TEST(bind_tree_clones_a_directory_tree)
{
	harness_require_unshare(CLONE_NEWNS);
	pid_t pid = CHECK_SYS(fork());

	if (pid == 0) {
		char src[96], dst[96], sub[128], file[160];

		/* A private mount namespace with a tmpfs to play in. */
		CHECK_SYS(unshare(CLONE_NEWNS));
		CHECK_SYS(mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL));
		CHECK_SYS(mount("tmpfs", "/tmp", "tmpfs", 0, NULL));
		strcpy(src, "/tmp/src");
		strcpy(dst, "/tmp/dst");
		CHECK_SYS(mkdir(src, 0700));
		CHECK_SYS(mkdir(dst, 0700));
		snprintf(sub, sizeof(sub), "%s/sub", src);
		CHECK_SYS(mkdir(sub, 0700));
		CHECK_SYS(mount("tmpfs", sub, "tmpfs", 0, NULL));
		snprintf(file, sizeof(file), "%s/inner", sub);
		close(CHECK_SYS(open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0600)));

		/* Not recursive: the submount is not carried along. */
		CHECK_OK(lxns_bind_tree(src, dst, 0));
		CHECK(access("/tmp/dst/sub", F_OK) == 0);
		CHECK(access("/tmp/dst/sub/inner", F_OK) < 0);
		CHECK_SYS(umount2(dst, 0));
		/* Recursive: it is. */
		CHECK_OK(lxns_bind_tree(src, dst, LXNS_TREE_RECURSIVE));
		CHECK(access("/tmp/dst/sub/inner", F_OK) == 0);

		CHECK_ERR(lxns_bind_tree("/tmp/none", dst, 0), ENOENT);
		CHECK_ERR(lxns_bind_tree(src, "/tmp/none", 0), ENOENT);
		CHECK_ERR(lxns_bind_tree(src, dst, 0x40), EINVAL);
		CHECK_ERR(lxns_bind_tree(NULL, dst, 0), EINVAL);
		_exit(0);
	}
	harness_wait_ok(pid);
}
