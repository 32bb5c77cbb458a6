#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# A CXL memory expander (QEMU cxl-type3 with 512 MiB of volatile memory),
# its RAM region created through sysfs as an operator would (bookworm's
# cxl-cli cannot), and the kmem-type dax device that region produces:
# - with the opt-in modprobe.d snippet, the dax:t0 module load (kmem) loads
#   kmem_hp instead, which binds the device by itself in the snippet's
#   default_state (online_movable), on the CXL window's own NUMA node, and
#   moves it through offline / online_movable / unplug as a whole;
# - the daxctl front end treats it (bound under kmem's name) as a kmem_hp
#   device: list with the hotplug key, online-memory, offline-memory,
#   reconfigure to devdax and back (not --no-movable: kernel allocations
#   that land in kernel-zone CXL blocks, many on the debug kernel, would
#   keep it from going offline again), destroy-device -f (unplugged
#   through kmem_hp, then its capacity freed by the real daxctl);
# - opted out (no snippet, kmem_hp unloaded), the in-tree kmem takes it.
# 6.1 has no CXL RAM regions and no dax_cxl.
# QEMU emulates every access to CXL memory one by one: the Debian lanes'
# page wiping and poisoning (init_on_free, page_poison) of each block
# going online or offline would cost a minute per transition, so this
# guest boots without them (slab checks and KFENCE stay).
#
# kernels: 6.12 7.2 7.3
# append: init_on_free=0 page_poison=0
# mem: 2G,maxmem=8G,slots=4
# cpu: max,-la57,-hypervisor,-erms,-fsrm
# qemu: -M q35,cxl=on -object memory-backend-ram,id=vmem0,share=on,size=512M -device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1 -device cxl-rp,port=0,bus=cxl.1,id=rp0,chassis=0,slot=2 -device cxl-type3,bus=rp0,volatile-memdev=vmem0,id=cxl-vmem0 -M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G
. ./lib.sh

KMOD=/sbin/modprobe
C=/sys/bus/cxl/devices
snippet_install

for m in cxl_acpi cxl_pci cxl_mem dax_cxl device_dax; do
	must $KMOD $m
done
wait_for sh -c "ls $C | grep -q '^endpoint'" ||
	{ fail setup "expected a CXL endpoint, saw: $(ls $C | tr '\n' ' ')"; finish; }

# A RAM region of the whole memdev under the first root decoder that takes it.
create_region() {
	local ep ed size r root
	ep=$(ls -d $C/endpoint* | head -n 1)
	ed=$(ls "$ep" | grep -o '^decoder[0-9]*\.0$' | head -n 1)
	size=$(cat $C/mem0/ram/size)
	for root in $(ls $C | grep '^decoder0\.[0-9]*$'); do
		[ -e $C/$root/create_ram_region ] || continue
		r=$(cat $C/$root/create_ram_region)
		echo "$r" >$C/$root/create_ram_region || continue
		cat $C/$root/interleave_granularity >$C/$r/interleave_granularity
		echo 1 >$C/$r/interleave_ways
		echo "$size" >$C/$r/size
		echo ram >$C/$ed/mode
		echo "$size" >$C/$ed/dpa_size
		if echo "$ed" >$C/$r/target0 2>/dev/null; then
			echo 1 >$C/$r/commit && echo "$r" >/sys/bus/cxl/drivers/cxl_region/bind && {
				echo "$r"
				return 0
			}
		fi
		echo 0 >$C/$ed/dpa_size
		echo "$r" >$C/$root/delete_region
	done
	return 1
}

base=$(all_blocks)
kmsg "create CXL RAM region"
R=$(create_region) || { fail setup "expected to create a CXL RAM region"; finish; }
wait_for sh -c "ls $DAXDEV | grep -q dax" || { fail setup "expected a dax device from $R, saw none"; finish; }
DEV=$(ls $DAXDEV | head -n 1)
node=$(cat $DAXDEV/$DEV/target_node)
note "region $R -> $DEV, target_node $node, size $(cat $DAXDEV/$DEV/size)"
check_eq cxl-node-not-0 yes "$([ "$node" -gt 0 ] && echo yes || echo "no ($node)")"
check_eq kmem-type-unbound none "$(dax_driver "$DEV")"

snippet_modprobe_kmem
wait_for sh -c "[ -e $DAXDEV/$DEV/driver ]"
check_eq auto-bound "$DRV" "$(dax_module "$DEV")"
check_eq auto-bound-as-kmem kmem "$(dax_driver "$DEV")"
check_eq default-state online_movable "$(cat $DAXDEV/$DEV/hotplug)"
blocks=$(new_blocks "$base" "$(all_blocks)")
check_eq blocks-expected "$(expected_blocks "$DEV")" "$blocks"
bad=
for b in $blocks; do
	[ -e /sys/devices/system/node/node$node/memory$b ] || bad="$bad $b"
done
check_eq blocks-on-cxl-node "" "$bad"
for st in offline online_movable unplug online_movable offline; do
	check_eq to-$st OK "$(kh-write $DAXDEV/$DEV/hotplug $st)"
done
check_eq final-state offline "$(cat $DAXDEV/$DEV/hotplug)"

# The daxctl front end on the CXL device, bound under kmem's name: it is
# a kmem_hp device to every command.
fe() {
	daxctl "$@" >/tmp/fe.out 2>/tmp/fe.err
	echo "rc $?"
}
check_eq fe-list "rc 0" "$(fe list -d "$DEV")"
for key in '"mode":"kmem_hp"' '"hotplug":"offline"' "\"target_node\":$node"; do
	grep -qF "$key" /tmp/fe.out || fail fe-list-key "expected $key in: $(cat /tmp/fe.out)"
done
check_eq fe-online-memory "rc 0 online_movable" \
	"$(fe online-memory "$DEV") $(cat $DAXDEV/$DEV/hotplug)"
check_eq fe-offline-memory "rc 0 offline" \
	"$(fe offline-memory "$DEV") $(cat $DAXDEV/$DEV/hotplug)"
check_eq fe-reconfigure-same "rc 0 online_movable $DRV" \
	"$(fe reconfigure-device -m kmem_hp "$DEV") $(cat $DAXDEV/$DEV/hotplug) $(dax_module "$DEV")"
check_eq fe-to-devdax "rc 0 device_dax" \
	"$(fe reconfigure-device -m devdax -f "$DEV") $(dax_driver "$DEV")"
check_eq fe-devdax-memory-removed "" "$(new_blocks "$base" "$(all_blocks)")"
check_eq fe-back-to-kmem_hp "rc 0 online_movable $DRV" \
	"$(fe reconfigure-device -m kmem_hp "$DEV") $(cat $DAXDEV/$DEV/hotplug 2>&1) $(dax_module "$DEV")"
check_eq fe-back-blocks-on-cxl-node "$blocks" "$(new_blocks "$base" "$(all_blocks)")"
check_eq fe-offline-again OK "$(kh-write $DAXDEV/$DEV/hotplug offline)"
[ -s /tmp/fe.err ] && note "front end stderr: $(cat /tmp/fe.err)"

# Opted out: the in-tree kmem takes kmem-type devices as before.
must dax_unbind "$DEV"
echo "$DEV" >$DAXDRV/device_dax/remove_id 2>/dev/null
echo "$DEV" >$DAXDRV/$DRV/remove_id 2>/dev/null
must rmmod "$DRV"
snippet_remove
policy=$(cat $MEMDIR/auto_online_blocks)
must sh -c "echo online_movable >$MEMDIR/auto_online_blocks"
must $KMOD kmem
wait_for sh -c "[ -e $DAXDEV/$DEV/driver ]"
check_eq opt-out-kmem-binds "kmem kmem" "$(dax_driver "$DEV") $(dax_module "$DEV")"
check_eq opt-out-blocks "$blocks" "$(new_blocks "$base" "$(all_blocks)")"
must set_blocks offline "$blocks"
must sh -c "echo $DEV >$DAXDRV/kmem/unbind"
must sh -c "echo $policy >$MEMDIR/auto_online_blocks"

# destroy-device of a kmem_hp device on a CXL region (whose capacity can
# be given back): the front end unplugs it through kmem_hp, unbinds it,
# and the real daxctl frees its capacity.
must daxctl reconfigure-device -m kmem_hp -N "$DEV"
check_eq fe-destroy-bound "kmem_hp offline" "$(dax_module "$DEV") $(cat $DAXDEV/$DEV/hotplug)"
# The kernel keeps daxX.0 (its delete fails with EBUSY once the capacity
# is freed): daxctl before v79 reports that EBUSY, later ones do not. The
# front end reports what the real daxctl did.
case $(/usr/bin/daxctl --version) in
7[0-8] | 7[0-8].*) want="rc 240 error destroying devices: Device or resource busy|destroyed 0 devices|" ;;
*) want="rc 0 destroyed 1 device|" ;;
esac
[ "${DEV#*.}" = 0 ] || want="rc 0 destroyed 1 device|"
check_eq fe-destroy "$want" "$(fe destroy-device -f "$DEV") $(tr '\n' '|' </tmp/fe.err)"
check_eq fe-destroy-freed "none 0" "$(dax_driver "$DEV") $(cat $DAXDEV/$DEV/size 2>/dev/null || echo 0)"
check_eq fe-destroy-no-blocks "" "$(new_blocks "$base" "$(all_blocks)")"
finish
