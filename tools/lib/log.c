// SPDX-License-Identifier: GPL-2.0-only
/* The library's log callback, and libdaxctl's messages routed through it. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <daxctl/libdaxctl.h>

#include "libkmem_hp.h"

/* Set once, before any other library call. */
static kh_log_fn log_fn;

void kh_set_log_fn(kh_log_fn fn)
{
	log_fn = fn;
}

void kh_log(enum kh_log_prio prio, const char *dev, const char *fmt, ...)
{
	va_list ap;

	if (!log_fn)
		return;
	va_start(ap, fmt);
	log_fn(prio, dev, fmt, ap);
	va_end(ap);
}

/* Another library's message @format, as one -v line from @who. */
void kh_dbg_line(const char *who, const char *format, va_list args)
{
	char msg[256];

	vsnprintf(msg, sizeof(msg), format, args);
	msg[strcspn(msg, "\n")] = '\0';
	kh_dbg(who, "%s", msg);
}

/*
 * libdaxctl's messages ("<dev>: failed to enable") are the cause behind an
 * error the caller reports in its own words: debug level, one line each.
 */
static void daxctl_log(struct daxctl_ctx *ctx, int priority, const char *file,
		       int line, const char *fn, const char *format, va_list args)
{
	(void)ctx;
	(void)priority;
	(void)file;
	(void)line;
	(void)fn;
	kh_dbg_line("libdaxctl", format, args);
}

void kh_route_daxctl_log(struct daxctl_ctx *ctx)
{
	daxctl_set_log_fn(ctx, daxctl_log);
}
