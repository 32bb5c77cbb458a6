// SPDX-License-Identifier: GPL-2.0-only
/*
 * How the front end prints: the library's log callback, in daxctl's
 * styles ("daxctl: <dev>: <cause>" for errors and notices, "<dev>:
 * <message>" for -v progress), and the signals it notes instead of dying
 * of them.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

/* -v given; set once by log_init(). */
static bool verbose_on;

/* Set by the handler of SIGINT/SIGTERM/SIGHUP; see catch_signals(). */
static atomic_int got_signal;

static void print_log(enum kh_log_prio prio, const char *dev, const char *fmt,
		      va_list ap)
{
	if (prio == KH_LOG_DEBUG && !verbose_on)
		return;
	fflush(stdout);
	if (prio == KH_LOG_DEBUG)
		fprintf(stderr, "%s: ", dev);
	else
		fprintf(stderr, "daxctl: %s: ", dev);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void log_init(bool verbose)
{
	verbose_on = verbose;
	kh_set_log_fn(print_log);
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
void catch_signals(void)
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

/*
 * Between unbinding a device and binding it to its next driver, block
 * every signal that would kill the front end there (SIGQUIT, SIGUSR1,
 * SIGALRM...; SIGKILL cannot be). The ones catch_signals() notes stay
 * deliverable: they must still interrupt a kmem_hp state write (EINTR,
 * rolled back) in the window.
 */
void block_signals(sigset_t *old)
{
	sigset_t set;

	sigfillset(&set);
	sigdelset(&set, SIGINT);
	sigdelset(&set, SIGTERM);
	sigdelset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, old);
}

void restore_signals(const sigset_t *old)
{
	sigprocmask(SIG_SETMASK, old, NULL);
}

/* What a program the front end executes starts with: the defaults. */
void default_signals(void)
{
	sigset_t none;

	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}
