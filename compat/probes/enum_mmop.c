// SPDX-License-Identifier: GPL-2.0-only
/*
 * @define KMEM_HP_HAVE_ENUM_MMOP
 *
 * The MMOP_* online types are a named 'enum mmop' (outside
 * CONFIG_MEMORY_HOTPLUG). Upstream "mm: name the anonymous MMOP enum as
 * enum mmop" (mainline after 6.12); Debian 6.12.111+ carries it through
 * stable 6.12.110, 6.12.107 does not.
 *
 * Diagnostic: no kmem_hp code depends on it (the driver is written to work
 * with either variant); the build log says which one the headers carry,
 * which is what tells 6.12.107 from 6.12.111+ in a bug report.
 */
#include <linux/memory_hotplug.h>

enum mmop kmem_hp_probe(void);
enum mmop kmem_hp_probe(void)
{
	return MMOP_ONLINE_MOVABLE;
}
