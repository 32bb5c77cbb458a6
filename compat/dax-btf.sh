#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# dax-btf.sh RELEASE KDIR OUTPUT
#
# Derive the private dax bus structures kmem_hp reads (struct dax_region,
# struct dev_dax_range, struct dev_dax, enum dax_driver_type, struct
# dax_device_driver: drivers/dax/dax-private.h and bus.h, in no headers
# package) from the BTF of kernel RELEASE, for a series that has no
# vendored layout in compat/dax/, and write them as a header to OUTPUT.
# bpftool prints the types exactly as the kernel was built; sizes of the
# embedded kernel types come, as for the vendored layouts, from the
# target's own headers.
#
# The BTF is taken from, in this order:
#   $KMEM_HP_BTF                  a vmlinux, a vmlinuz or raw BTF, if set;
#   /sys/kernel/btf/vmlinux       when RELEASE is the running kernel;
#   KDIR/vmlinux                  a full build tree;
#   /boot/vmlinuz-RELEASE, /lib/modules/RELEASE/vmlinuz (the image, whose
#                                 compressed vmlinux keeps its .BTF).
# Anything missing (no BTF, no bpftool, a BTF without the structures, a
# driver type kmem_hp does not know) fails with one line on stderr
# starting "kmem_hp: unsupported kernel".

set -eu

RELEASE=${1:?usage: dax-btf.sh RELEASE KDIR OUTPUT}
KDIR=${2:?usage: dax-btf.sh RELEASE KDIR OUTPUT}
OUT=${3:?usage: dax-btf.sh RELEASE KDIR OUTPUT}
series=$(echo "$RELEASE" | sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p')

refuse() {
	echo "kmem_hp: unsupported kernel $RELEASE (series $series): no vendored dax layout (${KMEM_HP_SUPPORTED_TEXT:-see compat/dax/}) and $*" >&2
	exit 1
}

PATH=$PATH:/usr/sbin:/sbin
command -v bpftool >/dev/null 2>&1 ||
	refuse "no bpftool to read its BTF with (apt install bpftool)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kmem_hp-btf.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# Is $1 an ELF file or raw BTF (magic 0xeb9f, little endian)?
magic() { od -An -tx1 -N4 "$1" 2>/dev/null | tr -d ' \n'; }
usable() {
	case $(magic "$1") in
	7f454c46 | 9feb*) return 0 ;;
	esac
	return 1
}

# The vmlinux inside a bzImage: the first compressed stream that
# decompresses to an ELF file (as scripts/extract-vmlinux does).
extract() {
	img=$1
	for fmt in 'zstd:\x28\xb5\x2f\xfd' 'xz:\xfd\x37\x7a\x58\x5a\x00' 'gzip:\x1f\x8b\x08' \
		'lz4:\x02\x21\x4c\x18' 'bzip2:BZh'; do
		tool=${fmt%%:*}
		command -v "$tool" >/dev/null 2>&1 || continue
		for off in $(LC_ALL=C grep -obUaP -- "${fmt#*:}" "$img" 2>/dev/null | cut -d: -f1 | head -n 4); do
			tail -c +"$((off + 1))" "$img" | "$tool" -dc >"$tmp/vmlinux" 2>/dev/null || true
			if [ "$(magic "$tmp/vmlinux")" = 7f454c46 ]; then
				echo "$tmp/vmlinux"
				return 0
			fi
		done
	done
	return 1
}

src=
looked=
for cand in ${KMEM_HP_BTF:-} \
	"$([ "$RELEASE" = "$(uname -r)" ] && echo /sys/kernel/btf/vmlinux)" \
	"$KDIR/vmlinux" "/boot/vmlinuz-$RELEASE" "/lib/modules/$RELEASE/vmlinuz" \
	"/usr/lib/modules/$RELEASE/vmlinuz"; do
	[ -n "$cand" ] || continue
	looked="$looked${looked:+, }$cand"
	[ -r "$cand" ] || continue
	if usable "$cand"; then
		src=$cand
	elif vmlinux=$(extract "$cand"); then
		src=$vmlinux
		from=$cand
	else
		continue
	fi
	break
done
[ -n "$src" ] || refuse "no kernel image or BTF to derive one from (looked for $looked)"
from=${from:-$src}

bpftool btf dump file "$src" format c >"$tmp/btf.h" 2>"$tmp/bpftool.err" ||
	refuse "no BTF in $from (a kernel built without CONFIG_DEBUG_INFO_BTF?)"

# One definition, as bpftool printed it ("struct dev_dax", "enum ...").
definition() {
	awk -v head="$1 {" '$0 == head { on = 1 } on { print } on && /^};$/ { exit }' "$tmp/btf.h"
}

for t in "struct dax_region" "struct dev_dax_range" "struct dev_dax" \
	"enum dax_driver_type" "struct dax_device_driver"; do
	definition "$t" >"$tmp/def"
	if [ ! -s "$tmp/def" ]; then
		# 6.1 has no driver types, 6.12 nests dev_dax_range in dev_dax.
		case $t in
		"enum dax_driver_type" | "struct dev_dax_range") continue ;;
		esac
		refuse "the BTF of $from has no $t (is CONFIG_DEV_DAX enabled?)"
	fi
	cat "$tmp/def" >>"$tmp/defs"
	echo >>"$tmp/defs"
done
# How a driver says which devices it takes: 6.1's match_always flag, or
# the driver type of later kernels.
if grep -q '^	DAXDRV_KMEM_TYPE = ' "$tmp/defs" && grep -q '^	enum dax_driver_type type;$' "$tmp/defs"; then
	init='drv->type = kmem_type ? DAXDRV_KMEM_TYPE : (enum dax_driver_type)-1;
	return true;'
elif grep -q '^	int match_always;$' "$tmp/defs"; then
	init='drv->match_always = 0;
	return !kmem_type;'
else
	refuse "its dax drivers match devices in a way kmem_hp does not know (no driver type, no match_always)"
fi
if grep -q '^	bool memmap_on_memory;$' "$tmp/defs"; then
	mom="dev_dax->memmap_on_memory"
else
	mom=false
fi

{
	echo "/* SPDX-License-Identifier: GPL-2.0-only */"
	echo "/*"
	echo " * Private dax bus structures of $RELEASE, derived by compat/dax-btf.sh"
	echo " * from the BTF of $from with bpftool. Do not edit."
	echo " */"
	echo "#ifndef KMEM_HP_DAX_PRIVATE_BTF_H"
	echo "#define KMEM_HP_DAX_PRIVATE_BTF_H"
	echo
	echo "struct dax_device;"
	echo "struct dax_mapping;"
	echo "struct dev_pagemap;"
	echo
	cat "$tmp/defs"
	echo "/* As in the vendored layouts: a kmem-type driver, or one no device matches. */"
	echo "static inline bool kmem_hp_dax_driver_init(struct dax_device_driver *drv,"
	echo "					   bool kmem_type)"
	echo "{"
	echo "	$init"
	echo "}"
	echo
	echo "static inline bool kmem_hp_dax_memmap_on_memory(struct dev_dax *dev_dax)"
	echo "{"
	echo "	return $mom;"
	echo "}"
	echo
	echo "#endif /* KMEM_HP_DAX_PRIVATE_BTF_H */"
} >"$tmp/out.h"
mkdir -p "$(dirname "$OUT")"
mv "$tmp/out.h" "$OUT"
echo "kmem_hp: dax layout derived from the BTF of $from"
