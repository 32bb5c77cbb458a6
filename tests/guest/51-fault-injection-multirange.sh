#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Fault injection on a two-range device on NUMA node 1, debug kernel only
# (see lib-fault.sh and 50-fault-injection.sh). The device is made as in
# 14-multirange-node1.sh: node 1's soft-reserved 1 GiB split through the
# dax bus so that dax0.0 has two discontiguous 256 MiB ranges (2 blocks
# each) around dax0.1, which is kept online_movable (node 1 populated).
#  - The matrix of 50-fault-injection.sh on dax0.0: every transition,
#    every step it performs, first/middle/last block and first/last range:
#    the write fails with the injected errno and dax0.0 is exactly where
#    it started (dax0.1 untouched).
#  - Failing rollbacks across ranges: the second range's add fails and the
#    rollback's removal of the first range fails (first range offline,
#    second unplugged: mixed); the second range's removal fails and the
#    rollback cannot online the first range again (mixed).
#  - A bind whose add fails half-way (second range, default_state offline
#    and online_movable) fails with the injected errno and leaves nothing
#    behind: no driver, no memory block, no /proc/iomem entry, no module
#    reference; a plain bind then works, and rmmod works at the end. A
#    bind state queued for the device is taken by the failed probe.
#
# Node 1 also has 512 MiB of boot RAM above the device (as on the debug
# lane of 14-multirange-node1.sh): without Normal memory of its own, the
# node's kernel allocations land in the first block a transition onlines
# to a kernel zone, and a rollback cannot offline it.
#
# mem: 4608M
# smp: 2
# qemu: -object memory-backend-ram,id=m0,size=3G -object memory-backend-ram,id=m1,size=1536M -numa node,nodeid=0,memdev=m0,cpus=0-1 -numa node,nodeid=1,memdev=m1
# append: memmap=1G%4G+0xefffffff
# kernels: debug
# timeout: 3600
. ./lib.sh
. ./lib-state.sh
. ./lib-fault.sh

PARAM=/sys/module/$DRV/parameters/default_state
must modprobe device_dax
must modprobe dax_hmem
wait_for test -e $DAXDEV/dax0.0 ||
	{ fail setup "expected dax_hmem to create dax0.0, saw $(ls $DAXDEV)"; finish; }
A=dax0.0
must dax_unbind $A
R=$(readlink -f $DAXDEV/$A/..)
MB=1048576
must sh -c "echo $((256 * MB)) >$DAXDEV/$A/size"
must sh -c "echo 1 >$R/dax_region/create"
B=$(cat $R/dax_region/seed)
must sh -c "echo $((256 * MB)) >$DAXDEV/$B/size"
must sh -c "echo $((512 * MB)) >$DAXDEV/$A/size"
check_eq two-ranges 2 "$(dax_ranges $A | grep -c .)"
BA=$(expected_blocks $A)
BB=$(expected_blocks $B)
note "$A blocks: $(echo $BA); $B blocks: $(echo $BB)"
mem00=$(memtotal_kb)

must modprobe "$DRV" default_state=offline
fi_require
fi_reset_all
ev_start
bind_kmem_hp $A
bind_kmem_hp $B
hp_write $B online_movable
[ "$HP_RES" = OK ] || { fail setup "expected $B to go online_movable, saw $HP_RES"; finish; }
REF_BASE=1
mem0=$(memtotal_kb)

fi_matrix $A "$BA" "$mem0" 2 "
	unplugged:offline unplugged:online_movable unplugged:online_kernel
	offline:unplug offline:online_movable offline:online
	online:offline online:unplug online:online_movable
	online_movable:offline online_movable:unplug online_movable:online_kernel"
reach $A offline "$BA"
check_eq "$B-untouched" "$(expected_dev_view $B online_movable "$BB" 1)" "$(dev_view $B "$BB" "$mem00")"

fi_rollback_case $A "$BA" "$mem0" add-second-rb-remove \
	unplugged offline add 2 remove 1 mixed
fi_rollback_case $A "$BA" "$mem0" remove-second-rb-online \
	online_movable unplug remove 2 online 1 mixed
fi_reset_all

# --- a bind whose add fails half-way ----------------------------------------
hp_write $B offline
REF_BASE=0
must sh -c "echo $A >$DAXDRV/$DRV/unbind"
mem0=$(memtotal_kb)
for ds in offline online_movable; do
	name=fi-bind-$ds-fail_add-last
	must sh -c "echo $ds >$PARAM"
	kmsg "$name"
	fi_arm fail_add 2
	res=$(kh-write $DAXDRV/$DRV/bind $A)
	fi_reset fail_add
	log=$(fi_log_since "$name")
	note "$name: $res; $(echo "$log" | grep -E 'injected|kmem_hp' | sed 's/^\[[^]]*\] //' | tr '\n' ';')"
	check_eq "$name" \
		"ENOMEM injected=1 driver=none $(expected_dev_view $A unbound "$BA" 0)" \
		"$res injected=$(fi_injected "$log" add) driver=$(dax_driver $A) $(dev_view $A "$BA" "$mem0")"
done
# A per-device bind state is taken by the probe even when it fails: the
# next bind (below) is in default_state again.
name=fi-bind-queued-fail_add-last
must sh -c "echo offline >$PARAM"
check_eq "$name-queue" OK "$(kh-xwrite $DAXDRV/$DRV/bind_state "$A online_movable")"
kmsg "$name"
fi_arm fail_add 2
res=$(kh-write $DAXDRV/$DRV/bind $A)
fi_reset fail_add
check_eq "$name" "ENOMEM driver=none entry taken" \
	"$res driver=$(dax_driver $A) entry $([ -z "$(cat $DAXDRV/$DRV/bind_state)" ] && echo taken || echo "kept: $(cat $DAXDRV/$DRV/bind_state)")"
check_eq bind-after-failed-binds "OK $(expected_dev_view $A offline "$BA" 0)" \
	"$(kh-write $DAXDRV/$DRV/bind $A) $(dev_view $A "$BA" "$mem0")"
ev_stop
must sh -c "echo $A >$DAXDRV/$DRV/unbind"
must sh -c "echo $B >$DAXDRV/$DRV/unbind"
check_eq end-refcnt 0 "$(mod_refcnt)"
check_eq end-rmmod ok "$(rmmod "$DRV" 2>&1 && echo ok)"
finish
