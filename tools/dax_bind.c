// SPDX-License-Identifier: GPL-2.0-only
/*
 * Binding dax devices to drivers, and kmem_hp's per-device state file.
 *
 * libdaxctl's enable/disable helpers only know the drivers device_dax and
 * kmem, so binding is done here through the dax bus's driver attributes,
 * the way libdaxctl does it: "bind" (or "new_id" when the driver does not
 * match the device yet) to attach, "remove_id" and "unbind" to detach.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kmem_hp_daxctl.h"

/* Last path component of symlink @path, in @buf; negative errno. */
static int link_name(const char *path, char *buf, size_t len)
{
	char target[PATH_MAX];
	const char *name;
	ssize_t n;

	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	name = strrchr(target, '/');
	snprintf(buf, len, "%s", name ? name + 1 : target);
	return 0;
}

/*
 * Name of the driver @dev is bound to in @drv; -ENODEV if it is unbound.
 * A driver that kmem_hp registered (under kmem's name with kmem_type=Y,
 * see the modprobe.d snippet) is reported as kmem_hp.
 */
int dax_driver(const char *dev, char *drv, size_t len)
{
	char path[PATH_MAX], module[DRV_LEN];
	int rc;

	snprintf(path, sizeof(path), DAX_DEVICES "/%s/driver", dev);
	rc = link_name(path, drv, len);
	if (rc)
		return rc == -ENOENT ? -ENODEV : rc;
	snprintf(path, sizeof(path), DAX_DEVICES "/%s/driver/module", dev);
	if (!link_name(path, module, sizeof(module)) && !strcmp(module, KMEM_HP_DRV))
		snprintf(drv, len, "%s", KMEM_HP_DRV);
	return 0;
}

bool dax_on_driver(const char *dev, const char *drv)
{
	char cur[DRV_LEN];

	return !dax_driver(dev, cur, sizeof(cur)) && !strcmp(cur, drv);
}

static int drv_write(const char *drv, const char *attr, const char *dev)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), DAX_DRIVERS "/%s/%s", drv, attr);
	return sysfs_write(path, dev);
}

/*
 * Bind unbound @dev to @drv. "bind" first: it attaches only @dev and
 * returns the probe's error. If @drv does not match @dev yet (ENODEV),
 * "new_id" adds the device's id, which attaches it as well (the write
 * succeeds even when the probe fails), so "bind" again for the error,
 * and the id is removed again if that failed too. Returns 0 once @dev is
 * bound to @drv, else a negative errno.
 */
int dax_bind(const char *dev, const char *drv)
{
	int rc;

	rc = drv_write(drv, "bind", dev);
	if (dax_on_driver(dev, drv))
		return 0;
	if (rc && rc != -ENODEV)
		return rc;
	rc = drv_write(drv, "new_id", dev);
	if (dax_on_driver(dev, drv))
		return 0;
	rc = drv_write(drv, "bind", dev);
	if (dax_on_driver(dev, drv))
		return 0;
	/* Do not leave an id behind that would match the device later. */
	drv_write(drv, "remove_id", dev);
	return rc ? rc : -ENXIO;
}

/*
 * Detach @dev from @drv (through the driver it is bound to, which for
 * kmem_hp may be registered under kmem's name): forget its id (so it is
 * not matched again on the next probe) and unbind it. Returns 0 once @dev
 * is unbound.
 */
int dax_release(const char *dev, const char *drv)
{
	char cur[DRV_LEN], path[PATH_MAX];
	int rc;

	if (dax_driver(dev, cur, sizeof(cur)) == -ENODEV)
		return 0;
	if (strcmp(cur, drv))
		return -EBUSY;
	snprintf(path, sizeof(path), DAX_DEVICES "/%s/driver/remove_id", dev);
	sysfs_write(path, dev);
	snprintf(path, sizeof(path), DAX_DEVICES "/%s/driver/unbind", dev);
	rc = sysfs_write(path, dev);
	if (dax_driver(dev, cur, sizeof(cur)) == -ENODEV)
		return 0;
	return rc ? rc : -EBUSY;
}

int kmem_hp_get_state(const char *dev, char *state, size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), DAX_DEVICES "/%s/hotplug", dev);
	return sysfs_read(path, state, len);
}

/* Whole-device state change; the driver makes it all or nothing. */
int kmem_hp_set_state(const char *dev, const char *state)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), DAX_DEVICES "/%s/hotplug", dev);
	return sysfs_write(path, state);
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
