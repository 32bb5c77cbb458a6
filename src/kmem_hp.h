/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmem_hp: whole-device hotplug control of dax device memory.
 */
#ifndef KMEM_HP_H
#define KMEM_HP_H

#include <linux/mutex.h>
#include <linux/range.h>
#include <linux/types.h>

struct dev_dax;
struct dax_device_driver;
struct memory_dev_type;
struct resource;

/* More ranges than this means the dax layout read is not what we expect. */
#define KMEM_HP_MAX_RANGES	256

/**
 * struct kmem_hp_range - one range of a dax device, as kmem_hp hot-plugs it
 * @start: first byte, rounded up to the memory block size
 * @size: length rounded down to whole memory blocks; 0 if nothing of the
 *	range is block aligned (the range is never used)
 * @res: the "daxX.Y" reservation of [@start, @start + @size), held while
 *	the device is bound; NULL if the range could not be reserved
 * @added: memory blocks exist for the range (added, not yet removed)
 *
 * @res and @added are protected by &struct kmem_hp_dev.lock.
 */
struct kmem_hp_range {
	u64 start;
	u64 size;
	struct resource *res;
	bool added;
};

/**
 * struct kmem_hp_dev - per bound dax device (drvdata of the dax device)
 * @dev: the dax device
 * @nid: NUMA node the memory is added to (the dax target node)
 * @mgid: static memory group of all the device's memory
 * @mtype: memory tier type attached to @nid for this device
 * @res_name: name of the reservations ("daxX.Y"); leaked with them when
 *	memory cannot be removed
 * @lock: serialises whole-device transitions (bind, state changes,
 *	unbind); protects @ranges[].res and @ranges[].added
 * @nr_ranges: entries in @ranges (the dax device's nr_range)
 * @ranges: the device's ranges
 *
 * Everything but @lock and what it protects is set at bind and constant
 * until unbind.
 */
struct kmem_hp_dev {
	struct device *dev;
	int nid;
	int mgid;
	struct memory_dev_type *mtype;
	const char *res_name;
	struct mutex lock;
	int nr_ranges;
	struct kmem_hp_range ranges[];
};

/* kmem_hp_dax.c: reading the (private, vendored) dax structures */
int kmem_hp_dax_validate(struct dev_dax *dev_dax,
			 struct dax_device_driver *drv);
int kmem_hp_dax_range(struct dev_dax *dev_dax, int i, struct range *aligned);

#endif /* KMEM_HP_H */
