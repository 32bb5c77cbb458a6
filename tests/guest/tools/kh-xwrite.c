// SPDX-License-Identifier: GPL-2.0-only
/*
 * kh-xwrite [-e] [-t] [-a MS] [-k MS] FILE VALUE: kh-write with options.
 *
 * One write(2) of VALUE to FILE, outcome on stdout as one word: "OK" when
 * the whole value was accepted, "PARTIAL <n>/<len>" for a short write, or
 * the errno name (EINVAL, EBUSY, EINTR, ...). Exit status 0 only for "OK".
 *
 *  -e     VALUE holds backslash escapes: \n \t \r \\ \0 and \xHH, so that
 *         NUL and control bytes can be written (argv cannot carry a NUL).
 *  -t     append the wall time the write took, in ms: "OK 812".
 *  -a MS  arm a one-shot SIGALRM MS ms after the write starts, with a
 *         handler installed without SA_RESTART: a kernel that sees the
 *         signal pending can fail the write with EINTR, and the process
 *         survives to report it. Prints " alarm" after the result when
 *         the signal was delivered.
 *  -k MS  arm a one-shot POSIX timer that sends SIGKILL to the process MS
 *         ms after the write starts: the writer dies in the middle of
 *         the write (or right after it, if it was quicker), reporting
 *         nothing; the caller waits for it and looks at what it left.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int alarmed;	/* set by the handler, read with __atomic */

static void on_alarm(int sig)
{
	(void)sig;
	__atomic_store_n(&alarmed, 1, __ATOMIC_SEQ_CST);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode escapes of @s into @out (at most strlen(@s) bytes); returns the length. */
static size_t unescape(const char *s, char *out)
{
	size_t n = 0;
	int hi, lo;

	while (*s) {
		if (*s != '\\' || !s[1]) {
			out[n++] = *s++;
			continue;
		}
		s++;
		switch (*s) {
		case 'n':
			out[n++] = '\n';
			break;
		case 't':
			out[n++] = '\t';
			break;
		case 'r':
			out[n++] = '\r';
			break;
		case '0':
			out[n++] = '\0';
			break;
		case 'x':
			hi = hexval(s[1]);
			lo = hi < 0 ? -1 : hexval(s[2]);
			if (lo < 0) {
				out[n++] = 'x';
				break;
			}
			out[n++] = (char)(hi * 16 + lo);
			s += 2;
			break;
		default:
			out[n++] = *s;
			break;
		}
		s++;
	}
	return n;
}

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static void report(const char *what, int timed, long long t0)
{
	printf("%s", what);
	if (timed)
		printf(" %lld", (now_us() - t0 + 500) / 1000);
	if (__atomic_load_n(&alarmed, __ATOMIC_SEQ_CST))
		printf(" alarm");
	printf("\n");
}

static const char *errname(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "EUNKNOWN";
}

int main(int argc, char **argv)
{
	int opt, esc = 0, timed = 0, fd;
	long alarm_ms = -1, kill_ms = -1;
	struct sigevent sev;
	struct itimerspec its;
	timer_t killer;
	struct sigaction sa;
	struct itimerval it;
	char *buf, partial[64];
	long long t0;
	size_t len;
	ssize_t n;

	while ((opt = getopt(argc, argv, "eta:k:")) != -1) {
		switch (opt) {
		case 'e':
			esc = 1;
			break;
		case 't':
			timed = 1;
			break;
		case 'a':
			alarm_ms = strtol(optarg, NULL, 0);
			break;
		case 'k':
			kill_ms = strtol(optarg, NULL, 0);
			break;
		default:
			goto usage;
		}
	}
	if (argc - optind != 2)
		goto usage;

	len = strlen(argv[optind + 1]);
	buf = malloc(len + 1);
	if (!buf)
		return 2;
	if (esc)
		len = unescape(argv[optind + 1], buf);
	else
		memcpy(buf, argv[optind + 1], len);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	if (kill_ms >= 0) {
		memset(&sev, 0, sizeof(sev));
		sev.sigev_notify = SIGEV_SIGNAL;
		sev.sigev_signo = SIGKILL;
		if (timer_create(CLOCK_MONOTONIC, &sev, &killer)) {
			perror("kh-xwrite: timer_create");
			return 2;
		}
	}

	t0 = now_us();
	fd = open(argv[optind], O_WRONLY);
	if (fd < 0) {
		report(errname(errno), timed, t0);
		return 1;
	}
	if (alarm_ms >= 0) {
		memset(&it, 0, sizeof(it));
		it.it_value.tv_sec = alarm_ms / 1000;
		it.it_value.tv_usec = (alarm_ms % 1000) * 1000 + (alarm_ms ? 0 : 1);
		setitimer(ITIMER_REAL, &it, NULL);
	}
	if (kill_ms >= 0) {
		memset(&its, 0, sizeof(its));
		its.it_value.tv_sec = kill_ms / 1000;
		its.it_value.tv_nsec = (kill_ms % 1000) * 1000000L + (kill_ms ? 0 : 1000);
		timer_settime(killer, 0, &its, NULL);
	}
	n = write(fd, buf, len);
	if (n < 0) {
		report(errname(errno), timed, t0);
		close(fd);
		return 1;
	}
	if (close(fd) < 0) {
		report(errname(errno), timed, t0);
		return 1;
	}
	if ((size_t)n != len) {
		snprintf(partial, sizeof(partial), "PARTIAL %zd/%zu", n, len);
		report(partial, timed, t0);
		return 1;
	}
	report("OK", timed, t0);
	return 0;

usage:
	fprintf(stderr, "usage: kh-xwrite [-e] [-t] [-a MS] [-k MS] FILE VALUE\n");
	return 2;
}
