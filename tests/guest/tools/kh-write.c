// SPDX-License-Identifier: GPL-2.0-only
/*
 * kh-write FILE VALUE: write VALUE to FILE with one write(2), the way a
 * sysfs user does, and report the outcome on stdout as one word: "OK" when
 * the whole value was accepted, "PARTIAL <n>/<len>" for a short write, or
 * the errno name (ENOSPC, EBUSY, ...). Exit status 0 only for "OK".
 * Shell redirections cannot tell a short write or the exact errno.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *name;
	size_t len;
	ssize_t n;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: kh-write FILE VALUE\n");
		return 2;
	}
	len = strlen(argv[2]);
	fd = open(argv[1], O_WRONLY);
	if (fd < 0) {
		name = strerrorname_np(errno);
		printf("%s\n", name ? name : "EUNKNOWN");
		return 1;
	}
	n = write(fd, argv[2], len);
	if (n < 0) {
		name = strerrorname_np(errno);
		printf("%s\n", name ? name : "EUNKNOWN");
		close(fd);
		return 1;
	}
	if (close(fd) < 0) {
		name = strerrorname_np(errno);
		printf("%s\n", name ? name : "EUNKNOWN");
		return 1;
	}
	if ((size_t)n != len) {
		printf("PARTIAL %zd/%zu\n", n, len);
		return 1;
	}
	printf("OK\n");
	return 0;
}
