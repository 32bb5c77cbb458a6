#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Soft-reserved (hmem) memory on a CPU-less NUMA node, and the opt-in
# modprobe.d snippet (modprobe.d/kmem_hp.conf).
#
# 6.12/7.2, where hmem devices are kmem-type: with the snippet in
# /etc/modprobe.d, what udev would do at boot (modprobe the dax:t0
# modules, i.e. kmem) loads kmem_hp instead of kmem, which binds the
# device by itself, under kmem's name (its driver directory is "kmem",
# whose module is kmem_hp), and puts it in the snippet's default_state
# (online_movable), on node 1. Without the snippet (opted out) the
# in-tree kmem gets such a device as before, and the stock daxctl
# -m system-ram still works with kmem_hp loaded.
#
# 6.1, whose dax bus has no device types: hmem devices are plain devdax
# (device_dax takes them); the snippet still keeps kmem from loading and
# loads kmem_hp, which says the kmem name serves explicit binds only; the
# device is handed over through new_id and gets the snippet's
# default_state.
#
# Every kernel, snippet installed: the stock /usr/bin/daxctl
# reconfigure-device -m system-ram binds a device_dax device to kmem_hp
# (through the kmem name) in the snippet's state; stock -m devdax -f
# cannot offline it behind kmem_hp's back (refused, nothing changes);
# once offline through the hotplug file, stock -m devdax gives it back to
# device_dax with its memory removed.
#
# mem: 4G
# smp: 2
# qemu: -object memory-backend-ram,id=m0,size=3G -object memory-backend-ram,id=m1,size=1G -numa node,nodeid=0,memdev=m0,cpus=0-1 -numa node,nodeid=1,memdev=m1
# append: memmap=1G%4G+0xefffffff
. ./lib.sh

# kmod's modprobe, the one udev and daxctl use (busybox sh would run its
# own applet for a plain "modprobe", which knows no install directives).
KMOD=/sbin/modprobe
check_eq snippet-shipped yes "$([ -f $SNIPPET ] && echo yes || echo no)"
snippet_install

# On node 1: its blocks are linked under node1, none under node0.
on_node1() {
	local b bad=
	for b in $1; do
		[ -e /sys/devices/system/node/node1/memory$b ] || bad="$bad $b"
	done
	echo "${bad:-yes}"
}

must modprobe dax_hmem
must modprobe device_dax
wait_for sh -c "ls $DAXDEV | grep -q dax" || { fail setup "expected an hmem dax device, saw none"; finish; }
DEV=$(ls $DAXDEV | head -n 1)
note "hmem device $DEV: target_node $(cat $DAXDEV/$DEV/target_node), size $(cat $DAXDEV/$DEV/size)"
check_eq target-node 1 "$(cat $DAXDEV/$DEV/target_node)"
base=$(all_blocks)

case $KERNEL in
6.1)
	check_eq devdax-on-6.1 device_dax "$(dax_driver "$DEV")"
	snippet_modprobe_kmem
	check_cmd kmem-name-explicit-only-logged "the 'kmem name serves explicit binds only' line" \
		sh -c "dmesg | grep -q 'the kmem name serves explicit binds only'"
	check_eq still-devdax device_dax "$(dax_driver "$DEV")"
	must dax_unbind "$DEV"
	check_eq new_id OK "$(kh-write $DAXDRV/$DRV/new_id "$DEV")"
	;;
*)
	check_eq kmem-type-unbound none "$(dax_driver "$DEV")"
	snippet_modprobe_kmem
	wait_for sh -c "[ -e $DAXDEV/$DEV/driver ]"
	check_eq snippet-bound-as-kmem kmem "$(dax_driver "$DEV")"
	;;
esac
check_eq snippet-bound "$DRV" "$(dax_module "$DEV")"
check_eq snippet-default-state online_movable "$(cat $DAXDEV/$DEV/hotplug)"
blocks=$(new_blocks "$base" "$(all_blocks)")
check_eq blocks-expected "$(expected_blocks "$DEV")" "$blocks"
check_eq blocks-on-node1 yes "$(on_node1 "$blocks")"
check_eq node1-offline OK "$(kh-write $DAXDEV/$DEV/hotplug offline)"
check_eq node1-offline-state offline "$(block_states "$blocks")"
check_eq node1-online_movable OK "$(kh-write $DAXDEV/$DEV/hotplug online_movable)"
check_eq node1-online_movable-state online_movable "$(cat $DAXDEV/$DEV/hotplug)"
check_eq node1-unplug OK "$(kh-write $DAXDEV/$DEV/hotplug unplug)"
check_eq node1-unplugged-no-blocks "" "$(new_blocks "$base" "$(all_blocks)")"

# The stock daxctl with the snippet installed. Its "-m system-ram"
# (default movable) refuses to start while the kernel would auto-online;
# kmem_hp adds the memory offline anyway, the refusal is daxctl's own.
policy=$(cat $MEMDIR/auto_online_blocks)
must sh -c "echo offline >$MEMDIR/auto_online_blocks"
must dax_unbind "$DEV"
echo "$DEV" >$DAXDRV/device_dax/bind 2>/dev/null || echo "$DEV" >$DAXDRV/device_dax/new_id
check_eq stock-setup-device_dax device_dax "$(dax_driver "$DEV")"
kmsg "stock daxctl -m system-ram"
out=$(/usr/bin/daxctl reconfigure-device -m system-ram "$DEV" 2>&1)
rc=$?
check_eq stock-system-ram "rc 0, module $DRV, driver kmem, online_movable" \
	"rc $rc, module $(dax_module "$DEV"), driver $(dax_driver "$DEV"), $(cat $DAXDEV/$DEV/hotplug 2>&1)"
[ $rc -eq 0 ] || note "daxctl said: $out"
blocks=$(new_blocks "$base" "$(all_blocks)")
check_eq stock-system-ram-blocks "$(expected_blocks "$DEV")" "$blocks"
check_eq stock-system-ram-blocks-online online "$(block_states "$blocks")"
out=$(/usr/bin/daxctl list -d "$DEV" 2>&1)
case $out in
*'"mode":"system-ram"'*) check_eq stock-list-says-system-ram yes yes ;;
*) check_eq stock-list-says-system-ram '"mode":"system-ram"' "$out" ;;
esac
kmsg "stock daxctl -m devdax -f while online"
out=$(/usr/bin/daxctl reconfigure-device -m devdax -f "$DEV" 2>&1)
rc=$?
check_eq stock-devdax-online-refused "rc non-zero, module $DRV, online_movable" \
	"rc $([ $rc -ne 0 ] && echo non-zero || echo 0), module $(dax_module "$DEV"), $(cat $DAXDEV/$DEV/hotplug 2>&1)"
check_eq stock-devdax-online-refused-blocks online "$(block_states "$blocks")"
check_eq stock-offline OK "$(kh-write $DAXDEV/$DEV/hotplug offline)"
kmsg "stock daxctl -m devdax while offline"
out=$(/usr/bin/daxctl reconfigure-device -m devdax "$DEV" 2>&1)
rc=$?
check_eq stock-devdax "rc 0, device_dax" "rc $rc, $(dax_driver "$DEV")"
[ $rc -eq 0 ] || note "daxctl said: $out"
check_eq stock-devdax-memory-removed "" "$(new_blocks "$base" "$(all_blocks)")"
must sh -c "echo $policy >$MEMDIR/auto_online_blocks"

# Opt out: snippet removed, kmem_hp gone; the in-tree kmem and the stock
# daxctl work as they always did.
must dax_unbind "$DEV"
echo "$DEV" >$DAXDRV/device_dax/remove_id 2>/dev/null
must rmmod "$DRV"

# Fail open: with the snippet installed, a kmem request that cannot get
# kmem_hp (blacklisted; or failing to load, here through a bad option as
# a refused signature or a module DKMS did not build would) loads the
# in-tree kmem, which binds the kmem-type device (6.12 and later). The
# blacklist case goes through udev's path: modprobe -b of the device's
# MODALIAS (dax:t0, which kmem's and device_dax's aliases match).
fail_open() {
	local name=$1 conf=$2 rc
	shift 2
	echo "$conf" >/etc/modprobe.d/kh-fail-open.conf
	kmsg "fail-open $name: $*"
	"$@" >/tmp/fail-open.out 2>&1
	rc=$?
	check_eq "fail-open-$name" "rc 0, kmem_hp no, kmem yes" \
		"rc $rc, kmem_hp $(loaded "$DRV"), kmem $(loaded kmem)"
	[ $rc -eq 0 ] || note "$*: $(cat /tmp/fail-open.out)"
	case $KERNEL in
	6.1) ;;
	*)
		wait_for sh -c "[ -e $DAXDEV/$DEV/driver ]"
		check_eq "fail-open-$name-kmem-binds" "kmem kmem" "$(dax_driver "$DEV") $(dax_module "$DEV")"
		must set_blocks offline "$(new_blocks "$base" "$(all_blocks)")"
		must sh -c "echo $DEV >$DAXDRV/kmem/unbind"
		;;
	esac
	rm -f /etc/modprobe.d/kh-fail-open.conf
	must rmmod kmem
}
# Online movable (here and when opted out below), so that the test can
# give the memory kmem adds back afterwards.
policy=$(cat $MEMDIR/auto_online_blocks)
[ "$policy" = offline ] || must sh -c "echo online_movable >$MEMDIR/auto_online_blocks"
fail_open blacklisted "blacklist $DRV" $KMOD -b "$(sed -n 's/^MODALIAS=//p' $DAXDEV/$DEV/uevent)"
fail_open load-fails "options $DRV default_state=bogus" $KMOD kmem
snippet_remove
kmsg "opted out: modprobe kmem"
must $KMOD kmem
check_eq opt-out-kmem-loaded yes "$(loaded kmem)"
case $KERNEL in
6.1)
	check_eq opt-out-device-free none "$(dax_driver "$DEV")"
	;;
*)
	wait_for sh -c "[ -e $DAXDEV/$DEV/driver ]"
	check_eq opt-out-kmem-binds-kmem-type "kmem kmem" "$(dax_driver "$DEV") $(dax_module "$DEV")"
	must set_blocks offline "$(new_blocks "$base" "$(all_blocks)")"
	must sh -c "echo $DEV >$DAXDRV/kmem/unbind"
	;;
esac
must sh -c "echo $policy >$MEMDIR/auto_online_blocks"
must modprobe "$DRV"
out=$(/usr/bin/daxctl reconfigure-device -m system-ram --no-movable "$DEV" 2>&1)
rc=$?
check_eq opt-out-stock-daxctl-system-ram "0 kmem" "$rc $(dax_module "$DEV")"
[ $rc -eq 0 ] || note "daxctl said: $out"
check_eq opt-out-stock-daxctl-blocks-on-node1 yes "$(on_node1 "$(new_blocks "$base" "$(all_blocks)")")"
finish
