# SPDX-License-Identifier: GPL-2.0-only
#
# Building kmem_hp.ko for a target through the project's own Makefile:
# on the host for bookworm kernels, in the suite's own chroot for the
# others (sid for 7.2, trixie for 7.3) (sourced).

# Copy the project (tracked and untracked-but-not-ignored files, no .git,
# no build products) into an empty directory.
copy_tree() {
	local dst=$1
	rm -rf "$dst"
	mkdir -p "$dst"
	if git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
		(cd "$SRC" && git ls-files -co --exclude-standard -z |
			tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -xf - -C "$dst"
	else
		(cd "$SRC" && tar --exclude=.git --exclude='*.o' --exclude='*.ko' --exclude='*.cmd' \
			--exclude='*.mod*' --exclude=Module.symvers --exclude=modules.order -cf - .) |
			tar -xf - -C "$dst"
	fi
}

# Build kmem_hp.ko for <name> <kver> in <dir> (per run, so that runs going
# on at the same time never share a tree); the product is <dir>/kmem_hp.ko.
# Output goes to <log>. Returns make's status.
build_module() {
	local name=$1 kver=$2 log=$3 b=$4
	copy_tree "$b"
	if [ "$(target_userland "$name")" != host ]; then
		build_in_chroot "$(target_chroot "$name" "$kver")" "$b" "$kver" >"$log" 2>&1
	else
		make -C "$b" KDIR="$(target_kdir "$name" "$kver")" KERNELRELEASE="$kver" >"$log" 2>&1
	fi
	local rc=$?
	[ $rc -eq 0 ] && [ -f "$b/kmem_hp.ko" ] || return 1
}

# make inside the chroot, with the tree bind-mounted at /build and /proc
# mounted (objtool needs it), in a private mount namespace: the mounts
# vanish with it, and runs going on at the same time never see each
# other's.
build_in_chroot() {
	local c=$1 b=$2 kver=$3
	mkdir -p "$c/build"
	unshare --mount --propagation private sh -c '
		mount --bind "$1" "$2/build" && mount -t proc proc "$2/proc" &&
		exec chroot "$2" make -C /build KDIR="/usr/src/linux-headers-$3" KERNELRELEASE="$3"' \
		sh "$b" "$c" "$kver"
}

# The compiler a module was built with, from its .comment ("gcc-14.2.0").
module_compiler() {
	[ -f "$1" ] || { echo "-"; return; }
	readelf -p .comment "$1" 2>/dev/null |
		sed -n 's/.*GCC: (Debian [^)]*) \([0-9.]*\).*/gcc-\1/p' | sed -n 1p
}

# Lines of a build log that are compiler, objtool or modpost complaints.
build_warnings() {
	grep -E '(warning|error):|^WARNING:|objtool:' "$1" || true
}

# The compat probe results a kernel's headers must give (kernel-api.md
# §7.4), as "NAME=yes|no" words in the order conftest.sh prints them.
expected_probes() {
	case $1 in
	6.1.*) echo DEV_OFFLINE_ACCESSORS=no ENUM_MMOP=no MEM_PREPARE_ONLINE=no MEMORY_BLOCK_STATE_ENUM=no MEMORY_NOTIFY_NID=yes MT_FIND_ALLOC_MEMORY_TYPE=no ;;
	6.12.107*) echo DEV_OFFLINE_ACCESSORS=no ENUM_MMOP=no MEM_PREPARE_ONLINE=yes MEMORY_BLOCK_STATE_ENUM=no MEMORY_NOTIFY_NID=yes MT_FIND_ALLOC_MEMORY_TYPE=yes ;;
	6.12.*) echo DEV_OFFLINE_ACCESSORS=no ENUM_MMOP=yes MEM_PREPARE_ONLINE=yes MEMORY_BLOCK_STATE_ENUM=yes MEMORY_NOTIFY_NID=yes MT_FIND_ALLOC_MEMORY_TYPE=yes ;;
	7.2.* | 7.3.*) echo DEV_OFFLINE_ACCESSORS=yes ENUM_MMOP=yes MEM_PREPARE_ONLINE=no MEMORY_BLOCK_STATE_ENUM=yes MEMORY_NOTIFY_NID=no MT_FIND_ALLOC_MEMORY_TYPE=yes ;;
	esac
}

# check_probes NAME TEST KVER LOG: the probe results in a build log are the
# ones kernel-api.md gives for that kernel.
check_probes() {
	local name=$1 test=$2 kver=$3 log=$4 want saw
	want=$(expected_probes "$kver")
	saw=$(sed -n 's/^kmem_hp: probe KMEM_HP_HAVE_\([A-Z0-9_]*\): \(yes\|no\)$/\1=\2/p' "$log" | tr '\n' ' ' | sed 's/ $//')
	if [ "$want" = "$saw" ]; then
		echo "PASS $name $test"
	else
		echo "FAIL $name $test: expected '$want', saw '$saw' (log: $log)"
	fi
}
