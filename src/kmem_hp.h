/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmem_hp: whole-device hotplug control of dax device memory.
 */
#ifndef KMEM_HP_H
#define KMEM_HP_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/memory_hotplug.h>
#include <linux/mutex.h>
#include <linux/range.h>
#include <linux/sysfs.h>
#include <linux/types.h>

struct dev_dax;
struct dax_device_driver;
struct memory_dev_type;
struct resource;
struct task_struct;

/* More ranges than this means the dax layout read is not what we expect. */
#define KMEM_HP_MAX_RANGES	256

/*
 * Device states (the hotplug/state sysfs ABI), also used per memory block:
 * UNPLUGGED = the block does not exist, ONLINE = online in a kernel zone.
 */
enum kmem_hp_state {
	KMEM_HP_UNPLUGGED,
	KMEM_HP_OFFLINE,
	KMEM_HP_ONLINE,		/* write: online, zone of the kernel's choice */
	KMEM_HP_ONLINE_KERNEL,	/* write only: online in a kernel zone */
	KMEM_HP_ONLINE_MOVABLE,
	KMEM_HP_MIXED,		/* read only: blocks disagree */
	KMEM_HP_SYSTEM,		/* default_state only: the kernel's policy */
	KMEM_HP_NR_STATES,
};

/**
 * struct kmem_hp_range - one range of a dax device, as kmem_hp hot-plugs it
 * @start: first byte, rounded up to the memory block size
 * @size: length rounded down to whole memory blocks; 0 if nothing of the
 *	range is block aligned (the range is never used)
 * @first_block: index of the range's first block among the device's blocks
 * @res: the "daxX.Y" reservation of [@start, @start + @size), held while
 *	the device is bound; NULL if the range could not be reserved (and
 *	is then never used)
 * @added: memory blocks exist for the range (added, not yet removed)
 *
 * @res and @added are protected by &struct kmem_hp_dev.lock; the rest is
 * set at bind before the device is published.
 */
struct kmem_hp_range {
	u64 start;
	u64 size;
	unsigned long first_block;
	struct resource *res;
	bool added;
};

/**
 * struct kmem_hp_dev - per bound dax device (drvdata of the dax device)
 * @dev: the dax device
 * @nid: NUMA node the memory is added to (the dax target node)
 * @mgid: static memory group of all the device's memory
 * @mhp_flags: flags of every add (memory group, memmap_on_memory as the
 *	device said at bind)
 * @mtype: memory tier type attached to @nid for this device
 * @res_name: name of the reservations ("daxX.Y"); leaked with them when
 *	memory cannot be removed
 * @node: entry in the notifier's RCU list of managed devices
 * @lock: serialises whole-device transitions (bind, state changes,
 *	unbind) and state reads; protects @ranges[].res and
 *	@ranges[].added
 * @owner: the task running a transition of this device, NULL otherwise.
 *	Written under @lock; read locklessly by the memory notifier, which
 *	runs in the thread that starts a block change, so comparing with
 *	current is exact
 * @adding: @owner is adding memory that must stay offline (the notifier
 *	vetoes the kernel's auto-online). Same rules as @owner
 * @nr_online: online memory blocks of the device, counted by the notifier
 *	from MEM_ONLINE/MEM_OFFLINE whoever made the change; while it is
 *	not zero the device holds a reference on the module, so rmmod is
 *	refused ("in use") while any managed memory is online
 * @nr_blocks: memory blocks of all usable ranges
 * @nr_ranges: entries in @ranges (the dax device's nr_range)
 * @ranges: the device's ranges
 *
 * Everything not said otherwise is set at bind and constant until unbind.
 */
struct kmem_hp_dev {
	struct device *dev;
	int nid;
	int mgid;
	mhp_t mhp_flags;
	struct memory_dev_type *mtype;
	const char *res_name;
	struct list_head node;
	struct mutex lock;
	struct task_struct *owner;
	bool adding;
	atomic_t nr_online;
	unsigned long nr_blocks;
	int nr_ranges;
	struct kmem_hp_range ranges[];
};

/* kmem_hp.c: name of the added memory resource ("System RAM (kmem)") */
extern const char *kmem_hp_res_name;

/* kmem_hp_dax.c: reading the (private, vendored) dax structures */
int kmem_hp_dax_validate(struct dev_dax *dev_dax,
			 struct dax_device_driver *drv);
int kmem_hp_dax_range(struct dev_dax *dev_dax, int i, struct range *aligned);

/* kmem_hp_blocks.c: memory blocks and whole-device transitions */
int kmem_hp_add_range(struct kmem_hp_dev *kdev, int i, bool offline);
int kmem_hp_set_state(struct kmem_hp_dev *kdev, enum kmem_hp_state target);
enum kmem_hp_state kmem_hp_get_state(struct kmem_hp_dev *kdev);

/* kmem_hp_sysfs.c: the hotplug/state attributes and the state names */
extern const struct attribute_group *kmem_hp_dev_groups[];
extern const char * const kmem_hp_state_names[KMEM_HP_NR_STATES];
int kmem_hp_parse_state(const char *buf, size_t count, bool allow_system);
void kmem_hp_notify_state(struct kmem_hp_dev *kdev, enum kmem_hp_state state);

/* kmem_hp_notifier.c: the memory notifier and the managed-device list */
int kmem_hp_notifier_init(void);
void kmem_hp_notifier_exit(void);
void kmem_hp_publish(struct kmem_hp_dev *kdev);
void kmem_hp_unpublish(struct kmem_hp_dev *kdev);

#endif /* KMEM_HP_H */
