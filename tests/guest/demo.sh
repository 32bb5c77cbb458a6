#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Narrated demo (tests/demo, not a test): a 2 GiB pmem devdax device is
# handed from device_dax to kmem_hp and becomes system RAM.
#
# mem: 6G
# append: memmap=2G!4G quiet
. ./lib.sh

step() { printf '\n--- %s\n' "$*"; }
show() { printf '$ %s\n' "$*"; sh -c "$*" 2>&1 | sed 's/^/  /'; }

step "Kernel $KVER, memory block size $(hex "$(block_size)"), auto_online_blocks=$(cat $MEMDIR/auto_online_blocks)"
load_pmem_modules
DEV=$(create_devdax namespace0.0) || { echo "could not create a devdax device"; exit 1; }
echo "A 2 GiB legacy pmem region (memmap=2G!4G) reconfigured as devdax: $DEV"
show "daxctl list -d $DEV"
mem0=$(memtotal_kb)
base=$(all_blocks)

step "Before: $DEV is a character device owned by device_dax"
show "grep MemTotal /proc/meminfo"
show "readlink $DAXDEV/$DEV/driver"

step "Hand it to kmem_hp"
show "modprobe kmem_hp && modinfo -F version kmem_hp"
show "echo $DEV > $DAXDRV/device_dax/unbind"
show "echo $DEV > $DAXDRV/kmem_hp/new_id"
show "readlink $DAXDEV/$DEV/driver"
show "dmesg | grep 'kmem_hp $DEV'"

step "Its memory blocks (block-aligned part of the device)"
added=$(new_blocks "$base" "$(all_blocks)")
for b in $added; do
	printf '  memory%s  %s  %s\n' "$b" "$(cat $MEMDIR/memory$b/state)" "$(cat $MEMDIR/memory$b/valid_zones 2>/dev/null)"
done
echo "  $(echo "$added" | grep -c .) blocks of $(($(block_size) >> 20)) MiB"

step "/proc/iomem"
iomem_subtree "$DEV" | sed 's/^/  /'

step "After"
show "grep MemTotal /proc/meminfo"
echo "MemTotal grew by $((($(memtotal_kb) - mem0) / 1024)) MiB"
[ "$(policy_state)" = online ] ||
	echo "(this kernel's auto_online_blocks policy is offline: the memory is added but not yet online)"

if [ -e $DAXDEV/$DEV/hotplug ]; then
	step "Whole-device control through $DAXDEV/$DEV/hotplug"
	show "cat $DAXDEV/$DEV/hotplug"
	for s in offline online_movable unplug; do
		show "echo $s > $DAXDEV/$DEV/hotplug; cat $DAXDEV/$DEV/hotplug; grep MemTotal /proc/meminfo"
	done
fi
