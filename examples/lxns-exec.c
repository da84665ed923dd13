/* Join all namespaces of a process and run a command there, like nsenter --all.
 * Usage: lxns-exec PID COMMAND [ARG]... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <lxns.h>

int main(int argc, char **argv)
{
	int status, r;

	if (argc < 3 || atoi(argv[1]) <= 0) {
		fprintf(stderr, "usage: %s PID COMMAND [ARG]...\n", argv[0]);
		return 2;
	}
	LXNS_OPTS(lxns_target, target, .pid = atoi(argv[1]));
	r = lxns_run_exec(&target, argv + 2, &status);
	if (r < 0) {
		fprintf(stderr, "%s: cannot enter the namespaces of %s: %s\n", argv[0], argv[1], strerror(-r));
		return 1;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
