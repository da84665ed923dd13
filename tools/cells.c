/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What each column says of a namespace, every name from the system escaped. */
#include <errno.h>
#include <inttypes.h>
#include <libsmartcols.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "nstool.h"

const struct column nstool_columns[NCOLS] = {
	[COL_DESC] = { "NAMESPACE", 0.5, 0, SCOLS_JSON_STRING, "namespace, how it was found, owner" },
	[COL_NS] = { "NS", 0.2, 0, SCOLS_JSON_STRING, "namespace as type:[inode]" },
	[COL_TYPE] = { "TYPE", 5, 0, SCOLS_JSON_STRING, "namespace type" },
	[COL_INO] = { "INO", 10, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "inode number" },
	[COL_ID] = { "ID", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "kernel namespace id (6.18+)" },
	[COL_NPROCS] = { "NPROCS", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "number of processes in it" },
	[COL_PID] = { "PID", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "lowest PID in it" },
	[COL_COMMAND] = { "COMMAND", 0.2, SCOLS_FL_TRUNC, SCOLS_JSON_STRING, "command of that PID" },
	[COL_FOUND] = { "FOUND", 0.2, 0, SCOLS_JSON_STRING, "how it was found" },
	[COL_OWNERNS] = { "OWNERNS", 0.2, 0, SCOLS_JSON_STRING, "owning user namespace (\"unknown\" if not learned)" },
	[COL_UID] = { "UID", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "owner UID (of the user namespace)" },
	[COL_USER] = { "USER", 8, 0, SCOLS_JSON_STRING, "owner user name" },
	[COL_PARENT] = { "PARENT", 0.2, 0, SCOLS_JSON_STRING, "parent namespace (\"unknown\" if not learned)" },
};

void nstool_ns_name(const struct lxns_node *n, char *buf, size_t size)
{
	snprintf(buf, size, "%s:[%" PRIu64 "]", lxns_type_name(lxns_node_type(n)), lxns_node_ino(n));
}

/* A relative's name, "unknown" when it could not be learned, "" when there is none. */
static void relative_name(int r, const struct lxns_node *rel, char *buf, size_t size)
{
	if (r == 0)
		nstool_ns_name(rel, buf, size);
	else
		snprintf(buf, size, "%s", r == -ENODATA ? "unknown" : "");
}

/* The user namespace whose owner UID describes @n: itself, or its owner. */
static const struct lxns_node *uid_node(const struct lxns_node *n)
{
	return lxns_node_type(n) == LXNS_USER ? n : lxns_node_owner(n);
}

/* getpwuid() rereads the passwd database each time: remember the last few answers. */
static const char *user_name(uid_t uid)
{
	static struct {
		uid_t uid;
		char name[64];
	} cache[8];
	static size_t used, next;

	for (size_t i = 0; i < used; i++)
		if (cache[i].uid == uid)
			return cache[i].name;
	struct passwd *pw = getpwuid(uid);
	size_t slot = next++ % 8;
	cache[slot].uid = uid;
	if (pw)
		nstool_escape(cache[slot].name, sizeof(cache[slot].name), pw->pw_name, 0);
	else
		snprintf(cache[slot].name, sizeof(cache[slot].name), "%u", (unsigned)uid);
	if (used < 8)
		used++;
	return cache[slot].name;
}

/* Owner UID and user name of @n's user namespace, "" and "" when unknown. */
static void user_text(const struct lxns_node *n, char *uidbuf, size_t uidsize, char *namebuf, size_t namesize)
{
	uid_t uid;

	uidbuf[0] = namebuf[0] = '\0';
	if (!uid_node(n) || lxns_node_owner_uid(uid_node(n), &uid) < 0)
		return;
	snprintf(uidbuf, uidsize, "%u", (unsigned)uid);
	snprintf(namebuf, namesize, "%s", user_name(uid));
}

/* How a namespace was found, for those without a process. */
static void found_text(const struct lxns_node *n, char *buf, size_t size)
{
	unsigned how = lxns_node_found(n);
	pid_t pid = lxns_node_found_pid(n);
	char path[4200];

	if (lxns_node_nprocs(n))
		snprintf(buf, size, "process");
	else if (how & LXNS_FOUND_THREAD)
		snprintf(buf, size, "thread %d", (int)pid);
	else if (how & LXNS_FOUND_FD)
		snprintf(buf, size, "fd of pid %d", (int)pid);
	else if (how & LXNS_FOUND_MOUNT)
		snprintf(buf, size, "bind mount %s",
			 nstool_escape(path, sizeof(path), lxns_node_mount_path(n) ? lxns_node_mount_path(n) : "?", 0));
	else if (how & LXNS_FOUND_CHILDREN)
		snprintf(buf, size, "%s_for_children of pid %d", lxns_type_name(lxns_node_type(n)), (int)pid);
	else
		snprintf(buf, size, "hidden");
}

/* 'process "cmd"', or how a namespace without processes was found. */
static void how_text(const struct lxns_node *n, char *buf, size_t size)
{
	char comm[256];

	if (lxns_node_nprocs(n))
		snprintf(buf, size, "process \"%s\"",
			 nstool_escape(comm, sizeof(comm), lxns_node_comm(n) ? lxns_node_comm(n) : "?", ESC_QUOTED));
	else
		found_text(n, buf, size);
}

void nstool_label_parts(const struct lxns_node *n, char *how, size_t how_size, char *owner, size_t owner_size)
{
	char uid[16], user[64];
	struct lxns_node *rel;

	how_text(n, how, how_size);
	user_text(n, uid, sizeof(uid), user, sizeof(user));
	owner[0] = '\0';
	if (lxns_node_type(n) == LXNS_USER && uid[0])
		snprintf(owner, owner_size, "owner %s (%s)", user, uid);
	if (lxns_node_get_parent(n, &rel) == -ENODATA)
		snprintf(owner + strlen(owner), owner_size - strlen(owner), "%sparent unknown", owner[0] ? ", " : "");
}

/* The specification's line: user:[N] process "cmd" owner alice (1000); a missing edge that
 * could not be learned says so. */
static void describe(const struct lxns_node *n, int tree_type, char *buf, size_t size)
{
	char ns[48], how[4400], uid[16], user[64], owner[48] = "";
	int type = lxns_node_type(n);
	struct lxns_node *rel;
	size_t len;

	nstool_ns_name(n, ns, sizeof(ns));
	how_text(n, how, sizeof(how));
	user_text(n, uid, sizeof(uid), user, sizeof(user));
	if (type == tree_type && type != LXNS_USER) {
		int r = lxns_node_get_owner(n, &rel);
		if (r == 0 || r == -ENODATA) {
			relative_name(r, rel, owner, sizeof(owner));
			strcat(owner, " ");
		}
	}
	if (type != tree_type) /* an owned namespace listed under its user namespace */
		snprintf(buf, size, "%s %s%s", ns, how, lxns_node_get_owner(n, &rel) == -ENODATA ? ", owner unknown" : "");
	else if (uid[0])
		snprintf(buf, size, "%s %s owner %s%s (%s)", ns, how, owner, user, uid);
	else if (owner[0])
		snprintf(buf, size, "%s %s owner %s", ns, how, owner);
	else
		snprintf(buf, size, "%s %s", ns, how);
	len = strlen(buf);
	while (len && buf[len - 1] == ' ')
		buf[--len] = '\0';
	if (type == tree_type && lxns_node_get_parent(n, &rel) == -ENODATA)
		snprintf(buf + len, size - len, ", parent unknown");
}

void nstool_cell(enum col c, const struct lxns_node *n, int tree_type, char *buf, size_t size)
{
	char other[64];
	struct lxns_ident id;
	struct lxns_node *rel;

	buf[0] = '\0';
	switch (c) {
	case COL_DESC: describe(n, tree_type, buf, size); break;
	case COL_NS: nstool_ns_name(n, buf, size); break;
	case COL_TYPE: snprintf(buf, size, "%s", lxns_type_name(lxns_node_type(n))); break;
	case COL_INO: snprintf(buf, size, "%" PRIu64, lxns_node_ino(n)); break;
	case COL_ID:
		if (lxns_node_ident(n, &id) == 0 && id.id)
			snprintf(buf, size, "%" PRIu64, id.id);
		break;
	case COL_NPROCS: snprintf(buf, size, "%u", lxns_node_nprocs(n)); break;
	case COL_PID:
		if (lxns_node_pid(n))
			snprintf(buf, size, "%d", (int)lxns_node_pid(n));
		break;
	case COL_COMMAND:
		if (lxns_node_comm(n))
			nstool_escape(buf, size, lxns_node_comm(n), 0);
		break;
	case COL_FOUND: found_text(n, buf, size); break;
	case COL_OWNERNS: {
		int r = lxns_node_get_owner(n, &rel);
		relative_name(r, rel, buf, size);
		break;
	}
	case COL_UID: user_text(n, buf, size, other, sizeof(other)); break;
	case COL_USER: user_text(n, other, sizeof(other), buf, size); break;
	case COL_PARENT: {
		int r = lxns_node_get_parent(n, &rel);
		relative_name(r, rel, buf, size);
		break;
	}
	case NCOLS: break;
	}
}
