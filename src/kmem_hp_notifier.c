// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmem_hp: the memory notifier.
 *
 * One notifier for the module sees every attempt to online or offline a
 * memory block. For a block of a kmem_hp device:
 *  - while the device's own transition adds memory that must stay
 *    offline (kmem_hp_dev.adding), the kernel's auto-online is vetoed;
 *  - a change the driver started (kmem_hp_dev.owner, the transition's
 *    worker thread, is the running task) passes, including the kernel's
 *    own onlining and its rollback inside add_memory_driver_managed();
 *  - any other change is refused with -EBUSY while protect=Y.
 * Memory of other drivers and boot memory are never looked at beyond the
 * pfn overlap test. MEM_ONLINE/MEM_OFFLINE keep kmem_hp_dev.nr_online,
 * and with it the module reference that makes rmmod wait until no
 * managed memory is online, and kmem_hp_dev.nr_movable, from which (with
 * what the lock holder knows) the hotplug file reads the device's state.
 *
 * When it runs: synchronously in the thread that started the change,
 * from online_pages()/offline_pages() (and, on 6.12, from
 * memory_block_online() for MEM_PREPARE_ONLINE), with mem_hotplug_lock
 * held for write and the block's device lock held; sysfs writes,
 * add_memory_driver_managed(), remove_memory() and kmem_hp's own block
 * changes also hold device_hotplug_lock. Taking kmem_hp_dev.lock here
 * could deadlock against a transition waiting for those locks, so the
 * callback takes no sleeping lock: it walks an RCU
 * list and reads owner/adding with READ_ONCE. Comparing owner with
 * current is exact because the callback runs in the initiating thread;
 * another thread never equals the owner, so nothing slips through while
 * a device is in transition, and one device's transition opens nothing
 * on another device.
 */
#include <linux/bitops.h>
#include <linux/memory.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/pfn.h>
#include <linux/pid.h>
#include <linux/rculist.h>
#include <linux/sched.h>

#include "kmem_hp.h"

static bool protect = true;
module_param(protect, bool, 0644);
MODULE_PARM_DESC(protect,
		 "Refuse online/offline of kmem_hp memory blocks not started by kmem_hp (default Y)");

/* Protects writers of kmem_hp_devices; readers use RCU. */
static DEFINE_MUTEX(kmem_hp_devices_lock);
static LIST_HEAD(kmem_hp_devices);

/* Make a bound device's ranges known to the notifier (before any add). */
void kmem_hp_publish(struct kmem_hp_dev *kdev)
{
	mutex_lock(&kmem_hp_devices_lock);
	list_add_tail_rcu(&kdev->node, &kmem_hp_devices);
	mutex_unlock(&kmem_hp_devices_lock);
}

/*
 * Forget a device; on return no notifier callback can still see it, and
 * the device no longer holds the module (memory left online after a
 * failed unbind is no longer kmem_hp's to manage).
 */
void kmem_hp_unpublish(struct kmem_hp_dev *kdev)
{
	mutex_lock(&kmem_hp_devices_lock);
	list_del_rcu(&kdev->node);
	mutex_unlock(&kmem_hp_devices_lock);
	synchronize_rcu();
	if (atomic_xchg(&kdev->nr_online, 0) > 0)
		module_put(THIS_MODULE);
	atomic_set(&kdev->nr_movable, 0);
}

/* A block of @kdev went online (@delta 1) or offline (-1). */
static void kmem_hp_count_online(struct kmem_hp_dev *kdev, int delta)
{
	int n = atomic_add_return(delta, &kdev->nr_online);

	if (delta > 0 && n == 1)
		__module_get(THIS_MODULE);
	else if (delta < 0 && n == 0)
		module_put(THIS_MODULE);
}

/*
 * The block of @kdev that starts at (or, with memmap_on_memory, holds) @pfn
 * went online (@online) or offline. The zone is read at MEM_ONLINE, when
 * the block's pages have just been moved to it; the bit remembers it for
 * MEM_OFFLINE.
 */
static void kmem_hp_count_block(struct kmem_hp_dev *kdev, unsigned long pfn,
				bool online)
{
	u64 start = PFN_PHYS(pfn);
	unsigned long b;
	int i;

	kmem_hp_count_online(kdev, online ? 1 : -1);
	for (i = 0; i < kdev->nr_ranges; i++) {
		struct kmem_hp_range *r = &kdev->ranges[i];

		if (start < r->start || start >= r->start + r->size)
			continue;
		b = r->first_block + div_u64(start - r->start, memory_block_size_bytes());
		if (!online) {
			if (test_and_clear_bit(b, kdev->movable))
				atomic_dec(&kdev->nr_movable);
		} else if (page_zonenum(pfn_to_page(pfn)) == ZONE_MOVABLE &&
			   !test_and_set_bit(b, kdev->movable)) {
			atomic_inc(&kdev->nr_movable);
		}
		return;
	}
}

static bool kmem_hp_overlaps(struct kmem_hp_dev *kdev, u64 start, u64 end)
{
	int i;

	for (i = 0; i < kdev->nr_ranges; i++) {
		struct kmem_hp_range *r = &kdev->ranges[i];

		if (r->size && start < r->start + r->size && r->start < end)
			return true;
	}
	return false;
}

static bool kmem_hp_going_online(unsigned long action)
{
#ifdef KMEM_HP_HAVE_MEM_PREPARE_ONLINE
	if (action == MEM_PREPARE_ONLINE)
		return true;
#endif
	return action == MEM_GOING_ONLINE;
}

static int kmem_hp_memory_cb(struct notifier_block *nb, unsigned long action,
			     void *data)
{
	struct memory_notify *arg = data;
	u64 start = PFN_PHYS(arg->start_pfn);
	u64 end = start + PFN_PHYS(arg->nr_pages);
	bool online = kmem_hp_going_online(action);
	struct kmem_hp_dev *kdev;
	int rc = NOTIFY_DONE;

	if (!online && action != MEM_GOING_OFFLINE &&
	    action != MEM_ONLINE && action != MEM_OFFLINE)
		return NOTIFY_DONE;

	rcu_read_lock();
	list_for_each_entry_rcu(kdev, &kmem_hp_devices, node) {
		if (!kmem_hp_overlaps(kdev, start, end))
			continue;
		if (action == MEM_ONLINE || action == MEM_OFFLINE) {
			kmem_hp_count_block(kdev, arg->start_pfn, action == MEM_ONLINE);
			rc = NOTIFY_OK;
		} else if (READ_ONCE(kdev->owner) == current) {
			/* Our own add: keep the new blocks offline. */
			if (online && READ_ONCE(kdev->adding))
				rc = notifier_from_errno(-EBUSY);
			else
				rc = NOTIFY_OK;
		} else if (READ_ONCE(protect)) {
			dev_info_ratelimited(kdev->dev,
					     "refused %s of memory%llu by %s[%d]: the device's memory is managed as a whole through its hotplug file (protect=Y)\n",
					     online ? "online" : "offline",
					     div_u64(start, memory_block_size_bytes()),
					     current->comm, task_pid_nr(current));
			rc = notifier_from_errno(-EBUSY);
		}
		break;
	}
	rcu_read_unlock();
	return rc;
}

/* First in the chain, so a veto comes before other consumers do work. */
static struct notifier_block kmem_hp_memory_nb = {
	.notifier_call = kmem_hp_memory_cb,
	.priority = INT_MAX,
};

int kmem_hp_notifier_init(void)
{
	return register_memory_notifier(&kmem_hp_memory_nb);
}

void kmem_hp_notifier_exit(void)
{
	unregister_memory_notifier(&kmem_hp_memory_nb);
}
