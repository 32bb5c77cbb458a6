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
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/pfn.h>
#include <linux/slab.h>

#include "kmem_hp.h"

/* Memory resource name of the added memory; tools grep /proc/iomem for it. */
const char *kmem_hp_res_name;
/*
 * Set once memory could not be removed: /proc/iomem still points at
 * kmem_hp_res_name, so it must outlive the module. Written by unbind
 * (serialised by the driver core), read at module exit only.
 */
static bool kmem_hp_any_hotremove_failed;

/*
 * default_state: the state a device is put in at bind. Stored as an enum
 * kmem_hp_state; the module parameter lock serialises writers, bind reads
 * it once with READ_ONCE.
 */
static int kmem_hp_default_state = KMEM_HP_SYSTEM;

static int kmem_hp_default_state_set(const char *val, const struct kernel_param *kp)
{
	int state = kmem_hp_parse_state(val, strlen(val), true);

	if (state < 0) {
		pr_err("kmem_hp: invalid default_state '%s': expected system, unplugged, offline, online, online_kernel or online_movable\n",
		       val);
		return -EINVAL;
	}
	WRITE_ONCE(*(int *)kp->arg, state);
	return 0;
}

static int kmem_hp_default_state_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", kmem_hp_state_names[READ_ONCE(*(int *)kp->arg)]);
}

static const struct kernel_param_ops kmem_hp_default_state_ops = {
	.set = kmem_hp_default_state_set,
	.get = kmem_hp_default_state_get,
};
module_param_cb(default_state, &kmem_hp_default_state_ops,
		&kmem_hp_default_state, 0644);
MODULE_PARM_DESC(default_state,
		 "State of a device at bind: system (the kernel's auto-online policy, like kmem; default), unplugged, offline, online, online_kernel, online_movable");

static bool kmem_type;
module_param(kmem_type, bool, 0444);
MODULE_PARM_DESC(kmem_type,
		 "Also bind kmem-type dax devices (CXL RAM regions, soft-reserved hmem) automatically, like kmem (6.12+; default N)");

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

static void kmem_hp_release_ranges(struct kmem_hp_dev *kdev)
{
	int i;

	for (i = 0; i < kdev->nr_ranges; i++)
		if (kdev->ranges[i].res && !kdev->ranges[i].added)
			kmem_hp_release_range(&kdev->ranges[i]);
}

/*
 * Reserve every aligned range as "daxX.Y" for as long as the device is
 * bound, whether its memory is added or not, and number the blocks of
 * the reserved ranges. As with kmem, a range that cannot be reserved is
 * skipped unless it is the first one.
 */
static int kmem_hp_reserve_ranges(struct kmem_hp_dev *kdev)
{
	unsigned long block = memory_block_size_bytes();
	struct resource *res;
	int i;

	for (i = 0; i < kdev->nr_ranges; i++) {
		struct kmem_hp_range *r = &kdev->ranges[i];

		if (!r->size)
			continue;
		res = request_mem_region(r->start, r->size, kdev->res_name);
		if (!res) {
			dev_warn(kdev->dev, "mapping%d: %#llx-%#llx could not reserve region\n",
				 i, r->start, r->start + r->size - 1);
			if (!kdev->nr_blocks)
				return -EBUSY;
			r->size = 0;
			continue;
		}
		/*
		 * System RAM flags, BUSY clear so that the add can insert its
		 * child resource; nothing inherited from the parent that the
		 * add would not understand.
		 */
		res->flags = IORESOURCE_SYSTEM_RAM;
		r->res = res;
		r->first_block = kdev->nr_blocks;
		kdev->nr_blocks += div_u64(r->size, block);
	}
	return 0;
}

/*
 * default_state=system: add every range and let the kernel's auto-online
 * policy decide, as kmem does; once some memory is added, a range that
 * fails is skipped (kmem keeps what it could add).
 */
static int kmem_hp_add_system(struct kmem_hp_dev *kdev)
{
	int i, rc = 0, mapped = 0;

	WRITE_ONCE(kdev->owner, current);
	for (i = 0; i < kdev->nr_ranges; i++) {
		if (!kdev->ranges[i].res)
			continue;
		rc = kmem_hp_add_range(kdev, i, false);
		if (!rc)
			mapped++;
		else if (!mapped)
			break;
	}
	WRITE_ONCE(kdev->owner, NULL);
	return mapped ? 0 : rc;
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
	int state = READ_ONCE(kmem_hp_default_state);
	struct kmem_hp_dev *kdev;
	int rc;
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
	kdev->mhp_flags = kmem_hp_mhp_flags(dev_dax);
	kdev->nr_ranges = dev_dax->nr_range;
	mutex_init(&kdev->lock);
	INIT_LIST_HEAD(&kdev->node);

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
	rc = kmem_hp_reserve_ranges(kdev);
	if (rc)
		goto err_release_ranges;
	kmem_hp_publish(kdev);
	if (state == KMEM_HP_SYSTEM)
		rc = kmem_hp_add_system(kdev);
	else
		rc = kmem_hp_set_state(kdev, state);
	if (rc)
		goto err_unpublish;
	state = kmem_hp_get_state(kdev);
	mutex_unlock(&kdev->lock);

	dev_set_drvdata(dev, kdev);
	kmem_hp_notify_state(kdev, state);
	return 0;

err_unpublish:
	kmem_hp_unpublish(kdev);
err_release_ranges:
	kmem_hp_release_ranges(kdev);
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
	 * Unbind cannot fail. Unplug everything first; if that fails the
	 * memory stays where it was (the transition rolls back), and with it
	 * its reservations, the memory group, the tier and kdev, which the
	 * kernel still references, until reboot.
	 */
	mutex_lock(&kdev->lock);
	rc = kmem_hp_set_state(kdev, KMEM_HP_UNPLUGGED);
	for (i = 0; i < kdev->nr_ranges; i++) {
		struct kmem_hp_range *r = &kdev->ranges[i];

		if (!r->added)
			continue;
		dev_err(dev, "mapping%d: %#llx-%#llx cannot be hotremoved until the next reboot: %d\n",
			i, r->start, r->start + r->size - 1, rc);
		leaked = true;
	}
	kmem_hp_unpublish(kdev);
	kmem_hp_release_ranges(kdev);
	mutex_unlock(&kdev->lock);

	if (leaked) {
		kmem_hp_any_hotremove_failed = true;
		dev_err(dev, "unbound with memory still added; it stays in use until the next reboot\n");
		return;
	}

	dev_set_drvdata(dev, NULL);
	memory_group_unregister(kdev->mgid);
	kmem_hp_memtype_detach(kdev->nid, kdev->mtype);
	kmem_hp_free_dev(kdev);
}

static struct dax_device_driver kmem_hp_driver = {
	.drv.dev_groups = kmem_hp_dev_groups,
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

	rc = kmem_hp_notifier_init();
	if (rc)
		goto err_memtypes_exit;

	if (!kmem_hp_dax_driver_init(&kmem_hp_driver, kmem_type))
		pr_warn("kmem_hp: kmem_type=Y has no effect: this kernel's dax bus has no kmem-type devices\n");
	rc = __dax_driver_register(&kmem_hp_driver, THIS_MODULE, KBUILD_MODNAME);
	if (rc)
		goto err_notifier_exit;
	return 0;

err_notifier_exit:
	kmem_hp_notifier_exit();
err_memtypes_exit:
	kmem_hp_memtypes_exit();
err_free_res_name:
	kfree_const(kmem_hp_res_name);
	return rc;
}

static void __exit kmem_hp_exit(void)
{
	dax_driver_unregister(&kmem_hp_driver);
	kmem_hp_notifier_exit();
	if (!kmem_hp_any_hotremove_failed)
		kfree_const(kmem_hp_res_name);
	kmem_hp_memtypes_exit();
}

module_init(kmem_hp_init);
module_exit(kmem_hp_exit);

MODULE_DESCRIPTION("dax memory hotplug with whole-device state control");
MODULE_LICENSE("GPL");
MODULE_VERSION(KMEM_HP_VERSION);
