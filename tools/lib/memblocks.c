// SPDX-License-Identifier: GPL-2.0-only
/*
 * The memory blocks of a dax device in system-ram use.
 *
 * kmem and kmem_hp add each range of the device trimmed to memory block
 * alignment. Blocks are found from every range of the device (not just
 * the first, and on whatever node they are), which is what daxctl's own
 * counting gets wrong for multi-range devices.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <daxctl/libdaxctl.h>

#include "libkmem_hp.h"

static unsigned long long block_size(void)
{
	char buf[64];

	if (sysfs_read(MEMORY_SYSFS "/block_size_bytes", buf, sizeof(buf)))
		return 0;
	return strtoull(buf, NULL, 16);
}

/* Append block ids [@first, @last) to the array *@ids of *@nr entries. */
static int add_ids(unsigned long long first, unsigned long long last,
		   unsigned long long **ids, int *nr)
{
	unsigned long long *n;

	if (first >= last)
		return 0;
	n = realloc(*ids, (*nr + last - first) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	*ids = n;
	while (first < last)
		n[(*nr)++] = first++;
	return 0;
}

/*
 * The ids of the memory blocks covering @dev's block-aligned ranges, in
 * *@ids (free() it). Returns their number or a negative errno.
 */
static int dev_block_ids(struct daxctl_dev *dev, unsigned long long **ids)
{
	unsigned long long bs = block_size(), start, end;
	struct daxctl_mapping *m;
	bool any = false;
	int nr = 0, rc;

	*ids = NULL;
	if (!bs)
		return -ENXIO;
	daxctl_mapping_foreach(dev, m) {
		any = true;
		start = daxctl_mapping_get_start(m);
		end = daxctl_mapping_get_end(m) + 1;
		rc = add_ids((start + bs - 1) / bs, end / bs, ids, &nr);
		if (rc)
			goto err;
	}
	if (any)
		return nr;
	/* Devices without mapping attributes: one range, "resource" + size. */
	start = daxctl_dev_get_resource(dev);
	end = start + daxctl_dev_get_size(dev);
	if (!start || start == ULLONG_MAX)
		return -ENXIO;
	rc = add_ids((start + bs - 1) / bs, end / bs, ids, &nr);
	if (rc)
		goto err;
	return nr;
err:
	free(*ids);
	*ids = NULL;
	return rc;
}

static int block_attr(unsigned long long id, const char *attr, char *buf, size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), MEMORY_SYSFS "/memory%llu/%s", id, attr);
	return sysfs_read(path, buf, len);
}

static int block_write(unsigned long long id, const char *state)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), MEMORY_SYSFS "/memory%llu/state", id);
	return sysfs_write(path, state);
}

/* An online block is in ZONE_MOVABLE when valid_zones names only Movable. */
static bool block_movable(unsigned long long id)
{
	char zones[128];

	return !block_attr(id, "valid_zones", zones, sizeof(zones)) &&
	       !strcmp(zones, "Movable");
}

int dev_memblocks(struct daxctl_dev *dev, struct memblocks *mb)
{
	unsigned long long *ids;
	char state[32];
	int nr, i;

	memset(mb, 0, sizeof(*mb));
	nr = dev_block_ids(dev, &ids);
	if (nr < 0)
		return nr;
	for (i = 0; i < nr; i++) {
		if (block_attr(ids[i], "state", state, sizeof(state)))
			continue;	/* not added */
		mb->total++;
		if (!strcmp(state, "online")) {
			mb->online++;
			mb->movable += block_movable(ids[i]);
		}
	}
	free(ids);
	return 0;
}

/*
 * Offline every online block of @dev (a device bound to the in-tree kmem)
 * through memoryN/state. If one fails, the blocks already offlined are
 * onlined again in the zone they were in, and the error is returned.
 */
int memblocks_offline_all(struct daxctl_dev *dev)
{
	unsigned long long *ids;
	char state[32];
	bool *movable;
	int nr, i, done, rc = 0;

	nr = dev_block_ids(dev, &ids);
	if (nr < 0)
		return nr;
	movable = calloc(nr + 1, sizeof(*movable));
	if (!movable) {
		free(ids);
		return -ENOMEM;
	}
	/* ids[0..done) are offline now; movable[] says where they were. */
	for (done = 0, i = 0; i < nr; i++) {
		if (block_attr(ids[i], "state", state, sizeof(state)) ||
		    strcmp(state, "online"))
			continue;
		movable[done] = block_movable(ids[i]);
		rc = block_write(ids[i], "offline");
		if (rc)
			break;
		ids[done++] = ids[i];
	}
	if (rc)
		while (done--)
			block_write(ids[done], movable[done] ? "online_movable" : "online_kernel");
	free(movable);
	free(ids);
	return rc;
}
