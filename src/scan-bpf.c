/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Discovery from the kernel's task list in one pass. Two BPF iterators, built here from the
 * kernel's BTF: one reads every task's namespaces (with what a probe of each would tell: id,
 * owner, parent, owner UID), one every open namespace file. Ten /proc readlinks per process
 * become one read() of records. It needs CAP_BPF and CAP_PERFMON in the initial user namespace
 * and a kernel with BTF and iterators (5.8+); whatever fails, the caller reads /proc instead. */
#include <fcntl.h>
#include <linux/bpf.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "btf.h"
#include "scan.h"

/* What a namespace tells of itself; inode numbers are 32-bit in the kernel. */
struct rec_ns {
	uint64_t id;
	uint32_t ino, owner, parent, owner_uid;
};

/* One task, as the task program writes it. */
struct rec_task {
	uint32_t tid, tgid; /* as our pid namespace sees them */
	struct rec_ns ns[LXNS_NTYPES];
	uint32_t pid_children, time_children;
	uint64_t pid_children_reaper; /* /proc shows pid_for_children only once it has a reaper */
	char comm[16];
};

/* One namespace file, as the file program writes it. */
struct rec_file {
	uint32_t tgid, fd, ino, type;
};

/* Offsets into kernel structs; -1 for a member this kernel lacks. */
struct layout {
	int task_nsproxy, task_cred, task_pid, task_leader, task_comm;
	int nsproxy[LXNS_NTYPES], nsproxy_pid_children, nsproxy_time_children;
	int cred_user_ns;
	int pid_level, pid_numbers, upid_size, upid_nr, upid_ns;
	int ns[LXNS_NTYPES];        /* the struct ns_common in each type's struct */
	int owner[LXNS_NTYPES];     /* its struct user_namespace pointer */
	int common_inum, common_id, common_type, common_ops, ops_type;
	int user_owner, pid_parent, pid_reaper;
	int file_inode, inode_sb, inode_ino, inode_private, sb_magic;
	uint32_t iter_task, iter_task_file; /* BTF ids of the iterator targets */
	int ctx_task, ctx_file_task, ctx_file_fd, ctx_file;   /* in their contexts */
	bool files;                                           /* the file program can be built */
};

enum {
	S_CGROUP, S_IPC, S_MNT, S_NET, S_PID, S_TIME, S_USER, S_UTS, /* lxns__type_at() order */
	S_TASK, S_NSPROXY, S_CRED, S_PIDS, S_UPID, S_COMMON, S_FILE, S_INODE, S_SB, S_OPS,
	S_ITER_TASK, S_ITER_FILE, S_CTX_TASK, S_CTX_FILE, S_MAX
};

static int find_layout(const struct lxns_btf *btf, struct layout *l)
{
	static const char *const nsproxy_names[LXNS_NTYPES] = {
		"cgroup_ns", "ipc_ns", "mnt_ns", "net_ns", NULL, "time_ns", NULL, "uts_ns",
	};
	struct lxns_btf_want w[S_MAX] = {
		{ "cgroup_namespace", BTF_KIND_STRUCT }, { "ipc_namespace", BTF_KIND_STRUCT },
		{ "mnt_namespace", BTF_KIND_STRUCT },    { "net", BTF_KIND_STRUCT },
		{ "pid_namespace", BTF_KIND_STRUCT },    { "time_namespace", BTF_KIND_STRUCT },
		{ "user_namespace", BTF_KIND_STRUCT },   { "uts_namespace", BTF_KIND_STRUCT },
		{ "task_struct", BTF_KIND_STRUCT },      { "nsproxy", BTF_KIND_STRUCT },
		{ "cred", BTF_KIND_STRUCT },             { "pid", BTF_KIND_STRUCT },
		{ "upid", BTF_KIND_STRUCT },             { "ns_common", BTF_KIND_STRUCT },
		{ "file", BTF_KIND_STRUCT },             { "inode", BTF_KIND_STRUCT },
		{ "super_block", BTF_KIND_STRUCT },      { "proc_ns_operations", BTF_KIND_STRUCT },
		{ "bpf_iter_task", BTF_KIND_FUNC },      { "bpf_iter_task_file", BTF_KIND_FUNC },
		{ "bpf_iter__task", BTF_KIND_STRUCT },   { "bpf_iter__task_file", BTF_KIND_STRUCT },
	};
#define M(s, name) lxns__btf_member(btf, w[s].type, name)

	lxns__btf_find(btf, w, S_MAX);
	*l = (struct layout){
		.task_nsproxy = M(S_TASK, "nsproxy"), .task_cred = M(S_TASK, "real_cred"),
		.task_pid = M(S_TASK, "thread_pid"), .task_leader = M(S_TASK, "group_leader"),
		.task_comm = M(S_TASK, "comm"),
		.nsproxy_pid_children = M(S_NSPROXY, "pid_ns_for_children"),
		.nsproxy_time_children = M(S_NSPROXY, "time_ns_for_children"),
		.cred_user_ns = M(S_CRED, "user_ns"),
		.pid_level = M(S_PIDS, "level"), .pid_numbers = M(S_PIDS, "numbers"),
		.upid_size = w[S_UPID].type ? (int)w[S_UPID].type->size : -1,
		.upid_nr = M(S_UPID, "nr"), .upid_ns = M(S_UPID, "ns"),
		.common_inum = M(S_COMMON, "inum"), .common_id = M(S_COMMON, "ns_id"),
		.common_type = M(S_COMMON, "ns_type"), .common_ops = M(S_COMMON, "ops"),
		.ops_type = M(S_OPS, "type"),
		.user_owner = M(S_USER, "owner"),
		.pid_parent = M(S_PID, "parent"), .pid_reaper = M(S_PID, "child_reaper"),
		.file_inode = M(S_FILE, "f_inode"), .inode_sb = M(S_INODE, "i_sb"),
		.inode_ino = M(S_INODE, "i_ino"), .inode_private = M(S_INODE, "i_private"),
		.sb_magic = M(S_SB, "s_magic"),
		.iter_task = w[S_ITER_TASK].id, .iter_task_file = w[S_ITER_FILE].id,
		.ctx_task = M(S_CTX_TASK, "task"), .ctx_file_task = M(S_CTX_FILE, "task"),
		.ctx_file_fd = M(S_CTX_FILE, "fd"), .ctx_file = M(S_CTX_FILE, "file"),
	};
	for (int i = 0; i < LXNS_NTYPES; i++) {
		l->nsproxy[i] = nsproxy_names[i] ? M(S_NSPROXY, nsproxy_names[i]) : -1;
		l->ns[i] = M(i, "ns");
		l->owner[i] = M(i, lxns__type_at(i) == LXNS_USER ? "parent" : "user_ns");
	}
#undef M
	/* What the task program cannot do without; the rest reads as 0 where it is missing. */
	if (l->task_nsproxy < 0 || l->task_cred < 0 || l->task_pid < 0 || l->task_leader < 0 ||
	    l->task_comm < 0 || l->cred_user_ns < 0 || l->pid_level < 0 || l->pid_numbers < 0 ||
	    l->upid_size <= 0 || l->upid_nr < 0 || l->upid_ns < 0 || l->common_inum < 0 || !l->iter_task ||
	    l->ctx_task < 0)
		return -EOPNOTSUPP;
	l->files = l->file_inode >= 0 && l->inode_sb >= 0 && l->inode_ino >= 0 && l->inode_private >= 0 &&
		   l->sb_magic >= 0 && l->iter_task_file && l->ctx_file_task >= 0 && l->ctx_file_fd >= 0 &&
		   l->ctx_file >= 0 && (l->common_type >= 0 || (l->common_ops >= 0 && l->ops_type >= 0));
	return 0;
}

/* --- Building the programs ------------------------------------------------------------------ */

#define PROG_MAX 1024

struct prog {
	struct bpf_insn insn[PROG_MAX];
	int n;
};

/* Registers: R6 the context, R7 the task (or file), R8 and R9 kept across helper calls. */
enum { R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10 };

/* Stack: the record at the frame's top, then three scratch slots. */
#define SLOT(k) (-(int)sizeof(struct rec_task) - 8 * ((k) + 1))
#define STACK_USED ((int)sizeof(struct rec_task) + 24)
#define REC(field) (-(int)sizeof(struct rec_task) + (int)offsetof(struct rec_task, field))
#define FREC(field) (-(int)sizeof(struct rec_task) + (int)offsetof(struct rec_file, field))

static void emit(struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	if (p->n < PROG_MAX)
		p->insn[p->n] = (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };
	p->n++;
}

static void mov(struct prog *p, int dst, int src)
{
	emit(p, BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0);
}

static void add_imm(struct prog *p, int dst, int imm)
{
	if (imm)
		emit(p, BPF_ALU64 | BPF_ADD | BPF_K, dst, 0, 0, imm);
}

static void load_slot(struct prog *p, int dst, int slot)
{
	emit(p, BPF_LDX | BPF_MEM | BPF_DW, dst, R10, SLOT(slot), 0);
}

/* bpf_probe_read_kernel(fp + @dst, @size, @src + @off): a fault leaves zeros, so a chain
 * through a NULL pointer ends in 0 with no branch. */
static void probe(struct prog *p, int dst, int size, int src, int off)
{
	mov(p, R1, R10);
	add_imm(p, R1, dst);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, R2, 0, 0, size);
	if (src != R3)
		mov(p, R3, src);
	add_imm(p, R3, off);
	emit(p, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_probe_read_kernel);
}

/* @dst = the pointer at @src + @off, through scratch slot 0. */
static void deref(struct prog *p, int dst, int src, int off)
{
	probe(p, SLOT(0), 8, src, off);
	load_slot(p, dst, 0);
}

/* R7 = the context's pointer at @ctx_off, or straight to the exit when it is NULL (the last
 * call, which ends the iteration); returns where that jump is, for epilogue() to patch. Zeroes
 * the record and the slots: the verifier wants the stack written before it is read, and a
 * missing member must read as 0. */
static int prologue(struct prog *p, int ctx_off)
{
	int jump;

	mov(p, R6, R1);
	emit(p, BPF_LDX | BPF_MEM | BPF_DW, R7, R6, (int16_t)ctx_off, 0);
	jump = p->n;
	emit(p, BPF_JMP | BPF_JEQ | BPF_K, R7, 0, 0, 0);
	for (int off = -STACK_USED; off < 0; off += 8)
		emit(p, BPF_ST | BPF_MEM | BPF_DW, R10, 0, (int16_t)off, 0);
	return jump;
}

/* bpf_seq_write(ctx->meta->seq, record, @size) (every iterator context starts with its meta);
 * return 0. Points the prologue's jumps at the return. */
static void epilogue(struct prog *p, int size, const int *jumps, int njumps)
{
	emit(p, BPF_LDX | BPF_MEM | BPF_DW, R1, R6, 0, 0);
	emit(p, BPF_LDX | BPF_MEM | BPF_DW, R1, R1, 0, 0);
	mov(p, R2, R10);
	add_imm(p, R2, -(int)sizeof(struct rec_task));
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, R3, 0, 0, size);
	emit(p, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_seq_write);
	for (int k = 0; k < njumps; k++)
		if (jumps[k] < PROG_MAX)
			p->insn[jumps[k]].off = (int16_t)(p->n - jumps[k] - 1);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, 0);
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/* With the struct of type index @i in R9: its inode, id, owner, parent, owner UID. */
static void emit_ns(struct prog *p, const struct layout *l, int i)
{
	int common = l->ns[i], type = lxns__type_at(i);
	int at = REC(ns) + i * (int)sizeof(struct rec_ns);

	if (common < 0)
		return;
	probe(p, at + (int)offsetof(struct rec_ns, ino), 4, R9, common + l->common_inum);
	if (l->common_id >= 0)
		probe(p, at + (int)offsetof(struct rec_ns, id), 8, R9, common + l->common_id);
	if (l->owner[i] >= 0 && l->ns[S_USER] >= 0) {
		deref(p, R3, R9, l->owner[i]);
		probe(p, at + (int)offsetof(struct rec_ns, owner), 4, R3, l->ns[S_USER] + l->common_inum);
	}
	if (type == LXNS_PID && l->pid_parent >= 0) {
		deref(p, R3, R9, l->pid_parent);
		probe(p, at + (int)offsetof(struct rec_ns, parent), 4, R3, common + l->common_inum);
	}
	if (type == LXNS_USER && l->user_owner >= 0)
		probe(p, at + (int)offsetof(struct rec_ns, owner_uid), 4, R9, l->user_owner);
}

/* Our pid namespace's level (that of the iteration), into scratch slot 2: /proc may belong to
 * another pid namespace, the kernel knows. */
static void emit_our_level(struct prog *p, const struct layout *l)
{
	emit(p, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_get_current_task);
	deref(p, R3, R0, l->task_pid);
	probe(p, SLOT(2), 4, R3, l->pid_level);
}

/* @reg (a struct pid) += the level in scratch slot @slot times sizeof(struct upid): then
 * pid_numbers + upid_* from it reads numbers[level]. */
static void add_level(struct prog *p, const struct layout *l, int reg, int slot)
{
	emit(p, BPF_LDX | BPF_MEM | BPF_W, R2, R10, SLOT(slot), 0);
	emit(p, BPF_ALU64 | BPF_MUL | BPF_K, R2, 0, 0, l->upid_size);
	emit(p, BPF_ALU64 | BPF_ADD | BPF_X, reg, R2, 0, 0);
}

/* The number of the struct pid in R3 in our pid namespace, into the record. */
static void emit_pid_nr(struct prog *p, const struct layout *l, int dst)
{
	add_level(p, l, R3, 2);
	probe(p, dst, 4, R3, l->pid_numbers + l->upid_nr);
}

static void build_task_prog(struct prog *p, const struct layout *l)
{
	int jump = prologue(p, l->ctx_task);

	emit_our_level(p, l);
	deref(p, R3, R7, l->task_pid);
	emit_pid_nr(p, l, REC(tid));
	deref(p, R3, R7, l->task_leader);
	deref(p, R3, R3, l->task_pid);
	emit_pid_nr(p, l, REC(tgid));
	probe(p, REC(comm), sizeof(((struct rec_task *)0)->comm), R7, l->task_comm);

	deref(p, R8, R7, l->task_nsproxy);
	for (int i = 0; i < LXNS_NTYPES; i++) {
		switch (lxns__type_at(i)) {
		case LXNS_USER:
			deref(p, R9, R7, l->task_cred);
			deref(p, R9, R9, l->cred_user_ns);
			break;
		case LXNS_PID: /* thread_pid->numbers[thread_pid->level].ns */
			deref(p, R9, R7, l->task_pid);
			probe(p, SLOT(1), 4, R9, l->pid_level);
			add_level(p, l, R9, 1);
			deref(p, R9, R9, l->pid_numbers + l->upid_ns);
			break;
		default:
			if (l->nsproxy[i] < 0)
				continue;
			deref(p, R9, R8, l->nsproxy[i]);
		}
		emit_ns(p, l, i);
	}
	if (l->nsproxy_pid_children >= 0 && l->ns[S_PID] >= 0) {
		deref(p, R9, R8, l->nsproxy_pid_children);
		probe(p, REC(pid_children), 4, R9, l->ns[S_PID] + l->common_inum);
		if (l->pid_reaper >= 0)
			probe(p, REC(pid_children_reaper), 8, R9, l->pid_reaper);
	}
	if (l->nsproxy_time_children >= 0 && l->ns[S_TIME] >= 0) {
		deref(p, R9, R8, l->nsproxy_time_children);
		probe(p, REC(time_children), 4, R9, l->ns[S_TIME] + l->common_inum);
	}
	epilogue(p, sizeof(struct rec_task), &jump, 1);
}

static void build_file_prog(struct prog *p, const struct layout *l)
{
	int jumps[3];

	jumps[0] = prologue(p, l->ctx_file);
	emit(p, BPF_LDX | BPF_MEM | BPF_DW, R8, R6, (int16_t)l->ctx_file_task, 0);
	jumps[1] = p->n;
	emit(p, BPF_JMP | BPF_JEQ | BPF_K, R8, 0, 0, 0);
	/* Only files on nsfs. */
	deref(p, R9, R7, l->file_inode);
	deref(p, R3, R9, l->inode_sb);
	deref(p, R2, R3, l->sb_magic);
	jumps[2] = p->n;
	emit(p, BPF_JMP | BPF_JNE | BPF_K, R2, 0, 0, NSFS_MAGIC);
	emit_our_level(p, l);

	probe(p, FREC(ino), 4, R9, l->inode_ino);
	deref(p, R3, R9, l->inode_private); /* its struct ns_common */
	if (l->common_type >= 0) {
		probe(p, FREC(type), 4, R3, l->common_type);
	} else {
		deref(p, R3, R3, l->common_ops);
		probe(p, FREC(type), 4, R3, l->ops_type);
	}
	emit(p, BPF_LDX | BPF_MEM | BPF_W, R2, R6, (int16_t)l->ctx_file_fd, 0);
	emit(p, BPF_STX | BPF_MEM | BPF_W, R10, R2, FREC(fd), 0);
	deref(p, R3, R8, l->task_leader);
	deref(p, R3, R3, l->task_pid);
	emit_pid_nr(p, l, FREC(tgid));
	epilogue(p, sizeof(struct rec_file), jumps, 3);
}

/* --- Running them --------------------------------------------------------------------------- */

static int bpf_call(int cmd, union bpf_attr *a)
{
	int fd = (int)syscall(SYS_bpf, cmd, a, sizeof(*a));

	return fd < 0 ? lxns__neg_errno() : fd;
}

/* Load @p as an iterator over target @btf_id; returns an fd whose reads give its records. */
static int iter_open(const struct prog *p, uint32_t btf_id)
{
	union bpf_attr a;
	int prog, link, iter;

	if (p->n > PROG_MAX)
		return -E2BIG;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_TRACING;
	a.expected_attach_type = BPF_TRACE_ITER;
	a.insns = (uintptr_t)p->insn;
	a.insn_cnt = (uint32_t)p->n;
	/* The helpers the programs call are GPL-only; this library is LGPL-2.1+, which allows that. */
	a.license = (uintptr_t) "GPL";
	a.attach_btf_id = btf_id;
	prog = bpf_call(BPF_PROG_LOAD, &a);
	if (prog < 0)
		return prog;
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

struct records {
	void *data;
	size_t n, cap; /* records, bytes allocated */
};

static int run(const struct prog *p, uint32_t btf_id, size_t size, struct records *ret)
{
	_cleanup_close_ int fd = iter_open(p, btf_id);
	size_t len = 0;

	if (fd < 0)
		return fd;
	*ret = (struct records){ 0 };
	for (;;) {
		ssize_t n;

		if (ret->cap - len < 65536) {
			size_t cap = ret->cap ? ret->cap * 2 : 262144;
			void *d = realloc(ret->data, cap);
			if (!d)
				return -ENOMEM;
			ret->data = d;
			ret->cap = cap;
		}
		n = read(fd, (char *)ret->data + len, ret->cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return lxns__neg_errno();
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len % size)
		return -EIO;
	ret->n = len / size;
	return 0;
}

/* --- Into the snapshot ---------------------------------------------------------------------- */

static int task_order(const void *a, const void *b)
{
	const struct rec_task *x = a, *y = b;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	if ((x->tid == x->tgid) != (y->tid == y->tgid))
		return x->tid == x->tgid ? -1 : 1; /* the leader first */
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

/* What a probe would have read, from the record instead. */
static void set_probed(struct lxns_node *n, const struct rec_ns *r, uint32_t own_pidns)
{
	if (!n || n->probed)
		return;
	n->probed = true;
	n->id = r->id;
	n->owner_ino = r->owner;
	if (n->type == LXNS_USER) {
		n->parent_ino = r->owner;
		n->owner_uid = r->owner_uid;
		n->have_owner_uid = true;
	}
	/* Above our own pid namespace is what NS_GET_PARENT refuses to show. */
	if (n->type == LXNS_PID && n->ino != own_pidns)
		n->parent_ino = r->parent;
}

static void add_task(struct scan *sc, const struct rec_task *t, const struct rec_task *leader, uint32_t own_pidns)
{
	pid_t pid = (pid_t)t->tgid;

	for (int i = 0; i < LXNS_NTYPES; i++) {
		int type = lxns__type_at(i);
		uint32_t ino = t->ns[i].ino;
		struct lxns_node *n;

		if (!(sc->types & type) || !ino)
			continue;
		if (t != leader) {
			if (leader && ino == leader->ns[i].ino)
				continue;
			n = lxns__found(sc, type, ino, LXNS_SRC_THREADS, (pid_t)t->tid);
		} else {
			n = lxns__found(sc, type, ino, LXNS_SRC_PROCS, pid);
			if (n) {
				n->nprocs++;
				if (!n->pid || pid < n->pid)
					n->pid = pid;
			}
		}
		set_probed(n, &t->ns[i], own_pidns);
	}
	if (t != leader)
		return;
	if ((sc->types & LXNS_PID) && t->pid_children && t->pid_children_reaper && t->pid_children != t->ns[S_PID].ino)
		lxns__found(sc, LXNS_PID, t->pid_children, LXNS_FOUND_CHILDREN, pid);
	if ((sc->types & LXNS_TIME) && t->time_children && t->time_children != t->ns[S_TIME].ino)
		lxns__found(sc, LXNS_TIME, t->time_children, LXNS_FOUND_CHILDREN, pid);
}

static int add_tasks(struct scan *sc, struct records *tasks, uint32_t own_pidns)
{
	struct rec_task *t = tasks->data, *leader = NULL;

	qsort(t, tasks->n, sizeof(*t), task_order);
	for (size_t k = 0; k < tasks->n && !sc->err; k++) {
		if (t[k].tid == t[k].tgid) {
			leader = &t[k];
			sc->stats[LXNS_STAT_PROCESSES]++;
		} else if (!(sc->sources & LXNS_SRC_THREADS)) {
			continue;
		} else {
			if (leader && leader->tgid != t[k].tgid)
				leader = NULL; /* a group whose leader is already gone */
			sc->stats[LXNS_STAT_THREADS]++;
		}
		add_task(sc, &t[k], leader, own_pidns);
	}
	sc->stats[LXNS_STAT_TASKS_BPF] = tasks->n;
	/* Each namespace's command is that of its lowest process. */
	for (size_t k = 0; k < sc->s->n && !sc->err; k++) {
		struct lxns_node *n = sc->s->nodes[k];
		struct rec_task key = { .tid = (uint32_t)n->pid, .tgid = (uint32_t)n->pid }, *r;

		if (!n->pid || n->comm)
			continue;
		r = bsearch(&key, t, tasks->n, sizeof(*t), task_order);
		if (r && !(n->comm = strndup(r->comm, sizeof(r->comm))))
			sc->err = -ENOMEM;
	}
	return sc->err;
}

/* The programs read kernel memory at offsets taken from BTF: make sure they read what /proc
 * says of the calling thread before trusting them with the rest. -EPROTO if they do not; else
 * our pid namespace's inode in *ret_pidns. */
static int check_self(const struct scan *sc, const struct records *tasks, uint32_t *ret_pidns)
{
	const struct rec_task *t = tasks->data, *self = NULL;
	pid_t tid = gettid();

	for (size_t k = 0; k < tasks->n && !self; k++)
		if (t[k].tid == (uint32_t)tid)
			self = &t[k];
	if (!self || self->tgid != (uint32_t)getpid())
		return -EPROTO;
	for (int i = 0; i < LXNS_NTYPES; i++) {
		char path[64];
		struct stat st;

		snprintf(path, sizeof(path), "thread-self/ns/%s", lxns_type_name(lxns__type_at(i)));
		if (fstatat(sc->proc_fd, path, &st, 0) == 0 && st.st_ino != self->ns[i].ino)
			return -EPROTO;
	}
	*ret_pidns = self->ns[S_PID].ino;
	return 0;
}

/* Likewise for the file program: @fd is our own fd on our network namespace, open while it
 * ran. It must show, with the right type and inode. */
static int check_self_file(const struct records *files, int fd)
{
	const struct rec_file *f = files->data;
	uint32_t pid = (uint32_t)getpid();
	struct stat st;

	if (fstat(fd, &st) < 0)
		return lxns__neg_errno();
	for (size_t k = 0; k < files->n; k++)
		if (f[k].tgid == pid && f[k].fd == (uint32_t)fd)
			return f[k].type == LXNS_NET && f[k].ino == st.st_ino ? 0 : -EPROTO;
	return -EPROTO;
}

/* Every namespace fd but @self_fd, the scan's own. */
static void add_files(struct scan *sc, const struct records *files, int self_fd)
{
	const struct rec_file *f = files->data;
	uint32_t pid = (uint32_t)getpid();

	for (size_t k = 0; k < files->n && !sc->err; k++)
		if (lxns__is_one_type((int)f[k].type) && !(f[k].tgid == pid && f[k].fd == (uint32_t)self_fd))
			lxns__record_fd(sc, (pid_t)f[k].tgid, (int)f[k].type, f[k].ino, (int)f[k].fd);
}

/* The kernel's layout does not change while it runs: read its BTF once per process. */
static struct layout layout;
static int layout_err;
static pthread_once_t layout_once = PTHREAD_ONCE_INIT;

static void read_layout(void)
{
	struct lxns_btf *btf = NULL;

	layout_err = lxns__btf_open(&btf);
	if (layout_err == 0)
		layout_err = find_layout(btf, &layout);
	lxns__btf_free(btf);
}

int lxns__scan_bpf(struct scan *sc)
{
	struct records tasks = { 0 }, files = { 0 };
	const struct layout *l = &layout;
	struct prog *p = NULL;
	uint32_t own_pidns = 0;
	int r, self_fd = -1;

	pthread_once(&layout_once, read_layout);
	r = layout_err;
	if (r == 0 && (sc->sources & LXNS_SRC_FDS) && !l->files)
		r = -EOPNOTSUPP;
	if (r == 0 && !(p = calloc(1, sizeof(*p))))
		r = -ENOMEM;
	if (r == 0) {
		build_task_prog(p, l);
		r = run(p, l->iter_task, sizeof(struct rec_task), &tasks);
	}
	if (r == 0 && (sc->sources & LXNS_SRC_FDS)) {
		self_fd = openat(sc->proc_fd, "thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		r = self_fd < 0 ? lxns__neg_errno() : 0;
	}
	if (r == 0 && self_fd >= 0) {
		p->n = 0;
		build_file_prog(p, l);
		r = run(p, l->iter_task_file, sizeof(struct rec_file), &files);
		if (r == 0)
			r = check_self_file(&files, self_fd);
	}
	free(p);
	/* Nothing is recorded unless both could be read: else /proc is read from the start. */
	if (r == 0)
		r = check_self(sc, &tasks, &own_pidns);
	if (r == 0)
		r = add_tasks(sc, &tasks, own_pidns);
	if (r == 0)
		add_files(sc, &files, self_fd);
	if (self_fd >= 0)
		close(self_fd);
	free(tasks.data);
	free(files.data);
	return r < 0 ? r : sc->err;
}
