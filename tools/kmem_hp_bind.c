// SPDX-License-Identifier: GPL-2.0-only
/*
 * Binding a device to kmem_hp without its memory landing in the wrong
 * zone first.
 *
 * At bind kmem_hp puts a device in its default_state; the default,
 * "system", is the kernel's auto-online policy, which on Debian 6.12 and
 * 7.2 is "online": every block online in a kernel zone. Asked for
 * online_movable, the driver would then have to offline that memory again,
 * which fails as soon as the kernel has put unmovable allocations there.
 * So when the state at bind would be online in a kernel zone and the
 * wanted state is not, default_state is set to "offline" for the duration
 * of the bind and put back right after (signals are only noted meanwhile,
 * see main.c). A device bound by someone else in that window comes up
 * offline instead of per policy.
 */
#include <stdio.h>
#include <string.h>

#include "kmem_hp_daxctl.h"

#define DEFAULT_STATE	KMEM_HP_PARAMS "/default_state"

static bool kernel_zone(const char *state)
{
	return !strcmp(state, "online") || !strcmp(state, "online_kernel");
}

/*
 * Bind unbound @dev to kmem_hp on the way to state @target (which the
 * caller writes next). Returns 0 or a negative errno from the bind.
 */
int bind_kmem_hp(const char *dev, const char *target)
{
	char saved[STATE_LEN], at_bind[STATE_LEN];
	bool swapped = false;
	int rc;

	if (!sysfs_read(DEFAULT_STATE, saved, sizeof(saved))) {
		snprintf(at_bind, sizeof(at_bind), "%s", saved);
		if (!strcmp(saved, "system") &&
		    sysfs_read(MEMORY_SYSFS "/auto_online_blocks", at_bind, sizeof(at_bind)))
			snprintf(at_bind, sizeof(at_bind), "offline");
		if (kernel_zone(at_bind) && !kernel_zone(target)) {
			verbose(dev, "binding with kmem_hp default_state=offline (was %s)", saved);
			swapped = !sysfs_write(DEFAULT_STATE, "offline");
		}
	}
	rc = dax_bind(dev, KMEM_HP_DRV);
	if (swapped && sysfs_write(DEFAULT_STATE, saved))
		dev_err(dev, "cannot restore kmem_hp default_state=%s", saved);
	return rc;
}

/*
 * Put unbound @dev back on kmem_hp in @state, after a move away from
 * kmem_hp failed half-way. Returns 0 or a negative errno.
 */
int return_to_kmem_hp(const char *dev, const char *state)
{
	int rc;

	rc = bind_kmem_hp(dev, state);
	if (rc)
		return rc;
	return kmem_hp_set_state(dev, state);
}
