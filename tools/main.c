// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmem_hp's daxctl front end: entry point.
 *
 * Installed ahead of the distribution's daxctl in root's PATH. Decides per
 * invocation whether kmem_hp is involved; if not, the real daxctl is
 * executed with the same argv, so it behaves exactly as if called
 * directly.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <daxctl/libdaxctl.h>

#include "kmem_hp_daxctl.h"

bool verbose_on;

/* Set by the handler of SIGINT/SIGTERM/SIGHUP; see catch_signals(). */
static atomic_int got_signal;

/* The one line a failure prints: "daxctl: <dev>: <cause>". */
void dev_err(const char *dev, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "daxctl: %s: ", dev);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Progress for -v, in daxctl's "<dev>: <message>" style. */
void verbose(const char *dev, const char *fmt, ...)
{
	va_list ap;

	if (!verbose_on)
		return;
	fprintf(stderr, "%s: ", dev);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool interrupted(void)
{
	return atomic_load(&got_signal) != 0;
}

static void note_signal(int sig)
{
	atomic_store(&got_signal, sig);
}

/*
 * A signal must not kill the front end between unbinding a device from
 * one driver and binding it to the next. The handler only notes the
 * signal (no SA_RESTART): a kmem_hp state write in progress fails with
 * EINTR and the driver rolls it back, the command reports that and stops,
 * and every device is left bound. SIGPIPE (stdout closed by a pager or
 * head) is ignored: the write fails with EPIPE instead.
 */
static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = note_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int main(int argc, char **argv)
{
	struct daxctl_ctx *ctx;
	struct opts o;
	int rc;

	if (argc < 2)
		exec_real_daxctl(argv);

	switch (parse_command(argv[1])) {
	case CMD_OTHER:
		exec_real_daxctl(argv);
	case CMD_LIST:
		/* Nothing to patch: the real daxctl's output as it is. */
		if (!kmem_hp_has_devices())
			exec_real_daxctl(argv);
		rc = daxctl_new(&ctx);
		if (rc < 0)
			exec_real_daxctl(argv);
		rc = cmd_list(argc, argv, ctx);
		daxctl_unref(ctx);
		return rc;
	default:
		break;
	}

	rc = parse_opts(argc, argv, &o);
	if (rc < 0) {
		/* Only -m kmem_hp and our options are ours to reject; daxctl knows the rest. */
		if (o.cmd == CMD_RECONFIGURE &&
		    ((o.mode && !strcmp(o.mode, KMEM_HP_DRV)) || o.save ||
		     o.apply_config)) {
			fprintf(stderr, "daxctl: %s: %s\n", argv[1], o.error);
			return EXIT_USAGE;
		}
		exec_real_daxctl(argv);
	}
	verbose_on = o.verbose;

	rc = daxctl_new(&ctx);
	if (rc < 0) {
		dev_err("libdaxctl", "cannot initialise: %s", strerror(-rc));
		return 1;
	}
	catch_signals();

	if (o.cmd == CMD_RECONFIGURE)
		rc = cmd_reconfigure(argv, &o, ctx);
	else
		rc = cmd_memory(argv, &o, ctx);
	daxctl_unref(ctx);
	free(o.devs);
	return rc;
}
