# SPDX-License-Identifier: GPL-2.0-only
#
# Helpers for guest scenarios (busybox sh). A scenario sources this file,
# then reports each check with pass/fail/check_eq. Result lines are
#   PASS <scenario>/<check>
#   FAIL <scenario>/<check>: expected ..., saw ...
# and the host prefixes the kernel name.

SCENARIO=${KH_TEST:-$(basename "$0")}
SCENARIO=${SCENARIO%.sh}
KERNEL=${KH_KERNEL:-unknown}	# 6.1, 6.12 or 7.2 (the series)
LANE=${KH_LANE:-$KERNEL}	# the host's target name: also "debug" (a 6.12)
KVER=$(uname -r)
# Driver under test. The host can point the scenarios at the in-tree kmem
# (kh_driver=kmem) to check the harness's expectations against the
# reference implementation.
DRV=${KH_DRIVER:-kmem_hp}
MEMDIR=/sys/devices/system/memory
DAXDEV=/sys/bus/dax/devices
DAXDRV=/sys/bus/dax/drivers
FAILURES=0

pass() { echo "PASS $SCENARIO/$1"; }
fail() {
	echo "FAIL $SCENARIO/$1: $2"
	FAILURES=$((FAILURES + 1))
}
# Free-form context for a human reading the console log.
note() { echo "# $*"; }
# Mark a step in the kernel log, so dmesg lines can be matched to steps.
kmsg() { echo "kh: $SCENARIO: $*" >/dev/kmsg; }

# check_eq NAME EXPECTED ACTUAL: multi-line values are compared as a whole
# and shown on one line (newlines as spaces) on failure.
check_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "expected '$(echo $2)', saw '$(echo $3)'"
	fi
}

# check_cmd NAME DESCRIPTION CMD...: pass when CMD succeeds.
check_cmd() {
	local name=$1 what=$2 out
	shift 2
	if out=$("$@" 2>&1); then
		pass "$name"
	else
		fail "$name" "expected $what, saw failure of '$(echo $*)': $(echo $out)"
	fi
}

# A step the rest of the scenario needs: stop with a FAIL if it fails.
must() {
	local out
	if ! out=$("$@" 2>&1); then
		fail setup "expected '$*' to succeed, saw: $(echo $out)"
		finish
	fi
}

# End the scenario; the exit status tells the host whether anything failed.
finish() {
	[ "$FAILURES" -eq 0 ]
	exit $?
}

# --- numbers ---------------------------------------------------------------

block_size() { echo $((0x$(cat $MEMDIR/block_size_bytes))); }
memtotal_kb() { awk '/^MemTotal:/ { print $2 }' /proc/meminfo; }
hex() { printf '0x%x' "$1"; }

# --- memory blocks ---------------------------------------------------------

# Ids of all present memory blocks, ascending, one per line.
all_blocks() {
	for d in $MEMDIR/memory[0-9]*; do
		echo "${d##*/memory}"
	done | sort -n
}

# Lines of $2 that are not in $1 (both sorted-numerically id lists).
new_blocks() {
	echo "$2" | while read -r b; do
		[ -n "$b" ] || continue
		echo "$1" | grep -qx "$b" || echo "$b"
	done
}

# States of the given block ids, sorted and de-duplicated: "online",
# "offline", or several lines when they disagree.
block_states() {
	for b in $1; do
		cat $MEMDIR/memory$b/state
	done | sort -u
}

# Write STATE to every given block (memoryN/state), retrying busy blocks a
# few times; prints nothing, fails if any block could not be changed.
set_blocks() {
	local state=$1 b i
	for b in $2; do
		[ "$(cat $MEMDIR/memory$b/state)" = "$state" ] && continue
		i=0
		until echo "$state" >$MEMDIR/memory$b/state 2>/dev/null; do
			i=$((i + 1))
			[ $i -lt 10 ] || return 1
			sleep 0.2
		done
	done
}

# Set kmem_hp's "protect" parameter (Y/N) if the driver under test has it.
# With protect=Y (the default) kmem_hp refuses per-block state changes of
# its memory made through memoryN/state.
set_protect() {
	local p=/sys/module/$DRV/parameters/protect
	[ ! -e $p ] || echo "$1" >$p
}

# --- dax devices -----------------------------------------------------------

# "start end" (decimal, inclusive) of each range of a dax device.
dax_ranges() {
	local d=$DAXDEV/$1 m start size
	if ls -d $d/mapping[0-9]* >/dev/null 2>&1; then
		for m in $d/mapping[0-9]*; do
			echo "$(($(cat $m/start))) $(($(cat $m/end)))"
		done
	else
		start=$(($(cat $d/resource)))
		size=$(cat $d/size)
		echo "$start $((start + size - 1))"
	fi
}

# Memory block ids a kmem-style driver must add for a dax device: each
# range trimmed to block alignment (start rounded up, end+1 rounded down).
expected_blocks() {
	local bs s e first last
	bs=$(block_size)
	dax_ranges "$1" | while read -r s e; do
		first=$(((s + bs - 1) / bs))
		last=$(((e + 1) / bs))
		[ $first -lt $last ] && seq $first $((last - 1))
	done
}

# The block-aligned ranges of a dax device as /proc/iomem prints them
# ("start-end", lower-case hex, no 0x), one per line.
expected_iomem_ranges() {
	local bs s e first last
	bs=$(block_size)
	dax_ranges "$1" | while read -r s e; do
		first=$(((s + bs - 1) / bs * bs))
		last=$(((e + 1) / bs * bs))
		[ $first -lt $last ] && printf '%x-%x\n' $first $((last - 1))
	done
}

# The /proc/iomem resource named $1 and everything nested below it,
# indentation kept.
iomem_subtree() {
	awk -v name="$1" '
		function depth(s) { match(s, /^ */); return RLENGTH }
		in_tree && depth($0) <= d { in_tree = 0 }
		in_tree { print; next }
		$0 ~ (" : " name "$") { in_tree = 1; d = depth($0); print }
	' /proc/iomem
}

# Name of the driver a dax device is bound to, or "none".
dax_driver() {
	if [ -e $DAXDEV/$1/driver ]; then
		basename "$(readlink $DAXDEV/$1/driver)"
	else
		echo none
	fi
}

# Module of the driver a dax device is bound to, or "none". With
# kmem_type=Y kmem_hp also registers as "kmem": dax_driver says kmem,
# this says kmem_hp.
dax_module() {
	if [ -e $DAXDEV/$1/driver/module ]; then
		basename "$(readlink $DAXDEV/$1/driver/module)"
	else
		echo none
	fi
}

# Unbind a dax device from whatever driver has it.
dax_unbind() {
	local drv
	drv=$(dax_driver "$1")
	[ "$drv" = none ] || echo "$1" >$DAXDRV/$drv/unbind
}

# Load the modules pmem devdax devices need (no udev in the guest).
load_pmem_modules() {
	must modprobe nd_e820
	must modprobe nd_pmem
	must modprobe dax_pmem
	must modprobe device_dax
}

# Reconfigure namespace $1 as devdax; prints the dax device name.
create_devdax() {
	local out
	out=$(ndctl create-namespace -f -e "$1" -m devdax 2>&1) || {
		echo "ndctl create-namespace -e $1 failed: $out" >&2
		return 1
	}
	echo "$out" | grep -o '"chardev": *"dax[0-9]*\.[0-9]*"' | grep -o 'dax[0-9]*\.[0-9]*'
}

# Set up namespace $1 as a devdax device with nothing bound to it; sets
# DEV to its name. Stops the scenario on failure.
setup_unbound_devdax() {
	DEV=$(create_devdax "$1") && [ -n "$DEV" ] ||
		{ fail setup "expected a devdax device on $1, saw none"; finish; }
	must dax_unbind "$DEV"
}

# Namespaces 0.0 and 1.0 as unbound devdax devices A and B, and the
# memory blocks a kmem-style driver must add for each (BA, BB).
setup_two_devdax() {
	setup_unbound_devdax namespace0.0
	A=$DEV
	setup_unbound_devdax namespace1.0
	B=$DEV
	BA=$(expected_blocks "$A")
	BB=$(expected_blocks "$B")
	note "$A: blocks $(echo $BA); $B: blocks $(echo $BB)"
}

# --- the opt-in modprobe.d snippet (modprobe.d/kmem_hp.conf) -------------

SNIPPET=/usr/local/share/kmem_hp/kmem_hp.conf

snippet_install() {
	mkdir -p /etc/modprobe.d
	cp $SNIPPET /etc/modprobe.d/kmem_hp.conf
}

snippet_remove() {
	rm -f /etc/modprobe.d/kmem_hp.conf
}

# What udev does for a new dax device (modprobe of the dax:t0 modules,
# i.e. kmem), through kmod's modprobe (busybox sh would run its own
# applet, which knows no install directives): with the snippet installed,
# kmem_hp must be loaded instead of kmem.
snippet_modprobe_kmem() {
	kmsg "modprobe kmem (snippet installed)"
	must /sbin/modprobe kmem
	check_eq snippet-loads-kmem_hp yes "$(loaded $DRV)"
	check_eq snippet-keeps-kmem-out no "$(loaded kmem)"
}

# Is module $1 loaded? yes or no.
loaded() { [ -d /sys/module/$1 ] && echo yes || echo no; }

# Wait (up to ~5 s) until a condition command succeeds.
wait_for() {
	local i=0
	until "$@"; do
		i=$((i + 1))
		[ $i -lt 25 ] || return 1
		sleep 0.2
	done
}

# Fill MB MiB of pipes with kh-mem (unmovable kernel pages; bound to NODE
# if given) in the background and wait up to SECONDS (default 10) for it;
# FILL_PID is the filler, stop it with fill_stop. Stops the scenario with a
# FAIL named NAME if the fill does not complete.
fill_pipes() {
	local name=$1 mb=$2 node=$3 secs=${4:-10} i=0
	kh-mem fill "$mb" $node >/tmp/fill.out 2>&1 &
	FILL_PID=$!
	until grep -q '^filled' /tmp/fill.out; do
		i=$((i + 1))
		[ $i -lt $((secs * 5)) ] ||
			{ fail "$name" "expected $mb MiB of pipes filled within $secs s, saw: $(cat /tmp/fill.out)"; finish; }
		sleep 0.2
	done
}

fill_stop() {
	kill "$FILL_PID"
	wait "$FILL_PID" 2>/dev/null
}

# --- kmem-style binding checks --------------------------------------------

# State every block of a device must be in right after a bind that lets the
# kernel's auto-online policy decide: "offline" or "online".
policy_state() {
	case $(cat $MEMDIR/auto_online_blocks) in
	offline) echo offline ;;
	*) echo online ;;
	esac
}

# check_added NAME DEV DRIVER BASE_BLOCKS BASE_MEMTOTAL_KB
# DEV is bound to DRIVER, added exactly its block-aligned part as memory
# blocks, claimed it in /proc/iomem as "daxX.Y" holding "System RAM (kmem)",
# the blocks are in the state the auto-online policy gives, and MemTotal
# grew by exactly the onlined blocks. Sets ADDED to the new block ids.
check_added() {
	local name=$1 dev=$2 drv=$3 base=$4 mem0=$5 exp state grow r iomem
	exp=$(expected_blocks "$dev")
	check_eq "$name-driver" "$drv" "$(dax_driver "$dev")"
	ADDED=$(new_blocks "$base" "$(all_blocks)")
	check_eq "$name-blocks" "$exp" "$ADDED"
	iomem=$(for r in $(expected_iomem_ranges "$dev"); do
		echo "$r : $dev"
		echo "$r : System RAM (kmem)"
	done)
	check_eq "$name-iomem" "$iomem" "$(iomem_subtree "$dev" | sed 's/^ *//')"
	state=$(policy_state)
	check_eq "$name-states" "$([ -n "$ADDED" ] && echo "$state")" "$(block_states "$ADDED")"
	grow=0
	[ "$state" = offline ] || grow=$(($(echo "$ADDED" | grep -c .) * $(block_size) / 1024))
	check_eq "$name-memtotal" "+$grow kB" "+$(($(memtotal_kb) - mem0)) kB"
}

# check_removed NAME DEV BASE_BLOCKS BASE_MEMTOTAL_KB
# DEV is unbound and everything check_added looked at is back to baseline.
check_removed() {
	local name=$1 dev=$2 base=$3 mem0=$4
	check_eq "$name-driver" none "$(dax_driver "$dev")"
	check_eq "$name-blocks" "" "$(new_blocks "$base" "$(all_blocks)")"
	check_eq "$name-iomem" "" "$(iomem_subtree "$dev")"
	check_eq "$name-memtotal" "+0 kB" "+$(($(memtotal_kb) - mem0)) kB"
}

# Bind DEV to in-tree kmem with the blocks onlined movable (if the policy
# onlines at all, so that they can be offlined again reliably), record
# what it did in KMEM_BLOCKS / KMEM_IOMEM / KMEM_GROW_KB, then offline,
# unbind and forget the id again. The reference for "same as kmem" checks.
kmem_reference() {
	local dev=$1 base mem0 policy
	base=$(all_blocks)
	mem0=$(memtotal_kb)
	policy=$(cat $MEMDIR/auto_online_blocks)
	must modprobe kmem
	[ "$policy" = offline ] || must sh -c "echo online_movable >$MEMDIR/auto_online_blocks"
	must sh -c "echo $dev >$DAXDRV/kmem/new_id"
	KMEM_BLOCKS=$(new_blocks "$base" "$(all_blocks)")
	KMEM_IOMEM=$(iomem_subtree "$dev")
	KMEM_GROW_KB=$(($(memtotal_kb) - mem0))
	must sh -c "echo $policy >$MEMDIR/auto_online_blocks"
	must set_blocks offline "$KMEM_BLOCKS"
	must sh -c "echo $dev >$DAXDRV/kmem/unbind"
	must sh -c "echo $dev >$DAXDRV/kmem/remove_id"
	[ -z "$(new_blocks "$base" "$(all_blocks)")" ] ||
		{ fail setup "expected kmem to remove its blocks at unbind, saw them left"; finish; }
}
