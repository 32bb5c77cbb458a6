// SPDX-License-Identifier: GPL-2.0-only
/*
 * @define KMEM_HP_HAVE_MEM_PREPARE_ONLINE
 *
 * memory_block_online() sends MEM_PREPARE_ONLINE (and MEM_FINISH_OFFLINE)
 * to the memory notifier chain before any zone work. Upstream
 * "mm/memory_hotplug: introduce MEM_PREPARE_ONLINE/MEM_FINISH_OFFLINE
 * notifiers" (s390 memmap_on_memory, between 6.1 and 6.12); gone again by
 * 7.2. A macro before
 * the enum conversion and an enumerator after it, so only a compile test
 * can tell.
 */
#include <linux/memory.h>

int kmem_hp_probe(void);
int kmem_hp_probe(void)
{
	return MEM_PREPARE_ONLINE;
}
