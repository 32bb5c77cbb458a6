// SPDX-License-Identifier: GPL-2.0-only
/*
 * Device lookup with daxctl's filters: device names ("daxX.Y", "X.Y" or
 * "all") and -r/--region ("N" or "regionN").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <daxctl/libdaxctl.h>

#include "util.h"

struct daxctl_dev *find_dev(struct daxctl_ctx *ctx, const char *name)
{
	struct daxctl_region *region;
	struct daxctl_dev *dev;

	daxctl_region_foreach(ctx, region)
		daxctl_dev_foreach(region, dev)
			if (!strcmp(daxctl_dev_get_devname(dev), name))
				return dev;
	return NULL;
}

/*
 * A leading decimal number of @s in *@id, as sscanf("%d") reads it
 * (trailing characters allowed). Returns whether there was one.
 */
static bool leading_int(const char *s, long *id)
{
	char *end;

	*id = strtol(s, &end, 10);
	return end != s;
}

/* daxctl's region filter: "all", or the region id as "N" or "regionN". */
static bool region_match(struct daxctl_region *region, const char *ident)
{
	long id;

	if (!ident || !strcmp(ident, "all"))
		return true;
	if (!leading_int(ident, &id) &&
	    (strncmp(ident, "region", 6) || !leading_int(ident + 6, &id)))
		return false;
	return id == daxctl_region_get_id(region);
}

/* daxctl's device filter: "all", "daxX.Y" or "X.Y". */
static bool dev_match(struct daxctl_dev *dev, const char *ident)
{
	struct daxctl_region *region = daxctl_dev_get_region(dev);
	int region_id, dev_id;

	if (!strcmp(ident, "all") || !strcmp(ident, daxctl_dev_get_devname(dev)))
		return true;
	return sscanf(ident, "%d.%d", &region_id, &dev_id) == 2 &&
	       region_id == daxctl_region_get_id(region) &&
	       dev_id == daxctl_dev_get_id(dev);
}

/*
 * The devices @o names, in region and device order, each once, in a
 * NULL-terminated array (free() it). "all" does not select devices of
 * size 0 (a region's seed). Returns the count, or a negative errno; sets
 * *@unmatched to the first name that selected nothing, or NULL.
 */
int select_devs(struct daxctl_ctx *ctx, const struct opts *o,
		struct daxctl_dev ***devs, const char **unmatched)
{
	struct daxctl_region *region;
	struct daxctl_dev *dev, **sel;
	int n = 0, cap = 16, i, j;

	sel = calloc(cap + 1, sizeof(*sel));
	if (!sel)
		return -ENOMEM;
	daxctl_region_foreach(ctx, region) {
		if (!region_match(region, o->region))
			continue;
		daxctl_dev_foreach(region, dev) {
			for (i = 0; i < o->nr_devs; i++) {
				if (!dev_match(dev, o->devs[i]))
					continue;
				if (!strcmp(o->devs[i], "all") && !daxctl_dev_get_size(dev))
					continue;
				break;
			}
			if (i == o->nr_devs)
				continue;
			if (n == cap) {
				struct daxctl_dev **nsel = realloc(sel, (2 * cap + 1) * sizeof(*sel));

				if (!nsel) {
					free(sel);
					return -ENOMEM;
				}
				sel = nsel;
				cap *= 2;
			}
			sel[n++] = dev;
			sel[n] = NULL;
		}
	}
	*devs = sel;
	*unmatched = NULL;
	for (i = 0; i < o->nr_devs && !*unmatched; i++) {
		if (!strcmp(o->devs[i], "all"))
			continue;
		for (j = 0; j < n && !dev_match(sel[j], o->devs[i]); j++)
			;
		if (j == n)
			*unmatched = o->devs[i];
	}
	return n;
}

