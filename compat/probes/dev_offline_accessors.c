// SPDX-License-Identifier: GPL-2.0-only
/*
 * @define KMEM_HP_HAVE_DEV_OFFLINE_ACCESSORS
 *
 * struct device keeps its offline/offline_disabled bits in dev->flags,
 * read and written through dev_offline(), dev_set_offline(),
 * dev_clear_offline() and dev_offline_disabled() (7.2); older kernels
 * have the 'bool offline:1' bitfields. Driver core conversion of struct
 * device's bitfields to flag bits (mainline after 6.12, in 7.2).
 */
#include <linux/device.h>

bool kmem_hp_probe(struct device *dev);
bool kmem_hp_probe(struct device *dev)
{
	if (dev_offline(dev))
		dev_clear_offline(dev);
	else
		dev_set_offline(dev);
	return dev_offline_disabled(dev);
}
