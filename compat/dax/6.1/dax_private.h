/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private dax bus structures of Linux 6.1, vendored for kmem_hp.
 *
 * Origin: Debian linux-source-6.1 6.1.192-2, drivers/dax/dax-private.h
 * (struct dax_region, struct dev_dax) and drivers/dax/bus.h (struct
 * dax_device_driver). Only the field order matters; sizes of embedded
 * kernel types come from the target's own headers. Not in any
 * linux-headers package. Copyright(c) 2016 Intel Corporation.
 */
#ifndef KMEM_HP_DAX_PRIVATE_6_1_H
#define KMEM_HP_DAX_PRIVATE_6_1_H

struct dax_region {
	int id;
	int target_node;
	struct kref kref;
	struct device *dev;
	unsigned int align;
	struct ida ida;
	struct resource res;
	struct device *seed;
	struct device *youngest;
};

struct dax_mapping;

struct dev_dax_range {
	unsigned long pgoff;
	struct range range;
	struct dax_mapping *mapping;
};

/* 6.1 declares struct dev_dax_range inside struct dev_dax; same layout. */
struct dev_dax {
	struct dax_region *region;
	struct dax_device *dax_dev;
	unsigned int align;
	int target_node;
	bool dyn_id;
	int id;
	struct ida ida;
	struct device dev;
	struct dev_pagemap *pgmap;
	int nr_range;
	struct dev_dax_range *ranges;
};

struct dax_device_driver {
	struct device_driver drv;
	struct list_head ids;
	int match_always;
	int (*probe)(struct dev_dax *dev);
	void (*remove)(struct dev_dax *dev);
};

/*
 * Only one match_always driver may exist (device_dax), so kmem_hp binds
 * through new_id/bind only, exactly like 6.1's kmem. 6.1's dax bus has no
 * device types, so there is nothing to claim automatically: returns false
 * when asked to.
 */
static inline bool kmem_hp_dax_driver_init(struct dax_device_driver *drv,
					   bool kmem_type)
{
	drv->match_always = 0;
	return !kmem_type;
}

/* 6.1 has no per-device memmap_on_memory (kmem adds with MHP_NID_IS_MGID only). */
static inline bool kmem_hp_dax_memmap_on_memory(struct dev_dax *dev_dax)
{
	return false;
}

#endif /* KMEM_HP_DAX_PRIVATE_6_1_H */
