// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmem_hp: fault injection at every step of a transition.
 *
 * Built only for kernels with CONFIG_FAULT_INJECTION_DEBUG_FS (see Kbuild);
 * elsewhere kmem_hp_fault() is an inline that returns 0 and nothing of
 * this is in the module. The kernel's own framework (should_fail(),
 * Documentation/fault-injection/fault-injection.rst) drives it through
 * one standard fault_attr directory per step under
 * /sys/kernel/debug/kmem_hp/:
 *
 *   fail_add fail_offline fail_remove fail_online fail_zone
 *   fail_rollback_add ... fail_rollback_zone   (the same during a rollback)
 *
 * should_fail() is asked once per range for add and remove and once per
 * block for offline, online and the zone check after an online, so
 * "probability 100, times 1, space N" fails the N-th such step (0 and 1:
 * the first; should_fail() passes calls while space exceeds their size).
 * add_errno (default ENOMEM; EEXIST is the other add error) is what an
 * injected add returns; offline, remove and the zone check fail with
 * EBUSY, online with ENOMEM. The attributes start with verbose 0: each
 * injection logs one line ("injected failure: ...") instead of a stack.
 */
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/fault-inject.h>

#include "kmem_hp.h"

static const char * const kmem_hp_step_names[KMEM_HP_NR_STEPS] = {
	[KMEM_HP_STEP_ADD] = "add",
	[KMEM_HP_STEP_OFFLINE] = "offline",
	[KMEM_HP_STEP_REMOVE] = "remove",
	[KMEM_HP_STEP_ONLINE] = "online",
	[KMEM_HP_STEP_ZONE] = "zone",
};

static const int kmem_hp_step_errno[KMEM_HP_NR_STEPS] = {
	[KMEM_HP_STEP_OFFLINE] = EBUSY,
	[KMEM_HP_STEP_REMOVE] = EBUSY,
	[KMEM_HP_STEP_ONLINE] = ENOMEM,
	[KMEM_HP_STEP_ZONE] = EBUSY,
};

/* [0]: forward steps, [1]: rollback steps; configured through debugfs. */
static struct fault_attr kmem_hp_fail[2][KMEM_HP_NR_STEPS] = {
	[0 ... 1] = { [0 ... KMEM_HP_NR_STEPS - 1] = FAULT_ATTR_INITIALIZER },
};
static u32 kmem_hp_add_errno = ENOMEM;
static struct dentry *kmem_hp_debugfs;

int kmem_hp_fault_init(void)
{
	struct dentry *dir;
	char name[32];
	int rb, step;

	kmem_hp_debugfs = debugfs_create_dir("kmem_hp", NULL);
	for (rb = 0; rb < 2; rb++) {
		for (step = 0; step < KMEM_HP_NR_STEPS; step++) {
			kmem_hp_fail[rb][step].verbose = 0;
			snprintf(name, sizeof(name), "fail_%s%s",
				 rb ? "rollback_" : "", kmem_hp_step_names[step]);
			dir = fault_create_debugfs_attr(name, kmem_hp_debugfs,
							&kmem_hp_fail[rb][step]);
			if (IS_ERR(dir)) {
				debugfs_remove_recursive(kmem_hp_debugfs);
				return PTR_ERR(dir);
			}
		}
	}
	debugfs_create_u32("add_errno", 0600, kmem_hp_debugfs, &kmem_hp_add_errno);
	return 0;
}

void kmem_hp_fault_exit(void)
{
	debugfs_remove_recursive(kmem_hp_debugfs);
}

/**
 * kmem_hp_fault - should this step fail now?
 * @kdev: the device
 * @step: the step about to be done
 * @rollback: it is done by a rollback
 * @what: what the step acts on, for the log ("memory40", "mapping1")
 *
 * Returns 0, or the error the step must fail with.
 */
int kmem_hp_fault(struct kmem_hp_dev *kdev, enum kmem_hp_step step,
		  bool rollback, const char *what)
{
	int err = kmem_hp_step_errno[step];

	if (!should_fail(&kmem_hp_fail[rollback][step], 1))
		return 0;
	if (step == KMEM_HP_STEP_ADD) {
		err = READ_ONCE(kmem_hp_add_errno);
		if (err <= 0 || err >= MAX_ERRNO)
			err = ENOMEM;
	}
	dev_info(kdev->dev, "injected failure: %s%s of %s: %d\n",
		 rollback ? "rollback " : "", kmem_hp_step_names[step], what, -err);
	return -err;
}
