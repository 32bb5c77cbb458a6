#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# State uevents (KOBJ_CHANGE, KMEM_HP_STATE=<state>) come when they can
# be acted on and in the order of the changes (DESIGN §2).
#  - Bind: the bind-time event must arrive only once
#    /sys/bus/dax/devices/daxX.Y/hotplug exists (a udev rule testing
#    ATTR{hotplug} must see it). A SCHED_FIFO listener (kh-uevent -R -x
#    /hotplug) tests for the file the moment each event reaches it; on this
#    one-vCPU guest it runs before the binding task goes on. Checked for
#    binds with default_state unplugged, offline, online_movable and
#    system: the event line must say KH_EXISTS=yes.
#  - Two writers hammer one 1 GiB device at the same time, one writing
#    online_movable 15 times, the other unplug 15 times. Every write must
#    succeed. A listener records every uevent, memory blocks' and the dax
#    device's, in arrival order; the memory block events (add, online,
#    offline, remove) show which change ran when: an "add" of a block
#    starts a change to online_movable, an "offline" one to unplugged.
#    The KMEM_HP_STATE values must be exactly that sequence of changes,
#    each event must arrive after its change's block events and before the
#    next change's (the writers are serialised, and so are their events),
#    and the last event must name the state the device reads at the end.
#
# mem: 6G
# smp: 1
# append: memmap=1G!4G
# timeout: 300
. ./lib.sh
. ./lib-state.sh

PARAM=/sys/module/$DRV/parameters/default_state
load_pmem_modules
setup_unbound_devdax namespace0.0
BLOCKS=$(expected_blocks "$DEV")
HP=$DAXDEV/$DEV/hotplug
mem0=$(memtotal_kb)
must modprobe "$DRV"

# --- bind-time event --------------------------------------------------------
BIND_LOG=/tmp/bind-uevents.log
kh-uevent -R -x /hotplug -f SUBSYSTEM=dax -f KMEM_HP_STATE= >>$BIND_LOG 2>&1 &
BIND_PID=$!
wait_for grep -q '^# ready' $BIND_LOG ||
	{ fail setup "expected the SCHED_FIFO uevent listener to start, saw: $(cat $BIND_LOG)"; finish; }
first=new_id
for s in unplugged offline online_movable system; do
	must sh -c "echo $s >$PARAM"
	: >$BIND_LOG
	kmsg "bind with default_state=$s"
	if [ $first = new_id ]; then
		res=$(kh-write $DAXDRV/$DRV/new_id "$DEV")
		first=bind
	else
		res=$(kh-write $DAXDRV/$DRV/bind "$DEV")
	fi
	wait_for grep -q "KMEM_HP_STATE=" $BIND_LOG
	ev=$(grep "DEVPATH=.*/$DEV .*KMEM_HP_STATE=" $BIND_LOG)
	note "bind $s: $res; event: $ev"
	st=$(echo "$ev" | grep -o 'KMEM_HP_STATE=[a-z_]*' | cut -d= -f2 | tr '\n' ' ' | sed 's/ $//')
	ex=$(echo "$ev" | grep -o 'KH_EXISTS=[a-z]*' | cut -d= -f2 | tr '\n' ' ' | sed 's/ $//')
	want=$([ $s = system ] && policy_state || hp_result $s)
	check_eq "bind-$s-event-after-hotplug-exists" "$want hotplug-existed:yes" "${st:-no-event} hotplug-existed:${ex:-?}"
	must sh -c "echo $DEV >$DAXDRV/$DRV/unbind"
done
kill $BIND_PID
wait $BIND_PID 2>/dev/null

# --- two writers, one device ---------------------------------------------------
must sh -c "echo unplugged >$PARAM"
must sh -c "echo $DEV >$DAXDRV/$DRV/bind"
ALL_LOG=/tmp/all-uevents.log
kh-uevent -R >>$ALL_LOG 2>&1 &
ALL_PID=$!
wait_for grep -q '^# ready' $ALL_LOG ||
	{ fail setup "expected the uevent listener to start, saw: $(cat $ALL_LOG)"; finish; }
# Whatever the bind sent is before this point.
sleep 1
: >$ALL_LOG
kmsg "hammer"
pids=
for v in online_movable unplug; do
	(
		i=0
		while [ $i -lt 15 ]; do
			kh-xwrite "$HP" $v
			i=$((i + 1))
		done >/tmp/hammer-$v.out 2>&1
	) &
	pids="$pids $!"
done
for p in $pids; do
	wait $p
done
final=$(hp_read "$DEV")
# Let the listener catch up, then stop it (it drains its socket first).
sleep 1
kill $ALL_PID
wait $ALL_PID 2>/dev/null
note "hammer: online_movable writes: $(sort /tmp/hammer-online_movable.out | uniq -c | tr '\n' ' '); unplug writes: $(sort /tmp/hammer-unplug.out | uniq -c | tr '\n' ' '); final $final"
check_eq hammer-writes-ok "30 OK" "$(cat /tmp/hammer-online_movable.out /tmp/hammer-unplug.out | grep -c '^OK$') $(cat /tmp/hammer-online_movable.out /tmp/hammer-unplug.out | grep -v '^OK$' | sort -u | tr '\n' ' ')OK"
check_eq hammer-no-lost-uevents "" "$(grep '^# overflow' $ALL_LOG)"
# C:<state> where a change starts (first block event of it), E:<state> for
# each state uevent of the device, in arrival order.
merged=$(awk -v dev="/$DEV" -v blocks=" $(echo $BLOCKS) " -v cur=unplugged '
	{
		split($1, a, "@"); act = a[1]; path = a[2]
		if (path ~ /^\/devices\/system\/memory\/memory[0-9]+$/) {
			n = path; sub(/.*memory/, "", n)
			if (!index(blocks, " " n " ")) next
			if (act == "add" && cur != "online_movable") { cur = "online_movable"; out = out " C:" cur }
			else if (act == "offline" && cur != "unplugged") { cur = "unplugged"; out = out " C:" cur }
			next
		}
		st = ""
		for (i = 2; i <= NF; i++) if ($i ~ /^KMEM_HP_STATE=/) st = substr($i, 15)
		if (st != "" && substr(path, length(path) - length(dev) + 1) == dev) out = out " E:" st
	}
	END { print substr(out, 2) }' $ALL_LOG)
changes=$(echo $merged | tr ' ' '\n' | sed -n 's/^C://p' | tr '\n' ' ' | sed 's/ $//')
events=$(echo $merged | tr ' ' '\n' | sed -n 's/^E://p' | tr '\n' ' ' | sed 's/ $//')
note "hammer: $(nr_words $changes) changes; merged sequence: $merged"
check_eq hammer-several-changes yes "$([ $(nr_words $changes) -ge 4 ] && echo yes || echo "no: $(nr_words $changes) changes")"
check_eq hammer-uevents-are-the-changes "$changes" "$events"
check_eq hammer-each-uevent-before-next-change \
	"$(for c in $changes; do printf 'C:%s E:%s ' $c $c; done | sed 's/ $//')" "$merged"
check_eq hammer-last-uevent-is-final-state "$final" "$(echo $events | tr ' ' '\n' | tail -n1)"
check_eq hammer-end "$(expected_dev_view "$DEV" "$final" "$BLOCKS")" "$(dev_view "$DEV" "$BLOCKS" "$mem0")"
must sh -c "echo $DEV >$DAXDRV/$DRV/unbind"
finish
