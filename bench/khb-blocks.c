// SPDX-License-Identifier: GPL-2.0-only
/*
 * khb-blocks [-o ORDER] STATE FIRST COUNT: the kernel's per-block floor.
 *
 * Writes STATE (offline, online, online_kernel, online_movable) to
 * /sys/devices/system/memory/memoryN/state for the COUNT blocks FIRST ...
 * FIRST+COUNT-1, one open, write(2) and close per block, in ORDER:
 *
 *   asc    ascending: the zone never has a hole, so the kernel's
 *          set_zone_contiguous() rescan after each block grows with the
 *          number of blocks already done
 *   hp     kmem_hp's order: onlining takes the first block, then the
 *          others from the last down; offlining is the reverse (the
 *          second block up to the last, the first block last)
 *   top    as hp when onlining; offlining takes the second block, then
 *          the others from the last down, the first block last
 *
 * Prints "OK <total ns> <first ns> <last ns>", first and last being the
 * mean time of a block in the first and in the last quarter of the walk
 * (equal when each step costs the same, growing when it does not). On the
 * first failing block it stops and prints "<errno name> <total ns>
 * memory<N>". Times are CLOCK_MONOTONIC. Exit status 0 only for OK.
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

#define MEMDIR "/sys/devices/system/memory"

/* Index (0 ... n-1) of the block handled at step @pos. */
static unsigned long block_at(const char *order, int offline,
			      unsigned long n, unsigned long pos)
{
	if (!strcmp(order, "asc") || n < 2)
		return pos;
	if (!offline)
		return pos ? n - pos : 0;
	if (!strcmp(order, "hp"))
		return pos == n - 1 ? 0 : pos + 1;
	/* top */
	if (!pos)
		return 1;
	return pos == n - 1 ? 0 : n - pos;
}

/* One write of @state to memory@id/state; 0 or an errno. */
static int write_state(unsigned long id, const char *state)
{
	char path[128];
	size_t len = strlen(state);
	ssize_t n;
	int fd, err = 0;

	snprintf(path, sizeof(path), MEMDIR "/memory%lu/state", id);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	n = write(fd, state, len);
	if (n < 0)
		err = errno;
	else if ((size_t)n != len)
		err = EIO;
	if (close(fd) < 0 && !err)
		err = errno;
	return err;
}

static double mean(const long long *v, unsigned long n)
{
	long long sum = 0;
	unsigned long i;

	for (i = 0; i < n; i++)
		sum += v[i];
	return n ? (double)sum / n : 0;
}

int main(int argc, char **argv)
{
	const char *order = "asc", *state;
	unsigned long first, n, pos, q;
	long long t0, t, *step;
	int offline, err, argi = 1;

	if (argc == 6 && !strcmp(argv[1], "-o")) {
		order = argv[2];
		argi = 3;
	}
	if (argc - argi != 3 || (strcmp(order, "asc") && strcmp(order, "hp") &&
				 strcmp(order, "top"))) {
		fprintf(stderr, "usage: khb-blocks [-o asc|hp|top] STATE FIRST COUNT\n");
		return 2;
	}
	state = argv[argi];
	first = strtoul(argv[argi + 1], NULL, 0);
	n = strtoul(argv[argi + 2], NULL, 0);
	offline = !strcmp(state, "offline");
	step = calloc(n ? n : 1, sizeof(*step));
	if (!step) {
		perror("calloc");
		return 2;
	}
	t0 = now_ns();
	for (pos = 0; pos < n; pos++) {
		unsigned long id = first + block_at(order, offline, n, pos);

		t = now_ns();
		err = write_state(id, state);
		step[pos] = now_ns() - t;
		if (err) {
			printf("%s %lld memory%lu\n", err_name(err), now_ns() - t0, id);
			return 1;
		}
	}
	t = now_ns() - t0;
	q = n / 4 ? n / 4 : 1;
	printf("OK %lld %.0f %.0f\n", t, mean(step, n < q ? n : q),
	       n < q ? mean(step, n) : mean(step + n - q, q));
	free(step);
	return 0;
}
