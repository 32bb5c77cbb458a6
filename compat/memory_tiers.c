// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memory tiers for kmem_hp nodes, the way each kernel's dax/kmem sets
 * them up: 6.12 and 7.2 look a memory type up by abstract distance
 * (HMAT/CXL performance data, else the dax default); 6.1 has one global
 * "slow memory" type.
 */
#include <linux/err.h>
#include <linux/memory-tiers.h>
#include <linux/mutex.h>

/* kmem's MEMTIER_DEFAULT_DAX_ADISTANCE (drivers/dax/kmem.c). */
#define KMEM_HP_DEFAULT_DAX_ADISTANCE	(MEMTIER_ADISTANCE_DRAM * 5)

#ifdef KMEM_HP_HAVE_MT_FIND_ALLOC_MEMORY_TYPE

/* Protects kmem_hp_memory_types, the types this module allocated. */
static DEFINE_MUTEX(kmem_hp_memory_type_lock);
static LIST_HEAD(kmem_hp_memory_types);

int kmem_hp_memtypes_init(void)
{
	return 0;
}

void kmem_hp_memtypes_exit(void)
{
	mutex_lock(&kmem_hp_memory_type_lock);
	mt_put_memory_types(&kmem_hp_memory_types);
	mutex_unlock(&kmem_hp_memory_type_lock);
}

struct memory_dev_type *kmem_hp_memtype_attach(int nid)
{
	int adist = KMEM_HP_DEFAULT_DAX_ADISTANCE;
	struct memory_dev_type *mtype;

	mt_calc_adistance(nid, &adist);
	mutex_lock(&kmem_hp_memory_type_lock);
	mtype = mt_find_alloc_memory_type(adist, &kmem_hp_memory_types);
	mutex_unlock(&kmem_hp_memory_type_lock);
	if (!IS_ERR(mtype))
		init_node_memory_type(nid, mtype);
	return mtype;
}

#else /* !KMEM_HP_HAVE_MT_FIND_ALLOC_MEMORY_TYPE */

/* Allocated at module init, destroyed at exit; never changes in between. */
static struct memory_dev_type *kmem_hp_slowmem_type;

int kmem_hp_memtypes_init(void)
{
	kmem_hp_slowmem_type = alloc_memory_type(KMEM_HP_DEFAULT_DAX_ADISTANCE);
	return PTR_ERR_OR_ZERO(kmem_hp_slowmem_type);
}

void kmem_hp_memtypes_exit(void)
{
	destroy_memory_type(kmem_hp_slowmem_type);
}

struct memory_dev_type *kmem_hp_memtype_attach(int nid)
{
	init_node_memory_type(nid, kmem_hp_slowmem_type);
	return kmem_hp_slowmem_type;
}

#endif /* KMEM_HP_HAVE_MT_FIND_ALLOC_MEMORY_TYPE */

/*
 * Drops this device's use of the node's type; a type some other driver
 * set for the node first is left alone (its map count was not raised).
 */
void kmem_hp_memtype_detach(int nid, struct memory_dev_type *mtype)
{
	clear_node_memory_type(nid, mtype);
}
