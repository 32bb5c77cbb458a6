// SPDX-License-Identifier: GPL-2.0-only
/*
 * khb-run LOG CMD [ARG...]: time a command, e.g. one daxctl invocation.
 *
 * Runs CMD (looked up in PATH) with its standard output and error appended
 * to LOG, waits for it and prints one line: "OK <ns>" when it exited with
 * status 0, else "EXIT<status>" or "SIG<number>" and the time. The time is
 * CLOCK_MONOTONIC from before fork(2) to after waitpid(2) returned, in ns.
 * Exit status 0 only for OK.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "khb.h"

int main(int argc, char **argv)
{
	long long t0, t1;
	int fd, status;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: khb-run LOG CMD [ARG...]\n");
		return 2;
	}
	fd = open(argv[1], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		perror(argv[1]);
		return 2;
	}
	fflush(stdout);
	t0 = now_ns();
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 2;
	}
	if (!pid) {
		dup2(fd, 1);
		dup2(fd, 2);
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("waitpid");
		return 2;
	}
	t1 = now_ns();
	if (WIFEXITED(status) && !WEXITSTATUS(status)) {
		printf("OK %lld\n", t1 - t0);
		return 0;
	}
	if (WIFEXITED(status))
		printf("EXIT%d %lld\n", WEXITSTATUS(status), t1 - t0);
	else
		printf("SIG%d %lld\n", WTERMSIG(status), t1 - t0);
	return 1;
}
