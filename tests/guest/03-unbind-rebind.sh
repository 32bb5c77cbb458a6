#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Unbind and rebind: unbinding kmem_hp from a device whose memory is
# offline removes its memory blocks and iomem claims and MemTotal returns
# to the baseline; the device can be bound again through "bind" (its id
# is still in new_id) with the same result, three times over. Where the
# policy onlines memory (6.12/7.2) the blocks are offlined by hand first,
# through memoryN/state with kmem_hp's protect=N (protect=Y, the default,
# refuses exactly that).
#
# mem: 6G
# append: memmap=2G!4G
# debug-append: memmap=512M!4G
. ./lib.sh

load_pmem_modules
setup_unbound_devdax namespace0.0
base=$(all_blocks)
mem0=$(memtotal_kb)
must modprobe "$DRV"

must sh -c "echo $DEV >$DAXDRV/$DRV/new_id"
check_added bind "$DEV" "$DRV" "$base" "$mem0"

for cycle in 1 2 3; do
	if [ "$(policy_state)" = online ]; then
		must set_protect N
		check_cmd cycle$cycle-offline "every block of $DEV to go offline via memoryN/state" \
			set_blocks offline "$ADDED"
		must set_protect Y
	fi
	kmsg "unbind $DEV (cycle $cycle)"
	check_eq cycle$cycle-unbind-write OK "$(kh-write $DAXDRV/$DRV/unbind "$DEV")"
	check_removed cycle$cycle-unbound "$DEV" "$base" "$mem0"
	kmsg "bind $DEV (cycle $cycle)"
	check_eq cycle$cycle-bind-write OK "$(kh-write $DAXDRV/$DRV/bind "$DEV")"
	check_added cycle$cycle-rebound "$DEV" "$DRV" "$base" "$mem0"
done
finish
