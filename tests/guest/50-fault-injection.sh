#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Fault injection at every step of every transition, single-range device
# (512 MiB pmem devdax, 3 blocks: first, middle and last are three
# different blocks, and each case moves as little memory as that allows),
# debug kernel only (kmem_hp's fault_attr
# files under /sys/kernel/debug/kmem_hp/, see lib-fault.sh).
#  - The matrix: for each change below, each step it performs (add,
#    offline, remove, online, zone check) failing at its first, middle
#    and last call (block; range for add and remove), one check named
#    fi-<value>-from-<state>-fail_<step>-<first|middle|last>: the write
#    fails with the injected errno after exactly one injection, and the
#    device is exactly where it started: hotplug/state read, every block's
#    state and zone, MemTotal, /proc/iomem, module references, no state
#    uevent.
#  - add_errno 17: an injected add failure returns EEXIST.
#  - Failing rollbacks (a forward step fails and so does a rollback
#    step): the write fails with the forward step's errno, the device
#    reads what its blocks are (mixed when they disagree) and the kernel
#    log lists every block; a plain write then brings the device back.
#
# mem: 6G
# append: memmap=512M!4G
# kernels: debug
# timeout: 3600
. ./lib.sh
. ./lib-state.sh
. ./lib-fault.sh

load_pmem_modules
setup_unbound_devdax namespace0.0
BLOCKS=$(expected_blocks "$DEV")
NB=$(nr_words $BLOCKS)
mem0=$(memtotal_kb)
must modprobe "$DRV" default_state=offline
fi_require
fi_reset_all
note "$DEV: $NB blocks: $(echo $BLOCKS)"
ev_start
bind_kmem_hp "$DEV"

fi_matrix "$DEV" "$BLOCKS" "$mem0" 1 "
	unplugged:offline unplugged:online_movable unplugged:online_kernel
	offline:unplug offline:online_movable offline:online
	online:offline online:unplug online:online_movable
	online_movable:offline online_movable:unplug online_movable:online_kernel"

# add_errno: what an injected add failure returns.
echo 17 >$FI/add_errno
fi_case "$DEV" "$BLOCKS" "$mem0" unplugged offline add eexist 1
echo 12 >$FI/add_errno

# Failing rollbacks. The forward step fails at its last call, after the
# other blocks were changed; the rollback's first call of its step fails.
fi_rollback_case "$DEV" "$BLOCKS" "$mem0" online-last-rb-offline \
	offline online_movable online "$NB" offline 1 mixed
fi_rollback_case "$DEV" "$BLOCKS" "$mem0" offline-last-rb-online \
	online_movable offline offline "$NB" online 1 mixed
fi_rollback_case "$DEV" "$BLOCKS" "$mem0" remove-rb-online \
	online_movable unplug remove 1 online 1 mixed
# The rollback's zone check fails after a block was put back where it
# was: every block is back, but the rollback reports the failure.
fi_rollback_case "$DEV" "$BLOCKS" "$mem0" offline-last-rb-zone \
	online_movable offline offline "$NB" zone 1 online_movable
# Every block offline again, but the range could not be removed: the
# blocks agree, the device reads offline.
fi_rollback_case "$DEV" "$BLOCKS" "$mem0" zone-last-rb-remove \
	unplugged online_movable zone "$NB" remove 1 offline

fi_reset_all
reach "$DEV" offline "$BLOCKS"
ev_stop
check_eq end-unbind OK "$(kh-write $DAXDRV/$DRV/unbind "$DEV")"
check_eq end-refcnt 0 "$(mod_refcnt)"
check_eq end-rmmod ok "$(rmmod "$DRV" 2>&1 && echo ok)"
finish
