// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmem_hp: the kernel's device_hotplug_lock, the one non-exported symbol
 * kmem_hp uses.
 *
 * Every in-kernel path that onlines or offlines a memory block holds
 * device_hotplug_lock around device_lock() and the bus callback: state_store()
 * and online_store() through lock_device_hotplug_sysfs() (drivers/base/
 * memory.c, drivers/base/core.c), online_memory_block() inside
 * add_memory_resource(), offline_and_remove_memory(). What it protects
 * there is mem->online_type, which memory_subsys_online() reads, and the
 * zone choice: zone_for_pfn_range() under online_policy=auto-movable reads
 * the memory groups' present page counts (auto_movable_zone_for_pfn(),
 * mm/memory_hotplug.c), which other onlines and offlines change. kmem_hp
 * takes it the same way around each block's online and offline
 * (kmem_hp_blocks.c), and never around add_memory_driver_managed() or
 * remove_memory(), which take it themselves.
 *
 * lock_device_hotplug() is not exported and, on IBT kernels, sealed
 * (kernel-api.md §6): it must never be called through an address. The
 * lock itself is data, and taking it is what lock_device_hotplug() does:
 * mutex_lock(&device_hotplug_lock). Its address is read once, at module
 * init, from kallsyms through register_kprobe(), which stores the address
 * of the symbol it was asked to probe in kp.addr before it refuses a probe
 * outside kernel text (register_kprobe(), kernel/kprobes.c; on x86
 * arch_adjust_kprobe_addr() moves the address only past an ENDBR, which
 * the first word of a mutex, 0 or a 64-byte aligned task pointer plus
 * flag bits, never is). The address is then checked with sprint_symbol():
 * exactly "device_hotplug_lock" at offset 0, with room for a struct
 * mutex (kallsyms sizes run to the next symbol: alignment, and KASAN's
 * redzones around globals, make them larger). Nothing is ever called
 * through it. If it cannot be found the
 * module refuses to load.
 */
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/mutex.h>
#include <linux/string.h>

#include "kmem_hp.h"

#define KMEM_HP_HOTPLUG_LOCK	"device_hotplug_lock"

/* Address of the kernel's device_hotplug_lock; set once at init. */
static struct mutex *kmem_hp_device_hotplug_lock;

int kmem_hp_hotplug_lock_init(void)
{
	struct kprobe kp = { .symbol_name = KMEM_HP_HOTPLUG_LOCK };
	char sym[KSYM_SYMBOL_LEN], want[64];
	unsigned long size;
	char *slash;
	int rc;

	rc = register_kprobe(&kp);
	if (!rc) {
		/* A probe on data cannot be armed: this is not the mutex. */
		unregister_kprobe(&kp);
		kp.addr = NULL;
	}
	if (!kp.addr) {
		pr_err("kmem_hp: cannot find %s in kallsyms (register_kprobe: %d); needs CONFIG_KPROBES and CONFIG_KALLSYMS_ALL\n",
		       KMEM_HP_HOTPLUG_LOCK, rc);
		return -ENOENT;
	}

	sprint_symbol(sym, (unsigned long)kp.addr);
	snprintf(want, sizeof(want), "%s+0x0/", KMEM_HP_HOTPLUG_LOCK);
	slash = strchr(sym, '/');
	if (strncmp(sym, want, strlen(want)) || !slash ||
	    kstrtoul(slash + 1, 16, &size) || size < sizeof(struct mutex)) {
		pr_err("kmem_hp: %s resolved to %s, not a struct mutex (%zu bytes); refusing to load\n",
		       KMEM_HP_HOTPLUG_LOCK, sym, sizeof(struct mutex));
		return -ENOENT;
	}
	kmem_hp_device_hotplug_lock = (struct mutex *)kp.addr;
	return 0;
}

/* lock_device_hotplug(): must not be held around add or remove of memory. */
void kmem_hp_lock_device_hotplug(void)
{
	mutex_lock(kmem_hp_device_hotplug_lock);
}

void kmem_hp_unlock_device_hotplug(void)
{
	mutex_unlock(kmem_hp_device_hotplug_lock);
}
