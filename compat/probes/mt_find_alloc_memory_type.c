// SPDX-License-Identifier: GPL-2.0-only
/*
 * @define KMEM_HP_HAVE_MT_FIND_ALLOC_MEMORY_TYPE
 * @export mt_find_alloc_memory_type
 * @export mt_put_memory_types
 * @export mt_calc_adistance
 *
 * Memory types per abstract distance, as dax/kmem uses them since
 * upstream "memory tier: dax/kmem: introduce an abstract layer for
 * finding, allocating, and putting memory types", with mt_calc_adistance()
 * from "memory tiering: add abstract distance calculation algorithms
 * management" (both between 6.1 and 6.12). 6.1 has one global type made
 * with alloc_memory_type()/destroy_memory_type().
 */
#include <linux/memory-tiers.h>

struct memory_dev_type *kmem_hp_probe(struct list_head *types, int nid);
struct memory_dev_type *kmem_hp_probe(struct list_head *types, int nid)
{
	int adist = MEMTIER_ADISTANCE_DRAM;

	mt_calc_adistance(nid, &adist);
	mt_put_memory_types(types);
	return mt_find_alloc_memory_type(adist, types);
}
