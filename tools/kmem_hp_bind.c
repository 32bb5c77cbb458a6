// SPDX-License-Identifier: GPL-2.0-only
/*
 * Binding a device to kmem_hp straight into the state the command asked
 * for.
 *
 * The state is queued for that one device in the driver's bind_state file
 * and taken by its probe, so the memory never passes through the kernel's
 * auto-online policy first (on Debian 6.12 and 7.2 that is "online": every
 * block in a kernel zone, from where online_movable may be impossible),
 * and neither default_state nor any other device's bind is touched.
 */
#include <stdio.h>
#include <string.h>

#include "kmem_hp_daxctl.h"

#define BIND_STATE	DAX_DRIVERS "/" KMEM_HP_DRV "/bind_state"

/* Queue @state ("default": nothing) for @dev's next bind by kmem_hp. */
static int queue_bind_state(const char *dev, const char *state)
{
	char entry[64 + STATE_LEN];

	snprintf(entry, sizeof(entry), "%s %s", dev, state);
	return sysfs_write(BIND_STATE, entry);
}

/*
 * Bind unbound @dev to kmem_hp in state @target. Returns 0 or a negative
 * errno from the bind (the probe's own, e.g. EBUSY when the change to
 * @target failed and was rolled back).
 */
int bind_kmem_hp(const char *dev, const char *target)
{
	int rc;

	rc = queue_bind_state(dev, target);
	if (rc) {
		dev_err(dev, "kmem_hp: cannot queue its bind state (%s): %s",
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
