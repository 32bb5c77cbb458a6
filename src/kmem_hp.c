// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmem_hp: a dax bus driver that hot-plugs a dax device's memory as
 * driver-managed "System RAM (kmem)", like drivers/dax/kmem.c, and gives
 * whole-device control of that memory.
 *
 * Bind adds every memory-block aligned range of the device to a static
 * memory group on the device's target node and registers the node's
 * memory tier, exactly as the in-tree kmem of the running kernel does;
 * onlining is left to the kernel's auto-online policy. Unbind unplugs
 * the memory (offline, then remove); memory that cannot be removed is
 * left behind with everything the kernel still references, as kmem does.
 */
#include <linux/device.h>
#include <linux/err.h>
#include <linux/ioport.h>
#include <linux/memory.h>
#include <linux/memory_hotplug.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pfn.h>
#include <linux/slab.h>

#include "kmem_hp.h"

/* Memory resource name of the added memory; tools grep /proc/iomem for it. */
static const char *kmem_hp_res_name;
/*
 * Set once memory could not be removed: /proc/iomem still points at
 * kmem_hp_res_name, so it must outlive the module. Written under the
 * device lock of the device that failed; read at module exit only.
 */
static bool kmem_hp_any_hotremove_failed;

static struct dax_device_driver kmem_hp_driver;

static mhp_t kmem_hp_mhp_flags(struct dev_dax *dev_dax)
{
	mhp_t flags = MHP_NID_IS_MGID;

	if (kmem_hp_dax_memmap_on_memory(dev_dax))
		flags |= MHP_MEMMAP_ON_MEMORY;
	return flags;
}

/*
 * Fill @kdev->ranges with the block-aligned part of every dax range.
 * Returns the total aligned length.
 */
static u64 kmem_hp_init_ranges(struct kmem_hp_dev *kdev, struct dev_dax *dev_dax)
{
	struct device *dev = kdev->dev;
	u64 total = 0;
	int i;

	for (i = 0; i < kdev->nr_ranges; i++) {
		struct range *raw = &dev_dax->ranges[i].range;
		struct range aligned;

		if (kmem_hp_dax_range(dev_dax, i, &aligned)) {
			dev_info(dev, "mapping%d: %#llx-%#llx too small after alignment\n",
				 i, aligned.start, aligned.end);
			continue;
		}
		if (aligned.start != raw->start || aligned.end != raw->end)
			dev_info(dev, "mapping%d: %#llx-%#llx trimmed to %#llx-%#llx for memory block alignment\n",
				 i, raw->start, raw->end, aligned.start, aligned.end);
		kdev->ranges[i].start = aligned.start;
		kdev->ranges[i].size = range_len(&aligned);
		total += kdev->ranges[i].size;
	}
	return total;
}

/* Give back a reservation kmem_hp_reserve_range() took. */
static void kmem_hp_release_range(struct kmem_hp_range *r)
{
	remove_resource(r->res);
	kfree(r->res);
	r->res = NULL;
}

static int kmem_hp_reserve_range(struct kmem_hp_dev *kdev, int i)
{
	struct kmem_hp_range *r = &kdev->ranges[i];
	struct resource *res;

	res = request_mem_region(r->start, r->size, kdev->res_name);
	if (!res) {
		dev_warn(kdev->dev, "mapping%d: %#llx-%#llx could not reserve region\n",
			 i, r->start, r->start + r->size - 1);
		return -EBUSY;
	}
	/*
	 * System RAM flags, BUSY clear so that the add can insert its child
	 * resource; nothing inherited from the parent that the add would
	 * not understand.
	 */
	res->flags = IORESOURCE_SYSTEM_RAM;
	r->res = res;
	return 0;
}

/* Caller holds kdev->lock. */
static int kmem_hp_add_range(struct kmem_hp_dev *kdev, struct dev_dax *dev_dax,
			     int i)
{
	struct kmem_hp_range *r = &kdev->ranges[i];
	int rc;

	/* "kmem" resource name: kexec'd kernels must not treat it as RAM. */
	rc = add_memory_driver_managed(kdev->mgid, r->start, r->size,
				       kmem_hp_res_name,
				       kmem_hp_mhp_flags(dev_dax));
	if (rc) {
		dev_warn(kdev->dev, "mapping%d: %#llx-%#llx memory add failed: %d\n",
			 i, r->start, r->start + r->size - 1, rc);
		return rc;
	}
	r->added = true;
	return 0;
}

/*
 * Offline and remove range @i. Caller holds kdev->lock. The kernel puts
 * the range's blocks back online if any of them cannot be offlined.
 */
static int kmem_hp_unplug_range(struct kmem_hp_dev *kdev, int i)
{
	struct kmem_hp_range *r = &kdev->ranges[i];
	int rc;

	rc = offline_and_remove_memory(r->start, r->size);
	if (rc)
		return rc;
	r->added = false;
	return 0;
}

static void kmem_hp_free_dev(struct kmem_hp_dev *kdev)
{
	mutex_destroy(&kdev->lock);
	kfree(kdev->res_name);
	kfree(kdev);
}

static int kmem_hp_probe(struct dev_dax *dev_dax)
{
	struct device *dev = &dev_dax->dev;
	struct kmem_hp_dev *kdev;
	int i, rc, mapped = 0;
	u64 total;

	rc = kmem_hp_dax_validate(dev_dax, &kmem_hp_driver);
	if (rc)
		return rc;

	/*
	 * Slow memory must not be mixed into a node of faster memory: a
	 * device without a target node is refused, as by kmem.
	 */
	if (dev_dax->target_node < 0) {
		dev_warn(dev, "rejecting DAX region with invalid node: %d\n",
			 dev_dax->target_node);
		return -EINVAL;
	}

	kdev = kzalloc(struct_size(kdev, ranges, dev_dax->nr_range), GFP_KERNEL);
	if (!kdev)
		return -ENOMEM;
	kdev->dev = dev;
	kdev->nid = dev_dax->target_node;
	kdev->nr_ranges = dev_dax->nr_range;
	mutex_init(&kdev->lock);

	total = kmem_hp_init_ranges(kdev, dev_dax);
	if (!total) {
		dev_warn(dev, "rejecting DAX region without any memory after alignment\n");
		rc = -ENOSPC;
		goto err_free_dev;
	}

	rc = -ENOMEM;
	kdev->res_name = kstrdup(dev_name(dev), GFP_KERNEL);
	if (!kdev->res_name)
		goto err_free_dev;

	kdev->mtype = kmem_hp_memtype_attach(kdev->nid);
	if (IS_ERR(kdev->mtype)) {
		rc = PTR_ERR(kdev->mtype);
		goto err_free_dev;
	}

	rc = memory_group_register_static(kdev->nid, PFN_UP(total));
	if (rc < 0)
		goto err_detach_memtype;
	kdev->mgid = rc;

	mutex_lock(&kdev->lock);
	for (i = 0; i < kdev->nr_ranges; i++) {
		if (!kdev->ranges[i].size)
			continue;
		rc = kmem_hp_reserve_range(kdev, i);
		if (!rc) {
			rc = kmem_hp_add_range(kdev, dev_dax, i);
			if (rc)
				kmem_hp_release_range(&kdev->ranges[i]);
		}
		if (!rc) {
			mapped++;
			continue;
		}
		/*
		 * As with kmem: once some memory was added (and maybe onlined
		 * by the kernel's policy), keep it and go on; fail only if
		 * nothing could be added.
		 */
		if (!mapped)
			goto err_unlock;
	}
	mutex_unlock(&kdev->lock);

	dev_set_drvdata(dev, kdev);
	return 0;

err_unlock:
	mutex_unlock(&kdev->lock);
	memory_group_unregister(kdev->mgid);
err_detach_memtype:
	kmem_hp_memtype_detach(kdev->nid, kdev->mtype);
err_free_dev:
	kmem_hp_free_dev(kdev);
	return rc;
}

static void kmem_hp_remove(struct dev_dax *dev_dax)
{
	struct device *dev = &dev_dax->dev;
	struct kmem_hp_dev *kdev = dev_get_drvdata(dev);
	bool leaked = false;
	int i, rc;

	/*
	 * Unbind cannot fail. Unplug everything; a range whose memory cannot
	 * be offlined stays added and online until reboot, and with it its
	 * reservation, the memory group, the tier and kdev itself, which the
	 * kernel still references.
	 */
	mutex_lock(&kdev->lock);
	for (i = 0; i < kdev->nr_ranges; i++) {
		struct kmem_hp_range *r = &kdev->ranges[i];

		if (r->added) {
			rc = kmem_hp_unplug_range(kdev, i);
			if (rc) {
				dev_err(dev, "mapping%d: %#llx-%#llx cannot be hotremoved until the next reboot: %d\n",
					i, r->start, r->start + r->size - 1, rc);
				leaked = true;
				continue;
			}
		}
		if (r->res)
			kmem_hp_release_range(r);
	}
	mutex_unlock(&kdev->lock);

	if (leaked) {
		kmem_hp_any_hotremove_failed = true;
		dev_err(dev, "memory left online after unbind; it stays in use until the next reboot\n");
		return;
	}

	dev_set_drvdata(dev, NULL);
	memory_group_unregister(kdev->mgid);
	kmem_hp_memtype_detach(kdev->nid, kdev->mtype);
	kmem_hp_free_dev(kdev);
}

static struct dax_device_driver kmem_hp_driver = {
	.probe = kmem_hp_probe,
	.remove = kmem_hp_remove,
};

static int __init kmem_hp_init(void)
{
	int rc;

	/* Permanently allocated if any memory cannot be removed. */
	kmem_hp_res_name = kstrdup_const("System RAM (kmem)", GFP_KERNEL);
	if (!kmem_hp_res_name)
		return -ENOMEM;

	rc = kmem_hp_memtypes_init();
	if (rc)
		goto err_free_res_name;

	kmem_hp_dax_driver_init(&kmem_hp_driver);
	rc = __dax_driver_register(&kmem_hp_driver, THIS_MODULE, KBUILD_MODNAME);
	if (rc)
		goto err_memtypes_exit;
	return 0;

err_memtypes_exit:
	kmem_hp_memtypes_exit();
err_free_res_name:
	kfree_const(kmem_hp_res_name);
	return rc;
}

static void __exit kmem_hp_exit(void)
{
	dax_driver_unregister(&kmem_hp_driver);
	if (!kmem_hp_any_hotremove_failed)
		kfree_const(kmem_hp_res_name);
	kmem_hp_memtypes_exit();
}

module_init(kmem_hp_init);
module_exit(kmem_hp_exit);

MODULE_DESCRIPTION("dax memory hotplug with whole-device state control");
MODULE_LICENSE("GPL");
MODULE_VERSION(KMEM_HP_VERSION);
