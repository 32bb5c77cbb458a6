/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private dax bus structures of Linux 7.2 and 7.3, vendored for kmem_hp.
 *
 * Origin: Debian linux-source-7.2 7.2.13-1, drivers/dax/dax-private.h
 * (struct dax_region, struct dev_dax_range, struct dev_dax) and
 * drivers/dax/bus.h (enum dax_driver_type, struct dax_device_driver);
 * the same in Debian linux-source-7.3 7.3.4-1~bpo13+1 (compared field by
 * field).
 * Only the field order matters; sizes of embedded kernel types come from
 * the target's own headers. Not in any linux-headers package.
 * Copyright(c) 2016 Intel Corporation.
 */
#ifndef KMEM_HP_DAX_PRIVATE_7_2_7_3_H
#define KMEM_HP_DAX_PRIVATE_7_2_7_3_H

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

struct dev_dax {
	struct dax_region *region;
	struct dax_device *dax_dev;
	u64 cached_size;
	unsigned int align;
	int target_node;
	bool dyn_id;
	int id;
	struct ida ida;
	struct device dev;
	struct dev_pagemap *pgmap;
	bool memmap_on_memory;
	int nr_range;
	struct dev_dax_range *ranges;
};

enum dax_driver_type {
	DAXDRV_KMEM_TYPE,
	DAXDRV_DEVICE_TYPE,
	DAXDRV_FSDEV_TYPE,
};

struct dax_device_driver {
	struct device_driver drv;
	struct list_head ids;
	enum dax_driver_type type;
	int (*probe)(struct dev_dax *dev);
	void (*remove)(struct dev_dax *dev);
};

/*
 * With @kmem_type, kmem_hp matches kmem-type devices (CXL RAM regions,
 * soft-reserved hmem: IORESOURCE_DAX_KMEM) like kmem does, and binds them
 * automatically when kmem is kept from loading. Otherwise a type no device
 * has: dax_match_type() never matches, so kmem_hp binds only through
 * new_id/bind and never competes with kmem or device_dax. Never
 * DAXDRV_FSDEV_TYPE: fs-dax holders (drivers/dax/super.c) treat that type
 * as significant.
 */
static inline bool kmem_hp_dax_driver_init(struct dax_device_driver *drv,
					   bool kmem_type)
{
	drv->type = kmem_type ? DAXDRV_KMEM_TYPE : (enum dax_driver_type)-1;
	return true;
}

static inline bool kmem_hp_dax_memmap_on_memory(struct dev_dax *dev_dax)
{
	return dev_dax->memmap_on_memory;
}

#endif /* KMEM_HP_DAX_PRIVATE_7_2_7_3_H */
