#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# default_state: the state a device is put in when kmem_hp binds it.
#  - Given at load (modprobe kmem_hp default_state=X) for every value
#    (system, unplugged, unplug, offline, online, online_kernel,
#    online_movable): the parameter reads X back, and right after bind the
#    device is in X's state (system: the kernel's auto-online policy,
#    offline on 6.1, online on 6.12/7.2), every block agrees, MemTotal and
#    /proc/iomem match, and the bind sent one uevent KMEM_HP_STATE=<state>.
#    Unbind removes everything again.
#  - Changed at run time through /sys/module/kmem_hp/parameters/
#    default_state before a bind, for every value, with the same checks.
#  - Invalid values: modprobe fails with EINVAL and the log says
#    "kmem_hp: invalid default_state '<value>'"; a write fails with EINVAL
#    and the parameter keeps its value.
#  - Per-device bind states (drivers/kmem_hp/bind_state): a queued
#    "daxX.Y STATE" wins over default_state for that device's next bind
#    only, through new_id and bind, for every state; replacing and
#    dropping ("default") entries; an entry for another device changes
#    nothing; a bind that never reaches kmem_hp's probe (the device is
#    bound elsewhere) leaves the entry; unloading forgets entries;
#    malformed writes fail with EINVAL, writes without CAP_SYS_ADMIN with
#    EPERM.
#
# mem: 6G
# append: memmap=1G!4G
# debug-append: memmap=512M!4G
# timeout: 240
. ./lib.sh
. ./lib-state.sh

PARAM=/sys/module/$DRV/parameters/default_state
load_pmem_modules
setup_unbound_devdax namespace0.0
BLOCKS=$(expected_blocks "$DEV")
base=$(all_blocks)
mem0=$(memtotal_kb)
ev_start

# State the device must be in after a bind with default_state $1.
bound_state() {
	case $1 in
	system) policy_state ;;
	*) hp_result "$1" ;;
	esac
}

# What the parameter reads after being set to $1 (unplug is an alias).
param_name() {
	case $1 in
	unplug) echo unplugged ;;
	*) echo "$1" ;;
	esac
}

# bind_and_check NAME VALUE HOW: bind (HOW: new_id or bind), check the
# device against default_state VALUE, unbind, check it is all gone.
bind_and_check() {
	local name=$1 value=$2 how=$3 want
	want=$(bound_state "$value")
	ev_mark "$DEV"
	kmsg "$name: $how with default_state=$value"
	check_eq "$name-bind" OK "$(kh-write $DAXDRV/$DRV/$how "$DEV")"
	ev_mark "$DEV"
	check_eq "$name-driver" "$DRV" "$(dax_driver "$DEV")"
	check_state "$name" "$DEV" "$want" "$mem0" "$BLOCKS"
	check_eq "$name-uevent" "$want" "$(ev_states "$DEV")"
	check_eq "$name-unbind" OK "$(kh-write $DAXDRV/$DRV/unbind "$DEV")"
	check_removed "$name-unbound" "$DEV" "$base" "$mem0"
}

# --- at load -----------------------------------------------------------------
for value in bogus mixed Online online_movablex unplu ""; do
	out=$(modprobe "$DRV" "default_state=$value" 2>&1)
	rc=$?
	check_eq "load-invalid-'$value'-refused" "failed: Invalid argument" \
		"$([ $rc -ne 0 ] && echo "failed: $(echo "$out" | grep -o 'Invalid argument' | head -n1)" || echo "loaded")"
	check_eq "load-invalid-'$value'-logged" yes \
		"$(dmesg | grep -qF "kmem_hp: invalid default_state '$value'" && echo yes || echo no)"
	[ ! -d /sys/module/$DRV ] || must rmmod "$DRV"
done

for value in system unplugged unplug offline online online_kernel online_movable; do
	must modprobe "$DRV" "default_state=$value"
	check_eq "load-$value-param" "$(param_name "$value")" "$(cat $PARAM)"
	bind_and_check "load-$value" "$value" new_id
	must rmmod "$DRV"
done

# --- at run time -------------------------------------------------------------
must modprobe "$DRV"
check_eq runtime-default system "$(cat $PARAM)"
must sh -c "echo $DEV >$DAXDRV/$DRV/new_id"
must sh -c "echo $DEV >$DAXDRV/$DRV/unbind"
for value in online_movable offline unplugged online_kernel online system unplug; do
	check_eq "runtime-$value-write" OK "$(kh-xwrite $PARAM "$value")"
	check_eq "runtime-$value-param" "$(param_name "$value")" "$(cat $PARAM)"
	bind_and_check "runtime-$value" "$value" bind
done
# As echo writes it, with a newline.
check_cmd runtime-echo "echo online_movable >default_state to succeed" \
	sh -c "echo online_movable >$PARAM"
check_eq runtime-echo-param online_movable "$(cat $PARAM)"
bind_and_check runtime-echo online_movable bind
for value in bogus mixed ONLINE 'online ' 'online\n\n' 'off\0line' ''; do
	res=$(kh-xwrite -e $PARAM "$value")
	case $value in
	# A 0-byte write never reaches the parameter (sysfs returns 0).
	'') note "0-byte write to default_state: $res" ;;
	*) check_eq "runtime-invalid-'$value'" EINVAL "$res" ;;
	esac
	check_eq "runtime-invalid-'$value'-unchanged" online_movable "$(cat $PARAM)"
done
check_eq runtime-invalid-logged yes \
	"$(dmesg | grep -qF "kmem_hp: invalid default_state 'bogus" && echo yes || echo no)"
# --- per-device bind states ---------------------------------------------------
BS=$DAXDRV/$DRV/bind_state
# The queued entries on one line.
bs() {
	# shellcheck disable=SC2046 # word splitting joins the lines
	echo $(cat $BS)
}
if [ "$DRV" = kmem_hp ]; then
	check_eq bs-empty "" "$(bs)"
	check_eq bs-queue OK "$(kh-xwrite $BS "$DEV offline")"
	check_eq bs-queue-other OK "$(kh-xwrite $BS "dax9.7 online")"
	check_eq bs-read "$DEV offline dax9.7 online" "$(bs)"
	check_eq bs-replace OK "$(kh-xwrite -e $BS "$DEV online_kernel\n")"
	check_eq bs-replaced "$DEV online_kernel dax9.7 online" "$(bs)"
	check_eq bs-drop OK "$(kh-xwrite $BS "dax9.7 default")"
	check_eq bs-dropped "$DEV online_kernel" "$(bs)"
	check_eq bs-drop-absent OK "$(kh-xwrite $BS "dax9.8 default")"
	for value in "$DEV" "$DEV " "$DEV bogus" "$DEV mixed" "$DEV  online" \
		"$DEV online extra" "dax0.00 online" "dax00.0 online" "dax0 online" \
		"daxa.0 online" "dax-1.0 online" " $DEV online" "$DEV Online" \
		"dax0.0123456789012345678901234567 online"; do
		check_eq "bs-invalid-'$value'" EINVAL "$(kh-xwrite $BS "$value")"
	done
	check_eq bs-nocap EPERM "$(kh-nocap kh-xwrite $BS "$DEV offline")"
	check_eq bs-invalid-unchanged "$DEV online_kernel" "$(bs)"
	# default_state is online_movable here; each queued state wins once.
	for value in system unplugged offline online online_kernel online_movable; do
		check_eq "bs-$value-queue" OK "$(kh-xwrite $BS "$DEV $value")"
		check_eq "bs-$value-other" OK "$(kh-xwrite $BS "dax9.7 offline")"
		bind_and_check "bs-$value" "$value" bind
		check_eq "bs-$value-taken" "dax9.7 offline" "$(bs)"
		check_eq "bs-$value-default-untouched" online_movable "$(cat $PARAM)"
	done
	# Taken once: the next bind is back to default_state.
	bind_and_check bs-once online_movable bind
	check_eq bs-other-still-queued "dax9.7 offline" "$(bs)"
	# A device bound elsewhere is never probed by kmem_hp: the entry stays.
	must sh -c "echo $DEV >$DAXDRV/device_dax/bind"
	check_eq bs-bound-elsewhere-queue OK "$(kh-xwrite $BS "$DEV offline")"
	res=$(kh-xwrite $DAXDRV/$DRV/bind "$DEV")
	check_eq bs-bound-elsewhere-bind refused "$([ "$res" = OK ] && echo OK || echo refused)"
	check_eq bs-bound-elsewhere-kept "dax9.7 offline $DEV offline" "$(bs)"
	must sh -c "echo $DEV >$DAXDRV/device_dax/unbind"
	bind_and_check bs-after-elsewhere offline bind
	check_eq bs-drop-last OK "$(kh-xwrite $BS "dax9.7 default")"
	check_eq bs-all-taken "" "$(bs)"
	# Unloading forgets queued entries.
	check_eq bs-queue-before-rmmod OK "$(kh-xwrite $BS "$DEV offline")"
	must rmmod "$DRV"
	must modprobe "$DRV"
	check_eq bs-empty-after-reload "" "$(bs)"
fi
ev_stop
finish
