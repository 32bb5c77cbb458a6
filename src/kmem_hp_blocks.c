// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmem_hp: memory blocks of a device and whole-device transitions.
 *
 * Only exported symbols are used. A block is onlined or offlined the way
 * device_online()/device_offline() do it, through the memory bus's own
 * online/offline callbacks (address-taken, so callable under IBT), with
 * the online type set first as state_store() does. The device's blocks
 * are found with one walk of the memory bus.
 *
 * A transition computes what every block must become, applies it in four
 * steps (add ranges offline, offline blocks, remove ranges, online
 * blocks) and, on any failure, applies the snapshot taken before it the
 * same way, so the device ends up where it started.
 *
 * Locking: the caller holds kmem_hp_dev.lock for the whole transition.
 * Each block change takes the block's device lock, as device_online()
 * does; add_memory_driver_managed() and remove_memory() take
 * device_hotplug_lock themselves, and the memory notifier runs inside
 * them and inside the bus callbacks with mem_hotplug_lock held for write
 * (see kmem_hp_notifier.c). kmem_hp does not take device_hotplug_lock
 * (not exported): a racing memoryN/state writer can change a block's
 * online type under us, which is why the zone is verified after every
 * online, and protect=Y vetoes that writer's own attempt.
 */
#include <linux/device.h>
#include <linux/memory.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "kmem_hp.h"

/* One transition's view of the device's blocks. */
struct kmem_hp_walk {
	struct kmem_hp_dev *kdev;
	struct memory_block **mem;	/* per block; NULL: range not added */
};

static unsigned long kmem_hp_block_bytes(void)
{
	return memory_block_size_bytes();
}

/*
 * A memory block device of range @r (which is added), to reach the
 * memory bus through; with a reference, or NULL.
 */
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

static int kmem_hp_collect_one(struct device *dev, void *data)
{
	struct kmem_hp_walk *walk = data;
	struct kmem_hp_dev *kdev = walk->kdev;
	struct memory_block *mem = container_of(dev, struct memory_block, dev);
	u64 phys = PFN_PHYS(section_nr_to_pfn(mem->start_section_nr));
	int i;

	for (i = 0; i < kdev->nr_ranges; i++) {
		struct kmem_hp_range *r = &kdev->ranges[i];
		unsigned long b;

		if (!r->added || phys < r->start || phys >= r->start + r->size)
			continue;
		b = r->first_block + div_u64(phys - r->start, kmem_hp_block_bytes());
		if (!walk->mem[b]) {
			get_device(dev);
			walk->mem[b] = mem;
		}
		break;
	}
	return 0;
}

static bool kmem_hp_any_added(struct kmem_hp_dev *kdev)
{
	int i;

	for (i = 0; i < kdev->nr_ranges; i++)
		if (kdev->ranges[i].added)
			return true;
	return false;
}

static void kmem_hp_release_blocks(struct kmem_hp_walk *walk)
{
	unsigned long b;

	for (b = 0; b < walk->kdev->nr_blocks; b++) {
		if (walk->mem[b])
			put_device(&walk->mem[b]->dev);
		walk->mem[b] = NULL;
	}
}

/*
 * (Re)fill walk->mem with the blocks of every added range, one reference
 * each. -ENODEV if a block of an added range is missing.
 */
static int kmem_hp_collect_blocks(struct kmem_hp_walk *walk)
{
	struct kmem_hp_dev *kdev = walk->kdev;
	struct device *block = NULL;
	unsigned long b;
	int i, rc;

	kmem_hp_release_blocks(walk);
	for (i = 0; i < kdev->nr_ranges && !block; i++)
		if (kdev->ranges[i].added)
			block = kmem_hp_find_block(kdev, &kdev->ranges[i]);
	if (!block)
		return kmem_hp_any_added(kdev) ? -ENODEV : 0;

	rc = bus_for_each_dev(block->bus, NULL, walk, kmem_hp_collect_one);
	put_device(block);
	if (rc)
		return rc;
	for (i = 0; i < kdev->nr_ranges; i++) {
		struct kmem_hp_range *r = &kdev->ranges[i];
		unsigned long n = div_u64(r->size, kmem_hp_block_bytes());

		if (!r->added)
			continue;
		for (b = r->first_block; b < r->first_block + n; b++)
			if (!walk->mem[b])
				return -ENODEV;
	}
	return 0;
}

/* Current state of one block: OFFLINE, ONLINE (kernel zone) or ONLINE_MOVABLE. */
static enum kmem_hp_state kmem_hp_block_state(struct memory_block *mem)
{
	enum kmem_hp_state state = KMEM_HP_OFFLINE;

	device_lock(&mem->dev);
	if (mem->state == MEM_ONLINE)
		state = mem->zone && zone_idx(mem->zone) == ZONE_MOVABLE ?
			KMEM_HP_ONLINE_MOVABLE : KMEM_HP_ONLINE;
	device_unlock(&mem->dev);
	return state;
}

static const char *kmem_hp_block_state_name(struct memory_block *mem)
{
	return mem ? kmem_hp_state_names[kmem_hp_block_state(mem)] : "removed";
}

/* Does a block in state @cur satisfy @want? */
static bool kmem_hp_satisfied(enum kmem_hp_state cur, enum kmem_hp_state want)
{
	if (want == KMEM_HP_ONLINE_KERNEL)
		want = KMEM_HP_ONLINE;
	return cur == want;
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

/* device_online() with an online type, as state_store() does it. */
static int kmem_hp_block_online(struct memory_block *mem, enum kmem_hp_state want)
{
	struct device *dev = &mem->dev;
	int rc = 0;

	device_lock(dev);
	if (kmem_hp_dev_offline(dev)) {
		mem->online_type = kmem_hp_online_type(want);
		rc = dev->bus->online(dev);
		if (!rc) {
			kobject_uevent(&dev->kobj, KOBJ_ONLINE);
			kmem_hp_dev_set_offline(dev, false);
		}
	}
	device_unlock(dev);
	if (rc)
		return rc;

	/* An online type written concurrently through memoryN/state wins the race. */
	if (want != KMEM_HP_ONLINE &&
	    !kmem_hp_satisfied(kmem_hp_block_state(mem), want))
		return -EBUSY;
	return 0;
}

/* device_offline() of one memory block (it has no children). */
static int kmem_hp_block_offline(struct memory_block *mem)
{
	struct device *dev = &mem->dev;
	int rc = 0;

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
	return rc;
}

/*
 * Add range @i. With @offline the notifier vetoes the kernel's
 * auto-online, so every block stays offline whatever the policy says;
 * without it the policy decides (default_state=system). Caller holds
 * kdev->lock and is kdev->owner.
 */
int kmem_hp_add_range(struct kmem_hp_dev *kdev, int i, bool offline)
{
	struct kmem_hp_range *r = &kdev->ranges[i];
	int rc;

	WRITE_ONCE(kdev->adding, offline);
	rc = add_memory_driver_managed(kdev->mgid, r->start, r->size,
				       kmem_hp_res_name, kdev->mhp_flags);
	WRITE_ONCE(kdev->adding, false);
	if (rc) {
		dev_warn(kdev->dev, "mapping%d: %#llx-%#llx memory add failed: %d\n",
			 i, r->start, r->start + r->size - 1, rc);
		return rc;
	}
	r->added = true;
	return 0;
}

static int kmem_hp_remove_range(struct kmem_hp_walk *walk, int i)
{
	struct kmem_hp_dev *kdev = walk->kdev;
	struct kmem_hp_range *r = &kdev->ranges[i];
	unsigned long b, n = div_u64(r->size, kmem_hp_block_bytes());
	int rc;

	for (b = r->first_block; b < r->first_block + n; b++) {
		if (walk->mem[b])
			put_device(&walk->mem[b]->dev);
		walk->mem[b] = NULL;
	}
	rc = remove_memory(r->start, r->size);
	if (rc) {
		dev_warn(kdev->dev, "mapping%d: %#llx-%#llx memory remove failed: %d\n",
			 i, r->start, r->start + r->size - 1, rc);
		return rc;
	}
	r->added = false;
	return 0;
}

static bool kmem_hp_range_wanted(struct kmem_hp_dev *kdev, int i,
				 const u8 *want)
{
	struct kmem_hp_range *r = &kdev->ranges[i];
	unsigned long b, n = div_u64(r->size, kmem_hp_block_bytes());

	for (b = r->first_block; b < r->first_block + n; b++)
		if (want[b] != KMEM_HP_UNPLUGGED)
			return true;
	return false;
}

static bool kmem_hp_range_usable(struct kmem_hp_range *r)
{
	return r->size && r->res;
}

/*
 * Bring every block to want[block]. Forward (@rollback false): stop at the
 * first error, and at a pending signal (-EINTR) between blocks. Rollback:
 * go on past errors and return the first one.
 */
static int kmem_hp_apply(struct kmem_hp_walk *walk, const u8 *want, bool rollback)
{
	struct kmem_hp_dev *kdev = walk->kdev;
	unsigned long b;
	int i, err, rc = 0;

	/* 1: add, offline, every range that must have blocks */
	for (i = 0; i < kdev->nr_ranges; i++) {
		struct kmem_hp_range *r = &kdev->ranges[i];

		if (!kmem_hp_range_usable(r) || r->added ||
		    !kmem_hp_range_wanted(kdev, i, want))
			continue;
		err = kmem_hp_add_range(kdev, i, true);
		if (err && !rollback)
			return err;
		rc = rc ?: err;
	}
	err = kmem_hp_collect_blocks(walk);
	if (err && !rollback)
		return err;
	rc = rc ?: err;

	/* 2: offline every online block that is not where it must be */
	for (b = 0; b < kdev->nr_blocks; b++) {
		struct memory_block *mem = walk->mem[b];
		enum kmem_hp_state cur;

		if (!mem)
			continue;
		cur = kmem_hp_block_state(mem);
		if (cur == KMEM_HP_OFFLINE || kmem_hp_satisfied(cur, want[b]))
			continue;
		if (!rollback && signal_pending(current))
			return -EINTR;
		err = kmem_hp_block_offline(mem);
		if (err && !rollback)
			return err;
		rc = rc ?: err;
	}

	/* 3: remove every range that must not have blocks */
	for (i = 0; i < kdev->nr_ranges; i++) {
		if (!kdev->ranges[i].added || kmem_hp_range_wanted(kdev, i, want))
			continue;
		err = kmem_hp_remove_range(walk, i);
		if (err && !rollback)
			return err;
		rc = rc ?: err;
	}

	/* 4: online every offline block that must be online */
	for (b = 0; b < kdev->nr_blocks; b++) {
		struct memory_block *mem = walk->mem[b];

		if (!mem || want[b] == KMEM_HP_OFFLINE ||
		    want[b] == KMEM_HP_UNPLUGGED ||
		    kmem_hp_block_state(mem) != KMEM_HP_OFFLINE)
			continue;
		if (!rollback && signal_pending(current))
			return -EINTR;
		err = kmem_hp_block_online(mem, want[b]);
		if (err && !rollback)
			return err;
		rc = rc ?: err;
	}
	return rc;
}

static void kmem_hp_log_blocks(struct kmem_hp_walk *walk)
{
	struct kmem_hp_dev *kdev = walk->kdev;
	unsigned long bs = kmem_hp_block_bytes();
	int i;

	for (i = 0; i < kdev->nr_ranges; i++) {
		struct kmem_hp_range *r = &kdev->ranges[i];
		unsigned long b, n = div_u64(r->size, bs);

		if (!kmem_hp_range_usable(r))
			continue;
		for (b = 0; b < n; b++)
			dev_err(kdev->dev, "memory%llu: %s\n",
				div_u64(r->start, bs) + b,
				kmem_hp_block_state_name(walk->mem[r->first_block + b]));
	}
}

/**
 * kmem_hp_set_state - move every block of the device to @target
 * @kdev: the device; caller holds kdev->lock
 * @target: UNPLUGGED, OFFLINE, ONLINE, ONLINE_KERNEL or ONLINE_MOVABLE
 *
 * All or nothing: on failure every block is put back where it was and
 * the first error is returned. If even that fails, the kernel log lists
 * every block's state, and reads show the truth (possibly "mixed").
 */
int kmem_hp_set_state(struct kmem_hp_dev *kdev, enum kmem_hp_state target)
{
	struct kmem_hp_walk walk = { .kdev = kdev };
	unsigned long b;
	u8 *want, *orig;
	int rc, rb;

	lockdep_assert_held(&kdev->lock);

	walk.mem = kvcalloc(kdev->nr_blocks, sizeof(*walk.mem), GFP_KERNEL);
	want = kvcalloc(2, kdev->nr_blocks, GFP_KERNEL);
	rc = -ENOMEM;
	if (!walk.mem || !want)
		goto out_free;
	orig = want + kdev->nr_blocks;

	rc = kmem_hp_collect_blocks(&walk);
	if (rc)
		goto out_free;
	for (b = 0; b < kdev->nr_blocks; b++) {
		orig[b] = walk.mem[b] ? kmem_hp_block_state(walk.mem[b]) :
					KMEM_HP_UNPLUGGED;
		want[b] = target;
	}

	WRITE_ONCE(kdev->owner, current);
	rc = kmem_hp_apply(&walk, want, false);
	if (rc) {
		rb = kmem_hp_apply(&walk, orig, true);
		if (rb) {
			dev_err(kdev->dev, "change to %s failed (%d) and so did the rollback (%d); memory blocks are now:\n",
				kmem_hp_state_names[target], rc, rb);
			kmem_hp_log_blocks(&walk);
		}
	}
	WRITE_ONCE(kdev->owner, NULL);

	kmem_hp_release_blocks(&walk);
out_free:
	kvfree(want);
	kvfree(walk.mem);
	return rc;
}

/**
 * kmem_hp_get_state - the device's state, derived from its blocks
 * @kdev: the device; caller holds kdev->lock
 */
enum kmem_hp_state kmem_hp_get_state(struct kmem_hp_dev *kdev)
{
	struct kmem_hp_walk walk = { .kdev = kdev };
	unsigned long b, count[KMEM_HP_NR_STATES] = { 0 };
	enum kmem_hp_state state = KMEM_HP_MIXED;

	lockdep_assert_held(&kdev->lock);

	walk.mem = kvcalloc(kdev->nr_blocks, sizeof(*walk.mem), GFP_KERNEL);
	if (!walk.mem)
		return KMEM_HP_MIXED;
	if (!kmem_hp_collect_blocks(&walk)) {
		for (b = 0; b < kdev->nr_blocks; b++)
			count[walk.mem[b] ? kmem_hp_block_state(walk.mem[b]) :
					    KMEM_HP_UNPLUGGED]++;
		for (state = 0; state < KMEM_HP_MIXED; state++)
			if (count[state] == kdev->nr_blocks)
				break;
	}
	kmem_hp_release_blocks(&walk);
	kvfree(walk.mem);
	return state;
}
