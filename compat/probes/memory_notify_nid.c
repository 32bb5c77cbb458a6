// SPDX-License-Identifier: GPL-2.0-only
/*
 * @define KMEM_HP_HAVE_MEMORY_NOTIFY_NID
 *
 * struct memory_notify still carries status_change_nid. Upstream's
 * memory-hotplug node-notifier series (mainline after 6.12) moved node
 * state changes to the new node_notify chain (register_node_notifier());
 * 7.2's struct has only start_pfn and nr_pages.
 *
 * Diagnostic: no kmem_hp code depends on it (the driver is written to work
 * with either variant); the build log says which one the headers carry,
 * which is what tells 6.12.107 from 6.12.111+ in a bug report.
 */
#include <linux/memory.h>

int kmem_hp_probe(struct memory_notify *arg);
int kmem_hp_probe(struct memory_notify *arg)
{
	return arg->status_change_nid;
}
