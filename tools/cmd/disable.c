// SPDX-License-Identifier: GPL-2.0-only
/*
 * daxctl disable-device on devices bound to kmem_hp.
 *
 * The stock tool would unbind a kmem_hp device whatever its memory's
 * state. Here a device whose memory is online is refused (offline it
 * first, or reconfigure-device -m devdax -f); otherwise its memory is
 * unplugged through kmem_hp, all or nothing, and then it is unbound.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <daxctl/libdaxctl.h>

#include "../builtin.h"
#include "../util/util.h"

static int kmem_hp_disable(struct daxctl_dev *dev, const struct opts *o,
			   char **argv)
{
	const char *name = daxctl_dev_get_devname(dev);
	struct memblocks mb;
	int rc;

	(void)o;
	(void)argv;
	if (!dev_memblocks(dev, &mb) && mb.online) {
		kh_err(name, "memory is online: offline-memory first, or reconfigure-device -m devdax -f");
		return -EBUSY;
	}
	rc = kmem_hp_change(name, "unplug");
	if (rc)
		return rc;
	rc = dax_release(dev, KMEM_HP_DRV);
	if (rc)
		kh_err(name, "cannot unbind from kmem_hp: %s", strerror(-rc));
	return rc;
}

static const struct xaction disable = {
	.done = "disabled",
	.error = "error disabling device",
	.kmem_hp = kmem_hp_disable,
};

int cmd_disable_device(int argc, char **argv, struct daxctl_ctx *ctx)
{
	return cmd_xaction(argc, argv, ctx, &disable);
}
