#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# dracut module of the dracut test image (not part of kmem_hp), named in
# its dracut.conf.d: before the switch to the real root, the image's
# stand-in for firmware creates the CXL RAM region (kh-cxl-region, which
# the initramfs-tools image runs from a unit of the real root instead),
# then kh-record notes which module's driver has each dax device. The
# image copies both scripts next to this file.

check() {
	return 255
}

depends() {
	return 0
}

install() {
	# shellcheck disable=SC2154 # $moddir: this module's directory, set by dracut
	inst_script "$moddir/kh-cxl-region" /usr/sbin/kh-cxl-region
	inst_script "$moddir/kh-record" /usr/sbin/kh-record
	inst_multiple ls grep head cat sleep basename readlink
	inst_hook pre-pivot 50 "$moddir/kh-pre-pivot.sh"
}
