/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The worker pool of discovery's parallel phases: each worker a scanner of its own, merged into
 * the caller's when all are done. */
#include <pthread.h>
#include <string.h>

#include "scan.h"

#define MAX_WORKERS 4
#define ITEMS_PER_WORKER 256 /* processes to scan: fewer are not worth a thread */

struct worker {
	struct scan sc;
	pthread_t thread;
	size_t first, step, n;
	void (*fn)(struct scan *w, size_t i, void *arg);
	void *arg;
	bool started;
};

static void *work(void *arg)
{
	struct worker *w = arg;

	for (size_t i = w->first; i < w->n && !w->sc.err; i += w->step)
		w->fn(&w->sc, i, w->arg);
	free(w->sc.comm);
	w->sc.comm = NULL;
	return NULL;
}

static size_t worker_count(size_t items)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = items / ITEMS_PER_WORKER;

	if (cpus > 0 && n > (size_t)cpus)
		n = (size_t)cpus;
	return n < 1 ? 1 : n > MAX_WORKERS ? MAX_WORKERS : n;
}

int lxns__parallel(struct scan *sc, size_t n, size_t cost, void (*fn)(struct scan *w, size_t i, void *arg),
		   void *arg)
{
	struct worker w[MAX_WORKERS];
	size_t nw = worker_count(n * cost);
	struct claims *claims = nw > 1 ? lxns__claims_new() : NULL;

	for (size_t i = 0; i < nw; i++) {
		w[i] = (struct worker){ .sc = *sc, .first = i, .step = nw, .n = n, .fn = fn, .arg = arg };
		memset(w[i].sc.stats, 0, sizeof(w[i].sc.stats));
		w[i].sc.comm = NULL;
		w[i].sc.comm_pid = 0;
		w[i].sc.claims = claims;
		/* The first works on the caller's table, the others on their own. */
		if (i > 0 && !(w[i].sc.t = calloc(1, sizeof(*w[i].sc.t))))
			nw = i; /* no memory for more: fewer workers do it all */
	}
	for (size_t i = 0; i < nw; i++)
		w[i].step = nw;
	for (size_t i = 1; i < nw; i++)
		w[i].started = pthread_create(&w[i].thread, NULL, work, &w[i]) == 0;
	work(&w[0]);
	for (size_t i = 1; i < nw; i++) {
		if (w[i].started)
			pthread_join(w[i].thread, NULL);
		else
			work(&w[i]); /* no thread to be had: do its share here */
	}
	lxns__claims_free(claims);
	for (size_t i = 0; i < nw; i++) {
		for (int k = 0; k < LXNS_STAT_MAX; k++)
			sc->stats[k] += w[i].sc.stats[k];
		if (w[i].sc.err && !sc->err)
			sc->err = w[i].sc.err;
		if (i > 0) {
			int r = lxns__table_merge(sc->t, w[i].sc.t);
			if (r < 0 && !sc->err)
				sc->err = r;
		}
	}
	return sc->err;
}
