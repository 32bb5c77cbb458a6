// SPDX-License-Identifier: GPL-2.0-only
/*
 * khb-read FILE COUNT: latency of reading a sysfs file, as a tool does it.
 *
 * COUNT times: open FILE, read(2) it once, close it, each iteration timed
 * with CLOCK_MONOTONIC. Prints "OK <median ns> <p90 ns> <min ns> <max ns>
 * <value>" (value: what the last read returned, newline dropped), or the
 * errno name and the iteration that failed. Exit status 0 only for OK.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "khb.h"

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	char buf[256] = "";
	long long t, *lat;
	unsigned long n, i;
	ssize_t len = 0;
	int fd;

	n = argc == 3 ? strtoul(argv[2], NULL, 0) : 0;
	if (!n) {
		fprintf(stderr, "usage: khb-read FILE COUNT\n");
		return 2;
	}
	lat = calloc(n, sizeof(*lat));
	if (!lat) {
		perror("calloc");
		return 2;
	}
	for (i = 0; i < n; i++) {
		t = now_ns();
		fd = open(argv[1], O_RDONLY);
		if (fd < 0) {
			printf("%s %lu\n", err_name(errno), i);
			return 1;
		}
		len = read(fd, buf, sizeof(buf) - 1);
		if (len < 0) {
			printf("%s %lu\n", err_name(errno), i);
			return 1;
		}
		close(fd);
		lat[i] = now_ns() - t;
	}
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	qsort(lat, n, sizeof(*lat), cmp_ll);
	printf("OK %lld %lld %lld %lld %s\n", lat[n / 2], lat[n * 9 / 10],
	       lat[0], lat[n - 1], buf);
	free(lat);
	return 0;
}
