// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmem_hp: the per-device hotplug/state attributes and the state uevent.
 *
 * /sys/bus/dax/devices/daxX.Y/hotplug, and the same file under the name
 * the upstream series chose, state. They come with the driver's
 * dev_groups, so they exist exactly while kmem_hp is bound and the
 * driver core removes them (draining readers and writers) before
 * kmem_hp_remove() runs.
 */
#include <linux/capability.h>
#include <linux/device.h>
#include <linux/kobject.h>
#include <linux/notifier.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>

#include "kmem_hp.h"

const char * const kmem_hp_state_names[KMEM_HP_NR_STATES] = {
	[KMEM_HP_UNPLUGGED] = "unplugged",
	[KMEM_HP_OFFLINE] = "offline",
	[KMEM_HP_ONLINE] = "online",
	[KMEM_HP_ONLINE_KERNEL] = "online_kernel",
	[KMEM_HP_ONLINE_MOVABLE] = "online_movable",
	[KMEM_HP_MIXED] = "mixed",
	[KMEM_HP_SYSTEM] = "system",
};

/**
 * kmem_hp_parse_state - parse a written state
 * @buf: the bytes written (need not be NUL terminated at @count)
 * @count: their number
 * @allow_system: accept "system" (default_state only)
 *
 * Exactly one value, optionally followed by one newline; no other
 * whitespace, no case folding, no NUL. "unplug" is an alias of
 * "unplugged". Returns the state or -EINVAL.
 */
int kmem_hp_parse_state(const char *buf, size_t count, bool allow_system)
{
	int state;

	if (count && buf[count - 1] == '\n')
		count--;
	if (count == strlen("unplug") && !memcmp(buf, "unplug", count))
		return KMEM_HP_UNPLUGGED;
	for (state = 0; state < KMEM_HP_NR_STATES; state++) {
		const char *name = kmem_hp_state_names[state];

		if (state == KMEM_HP_MIXED ||
		    (state == KMEM_HP_SYSTEM && !allow_system))
			continue;
		if (count == strlen(name) && !memcmp(buf, name, count))
			return state;
	}
	return -EINVAL;
}

/*
 * KOBJ_CHANGE on the dax device, carrying KMEM_HP_STATE=<state>. Sent with
 * kdev->lock held, so that the events of two writers arrive in the order
 * of their changes.
 */
void kmem_hp_notify_state(struct kmem_hp_dev *kdev, enum kmem_hp_state state)
{
	char env[32];
	char *envp[2];

	lockdep_assert_held(&kdev->lock);

	envp[0] = env;
	envp[1] = NULL;
	snprintf(env, sizeof(env), "KMEM_HP_STATE=%s", kmem_hp_state_names[state]);
	kobject_uevent_env(&kdev->dev->kobj, KOBJ_CHANGE, envp);
}

/*
 * Send the bind-time state uevent if it is still pending; caller holds
 * kdev->lock and the hotplug attribute exists. Every later state uevent
 * goes out after this one.
 */
void kmem_hp_flush_bind_event(struct kmem_hp_dev *kdev)
{
	int state;

	lockdep_assert_held(&kdev->lock);

	if (!kdev->bind_event_pending)
		return;
	kdev->bind_event_pending = false;
	state = kmem_hp_get_state(kdev);
	if (state >= 0)
		kmem_hp_notify_state(kdev, state);
}

/*
 * The bind-time uevent. The driver core creates the driver's dev_groups
 * (hotplug, state) after probe returns and then announces the binding on
 * the bus notifier chain (driver_bound(): BUS_NOTIFY_BOUND_DRIVER), in
 * the binding task with the dax device's lock held: the event is sent
 * from there, before the bind returns, and udev rules that test
 * ATTR{hotplug} see the file. Devices bound while kmem_hp registers (its
 * notifier can only be registered once the dax bus is known, i.e. after
 * the driver is) get it from the work probe schedules, which waits until
 * it can take the device lock, i.e. until the driver core is done;
 * remove() cancels the work with that lock held, which is why the work
 * only tries the lock and comes back later. Whichever comes first sends
 * the event (kmem_hp_flush_bind_event()), the other finds nothing to do.
 */
void kmem_hp_bind_event_fn(struct work_struct *work)
{
	struct kmem_hp_dev *kdev = container_of(to_delayed_work(work),
						struct kmem_hp_dev, bind_event);

	if (!device_trylock(kdev->dev)) {
		schedule_delayed_work(&kdev->bind_event, 1);
		return;
	}
	mutex_lock(&kdev->lock);
	kmem_hp_flush_bind_event(kdev);
	mutex_unlock(&kdev->lock);
	device_unlock(kdev->dev);
}

/* One of kmem_hp's dax drivers; its bus is the dax bus. */
static struct device_driver *kmem_hp_bus_driver;

static int kmem_hp_bus_cb(struct notifier_block *nb, unsigned long action,
			  void *data)
{
	struct device *dev = data;
	struct kmem_hp_dev *kdev;

	if (action != BUS_NOTIFY_BOUND_DRIVER || !kmem_hp_owns_driver(dev->driver))
		return NOTIFY_DONE;
	kdev = dev_get_drvdata(dev);
	mutex_lock(&kdev->lock);
	kmem_hp_flush_bind_event(kdev);
	mutex_unlock(&kdev->lock);
	return NOTIFY_OK;
}

static struct notifier_block kmem_hp_bus_nb = {
	.notifier_call = kmem_hp_bus_cb,
};

/* After kmem_hp's dax driver @drv is registered (drv->bus is set). */
int kmem_hp_bind_events_init(struct device_driver *drv)
{
	kmem_hp_bus_driver = drv;
	return bus_register_notifier(drv->bus, &kmem_hp_bus_nb);
}

void kmem_hp_bind_events_exit(void)
{
	bus_unregister_notifier(kmem_hp_bus_driver->bus, &kmem_hp_bus_nb);
}

static ssize_t kmem_hp_state_show(struct device *dev, char *buf)
{
	struct kmem_hp_dev *kdev = dev_get_drvdata(dev);
	int state;

	state = mutex_lock_interruptible(&kdev->lock);
	if (state)
		return state;
	state = kmem_hp_get_state(kdev);
	mutex_unlock(&kdev->lock);
	if (state < 0)
		return state;
	return sysfs_emit(buf, "%s\n", kmem_hp_state_names[state]);
}

static ssize_t kmem_hp_state_store(struct device *dev, const char *buf,
				   size_t count)
{
	struct kmem_hp_dev *kdev = dev_get_drvdata(dev);
	int target, before, after, rc;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	target = kmem_hp_parse_state(buf, count, false);
	if (target < 0)
		return target;

	rc = mutex_lock_interruptible(&kdev->lock);
	if (rc)
		return rc;
	kmem_hp_flush_bind_event(kdev);
	before = kmem_hp_get_state(kdev);
	rc = kmem_hp_set_state(kdev, target, true);
	after = kmem_hp_get_state(kdev);
	if (!rc && after >= 0 && after != before)
		kmem_hp_notify_state(kdev, after);
	mutex_unlock(&kdev->lock);

	if (rc)
		return rc;
	/* The full count: a short one would make echo write the rest again. */
	return count;
}

static ssize_t hotplug_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return kmem_hp_state_show(dev, buf);
}

static ssize_t hotplug_store(struct device *dev, struct device_attribute *attr,
			     const char *buf, size_t count)
{
	return kmem_hp_state_store(dev, buf, count);
}
static DEVICE_ATTR_RW(hotplug);

static ssize_t state_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	return kmem_hp_state_show(dev, buf);
}

static ssize_t state_store(struct device *dev, struct device_attribute *attr,
			   const char *buf, size_t count)
{
	return kmem_hp_state_store(dev, buf, count);
}
static DEVICE_ATTR_RW(state);

static struct attribute *kmem_hp_attrs[] = {
	&dev_attr_hotplug.attr,
	&dev_attr_state.attr,
	NULL,
};

static const struct attribute_group kmem_hp_attr_group = {
	.attrs = kmem_hp_attrs,
};

const struct attribute_group *kmem_hp_dev_groups[] = {
	&kmem_hp_attr_group,
	NULL,
};
