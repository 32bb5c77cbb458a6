#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Guest side of make bench (busybox sh), sourced by the per-guest script
# bench/run generates, which sets:
#   BENCH_TAG      name of this guest's results (e.g. 16, 16@2G, 4x16G)
#   BENCH_MODE     single: one pmem device (namespace0.0), every method;
#                  multi: BENCH_NDEV devices bound to kmem_hp, read latency
#   BENCH_REPEAT   how many times each transition is measured
#   BENCH_READS    iterations of the hotplug read-latency loop
#   BENCH_QUIESCE  seconds of idling before every timed step (quiesce)
#
# Every time is taken by a static C helper (bench/khb-*.c) with
# CLOCK_MONOTONIC; the shell only sequences. Output, one record a line,
# for the host (bench/report.py):
#   M <tag> <key> <value...>                  facts about the guest
#   B <tag> <method> <op> <rep> <res> <ns> [<first ns> <last ns>]
#   R <tag> <dev> <state> <blocks> <res> <median ns> <p90 ns> <min ns> <max ns>
#   N <tag> <text>                            a note for people
# res is OK or what failed (an errno name, EXITn). Methods:
#   kmem_hp                  the device's hotplug file, bind and unbind
#   floor-asc, floor-hp, floor-top
#                            memoryN/state written block by block (khb-blocks
#                            orders) on the device bound to the in-tree kmem,
#                            kmem_hp not loaded: the kernel's own floor
#   kmem                     in-tree kmem bind (add) and unbind (remove)
#   nf-floor-hp, nf-kmem     the same with kmem_hp loaded (protect=Y): its
#                            memory notifier on another driver's blocks
#   hpfloor-hp               the per-block loop (kmem_hp order) on the device
#                            bound to kmem_hp with protect=N
#   daxctl                   the distribution's /usr/bin/daxctl, in-tree kmem
#   fe-kmem, fe-kmem_hp      the project's daxctl front end
#                            (/usr/local/sbin/daxctl) on kmem, on kmem_hp
# Ops: add (unplugged -> offline), online_movable, offline (from
# online_movable), online, online_kernel, offline_k (from a kernel zone),
# remove (offline -> unplugged), add+online_movable, offline+remove (from
# online_movable), bind_online_movable, bind_unplugged, unbind (from
# online_movable).
# shellcheck shell=dash
# shellcheck disable=SC2046 # helpers print several words: split on purpose
. ./lib.sh

TAG=${BENCH_TAG:-bench}
REP=${BENCH_REPEAT:-3}
READS=${BENCH_READS:-5000}
DISTRO_DAXCTL=/usr/bin/daxctl
FRONTEND=/usr/local/sbin/daxctl
RUNLOG=/tmp/khb-run.log

meta() { echo "M $TAG $*"; }
bnote() { echo "N $TAG $*"; }
# rec METHOD OP REP RESULT...: one measurement.
rec() { echo "B $TAG $*"; }

# Every timed step below starts with quiesce.
# tw METHOD OP REP FILE VALUE: timed write of VALUE to a sysfs FILE.
tw() {
	quiesce
	rec "$1" "$2" "$3" $(khb-write "$4" "$5")
}

# tb METHOD OP REP ORDER STATE: the per-block loop over the device's blocks.
tb() {
	quiesce
	rec "$1" "$2" "$3" $(khb-blocks -o "$4" "$5" "$FIRST" "$NBLK")
}

# tcmd METHOD OP REP CMD...: a timed command (daxctl).
tcmd() {
	local m=$1 o=$2 r=$3
	shift 3
	echo "### $m $o $r: $*" >>$RUNLOG
	quiesce
	rec "$m" "$o" "$r" $(khb-run $RUNLOG "$@")
}

# tbind METHOD OP REP DRIVER: timed bind of $DEV to DRIVER: through the
# driver's bind file once it knows the device's id, else through new_id
# (a refused bind costs microseconds and changes nothing).
tbind() {
	local out
	quiesce
	if out=$(khb-write $DAXDRV/$4/bind "$DEV"); then
		rec "$1" "$2" "$3" $out
	else
		tw "$1" "$2" "$3" $DAXDRV/$4/new_id "$DEV"
	fi
}

hp() { cat $DAXDEV/$1/hotplug 2>/dev/null || echo absent; }

# Let deferred work (RCU callbacks, workqueues, vmstat and per-cpu list
# draining, a module's unload) finish before a timed step instead of
# inside it: every step starts from a settled guest, whatever came before
# it (an add right after a remove reuses what the remove freed and costs
# a third less than one after a pause). Under icount the idle time costs
# no host time.
quiesce() { sleep "${BENCH_QUIESCE:-1}"; }

# Leave the device unbound whatever it is bound to, its memory offline
# and removed (used between phases, untimed).
settle_unbound() {
	local drv st b
	drv=$(dax_driver "$DEV")
	case $drv in
	none) return 0 ;;
	kmem_hp) echo unplug >$DAXDEV/$DEV/hotplug 2>/dev/null ;;
	kmem)
		for b in $(expected_blocks "$DEV"); do
			st=$(cat $MEMDIR/memory$b/state 2>/dev/null) || continue
			[ "$st" = offline ] || echo offline >$MEMDIR/memory$b/state 2>/dev/null
		done
		;;
	esac
	echo "$DEV" >$DAXDRV/$drv/unbind 2>/dev/null
	[ "$(dax_driver "$DEV")" = none ] || bnote "could not unbind $DEV from $drv"
}

# Put the device back on device_dax (devdax mode), untimed.
to_devdax() {
	settle_unbound
	echo "$DEV" >$DAXDRV/device_dax/bind 2>/dev/null
	[ "$(dax_driver "$DEV")" = device_dax ] || bnote "could not bind $DEV to device_dax"
}

# The zone the device's first block is online in ("-" if offline or absent).
first_zone() {
	local d=$MEMDIR/memory$FIRST
	if [ "$(cat $d/state 2>/dev/null)" = online ]; then
		cat $d/valid_zones
	else
		echo -
	fi
}

# The stock and the front-end daxctl driving the in-tree kmem. The device
# starts and ends in devdax mode. The front end hands these commands to
# the real daxctl: its four everyday commands show what it adds.
daxctl_kmem() {
	local m=$1 d=$2 r=$3
	if [ "$m" = daxctl ]; then
		tcmd "$m" add "$r" "$d" reconfigure-device -m system-ram --no-online "$DEV"
		tcmd "$m" online_movable "$r" "$d" online-memory "$DEV"
		[ "$r" != 1 ] || meta "zone_$m.online_movable $(first_zone)"
		tcmd "$m" offline "$r" "$d" offline-memory "$DEV"
		tcmd "$m" online_kernel "$r" "$d" online-memory --no-movable "$DEV"
		[ "$r" != 1 ] || meta "zone_$m.online_kernel $(first_zone)"
		tcmd "$m" offline_k "$r" "$d" offline-memory "$DEV"
		tcmd "$m" remove "$r" "$d" reconfigure-device -m devdax "$DEV"
		tcmd "$m" add+online_movable "$r" "$d" reconfigure-device -m system-ram "$DEV"
	else
		tcmd "$m" add+online_movable "$r" "$d" reconfigure-device -m system-ram "$DEV"
		tcmd "$m" offline "$r" "$d" offline-memory "$DEV"
		tcmd "$m" online_movable "$r" "$d" online-memory "$DEV"
	fi
	tcmd "$m" offline+remove "$r" "$d" reconfigure-device -m devdax -f "$DEV"
	[ "$(dax_driver "$DEV")" = device_dax ] || { bnote "$m: $DEV ended on $(dax_driver "$DEV")"; to_devdax; }
}

# The per-block floor on the device bound to kmem (offline blocks).
floor_kmem() {
	local p=$1 r=$2
	tb "${p}floor-hp" online_movable "$r" hp online_movable
	tb "${p}floor-hp" offline "$r" hp offline
	[ -z "$p" ] || return 0
	tb floor-asc online_movable "$r" asc online_movable
	tb floor-asc offline "$r" asc offline
	tb floor-hp online_movable "$r" hp online_movable
	tb floor-top offline "$r" top offline
	tb floor-asc online "$r" asc online
	[ "$r" != 1 ] || meta "zone_floor.online $(first_zone)"
	tb floor-asc offline_k "$r" asc offline
	tb floor-hp online "$r" hp online
	tb floor-hp offline_k "$r" hp offline
	tb floor-asc online_kernel "$r" asc online_kernel
	tb floor-top offline_k "$r" top offline
	tb floor-hp online_kernel "$r" hp online_kernel
	tb floor-asc offline_k "$r" asc offline
}

# thp OP REP FROM VALUE: timed write of VALUE to the device's hotplug
# file, which must read FROM before (a write of the current state changes
# nothing and would time nothing: after a failed step the rest of the
# cycle is recorded as SKIP).
thp() {
	local cur
	cur=$(hp "$DEV")
	if [ "$cur" = "$3" ]; then
		tw kmem_hp "$1" "$2" $DAXDEV/$DEV/hotplug "$4"
	else
		rec kmem_hp "$1" "$2" "SKIP-$cur" 0
	fi
}

# kmem_hp's own transitions through the hotplug file, from unplugged back
# to unplugged.
kmem_hp_cycle() {
	local r=$1
	thp add "$r" unplugged offline
	thp online_movable "$r" offline online_movable
	[ "$r" != 1 ] || meta "zone_kmem_hp.online_movable $(first_zone)"
	thp offline "$r" online_movable offline
	thp online "$r" offline online
	[ "$r" != 1 ] || meta "zone_kmem_hp.online $(first_zone)"
	thp offline_k "$r" online offline
	thp online_kernel "$r" offline online_kernel
	thp offline_k "$r" online offline
	thp remove "$r" offline unplug
	thp add+online_movable "$r" unplugged online_movable
	thp offline+remove "$r" online_movable unplug
	[ "$(hp "$DEV")" = unplugged ] || echo unplug >$DAXDEV/$DEV/hotplug
	[ "$(hp "$DEV")" = unplugged ] || bnote "kmem_hp cycle $r ended in $(hp "$DEV")"
}

# read_latency DEV [ref]: the hotplug file read in the device's current
# state; with ref also the device's size file, a plain attribute, for
# scale (a system call costs microseconds under TCG).
read_latency() {
	local n
	n=$(expected_blocks "$1" | grep -c .)
	echo "R $TAG $1 $(hp "$1") $n $(khb-read $DAXDEV/$1/hotplug "$READS")"
	[ -z "$2" ] || echo "R $TAG $1 ref:size $n $(khb-read $DAXDEV/$1/size "$READS")"
}

bench_single() {
	local r
	load_pmem_modules
	DEV=$(create_devdax namespace0.0) && [ -n "$DEV" ] ||
		{ fail setup "expected a devdax device on namespace0.0, saw none"; finish; }
	BLOCKS=$(expected_blocks "$DEV")
	FIRST=$(echo "$BLOCKS" | sed -n 1p)
	NBLK=$(echo "$BLOCKS" | grep -c .)
	meta "dev $DEV"
	meta "target_node $(cat $DAXDEV/$DEV/target_node 2>/dev/null)"
	meta "blocks $NBLK"
	meta "first_block $FIRST"
	note "$DEV: $NBLK blocks of $(($(block_size) >> 20)) MiB from memory$FIRST"

	# 0. Warm-up, untimed: the first add, online and offline of a guest
	# grow caches (slabs, page tables, sysfs) that later ones reuse, and
	# touch host pages behind the memmap for the first time: a cost that
	# would land on whichever method came first.
	must modprobe kmem
	settle_unbound
	must sh -c "echo $DEV >$DAXDRV/kmem/new_id"
	khb-blocks -o hp online_movable "$FIRST" "$NBLK" >/dev/null
	khb-blocks -o hp offline "$FIRST" "$NBLK" >/dev/null
	khb-blocks -o asc online "$FIRST" "$NBLK" >/dev/null
	khb-blocks -o asc offline "$FIRST" "$NBLK" >/dev/null
	settle_unbound
	to_devdax

	# 1. In-tree kmem, kmem_hp not loaded: stock daxctl and the front
	# end (devdax mode -> system-ram -> devdax).
	for r in $(seq "$REP"); do
		daxctl_kmem daxctl $DISTRO_DAXCTL "$r"
	done
	if [ -x $FRONTEND ]; then
		for r in $(seq "$REP"); do
			daxctl_kmem fe-kmem $FRONTEND "$r"
		done
	else
		bnote "no front end in the initramfs: fe-* not measured"
	fi
	if [ -d /sys/module/kmem_hp ]; then
		bnote "the front end loaded kmem_hp: unloading it for the floor"
		settle_unbound
		rmmod kmem_hp
	fi
	settle_unbound

	# 2. The per-block floor and kmem's add and remove, kmem_hp not
	# loaded, then the same with kmem_hp loaded (protect=Y): the cost
	# of its memory notifier on blocks it does not own. Alternated in
	# every repetition, so that drift on the host hits both alike.
	for r in $(seq "$REP"); do
		tbind kmem add "$r" kmem
		floor_kmem "" "$r"
		tw kmem remove "$r" $DAXDRV/kmem/unbind "$DEV"
		must modprobe kmem_hp
		tbind nf-kmem add "$r" kmem
		floor_kmem nf- "$r"
		tw nf-kmem remove "$r" $DAXDRV/kmem/unbind "$DEV"
		must rmmod kmem_hp
	done
	echo "$DEV" >$DAXDRV/kmem/remove_id 2>/dev/null
	settle_unbound
	must modprobe kmem_hp

	# 3. kmem_hp: bind and unbind, then every transition of the hotplug
	# file.
	must sh -c "echo online_movable >/sys/module/kmem_hp/parameters/default_state"
	for r in $(seq "$REP"); do
		tbind kmem_hp bind_online_movable "$r" kmem_hp
		[ "$(hp "$DEV")" = online_movable ] || bnote "bind $r: hotplug reads $(hp "$DEV")"
		tw kmem_hp unbind "$r" $DAXDRV/kmem_hp/unbind "$DEV"
	done
	must sh -c "echo unplugged >/sys/module/kmem_hp/parameters/default_state"
	tbind kmem_hp bind_unplugged 1 kmem_hp
	for r in $(seq "$REP"); do
		kmem_hp_cycle "$r"
	done

	# 4. The per-block loop on kmem_hp's own blocks (protect=N).
	echo offline >$DAXDEV/$DEV/hotplug
	echo N >/sys/module/kmem_hp/parameters/protect
	for r in $(seq "$REP"); do
		tb hpfloor-hp online_movable "$r" hp online_movable
		tb hpfloor-hp offline "$r" hp offline
	done
	echo Y >/sys/module/kmem_hp/parameters/protect

	# 5. hotplug read latency in each state.
	read_latency "$DEV" ref
	echo online_movable >$DAXDEV/$DEV/hotplug
	read_latency "$DEV"
	echo unplug >$DAXDEV/$DEV/hotplug
	read_latency "$DEV"

	# 6. The front end on kmem_hp (devdax mode -> kmem_hp -> devdax).
	if [ -x $FRONTEND ]; then
		to_devdax
		for r in $(seq "$REP"); do
			tcmd fe-kmem_hp add+online_movable "$r" $FRONTEND reconfigure-device -m kmem_hp "$DEV"
			tcmd fe-kmem_hp offline "$r" $FRONTEND offline-memory "$DEV"
			tcmd fe-kmem_hp online_movable "$r" $FRONTEND online-memory "$DEV"
			tcmd fe-kmem_hp offline+remove "$r" $FRONTEND reconfigure-device -m devdax -f "$DEV"
		done
	fi
	settle_unbound
}

# Several devices bound to kmem_hp at once: the read latency of each
# hotplug file, whatever the number of devices and blocks.
bench_multi() {
	local i devs="" d total=0
	load_pmem_modules
	for i in $(seq 0 $((BENCH_NDEV - 1))); do
		setup_unbound_devdax "namespace$i.0"
		devs="$devs $DEV"
	done
	must modprobe kmem_hp default_state=online_movable
	for d in $devs; do
		DEV=$d
		tbind kmem_hp bind_online_movable 1 kmem_hp
		total=$((total + $(expected_blocks "$d" | grep -c .)))
	done
	meta "devices $(echo $devs)"
	meta "blocks $total"
	for d in $devs; do
		read_latency "$d" ref
	done
	# The same with every device offline (blocks present, none online).
	for d in $devs; do
		echo offline >$DAXDEV/$d/hotplug
	done
	for d in $devs; do
		read_latency "$d"
	done
	for d in $devs; do
		DEV=$d
		tw kmem_hp unbind 1 $DAXDRV/kmem_hp/unbind "$d"
	done
}

meta "kver $KVER"
meta "block_bytes $(block_size)"
meta "memtotal_kb $(memtotal_kb)"
meta "mode $BENCH_MODE"
must sh -c "echo offline >$MEMDIR/auto_online_blocks"
t0=$(cut -d' ' -f1 /proc/uptime)
case $BENCH_MODE in
multi) bench_multi ;;
*) bench_single ;;
esac
meta "guest_seconds $t0 $(cut -d' ' -f1 /proc/uptime)"
[ ! -s $RUNLOG ] || { echo "# daxctl output:"; sed 's/^/#   /' $RUNLOG | tail -n 40; }
finish
