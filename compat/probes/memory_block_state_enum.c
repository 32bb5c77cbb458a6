// SPDX-License-Identifier: GPL-2.0-only
/*
 * @define KMEM_HP_HAVE_MEMORY_BLOCK_STATE_ENUM
 *
 * MEM_* block states and notifier actions are 'enum memory_block_state'
 * (small consecutive values) instead of bit-flag macros. Upstream "mm:
 * convert memory block states (MEM_*) macros to enum" and "mm: change
 * type of state in struct memory_block" (mainline after 6.12); Debian
 * 6.12.111+ carries them through stable 6.12.110, 6.12.107 does not.
 *
 * Diagnostic: no kmem_hp code depends on it (the driver is written to work
 * with either variant); the build log says which one the headers carry,
 * which is what tells 6.12.107 from 6.12.111+ in a bug report.
 */
#include <linux/memory.h>

enum memory_block_state kmem_hp_probe(struct memory_block *mem);
enum memory_block_state kmem_hp_probe(struct memory_block *mem)
{
	return mem->state == MEM_ONLINE ? MEM_GOING_OFFLINE : MEM_GOING_ONLINE;
}
