#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The one boot of the dracut system image (61-sysimage-dracut): a bookworm
# root with systemd, udev and Debian's dracut (no initramfs-tools), the
# Debian 6.12 kernel, kmem_hp installed with `make install`, the modprobe.d
# snippet in /etc/modprobe.d, dax_hmem and device_dax added to the
# initramfs in dracut.conf.d, the initramfs built with dracut. Shows:
#  - the initramfs booted has the 90kmem_hp dracut module, and with it
#    kmem_hp.ko, kmem.ko, the snippet and grep;
#  - kh-record, run by the image's pre-pivot hook while / was still the
#    initramfs's rootfs, found the hmem device and the CXL RAM region's
#    dax device (created in the initramfs by the image's stand-in for
#    firmware) bound by kmem_hp (under kmem's name), kmem_hp loaded and
#    kmem not; the journal has that record before systemd's
#    "Switching root.";
#  - in the real root both devices are still kmem_hp's, in the snippet's
#    online_movable (its options reached the initramfs), and kmem is not
#    loaded.
. /kh/lib.sh
. /kh/lib-sysimage.sh

find_devices
# The initramfs as lsinitrd lists it (run when the image was made: it
# takes a minute under TCG): the dracut modules, one a line from
# "dracut modules:" to the next separator, then the files.
list=$(cat /kh/initramfs.lsinitrd 2>&1)
check_eq initramfs-dracut-module-kmem_hp yes \
	"$(echo "$list" | sed -n '/^dracut modules:/,/^====/p' | grep -qx kmem_hp && echo yes || echo no)"
for f in updates/kmem_hp.ko drivers/dax/kmem.ko etc/modprobe.d/kmem_hp.conf bin/grep; do
	check_eq "initramfs-has-${f##*/}" yes "$(echo "$list" | grep -q "$f" && echo yes || echo no)"
done

record=$(cat /run/kh-initramfs 2>/dev/null)
check_eq record-made-in-initramfs "root-fs rootfs" "$(echo "$record" | grep '^root-fs ' || echo 'no record')"
check_eq initramfs-modules "modules kmem_hp" "$(echo "$record" | grep '^modules ' || echo 'no record')"
[ -n "$HMEM" ] || { fail hmem-device "expected the hmem dax device, saw none"; finish; }
HMEM_START=$(cat "$DAXDEV/$HMEM/resource")
check_eq initramfs-hmem-kmem_hp kmem_hp "$(initramfs_module "$HMEM_START")"
[ -n "$CXL" ] || { fail cxl-device "expected the CXL region's dax device, saw none (kernel log: $(dmesg | grep kh-cxl-region | tr '\n' ' '))"; finish; }
CXL_START=$(cat "$DAXDEV/$CXL/resource")
note "CXL device: $CXL at $CXL_START, node $(cat "$DAXDEV/$CXL/target_node")"
check_eq initramfs-cxl-kmem_hp kmem_hp "$(initramfs_module "$CXL_START")"
# In the journal (the initramfs's journald hands over to the real root's):
# the record, then systemd leaving the initramfs.
order=$(journalctl -b --no-pager -o short-monotonic 2>/dev/null |
	sed -n -e 's/.* kh-record: .*/record/p' -e 's/.* systemd\[1\]: Switching root\.$/switch-root/p' |
	uniq | tr '\n' ' ')
check_eq record-before-switch-root "record switch-root" "${order% }"

check_eq hmem-root-kmem_hp "kmem_hp kmem online_movable 1" \
	"$(dax_module "$HMEM") $(dax_driver "$HMEM") $(cat "$DAXDEV/$HMEM/hotplug" 2>&1) $(cat "$DAXDEV/$HMEM/target_node")"
check_eq cxl-root-kmem_hp "kmem_hp kmem online_movable" \
	"$(dax_module "$CXL") $(dax_driver "$CXL") $(cat "$DAXDEV/$CXL/hotplug" 2>&1)"
check_eq kmem-not-loaded no "$(grep -q '^kmem ' /proc/modules && echo yes || echo no)"
finish
