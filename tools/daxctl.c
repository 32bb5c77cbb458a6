// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmem_hp's daxctl front end: entry point and command table.
 *
 * Installed ahead of the distribution's daxctl in root's PATH. A command
 * of the table decides whether kmem_hp is involved; every other
 * invocation, and every one where kmem_hp is not involved, executes the
 * real daxctl with the same argv, so it behaves exactly as if called
 * directly.
 *
 * Layers, as in ndctl's daxctl: this table, the commands (daxctl/, one
 * file each, builtin.h), what they share (util/, util.h) and a library
 * that returns -errno and logs through a callback (lib/, libkmem_hp.h).
 */
#include <string.h>

#include <daxctl/libdaxctl.h>

#include "builtin.h"
#include "util/util.h"

static const struct cmd_struct commands[] = {
	{ "list", cmd_list },
	{ "reconfigure-device", cmd_reconfig_device },
	{ "online-memory", cmd_online_memory },
	{ "offline-memory", cmd_offline_memory },
	{ "disable-device", cmd_disable_device },
	{ "destroy-device", cmd_destroy_device },
};

int main(int argc, char **argv)
{
	const struct cmd_struct *c = NULL;
	struct daxctl_ctx *ctx;
	size_t i;
	int rc;

	for (i = 0; argc > 1 && i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].cmd))
			c = &commands[i];
	if (!c)
		exec_real_daxctl(argv);

	log_init(false);
	if (daxctl_new(&ctx) < 0)
		exec_real_daxctl(argv);
	kh_route_daxctl_log(ctx);
	rc = c->fn(argc, argv, ctx);
	daxctl_unref(ctx);
	/* As daxctl: a negative errno exits with its low byte. */
	return rc & 0xff;
}
