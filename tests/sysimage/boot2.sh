#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Boot 2 of the system image, after boot 1 saved the states and installed
# the initramfs hook:
#  - the initramfs now carries kmem_hp: the hmem device was kmem_hp's
#    before the real root was mounted;
#  - udev's 91-kmem_hp.rules started kmem_hp-config@ for each dax device,
#    and each reached its saved state: the pmem device (device_dax after
#    boot, by its namespace uuid) online_movable on kmem_hp, the hmem
#    device (bound online_movable by the snippet, by its address) offline,
#    the CXL device (the same, by its region's address) in a kernel zone;
#    the units succeeded, the typo line was reported and skipped;
#  - applying again changes nothing (idempotent), through the unit and by
#    hand; a device without an entry is left alone (exit 0).
. /kh/lib.sh
. /kh/lib-sysimage.sh

find_devices
UUID=$(cat /kh/uuid)
[ -n "$HMEM" ] && [ -n "$PMEM" ] && [ -n "$CXL" ] ||
	{ fail devices "expected the hmem, the pmem and the CXL device, saw '$HMEM' '$PMEM' '$CXL'"; finish; }
HMEM_START=$(cat $DAXDEV/$HMEM/resource)
check_eq initramfs-with-hook-kmem_hp kmem_hp "$(initramfs_module $HMEM_START)"
check_eq namespace-kept "$UUID" "$(namespace_uuid)"
check_eq cxl-address-kept "$(cat /kh/cxl_start)" "$(cat $DAXDEV/$CXL/resource)"
check_eq pmem-restored "kmem_hp online_movable" "$(dax_module "$PMEM") $(cat $DAXDEV/$PMEM/hotplug 2>&1)"
check_eq hmem-restored "kmem_hp offline" "$(dax_module "$HMEM") $(cat $DAXDEV/$HMEM/hotplug 2>&1)"
check_eq cxl-restored "kmem_hp online" "$(dax_module "$CXL") $(cat $DAXDEV/$CXL/hotplug 2>&1)"
check_eq pmem-unit "success 0" "$(unit_result "$PMEM")"
check_eq hmem-unit "success 0" "$(unit_result "$HMEM")"
check_eq cxl-unit "success 0" "$(unit_result "$CXL")"
log=$(journalctl -b --no-pager -o cat -u "kmem_hp-config@$HMEM.service" 2>&1)
note "kmem_hp-config@$HMEM: $(echo "$log" | tr '\n' ';')"
check_eq typo-reported yes "$(echo "$log" | grep -q 'devices.conf:1: ignored' && echo yes || echo no)"
n=$(grep -n "^range=$HMEM_START offline" $CONF | cut -d: -f1)
check_eq hmem-applied-line yes "$(echo "$log" | grep -q "devices.conf:$n (range=$HMEM_START): offline" && echo yes || echo no)"

# Idempotent.
check_eq reapply-unit "rc 0 success 0 online_movable" \
	"rc $(systemctl restart "kmem_hp-config@$PMEM.service" >/dev/null 2>&1; echo $?) $(unit_result "$PMEM") $(cat $DAXDEV/$PMEM/hotplug)"
check_eq reapply-by-hand "rc 0 offline" \
	"rc $(daxctl reconfigure-device --apply-config "$HMEM" >/dev/null 2>&1; echo $?) $(cat $DAXDEV/$HMEM/hotplug)"
# Not configured: nothing to do.
sed -i "/^range=$HMEM_START offline/d" $CONF
check_eq unconfigured-left-alone "rc 0 offline" \
	"rc $(daxctl reconfigure-device --apply-config "$HMEM" >/dev/null 2>&1; echo $?) $(cat $DAXDEV/$HMEM/hotplug)"
finish
