#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Concurrency, on a two-vCPU guest with two 1 GiB pmem devdax devices:
#  - both devices changed at the same time (background writers), several
#    rounds of different target pairs: both writes succeed and each device
#    ends in its own target state, blocks, MemTotal and iomem agreeing;
#  - two writers on ONE device at the same time: both succeed (they are
#    serialised, not refused), the device ends in one of the two target
#    states, never mixed, and its uevents show the two changes one after
#    the other (the last one naming the final state); a reader polling
#    hotplug meanwhile never sees "mixed".
#
# mem: 8G
# smp: 2
# append: memmap=1G!4G,1G!6G
# debug-append: memmap=512M!4G,512M!6G
# timeout: 300
. ./lib.sh
. ./lib-state.sh

load_pmem_modules
setup_two_devdax
mem0=$(memtotal_kb)
# MemTotal baseline per device: the other device's online blocks count too.
grow_kb() { case $(hp_read "$1") in online*) echo $(($(nr_words $2) * $(block_size) / 1024)) ;; *) echo 0 ;; esac; }
must modprobe "$DRV" default_state=offline
bind_kmem_hp "$A"
bind_kmem_hp "$B"
ev_start

# --- two devices at once ----------------------------------------------------
round=0
for pair in online_movable:online_kernel offline:unplug online:online_movable \
	unplug:offline online_kernel:online_kernel unplug:unplug; do
	round=$((round + 1))
	ta=${pair%:*}
	tb=${pair#*:}
	kmsg "two devices: $A -> $ta, $B -> $tb"
	kh-xwrite -t $DAXDEV/$A/hotplug "$ta" >/tmp/wa.out &
	pa=$!
	kh-xwrite -t $DAXDEV/$B/hotplug "$tb" >/tmp/wb.out &
	pb=$!
	wait $pa
	wait $pb
	note "round $round: $A -> $ta: $(cat /tmp/wa.out) ms; $B -> $tb: $(cat /tmp/wb.out) ms"
	check_eq "two-dev-$round-$A-write" OK "$(cut -d' ' -f1 /tmp/wa.out)"
	check_eq "two-dev-$round-$B-write" OK "$(cut -d' ' -f1 /tmp/wb.out)"
	gb=$(grow_kb "$B" "$BB")
	ga=$(grow_kb "$A" "$BA")
	check_state "two-dev-$round-$A" "$A" "$(hp_result "$ta")" $((mem0 + gb)) "$BA"
	check_state "two-dev-$round-$B" "$B" "$(hp_result "$tb")" $((mem0 + ga)) "$BB"
done

# --- two writers on one device ----------------------------------------------
must sh -c "echo offline >$DAXDEV/$B/hotplug"
round=0
for pair in online_movable:unplug online_kernel:online_movable unplug:online \
	offline:online_movable online_movable:unplug online_kernel:online_movable; do
	round=$((round + 1))
	t1=${pair%:*}
	t2=${pair#*:}
	start=$(hp_read "$A")
	ev_mark "$A"
	kmsg "one device: $A -> $t1 and $t2"
	# A reader polling the device meanwhile.
	(while [ ! -e /tmp/stop-reader ]; do cat $DAXDEV/$A/hotplug; done >/tmp/reads.out 2>&1) &
	pr=$!
	kh-xwrite -t $DAXDEV/$A/hotplug "$t1" >/tmp/w1.out &
	p1=$!
	kh-xwrite -t $DAXDEV/$A/hotplug "$t2" >/tmp/w2.out &
	p2=$!
	wait $p1
	wait $p2
	touch /tmp/stop-reader
	wait $pr
	rm -f /tmp/stop-reader
	ev_mark "$A"
	final=$(hp_read "$A")
	events=$(ev_states "$A")
	r1=$(hp_result "$t1")
	r2=$(hp_result "$t2")
	note "round $round from $start: $t1 ($(cat /tmp/w1.out) ms) and $t2 ($(cat /tmp/w2.out) ms): final $final, uevents '$events', $(sort /tmp/reads.out | uniq -c | tr '\n' ' ')"
	check_eq "one-dev-$round-write1" OK "$(cut -d' ' -f1 /tmp/w1.out)"
	check_eq "one-dev-$round-write2" OK "$(cut -d' ' -f1 /tmp/w2.out)"
	check_eq "one-dev-$round-final-is-a-target" yes \
		"$([ "$final" = "$r1" ] || [ "$final" = "$r2" ] && echo yes || echo "no: $final")"
	check_state "one-dev-$round" "$A" "$final" $((mem0 + $(grow_kb "$B" "$BB"))) "$BA"
	# Serialised: the uevents are exactly one complete transition after
	# the other, in some order, each naming its state when it changed it.
	first=$r1
	[ "$final" = "$r1" ] && [ "$r1" != "$r2" ] && first=$r2
	exp=$(for s in "$first" "$final"; do
		[ "$s" = "$start" ] || echo "$s"
		start=$s
	done | tr '\n' ' ' | sed 's/ $//')
	check_eq "one-dev-$round-uevents" "$exp" "$events"
	check_eq "one-dev-$round-reads-never-mixed" 0 "$(grep -c mixed /tmp/reads.out)"
done
ev_stop
finish
