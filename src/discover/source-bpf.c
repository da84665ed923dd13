/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Discovery from the kernel's task list in one pass: the two iterator programs of bpf-prog.c
 * write every task, every open namespace file and every namespace they lead to (with its id,
 * owner, parent and owner UID, and those of its owners and parents up the chains): ten /proc
 * readlinks per process and a probe per namespace become one read() of records, and no edge
 * depends on a process living until it is asked. It needs CAP_BPF and CAP_PERFMON in the
 * initial user namespace and a kernel with BTF and iterators (5.8+); whatever fails, the
 * caller reads /proc instead, and the log says why. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "bpf-prog.h"
#include "scan.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14; glibc 2.35 */
#endif

/* --- Running the programs ------------------------------------------------------------------- */

static int bpf_call(int cmd, union bpf_attr *a)
{
	int fd = (int)syscall(SYS_bpf, cmd, a, sizeof(*a));

	return fd < 0 ? lxns__neg_errno() : fd;
}

/* The hash map the task program's walk keeps to write each user namespace once. */
static int map_create(void)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_HASH;
	a.key_size = sizeof(struct walk_key);
	a.value_size = WALK_MAP_VALUE;
	a.max_entries = WALK_MAP_ENTRIES;
	a.map_flags = BPF_F_NO_PREALLOC;
	return bpf_call(BPF_MAP_CREATE, &a);
}

/* The programs' BTF, loaded. */
static int btf_load(void)
{
	union bpf_attr a;
	size_t size;

	memset(&a, 0, sizeof(a));
	a.btf = (uintptr_t)lxns__bpf_prog_btf(&size);
	a.btf_size = (uint32_t)size;
	return bpf_call(BPF_BTF_LOAD, &a);
}

/* Load @p. A refusal is logged with the verifier's own account when someone listens. */
static int prog_load(const struct prog *p, uint32_t btf_id, int btf_fd, const char *name)
{
	struct bpf_func_info funcs[2] = {
		{ .insn_off = 0, .type_id = LXNS_BTF_MAIN },
		{ .insn_off = (uint32_t)p->callback_at, .type_id = LXNS_BTF_CALLBACK },
	};
	union bpf_attr a;
	int fd;

	if (p->n > PROG_MAX)
		return -E2BIG;
	memset(&a, 0, sizeof(a));
	a.prog_btf_fd = (uint32_t)btf_fd;
	a.func_info = (uintptr_t)funcs;
	a.func_info_cnt = p->callback_at ? 2 : 1;
	a.func_info_rec_size = sizeof(funcs[0]);
	a.prog_type = BPF_PROG_TYPE_TRACING;
	a.expected_attach_type = BPF_TRACE_ITER;
	a.insns = (uintptr_t)p->insn;
	a.insn_cnt = (uint32_t)p->n;
	/* The helpers the programs call are GPL-only; this library is LGPL-2.1+, which allows that. */
	a.license = (uintptr_t) "GPL";
	a.attach_btf_id = btf_id;
	fd = bpf_call(BPF_PROG_LOAD, &a);
	if (fd >= 0 || fd == -EPERM || !lxns__log_enabled(LXNS_LOG_DEBUG))
		return fd;

	size_t size = 1 << 20;
	_cleanup_free_ char *log = malloc(size);
	if (!log)
		return fd;
	log[0] = '\0';
	a.log_level = 1;
	a.log_buf = (uintptr_t)log;
	a.log_size = (uint32_t)size;
	int again = bpf_call(BPF_PROG_LOAD, &a);
	if (again >= 0)
		return again; /* refused once, taken with a log: take it */
	lxns__log(LXNS_LOG_DEBUG, "bpf: the verifier's log of the %s program (%d instructions):", name, p->n);
	for (char *line = log, *end; *line; line = end + (*end != '\0')) {
		end = line + strcspn(line, "\n");
		lxns__log(LXNS_LOG_DEBUG, "bpf:   %.*s", (int)(end - line), line);
	}
	return fd;
}

/* An fd whose reads give the records of @p run as an iterator over target @btf_id. */
static int iter_open(const struct prog *p, uint32_t btf_id, int btf_fd, const char *name)
{
	union bpf_attr a;
	int prog, link, iter;

	prog = prog_load(p, btf_id, btf_fd, name);
	if (prog < 0) {
		lxns__log(prog == -EPERM ? LXNS_LOG_INFO : LXNS_LOG_WARNING, "bpf: loading the %s program: %s", name,
			  strerror(-prog));
		return prog;
	}
	memset(&a, 0, sizeof(a));
	a.link_create.prog_fd = (uint32_t)prog;
	a.link_create.attach_type = BPF_TRACE_ITER;
	link = bpf_call(BPF_LINK_CREATE, &a);
	close(prog);
	if (link < 0)
		return link;
	memset(&a, 0, sizeof(a));
	a.iter_create.link_fd = (uint32_t)link;
	iter = bpf_call(BPF_ITER_CREATE, &a); /* holds the link, and the link the program */
	close(link);
	return iter;
}

/* The kernel gathers an iterator's output in a buffer of PAGE_SIZE << 3 (since 5.10; the
 * programs need 5.17) and stops before the next object once a read()'s worth is in; the object
 * whose output would overflow the buffer is run again at the next read(), its map updates
 * already made: a namespace its first run marked written would then be written by no one.
 * Reading at most READ_CHUNK a call, no run starts with less than RUN_MAX of the buffer left. */
#define READ_CHUNK ((32768 - RUN_MAX) & ~(size_t)4095)
_Static_assert(READ_CHUNK >= 16384, "reads of a useful size");

struct records {
	char *data;
	size_t len, cap;
};

/* The whole pages of @len bytes at @at, made present in one call before a read() fills them:
 * on a virtual machine a page fault can cost 5-10 us, a page populated so about half (the
 * records of 2,000 tasks take 150 pages). Without MADV_POPULATE_WRITE (before Linux 5.14) the
 * read() faults them in itself. */
static void prefault(char *at, size_t len, uintptr_t page)
{
	uintptr_t start = ((uintptr_t)at + page - 1) & ~(page - 1), end = ((uintptr_t)at + len) & ~(page - 1);

	if (end > start)
		(void)madvise((void *)start, end - start, MADV_POPULATE_WRITE);
}

static int run(const struct prog *p, uint32_t btf_id, int btf_fd, const char *name, struct records *out)
{
	_cleanup_close_ int fd = iter_open(p, btf_id, btf_fd, name);
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);

	if (fd < 0)
		return fd;
	for (;;) {
		ssize_t n;

		if (out->cap - out->len < READ_CHUNK) {
			size_t cap = out->cap ? out->cap * 2 : 262144;
			char *d = realloc(out->data, cap);
			if (!d)
				return -ENOMEM;
			out->data = d;
			out->cap = cap;
		}
		prefault(out->data + out->len, READ_CHUNK, page);
		n = read(fd, out->data + out->len, READ_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return lxns__neg_errno();
		if (n == 0)
			return 0;
		out->len += (size_t)n;
	}
}

/* --- Reading the records -------------------------------------------------------------------- */

struct parsed {
	const struct rec_task **tasks; /* sorted by process, the leader first */
	size_t ntasks;
	const struct rec_file **files;
	size_t nfiles;
	const struct rec_ns **ns; /* the walk's, sorted by inode */
	size_t nns;
};

static int ns_order(const void *a, const void *b)
{
	const struct rec_ns *x = *(const struct rec_ns *const *)a, *y = *(const struct rec_ns *const *)b;

	return x->f.ino < y->f.ino ? -1 : x->f.ino > y->f.ino;
}

static int task_order(const void *a, const void *b)
{
	const struct rec_task *x = *(const struct rec_task *const *)a, *y = *(const struct rec_task *const *)b;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	if ((x->tid == x->tgid) != (y->tid == y->tgid))
		return x->tid == x->tgid ? -1 : 1; /* the leader first */
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

/* Split the stream into its kinds. -EIO for a record that does not parse. */
static int parse(const struct records *r, struct parsed *out)
{
	size_t ntasks = 0;

	out->files = malloc((r->len / sizeof(struct rec_file) + 1) * sizeof(*out->files));
	out->ns = malloc((r->len / sizeof(struct rec_ns) + 1) * sizeof(*out->ns));
	out->tasks = malloc((r->len / sizeof(struct rec_task) + 1) * sizeof(*out->tasks));
	if (!out->files || !out->ns || !out->tasks)
		return -ENOMEM;
	for (size_t off = 0; off < r->len;) {
		uint32_t kind;
		size_t size;

		if (r->len - off < sizeof(kind))
			return -EIO;
		memcpy(&kind, r->data + off, sizeof(kind));
		size = kind == REC_TASK ? sizeof(struct rec_task) : kind == REC_NS ? sizeof(struct rec_ns) :
		       kind == REC_FILE ? sizeof(struct rec_file) : 0;
		if (!size || r->len - off < size)
			return -EIO;
		/* Every record's size is a multiple of 8, so each one is aligned in the buffer. */
		if (kind == REC_TASK)
			out->tasks[ntasks++] = (const struct rec_task *)(r->data + off);
		else if (kind == REC_NS)
			out->ns[out->nns++] = (const struct rec_ns *)(r->data + off);
		else
			out->files[out->nfiles++] = (const struct rec_file *)(r->data + off);
		off += size;
	}
	out->ntasks = ntasks;
	qsort(out->tasks, ntasks, sizeof(*out->tasks), task_order);
	qsort(out->ns, out->nns, sizeof(*out->ns), ns_order);
	return 0;
}

static void parsed_free(struct parsed *p)
{
	free(p->tasks);
	free(p->files);
	free(p->ns);
}

/* The walk's record of user namespace @ino, or NULL. */
static const struct rec_facts *walked(const struct parsed *p, uint32_t ino)
{
	struct rec_ns key = { .f.ino = ino };
	const struct rec_ns *k = &key, *const *r = bsearch(&k, p->ns, p->nns, sizeof(*p->ns), ns_order);

	return r && (*r)->type == LXNS_USER ? &(*r)->f : NULL;
}

/* What a probe would have read, from a record, and then what is above: an owner or parent that
 * nothing else showed is found through the hierarchy, with its facts from the walk where it
 * wrote them (else a task or file record may give them later; else they stay unknown). */
static void set_facts(struct scan *sc, const struct parsed *p, struct seen *s, const struct rec_facts *f,
		      uint32_t own_pidns, int depth)
{
	if (!f || s->probe == PROBE_DONE)
		return;
	s->probe = PROBE_DONE;
	s->gone = false;
	s->id = f->id;
	s->owner_ino = f->owner;
	if (s->type == LXNS_USER) {
		s->parent_ino = f->owner;
		s->owner_uid = f->owner_uid;
		s->have_owner_uid = true;
	}
	/* Above our own pid namespace is what NS_GET_PARENT refuses to show. */
	if (s->type == LXNS_PID && s->ino != own_pidns)
		s->parent_ino = f->parent;
	if (!(sc->sources & LXNS_SRC_HIERARCHY) || depth > 80)
		return;
	uint64_t up[2] = { s->owner_ino, s->type == LXNS_PID ? s->parent_ino : 0 };
	for (int k = 0; k < 2; k++) {
		struct seen *rel = up[k] ? lxns__table_find(sc->t, up[k]) : NULL;

		if (up[k] && !rel)
			rel = lxns__saw(sc, k ? LXNS_PID : LXNS_USER, up[k], LXNS_FOUND_HIERARCHY, 0, NULL);
		if (rel && rel->type == LXNS_USER)
			set_facts(sc, p, rel, walked(p, (uint32_t)rel->ino), own_pidns, depth + 1);
	}
}

static struct seen *saw_ns(struct scan *sc, const struct parsed *p, int type, const struct rec_facts *f, unsigned how,
			   pid_t pid, uint32_t own_pidns)
{
	struct seen *s = lxns__saw(sc, type, f->ino, how, pid, NULL);

	if (s)
		set_facts(sc, p, s, f, own_pidns, 0);
	return s;
}

static void add_task(struct scan *sc, const struct parsed *p, const struct rec_task *t, const struct rec_task *leader,
		     uint32_t own_pidns)
{
	pid_t pid = (pid_t)t->tgid;

	for (int i = 0; i < LXNS_NTYPES; i++) {
		int type = lxns__type_at(i);
		struct seen *s;

		if (!(sc->types & type) || !t->ns[i].ino)
			continue;
		if (t != leader) {
			if (!leader || t->ns[i].ino != leader->ns[i].ino)
				saw_ns(sc, p, type, &t->ns[i], LXNS_FOUND_THREAD, (pid_t)t->tid, own_pidns);
			continue;
		}
		s = saw_ns(sc, p, type, &t->ns[i], LXNS_FOUND_PROCESS, pid, own_pidns);
		if (s && s->pid == pid && !s->comm && !(s->comm = strndup(t->comm, sizeof(t->comm))))
			sc->err = -ENOMEM;
	}
	if (t != leader)
		return;
	const struct rec_facts *pc = &t->ns[T_PID_CHILDREN], *tc = &t->ns[T_TIME_CHILDREN];
	if ((sc->types & LXNS_PID) && pc->ino && t->pid_children_reaper && pc->ino != t->ns[S_PID].ino)
		saw_ns(sc, p, LXNS_PID, pc, LXNS_FOUND_CHILDREN, pid, own_pidns);
	if ((sc->types & LXNS_TIME) && tc->ino && tc->ino != t->ns[S_TIME].ino)
		saw_ns(sc, p, LXNS_TIME, tc, LXNS_FOUND_CHILDREN, pid, own_pidns);
}

static void add_tasks(struct scan *sc, const struct parsed *p, uint32_t own_pidns)
{
	const struct rec_task *leader = NULL;

	for (size_t k = 0; k < p->ntasks && !sc->err; k++) {
		const struct rec_task *t = p->tasks[k];

		if (t->tid == t->tgid) {
			leader = t;
			sc->stats[LXNS_STAT_PROCESSES]++;
		} else if (!(sc->sources & LXNS_SRC_THREADS)) {
			continue;
		} else {
			if (leader && leader->tgid != t->tgid)
				leader = NULL; /* a group whose leader is already gone */
			sc->stats[LXNS_STAT_THREADS]++;
		}
		add_task(sc, p, t, leader, own_pidns);
	}
	sc->stats[LXNS_STAT_TASKS_BPF] = p->ntasks;
}

/* Owners and parents met above (found through the hierarchy) that a task's record describes
 * though its type was not asked for (lspidns lists pid namespaces, but their owners are user
 * namespaces): their facts from there, until no more are found. */
static void add_relatives(struct scan *sc, const struct parsed *p, uint32_t own_pidns)
{
	static const int idx[] = { S_USER, S_PID, T_PID_CHILDREN };
	bool more = true;

	while (more && !sc->err) {
		more = false;
		for (size_t k = 0; k < p->ntasks; k++)
			for (size_t j = 0; j < sizeof(idx) / sizeof(idx[0]); j++) {
				const struct rec_facts *f = &p->tasks[k]->ns[idx[j]];
				struct seen *s = f->ino ? lxns__table_find(sc->t, f->ino) : NULL;

				if (s && s->probe != PROBE_DONE) {
					set_facts(sc, p, s, f, own_pidns, 0);
					more = true;
				}
			}
	}
}

/* Every namespace fd but @self_fd, the scan's own. */
static void add_files(struct scan *sc, const struct parsed *p, int self_fd, uint32_t own_pidns)
{
	uint32_t pid = (uint32_t)getpid();

	for (size_t k = 0; k < p->nfiles && !sc->err; k++) {
		const struct rec_file *f = p->files[k];
		struct seen *s;

		if (!lxns__is_one_type((int)f->type) || (f->tgid == pid && f->fd == (uint32_t)self_fd) ||
		    f->ino != f->f.ino)
			continue;
		sc->stats[LXNS_STAT_FDS]++;
		s = saw_ns(sc, p, (int)f->type, &f->f, LXNS_FOUND_FD, (pid_t)f->tgid, own_pidns);
		if (s)
			lxns__found_by(s, LXNS_FOUND_FD, (pid_t)f->tgid, (int)f->fd);
	}
}

/* Whether every owner up the chain from @s is known with its facts. */
static bool owners_known(struct scan *sc, const struct seen *s)
{
	for (int depth = 0; depth < 40 && s->owner_ino; depth++) {
		s = lxns__table_find(sc->t, s->owner_ino);
		if (!s || s->probe != PROBE_DONE)
			return false;
	}
	return !s->owner_ino;
}

/* The file program walks no owner chain: that of a namespace held by an fd is almost always a
 * task's, walked already. Where it is not (user namespaces without a process above it), the
 * kernel is asked through the fd, while it is open. */
static void add_file_owners(struct scan *sc, const struct parsed *p)
{
	char path[64];

	if (!(sc->sources & LXNS_SRC_HIERARCHY))
		return;
	for (size_t k = 0; k < p->nfiles && !sc->err; k++) {
		const struct rec_file *f = p->files[k];
		struct seen *s = lxns__is_one_type((int)f->type) ? lxns__table_find(sc->t, f->ino) : NULL;

		if (!s || s->probe != PROBE_DONE || owners_known(sc, s))
			continue;
		snprintf(path, sizeof(path), "%u/fd/%u", f->tgid, f->fd);
		lxns__probe_owners(sc, s, path, true);
	}
}

/* --- Trusting them -------------------------------------------------------------------------- */

/* The programs read kernel memory at offsets taken from BTF: make sure they read what /proc and
 * the nsfs ioctls say of the calling thread before trusting them with the rest. -EPROTO if they
 * do not (logged); else our pid namespace's inode in *ret_pidns. */
static int check_self(const struct scan *sc, const struct parsed *p, uint32_t *ret_pidns)
{
	const struct rec_task *self = NULL;
	pid_t tid = gettid();

	for (size_t k = 0; k < p->ntasks && !self; k++)
		if (p->tasks[k]->tid == (uint32_t)tid)
			self = p->tasks[k];
	if (!self || self->tgid != (uint32_t)getpid()) {
		lxns__log(LXNS_LOG_WARNING, "bpf: the task program did not report this thread as /proc does");
		return -EPROTO;
	}
	for (int i = 0; i < LXNS_NTYPES; i++) {
		const struct rec_facts *r = &self->ns[i];
		char path[64];
		struct stat st, owner;
		uint64_t id = 0;
		uid_t uid = 0;

		snprintf(path, sizeof(path), "thread-self/ns/%s", lxns_type_name(lxns__type_at(i)));
		_cleanup_close_ int fd = openat(sc->proc_fd, path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0)
			continue; /* a type this kernel lacks */
		_cleanup_close_ int ofd = ioctl(fd, NS_GET_USERNS);
		bool same = st.st_ino == r->ino && (ioctl(fd, NS_GET_ID, &id) < 0 || id == r->id) &&
			    (ofd < 0 || (fstat(ofd, &owner) == 0 && owner.st_ino == r->owner)) &&
			    (i != S_USER || ioctl(fd, NS_GET_OWNER_UID, &uid) < 0 || uid == r->owner_uid);
		if (!same) {
			lxns__log(LXNS_LOG_WARNING, "bpf: the programs' record of this thread's %s namespace differs "
				  "from what the kernel says of it", lxns_type_name(lxns__type_at(i)));
			return -EPROTO;
		}
	}
	*ret_pidns = self->ns[S_PID].ino;
	return 0;
}

/* Likewise for the file program: @fd is our own fd on our network namespace, open while it
 * ran. It must show, with the right type, inode and facts. */
static int check_self_file(const struct parsed *p, int fd)
{
	uint32_t pid = (uint32_t)getpid();
	struct stat st;
	uint64_t id = 0;

	if (fstat(fd, &st) < 0)
		return lxns__neg_errno();
	for (size_t k = 0; k < p->nfiles; k++)
		if (p->files[k]->tgid == pid && p->files[k]->fd == (uint32_t)fd) {
			const struct rec_file *f = p->files[k];

			if (f->type == LXNS_NET && f->ino == st.st_ino && f->f.ino == st.st_ino &&
			    (ioctl(fd, NS_GET_ID, &id) < 0 || id == f->f.id))
				return 0;
			break;
		}
	lxns__log(LXNS_LOG_WARNING, "bpf: the file program did not report this process's own namespace fd");
	return -EPROTO;
}

int lxns__scan_bpf(struct scan *sc)
{
	struct records recs = { 0 };
	struct parsed p = { 0 };
	const struct layout *l = NULL;
	_cleanup_free_ struct prog *prog = NULL;
	_cleanup_close_ int map = -1, btf = -1, self_fd = -1;
	uint32_t own_pidns = 0;
	int r;

	r = lxns__bpf_layout(&l);
	if (r < 0)
		lxns__log(LXNS_LOG_INFO, "bpf: reading the kernel's BTF: %s", strerror(-r));
	if (r == 0 && (sc->sources & LXNS_SRC_FDS) && !l->files) {
		lxns__log(LXNS_LOG_INFO, "bpf: this kernel's structs lack what the file program reads");
		r = -EOPNOTSUPP;
	}
	if (r == 0 && !(prog = malloc(sizeof(*prog))))
		r = -ENOMEM;
	if (r == 0) {
		map = map_create();
		r = map < 0 ? map : 0;
		if (r < 0)
			lxns__log(LXNS_LOG_INFO, "bpf: creating a map: %s", strerror(-r));
	}
	if (r == 0) {
		btf = btf_load();
		r = btf < 0 ? btf : 0;
		if (r < 0)
			lxns__log(LXNS_LOG_INFO, "bpf: loading the programs' BTF: %s", strerror(-r));
	}
	if (r == 0) {
		lxns__bpf_task_prog(prog, l, map);
		r = run(prog, l->iter_task, btf, "task", &recs);
	}
	if (r == 0 && (sc->sources & LXNS_SRC_FDS)) {
		self_fd = openat(sc->proc_fd, "thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		r = self_fd < 0 ? lxns__neg_errno() : 0;
	}
	if (r == 0 && self_fd >= 0) {
		lxns__bpf_file_prog(prog, l);
		r = run(prog, l->iter_task_file, btf, "file", &recs);
	}
	if (r == 0)
		r = parse(&recs, &p);
	/* Nothing is recorded unless every check passes: else /proc is read from the start. */
	if (r == 0)
		r = check_self(sc, &p, &own_pidns);
	if (r == 0 && self_fd >= 0)
		r = check_self_file(&p, self_fd);
	if (r == 0) {
		add_tasks(sc, &p, own_pidns);
		add_files(sc, &p, self_fd, own_pidns);
		add_relatives(sc, &p, own_pidns);
		add_file_owners(sc, &p);
		lxns__log(LXNS_LOG_INFO, "bpf: %zu tasks, %zu namespace files, %zu user namespaces up owner chains",
			  p.ntasks, p.nfiles, p.nns);
	}
	parsed_free(&p);
	free(recs.data);
	return r < 0 ? r : sc->err;
}
