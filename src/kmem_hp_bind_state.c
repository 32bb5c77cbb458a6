// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmem_hp: per-device bind states.
 *
 * /sys/bus/dax/drivers/kmem_hp/bind_state lets one named device be bound
 * into a chosen state without touching the global default_state, which
 * every other bind (udev, a second front end) reads at the same time.
 * Writing "daxX.Y STATE" queues STATE (system, unplugged, offline, online,
 * online_kernel or online_movable) for daxX.Y, replacing what was queued
 * for it; "daxX.Y default" drops the entry. The next probe of daxX.Y by
 * kmem_hp takes the entry, whether the bind then succeeds or not, and
 * uses it instead of default_state. Reading lists the queued entries,
 * one "daxX.Y STATE" per line. Entries live until taken, dropped, or the
 * module is unloaded.
 */
#include <linux/capability.h>
#include <linux/device.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "kmem_hp.h"

/* A queue longer than this is a bug in whoever writes it: -ENOSPC. */
#define KMEM_HP_MAX_BIND_STATES	256
/* "dax" + two ints + "." + NUL */
#define KMEM_HP_DEV_NAME_LEN	32

struct kmem_hp_bind_state {
	struct list_head node;
	int state;
	char name[KMEM_HP_DEV_NAME_LEN];
};

/* Protects kmem_hp_bind_states and kmem_hp_nr_bind_states. */
static DEFINE_MUTEX(kmem_hp_bind_states_lock);
static LIST_HEAD(kmem_hp_bind_states);
static unsigned int kmem_hp_nr_bind_states;

static struct kmem_hp_bind_state *kmem_hp_find_bind_state(const char *name)
{
	struct kmem_hp_bind_state *e;

	lockdep_assert_held(&kmem_hp_bind_states_lock);

	list_for_each_entry(e, &kmem_hp_bind_states, node)
		if (!strcmp(e->name, name))
			return e;
	return NULL;
}

static void kmem_hp_drop_bind_state(struct kmem_hp_bind_state *e)
{
	lockdep_assert_held(&kmem_hp_bind_states_lock);

	list_del(&e->node);
	kmem_hp_nr_bind_states--;
	kfree(e);
}

/**
 * kmem_hp_take_bind_state - the state to bind device @name into
 * @name: the dax device's name
 * @dflt: default_state, used when nothing is queued for @name
 *
 * Called by probe; the entry is consumed.
 */
int kmem_hp_take_bind_state(const char *name, int dflt)
{
	struct kmem_hp_bind_state *e;
	int state = dflt;

	mutex_lock(&kmem_hp_bind_states_lock);
	e = kmem_hp_find_bind_state(name);
	if (e) {
		state = e->state;
		kmem_hp_drop_bind_state(e);
	}
	mutex_unlock(&kmem_hp_bind_states_lock);
	return state;
}

/*
 * Copy @len bytes at @name to @buf if they are a dax device name as the
 * dax bus writes it, "daxX.Y" (decimal, no sign or leading zero).
 */
static bool kmem_hp_dax_dev_name(char buf[KMEM_HP_DEV_NAME_LEN],
				 const char *name, size_t len)
{
	char canonical[KMEM_HP_DEV_NAME_LEN], extra;
	unsigned int region, id;

	if (len >= KMEM_HP_DEV_NAME_LEN)
		return false;
	memcpy(buf, name, len);
	buf[len] = '\0';
	if (sscanf(buf, "dax%u.%u%c", &region, &id, &extra) != 2)
		return false;
	snprintf(canonical, sizeof(canonical), "dax%u.%u", region, id);
	return !strcmp(buf, canonical);
}

static ssize_t bind_state_show(struct device_driver *drv, char *buf)
{
	struct kmem_hp_bind_state *e;
	int len = 0;

	mutex_lock(&kmem_hp_bind_states_lock);
	list_for_each_entry(e, &kmem_hp_bind_states, node)
		len += sysfs_emit_at(buf, len, "%s %s\n", e->name,
				     kmem_hp_state_names[e->state]);
	mutex_unlock(&kmem_hp_bind_states_lock);
	return len;
}

static ssize_t bind_state_store(struct device_driver *drv, const char *buf,
				size_t count)
{
	struct kmem_hp_bind_state *e, *new = NULL;
	char name[KMEM_HP_DEV_NAME_LEN];
	const char *space, *value;
	size_t name_len, value_len;
	int state = -1, rc = 0;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;

	space = memchr(buf, ' ', count);
	if (!space)
		return -EINVAL;
	name_len = space - buf;
	if (!kmem_hp_dax_dev_name(name, buf, name_len))
		return -EINVAL;
	value = space + 1;
	value_len = count - name_len - 1;
	if (value_len && value[value_len - 1] == '\n')
		value_len--;
	if (value_len != strlen("default") || memcmp(value, "default", value_len)) {
		state = kmem_hp_parse_state(value, value_len, true);
		if (state < 0)
			return state;
		new = kzalloc(sizeof(*new), GFP_KERNEL);
		if (!new)
			return -ENOMEM;
		strscpy(new->name, name, sizeof(new->name));
		new->state = state;
	}

	mutex_lock(&kmem_hp_bind_states_lock);
	e = kmem_hp_find_bind_state(name);
	if (e && new) {
		e->state = state;
	} else if (e) {
		kmem_hp_drop_bind_state(e);
	} else if (new) {
		if (kmem_hp_nr_bind_states >= KMEM_HP_MAX_BIND_STATES) {
			rc = -ENOSPC;
		} else {
			list_add_tail(&new->node, &kmem_hp_bind_states);
			kmem_hp_nr_bind_states++;
			new = NULL;
		}
	}
	mutex_unlock(&kmem_hp_bind_states_lock);
	kfree(new);

	return rc ? rc : count;
}
static DRIVER_ATTR_RW(bind_state);

static struct attribute *kmem_hp_drv_attrs[] = {
	&driver_attr_bind_state.attr,
	NULL,
};

static const struct attribute_group kmem_hp_drv_attr_group = {
	.attrs = kmem_hp_drv_attrs,
};

const struct attribute_group *kmem_hp_drv_groups[] = {
	&kmem_hp_drv_attr_group,
	NULL,
};

/* At module exit, once the driver (and its attribute) is gone. */
void kmem_hp_bind_states_exit(void)
{
	struct kmem_hp_bind_state *e, *tmp;

	mutex_lock(&kmem_hp_bind_states_lock);
	list_for_each_entry_safe(e, tmp, &kmem_hp_bind_states, node)
		kmem_hp_drop_bind_state(e);
	mutex_unlock(&kmem_hp_bind_states_lock);
}
