#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# A kernel that refuses kmem_hp: Debian's kernel booted with
# lockdown=integrity refuses unsigned modules (as Secure Boot lockdown
# does; the test build of kmem_hp is not signed), its own signed modules
# load.
#  - The daxctl front end says so in one true line, naming signing (not a
#    blacklist), exits non-zero, and leaves the device on device_dax.
#  - With the modprobe.d snippet installed, the stock daxctl -m system-ram
#    still works: the kmem request cannot get kmem_hp, so the snippet's
#    fallback loads the in-tree kmem, which takes the device (fail open).
# Not on the debug kernel: built here without module signing, lockdown
# does not restrict its module loads.
#
# not-kernels: debug
# mem: 6G
# append: memmap=1G!4G lockdown=integrity
. ./lib.sh

KMOD=/sbin/modprobe
check_eq lockdown-active yes "$(grep -q '\[integrity\]' /sys/kernel/security/lockdown 2>/dev/null ||
	{ mount -t securityfs securityfs /sys/kernel/security 2>/dev/null; grep -q '\[integrity\]' /sys/kernel/security/lockdown; } && echo yes || echo no)"
load_pmem_modules
DEV=$(create_devdax namespace0.0) && [ -n "$DEV" ] || { fail setup "expected a devdax device"; finish; }
out=$($KMOD kmem_hp 2>&1)
check_eq kmem_hp-refused "failed, not loaded" "$([ $? -ne 0 ] && echo failed || echo loaded), $([ "$(loaded kmem_hp)" = yes ] && echo loaded || echo "not loaded")"
note "modprobe kmem_hp: $out"

daxctl reconfigure-device -m kmem_hp "$DEV" >/tmp/fe.out 2>/tmp/fe.err
rc=$?
# EPERM (lockdown) or EKEYREJECTED/ENOKEY (a bad signature): daxctl's
# exit status, the low byte of -errno.
check_eq fe-refused-exit "255, 127 or 130" "$(case $rc in 255 | 127 | 130) echo "255, 127 or 130" ;; *) echo "$rc" ;; esac)"
check_eq fe-refused-message "daxctl: $DEV: cannot load kmem_hp: refused by the kernel (module signature: under Secure Boot, sign it with an enrolled key, see the README)" \
	"$(grep '^daxctl: ' /tmp/fe.err)"
check_eq fe-refused-device-unchanged device_dax "$(dax_driver "$DEV")"

snippet_install
# Stock daxctl refuses movable onlining while the policy auto-onlines.
echo offline >$MEMDIR/auto_online_blocks
kmsg "stock daxctl -m system-ram, snippet installed, kmem_hp refused"
out=$(/usr/bin/daxctl reconfigure-device -m system-ram "$DEV" 2>&1)
rc=$?
check_eq fail-open-system-ram "rc 0, kmem kmem" "rc $rc, $(dax_driver "$DEV") $(dax_module "$DEV")"
[ $rc -eq 0 ] || note "daxctl said: $out"
check_eq fail-open-kmem_hp-not-loaded no "$(loaded kmem_hp)"
finish
