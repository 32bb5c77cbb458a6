# SPDX-License-Identifier: GPL-2.0-only
#
# Host-side tests (sourced). Each prints PASS/FAIL lines like the guests.

# dkms: "dkms add; dkms build; dkms install" of the tree (its dkms.conf
# runs the project's Makefile) for <kver> gives an installed kmem_hp.ko
# built for that kernel. Runs in private dkms/source/install trees under
# the run directory, so the host's own DKMS state is neither read nor
# changed.
host_test_dkms() {
	local name=$1 kver=$2 dir=$3 d ver log tree rc=0 status ko magic
	d=$dir/dkms
	log=$dir/dkms.log
	rm -rf "$d"
	mkdir -p "$d/dkms" "$d/source" "$d/install/$kver"
	tree=$d/tree
	copy_tree "$tree"
	if [ ! -f "$tree/dkms.conf" ]; then
		echo "FAIL $name dkms: expected dkms.conf at the top of the tree, saw none"
		return
	fi
	ver=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$tree/dkms.conf")
	local opts=(--dkmstree "$d/dkms" --sourcetree "$d/source" --installtree "$d/install")
	local kopts=(-m kmem_hp -v "$ver" -k "$kver" --kernelsourcedir "/usr/src/linux-headers-$kver")
	{
		dkms add "${opts[@]}" "$tree" &&
			dkms build "${opts[@]}" "${kopts[@]}" &&
			dkms install "${opts[@]}" "${kopts[@]}" &&
			dkms status "${opts[@]}" -m kmem_hp -v "$ver" -k "$kver"
	} >"$log" 2>&1 || rc=$?
	status=$(grep "^kmem_hp/$ver" "$log" | tail -n1)
	ko=$(find "$d/install/$kver" -name 'kmem_hp.ko*' 2>/dev/null | sed -n 1p)
	magic=$([ -z "$ko" ] || modinfo -F vermagic "$ko" 2>/dev/null | awk '{ print $1 }')
	dkms remove "${opts[@]}" -m kmem_hp -v "$ver" --all >>"$log" 2>&1 || true
	if [ $rc -eq 0 ] && [[ $status == *": installed"* ]] && [ "$magic" = "$kver" ]; then
		echo "PASS $name dkms"
	else
		echo "FAIL $name dkms: expected dkms add/build/install of kmem_hp/$ver for $kver to install a kmem_hp.ko for $kver, saw exit $rc, status '${status:-none}', module '${ko:-none}' for '${magic:-?}' (log: $log)"
		tail -n 15 "$log" | sed 's/^/    | /'
	fi
	rm -rf "$d"
}

# build-6.12.107: compile-only build against the 6.12.107 headers, whose
# memory-hotplug API differs from 6.12.111+ (kernel-api.md, "The 6.12
# target is two different APIs"). Not booted.
KVER_6_12_107=6.12.107+deb12-amd64
host_test_build_612107() {
	local name=$1 dir=$2 log=$2/build-$KVER_6_12_107.log
	if [ ! -d "/usr/src/linux-headers-$KVER_6_12_107" ]; then
		echo "FAIL $name build-6.12.107: expected /usr/src/linux-headers-$KVER_6_12_107 (tests/host-deps.sh installs it), saw none"
		return
	fi
	if build_module "$name" "$KVER_6_12_107" "$log" "$dir/build-$KVER_6_12_107"; then
		echo "PASS $name build-6.12.107"
		check_probes "$name" build-6.12.107-probes "$KVER_6_12_107" "$log"
	else
		echo "FAIL $name build-6.12.107: expected kmem_hp.ko from make KDIR=/usr/src/linux-headers-$KVER_6_12_107, saw a failed build (log: $log)"
		tail -n 15 "$log" | sed 's/^/    | /'
	fi
	local w
	w=$(build_warnings "$log")
	if [ -n "$w" ]; then
		echo "FAIL $name build-6.12.107-warnings: expected a clean build, saw $(echo "$w" | wc -l) warning line(s) (log: $log):"
		echo "$w" | sed -n 1,20p | sed 's/^/    | /'
	fi
}

# unsupported-kernel: make against headers of a kernel series without a
# vendored dax layout (a fake 5.10 tree: only the version headers the
# probe script reads) fails before compiling anything, with exactly one
# line naming the kernel and the supported series.
host_test_unsupported() {
	local dir=$1/unsupported fake tree out rc=0 msg
	fake=$dir/linux-headers-5.10.0-99-amd64
	tree=$dir/tree
	rm -rf "$dir"
	mkdir -p "$fake/include/generated/uapi/linux"
	printf '#define LINUX_VERSION_MAJOR 5\n#define LINUX_VERSION_PATCHLEVEL 10\n' \
		>"$fake/include/generated/uapi/linux/version.h"
	echo '#define UTS_RELEASE "5.10.0-99-amd64"' >"$fake/include/generated/utsrelease.h"
	copy_tree "$tree"
	out=$(make -C "$tree" KDIR="$fake" 2>&1) || rc=$?
	msg=$(echo "$out" | grep '^kmem_hp:' || true)
	if [ $rc -ne 0 ] &&
		[ "$msg" = "kmem_hp: unsupported kernel 5.10.0-99-amd64 (series 5.10); supported kernel series: 6.1.x, 6.12.x, 7.2.x" ] &&
		! grep -q ' CC ' <<<"$out"; then
		echo "PASS host unsupported-kernel"
	else
		echo "FAIL host unsupported-kernel: expected make to fail with the one line 'kmem_hp: unsupported kernel 5.10.0-99-amd64 ...', saw exit $rc and:"
		echo "$out" | sed -n 1,15p | sed 's/^/    | /'
	fi
	rm -rf "$dir"
}
