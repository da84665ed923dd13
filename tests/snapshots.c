/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Discovery helpers shared by the discovery test programs. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "snapshots.h"

static uint64_t ino_or_0(const struct lxns_node *n)
{
	return n ? lxns_node_ino(n) : 0;
}

const char *snapshot_diff(const struct lxns_snapshot *a, const struct lxns_snapshot *b, char *buf, size_t size)
{
	const struct lxns_node *x, *y = lxns_snapshot_next(b, NULL);

	if (lxns_snapshot_stat(a, LXNS_STAT_NAMESPACES) != lxns_snapshot_stat(b, LXNS_STAT_NAMESPACES)) {
		snprintf(buf, size, "%lu namespaces against %lu", lxns_snapshot_stat(a, LXNS_STAT_NAMESPACES),
			 lxns_snapshot_stat(b, LXNS_STAT_NAMESPACES));
		return buf;
	}
	lxns_snapshot_foreach(a, x) {
		struct lxns_ident i, j;
		uid_t u = 0, v = 0;
		const char *what = NULL;
		struct lxns_node *rel;

		if (lxns_node_ino(x) != lxns_node_ino(y)) /* both sorted the same way */
			what = "inode";
		else if (lxns_node_ident(x, &i) < 0 || lxns_node_ident(y, &j) < 0 || i.id != j.id || i.dev != j.dev)
			what = "id";
		else if (lxns_node_nprocs(x) != lxns_node_nprocs(y) || lxns_node_pid(x) != lxns_node_pid(y)) {
			snprintf(buf, size, "processes of %s:[%llu]: %u from pid %d against %u from pid %d",
				 lxns_type_name(lxns_node_type(x)), (unsigned long long)lxns_node_ino(x),
				 lxns_node_nprocs(x), (int)lxns_node_pid(x), lxns_node_nprocs(y), (int)lxns_node_pid(y));
			return buf;
		}
		else if (strcmp(lxns_node_comm(x) ? lxns_node_comm(x) : "", lxns_node_comm(y) ? lxns_node_comm(y) : ""))
			what = "command";
		else if (ino_or_0(lxns_node_owner(x)) != ino_or_0(lxns_node_owner(y)) ||
			 ino_or_0(lxns_node_parent(x)) != ino_or_0(lxns_node_parent(y)) ||
			 lxns_node_get_owner(x, &rel) != lxns_node_get_owner(y, &rel) ||
			 lxns_node_get_parent(x, &rel) != lxns_node_get_parent(y, &rel))
			what = "owner or parent";
		else if (lxns_node_owner_uid(x, &u) != lxns_node_owner_uid(y, &v) || u != v)
			what = "owner UID";
		else if (lxns_node_found(x) != lxns_node_found(y) || lxns_node_found_pid(x) != lxns_node_found_pid(y))
			what = "how found"; /* found_pid is the lowest, both ways */
		if (what) {
			snprintf(buf, size, "%s of %s:[%llu]", what, lxns_type_name(lxns_node_type(x)),
				 (unsigned long long)lxns_node_ino(x));
			return buf;
		}
		y = lxns_snapshot_next(b, y);
	}
	return NULL;
}

struct lxns_snapshot *discover_flags(unsigned sources, unsigned flags)
{
	struct lxns_snapshot *s;

	LXNS_OPTS(lxns_discover_opts, o, .sources = sources, .flags = flags);
	CHECK_OK(lxns_discover(&o, &s));
	return s;
}

struct lxns_snapshot *discover(unsigned sources)
{
	char diff[160];

	/* A live system changes between two scans (more so on a loaded machine): a difference must
	 * persist over five tries, 100 ms apart. */
	for (int try = 0; try < 5; try++) {
		if (try)
			usleep(100000);
		struct lxns_snapshot *s = discover_flags(sources, 0), *proc;

		if (!lxns_snapshot_stat(s, LXNS_STAT_TASKS_BPF))
			return s;
		proc = discover_flags(sources, LXNS_DISCOVER_NO_BPF);
		CHECK_EQ(lxns_snapshot_stat(proc, LXNS_STAT_TASKS_BPF), 0);
		bool same = !snapshot_diff(s, proc, diff, sizeof(diff));
		lxns_snapshot_free(proc);
		if (same)
			return s;
		lxns_snapshot_free(s);
	}
	FAIL("the BPF and /proc scans differ: %s", diff);
}

struct lxns_node *node_of(const struct lxns_snapshot *s, uint64_t ino)
{
	struct lxns_node *n;

	lxns_snapshot_foreach(s, n)
		if (lxns_node_ino(n) == ino)
			return n;
	FAIL("namespace %llu is not in the snapshot", (unsigned long long)ino);
}

uint64_t link_of(pid_t pid, const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, name);
	return harness_link_ino(path);
}

