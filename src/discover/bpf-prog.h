/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The BPF iterator programs of the BPF scan, built for the running kernel from its BTF: what
 * they write (records) and how they are made (bpf-prog.c). */
#ifndef LXNS_BPF_PROG_H
#define LXNS_BPF_PROG_H

#include <linux/bpf.h>

#include "internal.h"

/* Type indices (lxns__type_at() order), as the records' arrays use them. */
enum { S_CGROUP, S_IPC, S_MNT, S_NET, S_PID, S_TIME, S_USER, S_UTS };

/* The programs write a stream of records, each starting with its kind. Inode numbers of
 * namespaces are 32-bit in the kernel (ns_common.inum). */
enum { REC_TASK = 1, REC_NS = 2, REC_FILE = 3 };

/* What a namespace tells of itself: what a probe through an fd on it would read. */
struct rec_facts {
	uint32_t ino;
	uint32_t owner;     /* its owning user namespace; of a user namespace, its parent */
	uint32_t parent;    /* pid namespaces: the parent */
	uint32_t owner_uid; /* user namespaces: the creator (kuid, as the initial namespace maps it) */
	uint64_t id;        /* ns_common.ns_id (since Linux 6.18), else 0 */
};

/* One task (the task program): its namespaces, by lxns__type_at() index, then its pid and time
 * namespaces for children to come. */
#define T_PID_CHILDREN LXNS_NTYPES
#define T_TIME_CHILDREN (LXNS_NTYPES + 1)
struct rec_task {
	uint32_t kind;
	uint32_t tid, tgid; /* as our pid namespace sees them */
	uint32_t pad;
	struct rec_facts ns[LXNS_NTYPES + 2];
	uint64_t pid_children_reaper; /* /proc shows pid_for_children only once it has one */
	char comm[16];
};

/* A user namespace up an owner chain that the task or file records do not describe (written
 * once per scan by the task program's walk, or again where its map is full). */
struct rec_ns {
	uint32_t kind;
	uint32_t type;
	struct rec_facts f;
};

/* One open nsfs file (the file program). */
struct rec_file {
	uint32_t kind;
	uint32_t tgid, fd, type;
	uint64_t ino; /* inode.i_ino, read at its width */
	struct rec_facts f;
};

/* The walk of a run (a task, or a file) takes up to PENDING owner chains; a chain is at most 33
 * long (32 levels below the initial user namespace), and each one takes one more call of its
 * callback to start. One run writes at most its record and a rec_ns per step: RUN_MAX bytes. */
#define PENDING 10
#define WALK_STEPS ((PENDING + 1) * 34)
#define RUN_MAX (sizeof(struct rec_task) + WALK_STEPS * sizeof(struct rec_ns))
_Static_assert(sizeof(struct rec_file) <= sizeof(struct rec_task), "RUN_MAX bounds both programs");
_Static_assert(sizeof(struct rec_task) % 8 == 0 && sizeof(struct rec_ns) % 8 == 0 &&
		       sizeof(struct rec_file) % 8 == 0, "records stay aligned in the stream");

/* Where the members the programs read lie in this kernel's structs; -1 for one it lacks. */
struct layout {
	int task_nsproxy, task_cred, task_pid, task_leader, task_comm;
	int nsproxy[LXNS_NTYPES], nsproxy_pid_children, nsproxy_time_children;
	int cred_user_ns;
	int pid_level, pid_numbers, upid_size, upid_nr, upid_ns;
	int ns[LXNS_NTYPES];    /* the struct ns_common in each type's struct */
	int owner[LXNS_NTYPES]; /* its owning struct user_namespace pointer (a user namespace: parent) */
	int common_inum, common_id, common_type, common_ops, ops_type;
	int user_owner, pid_parent, pid_reaper;
	int file_inode, inode_sb, inode_ino, inode_ino_size, inode_private, sb_magic;
	uint32_t iter_task, iter_task_file; /* BTF ids of the iterator targets */
	int ctx_task, ctx_file_task, ctx_file_fd, ctx_file; /* in their contexts */
	bool files;                                         /* the file program can be built */
};

/* The layout of the running kernel, read from its BTF once per process. -ENOENT without BTF,
 * -EOPNOTSUPP when a member the task program needs is missing, -EINVAL, -ENOMEM. */
int lxns__bpf_layout(const struct layout **ret_layout);

#define PROG_MAX 4096

struct prog {
	struct bpf_insn insn[PROG_MAX];
	int n;           /* may exceed PROG_MAX: then the program is too long to load */
	int callback_at; /* where its bpf_loop() callback starts; 0: it has none */
};

/* The programs' own BTF, which the verifier wants for a program with a callback: its two
 * functions (the program, type id LXNS_BTF_MAIN; the callback, LXNS_BTF_CALLBACK), both static.
 * The blob, its size in *ret_size. */
#define LXNS_BTF_MAIN 5
#define LXNS_BTF_CALLBACK 7
const void *lxns__bpf_prog_btf(size_t *ret_size);

/* The walk writes each user namespace once, keeping those written in a hash map: its key is
 * this, the value the key's first 8 bytes. 2,048 entries keep the map's buckets (16 bytes each)
 * within what the kernel allocates with kmalloc: 4,096 were vmalloc'ed, which cost each scan
 * 0.2-0.5 ms more. A full map only means more records (see walk_callback()); a test
 * (more_hidden_user_namespaces_than_the_walk_map_holds) goes past this many: raise both. */
struct walk_key {
	uint64_t addr; /* its struct ns_common */
	uint32_t ino, pad;
	uint64_t id;
};
#define WALK_MAP_ENTRIES 2048
#define WALK_MAP_VALUE 8

/* Build the task program into @p. @map_fd is that map. */
void lxns__bpf_task_prog(struct prog *p, const struct layout *l, int map_fd);

/* Build the file program into @p: no walk, no callback (p->callback_at is 0). */
void lxns__bpf_file_prog(struct prog *p, const struct layout *l);

#endif
