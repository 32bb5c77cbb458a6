#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Soft-reserved (hmem) memory on a CPU-less NUMA node, and the opt-in
# modprobe.d snippet (modprobe.d/kmem_hp.conf).
#
# 6.12/7.2, where hmem devices are kmem-type: with the snippet in
# /etc/modprobe.d, what udev would do at boot (modprobe the dax:t0
# modules, i.e. kmem) loads kmem_hp instead of kmem, which binds the
# device by itself and puts it in the snippet's default_state
# (online_movable), on node 1. Without the snippet (opted out) the
# in-tree kmem gets such a device as before, and the stock daxctl
# -m system-ram still works with kmem_hp loaded.
#
# 6.1, whose dax bus has no device types: hmem devices are plain devdax
# (device_dax takes them); the snippet still keeps kmem from loading and
# loads kmem_hp, which says kmem_type has no effect; the device is handed
# over through new_id and gets the snippet's default_state.
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
	check_cmd kmem_type-no-effect-logged "the 'kmem_type=Y has no effect' line" \
		sh -c "dmesg | grep -q 'kmem_type=Y has no effect'"
	check_eq still-devdax device_dax "$(dax_driver "$DEV")"
	must dax_unbind "$DEV"
	check_eq new_id OK "$(kh-write $DAXDRV/$DRV/new_id "$DEV")"
	;;
*)
	check_eq kmem-type-unbound none "$(dax_driver "$DEV")"
	snippet_modprobe_kmem
	wait_for sh -c "[ -e $DAXDEV/$DEV/driver ]"
	;;
esac
check_eq snippet-bound "$DRV" "$(dax_driver "$DEV")"
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

# Opt out: snippet removed, kmem_hp gone; the in-tree kmem and the stock
# daxctl work as they always did.
must sh -c "echo $DEV >$DAXDRV/$DRV/unbind"
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
		check_eq "fail-open-$name-kmem-binds" kmem "$(dax_driver "$DEV")"
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
	check_eq opt-out-kmem-binds-kmem-type kmem "$(dax_driver "$DEV")"
	must set_blocks offline "$(new_blocks "$base" "$(all_blocks)")"
	must sh -c "echo $DEV >$DAXDRV/kmem/unbind"
	;;
esac
must sh -c "echo $policy >$MEMDIR/auto_online_blocks"
must modprobe "$DRV"
out=$(/usr/bin/daxctl reconfigure-device -m system-ram --no-movable "$DEV" 2>&1)
rc=$?
check_eq opt-out-stock-daxctl-system-ram "0 kmem" "$rc $(dax_driver "$DEV")"
[ $rc -eq 0 ] || note "daxctl said: $out"
check_eq opt-out-stock-daxctl-blocks-on-node1 yes "$(on_node1 "$(new_blocks "$base" "$(all_blocks)")")"
finish
