// SPDX-License-Identifier: GPL-2.0-only
/*
 * daxctl online-memory, offline-memory and disable-device on devices
 * bound to kmem_hp.
 *
 * The stock tool refuses memory operations on kmem_hp devices ("devdax
 * mode") and would unbind one with its memory online. Here they become
 * whole-device kmem_hp state changes: online-memory writes online_movable
 * (online_kernel with --no-movable), offline-memory writes offline, and
 * disable-device unplugs the memory and then unbinds; all of it all or
 * nothing. Devices not bound to kmem_hp go to the real daxctl, one call
 * per device; with "all", online-memory and offline-memory leave devices
 * without memory (devdax) alone instead of failing on them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <daxctl/libdaxctl.h>

#include "kmem_hp_daxctl.h"

static int kmem_hp_state_change(const char *name, const char *state)
{
	char now[STATE_LEN];
	int rc;

	verbose(name, "kmem_hp: %s", state);
	rc = kmem_hp_set_state(name, state);
	if (rc) {
		if (kmem_hp_get_state(name, now, sizeof(now)))
			snprintf(now, sizeof(now), "unknown");
		dev_err(name, "kmem_hp: %s failed: %s (state: %s)", state,
			strerror(-rc), now);
	}
	return rc;
}

static int kmem_hp_disable(struct daxctl_dev *dev)
{
	const char *name = daxctl_dev_get_devname(dev);
	struct memblocks mb;
	int rc;

	if (!dev_memblocks(dev, &mb) && mb.online) {
		dev_err(name, "memory is online: offline-memory first, or reconfigure-device -m devdax -f");
		return -EBUSY;
	}
	rc = kmem_hp_state_change(name, "unplug");
	if (rc)
		return rc;
	rc = dax_release(name, KMEM_HP_DRV);
	if (rc)
		dev_err(name, "cannot unbind from kmem_hp: %s", strerror(-rc));
	return rc;
}

static int kmem_hp_command(struct daxctl_dev *dev, const struct opts *o)
{
	const char *name = daxctl_dev_get_devname(dev);

	if (o->cmd == CMD_ONLINE)
		return kmem_hp_state_change(name, o->no_movable ? "online_kernel" : "online_movable");
	if (o->cmd == CMD_OFFLINE)
		return kmem_hp_state_change(name, "offline");
	return kmem_hp_disable(dev);
}

/* The real daxctl, for one device that is not bound to kmem_hp. */
static int real_one(char **argv, const struct opts *o, const char *name)
{
	char *args[8];
	int n = 0, status;

	args[n++] = argv[0];
	args[n++] = argv[1];
	if (o->no_movable)
		args[n++] = "--no-movable";
	if (o->verbose)
		args[n++] = "-v";
	args[n++] = (char *)name;
	args[n] = NULL;
	status = run_real_daxctl(args, NULL, NULL, true);
	if (status < 0)
		dev_err(name, "cannot run the real daxctl: %s", strerror(-status));
	return status;
}

int cmd_memory(char **argv, const struct opts *o, struct daxctl_ctx *ctx)
{
	struct daxctl_dev **devs;
	const char *unmatched, *what;
	int n, i, nk = 0, ok = 0, failed = 0, rc;

	n = select_devs(ctx, o, &devs, &unmatched);
	if (n <= 0 || unmatched || o->nr_devs != 1)
		exec_real_daxctl(argv);
	for (i = 0; i < n; i++)
		nk += dax_on_driver(daxctl_dev_get_devname(devs[i]), KMEM_HP_DRV);
	if (!nk)
		exec_real_daxctl(argv);

	for (i = 0; i < n; i++) {
		const char *name = daxctl_dev_get_devname(devs[i]);

		if (interrupted()) {
			dev_err(name, "not changed: interrupted");
			failed++;
			break;
		}
		if (dax_on_driver(name, KMEM_HP_DRV))
			rc = kmem_hp_command(devs[i], o);
		else if (o->cmd != CMD_DISABLE && !strcmp(o->devs[0], "all") &&
			 !dax_on_driver(name, KMEM_DRV))
			continue;	/* "all": only devices with memory */
		else
			rc = real_one(argv, o, name);
		if (rc)
			failed++;
		else
			ok++;
	}
	free(devs);
	if (failed)
		return 1;
	if (o->cmd == CMD_ONLINE)
		what = "onlined memory for";
	else if (o->cmd == CMD_OFFLINE)
		what = "offlined memory for";
	else
		what = "disabled";
	fprintf(stderr, "%s %d device%s\n", what, ok, ok == 1 ? "" : "s");
	return 0;
}
