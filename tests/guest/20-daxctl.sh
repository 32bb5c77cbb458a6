#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The daxctl front end (tools/daxctl, installed as /usr/local/sbin/daxctl
# ahead of the real /usr/bin/daxctl) on pmem devdax devices:
#  - passthrough: commands that do not involve kmem_hp give byte-identical
#    output and the same exit status as the real daxctl (list, list -D -R,
#    a failing reconfigure-device -m bogus, --version, online-memory on a
#    devdax device);
#  - reconfigure-device -m kmem_hp (and --mode=kmem_hp, -mkmem_hp) from
#    device_dax, from kmem (refused while memory is online unless -f),
#    from no driver, and on kmem_hp; default online_movable, --no-movable
#    online_kernel (reads online), --no-online offline; its exact JSON; the blocks and zones;
#  - the real daxctl it hands over to: an override only if absolute,
#    root-owned and not writable by others; "." in PATH never used; a
#    wrapper that runs the front end again refused (no loop);
#  - a kmem_hp module blacklisted in modprobe.d is not loaded;
#  - a device kmem_hp cannot take (ENOSPC) goes back to device_dax, with
#    one error line and a non-zero exit, also within "all";
#  - list shows kmem_hp devices as mode kmem_hp and leaves every other
#    byte of the real output alone;
#  - online-memory [--no-movable], offline-memory, disable-device,
#    destroy-device (refused without -f; with -f unplugged first, and back
#    on kmem_hp when the real daxctl cannot destroy it), -h;
#  - exit statuses and closing lines as daxctl's: the low byte of the
#    last failure's -errno, "error <doing>: <cause>" and "<done> N
#    devices" also on partial failure;
#  - -m devdax and -m system-ram hand the device over (refused while
#    memory is online unless -f; the kernel's auto-online policy refusal
#    as stock daxctl has it), and a device the real daxctl leaves unbound
#    goes back to kmem_hp in its old state;
#  - two front ends moving one device to kmem_hp at once (different
#    states): it ends on kmem_hp in one of them, one of them succeeded;
#  - no device is ever left unbound, default_state is unchanged after,
#    and no per-device bind state is left queued (bind_state empty).
#
# mem: 6G
# append: memmap=2G!4G memmap=128M!6656M
# debug-append: memmap=512M!4G memmap=128M!6656M
# timeout: 400
. ./lib.sh

FE=/usr/local/sbin/daxctl
REAL=/usr/bin/daxctl
export PATH=/usr/local/sbin:$PATH

# run CMD...: sets RC, OUT (stdout) and ERR (stderr).
run() {
	"$@" >/tmp/fe.out 2>/tmp/fe.err
	RC=$?
	OUT=$(cat /tmp/fe.out)
	ERR=$(cat /tmp/fe.err)
}

# same_as_real NAME ARGS...: the front end's stdout, stderr and exit status
# are byte-identical to the real daxctl's.
same_as_real() {
	local name=$1 rc1 rc2
	shift
	daxctl "$@" >/tmp/fe.out 2>/tmp/fe.err
	rc1=$?
	$REAL "$@" >/tmp/real.out 2>/tmp/real.err
	rc2=$?
	check_eq "$name-exit" "$rc2" "$rc1"
	if cmp -s /tmp/fe.out /tmp/real.out && cmp -s /tmp/fe.err /tmp/real.err; then
		pass "$name-output"
	else
		fail "$name-output" "expected the real daxctl's output, saw a difference: $(diff /tmp/real.out /tmp/fe.out | head -n 8 | tr '\n' ' ') $(diff /tmp/real.err /tmp/fe.err | head -n 4 | tr '\n' ' ')"
	fi
}

# The JSON the front end prints for kmem_hp device $1 in list and
# reconfigure-device: state $2, $3 blocks online of $4, movable $5 (or
# "" when daxctl would leave the key out).
kmem_hp_json() {
	local d=$DAXDEV/$1
	printf '[\n  {\n'
	printf '    "chardev":"%s",\n' "$1"
	printf '    "size":%s,\n' "$(cat $d/size)"
	printf '    "target_node":%s,\n' "$(cat $d/target_node)"
	printf '    "align":%s,\n' "$(cat $d/align)"
	printf '    "mode":"kmem_hp",\n'
	printf '    "online_memblocks":%s,\n' "$3"
	printf '    "total_memblocks":%s,\n' "$4"
	[ -z "$5" ] || printf '    "movable":%s,\n' "$5"
	printf '    "hotplug":"%s"\n' "$2"
	printf '  }\n]\n'
}

# The real daxctl's view of the front end's output: kmem_hp devices shown
# as the devdax devices the real daxctl takes them for.
as_stock() {
	sed -e 's/"mode":"kmem_hp",/"mode":"devdax"/' \
		-e '/"online_memblocks":\|"total_memblocks":\|"movable":\|"hotplug":/d'
}

# Valid zones of the device's blocks, sorted and de-duplicated.
block_zones() {
	for b in $1; do
		cat $MEMDIR/memory$b/valid_zones
	done | sort -u
}

# check_state NAME DEV STATE: hotplug reads STATE and the blocks agree.
check_state() {
	local name=$1 dev=$2 st=$3
	check_eq "$name-driver" kmem_hp "$(dax_driver "$dev")"
	check_eq "$name-hotplug" "$st" "$(cat $DAXDEV/$dev/hotplug)"
	case $st in
	online_movable)
		check_eq "$name-blocks" "online" "$(block_states "$BLOCKS")"
		check_eq "$name-zones" "Movable" "$(block_zones "$BLOCKS")"
		;;
	online)
		check_eq "$name-blocks" "online" "$(block_states "$BLOCKS")"
		check_eq "$name-zones" "Normal" "$(block_zones "$BLOCKS")"
		;;
	offline) check_eq "$name-blocks" "offline" "$(block_states "$BLOCKS")" ;;
	esac
}

# check_one_line NAME: one error line of the front end's own ("daxctl:
# ..."), whatever daxctl-style closing lines follow it.
check_one_line() {
	check_eq "$1-one-error-line" 1 "$(echo "$ERR" | grep -c '^daxctl: ')"
}

# check_failed NAME ERRNO-EXIT LINE SUMMARY: exit status ERRNO-EXIT (the
# low byte of -errno, as daxctl's), the front end's one error line LINE,
# then daxctl's closing lines "error <doing>: <cause>" and SUMMARY.
check_failed() {
	check_eq "$1-exit" "$2" "$RC"
	check_eq "$1-error" "$3" "$(echo "$ERR" | grep '^daxctl: ')"
	check_one_line "$1"
	check_eq "$1-summary" "$4" "$(echo "$ERR" | tail -n 2 | tr '\n' '|')"
}

[ -x $FE ] || { fail setup "expected the front end at $FE in the initramfs, saw none"; finish; }
check_eq finds-itself-first $FE "$(command -v daxctl)"

load_pmem_modules
DEV=$(create_devdax namespace0.0) && [ -n "$DEV" ] ||
	{ fail setup "expected a devdax device on namespace0.0"; finish; }
TINY=$(create_devdax namespace1.0) && [ -n "$TINY" ] ||
	{ fail setup "expected a devdax device on namespace1.0"; finish; }
note "devices: $DEV $TINY, policy $(cat $MEMDIR/auto_online_blocks)"
BLOCKS=$(expected_blocks "$DEV")
NBLOCKS=$(echo "$BLOCKS" | grep -c .)
base=$(all_blocks)
check_eq device-dax-bound "device_dax device_dax" "$(dax_driver $DEV) $(dax_driver $TINY)"

# --- passthrough -----------------------------------------------------------
same_as_real pass-version --version
same_as_real pass-list list
same_as_real pass-list-DR list -D -R
same_as_real pass-list-DRu list -D -R -u
same_as_real pass-bogus-mode reconfigure-device -m bogus "$DEV"
same_as_real pass-no-device reconfigure-device -m devdax
same_as_real pass-online-devdax online-memory "$DEV"
same_as_real pass-devdax-to-devdax reconfigure-device -m devdax "$DEV"
printf '#!/bin/sh\necho "fake $*"\nexit 7\n' >/tmp/fake-daxctl
chmod +x /tmp/fake-daxctl
run env KMEM_HP_REAL_DAXCTL=/tmp/fake-daxctl daxctl list -D
check_eq pass-override "7 fake list -D" "$RC $OUT"
# The front end runs as root: only an override root could have put there.
run env KMEM_HP_REAL_DAXCTL=fake-daxctl daxctl list -D
check_eq override-relative-refused "127 daxctl: KMEM_HP_REAL_DAXCTL=fake-daxctl refused: not an absolute path" "$RC $ERR"
cp /tmp/fake-daxctl /tmp/fake-nobody && chown 65534 /tmp/fake-nobody
run env KMEM_HP_REAL_DAXCTL=/tmp/fake-nobody daxctl list -D
check_eq override-not-root-refused "127 daxctl: KMEM_HP_REAL_DAXCTL=/tmp/fake-nobody refused: not owned by root, or writable by others" "$RC $ERR"
chmod o+w /tmp/fake-daxctl
run env KMEM_HP_REAL_DAXCTL=/tmp/fake-daxctl daxctl list -D
check_eq override-world-writable-refused "127 daxctl: KMEM_HP_REAL_DAXCTL=/tmp/fake-daxctl refused: not owned by root, or writable by others" "$RC $ERR"
chmod o-w /tmp/fake-daxctl
# "." in PATH never runs ./daxctl.
mkdir -p /tmp/dot && cp /tmp/fake-daxctl /tmp/dot/daxctl
run sh -c "cd /tmp/dot && PATH=.:/usr/local/sbin $FE --version"
check_eq dot-in-path-ignored "0 $($REAL --version)" "$RC $OUT"
# A "real daxctl" that runs the front end again: refused after a few hops.
printf '#!/bin/sh\nexec %s "$@"\n' $FE >/tmp/wrap-daxctl
chmod 0755 /tmp/wrap-daxctl
run env KMEM_HP_REAL_DAXCTL=/tmp/wrap-daxctl daxctl list -D
check_eq wrapper-loop-refused "127 daxctl: /tmp/wrap-daxctl runs this front end again (a loop): not running it" "$RC $ERR"

# --- blacklisted module ----------------------------------------------------
mkdir -p /etc/modprobe.d
echo "blacklist kmem_hp" >/etc/modprobe.d/kh-test.conf
run daxctl reconfigure-device -m kmem_hp "$DEV"
check_failed blacklist 255 "daxctl: $DEV: cannot load kmem_hp: blacklisted in modprobe.d" \
	"error reconfiguring devices: Operation not permitted|reconfigured 0 devices|"
check_eq blacklist-not-loaded no "$(loaded kmem_hp)"
check_eq blacklist-unchanged device_dax "$(dax_driver $DEV)"
rm /etc/modprobe.d/kh-test.conf

# --- -m kmem_hp from device_dax -------------------------------------------
kmsg "reconfigure-device -m kmem_hp $DEV"
run daxctl reconfigure-device -m kmem_hp "$DEV"
check_eq default-exit 0 "$RC"
check_eq default-summary "reconfigured 1 device" "$ERR"
check_eq default-json "$(kmem_hp_json $DEV online_movable $NBLOCKS $NBLOCKS true)" "$OUT"
check_eq default-new-blocks "$BLOCKS" "$(new_blocks "$base" "$(all_blocks)")"
check_state default "$DEV" online_movable
DEFAULT_STATE=$(cat /sys/module/kmem_hp/parameters/default_state)

# --- list ------------------------------------------------------------------
run daxctl list -d "$DEV"
check_eq list-dev-json "$(kmem_hp_json $DEV online_movable $NBLOCKS $NBLOCKS true)" "$OUT"
run daxctl list
check_eq list-rest-as-real "$($REAL list)" "$(echo "$OUT" | as_stock)"
check_eq list-shows-kmem_hp 1 "$(echo "$OUT" | grep -c '"mode":"kmem_hp"')"
run daxctl list -D -R
check_eq list-DR-rest-as-real "$($REAL list -D -R)" "$(echo "$OUT" | as_stock)"
same_as_real list-other-dev list -d "$TINY"
run daxctl list -u -d "$DEV"
check_eq list-human-size "$($REAL list -u -d "$DEV" | grep '"size"')" "$(echo "$OUT" | grep '"size"')"
check_eq list-human-object "{ kmem_hp" "$(echo "$OUT" | sed -n '1p') $(echo "$OUT" | sed -n 's/.*"mode":"\(.*\)",/\1/p')"

# --- other spellings and states -------------------------------------------
run daxctl reconfigure-device --mode=kmem_hp --no-movable "$DEV"
check_eq no-movable-exit 0 "$RC"
check_eq no-movable-json "$(kmem_hp_json $DEV online $NBLOCKS $NBLOCKS false)" "$OUT"
check_state no-movable "$DEV" online
run daxctl reconfigure-device -mkmem_hp -N "$DEV"
check_eq no-online-exit 0 "$RC"
check_eq no-online-json "$(kmem_hp_json $DEV offline 0 $NBLOCKS "")" "$OUT"
check_state no-online "$DEV" offline
run daxctl reconfigure-device "$DEV" --mode kmem_hp -u -N
check_eq human-exit 0 "$RC"
check_eq human-object "{" "$(echo "$OUT" | sed -n 1p)"
check_eq human-size "$($REAL list -u -d "$DEV" | grep '"size"')" "$(echo "$OUT" | grep '"size"')"
check_eq human-state '"hotplug":"offline"' "$(echo "$OUT" | grep -o '"hotplug":"[a-z_]*"')"
run daxctl reconfigure-device -m kmem_hp --bogus "$DEV"
check_eq bad-option-exit 129 "$RC"
check_one_line bad-option

# --- online-memory / offline-memory ----------------------------------------
run daxctl online-memory "$DEV"
check_eq online-exit "0 onlined memory for 1 device" "$RC $ERR"
check_state online "$DEV" online_movable
run daxctl online-memory --no-movable "$DEV"
check_eq online-no-movable-exit 0 "$RC"
check_state online-no-movable "$DEV" online
run daxctl offline-memory "$DEV"
check_eq offline-exit "0 offlined memory for 1 device" "$RC $ERR"
check_state offline "$DEV" offline
run daxctl online-memory all
check_eq online-all-exit 0 "$RC"
check_state online-all "$DEV" online_movable

# --- a device kmem_hp cannot take -------------------------------------------
run daxctl reconfigure-device -m kmem_hp "$TINY"
check_failed enospc 228 "daxctl: $TINY: kmem_hp: bind failed: No space left on device; back on device_dax" \
	"error reconfiguring devices: No space left on device|reconfigured 0 devices|"
check_eq enospc-back device_dax "$(dax_driver $TINY)"
run daxctl reconfigure-device -m kmem_hp all
# A partial failure: the devices that moved are printed and counted.
check_failed all 228 "daxctl: $TINY: kmem_hp: bind failed: No space left on device; back on device_dax" \
	"error reconfiguring devices: No space left on device|reconfigured 1 device|"
check_eq all-json "$(kmem_hp_json $DEV online_movable $NBLOCKS $NBLOCKS true)" "$OUT"
check_eq all-drivers "kmem_hp device_dax" "$(dax_driver $DEV) $(dax_driver $TINY)"

# --- -m devdax ---------------------------------------------------------------
run daxctl reconfigure-device -m devdax "$DEV"
check_failed devdax-refused 240 "daxctl: $DEV: memory is online, use -f to force" \
	"error reconfiguring devices: Device or resource busy|reconfigured 0 devices|"
check_state devdax-refused "$DEV" online_movable
run env KMEM_HP_REAL_DAXCTL=/tmp/fake-daxctl daxctl reconfigure-device -m devdax -f "$DEV"
check_eq devdax-real-fails-exit 7 "$RC"
check_eq devdax-real-fails-error "daxctl: $DEV: devdax failed; back on kmem_hp (online_movable)" "$ERR"
check_state devdax-real-fails "$DEV" online_movable
kmsg "reconfigure-device -m devdax -f $DEV"
run daxctl reconfigure-device -m devdax -f "$DEV"
check_eq devdax-exit 0 "$RC"
check_eq devdax-json "$($REAL list -d "$DEV")" "$OUT"
check_eq devdax-mode '"mode":"devdax"' "$(echo "$OUT" | grep -o '"mode":"[a-z_-]*"')"
check_eq devdax-driver device_dax "$(dax_driver $DEV)"
check_eq devdax-no-blocks "" "$(new_blocks "$base" "$(all_blocks)")"
check_eq devdax-id-removed no "$([ -e $DAXDRV/kmem_hp/$DEV ] && echo yes || echo no)"

# --- -m system-ram: hand-over to the in-tree kmem ---------------------------
must daxctl reconfigure-device -m kmem_hp -N "$DEV"
policy=$(cat $MEMDIR/auto_online_blocks)
if [ "$policy" != offline ]; then
	run daxctl reconfigure-device -m system-ram "$DEV"
	check_failed ram-policy-refused 240 \
		"daxctl: $DEV: kernel policy will auto-online memory, aborting (use -f or --no-movable)" \
		"error reconfiguring devices: Device or resource busy|reconfigured 0 devices|"
	check_state ram-policy-refused "$DEV" offline
	echo offline >$MEMDIR/auto_online_blocks
fi
kmsg "reconfigure-device -m system-ram $DEV"
run daxctl reconfigure-device -m system-ram "$DEV"
echo "$policy" >$MEMDIR/auto_online_blocks
check_eq ram-exit 0 "$RC"
check_eq ram-driver kmem "$(dax_driver $DEV)"
check_eq ram-mode '"mode":"system-ram"' "$(echo "$OUT" | grep -o '"mode":"[a-z_-]*"')"
check_eq ram-movable '"movable":true' "$(echo "$OUT" | grep -o '"movable":[a-z]*')"
check_eq ram-blocks "$BLOCKS" "$(new_blocks "$base" "$(all_blocks)")"
check_eq ram-block-states online "$(block_states "$BLOCKS")"
check_eq ram-zones Movable "$(block_zones "$BLOCKS")"
check_eq ram-list "$($REAL list -d "$DEV")" "$(daxctl list -d "$DEV")"

# --- from kmem back to kmem_hp -----------------------------------------------
run daxctl reconfigure-device -m kmem_hp "$DEV"
check_failed from-kmem-refused 240 "daxctl: $DEV: memory is online, use -f to force" \
	"error reconfiguring devices: Device or resource busy|reconfigured 0 devices|"
check_eq from-kmem-refused-driver kmem "$(dax_driver $DEV)"
check_eq from-kmem-refused-online online "$(block_states "$BLOCKS")"
kmsg "reconfigure-device -m kmem_hp -f $DEV (from kmem)"
run daxctl reconfigure-device -m kmem_hp -f "$DEV"
check_eq from-kmem-exit 0 "$RC"
check_eq from-kmem-json "$(kmem_hp_json $DEV online_movable $NBLOCKS $NBLOCKS true)" "$OUT"
check_state from-kmem "$DEV" online_movable

# --- disable-device, and from no driver --------------------------------------
run daxctl disable-device "$DEV"
check_failed disable-refused 240 \
	"daxctl: $DEV: memory is online: offline-memory first, or reconfigure-device -m devdax -f" \
	"error disabling device: Device or resource busy|disabled 0 devices|"
check_state disable-refused "$DEV" online_movable
must daxctl offline-memory "$DEV"
run daxctl disable-device "$DEV"
check_eq disable-exit "0 disabled 1 device" "$RC $ERR"
check_eq disable-driver none "$(dax_driver $DEV)"
check_eq disable-no-blocks "" "$(new_blocks "$base" "$(all_blocks)")"
run daxctl reconfigure-device -m kmem_hp "$DEV"
check_eq from-none-exit 0 "$RC"
check_state from-none "$DEV" online_movable

# --- destroy-device ----------------------------------------------------------
# As daxctl: an enabled device is refused without -f (ENXIO). With -f the
# memory is unplugged through kmem_hp first; a pmem device's capacity is
# fixed, so the real daxctl's destroy fails and the device goes back to
# kmem_hp in the state it had.
run daxctl destroy-device "$DEV"
check_eq destroy-refused "250 $DEV is active, specify --force for deletion|error destroying devices: No such device or address|destroyed 0 devices|" \
	"$RC $(echo "$ERR" | tr '\n' '|')"
check_state destroy-refused "$DEV" online_movable
run daxctl destroy-device -f "$DEV"
note "destroy-device -f of a pmem device: rc $RC: $(echo "$ERR" | tr '\n' '|')"
check_eq destroy-static-fails yes "$([ "$RC" -ne 0 ] && echo yes || echo "no: exit $RC")"
check_eq destroy-static-back "daxctl: $DEV: destroy failed; back on kmem_hp (online_movable)" \
	"$(echo "$ERR" | grep "^daxctl: $DEV: destroy")"
check_state destroy-static-back "$DEV" online_movable
check_eq destroy-static-summary "destroyed 0 devices" "$(echo "$ERR" | tail -n 1)"

# --- -h ------------------------------------------------------------------------
run daxctl reconfigure-device -h
check_eq help-exit 129 "$RC"
check_eq help-usage " usage: daxctl reconfigure-device <device> [<options>]" "$(echo "$ERR" | grep usage:)"
check_eq help-kmem_hp-options 2 "$(echo "$ERR" | grep -c -- '--save\|--apply-config')"

# --- two front ends at once on one device -----------------------------------
# Both want the device on kmem_hp, in different states: whichever binds
# first binds it in its state, the other finds it on kmem_hp and sets its
# own. No bind state is left queued and default_state is never touched.
must daxctl reconfigure-device -m devdax -f "$DEV"
kmsg "two front ends at once on $DEV"
daxctl reconfigure-device -m kmem_hp --no-online "$DEV" >/tmp/fe1.out 2>/tmp/fe1.err &
p1=$!
daxctl reconfigure-device -m kmem_hp "$DEV" >/tmp/fe2.out 2>/tmp/fe2.err &
p2=$!
wait $p1
rc1=$?
wait $p2
rc2=$?
note "two front ends: rc $rc1 '$(cat /tmp/fe1.err | tr '\n' ' ')', rc $rc2 '$(cat /tmp/fe2.err | tr '\n' ' ')'"
st=$(cat $DAXDEV/$DEV/hotplug 2>&1)
check_eq two-fe-on-kmem_hp kmem_hp "$(dax_module $DEV)"
check_eq two-fe-one-of-their-states yes "$(case $st in offline | online_movable) echo yes ;; *) echo "no: $st" ;; esac)"
check_eq two-fe-one-succeeded yes "$({ [ $rc1 -eq 0 ] || [ $rc2 -eq 0 ]; } && echo yes || echo "no: $rc1 $rc2")"
check_eq two-fe-no-bind-state "" "$(cat /sys/bus/dax/drivers/kmem_hp/bind_state)"
check_eq two-fe-default-state "$DEFAULT_STATE" "$(cat /sys/module/kmem_hp/parameters/default_state)"

# --- the end: back to devdax, nothing unbound, nothing changed -------------
must daxctl reconfigure-device -m devdax -f "$DEV"
check_eq end-drivers "device_dax device_dax" "$(dax_driver $DEV) $(dax_driver $TINY)"
check_eq end-default-state "$DEFAULT_STATE" "$(cat /sys/module/kmem_hp/parameters/default_state)"
check_eq end-no-queued-bind-state "" "$(cat /sys/bus/dax/drivers/kmem_hp/bind_state)"
check_eq end-policy "$policy" "$(cat $MEMDIR/auto_online_blocks)"
finish
