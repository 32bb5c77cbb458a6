#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Ownership, not a global switch: while device A goes through transitions
# (a loop of online_movable <-> offline), every external memoryN/state
# write to device B's blocks is still refused and B never changes. And
# protect can be flipped while A is in the middle of a transition: with N
# an external change of B passes, back to Y it is refused again, and A's
# transition completes unharmed.
#
# mem: 8G
# append: memmap=1G!4G,1G!6G
# timeout: 400
. ./lib.sh

load_pmem_modules
must modprobe "$DRV"
setup_unbound_devdax namespace0.0
A=$DEV
setup_unbound_devdax namespace1.0
B=$DEV
base=$(all_blocks)
must sh -c "echo $B >$DAXDRV/$DRV/new_id"
BB=$(new_blocks "$base" "$(all_blocks)")
must sh -c "echo $A >$DAXDRV/$DRV/new_id"
must kh-write $DAXDEV/$A/hotplug offline
must kh-write $DAXDEV/$B/hotplug online_movable

# A cycles in the background; B is attacked block by block meanwhile.
(
	for i in 1 2 3 4 5 6; do
		kh-write $DAXDEV/$A/hotplug online_movable >/dev/null || echo "A cycle $i online_movable failed"
		kh-write $DAXDEV/$A/hotplug offline >/dev/null || echo "A cycle $i offline failed"
	done
) >/tmp/a.out 2>&1 &
cycler=$!
tries=0
passed=0
while kill -0 $cycler 2>/dev/null; do
	for b in $BB; do
		tries=$((tries + 1))
		[ "$(kh-write $MEMDIR/memory$b/state offline)" = OK ] && passed=$((passed + 1))
	done
done
wait $cycler
note "external writes to $B while $A cycled: $tries tried, $passed passed"
check_eq a-cycles-succeed "" "$(cat /tmp/a.out)"
check_eq b-attacks-made yes "$([ $tries -gt 0 ] && echo yes || echo no)"
check_eq b-attacks-refused 0 "$passed"
check_eq b-unchanged online_movable "$(cat $DAXDEV/$B/hotplug)"
check_eq a-ends-offline offline "$(cat $DAXDEV/$A/hotplug)"

# Flip protect while A is in transition.
b1=$(echo "$BB" | sed -n 1p)
kh-write $DAXDEV/$A/hotplug online_movable >/tmp/a.out 2>&1 &
cycler=$!
must set_protect N
check_eq flip-N-ext-change-passes OK "$(kh-write $MEMDIR/memory$b1/state offline)"
must set_protect Y
check_eq flip-Y-ext-change-refused EBUSY "$(kh-write $MEMDIR/memory$b1/state online_movable)"
wait $cycler
check_eq flip-a-transition-ok OK "$(cat /tmp/a.out)"
check_eq flip-a-state online_movable "$(cat $DAXDEV/$A/hotplug)"
check_eq flip-b-mixed mixed "$(cat $DAXDEV/$B/hotplug)"
check_eq flip-b-reunited OK "$(kh-write $DAXDEV/$B/hotplug online_movable)"
check_eq flip-b-state online_movable "$(cat $DAXDEV/$B/hotplug)"
finish
