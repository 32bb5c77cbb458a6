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

# block_what N: set BLOCK_WHAT to what memoryN is: absent, offline, or
# online:<zone>. Shell builtins only: a fork per block costs seconds per
# check on the debug lane's kernel.
block_what() {
	local d=$MEMDIR/memory$1 s z
	if [ ! -d $d ]; then
		BLOCK_WHAT=absent
		return
	fi
	read -r s <$d/state
	BLOCK_WHAT=$s
	if [ "$s" = online ]; then
		read -r z <$d/valid_zones
		BLOCK_WHAT=online:$z
	fi
}

# What every block of a device looks like, one "memoryN:<what>" per block,
# <what> being absent, offline, or online:<zone> (valid_zones of an online
# block is the zone it is in).
blocks_view() {
	local b
	for b in $1; do
		block_what $b
		echo "memory$b:$BLOCK_WHAT"
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
	# Listening for as long as the scenario runs: kh-uevent's own default
	# lifetime (10 min) is shorter than the debug lane's long scenarios;
	# the host's time limit ends the guest anyway.
	kh-uevent -t 86400000 -f SUBSYSTEM=dax >>$EV_LOG 2>&1 &
	EV_PID=$!
	wait_for grep -q '^# ready' $EV_LOG ||
		{ fail setup "expected the uevent listener to start, saw: $(cat $EV_LOG)"; finish; }
}

ev_stop() {
	[ -z "$EV_PID" ] || kill "$EV_PID" 2>/dev/null
	wait "$EV_PID" 2>/dev/null
	EV_PID=
}

# How long ev_mark waits for its mark (s): the debug lane's kernel under
# TCG can take longer than 5 s to get the listener scheduled.
EV_MARK_WAIT=5
[ "${LANE:-}" != debug ] || EV_MARK_WAIT=30

# ev_mark DEV: put the next mark in the log (through DEV's uevent file).
ev_mark() {
	local i=0
	EV_MARK=$((EV_MARK + 1))
	echo "change 00000000-0000-0000-0000-000000000000 KHMARK=$EV_MARK" \
		>$DAXDEV/$1/uevent
	until grep -qE "SYNTH_ARG_KHMARK=$EV_MARK( |\$)" $EV_LOG; do
		i=$((i + 1))
		[ $i -lt $((EV_MARK_WAIT * 5)) ] ||
			{ fail uevent-mark "expected mark $EV_MARK in the uevent log within $EV_MARK_WAIT s, saw none (listener $(kill -0 "$EV_PID" 2>/dev/null && echo running || echo gone))"; return 1; }
		sleep 0.2
	done
}

# reach DEV STATE BLOCKS: bring DEV to STATE from whatever it is in (mixed
# included), two writes at most; returns 1 if it cannot.
reach() {
	local i
	for i in 1 2; do
		dev_is "$1" "$2" "$3" && return 0
		hp_write "$1" "$(hp_value_for "$2")"
	done
	dev_is "$1" "$2" "$3"
}

# ev_between DEV FROM [TO]: the KMEM_HP_STATE values of DEV's uevents after
# mark FROM (and before mark TO, if given), space separated, in order.
ev_between() {
	awk -v a="SYNTH_ARG_KHMARK=$2" -v b="${3:+SYNTH_ARG_KHMARK=$3}" -v dev="/$1" '
		function has(tok,  i) { for (i = 1; i <= NF; i++) if ($i == tok) return 1; return 0 }
		has(a) { on = 1; next }
		b != "" && has(b) { exit }
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

# ev_states DEV: the KMEM_HP_STATE values of DEV's uevents between the
# last two marks, space separated, in order.
ev_states() { ev_between "$1" $((EV_MARK - 1)) "$EV_MARK"; }

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

# Free pages of node $1's Normal zone, in kB (0 if it has none).
node_normal_free_kb() {
	awk -v n="$1" '$1 == "Node" { z = ($2 == n "," && $4 == "Normal") }
		z && $1 == "pages" && $2 == "free" { f = $3 }
		END { print (f + 0) * 4 }' /proc/zoneinfo
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

# --- all-or-nothing views ----------------------------------------------------
# One line that says everything a "the device is exactly in state X" check
# looks at, so that a case is one check whose failure shows all of it:
#   hotplug=<read> state=<read> blocks=<runs> memtotal=+<kB>kB iomem=<...> refcnt=<n>
# blocks is run-length in block order ("15*offline",
# "5*online:Movable,10*offline"); iomem lists the device's /proc/iomem
# subtree as <range>:dax / <range>:kmem.

# kmem_hp's module reference count ("none" when not loaded).
mod_refcnt() {
	local r=none
	[ ! -r /sys/module/$DRV/refcnt ] || read -r r </sys/module/$DRV/refcnt
	echo "$r"
}

# Module references the device holds in state $1: one while any of its
# memory is online. REF_BASE counts those of other devices.
REF_BASE=0
refcnt_for() {
	case $1 in
	online | online_movable) echo $((REF_BASE + 1)) ;;
	*) echo "$REF_BASE" ;;
	esac
}

# blocks_rle BLOCKS: what the blocks are, run-length encoded in block
# order, with shell builtins only (no fork per block).
blocks_rle() {
	local b v prev= n=0 out=
	for b in $1; do
		block_what $b
		v=$BLOCK_WHAT
		if [ "$v" = "$prev" ]; then
			n=$((n + 1))
		else
			[ $n -eq 0 ] || out="$out${out:+,}$n*$prev"
			prev=$v
			n=1
		fi
	done
	[ $n -eq 0 ] || out="$out${out:+,}$n*$prev"
	echo "$out"
}

# The device's /proc/iomem subtree in short form.
iomem_sig() {
	iomem_subtree "$1" | sed 's/^ *//; s/ : System RAM (kmem)$/:kmem/; s/ : .*/:dax/' | tr '\n' ',' | sed 's/,$//'
}

# What iomem_sig prints for DEV in state $2 (unbound: nothing).
expected_iomem_sig() {
	local r
	[ "$2" = unbound ] && return
	for r in $(expected_iomem_ranges "$1"); do
		echo "$r:dax"
		[ "$2" = unplugged ] || echo "$r:kmem"
	done | tr '\n' ',' | sed 's/,$//'
}

# What blocks_rle calls every block of a device in state $1 (unbound: absent).
state_block_view() {
	case $1 in
	unplugged | unbound) echo absent ;;
	offline) echo offline ;;
	online) echo "online:$KERNEL_ZONE" ;;
	online_movable) echo online:Movable ;;
	*) echo "?$1" ;;
	esac
}

# Quick state_is (no fork per block): DEV reads STATE and every one of
# BLOCKS agrees.
dev_is() {
	[ "$(hp_read "$1")" = "$2" ] &&
		[ "$(blocks_rle "$3")" = "$(nr_words $3)*$(state_block_view "$2")" ]
}

# dev_view DEV BLOCKS MEM0_KB
dev_view() {
	echo "hotplug=$(hp_read "$1") state=$(hp_read "$1" state) blocks=$(blocks_rle "$2") memtotal=+$(($(memtotal_kb) - $3))kB iomem=$(iomem_sig "$1") refcnt=$(mod_refcnt)"
}

# expected_dev_view DEV STATE BLOCKS [REFCNT]: what dev_view must print
# for DEV in STATE (unplugged, offline, online, online_movable, or unbound:
# not bound to kmem_hp at all). REFCNT defaults to refcnt_for STATE.
expected_dev_view() {
	local n grow=0 what rd=$2
	n=$(nr_words $3)
	what=$(state_block_view "$2")
	case $2 in online | online_movable) grow=$((n * $(block_size) / 1024)) ;; esac
	[ "$2" = unbound ] && rd=absent
	echo "hotplug=$rd state=$rd blocks=$n*$what memtotal=+${grow}kB iomem=$(expected_iomem_sig "$1" "$2") refcnt=${4:-$(refcnt_for "$2")}"
}

# check_aon NAME DEV RES FROM TO MEM0_KB BLOCKS
# The outcome of a write of TO's value from FROM that a signal may have
# interrupted (RES: its result word; "killed" when the writer died of
# SIGKILL and could not tell). Call it right after ev_mark. All or nothing:
#  - EINTR: DEV exactly in FROM (every block, zone, MemTotal, iomem,
#    module references) and no state uevent;
#  - OK: DEV exactly in TO and one uevent KMEM_HP_STATE=TO;
#  - killed: either of the two;
#  - EBUSY (only when ALLOW_EBUSY=1: offlining a kernel zone may meet an
#    unmovable page): as for EINTR;
#  - anything else fails.
# Sets AON_OUTCOME to rolled-back, done or other.
check_aon() {
	local name=$1 dev=$2 res=$3 from=$4 to=$5 mem0=$6 blocks=$7 saw back done
	saw="$(dev_view "$dev" "$blocks" "$mem0") uevents=$(ev_states "$dev")"
	back="$(expected_dev_view "$dev" "$from" "$blocks") uevents="
	done="$(expected_dev_view "$dev" "$to" "$blocks") uevents=$([ "$from" = "$to" ] || echo "$to")"
	AON_OUTCOME=other
	case $res in
	EINTR)
		check_eq "$name" "EINTR $back" "$res $saw"
		[ "$saw" = "$back" ] && AON_OUTCOME=rolled-back ;;
	EBUSY)
		if [ "${ALLOW_EBUSY:-0}" = 1 ]; then
			check_eq "$name" "EBUSY $back" "$res $saw"
			[ "$saw" = "$back" ] && AON_OUTCOME=rolled-back
		else
			fail "$name" "expected EINTR (rolled back) or OK (done), saw $res $saw"
		fi ;;
	OK)
		check_eq "$name" "OK $done" "$res $saw"
		[ "$saw" = "$done" ] && AON_OUTCOME=done ;;
	killed)
		if [ "$saw" = "$back" ]; then
			pass "$name"
			AON_OUTCOME=rolled-back
		elif [ "$saw" = "$done" ]; then
			pass "$name"
			AON_OUTCOME=done
		else
			fail "$name" "expected either '$back' (rolled back) or '$done' (done), saw '$saw'"
		fi ;;
	*) fail "$name" "expected EINTR (rolled back to $from) or OK (now $to), saw $res $saw" ;;
	esac
}

# ev_since DEV: the KMEM_HP_STATE values of DEV's uevents after the last
# mark, so far (space separated).
ev_since() { ev_between "$1" "$EV_MARK"; }

# ev_wait DEV: wait (up to ~5 s) for a state uevent of DEV after the last
# mark. The bind-time event may be sent after bind returns (once the
# hotplug file exists); a mark placed before it would hide it.
ev_wait() {
	local i=0
	while [ -z "$(ev_since "$1")" ]; do
		i=$((i + 1))
		[ $i -lt 25 ] || return 1
		sleep 0.2
	done
}
