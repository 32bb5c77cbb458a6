// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmem_hp: a dax bus driver that hot-plugs a dax device's memory as
 * driver-managed "System RAM (kmem)", like drivers/dax/kmem.c, and gives
 * whole-device control of that memory.
 *
 * Bind adds every memory-block aligned range of the device to a static
 * memory group on the device's target node and registers the node's
 * memory tier, exactly as the in-tree kmem of the running kernel does;
 * onlining is left to the kernel's auto-online policy, or the device is
 * put in default_state all or nothing. Unbind unplugs the memory
 * (offline, then remove). Memory that cannot be removed, at unbind or
 * after a bind whose change and rollback both failed, is left behind with
 * everything the kernel still references (kmem_hp_abandon()), as kmem
 * does.
 */
#include <linux/bitmap.h>
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
 * kmem_hp_res_name, so it must outlive the module. Written by probe and
 * remove (under a device's lock; only ever set to true), read at module
 * exit only.
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
		 "Take kmem's place on the dax bus: bind kmem-type dax devices (CXL RAM regions, soft-reserved hmem; 6.12+) automatically and answer binds to the driver named kmem (stock daxctl -m system-ram); default N");

static struct dax_device_driver kmem_hp_driver;
static struct dax_device_driver kmem_hp_kmem_driver;
/* kmem_hp_kmem_driver is registered. Set at init, constant after. */
static bool kmem_hp_kmem_registered;

/* Is @drv one of kmem_hp's dax drivers (kmem_hp, or kmem's name)? */
bool kmem_hp_owns_driver(const struct device_driver *drv)
{
	return drv && (drv == &kmem_hp_driver.drv ||
		       drv == &kmem_hp_kmem_driver.drv);
}

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

static void kmem_hp_free_dev(struct kmem_hp_dev *kdev)
{
	bitmap_free(kdev->movable);
	kvfree(kdev->blocks);
	mutex_destroy(&kdev->lock);
	kfree(kdev);
}

/*
 * Memory of @kdev stays added (a removal and its rollback failed, at
 * unbind or at a failed bind): leave it to the kernel like kmem does.
 * What the kernel still references stays: the reservations of the added
 * ranges, their name, the memory group, the node's memory tier, and the
 * "System RAM (kmem)" name (kmem_hp_any_hotremove_failed). The device is
 * forgotten by the notifier (no longer protected, module reference
 * dropped), the unused reservations are released, and kdev is freed.
 * Caller holds kdev->lock, which this drops.
 */
static void kmem_hp_abandon(struct kmem_hp_dev *kdev, int rc)
{
	int i;

	for (i = 0; i < kdev->nr_ranges; i++) {
		struct kmem_hp_range *r = &kdev->ranges[i];

		if (r->added)
			dev_err(kdev->dev, "mapping%d: %#llx-%#llx cannot be hotremoved until the next reboot: %d\n",
				i, r->start, r->start + r->size - 1, rc);
	}
	kmem_hp_any_hotremove_failed = true;
	kmem_hp_unpublish(kdev);
	kmem_hp_put_blocks(kdev);
	kmem_hp_release_ranges(kdev);
	mutex_unlock(&kdev->lock);
	kmem_hp_free_dev(kdev);
}

static int kmem_hp_probe(struct dev_dax *dev_dax)
{
	struct device *dev = &dev_dax->dev;
	struct kmem_hp_dev *kdev;
	const char *res_name;
	int state, rc;
	u64 total;

	rc = kmem_hp_dax_validate(dev_dax);
	if (rc)
		return rc;
	state = kmem_hp_take_bind_state(dev_name(dev),
					READ_ONCE(kmem_hp_default_state));

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
	INIT_DELAYED_WORK(&kdev->bind_event, kmem_hp_bind_event_fn);

	total = kmem_hp_init_ranges(kdev, dev_dax);
	if (!total) {
		dev_warn(dev, "rejecting DAX region without any memory after alignment\n");
		rc = -ENOSPC;
		goto err_free_dev;
	}

	rc = -ENOMEM;
	res_name = kstrdup(dev_name(dev), GFP_KERNEL);
	if (!res_name)
		goto err_free_dev;
	kdev->res_name = res_name;

	kdev->mtype = kmem_hp_memtype_attach(kdev->nid);
	if (IS_ERR(kdev->mtype)) {
		rc = PTR_ERR(kdev->mtype);
		goto err_free_res_name;
	}

	rc = memory_group_register_static(kdev->nid, PFN_UP(total));
	if (rc < 0)
		goto err_detach_memtype;
	kdev->mgid = rc;

	mutex_lock(&kdev->lock);
	rc = kmem_hp_reserve_ranges(kdev);
	if (rc)
		goto err_release_ranges;
	rc = -ENOMEM;
	kdev->blocks = kvcalloc(kdev->nr_blocks, sizeof(*kdev->blocks), GFP_KERNEL);
	kdev->movable = bitmap_zalloc(kdev->nr_blocks, GFP_KERNEL);
	if (!kdev->blocks || !kdev->movable)
		goto err_release_ranges;
	kmem_hp_publish(kdev);
	rc = kmem_hp_bind_add(kdev, state);
	if (rc && kmem_hp_any_added(kdev)) {
		/* The change and its rollback failed: memory stays added. */
		dev_err(dev, "bind failed (%d) with memory still added; it stays in use until the next reboot\n",
			rc);
		kmem_hp_abandon(kdev, rc);
		return rc;
	}
	if (rc)
		goto err_unpublish;
	kdev->bind_event_pending = true;
	mutex_unlock(&kdev->lock);

	dev_set_drvdata(dev, kdev);
	/* The bus notifier normally sends it first (kmem_hp_sysfs.c). */
	schedule_delayed_work(&kdev->bind_event, HZ / 10);
	return 0;

err_unpublish:
	kmem_hp_unpublish(kdev);
err_release_ranges:
	kmem_hp_release_ranges(kdev);
	mutex_unlock(&kdev->lock);
	memory_group_unregister(kdev->mgid);
err_detach_memtype:
	kmem_hp_memtype_detach(kdev->nid, kdev->mtype);
err_free_res_name:
	kfree(res_name);
err_free_dev:
	kmem_hp_free_dev(kdev);
	return rc;
}

static void kmem_hp_remove(struct dev_dax *dev_dax)
{
	struct device *dev = &dev_dax->dev;
	struct kmem_hp_dev *kdev = dev_get_drvdata(dev);
	int rc;

	/* With the device lock held: the work only tries to take it. */
	cancel_delayed_work_sync(&kdev->bind_event);
	dev_set_drvdata(dev, NULL);

	/*
	 * Unbind cannot fail. Unplug everything first (not abortable: the
	 * unbinding task's signals change nothing); if that fails the
	 * memory stays where it was (the change rolls back) and is left to
	 * the kernel.
	 */
	mutex_lock(&kdev->lock);
	rc = kmem_hp_set_state(kdev, KMEM_HP_UNPLUGGED, false);
	if (kmem_hp_any_added(kdev)) {
		dev_err(dev, "unbound with memory still added; it stays in use until the next reboot\n");
		kmem_hp_abandon(kdev, rc ?: -EBUSY);
		return;
	}
	kmem_hp_unpublish(kdev);
	kmem_hp_release_ranges(kdev);
	mutex_unlock(&kdev->lock);

	memory_group_unregister(kdev->mgid);
	kmem_hp_memtype_detach(kdev->nid, kdev->mtype);
	kfree(kdev->res_name);
	kmem_hp_free_dev(kdev);
}

static struct dax_device_driver kmem_hp_driver = {
	.drv.groups = kmem_hp_drv_groups,
	.drv.dev_groups = kmem_hp_dev_groups,
	.probe = kmem_hp_probe,
	.remove = kmem_hp_remove,
};

/*
 * kmem_type=Y (the modprobe.d snippet, which keeps the in-tree kmem from
 * loading): the same driver once more under kmem's name. The dax bus
 * then offers it the kmem-type devices kmem would get (6.12+), and what
 * binds through /sys/bus/dax/drivers/kmem (libdaxctl's
 * daxctl_dev_enable_ram(), i.e. stock daxctl -m system-ram, and
 * daxctl.conf entries with mode=system-ram) gets kmem_hp, whose memory
 * stock tools then report as system-ram, which it is. Devices bound
 * this way carry the same hotplug file.
 */
static struct dax_device_driver kmem_hp_kmem_driver = {
	.drv.dev_groups = kmem_hp_dev_groups,
	.probe = kmem_hp_probe,
	.remove = kmem_hp_remove,
};

static void kmem_hp_take_kmem_name(void)
{
	int rc;

	if (!kmem_hp_dax_driver_init(&kmem_hp_kmem_driver, true))
		pr_info("kmem_hp: this kernel's dax bus has no kmem-type devices: the kmem name serves explicit binds only\n");
	rc = __dax_driver_register(&kmem_hp_kmem_driver, THIS_MODULE, "kmem");
	if (rc) {
		pr_warn("kmem_hp: kmem_type=Y ignored: cannot register as kmem (%d), is the in-tree kmem loaded?\n",
			rc);
		return;
	}
	kmem_hp_kmem_registered = true;
}

static int __init kmem_hp_init(void)
{
	int rc;

	rc = kmem_hp_hotplug_lock_init();
	if (rc)
		return rc;

	/* Permanently allocated if any memory cannot be removed. */
	kmem_hp_res_name = kstrdup_const("System RAM (kmem)", GFP_KERNEL);
	if (!kmem_hp_res_name)
		return -ENOMEM;

	rc = kmem_hp_memtypes_init();
	if (rc)
		goto err_free_res_name;

	rc = kmem_hp_job_init();
	if (rc)
		goto err_memtypes_exit;

	rc = kmem_hp_fault_init();
	if (rc)
		goto err_job_exit;

	rc = kmem_hp_notifier_init();
	if (rc)
		goto err_fault_exit;

	kmem_hp_dax_driver_init(&kmem_hp_driver, false);
	rc = __dax_driver_register(&kmem_hp_driver, THIS_MODULE, KBUILD_MODNAME);
	if (rc)
		goto err_notifier_exit;
	if (kmem_type)
		kmem_hp_take_kmem_name();
	rc = kmem_hp_bind_events_init(&kmem_hp_driver.drv);
	if (rc)
		goto err_drivers_unregister;
	return 0;

err_drivers_unregister:
	if (kmem_hp_kmem_registered)
		dax_driver_unregister(&kmem_hp_kmem_driver);
	dax_driver_unregister(&kmem_hp_driver);
	kmem_hp_bind_states_exit();
err_notifier_exit:
	kmem_hp_notifier_exit();
err_fault_exit:
	kmem_hp_fault_exit();
err_job_exit:
	kmem_hp_job_exit();
err_memtypes_exit:
	kmem_hp_memtypes_exit();
err_free_res_name:
	kfree_const(kmem_hp_res_name);
	return rc;
}

static void __exit kmem_hp_exit(void)
{
	if (kmem_hp_kmem_registered)
		dax_driver_unregister(&kmem_hp_kmem_driver);
	dax_driver_unregister(&kmem_hp_driver);
	kmem_hp_bind_states_exit();
	kmem_hp_bind_events_exit();
	kmem_hp_notifier_exit();
	kmem_hp_fault_exit();
	kmem_hp_job_exit();
	if (!kmem_hp_any_hotremove_failed)
		kfree_const(kmem_hp_res_name);
	kmem_hp_memtypes_exit();
}

module_init(kmem_hp_init);
module_exit(kmem_hp_exit);

MODULE_DESCRIPTION("dax memory hotplug with whole-device state control");
MODULE_LICENSE("GPL");
MODULE_VERSION(KMEM_HP_VERSION);
