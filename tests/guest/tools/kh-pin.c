// SPDX-License-Identifier: GPL-2.0-only
/*
 * kh-pin MIB: pin about MIB MiB of unmovable kernel memory, so that memory
 * onlined to a kernel zone cannot be offlined any more (offline_pages()
 * then fails with EBUSY), the natural way to provoke a failed offline.
 *
 * Pipe buffers are unmovable kernel pages: fill pipes (enlarged with
 * F_SETPIPE_SZ, which root may do beyond pipe-max-size) and keep them
 * open. Prints "pinned <n> MiB" once done, then sleeps until killed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define PIPE_BYTES	(16 << 20)
#define CHUNK		(1 << 20)

int main(int argc, char **argv)
{
	static char chunk[CHUNK];
	struct rlimit rl = { 65536, 65536 };
	long want, done = 0;
	int fds[2];

	want = argc == 2 ? atol(argv[1]) : 0;
	if (want <= 0) {
		fprintf(stderr, "usage: kh-pin MIB\n");
		return 2;
	}
	setrlimit(RLIMIT_NOFILE, &rl);
	memset(chunk, 0x5a, sizeof(chunk));
	while (done < want) {
		if (pipe2(fds, O_NONBLOCK) < 0) {
			fprintf(stderr, "kh-pin: pipe: %s\n", strerror(errno));
			break;
		}
		fcntl(fds[1], F_SETPIPE_SZ, PIPE_BYTES);
		while (done < want) {
			ssize_t n = write(fds[1], chunk, CHUNK);

			if (n == CHUNK) {
				done++;
				continue;
			}
			if (n < 0 && errno != EAGAIN) {
				fprintf(stderr, "kh-pin: write: %s\n", strerror(errno));
				goto out;
			}
			break;	/* this pipe is full */
		}
	}
out:
	printf("pinned %ld MiB\n", done);
	fflush(stdout);
	for (;;)
		pause();
}
