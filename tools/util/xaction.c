// SPDX-License-Identifier: GPL-2.0-only
/*
 * The per-device loop of online-memory, offline-memory, disable-device
 * and destroy-device: devices bound to kmem_hp get the command's kmem_hp
 * action, each other selected device gets the real daxctl (one call per
 * device, its closing lines left out); then daxctl's closing lines.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <daxctl/libdaxctl.h>

#include "util.h"

/* The real daxctl's exit status as the negative errno it came from. */
static int status_errno(int status)
{
	if (status > 128 && status < 256)
		return status - 256;
	return status ? -EIO : 0;
}

/* The real daxctl, for one device that is not bound to kmem_hp. */
int real_one(char **argv, const struct opts *o, const char *name)
{
	char *args[8];
	int n = 0, status;

	args[n++] = argv[0];
	args[n++] = argv[1];
	if (o->no_movable)
		args[n++] = "--no-movable";
	if (o->force)
		args[n++] = "--force";
	if (o->verbose)
		args[n++] = "-v";
	args[n++] = (char *)name;
	args[n] = NULL;
	status = run_real_daxctl(args, NULL, NULL, true);
	if (status < 0) {
		kh_err(name, "cannot run the real daxctl: %s", strerror(-status));
		return status;
	}
	return status_errno(status);
}

/* daxctl's closing lines: the error of the last failure, and the count. */
void print_summary(const char *done, const char *error, int rc, int processed)
{
	if (rc < 0)
		fprintf(stderr, "%s: %s\n", error, strerror(-rc));
	fprintf(stderr, "%s %d device%s\n", done, processed, processed == 1 ? "" : "s");
}

int do_xaction(char **argv, const struct opts *o, struct daxctl_ctx *ctx,
	       const struct xaction *x)
{
	struct daxctl_dev **devs;
	const char *unmatched;
	int n, i, nk = 0, processed = 0, rc, saved_rc = 0;

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
			kh_err(name, "not changed: interrupted");
			saved_rc = -EINTR;
			break;
		}
		if (dax_on_driver(name, KMEM_HP_DRV))
			rc = x->kmem_hp(devs[i], o, argv);
		else if (x->only_memory && !strcmp(o->devs[0], "all") &&
			 !dax_on_driver(name, KMEM_DRV))
			continue;	/* "all": only devices with memory */
		else
			rc = real_one(argv, o, name);
		if (rc)
			saved_rc = rc;
		else
			processed++;
	}
	free(devs);
	print_summary(x->done, x->error, saved_rc, processed);
	return saved_rc;
}

/* A whole-device kmem_hp state change, with the state it ended in on failure. */
int kmem_hp_change(const char *name, const char *state)
{
	char now[STATE_LEN];
	int rc;

	kh_dbg(name, "kmem_hp: %s", state);
	rc = kmem_hp_set_state(name, state);
	if (rc) {
		if (kmem_hp_get_state(name, now, sizeof(now)))
			snprintf(now, sizeof(now), "unknown");
		kh_err(name, "kmem_hp: %s failed: %s (state: %s)", state,
		       strerror(-rc), now);
	}
	return rc;
}

/* A whole command built on do_xaction(): parse, loop, free. */
int cmd_xaction(int argc, char **argv, struct daxctl_ctx *ctx, const struct xaction *x)
{
	struct opts o;
	int rc;

	rc = parse_cmd_opts(argc, argv, &o);
	if (!rc)
		rc = do_xaction(argv, &o, ctx, x);
	free(o.devs);
	return rc;
}
