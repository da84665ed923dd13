/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Probing: what a namespace says of itself through a reference on it (id, owner UID, owner,
 * parent), and upward from there through the references the kernel hands out. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "scan.h"

/* User namespaces nest 32 deep, pid namespaces as deep: a walk up never needs more. */
#define DEPTH_MAX 80

static void probe(struct scan *sc, struct seen *s, int fd, int depth);

/* The inode of @s's owner or parent (@request on @fd), probing it through the new reference when
 * it is not known yet. 0 with *err = 0 at the top (EPERM: none we may see); 0 with *err set
 * when the kernel would not say. */
static uint64_t relative(struct scan *sc, int fd, unsigned long request, int type, int *err, int depth)
{
	_cleanup_close_ int rfd = ioctl(fd, request);
	struct seen *r;
	struct stat st;

	*err = 0;
	if (rfd < 0) {
		if (errno != EPERM)
			*err = lxns__neg_errno();
		return 0;
	}
	if (fstat(rfd, &st) < 0) {
		*err = lxns__neg_errno();
		return 0;
	}
	r = lxns__table_find(sc->t, st.st_ino);
	if (!r && (sc->sources & LXNS_SRC_HIERARCHY))
		r = lxns__saw(sc, type, st.st_ino, LXNS_FOUND_HIERARCHY, 0, NULL);
	if (r && r->probe != PROBE_DONE && depth < DEPTH_MAX && lxns__claim(sc, r->ino))
		probe(sc, r, TAKE_FD(rfd), depth + 1);
	return st.st_ino;
}

static void probe(struct scan *sc, struct seen *s, int fd, int depth)
{
	struct stat st;
	uint64_t id;
	uid_t uid = 0; /* written by the kernel; set for memory checkers that cannot know */

	if (fd < 0) {
		char what[64];

		lxns__unclaim(sc, s->ino); /* another sighting may do better */
		/* Gone (its processes exited): counted if it is left out for that at the end. */
		if (fd == -ENOENT || fd == -ESRCH) {
			s->gone = true;
			return;
		}
		if (fd == -EACCES || fd == -EPERM)
			s->probe = PROBE_REFUSED;
		snprintf(what, sizeof(what), "opening %s:[%llu]", lxns_type_name(s->type), (unsigned long long)s->ino);
		lxns__count_error(sc, -fd, what);
		return;
	}
	if (fstat(fd, &st) < 0 || st.st_ino != s->ino) {
		s->gone = true; /* the way to it names another namespace by now */
		lxns__unclaim(sc, s->ino);
		close(fd);
		return;
	}
	s->probe = PROBE_DONE;
	s->gone = false;
	if (ioctl(fd, NS_GET_ID, &id) == 0)
		s->id = id;
	if (s->type == LXNS_USER && ioctl(fd, NS_GET_OWNER_UID, &uid) == 0) {
		s->owner_uid = uid;
		s->have_owner_uid = true;
	}
	s->owner_ino = relative(sc, fd, NS_GET_USERNS, LXNS_USER, &s->owner_err, depth);
	if (s->type == LXNS_USER) {
		s->parent_ino = s->owner_ino;
		s->parent_err = s->owner_err;
	} else if (s->type == LXNS_PID) {
		s->parent_ino = relative(sc, fd, NS_GET_PARENT, LXNS_PID, &s->parent_err, depth);
	}
	close(fd);
}

void lxns__probe(struct scan *sc, struct seen *s, int fd)
{
	probe(sc, s, fd, 0);
}

/* A reference through /proc link @path (see lxns__probe_link()), or -errno. */
static int open_link(struct scan *sc, const char *path, bool fd_link)
{
	int fd = openat(sc->proc_fd, path, (fd_link ? O_PATH : O_RDONLY | O_NOCTTY | O_NONBLOCK) | O_CLOEXEC);

	if (fd < 0)
		return lxns__neg_errno();
	return fd_link ? lxns__nsfs_reopen(sc->proc_fd, fd) : fd;
}

void lxns__probe_link(struct scan *sc, struct seen *s, const char *path, bool fd_link)
{
	if (s->probe == PROBE_DONE || !lxns__claim(sc, s->ino))
		return;
	probe(sc, s, open_link(sc, path, fd_link), 0);
}

void lxns__probe_owners(struct scan *sc, struct seen *s, const char *path, bool fd_link)
{
	_cleanup_close_ int fd = open_link(sc, path, fd_link);
	struct stat st;
	int err;

	if (fd < 0 || fstat(fd, &st) < 0 || st.st_ino != s->ino)
		return; /* gone: what is unknown stays unknown, and is counted as such */
	relative(sc, fd, NS_GET_USERNS, LXNS_USER, &err, 0);
}
