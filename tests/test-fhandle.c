/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Persistent references: nsfs file handles, their printable form, reopening, staleness. */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "lxns.h"

/* Skip when the kernel cannot encode namespaces (before 6.18). */
static void handle_of(const struct lxns_ns *ns, struct lxns_handle *h)
{
	int r = lxns_ns_handle(ns, h);

	if (r == -EOPNOTSUPP)
		SKIP("kernel without nsfs file handles (before 6.18)");
	CHECK_OK(r);
}

TEST(encode_format_parse_reopen)
{
	struct lxns_ns *ns, *back;
	struct lxns_handle h, parsed;
	struct lxns_ident a, b;
	char s[LXNS_HANDLE_STRING_MAX];

	CHECK_OK(lxns_ns_open_self(LXNS_NET, 0, &ns));
	handle_of(ns, &h);
	CHECK(h.len >= 16);
	CHECK_OK(lxns_handle_format(&h, s, sizeof(s)));
	CHECK(strncmp(s, "nsfs:f1:", 8) == 0);
	CHECK_EQ(strlen(s), 8 + 2 * h.len);
	CHECK_OK(lxns_handle_parse(s, &parsed));
	CHECK_EQ(parsed.len, h.len);
	CHECK(memcmp(parsed.data, h.data, h.len) == 0);
	CHECK_OK(lxns_handle_open(&parsed, &back));
	CHECK_CLOEXEC(lxns_ns_fileno(back));
	CHECK_EQ(lxns_ns_type(back), LXNS_NET);
	CHECK_OK(lxns_ns_ident(ns, &a));
	CHECK_OK(lxns_ns_ident(back, &b));
	CHECK_IDENT_EQ(a, b);
	/* The raw-fd form gives the same bytes. */
	struct lxns_handle h2;
	CHECK_OK(lxns_fd_handle(lxns_ns_fileno(ns), &h2));
	CHECK(h2.len == h.len && memcmp(h2.data, h.data, h.len) == 0);
	lxns_ns_free(ns);
	lxns_ns_free(back);
}

TEST(handle_of_a_namespace_that_is_gone_is_stale)
{
	harness_require_unshare(CLONE_NEWNET);
	struct lxns_ns *ns, *back;
	struct lxns_handle h;

	/* Whether it can be done at all, before there is a helper to clean up after a skip. */
	CHECK_OK(lxns_ns_open_self(LXNS_NET, 0, &ns));
	handle_of(ns, &h);
	lxns_ns_free(ns);
	struct helper hp = helper_spawn(LXNS_NET, false);
	CHECK_OK(lxns_ns_open_pid(hp.pid, LXNS_NET, 0, &ns));
	handle_of(ns, &h);
	/* Alive while anything (here our handle) holds it. */
	helper_kill(&hp);
	CHECK_OK(lxns_handle_open(&h, &back));
	lxns_ns_free(back);
	lxns_ns_free(ns);
	/* Network namespaces are torn down asynchronously: give the kernel a moment. */
	int r = 0;
	for (int i = 0; i < 200; i++) {
		r = lxns_handle_open(&h, &back);
		if (r < 0)
			break;
		lxns_ns_free(back);
		usleep(10000);
	}
	CHECK_ERR(r, ESTALE);
}

TEST(malformed_handles_and_strings)
{
	struct lxns_handle h = { .handle_type = 0xf1, .len = 16 }, out;
	struct lxns_ns *ns = NULL;
	char small[8];
#define D32 "00000000000000000000000000000000" /* 16 bytes of data */
	static const char *bad[] = {
		"", "nsfs", "nsfs:f1", "nsfs:f1:", "nsfs:f1:00", "nsfs:f1:0g000000000000000000000000000000",
		"nsfs:f1:0000000000000000000000000000000", "xfs:f1:" D32,
		/* What lxns_handle_format() never writes. */
		"nsfs:F1:" D32, "nsfs: f1:" D32, "nsfs:+f1:" D32, "nsfs:0xf1:" D32, "nsfs:0f1:" D32,
		"nsfs:f1:" D32 "\n", "nsfs:f1:" D32 " ", "nsfs:f1:" "000000000000000000000000000000AA",
		"nsfs:f1: " D32, "nsfs:100000000:" D32, "nsfs::" D32, "NSFS:f1:" D32,
		"nsfs:f1:" D32 D32 D32 D32 "00", /* 65 bytes */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (lxns_handle_parse(bad[i], &out) != -EINVAL)
			FAIL("\"%s\" was not rejected with EINVAL", bad[i]);
	CHECK_ERR(lxns_handle_parse(NULL, &out), EINVAL);
	CHECK_ERR(lxns_handle_format(&h, small, sizeof(small)), ENOBUFS);
	/* What it writes it takes back, whatever the type. */
	static const int types[] = { 0, 0xf1, 0x1ff, -1 };
	char text[LXNS_HANDLE_STRING_MAX];
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct lxns_handle any = { .handle_type = types[i], .len = LXNS_HANDLE_MAX };
		memset(any.data, (int)(0x11 * i), sizeof(any.data));
		CHECK_OK(lxns_handle_format(&any, text, sizeof(text)));
		CHECK_OK(lxns_handle_parse(text, &out));
		CHECK(out.handle_type == any.handle_type && out.len == any.len && !memcmp(out.data, any.data, any.len));
	}
	h.len = 15;
	CHECK_ERR(lxns_handle_format(&h, text, sizeof(text)), EINVAL);
	h.len = 16;
	/* An id no namespace ever had. */
	memset(h.data, 0xff, 8);
	CHECK_ERR(lxns_handle_open(&h, &ns), ESTALE);
	h.handle_type = 1;
	CHECK_ERR(lxns_handle_open(&h, &ns), EINVAL);
	h.handle_type = 0xf1;
	h.len = 4;
	CHECK_ERR(lxns_handle_open(&h, &ns), EINVAL);
	CHECK_ERR(lxns_handle_open(NULL, &ns), EINVAL);
	CHECK(ns == NULL);

	int devnull = CHECK_SYS(open("/dev/null", O_RDONLY | O_CLOEXEC));
	CHECK_ERR(lxns_fd_handle(devnull, &out), EINVAL);
	close(devnull);
}

TEST(unprivileged_reopen_of_own_namespace)
{
	pid_t pid = CHECK_SYS(fork());

	if (pid == 0) {
		struct lxns_ns *ns, *back;
		struct lxns_handle h;

		harness_drop_privileges();
		CHECK_OK(lxns_ns_open_self(LXNS_UTS, 0, &ns));
		handle_of(ns, &h);
		/* Decoding nsfs handles needs no CAP_DAC_READ_SEARCH for a namespace we are in. */
		CHECK_OK(lxns_handle_open(&h, &back));
		CHECK_EQ(lxns_ns_type(back), LXNS_UTS);
		lxns_ns_free(ns);
		lxns_ns_free(back);
		_exit(0);
	}
	harness_wait_ok(pid);
}
