#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Bind and unbind do the same whatever signals the binding or unbinding
# task has pending (DESIGN §2). Two 1 GiB pmem devdax devices: A takes the
# interrupted binds, B the interrupted unbinds (so that a driver that
# leaks one device still shows what it does with the other). For every
# default_state (unplugged, offline, system, online_movable, online,
# online_kernel), each device is bound and unbound once untimed (T), then:
#  - A: bind (echo daxX.Y >bind, one write) with a SIGALRM (handled, no
#    SA_RESTART) after 0 ms, T/3 and 2T/3, and with SIGKILL after T/2.
#    Each is one check: the bind succeeded (the killed writer may not say),
#    A is bound to kmem_hp and in the default state (system: the kernel's
#    auto-online policy) — every block, MemTotal, /proc/iomem — the module
#    holds one reference iff memory is online, and the bind-time uevent
#    names that state. A plain unbind must then clean up.
#  - B: bound plainly (the rebind after an interrupted unbind), then
#    unbind with the same signals. Each is one check: the unbind
#    succeeded, B has no driver, no memory block, no /proc/iomem entry,
#    MemTotal is back and the module holds no reference.
# At the end rmmod works.
#
# mem: 8G
# smp: 2
# append: memmap=1G!4G,1G!6G
# debug-append: memmap=512M!4G,512M!6G
# timeout: 300
. ./lib.sh
. ./lib-state.sh

PARAM=/sys/module/$DRV/parameters/default_state
load_pmem_modules
setup_two_devdax
mem0=$(memtotal_kb)
must modprobe "$DRV"
ev_start

# Device state right after a bind with default_state $1.
bound_state() {
	case $1 in
	system) policy_state ;;
	*) hp_result "$1" ;;
	esac
}

# signalled HOW MS FILE VALUE: one write of VALUE to FILE with SIGALRM
# (HOW=alarm) or SIGKILL (HOW=kill) after MS ms; prints the result word,
# "killed" for a writer that died of the SIGKILL.
signalled() {
	local rc
	if [ "$1" = alarm ]; then
		set -- $(kh-xwrite -t -a "$2" "$3" "$4")
		echo "$1"
		return
	fi
	kh-xwrite -k "$2" "$3" "$4" >/tmp/killed.out 2>&1 &
	wait $!
	rc=$?
	if [ $rc -eq 137 ]; then
		echo killed
	else
		cut -d' ' -f1 /tmp/killed.out
	fi
}

# The result word as the checks compare it: a killed writer's bind or
# unbind must have happened anyway, so it counts as OK.
outcome() {
	case $1 in
	killed) echo OK ;;
	*) echo "$1" ;;
	esac
}

# unbound_view DEV BLOCKS: what the checks see of an unbound device.
unbound_view() {
	echo "driver=$(dax_driver "$1") $(dev_view "$1" "$2" "$mem0")"
}
expected_unbound() {
	echo "driver=none $(expected_dev_view "$1" unbound "$2" 0)"
}

# Both ids known to the driver (new_id binds them), then unbound: from
# here on "bind" takes them.
must sh -c "echo unplugged >$PARAM"
# (new_id attaches every unbound device the ids match: unbind both after.)
for d in $A $B; do
	must sh -c "echo $d >$DAXDRV/$DRV/new_id"
done
for d in $A $B; do
	must sh -c "echo $d >$DAXDRV/$DRV/unbind"
done

# cases T: the signal cases for an operation that takes T ms, without
# duplicates: alarm:0 alarm:T/3 alarm:2T/3 kill:T/2.
cases() {
	echo alarm:0 alarm:$(($1 / 3)) alarm:$((2 * $1 / 3)) kill:$(($1 / 2)) | tr ' ' '\n' | awk '!seen[$0]++'
}
A_OK=1
B_OK=1
for s in unplugged offline system online_movable online online_kernel; do
	want=$(bound_state "$s")
	must sh -c "echo $s >$PARAM"

	# --- A: interrupted binds ---------------------------------------
	if [ $A_OK = 1 ]; then
		set -- $(kh-xwrite -t $DAXDRV/$DRV/bind "$A")
		tb=${2:-0}
		note "$s: plain bind of $A: $*"
		check_eq "bind-$s-plain" "OK $DRV $want" "$1 $(dax_driver "$A") $(hp_read "$A")"
		must sh -c "echo $A >$DAXDRV/$DRV/unbind"
		for c in $(cases "$tb"); do
			how=${c%:*}
			ms=${c#*:}
			name=bind-$s-$how-${ms}ms
			ev_mark "$A"
			kmsg "$name"
			res=$(signalled "$how" "$ms" $DAXDRV/$DRV/bind "$A")
			note "$name: $res"
			[ "$(dax_driver "$A")" = none ] || ev_wait "$A"
			ev_mark "$A"
			check_eq "$name" \
				"OK driver=$DRV $(expected_dev_view "$A" "$want" "$BA") uevents=$want" \
				"$(outcome "$res") driver=$(dax_driver "$A") $(dev_view "$A" "$BA" "$mem0") uevents=$(ev_states "$A")"
			[ "$(dax_driver "$A")" = none ] || kh-write $DAXDRV/$DRV/unbind "$A" >/dev/null
			if [ "$(unbound_view "$A" "$BA")" != "$(expected_unbound "$A" "$BA")" ]; then
				fail "$name-cleanup" "expected a plain unbind to leave '$(expected_unbound "$A" "$BA")', saw '$(unbound_view "$A" "$BA")'; no more binds of $A"
				A_OK=0
				break
			fi
		done
	fi

	# --- B: interrupted unbinds -------------------------------------
	[ $B_OK = 1 ] || continue
	ev_mark "$B"
	if [ "$(kh-write $DAXDRV/$DRV/bind "$B")" != OK ] || ! ev_wait "$B" ||
		! dev_is "$B" "$want" "$BB"; then
		fail "unbind-$s-setup" "expected $B to bind in $want, saw driver $(dax_driver "$B"), '$(dev_view "$B" "$BB" "$mem0")'"
		B_OK=0
		continue
	fi
	set -- $(kh-xwrite -t $DAXDRV/$DRV/unbind "$B")
	tu=${2:-0}
	note "$s: plain unbind of $B: $*"
	for c in $(cases "$tu"); do
		how=${c%:*}
		ms=${c#*:}
		name=unbind-$s-$how-${ms}ms
		# The rebind after the previous unbind.
		res=$(kh-write $DAXDRV/$DRV/bind "$B")
		if [ "$res" != OK ] || ! dev_is "$B" "$want" "$BB"; then
			fail "$name-rebind" "expected $B to bind again in $want, saw $res, driver $(dax_driver "$B"), '$(dev_view "$B" "$BB" "$mem0")'"
			B_OK=0
			break
		fi
		kmsg "$name"
		res=$(signalled "$how" "$ms" $DAXDRV/$DRV/unbind "$B")
		note "$name: $res"
		check_eq "$name" "OK $(expected_unbound "$B" "$BB")" "$(outcome "$res") $(unbound_view "$B" "$BB")"
		if [ "$(unbound_view "$B" "$BB")" != "$(expected_unbound "$B" "$BB")" ]; then
			B_OK=0
			break
		fi
	done
done

if [ $B_OK = 1 ]; then
	check_eq final-rebind "OK $DRV" "$(kh-write $DAXDRV/$DRV/bind "$B") $(dax_driver "$B")"
	kh-write $DAXDRV/$DRV/unbind "$B" >/dev/null
fi
ev_stop
check_eq refcnt-at-end 0 "$(mod_refcnt)"
check_eq rmmod ok "$(rmmod "$DRV" 2>&1 && echo ok)"
finish
