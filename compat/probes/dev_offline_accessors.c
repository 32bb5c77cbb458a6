// SPDX-License-Identifier: GPL-2.0-only
/*
 * @define KMEM_HP_HAVE_DEV_OFFLINE_ACCESSORS
 *
 * struct device keeps its offline/offline_disabled bits in dev->flags,
 * read and written through dev_offline(), dev_set_offline(),
 * dev_clear_offline() and dev_offline_disabled() (7.2); older kernels
 * have the 'bool offline:1' bitfields. Driver core change of the 7.x
 * cycle converting struct device bitfields to flag bits.
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
