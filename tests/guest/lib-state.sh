# SPDX-License-Identifier: GPL-2.0-only
#
# Helpers for the state-control scenarios (tests/guest/1*.sh): the
# hotplug/state files of a kmem_hp device, what every memory block of the
# device must look like in each state, and uevents. Sourced after lib.sh.
#
# Device states as the hotplug file reads them: unplugged, offline, online
# (every block online in a kernel zone), online_movable, mixed. Values a
# write takes: offline, online, online_kernel, online_movable, unplug
# (alias unplugged).

HP_WRITE_VALUES="offline online online_kernel online_movable unplug"
# The kernel zone kmem_hp memory lands in on these guests (above 4 GiB).
KERNEL_ZONE=Normal

# The state a successful write of value $1 leaves the device in.
hp_result() {
	case $1 in
	offline) echo offline ;;
	online | online_kernel) echo online ;;
	online_movable) echo online_movable ;;
	unplug | unplugged) echo unplugged ;;
	*) echo "?$1" ;;
	esac
}

# The value to write to reach readable state $1.
hp_value_for() {
	case $1 in
	unplugged) echo unplug ;;
	*) echo "$1" ;;
	esac
}

# hp_read DEV [FILE]: the device's hotplug (or FILE, e.g. state) file, or
# "absent".
hp_read() {
	local f=$DAXDEV/$1/${2:-hotplug}
	if [ -e "$f" ]; then
		cat "$f" 2>&1
	else
		echo absent
	fi
}

# hp_write DEV VALUE [FILE]: one write(2) of VALUE (no newline added) to
# the device's hotplug file (or FILE); sets HP_RES (OK, errno name, ...)
# and HP_MS (wall time of the write in ms).
hp_write() {
	set -- $(kh-xwrite -t "$DAXDEV/$1/${3:-hotplug}" "$2")
	HP_RES=$1
	HP_MS=$2
}

# What every block of a device looks like, one "memoryN:<what>" per block,
# <what> being absent, offline, or online:<zone> (valid_zones of an online
# block is the zone it is in).
blocks_view() {
	local b d
	for b in $1; do
		d=$MEMDIR/memory$b
		if [ ! -d $d ]; then
			echo "memory$b:absent"
		elif [ "$(cat $d/state)" = online ]; then
			echo "memory$b:online:$(cat $d/valid_zones)"
		else
			echo "memory$b:$(cat $d/state)"
		fi
	done
}

# What blocks_view must print for the blocks $1 in device state $2.
expected_view() {
	local b what
	case $2 in
	unplugged) what=absent ;;
	offline) what=offline ;;
	online) what=online:$KERNEL_ZONE ;;
	online_movable) what=online:Movable ;;
	*) what="?$2" ;;
	esac
	for b in $1; do
		echo "memory$b:$what"
	done
}

# /proc/iomem below the device's reservation(s) as check_added expects it,
# for state $2: the "daxX.Y" reservation always (kmem_hp holds it while
# bound), with a "System RAM (kmem)" child unless unplugged.
expected_iomem() {
	local r
	for r in $(expected_iomem_ranges "$1"); do
		echo "$r : $1"
		[ "$2" = unplugged ] || echo "$r : System RAM (kmem)"
	done
}

nr_words() { echo $#; }

# check_state NAME DEV STATE MEM0_KB BLOCKS
# The device reads STATE through hotplug and state, every one of BLOCKS is
# what STATE means (absent / offline / online in the kernel zone / online
# in ZONE_MOVABLE), MemTotal is MEM0_KB plus the blocks when online, and
# /proc/iomem has the System RAM (kmem) child iff not unplugged.
check_state() {
	local name=$1 dev=$2 state=$3 mem0=$4 blocks=$5 grow=0
	check_eq "$name-hotplug" "$state" "$(hp_read "$dev")"
	check_eq "$name-state" "$state" "$(hp_read "$dev" state)"
	check_eq "$name-blocks" "$(expected_view "$blocks" "$state")" "$(blocks_view "$blocks")"
	case $state in
	online | online_movable)
		grow=$(($(nr_words $blocks) * $(block_size) / 1024)) ;;
	esac
	check_eq "$name-memtotal" "+$grow kB" "+$(($(memtotal_kb) - mem0)) kB"
	check_eq "$name-iomem" "$(expected_iomem "$dev" "$state")" \
		"$(iomem_subtree "$dev" | sed 's/^ *//')"
}

# Quiet version for set-up steps: succeeds iff the device reads STATE and
# its blocks agree.
state_is() {
	[ "$(hp_read "$1")" = "$2" ] &&
		[ "$(expected_view "$3" "$2")" = "$(blocks_view "$3")" ]
}

# Bind DEV to kmem_hp through new_id (the device must be unbound).
bind_kmem_hp() {
	must sh -c "echo $1 >$DAXDRV/$DRV/new_id"
	[ "$(dax_driver "$1")" = "$DRV" ] ||
		{ fail setup "expected $1 bound to $DRV, saw $(dax_driver "$1")"; finish; }
}

# make_mixed DEV BLOCKS: from online_movable, offline the first block by
# hand through memoryN/state (protect=N lets it through), protect back to Y.
make_mixed() {
	local first
	first=$(echo $2 | cut -d' ' -f1)
	set_protect N
	set_blocks offline "$first"
	local rc=$?
	set_protect Y
	return $rc
}

# --- uevents ----------------------------------------------------------------
# A kh-uevent listener runs in the background for the whole scenario and
# logs every dax uevent to $EV_LOG. ev_mark N writes a synthetic "change"
# uevent carrying SYNTH_ARG_KHMARK=N to a dax device and waits until the
# listener has logged it: everything the kernel sent before the mark is
# then in the log, in order.

EV_LOG=/tmp/uevents.log
EV_MARK=0

ev_start() {
	kh-uevent -f SUBSYSTEM=dax >>$EV_LOG 2>&1 &
	EV_PID=$!
	wait_for grep -q '^# ready' $EV_LOG ||
		{ fail setup "expected the uevent listener to start, saw: $(cat $EV_LOG)"; finish; }
}

ev_stop() {
	[ -z "$EV_PID" ] || kill "$EV_PID" 2>/dev/null
	wait "$EV_PID" 2>/dev/null
	EV_PID=
}

# ev_mark DEV: put the next mark in the log (through DEV's uevent file).
ev_mark() {
	EV_MARK=$((EV_MARK + 1))
	echo "change 00000000-0000-0000-0000-000000000000 KHMARK=$EV_MARK" \
		>$DAXDEV/$1/uevent
	wait_for grep -qE "SYNTH_ARG_KHMARK=$EV_MARK( |\$)" $EV_LOG ||
		{ fail uevent-mark "expected mark $EV_MARK in the uevent log, saw none"; return 1; }
}

# ev_states DEV: the KMEM_HP_STATE values of DEV's uevents between the
# last two marks, space separated, in order.
ev_states() {
	awk -v a="SYNTH_ARG_KHMARK=$((EV_MARK - 1))" -v b="SYNTH_ARG_KHMARK=$EV_MARK" \
		-v dev="/$1" '
		function has(tok,  i) { for (i = 1; i <= NF; i++) if ($i == tok) return 1; return 0 }
		has(a) { on = 1; next }
		has(b) { exit }
		on {
			dp = ""; st = ""
			for (i = 1; i <= NF; i++) {
				if ($i ~ /^DEVPATH=/) dp = substr($i, 9)
				if ($i ~ /^KMEM_HP_STATE=/) st = substr($i, 15)
			}
			if (st != "" && substr(dp, length(dp) - length(dev) + 1) == dev) {
				printf "%s%s", sep, st
				sep = " "
			}
		}' $EV_LOG
}

# --- NUMA ------------------------------------------------------------------

# Node a memory block belongs to (its nodeN/memoryN link), or "none".
block_node() {
	local n
	for n in /sys/devices/system/node/node[0-9]*; do
		[ -e $n/memory$1 ] && { echo "${n##*/node}"; return; }
	done
	echo none
}

# "memoryN:nodeM" for every existing block of $1.
blocks_nodes() {
	local b
	for b in $1; do
		[ -d $MEMDIR/memory$b ] && echo "memory$b:node$(block_node $b)"
	done
}

# MemTotal of node $1 in kB.
# MemTotal of node $1 in kB (0 if the node is not online).
node_memtotal_kb() {
	local f=/sys/devices/system/node/node$1/meminfo
	if [ -e $f ]; then
		awk '/MemTotal:/ { print $4 }' $f
	else
		echo 0
	fi
}

# Online BLOCKS (a device's, currently offline) to a kernel zone by hand,
# last block first, with protect=N for the moment: the kernel's next
# allocations then come from the last blocks, so pipe buffers filled
# afterwards land there and offlining the device fails late (EBUSY), after
# its earlier blocks were changed, which exercises the rollback. Reports a
# FAIL named ebusy-setup for a block that would not go online.
online_kernel_last_first() {
	local b
	set_protect N
	for b in $(echo $1 | tr ' ' '\n' | sort -rn); do
		echo online_kernel >$MEMDIR/memory$b/state ||
			fail ebusy-setup "expected memory$b to go online_kernel by hand, saw an error"
	done
	set_protect Y
}
