// SPDX-License-Identifier: GPL-2.0-only
/*
 * @define KMEM_HP_HAVE_ENUM_MMOP
 *
 * The MMOP_* online types are a named 'enum mmop' (outside
 * CONFIG_MEMORY_HOTPLUG). Upstream v6.15, "mm: name the anonymous MMOP
 * enum as enum mmop"; Debian 6.12.111+ carries it (stable 6.12.110).
 */
#include <linux/memory_hotplug.h>

enum mmop kmem_hp_probe(void);
enum mmop kmem_hp_probe(void)
{
	return MMOP_ONLINE_MOVABLE;
}
