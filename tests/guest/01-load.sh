#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Module load and unload with nothing bound: kmem_hp loads without pulling
# in kmem, registers the dax driver "kmem_hp" with the usual driver files,
# reports the version it was built with, unloads, and loads again.
#
# mem: 1G
. ./lib.sh

check_cmd modprobe "'modprobe $DRV' to succeed" modprobe "$DRV"
check_eq driver-registered yes "$([ -d $DAXDRV/$DRV ] && echo yes || echo no)"
check_eq driver-files "bind new_id remove_id unbind" \
	"$(cd $DAXDRV/$DRV 2>/dev/null && ls -d bind new_id remove_id unbind 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"
check_eq module-file "/lib/modules/$KVER/extra/$DRV.ko" "$(modinfo -F filename "$DRV" 2>&1)"
version=$(modinfo -F version "$DRV" 2>&1)
check_eq version-present yes "$([ -n "$version" ] && echo yes || echo no)"
check_eq version-loaded "$version" "$(cat /sys/module/$DRV/version 2>&1)"
check_eq kmem-not-loaded no "$(grep -q '^kmem ' /proc/modules && echo yes || echo no)"

check_cmd rmmod "'rmmod $DRV' to succeed with nothing bound" rmmod "$DRV"
check_eq unloaded "gone gone" "$([ -e /sys/module/$DRV ] && echo present || echo gone) $([ -e $DAXDRV/$DRV ] && echo present || echo gone)"

check_cmd reload "'modprobe $DRV' to succeed again" modprobe "$DRV"
check_eq reload-driver-registered yes "$([ -d $DAXDRV/$DRV ] && echo yes || echo no)"
finish
