#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# dracut module: the counterpart of the initramfs-tools hook. With the
# kmem_hp modprobe.d snippet installed ("install kmem ... kmem_hp" in
# /etc/modprobe.d), the initramfs carries kmem_hp, kmem (the snippet's
# fallback), the snippet and grep (its install line uses it), so an
# initramfs that loads dax or CXL drivers binds with kmem_hp too. Without
# the snippet the module is left out (unless asked for with --add).
#
# dracut copies /etc/modprobe.d itself only in hostonly mode, and in
# hostonly mode instmods only takes modules loaded at build time: hence the
# explicit copy and hostonly=''. Paths are those of the system the image
# is built for ($dracutsysrootdir with --sysroot).

# The snippets in /etc/modprobe.d, one path a line.
kmem_hp_snippets() {
	local f

	for f in "${dracutsysrootdir-}"/etc/modprobe.d/*.conf; do
		grep -qs '^install[[:space:]]\{1,\}kmem[[:space:]].*kmem_hp' "$f" &&
			echo "${f#"${dracutsysrootdir-}"}"
	done
	return 0
}

check() {
	[ -n "$(kmem_hp_snippets)" ] || return 255
	require_binaries grep || return 1
	return 0
}

depends() {
	return 0
}

installkernel() {
	hostonly='' instmods kmem
	# kmem_hp wherever depmod found it for this kernel (updates/ from
	# make install, updates/dkms/ from DKMS). Missing, the initramfs still
	# builds: the snippet falls back to kmem (as the initramfs-tools hook).
	if ! hostonly='' instmods -c -s kmem_hp; then
		# shellcheck disable=SC2154 # $kernel: the target kernel, set by dracut
		dwarn "kmem_hp: no module for kernel $kernel (is DKMS done?): this initramfs gives dax devices to kmem"
	fi
	return 0
}

install() {
	local f

	for f in $(kmem_hp_snippets); do
		inst_simple "$f"
	done
	inst_multiple grep
}
