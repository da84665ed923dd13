/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The log channel: messages go to the caller's function, one at a time, or nowhere. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#include "internal.h"

static lxns_log_fn log_fn;
static int log_max;
static void *log_data;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

LXNS_EXPORT void lxns_set_log(lxns_log_fn fn, int max_level, void *userdata)
{
	pthread_mutex_lock(&log_lock);
	__atomic_store_n(&log_fn, fn, __ATOMIC_RELAXED);
	__atomic_store_n(&log_max, max_level, __ATOMIC_RELAXED);
	log_data = userdata;
	pthread_mutex_unlock(&log_lock);
}

bool lxns__log_enabled(int level)
{
	return __atomic_load_n(&log_fn, __ATOMIC_RELAXED) && level <= __atomic_load_n(&log_max, __ATOMIC_RELAXED);
}

void lxns__log(int level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int saved = errno;

	if (!lxns__log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&log_lock);
	if (log_fn && level <= log_max)
		log_fn(level, msg, log_data);
	pthread_mutex_unlock(&log_lock);
	errno = saved;
}
