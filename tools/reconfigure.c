// SPDX-License-Identifier: GPL-2.0-only
/*
 * daxctl reconfigure-device, where kmem_hp is involved.
 *
 * -m kmem_hp: move each device to kmem_hp and set its state
 * (online_movable; online_kernel with --no-movable, a kernel zone as
 * daxctl means it; offline with --no-online).
 *
 * -m devdax / -m system-ram on a device bound to kmem_hp: the stock tool
 * sees kmem_hp as devdax and either does nothing or unbinds the device
 * with its memory online. Here the device is unplugged through kmem_hp
 * (all or nothing) and released, and then the real daxctl runs with the
 * unchanged command line: for it the device is an unbound devdax device,
 * which it configures exactly as it would any other (loading the target
 * driver, kmem's auto-online policy checks, onlining, JSON output). A
 * device the real daxctl leaves unbound is put back on kmem_hp in its
 * previous state.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <daxctl/libdaxctl.h>

#include "kmem_hp_daxctl.h"

const char *target_state(const struct opts *o)
{
	if (o->state)
		return o->state;
	if (o->no_online)
		return "offline";
	/* As daxctl's --no-movable: a kernel zone, not the kernel's choice. */
	if (o->no_movable)
		return "online_kernel";
	return "online_movable";
}

/* Put @dev back on driver @drv after a failed move; says so on failure. */
static void restore_driver(const char *dev, const char *drv)
{
	int rc = dax_bind(dev, drv);

	if (rc)
		dev_err(dev, "cannot rebind to %s: %s; the device is unbound", drv,
			strerror(-rc));
}

/* Move @dev onto kmem_hp in the state @o asks for. */
int to_kmem_hp(struct daxctl_dev *dev, const struct opts *o)
{
	const char *name = daxctl_dev_get_devname(dev);
	const char *target = target_state(o);
	char drv[DRV_LEN], now[STATE_LEN];
	struct memblocks mb;
	bool bound;
	int rc;

	rc = dax_driver(name, drv, sizeof(drv));
	if (rc && rc != -ENODEV) {
		dev_err(name, "cannot read its driver: %s", strerror(-rc));
		return rc;
	}
	bound = !rc;
	if (bound && !strcmp(drv, KMEM_HP_DRV))
		goto set_state;

	/* Like daxctl: online system-ram memory is only taken with -f. */
	if (bound && !strcmp(drv, KMEM_DRV) && !dev_memblocks(dev, &mb) &&
	    mb.online && !o->force) {
		dev_err(name, "memory is online, use -f to force");
		return -EBUSY;
	}

	rc = load_module(KMEM_HP_DRV);
	if (rc) {
		dev_err(name, "cannot load kmem_hp: %s", load_error(rc));
		return rc == LOAD_BLACKLISTED ? -EPERM : rc;
	}
	if (!sysfs_exists(DAX_DRIVERS "/" KMEM_HP_DRV)) {
		dev_err(name, "kmem_hp is loaded but not registered on the dax bus");
		return -ENODEV;
	}

	if (bound && !strcmp(drv, KMEM_DRV) && !dev_memblocks(dev, &mb) && mb.online) {
		verbose(name, "offlining %d memory block%s", mb.online,
			mb.online == 1 ? "" : "s");
		rc = memblocks_offline_all(dev);
		if (rc) {
			dev_err(name, "failed to offline memory: %s", strerror(-rc));
			return rc;
		}
	}

	if (bound) {
		verbose(name, "unbinding from %s", drv);
		rc = dax_release(name, drv);
		if (rc) {
			dev_err(name, "cannot unbind from %s: %s", drv, strerror(-rc));
			if (!dax_driver(name, now, sizeof(now)))
				return rc;
			restore_driver(name, drv);
			return rc;
		}
	}

	verbose(name, "binding to kmem_hp");
	rc = bind_kmem_hp(name, target);
	if (rc) {
		if (bound) {
			int err = dax_bind(name, drv);

			if (err)
				dev_err(name, "kmem_hp: bind failed: %s; rebinding to %s failed too: %s, the device is unbound",
					strerror(-rc), drv, strerror(-err));
			else
				dev_err(name, "kmem_hp: bind failed: %s; back on %s",
					strerror(-rc), drv);
		} else {
			dev_err(name, "kmem_hp: bind failed: %s", strerror(-rc));
		}
		return rc;
	}

set_state:
	verbose(name, "kmem_hp: %s", target);
	rc = kmem_hp_set_state(name, target);
	if (rc) {
		if (kmem_hp_get_state(name, now, sizeof(now)))
			snprintf(now, sizeof(now), "unknown");
		dev_err(name, "kmem_hp: %s failed: %s (state: %s)", target,
			strerror(-rc), now);
		return rc;
	}
	return 0;
}

/*
 * The devices @o names, in *@devs (free() it); every name must match one.
 * Returns their count, or 0 after saying what is wrong.
 */
static int select_named_devs(const struct opts *o, struct daxctl_ctx *ctx,
			     struct daxctl_dev ***devs)
{
	const char *unmatched;
	int n;

	n = select_devs(ctx, o, devs, &unmatched);
	if (n < 0) {
		dev_err("reconfigure-device", "%s", strerror(-n));
		return 0;
	}
	if (unmatched || !n) {
		dev_err(unmatched ? unmatched : o->devs[0], "no such dax device");
		free(*devs);
		return 0;
	}
	return n;
}

static int reconfigure_to_kmem_hp(const struct opts *o, struct daxctl_ctx *ctx)
{
	struct json_object *jdevs;
	struct daxctl_dev **devs;
	int n, i, ok = 0, failed = 0;

	n = select_named_devs(o, ctx, &devs);
	if (n <= 0)
		return 1;

	jdevs = json_object_new_array();
	for (i = 0; i < n; i++) {
		const char *name = daxctl_dev_get_devname(devs[i]);

		if (interrupted()) {
			dev_err(name, "not reconfigured: interrupted");
			failed++;
			break;
		}
		if (to_kmem_hp(devs[i], o)) {
			failed++;
			continue;
		}
		if (o->save) {
			int rc = save_config(name, target_state(o));

			if (rc) {
				dev_err(name, "reconfigured, but cannot save it in %s: %s",
					KMEM_HP_DEVICES_CONF, strerror(-rc));
				failed++;
				continue;
			}
			verbose(name, "saved in %s", KMEM_HP_DEVICES_CONF);
		}
		ok++;
		json_object_array_add(jdevs, kmem_hp_dev_to_json(devs[i], o->human));
	}
	if (ok)
		print_json_devs(jdevs, o->human);
	else
		json_object_put(jdevs);
	if (!failed)
		fprintf(stderr, "reconfigured %d device%s\n", ok, ok == 1 ? "" : "s");
	free(devs);
	return failed ? 1 : 0;
}

/* A kmem_hp device released for the real daxctl, and its state before. */
struct released {
	const char *name;
	char state[STATE_LEN];
};

/* Would daxctl refuse -m system-ram on @dev because of the online policy? */
static bool policy_refuses(struct daxctl_dev *dev, const struct opts *o)
{
	return (o->no_online || !o->no_movable) && !o->force &&
	       daxctl_dev_will_auto_online_memory(dev) > 0;
}

/*
 * -m devdax or -m system-ram where the @nk devices @k of those selected are
 * bound to kmem_hp: release them, run the real daxctl, return what it left
 * unbound to kmem_hp. Returns the exit status.
 */
static int reconfigure_from_kmem_hp(char **argv, const struct opts *o,
				    struct daxctl_dev **k, int nk)
{
	bool ram = !strcmp(o->mode, "system-ram");
	struct released *rel;
	struct memblocks mb;
	int i, nr = 0, rc, status, failed = 0;

	if (nk <= 0)
		return 0;
	/* Refuse before touching anything. */
	for (i = 0; i < nk; i++) {
		const char *name = daxctl_dev_get_devname(k[i]);

		if (!o->force && !dev_memblocks(k[i], &mb) && mb.online) {
			dev_err(name, "memory is online, use -f to force");
			return 1;
		}
		if (ram && policy_refuses(k[i], o)) {
			dev_err(name, "kernel policy will auto-online memory, aborting (use -f or --no-movable)");
			return 1;
		}
	}

	rel = calloc(nk, sizeof(*rel));
	if (!rel)
		return 1;
	for (i = 0; i < nk; i++) {
		struct released *r = &rel[nr];

		r->name = daxctl_dev_get_devname(k[i]);
		if (interrupted()) {
			dev_err(r->name, "not reconfigured: interrupted");
			failed = 1;
			break;
		}
		rc = kmem_hp_get_state(r->name, r->state, sizeof(r->state));
		if (rc) {
			dev_err(r->name, "cannot read kmem_hp state: %s", strerror(-rc));
			failed = 1;
			break;
		}
		verbose(r->name, "kmem_hp: unplug");
		rc = kmem_hp_set_state(r->name, "unplug");
		if (rc) {
			dev_err(r->name, "kmem_hp: unplug failed: %s (state: %s)",
				strerror(-rc), r->state);
			failed = 1;
			break;
		}
		verbose(r->name, "unbinding from kmem_hp");
		rc = dax_release(r->name, KMEM_HP_DRV);
		if (rc) {
			dev_err(r->name, "cannot unbind from kmem_hp: %s", strerror(-rc));
			if (dax_on_driver(r->name, KMEM_HP_DRV))
				kmem_hp_set_state(r->name, r->state);
			else
				nr++;	/* unbound after all: return it below */
			failed = 1;
			break;
		}
		nr++;
	}

	status = 0;
	if (!failed)
		status = run_real_daxctl(argv, NULL, NULL, false);
	if (status < 0) {
		dev_err(rel[0].name, "cannot run the real daxctl: %s", strerror(-status));
		status = 1;
	}

	/* Nothing may stay unbound from every driver. */
	for (i = 0; i < nr; i++) {
		char drv[DRV_LEN];

		if (dax_driver(rel[i].name, drv, sizeof(drv)) != -ENODEV)
			continue;
		rc = bind_kmem_hp(rel[i].name, rel[i].state);
		if (rc)
			dev_err(rel[i].name, "%s failed, and returning it to kmem_hp failed too: %s",
				o->mode, strerror(-rc));
		else if (!failed)
			dev_err(rel[i].name, "%s failed; back on kmem_hp (%s)", o->mode,
				rel[i].state);
		failed = 1;
	}
	free(rel);
	if (status)
		return status;
	return failed;
}

/* --apply-config: each device as devices.conf says (persist.c). */
static int reconfigure_from_config(const struct opts *o, struct daxctl_ctx *ctx)
{
	struct daxctl_dev **devs;
	int n, i, failed = 0;

	n = select_named_devs(o, ctx, &devs);
	if (n <= 0)
		return 1;
	for (i = 0; i < n && !interrupted(); i++)
		failed |= apply_config(devs[i], o);
	free(devs);
	return failed || i < n;
}

int cmd_reconfigure(char **argv, const struct opts *o, struct daxctl_ctx *ctx)
{
	struct daxctl_dev **devs, **k;
	const char *unmatched;
	int n, nk = 0, i, rc;

	if (o->apply_config)
		return reconfigure_from_config(o, ctx);
	if (o->stock_only || !o->mode)
		exec_real_daxctl(argv);
	if (!strcmp(o->mode, KMEM_HP_DRV))
		return reconfigure_to_kmem_hp(o, ctx);
	/* Anything the real daxctl rejects, it may as well reject itself. */
	if ((strcmp(o->mode, "devdax") && strcmp(o->mode, "system-ram")) ||
	    o->nr_devs != 1 || (!strcmp(o->mode, "devdax") && o->no_online))
		exec_real_daxctl(argv);

	n = select_devs(ctx, o, &devs, &unmatched);
	if (n <= 0)
		exec_real_daxctl(argv);
	k = devs;
	for (i = 0; i < n; i++)
		if (dax_on_driver(daxctl_dev_get_devname(devs[i]), KMEM_HP_DRV))
			k[nk++] = devs[i];
	if (!nk)
		exec_real_daxctl(argv);
	rc = reconfigure_from_kmem_hp(argv, o, k, nk);
	free(devs);
	return rc;
}
