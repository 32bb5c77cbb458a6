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
#include <linux/string.h>
#include <linux/sysfs.h>

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

/* KOBJ_CHANGE on the dax device, carrying KMEM_HP_STATE=<state>. */
void kmem_hp_notify_state(struct kmem_hp_dev *kdev, enum kmem_hp_state state)
{
	char env[32];
	char *envp[2];

	envp[0] = env;
	envp[1] = NULL;
	snprintf(env, sizeof(env), "KMEM_HP_STATE=%s", kmem_hp_state_names[state]);
	kobject_uevent_env(&kdev->dev->kobj, KOBJ_CHANGE, envp);
}

static ssize_t kmem_hp_state_show(struct device *dev, char *buf)
{
	struct kmem_hp_dev *kdev = dev_get_drvdata(dev);
	enum kmem_hp_state state;
	int rc;

	rc = mutex_lock_interruptible(&kdev->lock);
	if (rc)
		return rc;
	state = kmem_hp_get_state(kdev);
	mutex_unlock(&kdev->lock);
	return sysfs_emit(buf, "%s\n", kmem_hp_state_names[state]);
}

static ssize_t kmem_hp_state_store(struct device *dev, const char *buf,
				   size_t count)
{
	struct kmem_hp_dev *kdev = dev_get_drvdata(dev);
	enum kmem_hp_state before, after;
	int target, rc;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	target = kmem_hp_parse_state(buf, count, false);
	if (target < 0)
		return target;

	rc = mutex_lock_interruptible(&kdev->lock);
	if (rc)
		return rc;
	before = kmem_hp_get_state(kdev);
	rc = kmem_hp_set_state(kdev, target);
	after = kmem_hp_get_state(kdev);
	mutex_unlock(&kdev->lock);

	if (rc)
		return rc;
	if (after != before)
		kmem_hp_notify_state(kdev, after);
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
