// SPDX-License-Identifier: GPL-2.0-only
/*
 * @define KMEM_HP_HAVE_MEMORY_NOTIFY_NID
 *
 * struct memory_notify still carries status_change_nid. Upstream v6.17,
 * "mm,memory_hotplug: remove status_change_nid_normal and refactor
 * accordingly" / the node-notifier series moved node state changes to
 * the node_notify chain; 7.2 has only start_pfn and nr_pages.
 */
#include <linux/memory.h>

int kmem_hp_probe(struct memory_notify *arg);
int kmem_hp_probe(struct memory_notify *arg)
{
	return arg->status_change_nid;
}
