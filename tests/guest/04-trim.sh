#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Trimming to memory-block alignment: a 1008 MiB pmem region gives a devdax
# device whose start (after the map=dev reservation) and end are both
# unaligned to the 128 MiB block size. kmem_hp must add exactly the blocks
# kmem adds for the same device, with the same iomem claim, and log the
# trim ("mapping0: <range> trimmed to <aligned range> ...").
#
# mem: 6G
# append: memmap=1008M!4G
. ./lib.sh

load_pmem_modules
setup_unbound_devdax namespace0.0
bs=$(block_size)
base=$(all_blocks)
mem0=$(memtotal_kb)
set -- $(dax_ranges "$DEV")
start=$1
end=$2
note "$DEV: $(hex $start)-$(hex $end), block size $(hex $bs)"
check_eq start-unaligned yes "$([ $((start % bs)) -ne 0 ] && echo yes || echo no)"
check_eq end-unaligned yes "$([ $(((end + 1) % bs)) -ne 0 ] && echo yes || echo no)"
astart=$(((start + bs - 1) / bs * bs))
aend=$(((end + 1) / bs * bs - 1))

kmem_reference "$DEV"
must modprobe "$DRV"
must sh -c "echo $DEV >$DAXDRV/$DRV/new_id"
check_added bind "$DEV" "$DRV" "$base" "$mem0"
check_eq first-block "$((astart / bs))" "$(echo "$ADDED" | head -n1)"
check_eq last-block "$((aend / bs))" "$(echo "$ADDED" | tail -n1)"
check_eq same-blocks-as-kmem "$KMEM_BLOCKS" "$ADDED"
check_eq same-iomem-as-kmem "$KMEM_IOMEM" "$(iomem_subtree "$DEV")"

# One trim line for the one range, naming the device and the aligned start.
trim=$(dmesg | grep "$DRV $DEV: .*trimmed")
check_eq trim-logged 1 "$(echo "$trim" | grep -c trimmed)"
check_eq trim-log-names-aligned-start yes "$(echo "$trim" | grep -qi "trimmed to $(hex $astart)" && echo yes || echo "no: $trim")"
finish
