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

# fake_headers DIR MAJOR MINOR RELEASE: a headers tree with only the
# version headers compat/conftest.sh reads first.
fake_headers() {
	mkdir -p "$1/include/generated/uapi/linux"
	printf '#define LINUX_VERSION_MAJOR %s\n#define LINUX_VERSION_PATCHLEVEL %s\n' "$2" "$3" \
		>"$1/include/generated/uapi/linux/version.h"
	echo "#define UTS_RELEASE \"$4\"" >"$1/include/generated/utsrelease.h"
}

# check_make_refused TEST FAKE_KDIR TREE PATTERN: make of a copy of the
# tree for FAKE_KDIR fails before compiling anything, with exactly one
# "kmem_hp:" line, which matches the glob PATTERN.
check_make_refused() {
	local test=$1 fake=$2 tree=$3 want=$4 out msg rc=0
	copy_tree "$tree"
	out=$(make -C "$tree" KDIR="$fake" 2>&1) || rc=$?
	msg=$(echo "$out" | grep '^kmem_hp:' || true)
	# shellcheck disable=SC2053 # glob match on purpose
	if [ $rc -ne 0 ] && [ "$(echo "$msg" | wc -l)" = 1 ] && [[ $msg == $want ]] &&
		! grep -q ' CC ' <<<"$out"; then
		echo "PASS $test"
	else
		echo "FAIL $test: expected make to fail with the one line '$want', saw exit $rc and:"
		echo "$out" | sed -n 1,15p | sed 's/^/    | /'
	fi
}

# unsupported-kernel: make against headers of a kernel series without a
# vendored dax layout (a fake 5.10 tree: only the version headers the
# probe script reads) fails before compiling anything, with exactly one
# line naming the kernel and the supported series.
host_test_unsupported() {
	local dir=$1/unsupported fake tree
	fake=$dir/linux-headers-5.10.0-99-amd64
	tree=$dir/tree
	rm -rf "$dir"
	fake_headers "$fake" 5 10 5.10.0-99-amd64
	check_make_refused "host unsupported-kernel" "$fake" "$tree" \
		"kmem_hp: unsupported kernel 5.10.0-99-amd64 (series 5.10); supported kernel series: 6.1.x, 6.12.x, 7.2.x, 7.3.x"
	rm -rf "$dir"
}

# dax_defs FILE: the dax definitions kmem_hp vendors (struct dax_region,
# dev_dax_range, dev_dax, dax_device_driver, enum dax_driver_type) of a
# header, one member per line, normalised: no comments, no indentation,
# "long unsigned int" as "unsigned long", no enum values, no parameter
# names in function pointers.
dax_defs() {
	sed 's|/\*.*\*/||' "$1" | awk '
		/^(struct (dax_region|dev_dax_range|dev_dax|dax_device_driver)|enum dax_driver_type) \{$/ { on = 1 }
		on { print }
		on && /^};$/ { on = 0 }' |
		sed -E -e 's/^[[:space:]]+//' -e 's/[[:space:]]+$//' -e 's/long unsigned int/unsigned long/' \
			-e 's/ = [0-9]+,$/,/' -e 's/([ *])[a-z_]+\);$/\1);/' -e 's/ \)/)/' |
		grep -v '^$'
}

# dax-btf: the layout compat/dax-btf.sh derives from each Debian kernel's
# own BTF (its vmlinuz, as DKMS finds it) equals the vendored layout of its
# series, member for member; the comparison tells two series apart; a
# kernel without BTF, a BTF without the dax structures and headers of an
# unknown series with no kernel image are each refused with one line.
# Args: RUN_DIR, then "name kver" pairs of the lines under test.
host_test_dax_btf() {
	local dir=$1/dax-btf name kver layout out rc msg first_h= first_l= btf_612=
	shift
	rm -rf "$dir"
	mkdir -p "$dir"
	while [ $# -ge 2 ]; do
		name=$1 kver=$2
		shift 2
		if ! target_is_debian "$name"; then
			# The debug kernel is built without BTF (DEBUG_INFO_NONE).
			rc=0
			msg=$(KMEM_HP_BTF=$(readlink -f "$CACHE/kernels/$kver/vmlinuz") \
				sh "$TOP/compat/dax-btf.sh" "$kver" /nonexistent "$dir/$name.h" 2>&1) || rc=$?
			if [ $rc -ne 0 ] && [ "$(echo "$msg" | wc -l)" = 1 ] &&
				[[ $msg == "kmem_hp: unsupported kernel $kver (series 6.12): no vendored dax layout"*"no BTF in "* ]]; then
				echo "PASS host dax-btf-$name-no-btf-refused"
			else
				echo "FAIL host dax-btf-$name-no-btf-refused: expected one line 'kmem_hp: unsupported kernel $kver ... no BTF in ...' and a failure, saw status $rc and: $msg"
			fi
			continue
		fi
		case $(target_series "$name") in
		7.2 | 7.3) layout=7.2-7.3 ;;
		*) layout=$(target_series "$name") ;;
		esac
		if ! out=$(KMEM_HP_BTF=$(readlink -f "$CACHE/kernels/$kver/vmlinuz") \
			sh "$TOP/compat/dax-btf.sh" "$kver" /nonexistent "$dir/$name.h" 2>&1); then
			echo "FAIL host dax-btf-$name: expected a layout derived from the BTF of $kver, saw: $out"
			continue
		fi
		[ "$name" != 6.12 ] || btf_612=$kver
		if [ "$(dax_defs "$TOP/compat/dax/$layout/dax_private.h")" = "$(dax_defs "$dir/$name.h")" ] &&
			[ "$(dax_defs "$dir/$name.h" | wc -l)" -gt 30 ]; then
			echo "PASS host dax-btf-$name-equals-vendored-$layout"
		else
			echo "FAIL host dax-btf-$name-equals-vendored-$layout: expected the BTF of $kver to give compat/dax/$layout, saw these differences:"
			diff <(dax_defs "$TOP/compat/dax/$layout/dax_private.h") <(dax_defs "$dir/$name.h") | sed -n 1,20p | sed 's/^/    | /'
		fi
		if [ -z "$first_h" ]; then
			first_h=$dir/$name.h first_l=$layout
		elif [ "$layout" != "$first_l" ]; then
			if [ "$(dax_defs "$first_h")" != "$(dax_defs "$dir/$name.h")" ]; then
				echo "PASS host dax-btf-tells-$first_l-from-$layout"
			else
				echo "FAIL host dax-btf-tells-$first_l-from-$layout: expected the layouts of two series to differ, saw the same"
			fi
			first_l=$layout
		fi
	done

	# The module built with the derived layout (KMEM_HP_DAX_LAYOUT=btf, as
	# for a series without a vendored one) for the host's 6.12 headers.
	if [ -n "${btf_612:-}" ]; then
		rc=0
		copy_tree "$dir/build-btf"
		make -C "$dir/build-btf" KDIR="/usr/src/linux-headers-$btf_612" KERNELRELEASE="$btf_612" \
			KMEM_HP_DAX_LAYOUT=btf KMEM_HP_BTF="$(readlink -f "$CACHE/kernels/$btf_612/vmlinuz")" \
			>"$dir/build-btf.log" 2>&1 || rc=$?
		if [ $rc -eq 0 ] && [ -f "$dir/build-btf/kmem_hp.ko" ] &&
			grep -q '^kmem_hp: kernel .*, dax layout btf$' "$dir/build-btf.log" &&
			[ -z "$(build_warnings "$dir/build-btf.log")" ]; then
			echo "PASS host dax-btf-build-$btf_612"
		else
			echo "FAIL host dax-btf-build-$btf_612: expected a clean build with 'dax layout btf', saw status $rc (log):"
			grep -E '^kmem_hp:|error|warning' "$dir/build-btf.log" | sed -n 1,15p | sed 's/^/    | /'
		fi
	fi

	# A BTF without the dax structures: pahole's encoding of a small object.
	printf 'struct unrelated { int a; long b; };\nstruct unrelated u;\n' >"$dir/other.c"
	if gcc -g -c -o "$dir/other.o" "$dir/other.c" && pahole -J "$dir/other.o" 2>/dev/null; then
		rc=0
		msg=$(KMEM_HP_BTF=$dir/other.o sh "$TOP/compat/dax-btf.sh" 7.9.0-1-amd64 /nonexistent "$dir/other.h" 2>&1) || rc=$?
		if [ $rc -ne 0 ] && [ "$msg" = "kmem_hp: unsupported kernel 7.9.0-1-amd64 (series 7.9): no vendored dax layout (see compat/dax/) and the BTF of $dir/other.o has no struct dax_region (is CONFIG_DEV_DAX enabled?)" ]; then
			echo "PASS host dax-btf-no-dax-structures-refused"
		else
			echo "FAIL host dax-btf-no-dax-structures-refused: expected one line naming the missing struct dax_region, saw status $rc and: $msg"
		fi
	else
		echo "FAIL host dax-btf-no-dax-structures-refused: could not make a test BTF with gcc -g and pahole -J"
	fi

	# make for headers of an unknown series, with no image to read BTF
	# from: one line, nothing compiled.
	local fake=$dir/linux-headers-7.9.0-1-amd64 tree=$dir/tree
	fake_headers "$fake" 7 9 7.9.0-1-amd64
	check_make_refused "host dax-btf-unknown-series-without-image-refused" "$fake" "$tree" \
		"kmem_hp: unsupported kernel 7.9.0-1-amd64 (series 7.9): no vendored dax layout (vendored: 6.1.x, 6.12.x, 7.2.x, 7.3.x) and no kernel image or BTF to derive one from (looked for $fake/vmlinux, /boot/vmlinuz-7.9.0-1-amd64, *"
	rm -rf "$dir"
}
