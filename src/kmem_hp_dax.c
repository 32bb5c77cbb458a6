// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmem_hp: what the driver reads from the dax bus's private structures.
 *
 * struct dev_dax is not in any headers package; compat/dax/ vendors its
 * layout per kernel series. Before any memory is touched, probe checks
 * that what it reads through that layout is self-consistent, so a kernel
 * whose layout drifted (a distro backport, the upstream online_type
 * series) makes the bind fail instead of corrupting memory.
 */
#include <linux/device.h>
#include <linux/align.h>
#include <linux/memory.h>
#include <linux/mm.h>
#include <linux/numa.h>
#include <linux/string.h>

#include "kmem_hp.h"

/*
 * Could @p be an object of @size bytes that the dax bus allocated (slab
 * or page allocator memory, directly mapped)? Checked before a pointer
 * read through the vendored layout is dereferenced, so that a layout
 * that drifted makes the bind fail instead of oopsing.
 */
static bool kmem_hp_valid_ptr(const void *p, size_t size)
{
	unsigned long a = (unsigned long)p;

	return p && IS_ALIGNED(a, sizeof(long)) && size &&
	       virt_addr_valid(p) && virt_addr_valid((const char *)p + size - 1);
}

/*
 * Called from probe, so the driver core has already set dev->driver. If
 * the vendored offset of dev_dax->dev were wrong, none of the checks
 * below would hold: they are done before dev_dax->dev is used for
 * anything, and the failure is reported without dereferencing it.
 */
int kmem_hp_dax_validate(struct dev_dax *dev_dax)
{
	struct device *dev = &dev_dax->dev;
	struct dax_region *region;
	const char *why;
	int region_id, id, i;
	char extra;

	why = "device is not the one being bound";
	if (!kmem_hp_owns_driver(dev->driver))
		goto bad;
	why = "device is not on the dax bus";
	if (!dev->bus || strcmp(dev->bus->name, "dax"))
		goto bad;
	why = "device name is not daxX.Y";
	if (sscanf(dev_name(dev), "dax%d.%d%c", &region_id, &id, &extra) != 2)
		goto bad;
	region = dev_dax->region;
	why = "region pointer is not a kernel object";
	if (!kmem_hp_valid_ptr(region, sizeof(*region)))
		goto bad;
	why = "region does not own the device";
	if (region->dev != dev->parent)
		goto bad;
	why = "bad target node";
	if (dev_dax->target_node >= MAX_NUMNODES || dev_dax->target_node < NUMA_NO_NODE)
		goto bad;
	why = "bad range count";
	if (dev_dax->nr_range < 1 || dev_dax->nr_range > KMEM_HP_MAX_RANGES)
		goto bad;
	why = "ranges pointer is not a kernel object";
	if (!kmem_hp_valid_ptr(dev_dax->ranges,
			       dev_dax->nr_range * sizeof(*dev_dax->ranges)))
		goto bad;
	why = "range outside its region";
	for (i = 0; i < dev_dax->nr_range; i++) {
		struct range *range = &dev_dax->ranges[i].range;

		if (range->start > range->end ||
		    range->start < region->res.start ||
		    range->end > region->res.end)
			goto bad;
	}
	return 0;

bad:
	pr_err("kmem_hp: unexpected dax device layout (%s) on kernel %s (layout %s); refusing to bind\n",
	       why, KMEM_HP_KERNEL_RELEASE, KMEM_HP_DAX_LAYOUT_NAME);
	return -EINVAL;
}

/*
 * Memory-block align range @i of the device, as dax/kmem does: start
 * rounded up, end rounded down. -ENOSPC (and @aligned = the raw range)
 * if no whole block is left.
 */
int kmem_hp_dax_range(struct dev_dax *dev_dax, int i, struct range *aligned)
{
	struct range *range = &dev_dax->ranges[i].range;
	unsigned long block = memory_block_size_bytes();

	aligned->start = ALIGN(range->start, block);
	aligned->end = ALIGN_DOWN(range->end + 1, block) - 1;
	if (aligned->start >= aligned->end) {
		*aligned = *range;
		return -ENOSPC;
	}
	return 0;
}
