#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# protect=Y: every online/offline of a kmem_hp device's memory block that
# kmem_hp did not start fails with EBUSY, in each device state — direct
# memoryN/state writes, a udev-style "online every offline block" loop,
# the stock daxctl online-memory — and the refusal is logged naming the
# device, block and action. Memory of a second device bound to the
# in-tree kmem, and boot RAM (the movablecore= part, which can be
# offlined), stay controllable. protect=N lets per-block changes through
# again, and flipping it back restores protection. (The debug lane's
# boot allocations, KASAN's shadow first, are made from the top of memory
# down and pin the top GiB there: its movablecore is larger.)
#
# mem: 8G
# debug-mem: 10G
# append: memmap=1G!4G,1G!6G movablecore=512M
# debug-append: memmap=1G!4G,1G!6G movablecore=2G
. ./lib.sh

load_pmem_modules
must modprobe kmem
must modprobe "$DRV"
setup_unbound_devdax namespace0.0
A=$DEV
setup_unbound_devdax namespace1.0
K=$DEV

# The other device: in-tree kmem, memory added offline, onlined movable by hand.
base=$(all_blocks)
policy=$(cat $MEMDIR/auto_online_blocks)
must sh -c "echo offline >$MEMDIR/auto_online_blocks"
must sh -c "echo $K >$DAXDRV/kmem/new_id"
must sh -c "echo $policy >$MEMDIR/auto_online_blocks"
KB=$(new_blocks "$base" "$(all_blocks)")
must set_blocks online_movable "$KB"

base=$(all_blocks)
must sh -c "echo $A >$DAXDRV/$DRV/new_id"
AB=$(new_blocks "$base" "$(all_blocks)")
note "kmem_hp device $A blocks: $(echo $AB); kmem device $K blocks: $(echo $KB)"
a1=$(echo "$AB" | sed -n 1p)
HP=$DAXDEV/$A/hotplug

# An external write of $2 to block $1 must fail with EBUSY and leave the
# block (and the device) as they were.
refused() {
	local name=$1 blk=$2 value=$3 before
	before=$(cat $MEMDIR/memory$blk/state)
	check_eq "$name" EBUSY "$(kh-write $MEMDIR/memory$blk/state "$value")"
	check_eq "$name-unchanged" "$before" "$(cat $MEMDIR/memory$blk/state)"
}

for st in offline online online_movable; do
	must kh-write $HP $st
	dstate=$(cat $HP)
	case $st in
	offline)
		refused $st-ext-online "$a1" online
		refused $st-ext-online_movable "$a1" online_movable
		refused $st-ext-online_kernel "$a1" online_kernel
		;;
	*)
		refused $st-ext-offline "$a1" offline
		;;
	esac
	check_eq $st-device-unchanged "$dstate" "$(cat $HP)"
done
check_cmd refusal-logged "a 'refused ... memory$a1' line from kmem_hp in dmesg" \
	sh -c "dmesg | grep -q '$A: refused o[a-z]* of memory$a1 by'"

# A distro-style udev rule: online every offline block. The held-offline
# device must stay offline; kmem's blocks (offline first) come online.
must kh-write $HP offline
must set_blocks offline "$KB"
for b in $(all_blocks); do
	[ "$(cat $MEMDIR/memory$b/state)" = offline ] || continue
	echo online >$MEMDIR/memory$b/state 2>/dev/null
done
check_eq udev-loop-device-stays-offline offline "$(cat $HP)"
check_eq udev-loop-blocks-stay-offline offline "$(block_states "$AB")"
check_eq udev-loop-onlines-kmem-device online "$(block_states "$KB")"

# Stock daxctl (the distro's, not the project's front end) cannot online it.
out=$(/usr/bin/daxctl online-memory "$A" 2>&1)
rc=$?
check_eq stock-daxctl-online-fails 1 "$([ $rc -ne 0 ] && echo 1 || echo "0 ($out)")"
check_eq stock-daxctl-leaves-offline offline "$(cat $HP)"

# The other driver's memory and boot RAM stay under per-block control.
must set_blocks offline "$KB"
check_eq kmem-device-offline offline "$(block_states "$KB")"
check_cmd kmem-device-online_movable "kmem's blocks to come online movable via memoryN/state" \
	set_blocks online_movable "$KB"
# Boot RAM in ZONE_MOVABLE: early allocations can pin some of its blocks,
# so offline the first one that the kernel lets go (then online it back).
boot=$(for b in $base; do echo "$AB $KB" | grep -qw "$b" || echo "$b"; done |
	while read -r b; do grep -q Movable $MEMDIR/memory$b/valid_zones && echo "$b"; done)
moved=
for b in $boot; do
	[ "$(kh-write $MEMDIR/memory$b/state offline)" = OK ] || continue
	moved=$b
	break
done
note "movable boot blocks: $(echo $boot); offlined: ${moved:-none}"
check_eq boot-block-offline yes "$([ -n "$moved" ] && echo yes || echo "no (tried: $(echo $boot))")"
[ -z "$moved" ] || check_eq boot-block-online OK "$(kh-write $MEMDIR/memory$moved/state online_movable)"
check_eq no-refusal-of-others "" \
	"$(dmesg | grep 'refused' | grep -v "$A:" | head -n 3)"

# protect=N: per-block changes pass (the device reads mixed); back to Y:
# refused again, and a whole-device write reunites the blocks.
must kh-write $HP online_movable
must set_protect N
check_eq protect-N-ext-offline OK "$(kh-write $MEMDIR/memory$a1/state offline)"
check_eq protect-N-reads-mixed mixed "$(cat $HP)"
must set_protect Y
refused protect-Y-again "$a1" online_movable
check_eq protect-Y-whole-device OK "$(kh-write $HP online_movable)"
check_eq protect-Y-whole-device-state online_movable "$(cat $HP)"
finish
