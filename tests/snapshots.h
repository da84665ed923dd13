/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Discovery helpers shared by the discovery test programs (snapshots.c). */
#ifndef LXNS_TEST_SNAPSHOTS_H
#define LXNS_TEST_SNAPSHOTS_H

#include <stdint.h>
#include <sys/types.h>

#include "lxns.h"

/* Where two snapshots differ (NULL: the same namespaces with the same facts), in @buf. */
const char *snapshot_diff(const struct lxns_snapshot *a, const struct lxns_snapshot *b, char *buf, size_t size);

/* One discovery with these sources and flags (0: all), which must succeed. */
struct lxns_snapshot *discover_flags(unsigned sources, unsigned flags);

/* Where the BPF iterators are used, every situation is read through /proc as well, and the two
 * must agree. The rest of the system may change between two scans: a difference must persist
 * over five tries, 100 ms apart. */
struct lxns_snapshot *discover(unsigned sources);

/* The node of inode @ino; fails the test when there is none. */
struct lxns_node *node_of(const struct lxns_snapshot *s, uint64_t ino);

/* Inode of /proc/@pid/ns/@name. */
uint64_t link_of(pid_t pid, const char *name);

#endif
