/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* System-wide discovery, as a pipeline: the sources (the BPF iterators or /proc, then mounts)
 * record each namespace as they first see it, probing it through a reference taken then;
 * namespaces still unprobed get a last try through the way they were found; then the entries
 * are linked into the snapshot and the scan's state is freed. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "scan.h"

/* One last try for an entry the sources could not probe (a BPF scan that read no record of
 * it): the /proc link of the process, thread or fd that showed it, if it is still there. */
static void probe_left(struct scan *sc, struct seen *s)
{
	char path[64];
	const char *name = lxns_type_name(s->type);

	if (s->probe == PROBE_DONE)
		return;
	if (s->nprocs)
		snprintf(path, sizeof(path), "%d/ns/%s", (int)s->pid, name);
	else if (s->found_how == LXNS_FOUND_THREAD)
		snprintf(path, sizeof(path), "%d/ns/%s", (int)s->found_pid, name);
	else if (s->found_how == LXNS_FOUND_CHILDREN)
		snprintf(path, sizeof(path), "%d/ns/%s", (int)s->found_pid, lxns__proc_name(s->type, true));
	else if (s->found_how == LXNS_FOUND_FD)
		snprintf(path, sizeof(path), "%d/fd/%d", (int)s->found_pid, s->found_fd);
	else
		return;
	lxns__probe_link(sc, s, path, s->found_how == LXNS_FOUND_FD && !s->nprocs);
}

static int check_options(const struct lxns_discover_opts *opts, struct scan *sc)
{
	int r;

	if (!opts)
		return 0;
	r = lxns__opts_check(opts, opts->sz, sizeof(*opts));
	if (r < 0)
		return r;
	int types = LXNS_OPT(opts, types, 0);
	unsigned sources = LXNS_OPT(opts, sources, 0), flags = LXNS_OPT(opts, flags, 0);
	unsigned timeout_ms = LXNS_OPT(opts, timeout_ms, 0);

	if ((types & ~LXNS_ALL) || (sources & ~(unsigned)LXNS_SRC_ALL) || (flags & ~LXNS_DISCOVER_NO_BPF))
		return -EINVAL;
	sc->flags = flags;
	if (types)
		sc->types = types;
	if (sources)
		sc->sources = sources;
	if (timeout_ms)
		sc->timeout_ms = timeout_ms;
	return 0;
}

static int scan_all(struct scan *sc)
{
	int r = -EPERM;

	if (!(sc->flags & LXNS_DISCOVER_NO_BPF))
		r = lxns__scan_bpf(sc);
	if (r < 0 && r != -ENOMEM) { /* after -ENOMEM, BPF may have recorded some */
		lxns__log(LXNS_LOG_INFO, "discover: reading /proc%s", sc->flags & LXNS_DISCOVER_NO_BPF ? " (asked to)" : "");
		r = lxns__scan_procfs(sc);
	}
	if (r == 0 && (sc->sources & LXNS_SRC_MOUNTS))
		lxns__scan_mounts(sc);
	if (r == -ENOMEM)
		return r;
	for (size_t k = 0; k < sc->t->n && !sc->err; k++)
		probe_left(sc, sc->t->v[k]);
	return r < 0 ? r : sc->err;
}

LXNS_EXPORT int lxns_discover(const struct lxns_discover_opts *opts, struct lxns_snapshot **ret_snapshot)
{
	struct scan sc = { .types = LXNS_ALL, .sources = LXNS_SRC_ALL, .proc_fd = -1,
			   .timeout_ms = LXNS_DISCOVER_TIMEOUT_MS };
	struct stat st = { 0 };
	int r = check_options(opts, &sc);

	if (r < 0)
		return r;
	/* Bind mounts are found through mount namespaces. */
	if (sc.sources & LXNS_SRC_MOUNTS)
		sc.types |= LXNS_MNT;
	if (stat("/proc/thread-self/ns/mnt", &st) == 0)
		sc.self_mnt = st.st_ino;
	sc.t = calloc(1, sizeof(*sc.t));
	if (!sc.t)
		return -ENOMEM;
	sc.proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = sc.proc_fd < 0 ? lxns__neg_errno() : scan_all(&sc);
	if (r == 0)
		r = lxns__link(&sc, st.st_dev, ret_snapshot);
	if (sc.proc_fd >= 0)
		close(sc.proc_fd);
	lxns__table_free(sc.t);
	return r;
}
