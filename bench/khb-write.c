// SPDX-License-Identifier: GPL-2.0-only
/*
 * khb-write FILE VALUE: time one write of VALUE to a sysfs FILE.
 *
 * Opens FILE, writes VALUE with one write(2) (no newline added), closes it,
 * and prints one line: "OK <ns>" when the whole value was accepted, else
 * the errno name (or "PARTIAL") and the time, e.g. "EBUSY 81234567". The
 * time is CLOCK_MONOTONIC from before open(2) to after close(2), in ns.
 * Exit status 0 only for OK. Used for the hotplug file of a kmem_hp device
 * and for the bind, unbind and new_id files of the dax drivers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "khb.h"

int main(int argc, char **argv)
{
	const char *res = "OK";
	long long t0, t1;
	size_t len;
	ssize_t n;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: khb-write FILE VALUE\n");
		return 2;
	}
	len = strlen(argv[2]);
	t0 = now_ns();
	fd = open(argv[1], O_WRONLY);
	if (fd < 0) {
		res = err_name(errno);
	} else {
		n = write(fd, argv[2], len);
		if (n < 0)
			res = err_name(errno);
		else if ((size_t)n != len)
			res = "PARTIAL";
		if (close(fd) < 0 && !strcmp(res, "OK"))
			res = err_name(errno);
	}
	t1 = now_ns();
	printf("%s %lld\n", res, t1 - t0);
	return strcmp(res, "OK") ? 1 : 0;
}
