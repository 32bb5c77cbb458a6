#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# A rollback puts blocks back in the zone they were in, not where the
# kernel's zone choice would put them now. The guest has a CPU-less,
# memory-only node 1 whose 1 GiB is soft-reserved (dax_hmem makes dax0.0
# of it) and boots with movable_node, so that "online" (MMOP_ONLINE) on
# node 1 means ZONE_MOVABLE. The device is bound offline and its blocks
# are onlined by hand to the kernel zone (online_kernel, last block
# first, protect=N for the moment), then unmovable pipe buffers bound to
# node 1 fill its last blocks. online_movable, offline and unplug must
# each fail with EBUSY after offlining some blocks, and the rollback must
# put every one of them back online in the kernel zone: one check per
# write, comparing the device (hotplug and state read "online", every
# block online:Normal, MemTotal, /proc/iomem, module references) and its
# uevents (none) with what they were. A memory-uevent listener confirms
# that blocks were offlined (and put back) before the busy one.
#
# mem: 4G
# smp: 2
# qemu: -object memory-backend-ram,id=m0,size=3G -object memory-backend-ram,id=m1,size=1G -numa node,nodeid=0,memdev=m0,cpus=0-1 -numa node,nodeid=1,memdev=m1
# append: memmap=1G%4G+0xefffffff movable_node
# timeout: 300
. ./lib.sh
. ./lib-state.sh

must modprobe device_dax
must modprobe dax_hmem
wait_for test -e $DAXDEV/dax0.0 ||
	{ fail setup "expected dax_hmem to create dax0.0, saw $(ls $DAXDEV)"; finish; }
DEV=dax0.0
check_eq target-node 1 "$(cat $DAXDEV/$DEV/target_node)"
must dax_unbind $DEV
BLOCKS=$(expected_blocks $DEV)
mem0=$(memtotal_kb)
note "$DEV: blocks $(echo $BLOCKS)"
must modprobe "$DRV" default_state=offline
ev_start
bind_kmem_hp $DEV
online_kernel_last_first "$BLOCKS"
check_eq start "$(expected_dev_view $DEV online "$BLOCKS")" "$(dev_view $DEV "$BLOCKS" "$mem0")"

kh-uevent -f SUBSYSTEM=memory >>/tmp/mem-uevents.log 2>&1 &
MEV_PID=$!
wait_for grep -q '^# ready' /tmp/mem-uevents.log
fill_pipes ebusy-fill 200 1 10
for value in online_movable offline unplug; do
	: >/tmp/mem-uevents.log
	ev_mark $DEV
	kmsg "ebusy $value"
	hp_write $DEV $value
	ev_mark $DEV
	offl=0
	for b in $BLOCKS; do
		grep -q "^offline@/devices/system/memory/memory$b " /tmp/mem-uevents.log && offl=$((offl + 1))
	done
	note "$value: $HP_RES in $HP_MS ms, $offl block(s) offlined before the failure; blocks now $(blocks_rle "$BLOCKS")"
	check_eq "ebusy-$value-rolled-back-to-kernel-zone" \
		"EBUSY $(expected_dev_view $DEV online "$BLOCKS") uevents=" \
		"$HP_RES $(dev_view $DEV "$BLOCKS" "$mem0") uevents=$(ev_states $DEV)"
	check_eq "ebusy-$value-offlined-some-blocks-first" yes \
		"$([ $offl -gt 0 ] && echo yes || echo "no: the first block offlined was busy, nothing was rolled back")"
	# Later writes only mean something from the same start.
	state_is $DEV online "$BLOCKS" || break
done
fill_stop
kill $MEV_PID
wait $MEV_PID 2>/dev/null
dmesg | grep -E "kmem_hp|dax0.0" | grep -vE "memory[0-9]+: (offline|online)" | tail -n 8 | sed 's/^/# dmesg: /'
ev_stop
finish
