# SPDX-License-Identifier: GPL-2.0-only
#
# The debug lane's kernel (sourced): Debian's own 6.12 source (the
# linux-source-6.12 package) built with KASAN, KFENCE, lockdep, kmemleak,
# UBSAN, DEBUG_VM, hung-task detection and fault injection, from
# x86_64_defconfig plus tests/debug-kernel.config. It lands in the same
# $CACHE/kernels/<kver>/{root,vmlinuz,moddir,.done} layout as the Debian
# images, so the initramfs and boot code take it unchanged; its build tree
# ($CACHE/kernels/<kver>/src, with Module.symvers) is the KDIR kmem_hp is
# built against. .done holds the cache key: a new fragment, a new version
# of this file or a new linux-source-6.12 package rebuilds it.

DEBUG_SOURCE=/usr/src/linux-source-6.12.tar.xz
DEBUG_FRAGMENT=$TESTS_DIR/debug-kernel.config

# Options the guests or the checks cannot do without, as .config lines:
# the build stops with a clear message if olddefconfig dropped one
# (an unmet dependency in the fragment).
DEBUG_REQUIRED="MODULES=y MODULE_UNLOAD=y BLK_DEV_INITRD=y DEVTMPFS=y TMPFS=y
SERIAL_8250_CONSOLE=y NET=y UNIX=y PCI=y PCIEPORTBUS=y ACPI=y EFI=y EFI_SOFT_RESERVE=y
NUMA=y ACPI_NUMA=y ACPI_HMAT=y SPARSEMEM_VMEMMAP=y MEMORY_HOTPLUG=y MEMORY_HOTREMOVE=y
MHP_DEFAULT_ONLINE_TYPE_ONLINE_AUTO=y MIGRATION=y ZONE_DEVICE=y TRANSPARENT_HUGEPAGE=y
X86_PMEM_LEGACY=m LIBNVDIMM=m BLK_DEV_PMEM=m NVDIMM_PFN=y NVDIMM_DAX=y ACPI_NFIT=m
DAX=y DEV_DAX=m DEV_DAX_PMEM=m DEV_DAX_KMEM=m DEV_DAX_HMEM=m DEV_DAX_HMEM_DEVICES=y
DEV_DAX_CXL=m CXL_BUS=y CXL_PCI=m CXL_ACPI=m CXL_MEM=m CXL_PORT=y CXL_REGION=y
KPROBES=y KALLSYMS=y KALLSYMS_ALL=y X86_KERNEL_IBT=y DEBUG_INFO_NONE=y
DEBUG_FS=y FAULT_INJECTION=y FAULT_INJECTION_DEBUG_FS=y FAILSLAB=y FAIL_PAGE_ALLOC=y
KASAN=y KASAN_GENERIC=y KASAN_INLINE=y KFENCE=y PROVE_LOCKING=y DEBUG_ATOMIC_SLEEP=y
DEBUG_VM=y DEBUG_LIST=y DEBUG_KMEMLEAK=y UBSAN=y DETECT_HUNG_TASK=y SOFTLOCKUP_DETECTOR=y"
# ...and options that must stay off.
DEBUG_FORBIDDEN="MODULE_SIG MODVERSIONS DEBUG_KMEMLEAK_DEFAULT_OFF UBSAN_TRAP LOCALVERSION_AUTO"

# Upstream version of the installed linux-source-6.12 (6.12.117-1~deb12u1
# -> 6.12.117).
debug_source_version() {
	local v
	v=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null) ||
		die "debug: linux-source-6.12 is not installed (tests/host-deps.sh installs it)"
	echo "${v%%-*}"
}

# The debug kernel's release: a 6.12 name, so the module's build and the
# probe expectations treat it as 6.12.
debug_kver() { echo "$(debug_source_version)-kmemhp-debug"; }

debug_key() {
	{
		cat "$DEBUG_FRAGMENT" "${BASH_SOURCE[0]}"
		dpkg-query -W -f='${Version}\n' linux-source-6.12
	} | sha1sum | cut -c1-16
}

# Check the final .config against DEBUG_REQUIRED and DEBUG_FORBIDDEN;
# print one line per problem, fail if any.
debug_check_config() {
	local cfg=$1 o bad=0
	for o in $DEBUG_REQUIRED; do
		grep -qx "CONFIG_$o" "$cfg" || {
			echo "debug kernel: CONFIG_${o%%=*} must be ${o#*=}, the final .config has '$(grep -E "^(# )?CONFIG_${o%%=*}[= ]" "$cfg" || echo "no such option")'"
			bad=1
		}
	done
	for o in $DEBUG_FORBIDDEN; do
		grep -qx "CONFIG_$o=y" "$cfg" && {
			echo "debug kernel: CONFIG_$o must be off"
			bad=1
		}
	done
	return $bad
}

# fetch_debug_kernel KVER: build (once per key) into $CACHE/kernels/KVER.
fetch_debug_kernel() {
	local kver=$1 k=$CACHE/kernels/$1 key t0
	key=$(debug_key)
	[ -f "$k/.done" ] && [ "$(cat "$k/.done")" = "$key" ] && return 0
	[ -f "$DEBUG_SOURCE" ] || die "debug: no $DEBUG_SOURCE (tests/host-deps.sh installs linux-source-6.12)"
	say "debug: building the debug kernel $kver from $DEBUG_SOURCE (about 20 min with 2 CPUs)"
	t0=$(date +%s)
	# A new kernel makes the cached initramfs base (its modules) stale.
	rm -rf "$k" "$CACHE/initramfs/$kver"
	mkdir -p "$k/src" "$k/root/boot"
	tar -xf "$DEBUG_SOURCE" -C "$k/src" --strip-components=1
	local s=$k/src log=$k/build.log
	logged "$k/config.log" sh -c '
		cd "$1" && make x86_64_defconfig &&
		scripts/kconfig/merge_config.sh -m .config "$2" && make olddefconfig' sh "$s" "$DEBUG_FRAGMENT"
	debug_check_config "$s/.config" >"$k/config-check.log" || {
		cat "$k/config-check.log" >&2
		die "debug: the fragment $DEBUG_FRAGMENT does not give the options the lane needs (see above)"
	}
	logged "$log" make -C "$s" -j"$(nproc)" bzImage modules
	[ "$(cat "$s/include/config/kernel.release")" = "$kver" ] ||
		die "debug: kernel release is '$(cat "$s/include/config/kernel.release")', expected $kver"
	logged "$k/install.log" make -C "$s" modules_install INSTALL_MOD_PATH="$k/root" INSTALL_MOD_STRIP=1 DEPMOD=true
	cp "$s/arch/x86/boot/bzImage" "$k/root/boot/vmlinuz-$kver"
	depmod -b "$k/root" "$kver"
	ln -sfn "root/boot/vmlinuz-$kver" "$k/vmlinuz"
	ln -sfn "root/lib/modules/$kver" "$k/moddir"
	say "debug: kernel built in $(($(date +%s) - t0)) s"
	echo "$key" >"$k/.done"
}
