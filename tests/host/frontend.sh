#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host-side unit tests of the daxctl front end (tools/daxctl) on a fake
# sysfs: no QEMU, no kmem_hp module, nothing of the host changed.
#
#   tests/host/frontend.sh FRONTEND     (as root; FRONTEND is the built
#                                        tools/daxctl; tests/run passes its own)
#
# Prints one line per check, "PASS host frontend-<what>" or
# "FAIL host frontend-<what>: expected ..., saw ..." followed by the
# command's output, indented; exits 1 if any check failed.
#
# The fake system. The script runs itself again in a private mount
# namespace (unshare -m --propagation private), where
#  - /sys is a tmpfs holding a kernel-shaped tree of everything the front
#    end and libdaxctl read. strace -f -e trace=file of "daxctl list"
#    shows libdaxctl scanning /sys/class/dax and /sys/bus/dax/devices,
#    resolving each daxX.Y link to its region directory (reading its
#    dax_region/ and listing its daxX.Y entries), stat()ing /dev/daxX.Y,
#    resolving /sys/dev/char/MAJ:MIN/subsystem (dax bus or old dax class)
#    and reading memoryN and nodeN under /sys/devices/system; the front
#    end reads the driver links (and the driver's module link), hotplug,
#    resource, target_node, mappingN, memoryN/state and valid_zones,
#    /sys/module/kmem_hp (for libkmod: loaded) and a pmem namespace's
#    uuid under /sys/bus/nd. One tmpfs over all of /sys covers that, and
#    no write can reach the real sysfs;
#  - /dev is a tmpfs with null, zero, full and the daxX.Y nodes;
#  - /etc is an overlay whose writes land in a tmpfs (devices.conf,
#    modprobe.d blacklists);
#  - /lib/modules is an empty tmpfs: libkmod can never load a module.
# All of it disappears with the namespace.
#
# The tree (memory block size 128 MiB), copied afresh for every check:
#   region 0   pmem (.../region0/dax0.0), namespace0.0 with a uuid
#      dax0.0   512 MiB @ 4 GiB, node 1, kmem_hp online_movable (memory32-35)
#   region 1   hmem.1
#      dax1.0   256 MiB, node 2, device_dax
#      dax1.1   size 0 (the region's seed), no driver
#      dax1.2   128 MiB, node 2, no driver (daxctl: "state":"disabled")
#   region 2   hmem.2
#      dax2.0   256 MiB, node 4, the in-tree kmem, online (memory44-45)
#   region 10  CXL (.../region10/dax_region10)
#      dax10.0  256 MiB @ 6 GiB, node 3, kmem_hp offline (memory48-49)
#      dax10.1  256 MiB @ 6.25 GiB, node 3, kmem_hp online_movable (memory50-51)
#
# How checks see what happened. tmpfs files do not react like sysfs
# attributes (an unbind leaves the driver link, a state write moves no
# memory block), so checks look at what the front end wrote (which files
# it modified, and what they hold), what it printed and how it exited.
# It writes attributes the way sysfs wants them, from offset 0 without
# truncating, so a file that held "offline\n" reads "unpluge" after
# "unplug" was written: after_write() computes that. Errors are real:
# a directory in place of an attribute fails the open with EISDIR, a
# /dev/full node in its place fails the write with ENOSPC, and a FIFO
# whose buffer the harness keeps full blocks the write until the harness
# lets it through (hold, wait_blocked, release): that is how a signal
# reaches the front end in the middle of a state change, and how an
# unbind takes effect (the driver link goes) before its write returns.
#
# The real daxctl is a fake (a script that records its arguments, its pid
# and the driver of the devices it is given, prints "real daxctl: ARGS"
# and daxctl's closing line, and exits with $W/real.rc) passed in
# KMEM_HP_REAL_DAXCTL; list runs the distribution's /usr/bin/daxctl on the
# fake tree. The lookup checks hide /usr/bin/daxctl (the build-time
# REAL_DAXCTL) to get to the PATH search.
#
# The front end's specification, beyond daxctl's own behaviour: a
# command returns the negative errno of the last device that failed and
# exits with (-errno) & 0xff, as ndctl's daxctl does (EBUSY 240, EISDIR
# 235, ENXIO 250, EPERM 255, ENOSPC 228, ENOENT 254, EINTR 252), usage
# errors 129; the closing line ("reconfigured N devices", ...) is always
# printed on stderr, N counting the devices that succeeded, after
# daxctl's "error reconfiguring devices: <strerror>" line (resp. onlining,
# offlining, disabling, destroying) on failure; -h prints the command's
# usage on stderr and exits 129 (daxctl's parse-options), --help is the
# real daxctl's; destroy-device of a kmem_hp device
# is refused without -f ("<dev> is active, specify --force for deletion",
# ENXIO) and with -f unplugs it, unbinds it from kmem_hp, then runs the
# real daxctl.
set -uo pipefail

# --- outside the namespace ---------------------------------------------------
if [ "${1:-}" != --in-namespace ]; then
	fe=${1:-}
	if [ -z "$fe" ] || [ ! -x "$fe" ] || [ -d "$fe" ]; then
		echo "FAIL host frontend: expected the built front end (tools/daxctl) as argument, saw '$fe'"
		exit 1
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "FAIL host frontend: expected to run as root (mount namespace, tmpfs), saw uid $(id -u)"
		exit 1
	fi
	work=$(mktemp -d "${TMPDIR:-/tmp}/kmem_hp-frontend.XXXXXX") || exit 1
	rc=0
	unshare -m --propagation private -- "$BASH" "$0" --in-namespace "$work" "$(realpath "$fe")" || rc=$?
	if [ ! -e "$work/finished" ]; then
		echo "FAIL host frontend: expected every check to run, saw the script stop early (exit $rc)"
		rc=1
	fi
	rm -rf "$work"
	exit "$rc"
fi

# --- inside: the fake system ---------------------------------------------------
FINISHED=$2/finished
W=$2/ns			# a tmpfs: scratch files, fake programs, the tree's template
FE=$3
unset KMEM_HP_REAL_DAXCTL KMEM_HP_DAXCTL_HOPS KMEM_HP_DAXCTL_SKIP
export LC_ALL=C

BS=$((0x8000000))	# memory block size
MAJOR=252
DAXDEV=/sys/bus/dax/devices
DAXDRV=/sys/bus/dax/drivers
MEM=/sys/devices/system/memory
R0=/sys/devices/platform/e820_pmem/ndbus0/region0/dax0.0
R1=/sys/devices/platform/hmem.1
R2=/sys/devices/platform/hmem.2
R10=/sys/devices/platform/ACPI0017:00/root0/decoder0.0/region10/dax_region10
NS0=/sys/devices/platform/e820_pmem/ndbus0/region0/namespace0.0
UUID0=8c4f1d2e-5b9a-4c1e-9a55-0d2b6f3e7a10
CONF=/etc/kmem_hp/devices.conf
REAL=/usr/bin/daxctl
declare -A BLOCKS	# device -> its memory block ids

FAILS=0
RC='' OUT='' ERR='' CHANGED=''
setup_fail() {
	echo "FAIL host frontend-setup: $*"
	touch "$FINISHED"
	exit 1
}

# Scratch space, and /etc, /lib/modules, /dev made private.
if ! { mkdir -p "$W" && mount -t tmpfs -o mode=0755 kh-work "$W"; }; then
	setup_fail "cannot mount a tmpfs on $W"
fi
mkdir "$W/etc-upper" "$W/etc-work" "$W/tpl" "$W/cwd" "$W/bin"
mount -t overlay kh-etc -o "lowerdir=/etc,upperdir=$W/etc-upper,workdir=$W/etc-work" /etc ||
	setup_fail "cannot put an overlay on /etc"
echo >/etc/.kh-overlay
if [ -d /lib/modules ]; then
	mount -t tmpfs -o mode=0755 kh-modules /lib/modules || setup_fail "cannot hide /lib/modules"
fi
mount -t tmpfs -o mode=0755 kh-dev /dev || setup_fail "cannot mount a tmpfs on /dev"
if ! { mknod -m 0666 /dev/null c 1 3 && mknod -m 0666 /dev/zero c 1 5 && mknod -m 0666 /dev/full c 1 7; }; then
	setup_fail "cannot create /dev/null, /dev/zero, /dev/full"
fi
ln -s /proc/self/fd /dev/fd
mount -t tmpfs -o mode=0755 kh-sys /sys || setup_fail "cannot mount a tmpfs on /sys"
echo >/sys/.kh-fake

# nap SECONDS: sleep without a process (a read that times out).
mkfifo "$W/nap"
exec {NAP}<>"$W/nap"
nap() { read -r -t "$1" -u "$NAP" _; }

# --- the tree ------------------------------------------------------------------

# add_block ID STATE: memory block ID (its directory made), STATE as
# kmem_hp names it.
add_block() {
	local m=$MEM/memory$1 st=online z
	case $2 in
	online_movable) z=Movable ;;
	online | online_kernel) z=Normal ;;
	*) st=offline z="Normal Movable" ;;
	esac
	echo "$st" >"$m/state"
	echo "$z" >"$m/valid_zones"
	printf '%08x\n' "$1" >"$m/phys_index"
	echo 0 >"$m/phys_device"
	echo 1 >"$m/removable"
}

# add_blocks NODE STATE ID...: memory blocks, linked from their node.
add_blocks() {
	local node=$1 st=$2 b dirs=()
	shift 2
	for b; do
		dirs+=("$MEM/memory$b")
	done
	mkdir -p "${dirs[@]}" "/sys/devices/system/node/node$node"
	for b; do
		add_block "$b" "$st"
	done
	ln -s "${dirs[@]}" "/sys/devices/system/node/node$node/"
}

# add_region DIR ID SIZE
add_region() {
	mkdir -p "$1/dax_region"
	echo "$2" >"$1/dax_region/id"
	echo "$3" >"$1/dax_region/size"
	echo 2097152 >"$1/dax_region/align"
	echo 0 >"$1/dax_region/available_size"
}

# add_dev NAME REGION_DIR MINOR START SIZE NODE DRIVER [STATE]: a dax
# device, its /dev node and /sys/dev/char link, bound to DRIVER ("" for
# none); kmem_hp devices get hotplug (and its alias state) holding STATE,
# kmem and kmem_hp devices their memory blocks.
add_dev() {
	local name=$1 minor=$3 start=$4 size=$5 node=$6 drv=$7 st=${8:-} d=$2/$1 b
	if [ "$size" != 0 ]; then
		mkdir -p "$d/mapping0"
	else
		mkdir -p "$d"
	fi
	echo "$size" >"$d/size"
	echo "$node" >"$d/target_node"
	echo "$node" >"$d/numa_node"
	echo 2097152 >"$d/align"
	echo "$MAJOR:$minor" >"$d/dev"
	if [ "$size" != 0 ]; then
		printf '%#x\n' "$start" >"$d/resource"
		printf '%#x\n' "$start" >"$d/mapping0/start"
		printf '%#x\n' $((start + size - 1)) >"$d/mapping0/end"
		echo 0x0 >"$d/mapping0/page_offset"
	fi
	ln -s /sys/bus/dax "$d/subsystem"
	ln -s "$d" "$DAXDEV/$name"
	ln -s "$d" "/sys/dev/char/$MAJOR:$minor"
	[ -e "/dev/$name" ] || mknod "/dev/$name" c "$MAJOR" "$minor"
	[ -n "$drv" ] || return 0
	ln -s "$DAXDRV/$drv" "$d/driver"
	ln -s "$d" "$DAXDRV/$drv/$name"
	if [ "$drv" = kmem_hp ]; then
		echo "$st" >"$d/hotplug"
		echo "$st" >"$d/state"
	fi
	[ "$drv" != device_dax ] && [ "$st" != unplugged ] || return 0
	BLOCKS[$name]=
	for ((b = start / BS; b < (start + size) / BS; b++)); do
		BLOCKS[$name]+=" $b"
	done
	# shellcheck disable=SC2086 # a list of numbers
	add_blocks "$node" "$st" ${BLOCKS[$name]}
}

build_tree() {
	local m drv a
	mkdir -p $DAXDEV $DAXDRV /sys/bus/nd/devices /sys/dev/char /sys/module $MEM /sys/class
	echo 8000000 >$MEM/block_size_bytes
	echo offline >$MEM/auto_online_blocks
	for m in kmem_hp device_dax kmem dax; do
		mkdir -p /sys/module/$m
		echo live >/sys/module/$m/initstate
	done
	mkdir /sys/module/kmem_hp/parameters
	echo system >/sys/module/kmem_hp/parameters/default_state
	echo N >/sys/module/kmem_hp/parameters/kmem_type
	echo Y >/sys/module/kmem_hp/parameters/protect
	for drv in kmem_hp device_dax kmem; do
		mkdir $DAXDRV/$drv
		for a in bind unbind new_id remove_id; do
			: >$DAXDRV/$drv/$a
		done
		ln -s /sys/module/$drv $DAXDRV/$drv/module
	done
	: >$DAXDRV/kmem_hp/bind_state
	add_blocks 0 online 0 1 2 3 4 5 6 7
	add_region $R0 0 $((512 << 20))
	echo namespace0.0 >$R0/namespace
	echo 0b7de2c4-58a1-4a5e-8a3c-2f0e6b1d9c77 >$R0/uuid
	mkdir -p $NS0
	echo $UUID0 >$NS0/uuid
	ln -s $NS0 /sys/bus/nd/devices/namespace0.0
	add_dev dax0.0 $R0 0 $((0x100000000)) $((512 << 20)) 1 kmem_hp online_movable
	add_region $R1 1 $((512 << 20))
	add_dev dax1.0 $R1 1 $((0x140000000)) $((256 << 20)) 2 device_dax
	add_dev dax1.1 $R1 2 0 0 2 ""
	add_dev dax1.2 $R1 3 $((0x150000000)) $((128 << 20)) 2 ""
	add_region $R2 2 $((256 << 20))
	add_dev dax2.0 $R2 4 $((0x160000000)) $((256 << 20)) 4 kmem online
	add_region $R10 10 $((512 << 20))
	add_dev dax10.0 $R10 5 $((0x180000000)) $((256 << 20)) 3 kmem_hp offline
	add_dev dax10.1 $R10 6 $((0x190000000)) $((256 << 20)) 3 kmem_hp online_movable
}

# Variants of the tree, applied after fresh().
# kernel_unbind DEV DRV: what the kernel's unbind leaves (no driver link,
# no hotplug file, kmem_hp's memory blocks gone).
kernel_unbind() {
	local d=$DAXDEV/$1 b node
	rm -f "$d/driver" "$DAXDRV/$2/$1"
	[ "$2" = kmem_hp ] || return 0
	rm -f "$d/hotplug" "$d/state"
	node=$(<"$d/target_node")
	for b in ${BLOCKS[$1]}; do
		rm -rf "$MEM/memory$b" "/sys/devices/system/node/node$node/memory$b"
	done
}
# no_kmem_hp: every kmem_hp device on device_dax instead.
no_kmem_hp() {
	local dev
	for dev in dax0.0 dax10.0 dax10.1; do
		kernel_unbind $dev kmem_hp
		ln -s $DAXDRV/device_dax "$DAXDEV/$dev/driver"
		ln -s "$(realpath $DAXDEV/$dev)" $DAXDRV/device_dax/$dev
	done
}
# kmem_type: kmem_hp registered under kmem's name (kmem_type=Y), so dax2.0 is kmem_hp's.
kmem_type() {
	rm $DAXDRV/kmem/module
	ln -s /sys/module/kmem_hp $DAXDRV/kmem/module
	echo Y >/sys/module/kmem_hp/parameters/kmem_type
	echo online >$R2/dax2.0/hotplug
	echo online >$R2/dax2.0/state
}

build_tree
cp -a /sys/. "$W/tpl/" || setup_fail "cannot copy the fake tree"
umount /sys || setup_fail "cannot unmount the tree's tmpfs"
# Each check's /sys: an overlay on the tree, mounted over the previous
# one, its writes in an upper directory of its own (quicker than copying
# the tree).
mkdir -p "$W"/sys-upper/{1..150} "$W"/sys-work/{1..150}
FRESH=0

# fresh: a new copy of the tree, no devices.conf or blacklist, the fake
# real daxctl's records emptied.
fresh() {
	if [ ! -e /etc/.kh-overlay ]; then
		setup_fail "the /etc overlay is gone"
	fi
	FRESH=$((FRESH + 1))
	[ -d "$W/sys-upper/$FRESH" ] || mkdir "$W/sys-upper/$FRESH" "$W/sys-work/$FRESH"
	mount -t overlay kh-sys -o "lowerdir=$W/tpl,upperdir=$W/sys-upper/$FRESH,workdir=$W/sys-work/$FRESH" /sys ||
		setup_fail "cannot mount a fresh fake /sys"
	[ -e /sys/.kh-fake ] || setup_fail "the fake /sys is not there"
	rm -rf /etc/kmem_hp /etc/modprobe.d/kh-test.conf
	: >"$W/real.argv"
	: >"$W/real.pid"
	: >"$W/real.seen"
	echo 0 >"$W/real.rc"
	cd "$W/cwd" || setup_fail "no $W/cwd"
}

# make_fake PATH TAG: a fake real daxctl at PATH (root's, mode 0755).
make_fake() {
	{
		echo '#!/bin/bash'
		printf 'log=%q tag=%q\n' "$W" "$2"
		cat <<-'EOF'
			# A fake real daxctl: records its arguments (one line, shell-quoted,
			# after its tag), its pid and the driver of each device it is given,
			# then says what it was asked and, on success, daxctl's closing line.
			printf '%s:' "$tag" >>"$log/real.argv"
			[ $# = 0 ] || printf ' %q' "$@" >>"$log/real.argv"
			echo >>"$log/real.argv"
			echo $$ >>"$log/real.pid"
			for a; do
				d=/sys/bus/dax/devices/${a##*/}
				[ -e "$d" ] || continue
				drv=none
				[ ! -L "$d/driver" ] || drv=$(basename "$(readlink "$d/driver")")
				echo "${a##*/} driver=$drv" >>"$log/real.seen"
			done
			echo "real daxctl: $*"
			rc=$(<"$log/real.rc")
			case ${1:-} in
			reconfigure-device) did=reconfigured ;;
			online-memory) did="onlined memory for" ;;
			offline-memory) did="offlined memory for" ;;
			disable-device) did=disabled ;;
			enable-device) did=enabled ;;
			destroy-device) did=destroyed ;;
			create-device) did=created ;;
			*) did= ;;
			esac
			[ "$rc" != 0 ] || [ -z "$did" ] || echo "$did 1 device" >&2
			exit "$rc"
		EOF
	} >"$1"
	chmod 0755 "$1"
}
FAKE=$W/bin/real-daxctl
make_fake "$FAKE" fake

# --- running the front end --------------------------------------------------------

# Mark the start of a run: files modified later were written by it.
# Returns once the clock has moved past the stamp's time (timestamps are
# coarse), so that anything written from then on is newer.
stamp() {
	local i
	echo >"$W/stamp"
	for ((i = 0; i < 100000; i++)); do
		echo >"$W/probe"
		[[ ! $W/probe -nt $W/stamp ]] || break
	done
}
# The files modified since the stamp, by their last two path components
# (dax10.0/hotplug, kmem_hp/unbind, memory48/state), sorted, on one line.
# The front end cannot create files (it opens attributes without
# O_CREAT): the candidates are the tree's files and the hotplug files
# variants add.
mapfile -t TREE_FILES < <(cd "$W/tpl" && find . ! -type d ! -type l | sed 's|^\.|/sys|')
TREE_FILES+=("$R2/dax2.0/hotplug")
changed() {
	local f d i sorted=()
	for f in "${TREE_FILES[@]}"; do
		[[ $f -nt $W/stamp ]] || continue
		d=${f%/*}
		f=${d##*/}/${f##*/}
		for ((i = ${#sorted[@]}; i > 0; i--)); do
			[[ ${sorted[i - 1]} > $f ]] || break
			sorted[i]=${sorted[i - 1]}
		done
		sorted[i]=$f
	done
	printf '%s' "${sorted[*]}"
}
# slurp VAR FILE: FILE's contents in VAR, trailing newlines dropped (as
# $(<FILE), without a subshell).
slurp() {
	IFS= read -r -d '' "$1" <"$2"
	while [[ ${!1} == *$'\n' ]]; do
		printf -v "$1" '%s' "${!1%$'\n'}"
	done
}
# Results of the last run: OUT, ERR, CHANGED.
collect() {
	slurp OUT "$W/out"
	slurp ERR "$W/err"
	CHANGED=$(changed)
}
# run CMD...: CMD in $W/cwd with stdin /dev/null, 20 s at most; its
# pid in PID, its exit status in RC.
run() {
	stamp
	"$@" </dev/null >"$W/out" 2>"$W/err" &
	PID=$!
	wait_fe
}
# fe ARGS...: the front end with the fake as its real daxctl.
fe() { KMEM_HP_REAL_DAXCTL=$FAKE run "$FE" "$@"; }
# fe_bg ARGS...: the same in the background, its pid in PID, until wait_fe.
fe_bg() {
	stamp
	KMEM_HP_REAL_DAXCTL=$FAKE "$FE" "$@" </dev/null >"$W/out" 2>"$W/err" &
	PID=$!
}
alive() {
	local state
	read -r _ _ state _ 2>/dev/null <"/proc/$1/stat" && [ "$state" != Z ]
}
# wait_fe: wait for PID (killed after 20 s), then collect.
wait_fe() {
	local i
	for ((i = 0; i < 4000; i++)); do
		alive "$PID" || break
		nap 0.005
	done
	! alive "$PID" || kill -KILL "$PID"
	wait "$PID"
	RC=$?
	collect
}

# hold FILE: FILE becomes a FIFO the harness keeps open read-write (opening
# it never blocks) with a full buffer: a write to it blocks until release.
# Reading it returns NUL bytes.
hold() {
	rm -rf "$1" && mkfifo "$1" || return 1
	exec {HOLD}<>"$1"
	dd if=/dev/zero of="$1" bs=4096 count=1024 oflag=nonblock status=none 2>/dev/null
	return 0
}
unhold() { exec {HOLD}>&-; }
# wait_blocked FILE: wait (5 s at most) until PID blocks writing FILE;
# fails if it exits first or never gets there.
wait_blocked() {
	local i nr fd
	for ((i = 0; i < 250; i++)); do
		alive "$PID" || return 1
		read -r nr fd _ 2>/dev/null <"/proc/$PID/syscall" || return 1
		if [ "$nr" = 1 ] && [ "$(readlink "/proc/$PID/fd/$((fd))")" = "$1" ]; then
			return 0
		fi
		nap 0.02
	done
	return 1
}
# release FILE: drain FILE, which lets a blocked write through; prints
# what was written to it besides the harness's NULs.
release() { dd if="$1" iflag=nonblock bs=65536 status=none 2>/dev/null | tr -d '\0'; }

# --- checks ---------------------------------------------------------------------------

flat() {
	local s=${1//$'\n'/\\n}
	[ ${#s} -le 400 ] || s="${s:0:400}..."
	printf '%s' "$s"
}
pass() { echo "PASS host frontend-$1"; }
# fail NAME WHY: the FAIL line, then the last run's output, indented.
fail() {
	echo "FAIL host frontend-$1: $2"
	FAILS=$((FAILS + 1))
	{
		[ -z "$OUT" ] || printf 'stdout: %s\n' "$OUT"
		[ -z "$ERR" ] || printf 'stderr: %s\n' "$ERR"
		echo "exit status $RC; files written: ${CHANGED:-none}"
	} | head -n 12 | sed 's/^/    | /'
}
# check NAME [WHAT EXPECTED SEEN]...: passes if every SEEN equals its
# EXPECTED; the FAIL line names each one that does not.
check() {
	local name=$1 why=
	shift
	while [ $# -ge 3 ]; do
		[ "$2" = "$3" ] || why+="${why:+; }expected $1 '$(flat "$2")', saw '$(flat "$3")'"
		shift 3
	done
	if [ -z "$why" ]; then
		pass "$name"
	else
		fail "$name" "$why"
	fi
}

# after_write OLD NEW: what a file holding OLD reads after NEW was written
# at offset 0 without truncation (trailing newlines dropped, like $(...)).
after_write() { printf '%s' "$2${1:${#2}}"; }
# The initial contents of the hotplug files.
HP_ON=online_movable$'\n'
HP_OFF=offline$'\n'
attr() {
	local v
	if [ -f "$1" ]; then
		slurp v "$1"
		printf '%s' "$v"
	else
		echo "(no file)"
	fi
}
hp() { attr "$DAXDEV/$1/hotplug"; }
# The real daxctl's recorded invocations, one per line ("" if none).
real_argv() { attr "$W/real.argv"; }
# Lines of $ERR matching an extended regex, counted.
nerr() { grep -cE -e "$1" <<<"$ERR"; }
# The last N lines of $ERR.
err_tail() { tail -n "$1" <<<"$ERR"; }
yesno() { if "$@"; then echo yes; else echo no; fi; }
between() { [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }

# ==== 1. Pass-through: what the front end does not handle goes to the real
# daxctl, executed (same process) with the same arguments, whose output and
# exit status are the front end's.
fresh
echo 3 >"$W/real.rc"
fe
check pass-no-args "exit status" 3 "$RC" "real daxctl call" "fake:" "$(real_argv)" \
	"stdout" "real daxctl: " "$OUT" "files written" "" "$CHANGED"
fresh
echo 3 >"$W/real.rc"
fe --version
check pass-version "exit status" 3 "$RC" "real daxctl call" "fake: --version" "$(real_argv)" \
	"stdout" "real daxctl: --version" "$OUT"
fresh
fe create-device -r 1 -s 256M
check pass-create-device "exit status" 0 "$RC" "real daxctl call" "fake: create-device -r 1 -s 256M" "$(real_argv)" \
	"stderr" "created 1 device" "$ERR" "files written" "" "$CHANGED"
fresh
fe enable-device dax1.2
check pass-enable-device "real daxctl call" "fake: enable-device dax1.2" "$(real_argv)" "files written" "" "$CHANGED"
fresh
fe destroy-device dax1.2
check pass-destroy-non-kmem_hp "real daxctl call" "fake: destroy-device dax1.2" "$(real_argv)" "files written" "" "$CHANGED"
fresh
fe online-memory dax1.0
check pass-online-devdax "real daxctl call" "fake: online-memory dax1.0" "$(real_argv)" "files written" "" "$CHANGED"
fresh
fe offline-memory dax2.0
check pass-offline-kmem "real daxctl call" "fake: offline-memory dax2.0" "$(real_argv)" "files written" "" "$CHANGED"
fresh
fe reconfigure-device -m devdax dax1.0
check pass-devdax-to-devdax "real daxctl call" "fake: reconfigure-device -m devdax dax1.0" "$(real_argv)" \
	"files written" "" "$CHANGED"
fresh
fe offline-memory --no-movable dax10.1
check pass-option-daxctl-rejects "real daxctl call" "fake: offline-memory --no-movable dax10.1" "$(real_argv)" \
	"files written" "" "$CHANGED"
fresh
no_kmem_hp
fe list -D -R
check pass-list-without-kmem_hp "real daxctl call" "fake: list -D -R" "$(real_argv)" "stdout" "real daxctl: list -D -R" "$OUT"
# exec, not a child: the real daxctl runs as the front end's own process.
fresh
fe_bg --version
wait_fe
check pass-exec-same-process "real daxctl pid" "$PID" "$(<"$W/real.pid")"

# Options only the real daxctl knows (-s, -a, --input, -C) hand the whole
# command line over untouched, also with -m kmem_hp.
for t in "size:-m kmem_hp -s 1G dax10.0" "align:-a 2M dax1.0" "input:dax10.0 -m kmem_hp --input=dev.json" \
	"check-config:-C dax1.0" "check-config-long:--check-config -m kmem_hp dax10.0"; do
	fresh
	# shellcheck disable=SC2086 # the words are the arguments
	fe reconfigure-device ${t#*:}
	check "pass-stock-option-${t%%:*}" "real daxctl call" "fake: reconfigure-device ${t#*:}" "$(real_argv)" \
		"files written" "" "$CHANGED"
done

# ==== 2. Option parsing of the handled commands (on kmem_hp devices, where
# a state change is one write to hotplug).
fresh
fe reconfigure-device -Nf -m kmem_hp dax10.1
check opt-bundled "exit status" 0 "$RC" "files written" "dax10.1/hotplug" "$CHANGED" \
	"dax10.1 hotplug (offline written over online_movable)" "$(after_write "$HP_ON" offline)" "$(hp dax10.1)"
fresh
fe reconfigure-device -mkmem_hp dax10.0
check opt-attached-value "exit status" 0 "$RC" "files written" "dax10.0/hotplug" "$CHANGED" \
	"dax10.0 hotplug" online_movable "$(hp dax10.0)"
fresh
fe reconfigure-device --mode=kmem_hp --no-mov dax10.0
check opt-long-equals-abbreviated "exit status" 0 "$RC" "files written" "dax10.0/hotplug" "$CHANGED" \
	"dax10.0 hotplug" online_kernel "$(hp dax10.0)"
fresh
fe reconfigure-device --mode kmem_hp --no-on dax10.1
check opt-long-separate-value "exit status" 0 "$RC" "dax10.1 hotplug (offline written over online_movable)" "$(after_write "$HP_ON" offline)" "$(hp dax10.1)"
fresh
fe reconfigure-device dax10.1 -m kmem_hp -N
check opt-after-device "exit status" 0 "$RC" "files written" "dax10.1/hotplug" "$CHANGED" \
	"dax10.1 hotplug (offline written over online_movable)" "$(after_write "$HP_ON" offline)" "$(hp dax10.1)"
fresh
fe reconfigure-device -m kmem_hp -- dax10.0
check opt-double-dash "exit status" 0 "$RC" "dax10.0 hotplug" online_movable "$(hp dax10.0)"
fresh
fe reconfigure-device -m kmem_hp -- dax10.1 -N
check opt-device-after-double-dash "'-N: no such dax device' lines" 1 "$(nerr '-N: no such dax device')" \
	"files written" "" "$CHANGED" "non-zero exit" yes "$(yesno [ "$RC" != 0 ])"
for t in unknown-long:--bogus unknown-short:-Z ambiguous-abbreviation:--no; do
	fresh
	fe reconfigure-device -m kmem_hp "${t#*:}" dax10.0
	check "opt-${t%%:*}" "exit status" 129 "$RC" "stderr lines" 1 "$(grep -c . <<<"$ERR")" \
		"files written" "" "$CHANGED" "real daxctl call" "" "$(real_argv)"
done
fresh
fe reconfigure-device -m kmem_hp
check opt-no-device "exit status" 129 "$RC" "files written" "" "$CHANGED" "real daxctl call" "" "$(real_argv)"
fresh
fe reconfigure-device -m devdax --save dax10.1
check opt-save-needs-kmem_hp "exit status" 129 "$RC" "files written" "" "$CHANGED" \
	"devices.conf" no "$(yesno [ -e $CONF ])"

# ==== 3. -h, as daxctl's: the command's usage (kmem_hp's options included)
# on stderr, exit status 129, nothing done. --help, as daxctl's, is the
# real daxctl's (its manual page).
for t in "reconfigure:reconfigure-device -h" \
	"reconfigure-kmem_hp:reconfigure-device -m kmem_hp -h dax10.0" "online:online-memory -h" \
	"offline:offline-memory -h" "disable:disable-device -h" "destroy:destroy-device -h"; do
	fresh
	args=${t#*:}
	# shellcheck disable=SC2086 # the words are the arguments
	fe $args
	cmd=${args%% *}
	usage=$(grep -iE "^ ?usage:.*$cmd" <<<"$ERR" | head -n1)
	check "help-${t%%:*}" "exit status" 129 "$RC" "a usage line for $cmd on stderr" yes \
		"$(yesno [ -n "$usage" ])" "files written" "" "$CHANGED" "real daxctl call" "" "$(real_argv)"
done
fresh
fe reconfigure-device -h
check help-kmem_hp-options "kmem_hp's options in -h" "--save --apply-config" \
	"$(grep -oE -e '--save|--apply-config' <<<"$ERR" | tr '\n' ' ' | sed 's/ $//')"
fresh
fe reconfigure-device --help
check help-long-is-real "real daxctl call" "fake: reconfigure-device --help" "$(real_argv)" \
	"files written" "" "$CHANGED"

# ==== 4. Device filters, as daxctl's: names, X.Y, /dev paths, "all",
# -r/--region (the region id, decimal, or "regionN").
fresh
fe offline-memory dax10.1
check filter-name "exit status" 0 "$RC" "files written" "dax10.1/hotplug" "$CHANGED" \
	"dax10.1 hotplug (offline written over online_movable)" "$(after_write "$HP_ON" offline)" "$(hp dax10.1)"
fresh
fe offline-memory 10.1
check filter-region-dot-id "exit status" 0 "$RC" "files written" "dax10.1/hotplug" "$CHANGED"
fresh
fe offline-memory /dev/dax10.1
check filter-dev-path "exit status" 0 "$RC" "files written" "dax10.1/hotplug" "$CHANGED"
fresh
fe online-memory all
check filter-all "exit status" 0 "$RC" "files written" "dax0.0/hotplug dax10.0/hotplug dax10.1/hotplug" "$CHANGED" \
	"dax10.0 hotplug" online_movable "$(hp dax10.0)" \
	"real daxctl calls (devices with memory not on kmem_hp)" "fake: online-memory dax2.0" "$(real_argv)" \
	"stderr" "onlined memory for 4 devices" "$ERR"
for t in "id:-r 10" "long:--region=10" "name:-r region10" "decimal:-r 010"; do
	fresh
	# shellcheck disable=SC2086 # the words are the arguments
	fe offline-memory ${t#*:} all
	check "filter-region-${t%%:*}" "exit status" 0 "$RC" "files written" "dax10.0/hotplug dax10.1/hotplug" "$CHANGED" \
		"real daxctl call" "" "$(real_argv)" "stderr" "offlined memory for 2 devices" "$ERR"
done
fresh
fe offline-memory --region=0 all
check filter-region-other "exit status" 0 "$RC" "files written" "dax0.0/hotplug" "$CHANGED"
fresh
fe reconfigure-device -m kmem_hp -r 0 dax10.0
check filter-region-excludes "'dax10.0: no such dax device' lines" 1 "$(nerr 'dax10.0: no such dax device')" \
	"files written" "" "$CHANGED" "non-zero exit" yes "$(yesno [ "$RC" != 0 ])"
fresh
fe reconfigure-device -m kmem_hp dax9.9
check filter-unmatched "'dax9.9: no such dax device' lines" 1 "$(nerr 'dax9.9: no such dax device')" \
	"files written" "" "$CHANGED" "non-zero exit" yes "$(yesno [ "$RC" != 0 ])"

# ==== 5. JSON: kmem_hp devices as daxctl shows system-ram ones, with
# "mode":"kmem_hp" and the state under "hotplug" ("state" keeps its daxctl
# meaning, "disabled").
# kmem_hp_json DEV SIZE NODE STATE ONLINE TOTAL MOVABLE ("" leaves it out)
kmem_hp_json() {
	printf '[\n  {\n'
	printf '    "chardev":"%s",\n    "size":%s,\n    "target_node":%s,\n' "$1" "$2" "$3"
	printf '    "align":2097152,\n    "mode":"kmem_hp",\n'
	printf '    "online_memblocks":%s,\n    "total_memblocks":%s,\n' "$5" "$6"
	[ -z "$7" ] || printf '    "movable":%s,\n' "$7"
	printf '    "hotplug":"%s"\n  }\n]\n' "$4"
}
fresh
fe reconfigure-device -m kmem_hp dax10.1
check json-reconfigure "exit status" 0 "$RC" "stdout" "$(kmem_hp_json dax10.1 268435456 3 online_movable 2 2 true)" "$OUT" \
	"stderr" "reconfigured 1 device" "$ERR"
fresh
fe reconfigure-device -m kmem_hp -N dax10.0
check json-reconfigure-offline "stdout" "$(kmem_hp_json dax10.0 268435456 3 offline 0 2 "")" "$OUT"
if [ -x $REAL ]; then
	fresh
	human_size=$($REAL list -u -d dax10.1 | grep '"size"')
	fe reconfigure-device -m kmem_hp -u dax10.1
	check json-reconfigure-human "first line (one device: an object)" "{" "$(head -n1 <<<"$OUT")" \
		"size line (as the real daxctl's)" "$human_size" "$(grep '"size"' <<<"$OUT")" \
		"hotplug line" '  "hotplug":"online_movable"' "$(grep '"hotplug"' <<<"$OUT")"

	# list: the real daxctl's output, kmem_hp devices' objects patched
	# (daxctl's pretty JSON: one key per line). summary: chardev:mode:
	# hotplug:state of each device; as_stock: the output with kmem_hp
	# objects put back the way the real daxctl prints them.
	summary() {
		awk -F'"' '/"chardev":/ { dev = $4; mode = hp = st = "-" }
			/"mode":/ { mode = $4 }
			/"hotplug":/ { hp = $4 }
			/"state":/ { st = $4 }
			/^ *},?$/ && dev != "" { out = out sep dev ":" mode ":" hp ":" st; sep = " "; dev = "" }
			END { print out }'
	}
	as_stock() {
		awk 'function flush(i, m) {
				m = 0
				for (i = 1; i <= n; i++) {
					if (kmem_hp && buf[i] ~ /"(online_memblocks|total_memblocks|movable|hotplug)":/)
						continue
					if (kmem_hp)
						sub(/"mode":"kmem_hp"/, "\"mode\":\"devdax\"", buf[i])
					out[++m] = buf[i]
				}
				if (kmem_hp)
					sub(/,$/, "", out[m - 1])
				for (i = 1; i <= m; i++)
					print out[i]
				n = kmem_hp = inobj = 0
			}
			/^ *{$/ { inobj = 1 }
			inobj { buf[++n] = $0; if (/"mode":"kmem_hp"/) kmem_hp = 1; if (/^ *},?$/) flush(); next }
			{ print }'
	}
	fresh
	fe_real() { KMEM_HP_REAL_DAXCTL=$REAL run "$FE" "$@"; }
	fe_real list
	check list-kmem_hp-devices "exit status" 0 "$RC" "devices (chardev:mode:hotplug:state)" \
		"dax0.0:kmem_hp:online_movable:- dax1.0:devdax:-:- dax1.2:devdax:-:disabled dax2.0:system-ram:-:- dax10.0:kmem_hp:offline:- dax10.1:kmem_hp:online_movable:-" \
		"$(summary <<<"$OUT")"
	check list-rest-as-real "the real daxctl's list, but for the kmem_hp keys" "$($REAL list)" \
		"$(as_stock <<<"$OUT")"
	fe_real list -d dax10.1
	check list-device "stdout" "$(kmem_hp_json dax10.1 268435456 3 online_movable 2 2 true)" "$OUT"
	fe_real list -u -d dax10.1
	check list-human "size line (as the real daxctl's)" "$human_size" "$(grep '"size"' <<<"$OUT")" \
		"mode line" '  "mode":"kmem_hp",' "$(grep '"mode"' <<<"$OUT")"
	fresh
	no_kmem_hp
	fe_real list -D -R -i
	check list-without-kmem_hp-is-real "stdout" "$($REAL list -D -R -i)" "$OUT" "exit status" 0 "$RC"
	fresh
	kmem_type
	fe_real list -d dax2.0
	check kmem-type-list "mode line" '    "mode":"kmem_hp",' "$(grep '"mode"' <<<"$OUT")" \
		"hotplug line" '    "hotplug":"online"' "$(grep '"hotplug"' <<<"$OUT")"
	fe offline-memory dax2.0
	check kmem-type-offline "exit status" 0 "$RC" "files written" "dax2.0/hotplug" "$CHANGED" \
		"real daxctl call" "" "$(real_argv)"
else
	fail json-list "expected the real daxctl at $REAL (tests/host-deps.sh installs it), saw none"
fi

# ==== 6. Exit status and closing line: (-errno) & 0xff of the last device
# that failed, the closing line always, after daxctl's error line.
fresh
fe online-memory dax10.0
check exit-success "exit status" 0 "$RC" "stderr" "onlined memory for 1 device" "$ERR"
# dax10.0's hotplug a directory (EISDIR), dax10.1 fine.
fresh
rm $R10/dax10.0/hotplug && mkdir $R10/dax10.0/hotplug
fe reconfigure-device -m kmem_hp -r 10 all
check exit-reconfigure-partial-eisdir "exit status" 235 "$RC" \
	"last stderr lines" $'error reconfiguring devices: Is a directory\nreconfigured 1 device' "$(err_tail 2)" \
	"stdout (the device that succeeded)" "$(kmem_hp_json dax10.1 268435456 3 online_movable 2 2 true)" "$OUT" \
	"files written" "dax10.1/hotplug" "$CHANGED"
# dax10.1's hotplug /dev/full (ENOSPC), dax10.0 fine.
fresh
rm $R10/dax10.1/hotplug && mknod $R10/dax10.1/hotplug c 1 7
fe online-memory -r 10 all
check exit-online-partial-enospc "exit status" 228 "$RC" \
	"last stderr lines" $'error onlining memory: No space left on device\nonlined memory for 1 device' "$(err_tail 2)" \
	"dax10.0 hotplug" online_movable "$(hp dax10.0)"
# Both fail, differently: the status is the last one's.
fresh
rm $R10/dax10.0/hotplug && mkdir $R10/dax10.0/hotplug
rm $R10/dax10.1/hotplug && mknod $R10/dax10.1/hotplug c 1 7
fe online-memory -r 10 all
check exit-last-failed-device "exit status (ENOSPC, of dax10.1)" 228 "$RC" \
	"last stderr lines" $'error onlining memory: No space left on device\nonlined memory for 0 devices' "$(err_tail 2)"
fresh
rm $R10/dax10.1/hotplug && mkdir $R10/dax10.1/hotplug
fe offline-memory dax10.1
check exit-offline-eisdir "exit status" 235 "$RC" \
	"last stderr lines" $'error offlining memory: Is a directory\nofflined memory for 0 devices' "$(err_tail 2)"
# dax10.1's memory is online: refused before anything is written.
fresh
fe disable-device dax10.1
check exit-disable-ebusy "exit status" 240 "$RC" \
	"last stderr lines" $'error disabling device: Device or resource busy\ndisabled 0 devices' "$(err_tail 2)" \
	"files written" "" "$CHANGED"
# From device_dax: the unbind is written but does not take (the fake's
# driver link stays), so the device is still bound (EBUSY) and nothing is
# queued for kmem_hp.
fresh
fe reconfigure-device -m kmem_hp dax1.0
check exit-reconfigure-unbind-ebusy "exit status" 240 "$RC" \
	"last stderr lines" $'error reconfiguring devices: Device or resource busy\nreconfigured 0 devices' "$(err_tail 2)" \
	"device_dax remove_id" dax1.0 "$(attr $DAXDRV/device_dax/remove_id)" \
	"device_dax unbind" dax1.0 "$(attr $DAXDRV/device_dax/unbind)" \
	"kmem_hp bind_state (nothing queued)" "" "$(attr $DAXDRV/kmem_hp/bind_state)"
# kmem_hp not loaded and blacklisted in modprobe.d: not loaded (EPERM).
fresh
rm -r /sys/module/kmem_hp
mkdir -p /etc/modprobe.d
echo "blacklist kmem_hp" >/etc/modprobe.d/kh-test.conf
fe reconfigure-device -m kmem_hp dax1.0
check exit-blacklisted-eperm "exit status" 255 "$RC" "'blacklisted' lines" 1 "$(nerr blacklisted)" \
	"last stderr lines" $'error reconfiguring devices: Operation not permitted\nreconfigured 0 devices' "$(err_tail 2)" \
	"files written" "" "$CHANGED"
# kmem_hp not loaded and not installed (/lib/modules is empty): ENOENT.
fresh
rm -r /sys/module/kmem_hp
fe reconfigure-device -m kmem_hp dax1.0
check exit-not-installed-enoent "exit status" 254 "$RC" "'not installed' lines" 1 "$(nerr 'not installed')" \
	"last stderr lines" $'error reconfiguring devices: No such file or directory\nreconfigured 0 devices' "$(err_tail 2)" \
	"files written" "" "$CHANGED"
# No device matched: ENXIO, as daxctl.
fresh
fe reconfigure-device -m kmem_hp dax9.9
check exit-unmatched-enxio "exit status" 250 "$RC" \
	"last stderr lines" $'error reconfiguring devices: No such device or address\nreconfigured 0 devices' "$(err_tail 2)"

# ==== 7. disable-device and destroy-device (an unbind that takes effect:
# kmem_hp/unbind held, the driver link removed while the write blocks).
# unbind_takes DEV: wait until the front end blocks writing DEV's name to
# kmem_hp/unbind, note DEV's hotplug at that moment in HP_AT_UNBIND, do
# what the kernel does, let the write through. UNBIND: what was written.
unbind_takes() {
	HP_AT_UNBIND="(no unbind)"
	UNBIND=
	if wait_blocked $DAXDRV/kmem_hp/unbind; then
		HP_AT_UNBIND=$(hp "$1")
		kernel_unbind "$1" kmem_hp
		UNBIND=$(release $DAXDRV/kmem_hp/unbind)
	fi
	wait_fe
	UNBIND+=$(release $DAXDRV/kmem_hp/unbind)
	unhold
}
# disable-device: unplug, then unbind, nothing else.
fresh
hold $DAXDRV/kmem_hp/unbind
fe_bg disable-device dax10.0
unbind_takes dax10.0
check disable "exit status" 0 "$RC" "hotplug at the unbind (unplug written over offline)" "$(after_write "$HP_OFF" unplug)" "$HP_AT_UNBIND" \
	"written to kmem_hp/unbind" dax10.0 "$UNBIND" "stderr" "disabled 1 device" "$ERR" \
	"real daxctl call" "" "$(real_argv)"
# destroy-device without -f: refused as daxctl refuses an enabled device.
fresh
fe destroy-device dax10.0
check destroy-refused-without-force "exit status" 250 "$RC" \
	"'dax10.0 is active, specify --force for deletion' lines" 1 "$(nerr '^dax10.0 is active, specify --force for deletion$')" \
	"files written" "" "$CHANGED" "real daxctl call" "" "$(real_argv)"
check destroy-refused-closing-line \
	"last stderr lines" $'error destroying devices: No such device or address\ndestroyed 0 devices' "$(err_tail 2)"
# destroy-device -f: unplugged when unbound, the real daxctl after that.
fresh
hold $DAXDRV/kmem_hp/unbind
fe_bg destroy-device -f dax10.0
unbind_takes dax10.0
check destroy-force "exit status" 0 "$RC" "hotplug at the unbind (unplug written over offline)" "$(after_write "$HP_OFF" unplug)" "$HP_AT_UNBIND" \
	"written to kmem_hp/unbind" dax10.0 "$UNBIND" \
	"real daxctl destroy-device for dax10.0, after the unbind" "yes dax10.0 driver=none" \
	"$(yesno grep -q '^fake: destroy-device .*dax10.0' "$W/real.argv") $(<"$W/real.seen")" \
	"'destroyed 1 device' lines" 1 "$(nerr '^destroyed 1 device$')"
# destroy-device -f whose unplug fails: neither unbound nor destroyed.
fresh
rm $R10/dax10.0/hotplug && mkdir $R10/dax10.0/hotplug
fe destroy-device -f dax10.0
check destroy-force-unplug-fails "exit status" 235 "$RC" "files written" "" "$CHANGED" "real daxctl call" "" "$(real_argv)" \
	"last stderr lines" $'error destroying devices: Is a directory\ndestroyed 0 devices' "$(err_tail 2)"

# ==== 8. Signals. SIGTERM/SIGINT while a hotplug write blocks: the write
# fails (EINTR, the kernel rolls back), the command stops there, says so,
# exits non-zero and unbinds nothing. SIGPIPE does not kill it.
# disable-device, SIGTERM during the unplug: still bound, nothing unbound.
fresh
hold $R10/dax10.0/hotplug
fe_bg disable-device dax10.0
blocked=$(yesno wait_blocked $R10/dax10.0/hotplug)
kill -TERM "$PID" 2>/dev/null
wait_fe
unhold
check signal-term "blocked in the hotplug write" yes "$blocked" "non-zero exit" yes "$(yesno [ "$RC" != 0 ])" \
	"'nterrupted' in stderr" yes "$(yesno grep -q nterrupted <<<"$ERR")" \
	"files written" "" "$CHANGED" "driver" kmem_hp "$(basename "$(readlink $DAXDEV/dax10.0/driver)")"
check signal-term-exit-status "exit status (EINTR)" 252 "$RC" \
	"last stderr lines" $'error disabling device: Interrupted system call\ndisabled 0 devices' "$(err_tail 2)"
# offline-memory of region 10, SIGINT during dax10.0's write: dax10.1 is
# not touched.
fresh
hold $R10/dax10.0/hotplug
fe_bg offline-memory -r 10 all
blocked=$(yesno wait_blocked $R10/dax10.0/hotplug)
kill -INT "$PID" 2>/dev/null
wait_fe
unhold
check signal-int-stops "blocked in the hotplug write" yes "$blocked" "non-zero exit" yes "$(yesno [ "$RC" != 0 ])" \
	"files written (dax10.1 left alone)" "" "$CHANGED"
# -m devdax -f, SIGINT during the unplug: not released, the real daxctl
# not run, still on kmem_hp.
fresh
hold $R10/dax10.1/hotplug
fe_bg reconfigure-device -m devdax -f dax10.1
blocked=$(yesno wait_blocked $R10/dax10.1/hotplug)
kill -INT "$PID" 2>/dev/null
wait_fe
unhold
check signal-int-devdax "blocked in the hotplug write" yes "$blocked" "non-zero exit" yes "$(yesno [ "$RC" != 0 ])" \
	"files written" "" "$CHANGED" "real daxctl call" "" "$(real_argv)" \
	"driver" kmem_hp "$(basename "$(readlink $DAXDEV/dax10.1/driver)")"
# sigpipe_run CMD...: run with stdout a pipe nobody reads any more (as
# after "| head -c1"): its output fails with EPIPE, or SIGPIPE kills it.
sigpipe_run() {
	local w rw
	rm -f "$W/pipe"
	mkfifo "$W/pipe"
	# shellcheck disable=SC2094 # a reader first, so that the writer's open does not block
	exec {rw}<>"$W/pipe" {w}>"$W/pipe"
	exec {rw}>&-
	: >"$W/out"
	stamp
	"$@" </dev/null 1>&"$w" 2>"$W/err" &
	PID=$!
	exec {w}>&-
	wait_fe
}
# Both devices reconfigured, the closing line printed, exit 0 (not 141).
fresh
KMEM_HP_REAL_DAXCTL=$FAKE sigpipe_run "$FE" reconfigure-device -m kmem_hp -r 10 all
check sigpipe-reconfigure "exit status" 0 "$RC" "files written" "dax10.0/hotplug dax10.1/hotplug" "$CHANGED" \
	"dax10.0 hotplug" online_movable "$(hp dax10.0)" "stderr" "reconfigured 2 devices" "$ERR"

# ==== 9. Finding the real daxctl: an override only if absolute, root's and
# writable by root alone (else refused with a message, nothing run), never
# a relative PATH entry, never the front end itself, no loop.
fresh
printf '#!/bin/sh\necho %s >>%s\n' ran "$W/cwd-daxctl.ran" >"$W/cwd/fake-daxctl"
chmod 0755 "$W/cwd/fake-daxctl"
cp "$W/cwd/fake-daxctl" "$W/cwd/daxctl"
mkdir -p "$W/cwd/rel"
cp "$W/cwd/fake-daxctl" "$W/cwd/rel/daxctl"
ran_in_cwd() { yesno [ -e "$W/cwd-daxctl.ran" ]; }
override() {
	rm -f "$W/cwd-daxctl.ran"
	KMEM_HP_REAL_DAXCTL=$1 run "$FE" --version
}
override fake-daxctl
check lookup-override-relative "stderr" "daxctl: KMEM_HP_REAL_DAXCTL=fake-daxctl refused: not an absolute path" "$ERR" \
	"./fake-daxctl ran" no "$(ran_in_cwd)"
# What follows a refusal: nothing runs (never silently another daxctl,
# as in tests/guest/20-daxctl.sh), exit 127.
check lookup-override-refused-nothing-runs "exit status" 127 "$RC" "stdout" "" "$OUT"
cp -p "$FAKE" "$W/bin/nobody" && chown 65534 "$W/bin/nobody"
cp -p "$FAKE" "$W/bin/group-w" && chmod 0775 "$W/bin/group-w"
cp -p "$FAKE" "$W/bin/other-w" && chmod 0757 "$W/bin/other-w"
ln -s "$FE" "$W/bin/self"
for o in nobody group-w other-w self; do
	override "$W/bin/$o"
	why="not owned by root, or writable by others"
	[ $o != self ] || why="this front end itself"
	check "lookup-override-refused-$o" "stderr" "daxctl: KMEM_HP_REAL_DAXCTL=$W/bin/$o refused: $why" "$ERR" \
		"real daxctl call" "" "$(real_argv)"
done
# The refusal is said also where the front end runs the real daxctl as a child.
KMEM_HP_REAL_DAXCTL=$W/bin/group-w run "$FE" list
check lookup-override-refused-child "non-zero exit" yes "$(yesno [ "$RC" != 0 ])" \
	"real daxctl call" "" "$(real_argv)" \
	"stderr names KMEM_HP_REAL_DAXCTL" yes "$(yesno grep -q KMEM_HP_REAL_DAXCTL <<<"$ERR")"

# PATH search: /usr/bin/daxctl (the build-time REAL_DAXCTL) hidden by a
# file that is not executable.
if grep -qaF $REAL "$FE"; then
	printf '#!/bin/sh\necho hidden\n' >"$W/not-executable"
	chmod 0644 "$W/not-executable"
	hidden=no
	if [ ! -e $REAL ] || mount --bind "$W/not-executable" $REAL; then
		hidden=yes
	fi
	mkdir -p "$W/selfbin" "$W/pathbin" "$W/copy1" "$W/copy2"
	ln -s "$FE" "$W/selfbin/daxctl"
	make_fake "$W/pathbin/daxctl" pathbin
	cp "$FE" "$W/copy1/daxctl"
	cp "$FE" "$W/copy2/daxctl"
	# ./daxctl, rel/daxctl (relative entries, an empty one too) and a
	# symlink to the front end come first: the first real daxctl after
	# them runs.
	fresh
	rm -f "$W/cwd-daxctl.ran"
	PATH=".:rel::$W/selfbin:$W/pathbin:/usr/bin:/bin" run "$W/selfbin/daxctl" --version
	check lookup-path "REAL_DAXCTL hidden" yes "$hidden" "real daxctl call" "pathbin: --version" "$(real_argv)" \
		"./daxctl or rel/daxctl ran" no "$(ran_in_cwd)" "exit status" 0 "$RC"
	# No real daxctl at all: said, exit 127, nothing relative run.
	fresh
	rm -f "$W/cwd-daxctl.ran"
	PATH=".:rel:$W/selfbin:/usr/bin:/bin" run "$W/selfbin/daxctl" --version
	check lookup-path-none "exit status" 127 "$RC" "'cannot find the real daxctl' lines" 1 "$(nerr 'cannot find the real daxctl')" \
		"./daxctl or rel/daxctl ran" no "$(ran_in_cwd)"
	# Two copies of the front end (two inodes) in PATH: the first hands
	# over to the second, which skips the first: the real daxctl runs.
	fresh
	PATH="$W/copy1:$W/copy2:$W/pathbin:/usr/bin:/bin" run "$W/copy1/daxctl" --version
	check lookup-two-front-ends "exit status" 0 "$RC" "real daxctl call" "pathbin: --version" "$(real_argv)"
	[ ! -e $REAL ] || umount $REAL
else
	fail lookup-path "expected a front end built with REAL_DAXCTL=$REAL (the Makefile's default), saw none of it in $FE"
fi

# A "real daxctl" that runs the front end again: refused after a few hops,
# where the front end executes it and where it runs it as a child (list).
printf '#!/bin/sh\necho hop >>%s\nexec %s "$@"\n' "$W/hops" "$FE" >"$W/bin/wrapper"
chmod 0755 "$W/bin/wrapper"
for t in exec:--version child:list; do
	fresh
	rm -f "$W/hops"
	KMEM_HP_REAL_DAXCTL=$W/bin/wrapper run "$FE" "${t#*:}"
	hops=$(grep -c . "$W/hops" 2>/dev/null)
	check "lookup-loop-refused-${t%%:*}" "exit status" 127 "$RC" \
		"'runs this front end again (a loop)' lines" 1 "$(nerr "$W/bin/wrapper runs this front end again \\(a loop\\)")" \
		"wrapper runs (1 to 4)" yes "$(yesno between "${hops:-0}" 1 4)"
done

# ==== 10. devices.conf: --save records the device's state under its
# identity (uuid= of a pmem namespace, else range=), replacing its line;
# --apply-config applies the first line that matches, logging and skipping
# lines that cannot be parsed.
conf_lines() { if [ -f $CONF ]; then grep -v '^#' $CONF; else echo "(no file)"; fi; }
if grep -qaF $CONF "$FE"; then
	fresh
	fe reconfigure-device -m kmem_hp -N --save dax10.1
	check save-range "exit status" 0 "$RC" "devices.conf lines" "range=0x190000000 offline" "$(conf_lines)"
	fresh
	fe reconfigure-device -m kmem_hp --save dax0.0
	check save-uuid "exit status" 0 "$RC" "devices.conf lines" "uuid=$UUID0 online_movable" "$(conf_lines)"
	fresh
	mkdir -p /etc/kmem_hp
	printf '# mine\nnode=3 online\nrange=0x190000000 online_kernel   # old\nuuid=%s online\n' $UUID0 >$CONF
	fe reconfigure-device -m kmem_hp --no-online --save dax10.1
	check save-replaces-line "exit status" 0 "$RC" "devices.conf" \
		"$(printf '# mine\nnode=3 online\nrange=0x190000000 offline\nuuid=%s online' $UUID0)" "$(<$CONF)"

	apply() {
		fresh
		mkdir -p /etc/kmem_hp
		printf '%s\n' "${@:2}" >$CONF
		fe reconfigure-device --apply-config "$1"
	}
	apply dax10.0 "bogus line" "node=3 online_kernel" "range=0x180000000 offline"
	check apply-first-match "exit status" 0 "$RC" "files written" "dax10.0/hotplug" "$CHANGED" \
		"dax10.0 hotplug" online_kernel "$(hp dax10.0)" \
		"'devices.conf:1: ignored' lines" 1 "$(nerr 'devices.conf:1: ignored')" \
		"'devices.conf:2 (node=3): online_kernel' lines" 1 "$(nerr 'devices.conf:2 \(node=3\): online_kernel')"
	apply dax10.1 "range=0x190000000 online_kernel extra" "range=0x190000000 bogus" "frob=1 offline" \
		"range=0x190000000 offline"
	check apply-skips-malformed "exit status" 0 "$RC" "dax10.1 hotplug (offline written over online_movable)" "$(after_write "$HP_ON" offline)" "$(hp dax10.1)" \
		"'ignored' lines" 3 "$(nerr 'devices.conf:[123]: ignored')"
	apply dax10.0 "range=6442450944 online_kernel"
	check apply-range-decimal "exit status" 0 "$RC" "dax10.0 hotplug" online_kernel "$(hp dax10.0)"
	apply dax0.0 "uuid=${UUID0^^} offline"
	check apply-uuid "exit status" 0 "$RC" "dax0.0 hotplug (offline written over online_movable)" "$(after_write "$HP_ON" offline)" "$(hp dax0.0)"
	apply dax10.0 "node=7 online" "# range=0x180000000 online"
	check apply-no-match "exit status" 0 "$RC" "files written" "" "$CHANGED" "real daxctl call" "" "$(real_argv)"
else
	fail persistence "expected a front end built with SYSCONFDIR=/etc (the Makefile's default), saw no $CONF in $FE"
fi

touch "$FINISHED"
[ "$FAILS" -eq 0 ]
