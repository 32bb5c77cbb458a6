// SPDX-License-Identifier: GPL-2.0-only
/* Loading driver modules through libkmod, honouring modprobe.d blacklists. */
#include <errno.h>
#include <libkmod.h>
#include <stdio.h>
#include <string.h>

#include "kmem_hp_daxctl.h"

/*
 * Load module @name (and its dependencies) unless it is loaded or built
 * in. Returns 0, -EPERM if a blacklist entry keeps it from loading, or the
 * negative errno of the failure.
 */
int load_module(const char *name)
{
	struct kmod_module *mod;
	struct kmod_ctx *ctx;
	int rc;

	ctx = kmod_new(NULL, NULL);
	if (!ctx)
		return -ENOMEM;
	rc = kmod_module_new_from_name(ctx, name, &mod);
	if (rc < 0)
		goto out_ctx;
	rc = kmod_module_probe_insert_module(mod, KMOD_PROBE_APPLY_BLACKLIST,
					     NULL, NULL, NULL, NULL);
	if (rc == KMOD_PROBE_APPLY_BLACKLIST)
		rc = -EPERM;
	else if (rc > 0)
		rc = -EINVAL;
	kmod_module_unref(mod);
out_ctx:
	kmod_unref(ctx);
	return rc;
}
