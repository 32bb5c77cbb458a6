# SPDX-License-Identifier: GPL-2.0-only
#
# Fault injection helpers (tests/guest/5*.sh, debug kernel only). Sourced
# after lib.sh and lib-state.sh.
#
# kmem_hp built for a kernel with CONFIG_FAULT_INJECTION_DEBUG_FS has one
# standard fault_attr directory per step of a transition under
# /sys/kernel/debug/kmem_hp/ (Documentation/fault-injection/
# fault-injection.rst):
#   fail_add fail_offline fail_remove fail_online fail_zone
#   fail_rollback_add ... fail_rollback_zone   (the same steps in a rollback)
# and add_errno (the errno an injected add failure returns, default 12).
# should_fail(attr, 1) is asked once per range for add and remove, once
# per block for offline, online and the zone check after each online.
# With probability 100 and times 1, the kernel skips calls while
# space > 1, decrementing it, so space K (K >= 1) fails the K-th call
# (space 0 and 1 both fail the first).
# Injected errors: add -> -add_errno, offline -> EBUSY, remove -> EBUSY,
# online -> ENOMEM, zone -> EBUSY. Each injection logs a line with
# "injected" and the step.

FI=/sys/kernel/debug/kmem_hp
FI_STEPS="add offline remove online zone"

# Stop the scenario unless the module has its fault injection files.
fi_require() {
	[ -d $FI/fail_add ] && [ -d $FI/fail_rollback_zone ] && [ -e $FI/add_errno ] && return 0
	fail setup "expected kmem_hp's fault injection files in $FI (a kernel with CONFIG_FAULT_INJECTION_DEBUG_FS), saw: $(ls $FI 2>&1 | tr '\n' ' ')"
	finish
}

# fi_arm ATTR K: make the K-th call (1-based) of ATTR (fail_offline,
# fail_rollback_add, ...) fail, once.
fi_arm() {
	local d=$FI/$1
	echo 0 >$d/probability
	echo 1 >$d/interval
	echo 0 >$d/verbose
	echo "$2" >$d/space
	echo 1 >$d/times
	echo 100 >$d/probability
}

# fi_reset ATTR...: no more failures from these attributes.
fi_reset() {
	local a
	for a in "$@"; do
		echo 0 >$FI/$a/probability
		echo 0 >$FI/$a/times
		echo 0 >$FI/$a/space
	done
}

fi_reset_all() {
	local s
	for s in $FI_STEPS; do
		fi_reset fail_$s fail_rollback_$s
	done
	echo 12 >$FI/add_errno
}

# Errno name an injected failure of STEP makes the write fail with.
fi_errno() {
	case $1 in
	add)
		case $(cat $FI/add_errno) in
		12) echo ENOMEM ;;
		17) echo EEXIST ;;
		*) echo "errno$(cat $FI/add_errno)" ;;
		esac ;;
	offline | remove | zone) echo EBUSY ;;
	online) echo ENOMEM ;;
	esac
}

# The kernel log after the kh marker line "MARK" (a kmsg of the scenario).
fi_log_since() {
	dmesg | sed -n "/kh: $SCENARIO: $1\$/,\$p"
}

# fi_injected LOG STEP [rollback]: how many injections of STEP (forward,
# or rollback) kernel log text LOG (from fi_log_since) has.
fi_injected() {
	local lines
	lines=$(echo "$1" | grep injected | grep -w "$2")
	if [ "$3" = rollback ]; then
		echo "$lines" | grep -c rollback
	else
		echo "$lines" | grep -v rollback | grep -c injected
	fi
}

# fi_unlisted LOG BLOCKS: the blocks kernel log text LOG does not list as
# "memoryN: <state>" (after a failed rollback every block must be).
fi_unlisted() {
	local b
	for b in $2; do
		echo "$1" | grep -qE "memory$b: (offline|online|online_movable|online_kernel|unplugged|removed|mixed)\$" || echo "memory$b"
	done | tr '\n' ' ' | sed 's/ $//'
}

# fi_steps FROM VALUE NB NR: the steps a change FROM -> VALUE performs on a
# device of NB blocks in NR ranges, as STEP:CALLS words, in order.
fi_steps() {
	local from=$1 to
	to=$(hp_result "$2")
	[ "$from" != unplugged ] || echo "add:$4"
	case $from in
	online | online_movable) [ "$to" = "$from" ] || echo "offline:$3" ;;
	esac
	[ "$to" != unplugged ] || [ "$from" = unplugged ] || echo "remove:$4"
	case $to in
	online | online_movable) [ "$to" = "$from" ] || echo "online:$3 zone:$3" ;;
	esac
}

# fi_positions CALLS: "first:1 middle:M last:CALLS" without duplicates.
fi_positions() {
	local n=$1 m
	m=$(((n + 1) / 2))
	echo "first:1"
	[ $m -le 1 ] || [ $m -ge $n ] || echo "middle:$m"
	[ $n -le 1 ] || echo "last:$n"
}

# fi_begin NAME DEV FROM BLOCKS MEM0: bring DEV to FROM (no injection
# armed), mark the uevents and the kernel log for case NAME; FAIL NAME and
# return 1 if DEV cannot be brought there.
fi_begin() {
	if ! reach "$2" "$3" "$4"; then
		fail "$1" "expected to bring $2 to $3 first, saw write $HP_RES, '$(dev_view "$2" "$4" "$5")'"
		return 1
	fi
	ev_mark "$2"
	kmsg "$1"
}

# fi_case DEV BLOCKS MEM0 FROM VALUE STEP POS K: one case of the matrix,
# one check named fi-VALUE-from-FROM-fail_STEP-POS: with the K-th call of
# STEP failing, the write of VALUE from FROM must fail with the injected
# errno after exactly one injection, and leave DEV exactly in FROM (every
# block's state and zone, MemTotal, /proc/iomem, module references) with
# no state uevent.
fi_case() {
	local dev=$1 blocks=$2 mem0=$3 from=$4 value=$5 step=$6 pos=$7 k=$8 name log
	name=fi-$value-from-$from-fail_$step-$pos
	fi_begin "$name" "$dev" "$from" "$blocks" "$mem0" || return
	fi_arm fail_$step "$k"
	hp_write "$dev" "$value"
	fi_reset fail_$step
	ev_mark "$dev"
	log=$(fi_log_since "$name")
	note "$name: $HP_RES in $HP_MS ms; $(echo "$log" | grep injected | sed 's/^\[[^]]*\] //' | tr '\n' ';')"
	check_eq "$name" \
		"$(fi_errno $step) injected=1 $(expected_dev_view "$dev" "$from" "$blocks") uevents=" \
		"$HP_RES injected=$(fi_injected "$log" $step) $(dev_view "$dev" "$blocks" "$mem0") uevents=$(ev_states "$dev")"
}

# fi_matrix DEV BLOCKS MEM0 NR TRANSITIONS: fi_case for every transition
# (FROM:VALUE words), every step it performs, first/middle/last call.
fi_matrix() {
	local dev=$1 blocks=$2 mem0=$3 nr=$4 t from value sc step n p
	for t in $5; do
		from=${t%%:*}
		value=${t#*:}
		for sc in $(fi_steps "$from" "$value" "$(nr_words $blocks)" "$nr"); do
			step=${sc%%:*}
			n=${sc#*:}
			for p in $(fi_positions "$n"); do
				fi_case "$dev" "$blocks" "$mem0" "$from" "$value" "$step" "${p%%:*}" "${p#*:}"
			done
		done
	done
}

# fi_rollback_case DEV BLOCKS MEM0 NAME FROM VALUE STEP K RBSTEP RBK WANT
# A forward step fails (the K-th call of STEP) and so does the rollback
# (the RBK-th call of rollback RBSTEP): the write must fail with STEP's
# errno, the device must read WANT (mixed when blocks disagree), and the
# kernel log must list every block of the device. Then a plain write of
# FROM must bring every block back (the device is usable again).
fi_rollback_case() {
	local dev=$1 blocks=$2 mem0=$3 name=fi-rollback-$4 from=$5 value=$6 step=$7 k=$8 rbstep=$9 rbk want log
	shift 9
	rbk=$1
	want=$2
	fi_begin "$name" "$dev" "$from" "$blocks" "$mem0" || return
	fi_arm fail_$step "$k"
	fi_arm fail_rollback_$rbstep "$rbk"
	hp_write "$dev" "$value"
	fi_reset fail_$step fail_rollback_$rbstep
	ev_mark "$dev"
	log=$(fi_log_since "$name")
	note "$name: $HP_RES; blocks $(blocks_rle "$blocks"); $(echo "$log" | grep injected | sed 's/^\[[^]]*\] //' | tr '\n' ';')"
	check_eq "$name" \
		"$(fi_errno $step) injected=1+1 hotplug=$want state=$want unlisted-blocks= uevents=" \
		"$HP_RES injected=$(fi_injected "$log" $step)+$(fi_injected "$log" $rbstep rollback) hotplug=$(hp_read "$dev") state=$(hp_read "$dev" state) unlisted-blocks=$(fi_unlisted "$log" "$blocks") uevents=$(ev_states "$dev")"
	ev_mark "$dev"
	hp_write "$dev" "$(hp_value_for "$from")"
	ev_mark "$dev"
	check_eq "$name-recovers" \
		"OK $(expected_dev_view "$dev" "$from" "$blocks") uevents=$([ "$want" = "$from" ] || echo "$from")" \
		"$HP_RES $(dev_view "$dev" "$blocks" "$mem0") uevents=$(ev_states "$dev")"
}
