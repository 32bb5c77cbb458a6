#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Safe lifecycle: rmmod kmem_hp is refused while a managed device has
# online memory and succeeds once it is offline (removing what is left)
# or unplugged; unbinding a device whose memory is online and movable
# unplugs it (memory gone, MemTotal back, driver unbound); unbinding a
# device whose memory cannot be offlined (online in a kernel zone and
# full of unmovable pipe buffers) logs loudly, leaves the memory online and
# in /proc/iomem, does not crash, and leaves the module consistent: it can
# be unloaded (the leaked memory keeps its resource name), reloaded, and
# the leaked range cannot be bound again (its region stays reserved).
#
# mem: 3G
# append: memmap=1G!1G
# timeout: 400
. ./lib.sh

load_pmem_modules
setup_unbound_devdax namespace0.0
base=$(all_blocks)
mem0=$(memtotal_kb)
must modprobe "$DRV"
HP=$DAXDEV/$DEV/hotplug
must sh -c "echo $DEV >$DAXDRV/$DRV/new_id"
blocks=$(new_blocks "$base" "$(all_blocks)")
grow=$(($(echo "$blocks" | grep -c .) * $(block_size) / 1024))

# rmmod while online: refused, nothing changes.
must kh-write $HP online_movable
check_eq rmmod-online-refused fail "$(rmmod "$DRV" 2>/dev/null && echo ok || echo fail)"
check_eq rmmod-online-still-loaded yes "$(loaded $DRV)"
check_eq rmmod-online-state online_movable "$(cat $HP)"

# rmmod once offline: allowed, and it removes the offline memory.
must kh-write $HP offline
check_eq rmmod-offline-allowed ok "$(rmmod "$DRV" 2>&1 && echo ok)"
check_eq rmmod-offline-blocks-gone "" "$(new_blocks "$base" "$(all_blocks)")"
check_eq rmmod-offline-memtotal "+0 kB" "+$(($(memtotal_kb) - mem0)) kB"
check_eq rmmod-offline-iomem "" "$(iomem_subtree "$DEV")"

# rmmod once unplugged: allowed.
must modprobe "$DRV" default_state=unplugged
must sh -c "echo $DEV >$DAXDRV/$DRV/new_id"
check_eq unplugged-at-bind unplugged "$(cat $HP)"
check_eq rmmod-unplugged-allowed ok "$(rmmod "$DRV" 2>&1 && echo ok)"

# Unbind while online and movable: unplugged, then unbound.
must modprobe "$DRV"
must sh -c "echo $DEV >$DAXDRV/$DRV/new_id"
must kh-write $HP online_movable
check_eq unbind-movable-memtotal-before "+$grow kB" "+$(($(memtotal_kb) - mem0)) kB"
check_eq unbind-movable-write OK "$(kh-write $DAXDRV/$DRV/unbind "$DEV")"
check_removed unbind-movable "$DEV" "$base" "$mem0"
check_eq unbind-movable-then-rmmod ok "$(rmmod "$DRV" 2>&1 && echo ok)"

# Unbind while online in a kernel zone with pinned pages: left behind.
must modprobe "$DRV" default_state=online_kernel
must sh -c "echo $DEV >$DAXDRV/$DRV/new_id"
check_eq pinned-online-kernel online "$(cat $HP)"
free_mb=$(awk '/^MemFree:/ { print int($2 / 1024) }' /proc/meminfo)
fill_pipes setup $((free_mb - 300)) "" 120
note "$(cat /tmp/fill.out) of $free_mb MiB free"
check_eq pinned-unplug-ebusy EBUSY "$(kh-write $HP unplug)"
check_eq pinned-unplug-rolled-back online "$(cat $HP)"
kmsg "unbind $DEV with pinned memory"
check_eq pinned-unbind-write OK "$(kh-write $DAXDRV/$DRV/unbind "$DEV")"
check_eq pinned-unbind-unbound none "$(dax_driver "$DEV")"
check_eq pinned-unbind-blocks-stay online "$(block_states "$blocks")"
check_eq pinned-unbind-memtotal "+$grow kB" "+$(($(memtotal_kb) - mem0)) kB"
check_cmd pinned-unbind-logged "a 'cannot be hotremoved until the next reboot' line" \
	sh -c "dmesg | grep -q '$DEV: mapping0: .* cannot be hotremoved until the next reboot'"
check_eq pinned-unbind-iomem-kept 1 "$(iomem_subtree "$DEV" | grep -c 'System RAM (kmem)')"
fill_stop

# The module is consistent: it unloads (the leak is not its to manage any
# more), reloads, and refuses the leaked range like kmem does.
check_eq leaked-rmmod ok "$(rmmod "$DRV" 2>&1 && echo ok)"
check_cmd leaked-iomem-name-kept "the leaked memory to keep its resource name after rmmod" \
	sh -c "grep -q 'System RAM (kmem)' /proc/iomem"
must modprobe "$DRV"
echo "$DEV" >$DAXDRV/$DRV/new_id 2>/dev/null
check_eq leaked-rebind-refused EBUSY "$(kh-write $DAXDRV/$DRV/bind "$DEV")"
check_eq leaked-rebind-unbound none "$(dax_driver "$DEV")"
finish
