#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Binding a pmem devdax device through new_id, the way daxctl does:
# the device moves to kmem_hp, its block-aligned memory appears as memory
# blocks in the state the kernel's auto-online policy gives (offline on
# 6.1, online on 6.12/7.2), /proc/iomem shows "System RAM (kmem)" under a
# "dax0.0" resource, MemTotal grows by exactly the onlined blocks, and all
# of it is identical to what in-tree kmem does with the same device.
#
# mem: 6G
# append: memmap=2G!4G
# debug-append: memmap=512M!4G
. ./lib.sh

# The kernels' documented default policies (kernel-api.md §2.1).
case $KERNEL in
6.1) check_eq auto-online-policy offline "$(cat $MEMDIR/auto_online_blocks)" ;;
*) check_eq auto-online-policy online "$(cat $MEMDIR/auto_online_blocks)" ;;
esac

load_pmem_modules
setup_unbound_devdax namespace0.0
base=$(all_blocks)
mem0=$(memtotal_kb)
exp=$(expected_blocks "$DEV")
note "$DEV ranges: $(dax_ranges "$DEV" | while read -r s e; do printf '%x-%x ' $s $e; done)"
note "expected blocks: $(echo $exp)"
check_eq has-aligned-blocks yes "$([ -n "$exp" ] && echo yes || echo no)"

kmem_reference "$DEV"
check_eq kmem-reference-blocks "$exp" "$KMEM_BLOCKS"

must modprobe "$DRV"
kmsg "new_id $DEV"
check_eq new_id-write OK "$(kh-write $DAXDRV/$DRV/new_id "$DEV")"
check_added bind "$DEV" "$DRV" "$base" "$mem0"
check_eq same-blocks-as-kmem "$KMEM_BLOCKS" "$ADDED"
check_eq same-iomem-as-kmem "$KMEM_IOMEM" "$(iomem_subtree "$DEV")"
if [ "$(policy_state)" = online ]; then
	check_eq same-memtotal-as-kmem "+$KMEM_GROW_KB kB" "+$(($(memtotal_kb) - mem0)) kB"
fi
finish
