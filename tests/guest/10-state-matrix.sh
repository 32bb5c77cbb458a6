#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The whole-device transition matrix: every writable value (offline,
# online, online_kernel, online_movable, unplug) written from every state
# (unplugged, offline, online, online_movable, and mixed: online_movable
# with one block offlined by hand under protect=N) of a 2 GiB pmem devdax
# device bound to kmem_hp. After each write:
#  - the write returned the full count,
#  - hotplug and its alias state read the resulting state,
#  - every memory block of the device is what that state means
#    (memoryN absent / offline / online with valid_zones Normal / Movable),
#  - MemTotal is the baseline plus the device's blocks iff online,
#  - /proc/iomem has "System RAM (kmem)" under "daxX.Y" iff not unplugged,
#  - exactly one uevent KMEM_HP_STATE=<new state> came when the state
#    changed, none for a same-state write.
# Also: the unplugged alias, writes through the state alias, offline even
# where the kernel's auto-online policy is online (6.12/7.2). Each
# transition's time is printed as "# time <from>-><value> <ms>".
#
# mem: 6G
# append: memmap=2G!4G
# debug-append: memmap=512M!4G
# timeout: 300
. ./lib.sh
. ./lib-state.sh

load_pmem_modules
setup_unbound_devdax namespace0.0
BLOCKS=$(expected_blocks "$DEV")
mem0=$(memtotal_kb)
note "$DEV: $(nr_words $BLOCKS) blocks of $(($(block_size) >> 20)) MiB: $(echo $BLOCKS)"
must modprobe "$DRV"
ev_start
ev_mark "$DEV"
bind_kmem_hp "$DEV"
ev_mark "$DEV"
# default_state=system: the kernel's policy decides (offline on 6.1).
check_state bind "$DEV" "$(policy_state)" "$mem0" "$BLOCKS"
check_eq bind-uevent "$(policy_state)" "$(ev_states "$DEV")"

# reach STATE: put the device in STATE for the next cell of the matrix;
# fails (and says why) if it cannot.
reach() {
	local want=$1 cur
	cur=$(hp_read "$DEV")
	if [ "$want" = mixed ]; then
		[ "$cur" = online_movable ] || reach online_movable || return 1
		make_mixed "$DEV" "$BLOCKS" && [ "$(hp_read "$DEV")" = mixed ] && return 0
		fail "reach-mixed" "expected hotplug to read mixed after offlining one block by hand, saw '$(hp_read "$DEV")'"
		return 1
	fi
	[ "$cur" = "$want" ] && return 0
	hp_write "$DEV" "$(hp_value_for "$want")"
	note "time $cur->$(hp_value_for "$want") $HP_MS (set-up)"
	state_is "$DEV" "$want" "$BLOCKS" && [ "$HP_RES" = OK ] && return 0
	fail "reach-$want" "expected $cur -> $want to work, saw write $HP_RES, hotplug '$(hp_read "$DEV")', blocks $(echo $(blocks_view "$BLOCKS"))"
	return 1
}

for from in unplugged offline online online_movable mixed; do
	for value in $HP_WRITE_VALUES; do
		cell=$from.$value
		reach "$from" || continue
		to=$(hp_result "$value")
		ev_mark "$DEV"
		kmsg "$cell"
		hp_write "$DEV" "$value"
		ev_mark "$DEV"
		note "time $from->$value $HP_MS"
		check_eq "$cell-write" OK "$HP_RES"
		check_state "$cell" "$DEV" "$to" "$mem0" "$BLOCKS"
		check_eq "$cell-uevent" "$([ "$from" = "$to" ] || echo "$to")" "$(ev_states "$DEV")"
	done
done

# The alias value and the alias file.
reach offline
hp_write "$DEV" unplugged
note "time offline->unplugged $HP_MS"
check_eq alias-unplugged-write OK "$HP_RES"
check_state alias-unplugged "$DEV" unplugged "$mem0" "$BLOCKS"
for value in online_movable unplugged online offline; do
	hp_write "$DEV" "$value" state
	check_eq "state-file-$value-write" OK "$HP_RES"
	check_state "state-file-$value" "$DEV" "$(hp_result "$value")" "$mem0" "$BLOCKS"
done
# With a trailing newline, as echo writes it.
check_cmd echo-newline "echo online_movable >hotplug to succeed" \
	sh -c "echo online_movable >$DAXDEV/$DEV/hotplug"
check_state echo-newline "$DEV" online_movable "$mem0" "$BLOCKS"
must sh -c "echo offline >$DAXDEV/$DEV/hotplug"
ev_stop
finish
