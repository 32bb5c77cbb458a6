// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmem_hp's own sysfs files: a device's "hotplug" state, and the driver's
 * "bind_state" queue, which binds a device to kmem_hp straight into the
 * state asked for.
 *
 * The state is queued for that one device and taken by its probe, so the
 * memory never passes through the kernel's auto-online policy first (on
 * Debian 6.12 and 7.2 that is "online": every block in a kernel zone,
 * from where online_movable may be impossible), and neither
 * default_state nor any other device's bind is touched.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "libkmem_hp.h"

#define BIND_STATE	DAX_DRIVERS "/" KMEM_HP_DRV "/bind_state"

int kmem_hp_get_state(const char *dev, char *state, size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), DAX_DEVICES "/%s/hotplug", dev);
	return sysfs_read(path, state, len);
}

/*
 * Whole-device state change; the driver makes it all or nothing (EINTR:
 * interrupted and rolled back).
 */
int kmem_hp_set_state(const char *dev, const char *state)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), DAX_DEVICES "/%s/hotplug", dev);
	return sysfs_write(path, state);
}

/* Queue @state ("default": nothing) for @dev's next bind by kmem_hp. */
static int queue_bind_state(const char *dev, const char *state)
{
	char entry[64 + STATE_LEN];

	snprintf(entry, sizeof(entry), "%s %s", dev, state);
	return sysfs_write(BIND_STATE, entry);
}

/*
 * Bind unbound @dev to kmem_hp in state @state. Returns 0 or a negative
 * errno from the bind (the probe's own, e.g. EBUSY when the change to
 * @state failed and was rolled back).
 */
int kmem_hp_bind(const char *dev, const char *state)
{
	int rc;

	rc = queue_bind_state(dev, state);
	if (rc) {
		kh_err(dev, "kmem_hp: cannot queue its bind state (%s): %s",
		       BIND_STATE, strerror(-rc));
		return rc;
	}
	rc = dax_bind(dev, KMEM_HP_DRV);
	/*
	 * A probe that ran took the entry. One that did not (the bind
	 * failed, or kmem_hp got the device under kmem's name first) must
	 * not find it at a later bind.
	 */
	queue_bind_state(dev, "default");
	return rc;
}

/* Is any dax device bound to kmem_hp (under either of its names)? */
bool kmem_hp_has_devices(void)
{
	DIR *d = opendir(DAX_DEVICES);
	struct dirent *de;
	bool found = false;

	if (!d)
		return false;
	while (!found && (de = readdir(d)))
		found = !strncmp(de->d_name, "dax", 3) &&
			dax_on_driver(de->d_name, KMEM_HP_DRV);
	closedir(d);
	return found;
}
