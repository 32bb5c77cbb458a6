// SPDX-License-Identifier: GPL-2.0-only
/*
 * kh-uevent [-t MS] [-R] [-x SUFFIX] [-f STRING]...: print kernel uevents
 * as they arrive.
 *
 * Listens on a NETLINK_KOBJECT_UEVENT socket, multicast group 1 (the
 * kernel's own broadcast, what udev listens to; the test guests have no
 * uevent helper and no udev). Each event whose text contains every -f
 * STRING is printed on one line, its NUL-separated fields joined by
 * spaces:
 *   change@/devices/.../dax0.0 ACTION=change DEVPATH=... KMEM_HP_STATE=online SEQNUM=...
 * The first line, "# ready", is printed once the socket is bound: events
 * after it cannot be missed. Every line is flushed at once.
 *
 * -x SUFFIX: for each event printed, test at once (before printing)
 * whether /sys<DEVPATH><SUFFIX> exists, and append " KH_EXISTS=yes" or
 * " KH_EXISTS=no": whether, e.g., a device attribute existed when its
 * event arrived (-x /hotplug).
 * -R: run as SCHED_FIFO (priority 50), so that on a one-vCPU guest the
 * listener runs as soon as the kernel hands it an event, before the task
 * that sent the event goes on (it is preempted at its next scheduling
 * point).
 *
 * Stops after -t MS ms (default 600000), or on SIGTERM/SIGINT, after
 * printing whatever is already queued on the socket. Exit status 0, or 1
 * if the socket overflowed (events were lost; a "# overflow" line says so).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_FILTERS 16

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static const char *filters[MAX_FILTERS];
static int nr_filters;
static const char *exists_suffix;

/* Print one event (@len bytes, NUL-separated fields) if every filter matches. */
static void show(char *msg, size_t len)
{
	char path[4096];
	const char *exists = NULL;
	struct stat st;
	size_t i;
	int f;

	msg[len] = '\0';	/* recv() left room for it */
	/* The fields are still NUL-separated: find DEVPATH first, test at once. */
	if (exists_suffix) {
		for (i = 0; i < len; i += strlen(msg + i) + 1) {
			if (strncmp(msg + i, "DEVPATH=", 8))
				continue;
			snprintf(path, sizeof(path), "/sys%s%s", msg + i + 8, exists_suffix);
			exists = stat(path, &st) ? "no" : "yes";
			break;
		}
	}
	for (i = 0; i < len; i++)
		if (msg[i] == '\0' || msg[i] == '\n')
			msg[i] = ' ';
	while (len && msg[len - 1] == ' ')
		len--;
	msg[len] = '\0';
	for (f = 0; f < nr_filters; f++)
		if (!strstr(msg, filters[f]))
			return;
	if (exists)
		printf("%s KH_EXISTS=%s\n", msg, exists);
	else
		printf("%s\n", msg);
	fflush(stdout);
}

/* Read everything queued; returns -1 on overflow, else 0. */
static int drain(int fd, char *buf, size_t size)
{
	ssize_t n;

	for (;;) {
		n = recv(fd, buf, size - 1, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				printf("# overflow\n");
				fflush(stdout);
				return -1;
			}
			return 0;
		}
		show(buf, n);
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_nl addr = {
		.nl_family = AF_NETLINK,
		.nl_groups = 1,
	};
	static char buf[64 * 1024];
	long long deadline, timeout = 600000;
	int opt, fd, sfd, rcvbuf = 8 << 20, lost = 0, rt = 0;
	struct sched_param sp = { .sched_priority = 50 };
	struct pollfd pfd[2];
	sigset_t set;

	while ((opt = getopt(argc, argv, "t:f:x:R")) != -1) {
		switch (opt) {
		case 't':
			timeout = strtoll(optarg, NULL, 0);
			break;
		case 'f':
			if (nr_filters == MAX_FILTERS)
				goto usage;
			filters[nr_filters++] = optarg;
			break;
		case 'x':
			exists_suffix = optarg;
			break;
		case 'R':
			rt = 1;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc)
		goto usage;

	if (rt && sched_setscheduler(0, SCHED_FIFO, &sp)) {
		perror("kh-uevent: SCHED_FIFO");
		return 2;
	}

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0) {
		perror("kh-uevent: signalfd");
		return 2;
	}

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	if (fd < 0) {
		perror("kh-uevent: socket");
		return 2;
	}
	/* Memory block events come in bursts; do not lose any. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		perror("kh-uevent: bind");
		return 2;
	}
	printf("# ready\n");
	fflush(stdout);

	deadline = now_ms() + timeout;
	pfd[0].fd = fd;
	pfd[0].events = POLLIN;
	pfd[1].fd = sfd;
	pfd[1].events = POLLIN;
	while (now_ms() < deadline) {
		if (poll(pfd, 2, 100) <= 0)
			continue;
		if ((pfd[0].revents & POLLIN) && drain(fd, buf, sizeof(buf)))
			lost = 1;
		if (pfd[1].revents & POLLIN)
			break;
	}
	if (drain(fd, buf, sizeof(buf)))
		lost = 1;
	return lost;

usage:
	fprintf(stderr, "usage: kh-uevent [-t MS] [-R] [-x SUFFIX] [-f STRING]...\n");
	return 2;
}
