/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmem_hp compat layer: force-included into every object (see Kbuild), so
 * the driver in src/ reads like in-tree code. Everything that differs
 * between the supported kernels is decided here, from the compile probes
 * of compat/conftest.sh (generated/kmem_hp_config.h), never from
 * LINUX_VERSION_CODE. Names are kmem_hp_* so nothing shadows a kernel
 * symbol.
 */
#ifndef KMEM_HP_COMPAT_H
#define KMEM_HP_COMPAT_H

#include <linux/device.h>
#include <linux/idr.h>
#include <linux/ioport.h>
#include <linux/kref.h>
#include <linux/memory.h>
#include <linux/memory_hotplug.h>
#include <linux/range.h>

#include "generated/kmem_hp_config.h"

/*
 * Private dax structures, vendored per range of kernel series; conftest.sh
 * names the header of the target's series (and refuses any other series).
 */
#ifdef KMEM_HP_DAX_LAYOUT
#include KMEM_HP_DAX_LAYOUT
#else
#error "kmem_hp: no vendored dax layout for this kernel (rerun compat/conftest.sh)"
#endif

/* Exported by drivers/dax/bus.c (built in); declared only in its private bus.h. */
int __dax_driver_register(struct dax_device_driver *dax_drv,
			  struct module *module, const char *mod_name);
void dax_driver_unregister(struct dax_device_driver *dax_drv);

/* struct device offline bits: dev->flags accessors (7.2) or bitfields. */
#ifdef KMEM_HP_HAVE_DEV_OFFLINE_ACCESSORS
static inline bool kmem_hp_dev_offline(struct device *dev)
{
	return dev_offline(dev);
}

static inline void kmem_hp_dev_set_offline(struct device *dev, bool offline)
{
	if (offline)
		dev_set_offline(dev);
	else
		dev_clear_offline(dev);
}

static inline bool kmem_hp_dev_offline_disabled(struct device *dev)
{
	return dev_offline_disabled(dev);
}
#else
static inline bool kmem_hp_dev_offline(struct device *dev)
{
	return dev->offline;
}

static inline void kmem_hp_dev_set_offline(struct device *dev, bool offline)
{
	dev->offline = offline;
}

static inline bool kmem_hp_dev_offline_disabled(struct device *dev)
{
	return dev->offline_disabled;
}
#endif

/* Memory tiers, as the in-tree kmem of each kernel does it (memory_tiers.c). */
struct memory_dev_type;
int kmem_hp_memtypes_init(void);
void kmem_hp_memtypes_exit(void);
struct memory_dev_type *kmem_hp_memtype_attach(int nid);
void kmem_hp_memtype_detach(int nid, struct memory_dev_type *mtype);

#endif /* KMEM_HP_COMPAT_H */
