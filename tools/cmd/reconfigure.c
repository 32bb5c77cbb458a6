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
#include <limits.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <daxctl/libdaxctl.h>

#include "../builtin.h"
#include "../util/util.h"

static const char *target_state(const struct opts *o)
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

/*
 * Unbind @dev from @drv (NULL: it is unbound) and bind it to kmem_hp in
 * state @target; if that fails, put it back on @drv. No signal the front
 * end can block arrives in between. Returns 0 or a negative errno.
 */
static int switch_driver(struct daxctl_dev *dev, const char *drv, const char *target)
{
	const char *name = daxctl_dev_get_devname(dev);
	char now[DRV_LEN];
	sigset_t old;
	int rc, err;

	block_signals(&old);
	if (drv) {
		kh_dbg(name, "unbinding from %s", drv);
		rc = dax_release(dev, drv);
		if (rc) {
			kh_err(name, "cannot unbind from %s: %s", drv, strerror(-rc));
			if (dax_driver(name, now, sizeof(now)) != -ENODEV)
				goto out;
			err = dax_restore(dev, drv);
			if (err)
				kh_err(name, "cannot rebind to %s: %s; the device is unbound",
				       drv, strerror(-err));
			goto out;
		}
	}

	kh_dbg(name, "binding to kmem_hp");
	rc = kmem_hp_bind(name, target);
	if (!rc)
		goto out;
	if (!drv) {
		kh_err(name, "kmem_hp: bind failed: %s", strerror(-rc));
		goto out;
	}
	err = dax_restore(dev, drv);
	if (err)
		kh_err(name, "kmem_hp: bind failed: %s; rebinding to %s failed too: %s, the device is unbound",
		       strerror(-rc), drv, strerror(-err));
	else
		kh_err(name, "kmem_hp: bind failed: %s; back on %s", strerror(-rc), drv);
out:
	restore_signals(&old);
	return rc;
}

/* Move @dev onto kmem_hp in the state @o asks for; 0 or a negative errno. */
static int to_kmem_hp(struct daxctl_dev *dev, const struct opts *o)
{
	const char *name = daxctl_dev_get_devname(dev);
	const char *target = target_state(o);
	char drv[DRV_LEN], now[STATE_LEN];
	struct memblocks mb;
	bool bound;
	int rc;

	rc = dax_driver(name, drv, sizeof(drv));
	if (rc && rc != -ENODEV) {
		kh_err(name, "cannot read its driver: %s", strerror(-rc));
		return rc;
	}
	bound = !rc;
	if (bound && !strcmp(drv, KMEM_HP_DRV))
		goto set_state;

	/* Like daxctl: online system-ram memory is only taken with -f. */
	if (bound && !strcmp(drv, KMEM_DRV) && !dev_memblocks(dev, &mb) &&
	    mb.online && !o->force) {
		kh_err(name, "memory is online, use -f to force");
		return -EBUSY;
	}

	rc = load_module(KMEM_HP_DRV);
	if (rc) {
		kh_err(name, "cannot load kmem_hp: %s", load_error(rc));
		return rc == LOAD_BLACKLISTED ? -EPERM : rc;
	}
	if (!sysfs_exists(DAX_DRIVERS "/" KMEM_HP_DRV)) {
		kh_err(name, "kmem_hp is loaded but not registered on the dax bus");
		return -ENODEV;
	}

	if (bound && !strcmp(drv, KMEM_DRV) && !dev_memblocks(dev, &mb) && mb.online) {
		kh_dbg(name, "offlining %d memory block%s", mb.online,
			mb.online == 1 ? "" : "s");
		rc = memblocks_offline_all(dev);
		if (rc) {
			kh_err(name, "failed to offline memory: %s", strerror(-rc));
			return rc;
		}
	}

	rc = switch_driver(dev, bound ? drv : NULL, target);
	if (rc)
		return rc;

set_state:
	kh_dbg(name, "kmem_hp: %s", target);
	rc = kmem_hp_set_state(name, target);
	if (rc) {
		if (kmem_hp_get_state(name, now, sizeof(now)))
			snprintf(now, sizeof(now), "unknown");
		kh_err(name, "kmem_hp: %s failed: %s (state: %s)", target,
			strerror(-rc), now);
		return rc;
	}
	return 0;
}

#define RECONFIGURED	"reconfigured"
#define RECONFIG_ERROR	"error reconfiguring devices"

/*
 * The devices @o names, in *@devs (free() it); every name must match one.
 * Returns their count, or a negative errno after saying what is wrong
 * (daxctl's -ENXIO when a name matches nothing).
 */
static int select_named_devs(const struct opts *o, struct daxctl_ctx *ctx,
			     struct daxctl_dev ***devs)
{
	const char *unmatched;
	int n;

	n = select_devs(ctx, o, devs, &unmatched);
	if (n < 0) {
		kh_err("reconfigure-device", "%s", strerror(-n));
		return n;
	}
	if (unmatched || !n) {
		kh_err(unmatched ? unmatched : o->devs[0], "no such dax device");
		free(*devs);
		return -ENXIO;
	}
	return n;
}

static int reconfigure_to_kmem_hp(const struct opts *o, struct daxctl_ctx *ctx)
{
	struct json_object *jdevs;
	struct daxctl_dev **devs;
	int n, i, processed = 0, rc, saved_rc = 0;

	n = select_named_devs(o, ctx, &devs);
	if (n < 0) {
		print_summary(RECONFIGURED, RECONFIG_ERROR, n, 0);
		return n;
	}

	jdevs = json_object_new_array();
	for (i = 0; i < n; i++) {
		const char *name = daxctl_dev_get_devname(devs[i]);

		if (interrupted()) {
			kh_err(name, "not reconfigured: interrupted");
			saved_rc = -EINTR;
			break;
		}
		rc = to_kmem_hp(devs[i], o);
		if (!rc && o->save) {
			rc = config_save(name, target_state(o));
			if (rc)
				kh_err(name, "reconfigured, but cannot save it in %s: %s",
				       KMEM_HP_DEVICES_CONF, strerror(-rc));
			else
				kh_dbg(name, "saved in %s", KMEM_HP_DEVICES_CONF);
		}
		if (rc) {
			saved_rc = rc;
			continue;
		}
		processed++;
		json_object_array_add(jdevs, kmem_hp_dev_to_json(devs[i], o->human));
	}
	if (processed)
		print_json_devs(jdevs, o->human);
	else
		json_object_put(jdevs);
	print_summary(RECONFIGURED, RECONFIG_ERROR, saved_rc, processed);
	free(devs);
	return saved_rc;
}

/* A kmem_hp device released for the real daxctl, and its state before. */
struct released {
	struct daxctl_dev *dev;
	const char *name;
	char state[STATE_LEN];
};

/* Would daxctl refuse -m system-ram on @dev because of the online policy? */
static bool policy_refuses(struct daxctl_dev *dev, const struct opts *o)
{
	return (o->no_online || !o->no_movable) && !o->force &&
	       daxctl_dev_will_auto_online_memory(dev) > 0;
}

/* Refused before anything is touched: daxctl's closing lines, -@err. */
static int refuse(int err)
{
	print_summary(RECONFIGURED, RECONFIG_ERROR, -err, 0);
	return -err;
}

/*
 * -m devdax or -m system-ram where the @nk devices @k of those selected are
 * bound to kmem_hp: release them, run the real daxctl, return what it left
 * unbound to kmem_hp. Returns the real daxctl's exit status, or a negative
 * errno if it did not run or a device could not be returned.
 */
static int reconfigure_from_kmem_hp(char **argv, const struct opts *o,
				    struct daxctl_dev **k, int nk)
{
	bool ram = !strcmp(o->mode, "system-ram");
	struct released *rel;
	struct memblocks mb;
	int i, nr = 0, rc, status = 0, saved_rc = 0;
	sigset_t old;

	/* Refuse before touching anything. */
	for (i = 0; i < nk; i++) {
		const char *name = daxctl_dev_get_devname(k[i]);

		if (!o->force && !dev_memblocks(k[i], &mb) && mb.online) {
			kh_err(name, "memory is online, use -f to force");
			return refuse(EBUSY);
		}
		if (ram && policy_refuses(k[i], o)) {
			kh_err(name, "kernel policy will auto-online memory, aborting (use -f or --no-movable)");
			return refuse(EBUSY);
		}
	}

	rel = calloc(nk, sizeof(*rel));
	if (!rel)
		return refuse(ENOMEM);
	block_signals(&old);
	for (i = 0; i < nk; i++) {
		struct released *r = &rel[nr];

		r->dev = k[i];
		r->name = daxctl_dev_get_devname(k[i]);
		if (interrupted()) {
			kh_err(r->name, "not reconfigured: interrupted");
			saved_rc = -EINTR;
			break;
		}
		rc = kmem_hp_get_state(r->name, r->state, sizeof(r->state));
		if (rc) {
			kh_err(r->name, "cannot read kmem_hp state: %s", strerror(-rc));
			saved_rc = rc;
			break;
		}
		kh_dbg(r->name, "kmem_hp: unplug");
		rc = kmem_hp_set_state(r->name, "unplug");
		if (rc) {
			kh_err(r->name, "kmem_hp: unplug failed: %s (state: %s)",
			       strerror(-rc), r->state);
			saved_rc = rc;
			break;
		}
		kh_dbg(r->name, "unbinding from kmem_hp");
		rc = dax_release(r->dev, KMEM_HP_DRV);
		if (rc) {
			kh_err(r->name, "cannot unbind from kmem_hp: %s", strerror(-rc));
			if (dax_on_driver(r->name, KMEM_HP_DRV))
				kmem_hp_set_state(r->name, r->state);
			else
				nr++;	/* unbound after all: return it below */
			saved_rc = rc;
			break;
		}
		nr++;
	}

	if (!saved_rc) {
		status = run_real_daxctl(argv, NULL, NULL, false);
		if (status < 0) {
			kh_err(rel[0].name, "cannot run the real daxctl: %s", strerror(-status));
			saved_rc = status;
		}
	}

	/* Nothing may stay unbound from every driver. */
	for (i = 0; i < nr; i++) {
		char drv[DRV_LEN];

		if (dax_driver(rel[i].name, drv, sizeof(drv)) != -ENODEV)
			continue;
		rc = kmem_hp_bind(rel[i].name, rel[i].state);
		if (rc) {
			kh_err(rel[i].name, "%s failed, and returning it to kmem_hp failed too: %s",
			       o->mode, strerror(-rc));
			saved_rc = rc;
		} else {
			kh_err(rel[i].name, "%s failed; back on kmem_hp (%s)", o->mode,
			       rel[i].state);
		}
		if (!saved_rc && !status)
			saved_rc = -ENXIO;
	}
	restore_signals(&old);
	free(rel);
	if (saved_rc) {
		/* The real daxctl printed its own lines if it ran. */
		if (!status)
			print_summary(RECONFIGURED, RECONFIG_ERROR, saved_rc, 0);
		return saved_rc;
	}
	return status;
}

/*
 * --apply-config: put @dev in the state devices.conf gives it, taking it
 * from whatever driver has it. 0 also when nothing is configured for it
 * (*@moved false).
 */
static int apply_config(struct daxctl_dev *dev, const struct opts *o, bool *moved)
{
	const char *name = daxctl_dev_get_devname(dev);
	char state[STATE_LEN], where[PATH_MAX + 64];
	struct opts ao = *o;
	int rc;

	*moved = false;
	rc = config_state(name, state, where, sizeof(where));
	if (rc < 0) {
		kh_err(name, "cannot read %s: %s", KMEM_HP_DEVICES_CONF, strerror(-rc));
		return rc;
	}
	if (rc) {
		kh_dbg(name, "not in %s", KMEM_HP_DEVICES_CONF);
		return 0;
	}
	kh_info(name, "%s: %s", where, state);
	/* The file says the device is kmem_hp's: take it from kmem too. */
	ao.force = true;
	ao.state = state;
	rc = to_kmem_hp(dev, &ao);
	if (rc)
		return rc;
	kh_info(name, "kmem_hp %s", state);
	*moved = true;
	return 0;
}

static int reconfigure_from_config(const struct opts *o, struct daxctl_ctx *ctx)
{
	struct daxctl_dev **devs;
	int n, i, rc, saved_rc = 0, processed = 0;
	bool moved;

	n = select_named_devs(o, ctx, &devs);
	if (n < 0) {
		print_summary(RECONFIGURED, RECONFIG_ERROR, n, 0);
		return n;
	}
	for (i = 0; i < n; i++) {
		if (interrupted()) {
			kh_err(daxctl_dev_get_devname(devs[i]), "not reconfigured: interrupted");
			saved_rc = -EINTR;
			break;
		}
		rc = apply_config(devs[i], o, &moved);
		if (rc)
			saved_rc = rc;
		else
			processed += moved;
	}
	free(devs);
	print_summary(RECONFIGURED, RECONFIG_ERROR, saved_rc, processed);
	return saved_rc;
}

int cmd_reconfig_device(int argc, char **argv, struct daxctl_ctx *ctx)
{
	struct daxctl_dev **devs, **k;
	const char *unmatched;
	int n, nk = 0, i, rc;
	struct opts o;

	rc = parse_cmd_opts(argc, argv, &o);
	if (rc)
		goto out;
	if (o.apply_config) {
		rc = reconfigure_from_config(&o, ctx);
		goto out;
	}
	if (o.stock_only || !o.mode)
		exec_real_daxctl(argv);
	if (!strcmp(o.mode, KMEM_HP_DRV)) {
		rc = reconfigure_to_kmem_hp(&o, ctx);
		goto out;
	}
	/* Anything the real daxctl rejects, it may as well reject itself. */
	if ((strcmp(o.mode, "devdax") && strcmp(o.mode, "system-ram")) ||
	    o.nr_devs != 1 || (!strcmp(o.mode, "devdax") && o.no_online))
		exec_real_daxctl(argv);

	n = select_devs(ctx, &o, &devs, &unmatched);
	if (n <= 0)
		exec_real_daxctl(argv);
	k = devs;
	for (i = 0; i < n; i++)
		if (dax_on_driver(daxctl_dev_get_devname(devs[i]), KMEM_HP_DRV))
			k[nk++] = devs[i];
	if (!nk)
		exec_real_daxctl(argv);
	rc = reconfigure_from_kmem_hp(argv, &o, k, nk);
	free(devs);
out:
	free(o.devs);
	return rc;
}
