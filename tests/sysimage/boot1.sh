#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Boot 1 of the system image (a bookworm root with systemd and udev, the
# Debian 6.12 kernel, kmem_hp installed with `make install`, the modprobe.d
# snippet in /etc/modprobe.d, dax_hmem and device_dax listed in
# /etc/initramfs-tools/modules, the initramfs built without kmem_hp's
# hook). What an operator sees and does:
#  - the initramfs asked for kmem for the hmem device (the snippet made
#    that kmem_hp), but carried neither: the device had no driver there;
#  - in the real root, udev's dax:t0 load gave it to kmem_hp (under kmem's
#    name) in the snippet's online_movable, on node 1;
#  - the CXL RAM region (created by the image's stand-in for firmware)
#    gave a kmem-type dax device that kmem_hp took the same way;
#  - the NVDIMM namespace, created in devdax mode, is device_dax's; no
#    kmem_hp-config unit acts without /etc/kmem_hp/devices.conf;
#  - `daxctl reconfigure-device -m kmem_hp --save` puts the pmem device in
#    online_movable, the hmem device offline (--no-online) and the CXL
#    device in a kernel zone (--no-movable) and writes devices.conf
#    (uuid= for the namespace, range= for the others);
#    a broken line and a line for a device that does not exist are added
#    by hand, above the real ones;
#  - the hook is installed and update-initramfs -u puts kmem_hp.ko and
#    kmem.ko in the initramfs.
# Then the machine reboots into boot 2.
. /kh/lib.sh
. /kh/lib-sysimage.sh

find_devices
[ -n "$HMEM" ] || { fail hmem-device "expected the hmem dax device, saw none"; finish; }
HMEM_START=$(cat $DAXDEV/$HMEM/resource)
check_eq initramfs-without-hook-no-driver none "$(initramfs_module $HMEM_START)"
check_eq hmem-root-kmem_hp "kmem_hp kmem online_movable 1" \
	"$(dax_module "$HMEM") $(dax_driver "$HMEM") $(cat $DAXDEV/$HMEM/hotplug 2>&1) $(cat $DAXDEV/$HMEM/target_node)"
[ -n "$CXL" ] || { fail cxl-device "expected the CXL region's dax device, saw none ($(systemctl status kh-cxl-region 2>&1 | tail -n 3 | tr '\n' ' '))"; finish; }
CXL_START=$(cat $DAXDEV/$CXL/resource)
echo "$CXL_START" >/kh/cxl_start
note "CXL device: $CXL at $CXL_START, node $(cat $DAXDEV/$CXL/target_node)"
check_eq cxl-root-kmem_hp "kmem_hp kmem online_movable" \
	"$(dax_module "$CXL") $(dax_driver "$CXL") $(cat $DAXDEV/$CXL/hotplug 2>&1)"

kmsg "create the devdax namespace"
NS=$(ndctl list -N | sed -n 's/.*"dev":"\(namespace[0-9.]*\)".*/\1/p' | head -n 1)
[ -n "$NS" ] || { fail nvdimm "expected the NVDIMM's namespace, saw: $(ndctl list -NRi 2>&1 | tr -d ' \n')"; finish; }
must ndctl create-namespace -f -e "$NS" -m devdax
udevadm settle
PMEM=$(pmem_dev)
[ -n "$PMEM" ] || { fail pmem-device "expected a dax device on the NVDIMM, saw none"; finish; }
wait_config_units
check_eq pmem-device_dax device_dax "$(dax_driver "$PMEM")"
check_eq no-conf-unit-skipped "not run" "$(unit_result "$PMEM")"
UUID=$(namespace_uuid)
note "pmem device $PMEM, namespace uuid $UUID"
echo "$UUID" >/kh/uuid

out=$(daxctl reconfigure-device -m kmem_hp --save "$PMEM" 2>&1)
check_eq save-pmem "rc 0, kmem_hp online_movable" "rc $?, $(dax_module "$PMEM") $(cat $DAXDEV/$PMEM/hotplug 2>&1)"
out2=$(daxctl reconfigure-device -m kmem_hp --no-online --save "$HMEM" 2>&1)
check_eq save-hmem "rc 0, kmem_hp offline" "rc $?, $(dax_module "$HMEM") $(cat $DAXDEV/$HMEM/hotplug 2>&1)"
out3=$(daxctl reconfigure-device -m kmem_hp --no-movable --save "$CXL" 2>&1)
check_eq save-cxl "rc 0, kmem_hp online" "rc $?, $(dax_module "$CXL") $(cat $DAXDEV/$CXL/hotplug 2>&1)"
note "daxctl said: $out $out2 $out3"
check_eq conf-lines "uuid=$UUID online_movable|range=$HMEM_START offline|range=$CXL_START online_kernel" \
	"$(grep -v '^#' $CONF | tr '\n' '|' | sed 's/|$//')"
# By hand, above the saved lines: a typo (never applied, the next line
# still is) and an entry for a namespace that is not there.
{
	echo "range=$HMEM_START online_movabel"
	echo "uuid=00000000-0000-0000-0000-000000000000 online_movable"
	cat $CONF
} >$CONF.new && mv $CONF.new $CONF

kmsg "install the initramfs hook"
cp /kh/hook.kmem_hp /etc/initramfs-tools/hooks/kmem_hp
out=$(update-initramfs -u -k "$(uname -r)" 2>&1)
check_eq update-initramfs "rc 0" "rc $?"
note "update-initramfs: $(echo "$out" | tail -n 3 | tr '\n' ';')"
list=$(lsinitramfs "/boot/initrd.img-$(uname -r)")
for m in kmem_hp.ko kmem.ko; do
	check_eq "initramfs-has-$m" yes "$(echo "$list" | grep -q "/$m" && echo yes || echo no)"
done
check_eq initramfs-has-snippet yes "$(echo "$list" | grep -q 'etc/modprobe.d/kmem_hp.conf' && echo yes || echo no)"
finish
