#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Every error a hotplug write can return, provoked for real, and the
# all-or-nothing rule: after each failed write the device reads the state
# it had, every block is where it was (same state, same zone), MemTotal is
# unchanged and no state uevent was sent.
#  - EINVAL: 30 malformed values (empty, whitespace, case, prefixes,
#    suffixes, two lines, NUL inside, read-only and default_state-only
#    names, 4000 bytes); what kernfs does with 0 and > PAGE_SIZE bytes.
#  - EPERM: a root process without CAP_SYS_ADMIN (kh-nocap).
#  - EINTR: a page of the device's first block is pinned (vmsplice), so
#    offlining that block hangs in offline_pages() (migration keeps
#    failing); the writer gets SIGALRM after 2.5 s (handled, no
#    SA_RESTART) and offline_pages() gives up. In case a kernel only
#    gives up on fatal signals, the pin is released after 3.5 s and
#    kmem_hp must see the signal before the next block. Either way the
#    write must fail with EINTR and roll back. A second writer interrupted
#    while waiting for the device lock gets EINTR; a writer killed with
#    SIGKILL mid-transition leaves the device rolled back; a signal while
#    memory is being added and onlined (unplugged -> online_movable) is
#    caught by kmem_hp between blocks: EINTR, everything removed again.
#  - EBUSY: the device online in ZONE_NORMAL with unmovable pipe buffers
#    on its last blocks, then online_movable / unplug / offline: the
#    blocks before the busy ones are offlined, a busy one fails, and
#    everything is put back online in the kernel zone. The guest's only
#    other Normal memory is 128 MiB above the device (it keeps the device
#    inside node 0); the blocks are onlined by hand from the last to the
#    first, so that the last ones head the free lists and take the kernel
#    allocations first (onlined pages go to the tail of the free lists).
#
# mem: 5248M
# smp: 2
# append: memmap=2G!4G
# timeout: 300
. ./lib.sh
. ./lib-state.sh

load_pmem_modules
setup_unbound_devdax namespace0.0
BLOCKS=$(expected_blocks "$DEV")
FIRST=$(echo $BLOCKS | cut -d' ' -f1)
BPAGES=$(($(block_size) / 4096))
mem0=$(memtotal_kb)
HP=$DAXDEV/$DEV/hotplug
# Bound straight into online_movable: with the kernel's own policy the
# device would first come up in the kernel zone, and on the debug lane
# (whose checkers' boot allocations fill the 128 MiB of Normal memory
# above the device) kernel allocations would pin it there.
must modprobe "$DRV" default_state=online_movable
ev_start
bind_kmem_hp "$DEV"
hp_write "$DEV" online_movable
[ "$HP_RES" = OK ] || { fail setup "expected online_movable to work, saw $HP_RES"; finish; }
check_state start "$DEV" online_movable "$mem0" "$BLOCKS"

# --- EINVAL ------------------------------------------------------------------
# kh-xwrite -e escapes: \n newline, \t tab, \r CR, \0 NUL.
long=$(printf '%4000s' '' | tr ' ' a)
longnl=offline$(printf '%3993s' '')
i=0
ev_mark "$DEV"
kmsg "malformed values"
for v in '\n' ' ' 'offline ' ' offline' '\toffline' 'offline\t' 'offline\n\n' \
	'offline\r\n' '\noffline' 'Offline' 'OFFLINE' 'Online_Movable' 'offlin' \
	'offlinex' 'xoffline' 'online_movabl' 'online_kernel_' 'unplu' 'unpluggedd' \
	'offline\nonline' 'offline\nonline\n' 'offline\0' 'off\0line' \
	'offline\0\n' '\0' 'mixed' 'system' 'online-movable' '1' "$long" "$longnl"; do
	i=$((i + 1))
	# The check is named after the value (as written to kh-xwrite -e).
	label="'$v'"
	[ ${#v} -le 24 ] || label="${#v}-bytes"
	res=$(kh-xwrite -e "$HP" "$v")
	check_eq "einval-$label" EINVAL "$res"
	state_is "$DEV" online_movable "$BLOCKS" ||
		fail "einval-$label-unchanged" "expected online_movable and no block changed, saw '$(hp_read "$DEV")', blocks $(echo $(blocks_view "$BLOCKS"))"
done
note "$i malformed values written"
check_state after-einval "$DEV" online_movable "$mem0" "$BLOCKS"
# Lengths kernfs handles itself: 0 bytes never reach the driver (write
# returns 0); of a longer write kernfs passes at most PAGE_SIZE bytes
# (or refuses it, E2BIG, where the file has an atomic write size): either
# way malformed.
res=$(kh-xwrite "$HP" "")
note "0-byte write: $res"
check_eq empty-write-unchanged online_movable "$(hp_read "$DEV")"
res=$(kh-xwrite "$HP" "$(printf '%4096s' '' | tr ' ' a)")
note "4096-byte write: $res"
check_eq page-size-write EINVAL "$res"
res=$(kh-xwrite "$HP" "offline$(printf '%5000s' '')")
note "5007-byte write: $res"
check_eq over-page-size-write-refused yes "$(case $res in EINVAL | E2BIG) echo yes ;; *) echo "no: $res" ;; esac)"
check_state after-long "$DEV" online_movable "$mem0" "$BLOCKS"
ev_mark "$DEV"
check_eq einval-no-uevent "" "$(ev_states "$DEV")"

# --- EPERM -------------------------------------------------------------------
capeff=$(kh-nocap sh -c 'grep CapEff /proc/self/status' | awk '{ print $2 }')
check_eq nocap-drops-sys-admin 0 "$(((0x$capeff >> 21) & 1))"
check_eq nocap-can-read online_movable "$(kh-nocap cat "$HP")"
ev_mark "$DEV"
for v in offline unplug online_movable; do
	check_eq "eperm-$v" EPERM "$(kh-nocap kh-xwrite "$HP" "$v")"
done
check_eq eperm-alias EPERM "$(kh-nocap kh-xwrite "$DAXDEV/$DEV/state" offline)"
# The capability is checked before the value is parsed.
check_eq eperm-before-parsing EPERM "$(kh-nocap kh-xwrite "$HP" bogus)"
ev_mark "$DEV"
check_state after-eperm "$DEV" online_movable "$mem0" "$BLOCKS"
check_eq eperm-no-uevent "" "$(ev_states "$DEV")"

# --- EINTR -------------------------------------------------------------------
# pin: pin a page of the device's first block; sets PIN_PID.
pin() {
	local lo=$((FIRST * BPAGES))
	kh-mem pin $lo $((lo + BPAGES)) 2000 >/tmp/pin.out 2>&1 &
	PIN_PID=$!
	if ! wait_for grep -q '^pinned' /tmp/pin.out; then
		fail "$1-pin" "expected a page of memory$FIRST pinned, saw: $(cat /tmp/pin.out)"
		kill $PIN_PID 2>/dev/null
		return 1
	fi
	note "$1: $(cat /tmp/pin.out) (memory$FIRST: $(hex $lo)-$(hex $((lo + BPAGES - 1))))"
}
unpin() {
	kill $PIN_PID 2>/dev/null
	wait $PIN_PID 2>/dev/null
}
# Wait up to $2 s for process $1 to exit.
wait_gone() {
	local i=0
	while kill -0 "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -le $(($2 * 10)) ] || return 1
		sleep 0.1
	done
}

for value in offline unplug; do
	pin eintr-$value || continue
	ev_mark "$DEV"
	kmsg "eintr $value"
	kh-xwrite -t -a 2500 "$HP" "$value" >/tmp/w1.out &
	w1=$!
	sleep 0.5
	# The first writer holds the device lock: this one waits for it
	# (interruptibly) and gets its own signal after 500 ms.
	res=$(kh-xwrite -t -a 500 "$HP" online_kernel)
	check_eq "eintr-$value-lock-waiter" EINTR "${res%% *}"
	note "lock waiter: $res"
	check_eq "eintr-$value-writer-hangs" running "$(kill -0 $w1 2>/dev/null && echo running || echo "exited: $(cat /tmp/w1.out)")"
	# 6.1 returns at the signal (2.5 s); later kernels keep retrying
	# the pinned page until it is released.
	wait_gone $w1 3
	note "writer after 3.5 s: $(kill -0 $w1 2>/dev/null && echo "still in the kernel" || echo "returned")"
	unpin
	wait_gone $w1 20 || { fail "eintr-$value-returns" "expected the writer to return once the pin was released, saw it hang"; kill -9 $w1; }
	wait $w1 2>/dev/null
	set -- $(cat /tmp/w1.out)
	note "writer: $*"
	check_eq "eintr-$value-errno" EINTR "$1"
	check_eq "eintr-$value-signalled-in-write" "yes" "$([ "$3" = alarm ] && [ "${2:-0}" -ge 2400 ] && echo yes || echo "no: $*")"
	ev_mark "$DEV"
	check_state "eintr-$value-rolled-back" "$DEV" online_movable "$mem0" "$BLOCKS"
	check_eq "eintr-$value-no-uevent" "" "$(ev_states "$DEV")"
done

# SIGKILL: fatal on every kernel, even inside offline_pages(); the dying
# writer must still roll back.
if pin eintr-kill; then
	ev_mark "$DEV"
	kmsg "eintr kill"
	kh-xwrite "$HP" unplug >/dev/null &
	w1=$!
	sleep 1.5
	check_eq eintr-kill-writer-hangs running "$(kill -0 $w1 2>/dev/null && echo running || echo exited)"
	kill -9 $w1
	wait_gone $w1 20 || fail eintr-kill-dies "expected the killed writer to exit, saw it hang"
	wait $w1 2>/dev/null
	unpin
	ev_mark "$DEV"
	check_state eintr-kill-rolled-back "$DEV" online_movable "$mem0" "$BLOCKS"
	check_eq eintr-kill-no-uevent "" "$(ev_states "$DEV")"
fi

# A signal while memory is being added and onlined (nothing in the kernel
# waits there): kmem_hp's own check before each block must stop the
# transition with EINTR and remove what it had added. unplugged ->
# online_movable with SIGALRM after 5, 15, 40 ms; a write that finished
# before its alarm (or got it after the last block's check) must have
# completed instead, and at least one must have been interrupted after
# memory was added (memory block add uevents).
kh-uevent -f SUBSYSTEM=memory >>/tmp/mem-uevents.log 2>&1 &
MEV_PID=$!
wait_for grep -q '^# ready' /tmp/mem-uevents.log
seen=
for ms in 5 15 40; do
	hp_write "$DEV" unplug
	[ "$HP_RES" = OK ] || { fail "eintr-$ms-ms-setup" "expected unplug to work, saw $HP_RES"; continue; }
	: >/tmp/mem-uevents.log
	ev_mark "$DEV"
	kmsg "eintr after $ms ms"
	set -- $(kh-xwrite -t -a $ms "$HP" online_movable)
	ev_mark "$DEV"
	adds=$(grep -c '^add@/devices/system/memory/' /tmp/mem-uevents.log)
	removes=$(grep -c '^remove@/devices/system/memory/' /tmp/mem-uevents.log)
	note "alarm after $ms ms: $* (memory block uevents: $adds add, $removes remove)"
	case $1 in
	EINTR)
		check_eq "eintr-$ms-ms-during-write" yes "$([ "$3" = alarm ] && [ "$2" -ge $ms ] && echo yes || echo "no: $*")"
		check_state "eintr-$ms-ms-rolled-back" "$DEV" unplugged "$mem0" "$BLOCKS"
		check_eq "eintr-$ms-ms-added-blocks-removed" "$adds" "$removes"
		check_eq "eintr-$ms-ms-no-uevent" "" "$(ev_states "$DEV")"
		[ "$adds" -gt 0 ] && seen="$seen $ms"
		;;
	OK)
		# Done before the alarm, or the signal came after the last
		# block's check: a complete transition.
		check_state "eintr-$ms-ms-completed" "$DEV" online_movable "$mem0" "$BLOCKS"
		;;
	*) fail "eintr-$ms-ms-errno" "expected EINTR (or OK if done before the alarm), saw $*" ;;
	esac
done
check_eq eintr-after-adding-blocks yes "$([ -n "$seen" ] && echo "yes" || echo "no: no write was interrupted after adding memory")"
kill $MEV_PID
wait $MEV_PID 2>/dev/null

# --- EBUSY -------------------------------------------------------------------
hp_write "$DEV" offline
check_eq ebusy-setup-offline OK "$HP_RES"
online_kernel_last_first "$BLOCKS"
check_state ebusy-start "$DEV" online "$mem0" "$BLOCKS"
fill_pipes ebusy-fill 256 "" 10
for value in online_movable unplug offline; do
	ev_mark "$DEV"
	kmsg "ebusy $value"
	hp_write "$DEV" "$value"
	note "time online->$value $HP_MS (EBUSY)"
	ev_mark "$DEV"
	check_eq "ebusy-$value-errno" EBUSY "$HP_RES"
	check_state "ebusy-$value-rolled-back" "$DEV" online "$mem0" "$BLOCKS"
	check_eq "ebusy-$value-no-uevent" "" "$(ev_states "$DEV")"
	# The kernel names the unmovable page it stopped at: not in the
	# first block, so blocks were offlined before it and rolled back.
	pfn=$(dmesg | sed -n "/kh: $SCENARIO: ebusy $value\$/,\$p" | grep -o 'pfn:0x[0-9a-f]*' | head -n1)
	blk=$([ -n "$pfn" ] && echo $((${pfn#pfn:} / BPAGES)))
	note "offline stopped at $pfn (memory$blk)"
	check_eq "ebusy-$value-failed-after-offlining-earlier-blocks" yes \
		"$([ -n "$blk" ] && [ "$blk" -gt "$FIRST" ] && echo yes || echo "no: unmovable page reported at '$pfn'")"
done
fill_stop
ev_stop
finish
