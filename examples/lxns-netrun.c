/* Run a function inside another process's network namespace, without the caller ever leaving
 * its own: list the network interfaces that process sees.
 * Usage: lxns-netrun PID */
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <lxns.h>

/* Runs in a child inside the target's network namespace; returns names, one per line. */
static int list_interfaces(void *arg, void *buf, size_t size, size_t *ret_len)
{
	struct if_nameindex *ifs = if_nameindex();
	size_t len = 0;

	(void)arg;
	if (!ifs)
		return 1;
	for (struct if_nameindex *i = ifs; i->if_index && len < size; i++)
		len += (size_t)snprintf((char *)buf + len, size - len, "%u %s\n", i->if_index, i->if_name);
	if_freenameindex(ifs);
	*ret_len = len < size ? len : size;
	return 0;
}

int main(int argc, char **argv)
{
	char out[4096];
	size_t len = sizeof(out);
	int status, r;

	if (argc != 2 || atoi(argv[1]) <= 0) {
		fprintf(stderr, "usage: %s PID\n", argv[0]);
		return 2;
	}
	LXNS_OPTS(lxns_target, target, .pid = atoi(argv[1]), .types = LXNS_NET);
	r = lxns_run(&target, list_interfaces, NULL, out, &len, &status);
	if (r < 0) {
		fprintf(stderr, "%s: cannot enter the network namespace of %s: %s\n", argv[0], argv[1],
			strerror(-r));
		return 1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "%s: listing interfaces failed\n", argv[0]);
		return 1;
	}
	fwrite(out, 1, len, stdout);
	return 0;
}
