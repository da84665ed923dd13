/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Identity: inode, device and the kernel's 64-bit namespace id. */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "lxns.h"

#define NS_GET_ID_IOCTL _IOR(0xb7, 13, uint64_t)

/* The kernel's id, asked directly; 0 where it has none. */
static uint64_t raw_id(const char *path)
{
	uint64_t id = 0;
	int fd = CHECK_SYS(open(path, O_RDONLY | O_CLOEXEC));

	if (ioctl(fd, NS_GET_ID_IOCTL, &id) < 0)
		id = 0;
	close(fd);
	return id;
}

TEST(ident_matches_proc_for_every_type)
{
	size_t n;
	const int *types = lxns_join_order(&n);

	for (size_t i = 0; i < n; i++) {
		struct lxns_ident a, b, c;
		struct lxns_ns *ns;
		struct stat st;
		char path[64];

		snprintf(path, sizeof(path), "/proc/self/ns/%s", lxns_type_name(types[i]));
		CHECK_SYS(stat(path, &st));
		CHECK_OK(lxns_ns_open_self(types[i], 0, &ns));
		CHECK_OK(lxns_ns_ident(ns, &a));
		CHECK_OK(lxns_path_ident(path, &b));
		CHECK_OK(lxns_current_ident(types[i], &c));
		CHECK_EQ(a.type, types[i]);
		CHECK_EQ(a.ino, harness_link_ino(path));
		CHECK_EQ(a.dev, st.st_dev);
		CHECK_EQ(a.id, raw_id(path));
		CHECK_IDENT_EQ(a, b);
		CHECK_IDENT_EQ(a, c);
		lxns_ns_free(ns);
	}
}

TEST(ns_id_is_64bit_kernel_id_and_current_id_agrees)
{
	struct lxns_ns *ns;
	uint64_t id = 0, cur = 0, fid = 0;
	int r;

	CHECK_OK(lxns_ns_open_self(LXNS_NET, 0, &ns));
	r = lxns_ns_id(ns, &id);
	if (r == -EOPNOTSUPP) {
		CHECK_ERR(lxns_current_id(LXNS_NET, &cur), EOPNOTSUPP);
		lxns_ns_free(ns);
		SKIP("kernel has no NS_GET_ID (before 6.18)");
	}
	CHECK_OK(r);
	CHECK(id != 0);
	CHECK_EQ(id, raw_id("/proc/self/ns/net"));
	CHECK_OK(lxns_fd_id(lxns_ns_fileno(ns), &fid));
	CHECK_EQ(fid, id);
	CHECK_OK(lxns_current_id(LXNS_NET, &cur));
	CHECK_EQ(cur, id);
	lxns_ns_free(ns);
}

TEST(ids_change_after_unshare)
{
	harness_require_unshare(CLONE_NEWNET | CLONE_NEWUTS);
	pid_t pid = CHECK_SYS(fork());

	if (pid == 0) {
		struct lxns_ident before, after;
		struct lxns_ns *ns;

		CHECK_OK(lxns_current_ident(LXNS_NET, &before));
		CHECK_OK(lxns_unshare_ns(LXNS_NET, &ns));
		CHECK_OK(lxns_current_ident(LXNS_NET, &after));
		CHECK(after.ino != before.ino);
		CHECK(after.id == 0 || after.id != before.id);
		CHECK_EQ(after.ino, harness_link_ino("/proc/self/ns/net"));
		struct lxns_ident h;
		CHECK_OK(lxns_ns_ident(ns, &h));
		CHECK_IDENT_EQ(h, after);
		lxns_ns_free(ns);
		_exit(0);
	}
	harness_wait_ok(pid);
}

TEST(ident_errors)
{
	struct lxns_ident ident = { .type = 42 };
	uint64_t id = 42;
	int devnull = CHECK_SYS(open("/dev/null", O_RDONLY | O_CLOEXEC));

	CHECK_ERR(lxns_fd_ident(devnull, &ident), EINVAL);
	CHECK_ERR(lxns_fd_id(devnull, &id), EINVAL);
	CHECK_ERR(lxns_fd_ident(-1, &ident), EBADF);
	CHECK_ERR(lxns_path_ident("/dev/null", &ident), EINVAL);
	CHECK_ERR(lxns_path_ident("/etc/passwd", &ident), EINVAL);
	CHECK_ERR(lxns_path_ident("/no/such/file", &ident), ENOENT);
	CHECK_ERR(lxns_path_ident(NULL, &ident), EINVAL);
	CHECK_ERR(lxns_current_ident(0, &ident), EINVAL);
	CHECK_ERR(lxns_current_id(LXNS_NET | LXNS_PID, &id), EINVAL);
	CHECK_EQ(ident.type, 42);
	CHECK_EQ(id, 42);
	close(devnull);
}
