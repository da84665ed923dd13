/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A FUSE file system that never answers, the stand-in for a dead network server: mounted at DIR,
 * it leaves the kernel's first request (INIT) unanswered, so every lookup below DIR waits
 * until the connection goes. Prints "ready" once mounted; unmounts and exits when its standard
 * input reaches its end (or dies, taking the connection with it).
 *
 * Usage: fuse-stall DIR    (as root, in the mount namespace that should have it) */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char opts[128], c;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: fuse-stall DIR\n");
		return 2;
	}
	fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("fuse-stall: /dev/fuse");
		return 1;
	}
	snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=0,group_id=0", fd);
	if (mount("stall", argv[1], "fuse.stall", MS_NOSUID | MS_NODEV, opts) < 0) {
		perror("fuse-stall: mount");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (read(STDIN_FILENO, &c, 1) > 0)
		;
	umount2(argv[1], MNT_DETACH);
	close(fd);
	return 0;
}
