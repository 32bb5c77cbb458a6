// SPDX-License-Identifier: GPL-2.0-only
/*
 * daxctl online-memory and offline-memory on devices bound to kmem_hp.
 *
 * The stock tool refuses memory operations on kmem_hp devices ("devdax
 * mode"). Here they become whole-device kmem_hp state changes, all or
 * nothing: online-memory writes online_movable (online_kernel with
 * --no-movable, a kernel zone as daxctl means it), offline-memory writes
 * offline. Devices not bound to kmem_hp go to the real daxctl; with
 * "all", devices without memory (devdax) are left alone instead of
 * failing.
 */
#include <stdlib.h>

#include <daxctl/libdaxctl.h>

#include "../builtin.h"
#include "../util/util.h"

static int kmem_hp_online(struct daxctl_dev *dev, const struct opts *o,
			  char **argv)
{
	(void)argv;
	return kmem_hp_change(daxctl_dev_get_devname(dev),
			      o->no_movable ? "online_kernel" : "online_movable");
}

static int kmem_hp_offline(struct daxctl_dev *dev, const struct opts *o,
			   char **argv)
{
	(void)o;
	(void)argv;
	return kmem_hp_change(daxctl_dev_get_devname(dev), "offline");
}

static const struct xaction online = {
	.done = "onlined memory for",
	.error = "error onlining memory",
	.only_memory = true,
	.kmem_hp = kmem_hp_online,
};

static const struct xaction offline = {
	.done = "offlined memory for",
	.error = "error offlining memory",
	.only_memory = true,
	.kmem_hp = kmem_hp_offline,
};

int cmd_online_memory(int argc, char **argv, struct daxctl_ctx *ctx)
{
	return cmd_xaction(argc, argv, ctx, &online);
}

int cmd_offline_memory(int argc, char **argv, struct daxctl_ctx *ctx)
{
	return cmd_xaction(argc, argv, ctx, &offline);
}
