// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmem_hp: memory blocks of a device and whole-device transitions.
 *
 * Only exported symbols are called. A block is onlined or offlined the
 * way device_online()/device_offline() do it, through the memory bus's
 * own online/offline callbacks (address-taken, so callable under IBT),
 * with the online type set first as state_store() does, and under
 * device_hotplug_lock as every in-kernel caller of memory_block_online()
 * holds it (kmem_hp_hotplug_lock.c). Memory is added with
 * add_memory_driver_managed() and removed with remove_memory(), which
 * take device_hotplug_lock themselves, so it is never held around them.
 *
 * The device's blocks are looked up once per add (one walk of the memory
 * bus) and kept, with a reference each, in kmem_hp_dev.blocks until the
 * range is removed: reads and transitions never allocate or walk.
 *
 * A transition computes what every block must become, applies it in four
 * steps (add ranges offline, offline blocks, remove ranges, online
 * blocks) and, on any failure, applies the snapshot taken before it the
 * same way, so the device ends up where it started. The snapshot records
 * online blocks by zone (online_kernel or online_movable), and every
 * online, forward or back, is followed by a check of the zone the block
 * landed in: the kernel's zone choice for MMOP_ONLINE depends on what the
 * node looks like at that moment (movable_node, zone spans), so a rollback
 * never relies on it.
 *
 * Context: these functions run in the transition's worker thread
 * (kmem_hp_job.c) while the task holding kmem_hp_dev.lock waits for it,
 * or, for reads, in the lock holder itself. The memory notifier runs
 * inside add/remove and the bus callbacks with mem_hotplug_lock held for
 * write (see kmem_hp_notifier.c).
 */
#include <linux/device.h>
#include <linux/memory.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "kmem_hp.h"

static unsigned long kmem_hp_block_bytes(void)
{
	return memory_block_size_bytes();
}

static unsigned long kmem_hp_range_blocks(struct kmem_hp_range *r)
{
	return div_u64(r->size, kmem_hp_block_bytes());
}

/* The memory block device of range @r's first block, with a reference, or NULL. */
static struct device *kmem_hp_find_block(struct kmem_hp_dev *kdev,
					 struct kmem_hp_range *r)
{
	struct kobject *kobj;
	struct device *dev;
	char name[32];

	snprintf(name, sizeof(name), "memory%llu",
		 div_u64(r->start, kmem_hp_block_bytes()));
	kobj = kset_find_obj(kdev->dev->kobj.kset, name);
	if (!kobj)
		return NULL;
	dev = kobj_to_dev(kobj);
	if (dev->bus && !strcmp(dev->bus->name, "memory") &&
	    dev->bus->online && dev->bus->offline)
		return dev;
	kobject_put(kobj);
	return NULL;
}

struct kmem_hp_collect {
	struct kmem_hp_dev *kdev;
	struct kmem_hp_range *r;
};

static int kmem_hp_collect_one(struct device *dev, void *data)
{
	struct kmem_hp_collect *c = data;
	struct kmem_hp_range *r = c->r;
	struct memory_block *mem = container_of(dev, struct memory_block, dev);
	u64 phys = PFN_PHYS(section_nr_to_pfn(mem->start_section_nr));
	unsigned long b;

	if (phys < r->start || phys >= r->start + r->size)
		return 0;
	b = r->first_block + div_u64(phys - r->start, kmem_hp_block_bytes());
	if (!c->kdev->blocks[b]) {
		get_device(dev);
		c->kdev->blocks[b] = mem;
		c->kdev->nr_kept++;
	}
	return 0;
}

static void kmem_hp_put_range_blocks(struct kmem_hp_dev *kdev,
				     struct kmem_hp_range *r)
{
	unsigned long b, n = kmem_hp_range_blocks(r);

	for (b = r->first_block; b < r->first_block + n; b++) {
		if (kdev->blocks[b]) {
			put_device(&kdev->blocks[b]->dev);
			kdev->nr_kept--;
		}
		kdev->blocks[b] = NULL;
	}
}

/*
 * Look up and keep the blocks of range @r, which was just added: one walk
 * of the memory bus. -ENODEV (and nothing kept) if a block is missing.
 */
static int kmem_hp_collect_range(struct kmem_hp_dev *kdev, struct kmem_hp_range *r)
{
	struct kmem_hp_collect c = { .kdev = kdev, .r = r };
	unsigned long b, n = kmem_hp_range_blocks(r);
	struct device *block;

	block = kmem_hp_find_block(kdev, r);
	if (!block)
		return -ENODEV;
	bus_for_each_dev(block->bus, NULL, &c, kmem_hp_collect_one);
	put_device(block);
	for (b = r->first_block; b < r->first_block + n; b++) {
		if (!kdev->blocks[b]) {
			kmem_hp_put_range_blocks(kdev, r);
			return -ENODEV;
		}
	}
	return 0;
}

/* Drop every block reference (the device is going away). */
void kmem_hp_put_blocks(struct kmem_hp_dev *kdev)
{
	int i;

	for (i = 0; i < kdev->nr_ranges; i++)
		if (kdev->ranges[i].res)
			kmem_hp_put_range_blocks(kdev, &kdev->ranges[i]);
}

bool kmem_hp_any_added(struct kmem_hp_dev *kdev)
{
	int i;

	for (i = 0; i < kdev->nr_ranges; i++)
		if (kdev->ranges[i].added)
			return true;
	return false;
}

static bool kmem_hp_range_usable(struct kmem_hp_range *r)
{
	return r->size && r->res;
}

/* State of one block: OFFLINE, ONLINE (kernel zone) or ONLINE_MOVABLE. Caller holds its device lock. */
static enum kmem_hp_state __kmem_hp_block_state(struct memory_block *mem)
{
	if (mem->state != MEM_ONLINE)
		return KMEM_HP_OFFLINE;
	return mem->zone && zone_idx(mem->zone) == ZONE_MOVABLE ?
		KMEM_HP_ONLINE_MOVABLE : KMEM_HP_ONLINE;
}

static enum kmem_hp_state kmem_hp_block_state(struct memory_block *mem)
{
	enum kmem_hp_state state;

	device_lock(&mem->dev);
	state = __kmem_hp_block_state(mem);
	device_unlock(&mem->dev);
	return state;
}

static const char *kmem_hp_block_state_name(struct memory_block *mem)
{
	return mem ? kmem_hp_state_names[kmem_hp_block_state(mem)] : "removed";
}

/*
 * Does a block in state @cur satisfy @want? A block in ZONE_MOVABLE does
 * not satisfy ONLINE: writing "online" to an online_movable device
 * re-onlines it with the kernel's zone choice.
 */
static bool kmem_hp_satisfied(enum kmem_hp_state cur, enum kmem_hp_state want)
{
	if (want == KMEM_HP_ONLINE_KERNEL)
		want = KMEM_HP_ONLINE;
	return cur == want;
}

/* After onlining for @want, is the block where it must be? Any zone for ONLINE. */
static bool kmem_hp_zone_ok(enum kmem_hp_state now, enum kmem_hp_state want)
{
	if (want == KMEM_HP_ONLINE)
		return now == KMEM_HP_ONLINE || now == KMEM_HP_ONLINE_MOVABLE;
	return kmem_hp_satisfied(now, want);
}

static int kmem_hp_online_type(enum kmem_hp_state want)
{
	switch (want) {
	case KMEM_HP_ONLINE_KERNEL:
		return MMOP_ONLINE_KERNEL;
	case KMEM_HP_ONLINE_MOVABLE:
		return MMOP_ONLINE_MOVABLE;
	default:
		return MMOP_ONLINE;
	}
}

/*
 * device_online() with an online type, as state_store() does it, then the
 * zone check: the block must be where @want says (any zone for ONLINE).
 */
static int kmem_hp_block_online(struct kmem_hp_dev *kdev, struct memory_block *mem,
				unsigned long b, enum kmem_hp_state want,
				bool rollback)
{
	struct device *dev = &mem->dev;
	enum kmem_hp_state now;
	int rc;

	rc = kmem_hp_fault(kdev, KMEM_HP_STEP_ONLINE, rollback, dev_name(dev));
	if (rc)
		return rc;

	kmem_hp_lock_device_hotplug();
	device_lock(dev);
	if (kmem_hp_dev_offline(dev)) {
		mem->online_type = kmem_hp_online_type(want);
		rc = dev->bus->online(dev);
		if (!rc) {
			kobject_uevent(&dev->kobj, KOBJ_ONLINE);
			kmem_hp_dev_set_offline(dev, false);
		}
	}
	now = __kmem_hp_block_state(mem);
	device_unlock(dev);
	kmem_hp_unlock_device_hotplug();
	if (rc)
		return rc;

	if (!kmem_hp_zone_ok(now, want)) {
		dev_warn(kdev->dev, "%s: onlined to %s, wanted %s\n", dev_name(dev),
			 kmem_hp_state_names[now], kmem_hp_state_names[want]);
		return -EBUSY;
	}
	return kmem_hp_fault(kdev, KMEM_HP_STEP_ZONE, rollback, dev_name(dev));
}

/* device_offline() of one memory block (it has no children). */
static int kmem_hp_block_offline(struct kmem_hp_dev *kdev, struct memory_block *mem,
				 unsigned long b, bool rollback)
{
	struct device *dev = &mem->dev;
	int rc;

	rc = kmem_hp_fault(kdev, KMEM_HP_STEP_OFFLINE, rollback, dev_name(dev));
	if (rc)
		return rc;

	kmem_hp_lock_device_hotplug();
	device_lock(dev);
	if (!kmem_hp_dev_offline(dev)) {
		if (kmem_hp_dev_offline_disabled(dev)) {
			rc = -EPERM;
		} else {
			rc = dev->bus->offline(dev);
			if (!rc) {
				kobject_uevent(&dev->kobj, KOBJ_OFFLINE);
				kmem_hp_dev_set_offline(dev, true);
			}
		}
	}
	device_unlock(dev);
	kmem_hp_unlock_device_hotplug();
	return rc;
}

/*
 * Add range @i and keep its blocks. With @offline the notifier vetoes the
 * kernel's auto-online, so every block stays offline whatever the policy
 * says; without it the policy decides (default_state=system). Runs as
 * kdev->owner.
 */
static int kmem_hp_add_range(struct kmem_hp_dev *kdev, int i, bool offline,
			     bool rollback)
{
	struct kmem_hp_range *r = &kdev->ranges[i];
	char what[16];
	int rc;

	snprintf(what, sizeof(what), "mapping%d", i);
	rc = kmem_hp_fault(kdev, KMEM_HP_STEP_ADD, rollback, what);
	if (!rc) {
		WRITE_ONCE(kdev->adding, offline);
		rc = add_memory_driver_managed(kdev->mgid, r->start, r->size,
					       kmem_hp_res_name, kdev->mhp_flags);
		WRITE_ONCE(kdev->adding, false);
	}
	if (rc) {
		dev_warn(kdev->dev, "mapping%d: %#llx-%#llx memory add failed: %d\n",
			 i, r->start, r->start + r->size - 1, rc);
		return rc;
	}
	r->added = true;
	kdev->nr_added += kmem_hp_range_blocks(r);
	rc = kmem_hp_collect_range(kdev, r);
	if (rc)
		dev_err(kdev->dev, "mapping%d: %#llx-%#llx added, but its memory blocks cannot be found: %d\n",
			i, r->start, r->start + r->size - 1, rc);
	return rc;
}

/* Remove range @i, whose blocks are all offline. */
static int kmem_hp_remove_range(struct kmem_hp_dev *kdev, int i, bool rollback)
{
	struct kmem_hp_range *r = &kdev->ranges[i];
	char what[16];
	int rc;

	snprintf(what, sizeof(what), "mapping%d", i);
	rc = kmem_hp_fault(kdev, KMEM_HP_STEP_REMOVE, rollback, what);
	if (rc)
		return rc;

	/* remove_memory() waits for the block devices to go: drop ours first. */
	kmem_hp_put_range_blocks(kdev, r);
	rc = remove_memory(r->start, r->size);
	if (rc) {
		dev_warn(kdev->dev, "mapping%d: %#llx-%#llx memory remove failed: %d\n",
			 i, r->start, r->start + r->size - 1, rc);
		/* Still added: take the blocks back for the rollback. */
		kmem_hp_collect_range(kdev, r);
		return rc;
	}
	r->added = false;
	kdev->nr_added -= kmem_hp_range_blocks(r);
	return 0;
}

static bool kmem_hp_range_wanted(struct kmem_hp_range *r, const u8 *want)
{
	unsigned long b, n = kmem_hp_range_blocks(r);

	for (b = r->first_block; b < r->first_block + n; b++)
		if (want[b] != KMEM_HP_UNPLUGGED)
			return true;
	return false;
}

/*
 * The order blocks are walked in (DESIGN.md §2 "Order"). Onlining takes
 * the device's first block, then the others from the last down;
 * offlining is the exact reverse: the second block up to the last, the
 * first block last. Two reasons:
 *  - the zone keeps a hole until the last block of a change, so the
 *    kernel's per-block set_zone_contiguous() rescan (run after every
 *    block by move_pfn_range_to_zone() and remove_pfn_range_from_zone())
 *    stops early instead of growing with the device;
 *  - what the kernel allocates for a block when it goes online (KASAN's
 *    shadow, page tables for it) comes from memory already online, which
 *    in a kernel zone may be the device's own earlier blocks: offlining
 *    in the reverse order frees it before the block holding it is
 *    offlined.
 */
static unsigned long kmem_hp_online_order(struct kmem_hp_dev *kdev, unsigned long pos)
{
	return pos ? kdev->nr_blocks - pos : 0;
}

static unsigned long kmem_hp_offline_order(struct kmem_hp_dev *kdev, unsigned long pos)
{
	return kmem_hp_online_order(kdev, kdev->nr_blocks - 1 - pos);
}

/* The range block @b belongs to (it belongs to a usable one). */
static struct kmem_hp_range *kmem_hp_block_range(struct kmem_hp_dev *kdev,
						 unsigned long b)
{
	int i;

	for (i = 0; i < kdev->nr_ranges; i++) {
		struct kmem_hp_range *r = &kdev->ranges[i];

		if (kmem_hp_range_usable(r) && b >= r->first_block &&
		    b < r->first_block + kmem_hp_range_blocks(r))
			return r;
	}
	return NULL;
}

/* Forward only: has the lock holder asked to stop (a signal it got)? */
static bool kmem_hp_aborted(const bool *abort)
{
	return abort && (READ_ONCE(*abort) || signal_pending(current));
}

/*
 * Bring every block to want[block]. Forward (@rollback false): stop at the
 * first error, and at an abort (-EINTR) between blocks; offline_pages()
 * itself gives up with -EINTR when the worker is signalled. Rollback
 * (@abort NULL, no signal can be pending): go on past errors and return
 * the first one.
 */
static int kmem_hp_apply(struct kmem_hp_dev *kdev, const u8 *want,
			 bool rollback, const bool *abort)
{
	unsigned long b, pos;
	int i, err, rc = 0;

	/* 1: add, offline, every range that must have blocks */
	for (i = 0; i < kdev->nr_ranges; i++) {
		struct kmem_hp_range *r = &kdev->ranges[i];

		if (!kmem_hp_range_usable(r) || r->added ||
		    !kmem_hp_range_wanted(r, want))
			continue;
		if (kmem_hp_aborted(abort))
			return -EINTR;
		err = kmem_hp_add_range(kdev, i, true, rollback);
		if (err && !rollback)
			return err;
		rc = rc ?: err;
	}

	/* 2: offline every online block that is not where it must be */
	for (pos = 0; pos < kdev->nr_blocks; pos++) {
		struct memory_block *mem;
		enum kmem_hp_state cur;

		b = kmem_hp_offline_order(kdev, pos);
		mem = kdev->blocks[b];

		if (!mem)
			continue;
		cur = kmem_hp_block_state(mem);
		if (cur == KMEM_HP_OFFLINE || kmem_hp_satisfied(cur, want[b]))
			continue;
		if (kmem_hp_aborted(abort))
			return -EINTR;
		err = kmem_hp_block_offline(kdev, mem, b, rollback);
		if (err && !rollback)
			return err;
		rc = rc ?: err;
	}

	/* 3: remove every range that must not have blocks */
	for (i = 0; i < kdev->nr_ranges; i++) {
		struct kmem_hp_range *r = &kdev->ranges[i];

		if (!r->added || kmem_hp_range_wanted(r, want))
			continue;
		if (kmem_hp_aborted(abort))
			return -EINTR;
		err = kmem_hp_remove_range(kdev, i, rollback);
		if (err && !rollback)
			return err;
		rc = rc ?: err;
	}

	/* 4: online every offline block that must be online */
	for (pos = 0; pos < kdev->nr_blocks; pos++) {
		struct kmem_hp_range *r;
		struct memory_block *mem;

		b = kmem_hp_online_order(kdev, pos);
		r = kmem_hp_block_range(kdev, b);
		if (!r || !r->added ||
		    want[b] == KMEM_HP_OFFLINE || want[b] == KMEM_HP_UNPLUGGED)
			continue;
		mem = kdev->blocks[b];
		if (!mem) {
			/* Added, but its blocks were not found. */
			rc = rc ?: -ENODEV;
			if (!rollback)
				return rc;
			continue;
		}
		if (kmem_hp_block_state(mem) != KMEM_HP_OFFLINE)
			continue;
		if (kmem_hp_aborted(abort))
			return -EINTR;
		err = kmem_hp_block_online(kdev, mem, b, want[b], rollback);
		if (err && !rollback)
			return err;
		rc = rc ?: err;
	}
	return rc;
}

static void kmem_hp_log_blocks(struct kmem_hp_dev *kdev)
{
	unsigned long bs = kmem_hp_block_bytes();
	int i;

	for (i = 0; i < kdev->nr_ranges; i++) {
		struct kmem_hp_range *r = &kdev->ranges[i];
		unsigned long b, n = kmem_hp_range_blocks(r);

		if (!kmem_hp_range_usable(r))
			continue;
		for (b = 0; b < n; b++)
			dev_err(kdev->dev, "memory%llu: %s\n",
				div_u64(r->start, bs) + b,
				r->added ? kmem_hp_block_state_name(kdev->blocks[r->first_block + b]) :
					   "removed");
	}
}

/**
 * kmem_hp_transition - move every block of the device to @target
 * @kdev: the device
 * @target: UNPLUGGED, OFFLINE, ONLINE, ONLINE_KERNEL or ONLINE_MOVABLE
 * @abort: set by the lock holder to stop the change; NULL if it cannot
 *	be stopped (bind, unbind)
 *
 * Runs in the worker of kmem_hp_set_state(), as kdev->owner. The signal
 * the lock holder forwards with @abort interrupts an offline that never
 * ends; it is flushed before the rollback, which nothing interrupts. A
 * worker without @abort never has a signal.
 *
 * All or nothing: on failure every block is put back where it was (state
 * and zone) and the first error is returned. If even that fails, the
 * kernel log lists every block's state, and reads show the truth
 * (possibly "mixed").
 */
int kmem_hp_transition(struct kmem_hp_dev *kdev, enum kmem_hp_state target,
		       bool *abort)
{
	unsigned long b;
	u8 *want, *orig;
	int i, rc, rb;

	want = kvcalloc(2, kdev->nr_blocks, GFP_KERNEL);
	if (!want)
		return -ENOMEM;
	orig = want + kdev->nr_blocks;

	for (i = 0; i < kdev->nr_ranges; i++) {
		struct kmem_hp_range *r = &kdev->ranges[i];
		unsigned long n = kmem_hp_range_blocks(r);

		if (!kmem_hp_range_usable(r))
			continue;
		for (b = r->first_block; b < r->first_block + n; b++) {
			if (!r->added)
				orig[b] = KMEM_HP_UNPLUGGED;
			else if (!kdev->blocks[b])
				orig[b] = KMEM_HP_OFFLINE;
			else
				orig[b] = kmem_hp_block_state(kdev->blocks[b]);
			/* Put kernel-zone blocks back into a kernel zone, whatever the policy. */
			if (orig[b] == KMEM_HP_ONLINE)
				orig[b] = KMEM_HP_ONLINE_KERNEL;
			want[b] = target;
		}
	}

	rc = kmem_hp_apply(kdev, want, false, abort);
	if (rc) {
		/*
		 * Nothing may stop the rollback: ignore (and drop) the abort
		 * signal from here on, so one forwarded now is lost too.
		 */
		if (abort)
			disallow_signal(KMEM_HP_ABORT_SIGNAL);
		rb = kmem_hp_apply(kdev, orig, true, NULL);
		if (rb) {
			dev_err(kdev->dev, "change to %s failed (%d) and so did the rollback (%d); memory blocks are now:\n",
				kmem_hp_state_names[target], rc, rb);
			kmem_hp_log_blocks(kdev);
		}
	}
	kvfree(want);
	return rc;
}

/*
 * default_state=system: add every range and let the kernel's auto-online
 * policy decide, as kmem does; once some memory is added, a range that
 * fails is skipped (kmem keeps what it could add). Runs in the worker as
 * kdev->owner.
 */
int kmem_hp_add_system(struct kmem_hp_dev *kdev)
{
	int i, rc = 0, mapped = 0;

	for (i = 0; i < kdev->nr_ranges; i++) {
		if (!kdev->ranges[i].res)
			continue;
		rc = kmem_hp_add_range(kdev, i, false, false);
		if (!rc)
			mapped++;
		else if (!mapped)
			break;
	}
	return mapped ? 0 : rc;
}

/**
 * kmem_hp_get_state - the device's state, from its block counts
 * @kdev: the device; caller holds kdev->lock
 *
 * Constant time, whatever the size of the device: the blocks that are
 * not added are unplugged, the added ones offline unless the notifier
 * counted them online (@nr_online, @nr_movable of which in ZONE_MOVABLE).
 * A change another task makes with protect=N may be between its two
 * counts; the device then reads "mixed", which it is at that moment.
 * Returns the state, or -ENODEV if an added range's blocks are unknown.
 */
int kmem_hp_get_state(struct kmem_hp_dev *kdev)
{
	long count[KMEM_HP_NR_STATES] = { 0 };
	long online, movable;
	int state;

	lockdep_assert_held(&kdev->lock);

	if (kdev->nr_kept != kdev->nr_added)
		return -ENODEV;
	online = atomic_read(&kdev->nr_online);
	movable = atomic_read(&kdev->nr_movable);
	count[KMEM_HP_UNPLUGGED] = kdev->nr_blocks - kdev->nr_added;
	count[KMEM_HP_OFFLINE] = kdev->nr_added - online;
	count[KMEM_HP_ONLINE] = online - movable;
	count[KMEM_HP_ONLINE_MOVABLE] = movable;
	for (state = 0; state < KMEM_HP_MIXED; state++)
		if (count[state] == (long)kdev->nr_blocks)
			return state;
	return KMEM_HP_MIXED;
}
