#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# A device with no block-aligned memory: a 128 MiB pmem region at 4 GiB
# gives a devdax device smaller than one aligned block once map=dev has
# taken its share. new_id must leave it unbound, an explicit bind must
# fail with ENOSPC (and the kernel log say so), nothing may be added or
# claimed, and the device must still be usable by device_dax afterwards.
#
# mem: 5G
# append: memmap=128M!4G
. ./lib.sh

load_pmem_modules
setup_unbound_devdax namespace0.0
base=$(all_blocks)
mem0=$(memtotal_kb)
check_eq no-aligned-blocks "" "$(expected_blocks "$DEV")"

must modprobe "$DRV"
kmsg "new_id $DEV"
check_eq new_id-write OK "$(kh-write $DAXDRV/$DRV/new_id "$DEV")"
check_eq new_id-leaves-unbound none "$(dax_driver "$DEV")"
kmsg "bind $DEV"
check_eq bind-errno ENOSPC "$(kh-write $DAXDRV/$DRV/bind "$DEV")"
check_removed after-failed-bind "$DEV" "$base" "$mem0"
check_eq probe-error-logged yes \
	"$(dmesg | grep -E "$DRV.*$DEV.*(-28|ENOSPC)|$DEV.*$DRV.*(-28|ENOSPC)" >/dev/null && echo yes || echo no)"

# Nothing left claimed: device_dax can take the device.
must sh -c "echo $DEV >$DAXDRV/$DRV/remove_id"
check_eq device_dax-rebind OK "$(kh-write $DAXDRV/device_dax/bind "$DEV")"
check_eq device_dax-bound device_dax "$(dax_driver "$DEV")"
finish
