// SPDX-License-Identifier: GPL-2.0-only
/*
 * daxctl destroy-device on devices bound to kmem_hp.
 *
 * The stock tool, with -f, unbinds the device whatever its memory's state
 * and then frees its capacity. Here, as daxctl, an enabled device is
 * refused without -f; with -f its memory is unplugged through kmem_hp
 * first, all or nothing (a failure leaves the device as it was), then it
 * is unbound from kmem_hp and the real daxctl destroys it. If the real
 * daxctl fails while the device still has its capacity, the device goes
 * back to kmem_hp in the state it had.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <daxctl/libdaxctl.h>

#include "../builtin.h"
#include "../util/util.h"

/* Does @name still exist with a size other than 0? */
static bool has_capacity(const char *name)
{
	char path[PATH_MAX], size[32];

	snprintf(path, sizeof(path), DAX_DEVICES "/%s/size", name);
	return !sysfs_read(path, size, sizeof(size)) && strtoull(size, NULL, 0);
}

static int kmem_hp_destroy(struct daxctl_dev *dev, const struct opts *o,
			   char **argv)
{
	const char *name = daxctl_dev_get_devname(dev);
	char state[STATE_LEN], drv[DRV_LEN];
	sigset_t old;
	int rc, err;

	if (!o->force) {
		/* daxctl's words and errno. */
		fprintf(stderr, "%s is active, specify --force for deletion\n", name);
		return -ENXIO;
	}
	rc = kmem_hp_get_state(name, state, sizeof(state));
	if (rc) {
		kh_err(name, "cannot read kmem_hp state: %s", strerror(-rc));
		return rc;
	}
	rc = kmem_hp_change(name, "unplug");
	if (rc)
		return rc;
	block_signals(&old);
	kh_dbg(name, "unbinding from kmem_hp");
	rc = dax_release(dev, KMEM_HP_DRV);
	if (rc) {
		kh_err(name, "cannot unbind from kmem_hp: %s", strerror(-rc));
		if (dax_on_driver(name, KMEM_HP_DRV))
			kmem_hp_set_state(name, state);
		goto out;
	}
	rc = real_one(argv, o, name);
	if (!rc || dax_driver(name, drv, sizeof(drv)) != -ENODEV || !has_capacity(name))
		goto out;
	err = kmem_hp_bind(name, state);
	if (err)
		kh_err(name, "destroy failed, and returning it to kmem_hp failed too: %s",
		       strerror(-err));
	else
		kh_err(name, "destroy failed; back on kmem_hp (%s)", state);
out:
	restore_signals(&old);
	return rc;
}

static const struct xaction destroy = {
	.done = "destroyed",
	.error = "error destroying devices",
	.kmem_hp = kmem_hp_destroy,
};

int cmd_destroy_device(int argc, char **argv, struct daxctl_ctx *ctx)
{
	return cmd_xaction(argc, argv, ctx, &destroy);
}
