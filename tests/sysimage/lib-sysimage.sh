# SPDX-License-Identifier: GPL-2.0-only
#
# Helpers of the system image boots (sourced after /kh/lib.sh).

CONF=/etc/kmem_hp/devices.conf

# The dax device whose sysfs path matches the glob $1, or "".
dev_by_path() {
	local d
	for d in $DAXDEV/dax*; do
		# shellcheck disable=SC2254 # $1 is a glob on purpose
		case $(realpath "$d") in
		$1) basename "$d"; return ;;
		esac
	done
}
pmem_dev() { dev_by_path '*/ndbus*'; }		# an NVDIMM namespace's
hmem_dev() { dev_by_path '*/hmem.*/dax*'; }	# soft-reserved memory's
cxl_dev() { dev_by_path '*/dax_region*/dax*'; }	# a CXL region's
has_cxl() { [ -n "$(cxl_dev)" ]; }

# What the initramfs's kh-record saw for the device starting at $1.
initramfs_module() {
	awk -v s="$1" '$1 == s { print $2; f = 1 } END { if (!f) print "absent" }' /run/kh-initramfs 2>/dev/null ||
		echo "no record"
}

# Wait until systemd has no kmem_hp-config jobs left (up to 120 s).
wait_config_units() {
	local i=0
	while systemctl list-jobs --no-legend 2>/dev/null | grep -q 'kmem_hp-config@' && [ $i -lt 120 ]; do
		sleep 1
		i=$((i + 1))
	done
}

# Result of kmem_hp-config@$1.service: "<Result> <exit status>", e.g.
# "success 0"; "not run" if it never started in this boot (a oneshot's
# ExecMain timestamps are gone once it is inactive: the journal says).
unit_result() {
	local u="kmem_hp-config@$1.service"
	journalctl -b --no-pager -o cat -u "$u" 2>/dev/null | grep -q "^Starting $u" ||
		{ echo "not run"; return; }
	echo "$(systemctl show -p Result --value "$u") $(systemctl show -p ExecMainStatus --value "$u")"
}

# The NVDIMM namespace uuid of the pmem device, as ndctl lists it.
namespace_uuid() {
	ndctl list -N | sed -n 's/.*"uuid":"\([^"]*\)".*/\1/p' | head -n 1
}

# Wait (up to 60 s) until a condition command succeeds.
wait_for_long() {
	local i=0
	until "$@" >/dev/null 2>&1; do
		[ $i -lt 60 ] || return 1
		sleep 1
		i=$((i + 1))
	done
}

# Once the boot has settled (udev done, the CXL region there, no
# kmem_hp-config job left): HMEM, PMEM and CXL name the devices ("" if
# absent), and the initramfs's record is noted.
find_devices() {
	udevadm settle
	wait_for_long has_cxl
	wait_config_units
	HMEM=$(hmem_dev)
	PMEM=$(pmem_dev)
	CXL=$(cxl_dev)
	note "hmem ${HMEM:-none}, pmem ${PMEM:-none}, cxl ${CXL:-none}; initramfs record: $(cat /run/kh-initramfs 2>&1 | tr '\n' ';')"
}
