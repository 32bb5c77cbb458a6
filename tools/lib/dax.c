// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which driver a dax device is bound to, binding and releasing it.
 *
 * libdaxctl's enable helpers know only device_dax and kmem: they are used
 * to put a device back on one of those (dax_restore()), and its disable
 * to unbind. Written here: binding to kmem_hp, through the dax bus's
 * driver attributes the way libdaxctl does it for its drivers ("bind", or
 * "new_id" when the driver does not match the device yet), forgetting the
 * id kmem_hp was given before unbinding from it (libdaxctl leaves ids
 * behind, which would attach the device to kmem_hp again at its next
 * probe), and telling kmem_hp apart when it is registered under kmem's
 * name (kmem_type=Y, see the modprobe.d snippet).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <daxctl/libdaxctl.h>

#include "libkmem_hp.h"

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
 * A driver that kmem_hp registered (under kmem's name with kmem_type=Y)
 * is reported as kmem_hp.
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
 * Detach @dev from @drv: forget its id (through the driver it is bound
 * to, which for kmem_hp may be registered under kmem's name), then
 * libdaxctl's disable. Returns 0 once @dev is unbound, -EBUSY if it is
 * bound to another driver.
 */
int dax_release(struct daxctl_dev *dev, const char *drv)
{
	const char *name = daxctl_dev_get_devname(dev);
	char cur[DRV_LEN], path[PATH_MAX];

	if (dax_driver(name, cur, sizeof(cur)) == -ENODEV)
		return 0;
	if (strcmp(cur, drv))
		return -EBUSY;
	snprintf(path, sizeof(path), DAX_DEVICES "/%s/driver/remove_id", name);
	sysfs_write(path, name);
	return daxctl_dev_disable(dev);
}

/*
 * Put unbound @dev back on @drv after a failed move: libdaxctl's enable
 * for device_dax and kmem, dax_bind() for kmem_hp (in its default state).
 */
int dax_restore(struct daxctl_dev *dev, const char *drv)
{
	const char *name = daxctl_dev_get_devname(dev);

	if (!strcmp(drv, DEVDAX_DRV))
		return daxctl_dev_enable_devdax(dev);
	if (!strcmp(drv, KMEM_DRV))
		return daxctl_dev_enable_ram(dev);
	return dax_bind(name, drv);
}
