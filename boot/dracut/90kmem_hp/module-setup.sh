#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# dracut module: the counterpart of the initramfs-tools hook. With the
# kmem_hp modprobe.d snippet installed, the initramfs carries kmem_hp, kmem
# (the snippet's fallback), the snippet and grep (its install line uses it).

snippets() {
	grep -ls '^install[[:space:]]\{1,\}kmem[[:space:]].*kmem_hp' /etc/modprobe.d/*.conf
}

check() {
	[ -n "$(snippets)" ] || return 255
	return 0
}

depends() {
	return 0
}

installkernel() {
	hostonly='' instmods kmem_hp kmem
}

install() {
	local f

	for f in $(snippets); do
		inst_simple "$f"
	done
	inst_multiple grep
}
