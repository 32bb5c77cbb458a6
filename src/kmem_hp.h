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
#include <linux/signal.h>
#include <linux/sysfs.h>
#include <linux/types.h>
#include <linux/workqueue.h>

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
 *	(&struct kmem_hp_dev.blocks)
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
 * @res_name: name of the reservations ("daxX.Y"); left to the kernel with
 *	them when memory cannot be removed
 * @node: entry in the notifier's RCU list of managed devices
 * @lock: serialises whole-device transitions (bind, state changes,
 *	unbind), state reads and state uevents; protects @ranges[].res,
 *	@ranges[].added, @blocks and @bind_event_pending. A transition runs
 *	in a worker (a thread or a work item, kmem_hp_job.c) on behalf of
 *	the task holding @lock, which waits for it: the worker uses what
 *	@lock protects as that task's agent
 * @owner: the task running a transition of this device (its worker),
 *	NULL otherwise. Written by the worker while the lock holder waits;
 *	read locklessly by the memory notifier, which runs in the thread
 *	that starts a block change, so comparing with current is exact
 * @adding: @owner is adding memory that must stay offline (the notifier
 *	vetoes the kernel's auto-online). Same rules as @owner
 * @bind_event_pending: the bind-time state uevent is still to be sent;
 *	it goes out (under @lock, before any later state uevent) once the
 *	driver core has created the hotplug attribute
 * @bind_event: sends the bind-time uevent after probe has returned
 * @nr_online: online memory blocks of the device, counted by the notifier
 *	from MEM_ONLINE/MEM_OFFLINE whoever made the change; while it is
 *	not zero the device holds a reference on the module, so rmmod is
 *	refused ("in use") while any managed memory is online
 * @nr_movable: those of @nr_online that are in ZONE_MOVABLE, counted the
 *	same way; @movable says which. With @nr_added and @nr_kept they make
 *	the device's state, so a read costs the same whatever its size
 * @movable: bitmap of @nr_blocks bits, set while a block is online in
 *	ZONE_MOVABLE; written by the notifier only (atomic bit operations)
 * @nr_added: blocks of the added ranges (protected by @lock)
 * @nr_kept: entries of @blocks that hold a block (protected by @lock);
 *	below @nr_added when an added range's blocks could not be found
 * @nr_blocks: memory blocks of all usable ranges
 * @blocks: @nr_blocks memory blocks, indexed like the ranges' blocks; an
 *	entry holds a reference on the block's device while its range is
 *	added and is NULL otherwise. Transitions use these, never a walk
 *	of the memory bus
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
	bool bind_event_pending;
	struct delayed_work bind_event;
	atomic_t nr_online;
	atomic_t nr_movable;
	unsigned long *movable;
	unsigned long nr_added;
	unsigned long nr_kept;
	unsigned long nr_blocks;
	struct memory_block **blocks;
	int nr_ranges;
	struct kmem_hp_range ranges[];
};

/*
 * The steps of a transition, each of which can be made to fail on demand
 * (kmem_hp_fault.c) on kernels with CONFIG_FAULT_INJECTION_DEBUG_FS.
 */
enum kmem_hp_step {
	KMEM_HP_STEP_ADD,	/* per range */
	KMEM_HP_STEP_OFFLINE,	/* per block */
	KMEM_HP_STEP_REMOVE,	/* per range */
	KMEM_HP_STEP_ONLINE,	/* per block */
	KMEM_HP_STEP_ZONE,	/* per block: the zone check after an online */
	KMEM_HP_NR_STEPS,
};

/* kmem_hp.c: name of the added memory resource ("System RAM (kmem)") */
extern const char *kmem_hp_res_name;
bool kmem_hp_owns_driver(const struct device_driver *drv);

/* kmem_hp_dax.c: reading the (private, vendored) dax structures */
int kmem_hp_dax_validate(struct dev_dax *dev_dax);
int kmem_hp_dax_range(struct dev_dax *dev_dax, int i, struct range *aligned);

/* kmem_hp_blocks.c: memory blocks and whole-device transitions */
int kmem_hp_add_system(struct kmem_hp_dev *kdev);
int kmem_hp_transition(struct kmem_hp_dev *kdev, enum kmem_hp_state target,
		       bool *abort);
int kmem_hp_get_state(struct kmem_hp_dev *kdev);
void kmem_hp_put_blocks(struct kmem_hp_dev *kdev);
bool kmem_hp_any_added(struct kmem_hp_dev *kdev);

/*
 * kmem_hp_job.c: transitions run by a worker thread. The lock holder
 * forwards a signal it gets to the worker as this signal, which the
 * worker accepts only until its rollback starts.
 */
#define KMEM_HP_ABORT_SIGNAL	SIGINT

int kmem_hp_set_state(struct kmem_hp_dev *kdev, enum kmem_hp_state target,
		      bool abortable);
int kmem_hp_bind_add(struct kmem_hp_dev *kdev, int state);
int kmem_hp_job_init(void);
void kmem_hp_job_exit(void);

/* kmem_hp_sysfs.c: the hotplug/state attributes and the state names */
extern const struct attribute_group *kmem_hp_dev_groups[];
extern const char * const kmem_hp_state_names[KMEM_HP_NR_STATES];
int kmem_hp_parse_state(const char *buf, size_t count, bool allow_system);
void kmem_hp_notify_state(struct kmem_hp_dev *kdev, enum kmem_hp_state state);
void kmem_hp_flush_bind_event(struct kmem_hp_dev *kdev);
void kmem_hp_bind_event_fn(struct work_struct *work);
int kmem_hp_bind_events_init(struct device_driver *drv);
void kmem_hp_bind_events_exit(void);

/* kmem_hp_bind_state.c: per-device bind states (a driver attribute) */
extern const struct attribute_group *kmem_hp_drv_groups[];
int kmem_hp_take_bind_state(const char *name, int dflt);
void kmem_hp_bind_states_exit(void);

/* kmem_hp_notifier.c: the memory notifier and the managed-device list */
int kmem_hp_notifier_init(void);
void kmem_hp_notifier_exit(void);
void kmem_hp_publish(struct kmem_hp_dev *kdev);
void kmem_hp_unpublish(struct kmem_hp_dev *kdev);

/* kmem_hp_hotplug_lock.c: the kernel's device_hotplug_lock */
int kmem_hp_hotplug_lock_init(void);
void kmem_hp_lock_device_hotplug(void);
void kmem_hp_unlock_device_hotplug(void);

/* kmem_hp_fault.c: fault injection at every step (debug kernels only) */
#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
int kmem_hp_fault_init(void);
void kmem_hp_fault_exit(void);
int kmem_hp_fault(struct kmem_hp_dev *kdev, enum kmem_hp_step step,
		  bool rollback, const char *what);
#else
static inline int kmem_hp_fault_init(void)
{
	return 0;
}

static inline void kmem_hp_fault_exit(void)
{
}

static inline int kmem_hp_fault(struct kmem_hp_dev *kdev, enum kmem_hp_step step,
				bool rollback, const char *what)
{
	return 0;
}
#endif

#endif /* KMEM_HP_H */
