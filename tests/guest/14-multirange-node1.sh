#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# A device made of two discontiguous ranges, on NUMA node 1. The guest has
# a CPU-less, memory-less node 1 whose 1 GiB is soft-reserved
# (memmap=1G%4G+0xefffffff), so dax_hmem makes a resizable dax region on
# node 1. Through the dax bus's own sysfs (size, dax_region/create) it is
# split: dax0.0 shrunk to 256 MiB, dax0.1 created with the next 256 MiB,
# dax0.0 grown by 256 MiB, which gives it a second range after dax0.1's.
# Both are bound to kmem_hp (default_state=offline) and dax0.1, whose
# blocks sit between dax0.0's ranges, is put online_movable and must not
# change from then on. (It also keeps node 1 populated: the first time a
# node gets kernel-zone memory the kernel puts its per-node threads'
# memory there, kswapd etc., which then cannot be offlined; with movable
# memory on the node they live on node 0.) dax0.0 goes through unplugged,
# offline, online_movable, online (kernel) and back, checked after every
# write against the blocks of both of its ranges, the node every block is
# on (node1/memoryN), node 1's MemTotal, MemTotal and /proc/iomem.
# Last, EBUSY on the two-range device: its blocks onlined by hand in the
# kernel zone from the last to the first, unmovable pipe buffers bound to
# node 1 (they land on the last blocks), online_movable and unplug must
# fail and roll the first range's already offlined blocks back.
#
# On the debug lane node 1 also has 512 MiB of boot RAM above the device:
# without Normal memory of its own there, the node's own kernel
# allocations (slab pages of node-1 objects) land in the device's first
# block as soon as it is in a kernel zone, and nothing can offline it.
#
# mem: 4G
# debug-mem: 4608M
# smp: 2
# qemu: -object memory-backend-ram,id=m0,size=3G -object memory-backend-ram,id=m1,size=1G -numa node,nodeid=0,memdev=m0,cpus=0-1 -numa node,nodeid=1,memdev=m1
# debug-qemu: -object memory-backend-ram,id=m0,size=3G -object memory-backend-ram,id=m1,size=1536M -numa node,nodeid=0,memdev=m0,cpus=0-1 -numa node,nodeid=1,memdev=m1
# append: memmap=1G%4G+0xefffffff
# timeout: 300
. ./lib.sh
. ./lib-state.sh

must modprobe device_dax
must modprobe dax_hmem
wait_for test -e $DAXDEV/dax0.0 ||
	{ fail setup "expected dax_hmem to create dax0.0, saw $(ls $DAXDEV)"; finish; }
A=dax0.0
check_eq target-node 1 "$(cat $DAXDEV/$A/target_node)"
must dax_unbind $A
R=$(readlink -f $DAXDEV/$A/..)
MB=1048576
full=$(cat $DAXDEV/$A/size)
must sh -c "echo $((256 * MB)) >$DAXDEV/$A/size"
must sh -c "echo 1 >$R/dax_region/create"
B=$(cat $R/dax_region/seed)
must sh -c "echo $((256 * MB)) >$DAXDEV/$B/size"
must sh -c "echo $((512 * MB)) >$DAXDEV/$A/size"
note "region $(hex $full) bytes; $A: $(dax_ranges $A | while read -r s e; do printf '%x-%x ' $s $e; done); $B: $(dax_ranges $B | while read -r s e; do printf '%x-%x ' $s $e; done)"
check_eq two-ranges 2 "$(dax_ranges $A | grep -c .)"
set -- $(dax_ranges $A | tr '\n' ' ')
check_eq ranges-discontiguous yes "$([ $(($3 - $2)) -gt 1 ] && echo yes || echo no)"
BA=$(expected_blocks $A)
BB=$(expected_blocks $B)
note "$A blocks: $(echo $BA); $B blocks: $(echo $BB)"
mem00=$(memtotal_kb)

must modprobe "$DRV" default_state=offline
ev_start
bind_kmem_hp $A
bind_kmem_hp $B
check_state bind-$A $A offline "$mem00" "$BA"
check_state bind-$B $B offline "$mem00" "$BB"
hp_write $B online_movable
check_eq $B-online_movable-write OK "$HP_RES"
check_state $B-online_movable $B online_movable "$mem00" "$BB"
check_eq $B-node "$(for b in $BB; do echo "memory$b:node1"; done)" "$(blocks_nodes "$BB")"
# Baselines for dax0.0: dax0.1's memory counted in.
mem0=$(memtotal_kb)
nodemem0=$(node_memtotal_kb 1)

# check_node NAME STATE: dax0.0's blocks are all on node 1, node 1's
# MemTotal counts them when online.
check_node() {
	local grow=0
	case $2 in online*) grow=$(($(nr_words $BA) * $(block_size) / 1024)) ;; esac
	check_eq "$1-node" "$([ "$2" = unplugged ] || for b in $BA; do echo "memory$b:node1"; done)" \
		"$(blocks_nodes "$BA")"
	check_eq "$1-node1-memtotal" "+$grow kB" "+$(($(node_memtotal_kb 1) - nodemem0)) kB"
}

from=offline
for value in unplug online_movable offline online_movable unplug online_movable \
	unplugged offline online_kernel online offline; do
	to=$(hp_result $value)
	ev_mark $A
	kmsg "$A: $from -> $value"
	hp_write $A $value
	ev_mark $A
	note "time $from->$value $HP_MS"
	step=$from.$value
	check_eq "$step-write" OK "$HP_RES"
	check_state "$step" $A "$to" "$mem0" "$BA"
	check_node "$step" "$to"
	check_eq "$step-uevent" "$([ "$from" = "$to" ] || echo "$to")" "$(ev_states $A)"
	check_eq "$step-$B-untouched" online_movable "$(hp_read $B)"
	from=$to
done
check_state end-$B $B online_movable "$mem00" "$BB"

# --- EBUSY with two ranges on node 1 ---------------------------------------------
# Online the blocks by hand, last first, so that the last blocks head node
# 1's free lists; fill pipes bound to node 1: 64 MiB more than node 1's
# other free Normal memory (none but on the debug lane), which the kernel
# uses first.
other=$(node_normal_free_kb 1)
online_kernel_last_first "$BA"
check_state ebusy-start $A online "$mem0" "$BA"
fill_pipes ebusy-fill $((other / 1024 + 64)) 1
for value in online_movable unplug; do
	ev_mark $A
	kmsg "ebusy $value"
	hp_write $A $value
	ev_mark $A
	note "time online->$value $HP_MS (EBUSY)"
	check_eq "ebusy-$value-errno" EBUSY "$HP_RES"
	check_state "ebusy-$value-rolled-back" $A online "$mem0" "$BA"
	check_node "ebusy-$value-rolled-back" online
	check_eq "ebusy-$value-no-uevent" "" "$(ev_states $A)"
	pfn=$(dmesg | sed -n "/kh: $SCENARIO: ebusy $value\$/,\$p" | grep -o 'pfn:0x[0-9a-f]*' | head -n1)
	blk=$([ -n "$pfn" ] && echo $((${pfn#pfn:} * 4096 / $(block_size))))
	note "offline stopped at $pfn (memory$blk)"
	# The failing block is in the second range: the first range's
	# blocks had been offlined and were put back.
	set -- $(dax_ranges $A | sed -n 2p)
	check_eq "ebusy-$value-failed-in-second-range" yes \
		"$([ -n "$blk" ] && [ "$blk" -ge $(($1 / $(block_size))) ] && echo yes || echo "no: unmovable page reported at '$pfn'")"
done
fill_stop
ev_stop
finish
