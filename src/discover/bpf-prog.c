/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The BPF scan's two iterator programs, emitted as bytecode for the running kernel: offsets
 * come from its BTF, every kernel field is read with bpf_probe_read_kernel() (a fault reads
 * zeros, so a NULL pointer anywhere in a chain ends in 0 without a branch), and each namespace
 * is written once per scan, its owners and parents up the chains with it (the task program's
 * walk keeps a hash map of the user namespaces it wrote). */
#include <pthread.h>
#include <stddef.h>

#include "bpf-prog.h"
#include "btf.h"

/* --- The kernel's layout -------------------------------------------------------------------- */

enum {
	S_TASK = LXNS_NTYPES, S_NSPROXY, S_CRED, S_PIDS, S_UPID, S_COMMON, S_FILE, S_INODE, S_SB, S_OPS,
	S_ITER_TASK, S_ITER_FILE, S_CTX_TASK, S_CTX_FILE, S_MAX
};

static int find_layout(struct lxns_btf *btf, struct layout *l)
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
		.inode_ino = M(S_INODE, "i_ino"),
		.inode_ino_size = lxns__btf_member_size(btf, w[S_INODE].type, "i_ino"),
		.inode_private = M(S_INODE, "i_private"), .sb_magic = M(S_SB, "s_magic"),
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
	    l->ctx_task < 0 || l->ns[S_USER] < 0 || l->ns[S_PID] < 0 || l->owner[S_USER] < 0 || l->pid_parent < 0)
		return -EOPNOTSUPP;
	l->files = l->file_inode >= 0 && l->inode_sb >= 0 && l->inode_ino >= 0 &&
		   (l->inode_ino_size == 4 || l->inode_ino_size == 8) && l->inode_private >= 0 &&
		   l->sb_magic >= 0 && l->iter_task_file && l->ctx_file_task >= 0 && l->ctx_file_fd >= 0 &&
		   l->ctx_file >= 0 && (l->common_type >= 0 || (l->common_ops >= 0 && l->ops_type >= 0));
	return 0;
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

int lxns__bpf_layout(const struct layout **ret_layout)
{
	pthread_once(&layout_once, read_layout);
	if (layout_err)
		return layout_err;
	*ret_layout = &layout;
	return 0;
}

/* --- The programs' BTF ------------------------------------------------------------------------ */

#define TYPE(name, kind, vlen, size_or_type) (name), BTF_INFO_ENC(kind, 0, vlen), (size_or_type)
#define BTF_INFO_ENC(kind, kflag, vlen) ((!!(kflag) << 31) | ((kind) << 24) | ((vlen) & 0xffff))
#define BTF_INT_ENC(encoding, offset, bits) ((encoding) << 24 | (offset) << 16 | (bits))

/* Names, at these offsets in the string section. */
#define N_INT 1
#define N_LONG 5
#define N_CTX 10
#define N_INDEX 14
#define N_MAIN 20
#define N_CALLBACK 30
#define STRINGS "\0int\0long\0ctx\0index\0lxns_iter\0lxns_walk"

static const struct {
	struct btf_header h;
	uint32_t types[29];
	char strings[sizeof(STRINGS)];
} prog_btf = {
	.h = { .magic = BTF_MAGIC, .version = BTF_VERSION, .hdr_len = sizeof(struct btf_header),
	       .type_off = 0, .type_len = sizeof(prog_btf.types),
	       .str_off = sizeof(prog_btf.types), .str_len = sizeof(STRINGS) },
	.types = {
		TYPE(N_INT, BTF_KIND_INT, 0, 4), BTF_INT_ENC(BTF_INT_SIGNED, 0, 32),   /* 1: int */
		TYPE(N_LONG, BTF_KIND_INT, 0, 8), BTF_INT_ENC(BTF_INT_SIGNED, 0, 64),  /* 2: long */
		TYPE(0, BTF_KIND_PTR, 0, 0),                                            /* 3: void * */
		TYPE(0, BTF_KIND_FUNC_PROTO, 1, 1), N_CTX, 3,                           /* 4: int (void *ctx) */
		TYPE(N_MAIN, BTF_KIND_FUNC, BTF_FUNC_STATIC, 4),                        /* 5 */
		TYPE(0, BTF_KIND_FUNC_PROTO, 2, 2), N_INDEX, 1, N_CTX, 3,               /* 6: long (int, void *) */
		TYPE(N_CALLBACK, BTF_KIND_FUNC, BTF_FUNC_STATIC, 6),                    /* 7 */
	},
	.strings = STRINGS,
};

const void *lxns__bpf_prog_btf(size_t *ret_size)
{
	*ret_size = sizeof(prog_btf);
	return &prog_btf;
}

/* --- Emitting -------------------------------------------------------------------------------- */

/* Registers: R6 the context (the program's, or in the callback the walk); R7, R8, R9 kept
 * across helper calls. */
enum { R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10 };

/* The program's stack, below its frame pointer: its record, scratch slots, and the walk, which
 * the bpf_loop() callback reads and writes through a pointer. The record and slots are zeroed
 * first: the verifier wants the stack written before it is read, and a member this kernel
 * lacks must read as 0. */
#define REC(type, field) (-(int)sizeof(struct rec_task) + (int)offsetof(struct type, field))
#define SLOT(k) (-(int)sizeof(struct rec_task) - 8 * ((k) + 1)) /* scratch, k = 0 ... 5 */
#define SLOT_NSPROXY 3  /* the task's nsproxy */
#define SLOT_OWN(i) (4 + ((i) == S_TIME)) /* its pid (i = S_PID) and time (S_TIME) namespaces */

/* The walk up user namespace chains that no task or file record describes: the chain under way
 * (ptr, 0 when none) and the user namespaces whose chains are still to come. The callback writes
 * one namespace per call, or takes the next pending one, shifting the rest down. */
struct walk {
	uint64_t seq; /* the iterator's seq_file, for bpf_seq_write() */
	uint64_t ptr;
	uint64_t pending[PENDING];
};
#define WALK_AT (SLOT(5) - (int)sizeof(struct walk))
#define WALK(field) (WALK_AT + (int)offsetof(struct walk, field))
#define STACK_USED (-WALK_AT)

/* The callback's own stack: a namespace record, a scratch slot, and the map's key (struct
 * walk_key, whose first 8 bytes are also the value the map wants). */
#define CB_REC (-(int)sizeof(struct rec_ns))
#define CB_SLOT (CB_REC - 8)
#define CB_KEY (CB_SLOT - (int)sizeof(struct walk_key))
#define KEY(field) (CB_KEY + (int)offsetof(struct walk_key, field))

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

static void mov_imm(struct prog *p, int dst, int imm)
{
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm);
}

static void add_imm(struct prog *p, int dst, int imm)
{
	if (imm)
		emit(p, BPF_ALU64 | BPF_ADD | BPF_K, dst, 0, 0, imm);
}

static void load(struct prog *p, int size, int dst, int src, int off)
{
	emit(p, BPF_LDX | BPF_MEM | size, dst, src, (int16_t)off, 0);
}

static void store(struct prog *p, int size, int base, int off, int src)
{
	emit(p, BPF_STX | BPF_MEM | size, base, src, (int16_t)off, 0);
}

static void store_imm(struct prog *p, int size, int base, int off, int imm)
{
	emit(p, BPF_ST | BPF_MEM | size, base, 0, (int16_t)off, imm);
}

static void call(struct prog *p, int helper)
{
	emit(p, BPF_JMP | BPF_CALL, 0, 0, 0, helper);
}

static void ret(struct prog *p, int value)
{
	mov_imm(p, R0, value);
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/* A forward jump if @dst @op @imm (BPF_JA: always); returns where it is, for land(). */
static int jump_if(struct prog *p, int op, int dst, int imm)
{
	emit(p, BPF_JMP | op | BPF_K, dst, 0, 0, imm);
	return p->n - 1;
}

/* The same against register @src. */
static int jump_if_reg(struct prog *p, int op, int dst, int src)
{
	emit(p, BPF_JMP | op | BPF_X, dst, src, 0, 0);
	return p->n - 1;
}

/* Point the jump at @at to the next instruction. */
static void land(struct prog *p, int at)
{
	if (at < PROG_MAX)
		p->insn[at].off = (int16_t)(p->n - at - 1);
}

/* bpf_probe_read_kernel(fp + @dst, @size, @src + @off). */
static void probe(struct prog *p, int dst, int size, int src, int off)
{
	mov(p, R1, R10);
	add_imm(p, R1, dst);
	mov_imm(p, R2, size);
	if (src != R3)
		mov(p, R3, src);
	add_imm(p, R3, off);
	call(p, BPF_FUNC_probe_read_kernel);
}

/* Zero @size bytes at @base + @off in a way the verifier cannot see through: a read of address
 * 0, which fails and zero-fills. A zero it knows it would track as a constant, and the callback,
 * verified until its states repeat, would take longer to settle. */
static void zero_unknown(struct prog *p, int base, int off, int size)
{
	mov(p, R1, base);
	add_imm(p, R1, off);
	mov_imm(p, R2, size);
	mov_imm(p, R3, 0);
	call(p, BPF_FUNC_probe_read_kernel);
}

/* @dst = the pointer at @src + @off, through the scratch slot at @slot. */
static void deref_via(struct prog *p, int slot, int dst, int src, int off)
{
	probe(p, slot, 8, src, off);
	load(p, BPF_DW, dst, R10, slot);
}

#define deref(p, dst, src, off) deref_via(p, SLOT(0), dst, src, off)

/* bpf_seq_write(R1, fp + @at, @size), the seq_file in R1. */
static void seq_write(struct prog *p, int at, int size)
{
	mov(p, R2, R10);
	add_imm(p, R2, at);
	mov_imm(p, R3, size);
	call(p, BPF_FUNC_seq_write);
}

/* Keep ctx->meta->seq (every iterator context starts with its meta, every meta with it) in
 * walk.seq, where the record writes and the walk's callback take it. Done once, before the
 * program branches: the verifier checks a load through a kernel pointer with a search of the
 * kernel's BTF by name (is the pointer trusted?), on every path that reaches it. */
static void keep_seq(struct prog *p)
{
	load(p, BPF_DW, R1, R6, 0);
	load(p, BPF_DW, R1, R1, 0);
	store(p, BPF_DW, R10, WALK(seq), R1);
}

/* R7 = the context's pointer at @ctx_off; returns the jump to take to the exit when it is NULL
 * (the last call, which ends the iteration). */
static int prologue(struct prog *p, int ctx_off)
{
	mov(p, R6, R1);
	load(p, BPF_DW, R7, R6, ctx_off);
	return jump_if(p, BPF_JEQ, R7, 0);
}

/* Zero the stack before anything else is written to it: the verifier wants the stack written
 * before it is read, and a member this kernel lacks must read as 0. One helper call rather
 * than a store per slot, each of which the verifier would track. */
static void zero_stack(struct prog *p)
{
	zero_unknown(p, R10, -STACK_USED, STACK_USED);
}

/* Our pid namespace's level (that of the iteration), into scratch slot 2: /proc may belong to
 * another pid namespace, the kernel knows. */
static void our_level(struct prog *p, const struct layout *l)
{
	call(p, BPF_FUNC_get_current_task);
	deref(p, R3, R0, l->task_pid);
	probe(p, SLOT(2), 4, R3, l->pid_level);
}

/* @reg (a struct pid) += the level in scratch slot @slot times sizeof(struct upid): then
 * pid_numbers + upid_* from it reads numbers[level]. */
static void add_level(struct prog *p, const struct layout *l, int reg, int slot)
{
	load(p, BPF_W, R2, R10, SLOT(slot));
	emit(p, BPF_ALU64 | BPF_MUL | BPF_K, R2, 0, 0, l->upid_size);
	emit(p, BPF_ALU64 | BPF_ADD | BPF_X, reg, R2, 0, 0);
}

/* The number of the struct pid in R3 in our pid namespace, into the record at @dst. */
static void pid_nr(struct prog *p, const struct layout *l, int dst)
{
	add_level(p, l, R3, 2);
	probe(p, dst, 4, R3, l->pid_numbers + l->upid_nr);
}

/* The facts of the namespace of type index @i whose struct is in @reg (R8 or R9), into the
 * struct rec_facts at @at, through the scratch slot @slot. Its owner is left in R9 when
 * @owner_to_r9 (the struct user_namespace, 0 when none). */
static void facts(struct prog *p, const struct layout *l, int at, int slot, int i, int reg, bool owner_to_r9)
{
	int type = lxns__type_at(i), common = l->ns[i];

	probe(p, at + (int)offsetof(struct rec_facts, ino), 4, reg, common + l->common_inum);
	if (l->common_id >= 0)
		probe(p, at + (int)offsetof(struct rec_facts, id), 8, reg, common + l->common_id);
	if (type == LXNS_PID) {
		deref_via(p, slot, R3, reg, l->pid_parent);
		probe(p, at + (int)offsetof(struct rec_facts, parent), 4, R3, common + l->common_inum);
	}
	if (type == LXNS_USER && l->user_owner >= 0)
		probe(p, at + (int)offsetof(struct rec_facts, owner_uid), 4, reg, l->user_owner);
	if (l->owner[i] >= 0) {
		deref_via(p, slot, owner_to_r9 ? R9 : R3, reg, l->owner[i]);
		probe(p, at + (int)offsetof(struct rec_facts, owner), 4, owner_to_r9 ? R9 : R3,
		      l->ns[S_USER] + l->common_inum);
	} else if (owner_to_r9) {
		mov_imm(p, R9, 0);
	}
}

/* The owner chain of a namespace the program described (its owner in R9) is for the walk,
 * pending slot @k, unless it is @skip_reg's (the chain of the task's own user namespace, pending
 * already). Without a branch: the value is R9 & -(R9 != skip_reg), so that the verifier has no
 * states to tell apart. */
static void pend(struct prog *p, int k, int skip_reg)
{
	if (skip_reg >= 0) {
		mov(p, R2, R9);
		emit(p, BPF_ALU64 | BPF_SUB | BPF_X, R2, skip_reg, 0, 0);
		mov(p, R3, R2);
		emit(p, BPF_ALU64 | BPF_NEG, R3, 0, 0, 0);
		emit(p, BPF_ALU64 | BPF_OR | BPF_X, R3, R2, 0, 0);
		emit(p, BPF_ALU64 | BPF_RSH | BPF_K, R3, 0, 0, 63);
		emit(p, BPF_ALU64 | BPF_NEG, R3, 0, 0, 0);
		emit(p, BPF_ALU64 | BPF_AND | BPF_X, R3, R9, 0, 0);
		store(p, BPF_DW, R10, WALK(pending) + 8 * k, R3);
	} else {
		store(p, BPF_DW, R10, WALK(pending) + 8 * k, R9);
	}
}

/* R2 = the OR of the pending slots at @base + @off. */
static void any_pending(struct prog *p, int base, int off)
{
	load(p, BPF_DW, R2, base, off);
	for (int k = 1; k < PENDING; k++) {
		load(p, BPF_DW, R3, base, off + 8 * k);
		emit(p, BPF_ALU64 | BPF_OR | BPF_X, R2, R3, 0, 0);
	}
}

/* The callback of bpf_loop(): R2 the walk. Writes the user namespace at walk.ptr unless written
 * before this scan, then moves up to its parent; one written before ends the chain. The map
 * keeps what was written by address, inode and id, added in one call that fails with -EEXIST
 * for one written before: an address met again with another inode or id is another namespace
 * in freed memory (under churn, a user namespace is soon made where a dead one was), written
 * too. A full map keeps nothing more: what is not in it is written again when met (more
 * records, never fewer). With no chain under way, takes the first pending one and goes on with
 * it. Returns 1 to stop when nothing is left. */
static void walk_callback(struct prog *p, const struct layout *l, int map_fd)
{
	int at = CB_REC + (int)offsetof(struct rec_ns, f), have, more, empty, seen;

	mov(p, R6, R2);
	load(p, BPF_DW, R8, R6, offsetof(struct walk, ptr));
	have = jump_if(p, BPF_JNE, R8, 0);

	/* No chain under way: take the first pending one, shifting the rest down. */
	any_pending(p, R6, offsetof(struct walk, pending));
	more = jump_if(p, BPF_JNE, R2, 0);
	ret(p, 1);
	land(p, more);
	load(p, BPF_DW, R8, R6, offsetof(struct walk, pending));
	for (int k = 1; k < PENDING; k++) {
		load(p, BPF_DW, R3, R6, offsetof(struct walk, pending) + 8 * k);
		store(p, BPF_DW, R6, offsetof(struct walk, pending) + 8 * (k - 1), R3);
	}
	zero_unknown(p, R6, offsetof(struct walk, pending) + 8 * (PENDING - 1), 8);
	empty = jump_if(p, BPF_JEQ, R8, 0); /* an empty slot: the next call takes the next */

	/* Its address, inode and id: added to the map unless there already. (No lookup before:
	 * that call the verifier would inline, which costs each load more than it saves.) */
	land(p, have);
	zero_unknown(p, R10, CB_KEY, sizeof(struct walk_key));
	mov(p, R2, R8);
	add_imm(p, R2, l->ns[S_USER]);
	store(p, BPF_DW, R10, KEY(addr), R2);
	probe(p, KEY(ino), 4, R8, l->ns[S_USER] + l->common_inum);
	if (l->common_id >= 0)
		probe(p, KEY(id), 8, R8, l->ns[S_USER] + l->common_id);
	emit(p, BPF_LD | BPF_DW | BPF_IMM, R1, BPF_PSEUDO_MAP_FD, 0, map_fd);
	emit(p, 0, 0, 0, 0, 0);
	mov(p, R2, R10);
	add_imm(p, R2, CB_KEY);
	mov(p, R3, R2);
	mov_imm(p, R4, BPF_NOEXIST);
	call(p, BPF_FUNC_map_update_elem);
	/* Compared as 32 bits: before Linux 6.4 the map's update function returned an int, and
	 * with the JIT the upper half of R0 is not its sign. */
	emit(p, BPF_JMP32 | BPF_JEQ | BPF_K, R0, 0, 0, -EEXIST);
	seen = p->n - 1;
	/* New, or the map is full. */
	zero_unknown(p, R10, CB_REC, sizeof(struct rec_ns));
	store_imm(p, BPF_W, R10, CB_REC + (int)offsetof(struct rec_ns, kind), REC_NS);
	store_imm(p, BPF_W, R10, CB_REC + (int)offsetof(struct rec_ns, type), LXNS_USER);
	facts(p, l, at, CB_SLOT, S_USER, R8, true);
	load(p, BPF_DW, R1, R6, offsetof(struct walk, seq));
	seq_write(p, CB_REC, sizeof(struct rec_ns));
	store(p, BPF_DW, R6, offsetof(struct walk, ptr), R9);
	ret(p, 0);

	land(p, seen);
	zero_unknown(p, R6, offsetof(struct walk, ptr), 8);
	land(p, empty);
	ret(p, 0);
}

/* bpf_loop(WALK_STEPS, walk_callback, &walk, 0), the callback emitted after the program's
 * exit; then return 0. Points the jumps at @exits to that return. */
static void walk_and_exit(struct prog *p, const struct layout *l, int map_fd, const int *exits, int n)
{
	int fn, exits_here;

	/* Nothing pending (a task whose namespaces all belong to its own user namespace, the
	 * initial one): no loop. */
	any_pending(p, R10, WALK(pending));
	exits_here = jump_if(p, BPF_JEQ, R2, 0);
	mov_imm(p, R1, WALK_STEPS);
	fn = p->n;
	emit(p, BPF_LD | BPF_DW | BPF_IMM, R2, BPF_PSEUDO_FUNC, 0, 0);
	emit(p, 0, 0, 0, 0, 0);
	mov(p, R3, R10);
	add_imm(p, R3, WALK_AT);
	mov_imm(p, R4, 0);
	call(p, BPF_FUNC_loop);
	land(p, exits_here);
	for (int k = 0; k < n; k++)
		land(p, exits[k]);
	ret(p, 0);
	if (fn < PROG_MAX)
		p->insn[fn].imm = p->n - fn - 1;
	p->callback_at = p->n;
	walk_callback(p, l, map_fd);
}

void lxns__bpf_task_prog(struct prog *p, const struct layout *l, int map_fd)
{
	int exit, k = 0;

	p->n = 0;
	exit = prologue(p, l->ctx_task);
	zero_stack(p);
	keep_seq(p);
	store_imm(p, BPF_W, R10, REC(rec_task, kind), REC_TASK);
	our_level(p, l);
	deref(p, R3, R7, l->task_pid);
	pid_nr(p, l, REC(rec_task, tid));
	deref(p, R3, R7, l->task_leader);
	deref(p, R3, R3, l->task_pid);
	pid_nr(p, l, REC(rec_task, tgid));
	probe(p, REC(rec_task, comm), sizeof(((struct rec_task *)0)->comm), R7, l->task_comm);

	/* Its user namespace: the chain above it is for the walk. R8 keeps it for comparing. */
	deref(p, R8, R7, l->task_cred);
	deref(p, R8, R8, l->cred_user_ns);
	facts(p, l, REC(rec_task, ns[S_USER]), SLOT(0), S_USER, R8, true);
	pend(p, k++, -1);
	deref_via(p, SLOT(SLOT_NSPROXY), R9, R7, l->task_nsproxy); /* kept in its slot */
	for (int i = 0; i < LXNS_NTYPES + 2; i++) {
		int type = i == T_PID_CHILDREN ? LXNS_PID : i == T_TIME_CHILDREN ? LXNS_TIME : lxns__type_at(i);
		int ti = lxns__type_index(type), skip = -1;

		if (i == S_USER || l->ns[ti] < 0)
			continue;
		if (i == S_PID) { /* thread_pid->numbers[thread_pid->level].ns */
			deref(p, R9, R7, l->task_pid);
			probe(p, SLOT(1), 4, R9, l->pid_level);
			add_level(p, l, R9, 1);
			deref(p, R9, R9, l->pid_numbers + l->upid_ns);
		} else {
			int off = i == T_PID_CHILDREN ? l->nsproxy_pid_children :
				  i == T_TIME_CHILDREN ? l->nsproxy_time_children : l->nsproxy[i];
			if (off < 0)
				continue;
			load(p, BPF_DW, R9, R10, SLOT(SLOT_NSPROXY));
			deref(p, R9, R9, off);
		}
		if (i == S_PID || i == S_TIME)
			store(p, BPF_DW, R10, SLOT(SLOT_OWN(i)), R9);
		if (i == T_PID_CHILDREN || i == T_TIME_CHILDREN) {
			/* Usually the task's own: then nothing to say (its inode stays 0). */
			load(p, BPF_DW, R2, R10, SLOT(SLOT_OWN(ti)));
			skip = jump_if_reg(p, BPF_JEQ, R9, R2);
			if (i == T_PID_CHILDREN && l->pid_reaper >= 0)
				probe(p, REC(rec_task, pid_children_reaper), 8, R9, l->pid_reaper);
		}
		/* Owned by another user namespace than the task's: that one's chain is for the walk. */
		facts(p, l, REC(rec_task, ns[i]), SLOT(0), ti, R9, true);
		if (k < PENDING)
			pend(p, k++, R8);
		if (skip >= 0)
			land(p, skip);
	}
	load(p, BPF_DW, R1, R10, WALK(seq));
	seq_write(p, REC(rec_task, kind), sizeof(struct rec_task));
	walk_and_exit(p, l, map_fd, &exit, 1);
}

void lxns__bpf_file_prog(struct prog *p, const struct layout *l)
{
	int exits[3], n = 0, done[LXNS_NTYPES], ndone = 0;

	p->n = 0;
	exits[n++] = prologue(p, l->ctx_file);
	load(p, BPF_DW, R8, R6, l->ctx_file_task);
	exits[n++] = jump_if(p, BPF_JEQ, R8, 0);
	/* Only files on nsfs. */
	deref(p, R9, R7, l->file_inode);
	deref(p, R3, R9, l->inode_sb);
	deref(p, R2, R3, l->sb_magic);
	exits[n++] = jump_if(p, BPF_JNE, R2, NSFS_MAGIC);
	zero_stack(p); /* only now: most files are not on nsfs (R9 is kept by the call) */
	keep_seq(p);
	store_imm(p, BPF_W, R10, REC(rec_file, kind), REC_FILE);
	our_level(p, l);

	if (l->inode_ino_size == 8) {
		probe(p, REC(rec_file, ino), 8, R9, l->inode_ino);
	} else { /* a 32-bit unsigned long: widened, whatever the byte order */
		probe(p, SLOT(1), 4, R9, l->inode_ino);
		load(p, BPF_W, R2, R10, SLOT(1));
		store(p, BPF_DW, R10, REC(rec_file, ino), R2);
	}
	deref(p, R7, R9, l->inode_private); /* its struct ns_common */
	if (l->common_type >= 0) {
		probe(p, REC(rec_file, type), 4, R7, l->common_type);
	} else {
		deref(p, R3, R7, l->common_ops);
		probe(p, REC(rec_file, type), 4, R3, l->ops_type);
	}
	load(p, BPF_W, R2, R6, l->ctx_file_fd);
	store(p, BPF_W, R10, REC(rec_file, fd), R2);
	deref(p, R3, R8, l->task_leader);
	deref(p, R3, R3, l->task_pid);
	pid_nr(p, l, REC(rec_file, tgid));

	/* Its facts, by its type, its struct found back from its ns_common. (No walk up its owner's
	 * chain: that is almost always a task's, walked already; where it is not, the caller asks
	 * the kernel through the fd.) */
	for (int i = 0; i < LXNS_NTYPES; i++) {
		int other;

		if (l->ns[i] < 0)
			continue;
		load(p, BPF_W, R2, R10, REC(rec_file, type));
		other = jump_if(p, BPF_JNE, R2, lxns__type_at(i));
		mov(p, R8, R7);
		add_imm(p, R8, -l->ns[i]);
		facts(p, l, REC(rec_file, f), SLOT(0), i, R8, false);
		done[ndone++] = jump_if(p, BPF_JA, 0, 0);
		land(p, other);
	}
	for (int k = 0; k < ndone; k++)
		land(p, done[k]);
	load(p, BPF_DW, R1, R10, WALK(seq));
	seq_write(p, REC(rec_file, kind), sizeof(struct rec_file));
	for (int k = 0; k < n; k++)
		land(p, exits[k]);
	ret(p, 0);
	p->callback_at = 0;
}
