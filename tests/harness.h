/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A small test harness: every test runs in a forked child (namespace changes never leak into the
 * next test), under suite-wide checks done around it: the child's fd count is the same before
 * and after the test body, no process the test started is left (the runner is a subreaper), and
 * the mount table of the runner's mount namespace is unchanged. */
#ifndef LXNS_HARNESS_H
#define LXNS_HARNESS_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

typedef void (*harness_fn)(void);
void harness_register(const char *name, harness_fn fn);

#define TEST(name)                                                                                \
	static void test_##name(void);                                                            \
	__attribute__((constructor)) static void register_##name(void)                            \
	{                                                                                         \
		harness_register(#name, test_##name);                                             \
	}                                                                                         \
	static void test_##name(void)

_Noreturn void harness_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
_Noreturn void harness_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define FAIL(...) harness_fail(__FILE__, __LINE__, __VA_ARGS__)
#define SKIP(...) harness_skip(__VA_ARGS__)

#define CHECK(cond)                                                                               \
	do {                                                                                      \
		if (!(cond))                                                                      \
			FAIL("check failed: %s", #cond);                                          \
	} while (0)

#define CHECK_EQ(a, b)                                                                            \
	do {                                                                                      \
		long long a_ = (long long)(a), b_ = (long long)(b);                               \
		if (a_ != b_)                                                                     \
			FAIL("%s is %lld, expected %s = %lld", #a, a_, #b, b_);                   \
	} while (0)

/* A library call that must succeed (>= 0); evaluates to its result. */
#define CHECK_OK(expr)                                                                            \
	({                                                                                        \
		long long r_ = (long long)(expr);                                                 \
		if (r_ < 0)                                                                       \
			FAIL("%s failed: %s", #expr, strerror((int)-r_));                         \
		r_;                                                                               \
	})

/* A library call that must fail with exactly -err. */
#define CHECK_ERR(expr, err)                                                                      \
	do {                                                                                      \
		long long r_ = (long long)(expr);                                                 \
		if (r_ != -(err))                                                                 \
			FAIL("%s returned %lld (%s), expected -%s", #expr, r_,                    \
			     r_ < 0 ? strerror((int)-r_) : "success", #err);                      \
	} while (0)

/* A system call that must succeed (errno convention). */
#define CHECK_SYS(expr)                                                                           \
	({                                                                                        \
		long long r_ = (long long)(expr);                                                 \
		if (r_ < 0)                                                                       \
			FAIL("%s failed: %s", #expr, strerror(errno));                            \
		r_;                                                                               \
	})

/* Two identities name the same namespace (field by field: structs have padding). */
#define CHECK_IDENT_EQ(a, b)                                                                      \
	do {                                                                                      \
		CHECK_EQ((a).type, (b).type);                                                     \
		CHECK_EQ((a).dev, (b).dev);                                                       \
		CHECK_EQ((a).ino, (b).ino);                                                       \
		CHECK_EQ((a).id, (b).id);                                                         \
	} while (0)

/* Every fd the library hands out must be close-on-exec. */
#define CHECK_CLOEXEC(fd) CHECK(harness_is_cloexec(fd))
bool harness_is_cloexec(int fd);

/* --- Situations built for tests ------------------------------------------------------------- */

/* A helper process that unshares @flags (LXNS_* mask; with LXNS_USER it maps itself to root
 * inside when @map_root), then, with LXNS_PID, forks the init of the new pid namespace, and
 * sleeps until killed. The returned PID is the process that is in all the new namespaces (the
 * init when LXNS_PID). Helpers die with the test (PR_SET_PDEATHSIG); kill them with
 * helper_kill(). Fails the test if the helper cannot be set up; skips when @flags need a
 * privilege we lack (EPERM). */
struct helper {
	pid_t pid;   /* the process in the namespaces */
	pid_t outer; /* the forked child (== pid unless LXNS_PID; then it reaps pid and exits) */
};
struct helper helper_spawn(int flags, bool map_root);
void helper_kill(struct helper *h);

/* In a new user namespace: map root inside to @uid/@gid outside (as unshare -r does). */
void harness_map_root(uid_t uid, gid_t gid);

/* Become uid/gid 65534 with no capabilities, keeping /proc/self readable. */
void harness_drop_privileges(void);

/* Inode number of a namespace link such as /proc/42/ns/net ("net:[N]"). */
uint64_t harness_link_ino(const char *path);

/* Skip the test unless we can create the namespaces in @flags (probed in a throwaway child). */
void harness_require_unshare(int flags);

/* Start a thread that unshares its uts namespace and pauses; returns its thread id once it
 * has. harness_thread_stop() ends it. */
pid_t harness_thread_in_own_uts(void);
void harness_thread_stop(void);

/* Whether the kernel has the pidfd namespace ioctls (PIDFD_GET_*_NAMESPACE, since 6.11). */
bool harness_have_pidfd_ioctls(void);

/* Wait for a forked child and fail unless it exited with 0 (its failure message is its own);
 * a child that skipped makes the test skip. */
void harness_wait_ok(pid_t pid);

#endif
