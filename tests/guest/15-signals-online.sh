#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Signals never break all or nothing (DESIGN §2): a signal may abort a
# hotplug write (EINTR), but never its rollback. On a 1 GiB pmem devdax
# device (7 blocks), for each of these changes
#   offline        -> online_movable   (onlining; the rollback must offline)
#   online_movable -> offline          (offlining; the rollback onlines)
#   unplugged      -> online_movable   (add + online; the rollback offlines
#                                       and removes)
#   online         -> online_movable   (zone change: offline from the
#                                       kernel zone, online movable; the
#                                       rollback goes back to the kernel zone)
#   online_movable -> unplug           (offline + remove; SIGKILL only)
# the change is timed (T), then written again with a SIGALRM (handled, no
# SA_RESTART) after 0, 25, 50, 75 and 90 % of T, and with SIGKILL after 33
# and 67 % of T; T becomes the quickest complete write seen (guest timing
# is noisy). Each write is one check: EINTR must leave every
# block exactly where it was (state AND zone), MemTotal, /proc/iomem and
# the module's reference count unchanged, and send no state uevent; OK
# must leave the device completely in the target state with one uevent;
# a killed writer must leave one of the two. At least one write per change
# with a SIGALRM after more than 0 ms must have been interrupted (else the
# checks prove little).
# The writer that already has its signal when it starts waiting for the
# device lock is the 0 ms case here (11-state-errors.sh covers a writer
# interrupted while another holds the lock).
#
# mem: 6G
# smp: 2
# append: memmap=1G!4G
# debug-append: memmap=512M!4G
# timeout: 300
. ./lib.sh
. ./lib-state.sh

load_pmem_modules
setup_unbound_devdax namespace0.0
BLOCKS=$(expected_blocks "$DEV")
HP=$DAXDEV/$DEV/hotplug
mem0=$(memtotal_kb)
note "$DEV: $(nr_words $BLOCKS) blocks: $(echo $BLOCKS)"
must modprobe "$DRV" default_state=offline
ev_start
bind_kmem_hp "$DEV"
check_eq bind "$(expected_dev_view "$DEV" offline "$BLOCKS")" "$(dev_view "$DEV" "$BLOCKS" "$mem0")"

# reset STATE NAME: bring the device to STATE (from whatever a failed case
# left, mixed included); FAIL NAME-reset and return 1 if it cannot.
reset() {
	reach "$DEV" "$1" "$BLOCKS" && return 0
	fail "$2-reset" "expected to bring $DEV to $1, saw write $HP_RES, '$(dev_view "$DEV" "$BLOCKS" "$mem0")'"
	return 1
}

# sweep FROM VALUE [kill-only]: the cases of one change (see the header).
sweep() {
	local from=$1 value=$2 to dir t ms frac interrupted=0 seen=""
	to=$(hp_result "$value")
	dir=$from-$to
	# T: an unsignalled write, then the quickest complete write seen
	# (guest timing under TCG on a shared host is noisy).
	reset "$from" "$dir" || return
	hp_write "$DEV" "$value"
	t=$HP_MS
	note "$dir: $HP_RES in $t ms (unsignalled reference)"
	[ "$HP_RES" = OK ] || { fail "$dir-reference" "expected $from -> $value to work, saw $HP_RES"; return; }
	[ "$t" -gt 0 ] || t=1
	if [ "$3" != kill-only ]; then
		for frac in 0 25 50 75 90; do
			ms=$((t * frac / 100))
			case " $seen " in *" $ms "*) continue ;; esac
			seen="$seen $ms"
			reset "$from" "$dir-alarm-$ms" || return
			ev_mark "$DEV"
			kmsg "$dir: SIGALRM after $ms ms"
			set -- $(kh-xwrite -t -a "$ms" "$HP" "$value")
			ev_mark "$DEV"
			note "$dir: alarm after $ms ms: $*"
			check_aon "$dir-alarm-${frac}pct" "$DEV" "$1" "$from" "$to" "$mem0" "$BLOCKS"
			[ "$1" = EINTR ] && [ "$frac" -gt 0 ] && interrupted=$((interrupted + 1))
			[ "$1" != OK ] || [ "$2" -ge "$t" ] || [ "$2" -le 0 ] || t=$2
		done
		check_eq "$dir-some-write-interrupted" yes \
			"$([ $interrupted -gt 0 ] && echo yes || echo "no: every write with a later alarm completed first (T=$t ms)")"
	fi
	for frac in 33 67; do
		ms=$((t * frac / 100))
		reset "$from" "$dir-kill-${frac}pct" || return
		ev_mark "$DEV"
		kmsg "$dir: SIGKILL after $ms ms"
		kh-xwrite -k "$ms" "$HP" "$value" >/tmp/killed.out 2>&1 &
		wait $!
		rc=$?
		ev_mark "$DEV"
		note "$dir: SIGKILL after $ms ms: exit $rc $(cat /tmp/killed.out)"
		res=killed
		[ $rc -eq 137 ] || res=$(cut -d' ' -f1 /tmp/killed.out)
		check_aon "$dir-kill-${frac}pct" "$DEV" "$res" "$from" "$to" "$mem0" "$BLOCKS"
		note "$dir: SIGKILL after $ms ms: $AON_OUTCOME"
	done
}

sweep offline online_movable
sweep online_movable offline
sweep unplugged online_movable
# Offlining the kernel zone can meet an unmovable page: EBUSY, rolled back,
# is all or nothing too. (The guest has 2 GiB of other ZONE_NORMAL memory,
# and onlined pages go to the tail of the free lists, so that is rare.)
ALLOW_EBUSY=1
sweep online online_movable
ALLOW_EBUSY=0
sweep online_movable unplug kill-only

reset offline end
check_eq end "$(expected_dev_view "$DEV" offline "$BLOCKS")" "$(dev_view "$DEV" "$BLOCKS" "$mem0")"
ev_stop
check_eq end-unbind OK "$(kh-write $DAXDRV/$DRV/unbind "$DEV")"
check_eq end-rmmod ok "$(rmmod "$DRV" 2>&1 && echo ok)"
finish
