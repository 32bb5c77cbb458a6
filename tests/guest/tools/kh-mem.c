// SPDX-License-Identifier: GPL-2.0-only
/*
 * kh-mem: put memory of a known kind on a device's memory blocks, to make
 * offlining them fail (EBUSY) or hang until a signal (EINTR) for real.
 *
 * kh-mem pin LO_PFN HI_PFN [MAX_MB [NODE]]
 *	Allocate anonymous memory (movable pages; bound to NODE with mbind()
 *	if given, page tables stay wherever the task allocates) until one of
 *	its pages has a PFN in [LO_PFN, HI_PFN) (read from
 *	/proc/self/pagemap), free the rest, and take an extra reference on
 *	that page by vmsplice()ing it into a pipe. Migration of a page with
 *	an unexpected reference fails, and offline_pages() retries it until a
 *	signal, so offlining its block hangs while the pin is held. Prints
 *	"pinned <pfn>" and waits; SIGTERM releases the pin and exits.
 *
 * kh-mem fill PIPE_MB [NODE]
 *	Fill PIPE_MB 1 MiB pipes (pipe buffer pages are unmovable kernel
 *	allocations, GFP_HIGHUSER, taken from the first free pages of the
 *	highest kernel zone), all allocations bound to NODE if given
 *	(set_mempolicy). Prints "filled <MB>" and waits; SIGTERM frees
 *	everything and exits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define PAGE		4096UL
#define CHUNK		(4UL << 20)
#define PIPE_BYTES	(1UL << 20)
#define MPOL_BIND	2

/* Print @line, then sleep until SIGTERM/SIGINT. */
static void announce_and_wait(const char *line)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	printf("%s\n", line);
	fflush(stdout);
	sigwait(&set, &sig);
}

/* @size bytes of touched anonymous memory, its pages on @node if >= 0. */
static void *alloc_anon(size_t size, long node)
{
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long mask;
	size_t off;

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, size, MADV_NOHUGEPAGE);
	if (node >= 0) {
		mask = 1UL << node;
		if (syscall(SYS_mbind, p, size, MPOL_BIND, &mask, 64, 0)) {
			munmap(p, size);
			return NULL;
		}
	}
	for (off = 0; off < size; off += PAGE)
		p[off] = 1;
	return p;
}

static int cmd_pin(int argc, char **argv)
{
	unsigned long lo, hi, max_mb, n, i, nr_chunks;
	char **chunks, line[64];
	long node;
	int pm, pfd[2];
	uint64_t ent, pfn;
	struct iovec iov;
	char *hit = NULL;

	if (argc < 2)
		return -1;
	lo = strtoul(argv[0], NULL, 0);
	hi = strtoul(argv[1], NULL, 0);
	max_mb = argc > 2 ? strtoul(argv[2], NULL, 0) : 4096;
	node = argc > 3 ? strtol(argv[3], NULL, 0) : -1;
	nr_chunks = max_mb * (1UL << 20) / CHUNK;
	chunks = calloc(nr_chunks, sizeof(*chunks));
	pm = open("/proc/self/pagemap", O_RDONLY);
	if (!chunks || pm < 0) {
		perror("kh-mem pin: pagemap");
		return 1;
	}
	for (n = 0; n < nr_chunks && !hit; n++) {
		chunks[n] = alloc_anon(CHUNK, node);
		if (!chunks[n])
			break;
		for (i = 0; i < CHUNK / PAGE; i++) {
			char *page = chunks[n] + i * PAGE;

			if (pread(pm, &ent, sizeof(ent),
				  (uintptr_t)page / PAGE * sizeof(ent)) != sizeof(ent))
				continue;
			pfn = ent & ((1ULL << 55) - 1);
			if (!(ent >> 63) || pfn < lo || pfn >= hi)
				continue;
			hit = page;
			break;
		}
	}
	if (!hit) {
		fprintf(stderr, "kh-mem pin: no page in [%#lx, %#lx) after %lu MiB\n",
			lo, hi, n * CHUNK >> 20);
		return 1;
	}
	for (i = 0; i + 1 < n; i++)
		munmap(chunks[i], CHUNK);
	if (pipe(pfd)) {
		perror("kh-mem pin: pipe");
		return 1;
	}
	iov.iov_base = hit;
	iov.iov_len = PAGE;
	if (vmsplice(pfd[1], &iov, 1, 0) != (ssize_t)PAGE) {
		perror("kh-mem pin: vmsplice");
		return 1;
	}
	snprintf(line, sizeof(line), "pinned %#llx", (unsigned long long)pfn);
	announce_and_wait(line);
	return 0;
}

static int cmd_fill(int argc, char **argv)
{
	unsigned long pipe_mb, i, mask;
	struct rlimit rl;
	char *data, line[64];
	int pfd[2];

	if (argc < 1)
		return -1;
	pipe_mb = strtoul(argv[0], NULL, 0);
	if (argc > 1) {
		mask = 1UL << strtoul(argv[1], NULL, 0);
		if (syscall(SYS_set_mempolicy, MPOL_BIND, &mask, 64)) {
			perror("kh-mem fill: set_mempolicy");
			return 1;
		}
	}
	rl.rlim_cur = 2 * pipe_mb + 64;
	rl.rlim_max = rl.rlim_cur;
	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		perror("kh-mem fill: RLIMIT_NOFILE");
		return 1;
	}
	data = malloc(PIPE_BYTES);
	if (!data)
		return 1;
	memset(data, 0x5a, PIPE_BYTES);
	for (i = 0; i < pipe_mb; i++) {
		size_t done = 0;
		ssize_t n;

		if (pipe2(pfd, O_NONBLOCK) ||
		    fcntl(pfd[1], F_SETPIPE_SZ, PIPE_BYTES) < 0) {
			perror("kh-mem fill: pipe");
			return 1;
		}
		while (done < PIPE_BYTES) {
			n = write(pfd[1], data + done, PIPE_BYTES - done);
			if (n <= 0)
				break;
			done += n;
		}
		if (done < PIPE_BYTES) {
			fprintf(stderr, "kh-mem fill: pipe %lu took %zu bytes\n", i, done);
			return 1;
		}
	}
	snprintf(line, sizeof(line), "filled %lu", pipe_mb);
	announce_and_wait(line);
	return 0;
}

int main(int argc, char **argv)
{
	int rc = -1;

	if (argc >= 2 && !strcmp(argv[1], "pin"))
		rc = cmd_pin(argc - 2, argv + 2);
	else if (argc >= 2 && !strcmp(argv[1], "fill"))
		rc = cmd_fill(argc - 2, argv + 2);
	if (rc < 0) {
		fprintf(stderr,
			"usage: kh-mem pin LO_PFN HI_PFN [MAX_MB [NODE]]\n"
			"       kh-mem fill PIPE_MB [NODE]\n");
		return 2;
	}
	return rc;
}
