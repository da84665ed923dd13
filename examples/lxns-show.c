/* Print every namespace of a process with its ids, owning user namespace and parent.
 * Usage: lxns-show [PID]   (default: this process) */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lxns.h>

/* "user:[4026531837]" for a relation, or why there is none. */
static void related(struct lxns_ns *ns, int (*rel)(const struct lxns_ns *, struct lxns_ns **),
		    char *buf, size_t size)
{
	struct lxns_ns *other;
	struct lxns_ident id;
	int r = rel(ns, &other);

	if (r == -EINVAL) {
		snprintf(buf, size, "-");
		return;
	}
	if (r < 0) {
		snprintf(buf, size, "(%s)", r == -EPERM ? "none visible" : strerror(-r));
		return;
	}
	r = lxns_ns_ident(other, &id);
	if (r < 0)
		snprintf(buf, size, "(%s)", strerror(-r));
	else
		snprintf(buf, size, "%s:[%" PRIu64 "]", lxns_type_name(id.type), id.ino);
	lxns_ns_free(other);
}

int main(int argc, char **argv)
{
	pid_t pid = argc > 1 ? (pid_t)atoi(argv[1]) : getpid();
	size_t n;
	const int *types = lxns_join_order(&n);

	if (argc > 2 || pid <= 0) {
		fprintf(stderr, "usage: %s [PID]\n", argv[0]);
		return 2;
	}
	printf("%-7s %-12s %-8s %-20s %-20s %s\n", "TYPE", "INODE", "ID", "OWNER", "PARENT", "OWNER-UID");
	for (size_t i = 0; i < n; i++) {
		struct lxns_ns *ns;
		struct lxns_ident id;
		char owner[64], parent[64], uid[32] = "-", idstr[24] = "-";
		uid_t u;
		int r = lxns_ns_open_pid(pid, types[i], 0, &ns);

		if (r < 0) {
			fprintf(stderr, "%s: %s namespace of %d: %s\n", argv[0], lxns_type_name(types[i]),
				(int)pid, strerror(-r));
			return 1;
		}
		r = lxns_ns_ident(ns, &id);
		if (r < 0) {
			fprintf(stderr, "%s: %s\n", argv[0], strerror(-r));
			lxns_ns_free(ns);
			return 1;
		}
		if (id.id)
			snprintf(idstr, sizeof(idstr), "%" PRIu64, id.id);
		related(ns, lxns_ns_owner, owner, sizeof(owner));
		related(ns, lxns_ns_parent, parent, sizeof(parent));
		if (lxns_ns_owner_uid(ns, &u) == 0)
			snprintf(uid, sizeof(uid), "%u", (unsigned)u);
		printf("%-7s %-12" PRIu64 " %-8s %-20s %-20s %s\n", lxns_type_name(id.type), id.ino, idstr,
		       owner, parent, uid);
		lxns_ns_free(ns);
	}
	return 0;
}
