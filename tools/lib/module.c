// SPDX-License-Identifier: GPL-2.0-only
/* Loading driver modules through libkmod, honouring modprobe.d blacklists. */
#include <errno.h>
#include <libkmod.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "libkmem_hp.h"

/*
 * libkmod's own messages ("libkmod: ERROR ...") go to -v output only: the
 * caller says what failed, in one line.
 */
static void kmod_log(void *data, int priority, const char *file, int line,
		     const char *fn, const char *format, va_list args)
{
	(void)data;
	(void)priority;
	(void)file;
	(void)line;
	(void)fn;
	kh_dbg_line("libkmod", format, args);
}

/*
 * Load module @name (and its dependencies) unless it is loaded or built
 * in. Returns 0, LOAD_BLACKLISTED if a modprobe.d blacklist entry keeps it
 * from loading, or the negative errno of the failure (the kernel's
 * refusal of an unsigned module under lockdown is -EPERM, of a bad
 * signature -EKEYREJECTED or -ENOKEY).
 */
int load_module(const char *name)
{
	struct kmod_module *mod;
	struct kmod_ctx *ctx;
	int rc;

	ctx = kmod_new(NULL, NULL);
	if (!ctx)
		return -ENOMEM;
	kmod_set_log_fn(ctx, kmod_log, NULL);
	rc = kmod_module_new_from_name(ctx, name, &mod);
	if (rc < 0)
		goto out_ctx;
	rc = kmod_module_probe_insert_module(mod, KMOD_PROBE_APPLY_BLACKLIST,
					     NULL, NULL, NULL, NULL);
	if (rc == KMOD_PROBE_APPLY_BLACKLIST)
		rc = LOAD_BLACKLISTED;
	else if (rc > 0)
		rc = -EINVAL;
	kmod_module_unref(mod);
out_ctx:
	kmod_unref(ctx);
	return rc;
}

/* Why load_module() failed, in words that say what to do. */
const char *load_error(int rc)
{
	switch (rc) {
	case LOAD_BLACKLISTED:
		return "blacklisted in modprobe.d";
	case -EPERM:
	case -EKEYREJECTED:
	case -ENOKEY:
		return "refused by the kernel (module signature: under Secure Boot, sign it with an enrolled key, see the README)";
	case -ENOENT:
		return "not installed for this kernel";
	default:
		return strerror(-rc);
	}
}
