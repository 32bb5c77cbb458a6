# SPDX-License-Identifier: GPL-2.0-only
#
# The system image lane (sourced): a real Debian userland as root file
# system, booted several times from the same disk, for what only a real
# boot shows: udev rules, systemd units, the initramfs-tools hook, and
# states that survive a reboot.
#
# The image is bookworm (the host's suite: the front end built on the host
# runs in it) with systemd, udev, initramfs-tools, ndctl and daxctl, made
# with mmdebstrap once and cached as a tarball. Each run unpacks it, puts
# in the Debian kernel's modules and kmem_hp as `make install` installs
# it, builds the initramfs with Debian's mkinitramfs, and makes an ext4
# disk of it. The guest has an NVDIMM backed by a file (its namespace, and
# so its uuid, survives a reboot like a real one's), soft-reserved memory
# on a CPU-less node (hmem) and a CXL memory expander whose RAM region a
# unit of the image creates at every boot, as firmware would. tests/sysimage/run, started by systemd,
# runs tests/sysimage/boot<N>.sh on the N-th boot and reboots; QEMU runs
# with -no-reboot, so the host boots it again, with the initramfs the
# guest may have rebuilt, until the last boot powers off.
#
# 61-sysimage-dracut is the same with Debian's dracut instead of
# initramfs-tools (its own cached image): the initramfs is built with
# dracut, which takes the dracut module of `make install-tools`, and the
# image is booted once, running tests/sysimage/dracut-boot<N>.sh; the CXL
# region is created in the initramfs (tests/sysimage/dracut/99kh-test).

SYSIMAGE_PKGS=systemd-sysv,udev,kmod,initramfs-tools,busybox,lz4,ndctl,daxctl,libkmod2,libjson-c5,procps
# The dracut image (61-sysimage-dracut): Debian's dracut instead of
# initramfs-tools (the packages conflict).
SYSIMAGE_DRACUT_PKGS=systemd-sysv,udev,kmod,dracut,ndctl,daxctl,libkmod2,libjson-c5,procps
SYSIMAGE_DIR=$TESTS_DIR/sysimage
# The lanes, each with its own image: VARIANT of a lane's image, "" for
# initramfs-tools.
# shellcheck disable=SC2034 # used by tests/run
SYSIMAGE_LANES="60-sysimage 61-sysimage-dracut"
sysimage_variant() {
	case $1 in
	60-sysimage) echo "" ;;
	61-sysimage-dracut) echo dracut ;;
	*) die "unknown system image lane '$1'" ;;
	esac
}

# sysimage_base [VARIANT]: the cached tarball of a variant's root file system.
sysimage_base() {
	local key pkgs=$SYSIMAGE_PKGS
	[ "${1:-}" != dracut ] || pkgs=$SYSIMAGE_DRACUT_PKGS
	key=$(printf '%s\n' "$pkgs" | sha256sum | cut -c1-12)
	echo "$CACHE/sysimage/${1:+$1-}bookworm-$key.tar"
}

# Cached: the bookworm root file system of VARIANT (prepare step, under its lock).
fetch_sysimage_base() {
	local v=${1:-} t pkgs=$SYSIMAGE_PKGS tool=initramfs-tools
	[ "$v" != dracut ] || { pkgs=$SYSIMAGE_DRACUT_PKGS; tool=dracut; }
	t=$(sysimage_base "$v")
	[ -f "$t" ] && return 0
	say "sysimage: creating the bookworm system image (systemd, udev, $tool)"
	mkdir -p "$CACHE/sysimage"
	rm -f "$CACHE/sysimage/${v:+$v-}bookworm-"*.tar
	logged "$CACHE/sysimage/${v:+$v-}mmdebstrap.log" mmdebstrap --variant=minbase --format=tar \
		--aptopt='Acquire::Check-Valid-Until "false"' \
		--include="$pkgs" bookworm "$t.part" "$(mirror)"
	mv "$t.part" "$t"
}

# sysimage_root VARIANT KVER KO ROOT LANE: what both images share, in ROOT:
# the base, the Debian kernel KVER, kmem_hp.ko KO as `make install`
# installs it with the snippet in /etc/modprobe.d, and the test driver
# (/kh) running LANE's boot scripts.
sysimage_root() {
	local v=$1 kver=$2 ko=$3 root=$4 lane=$5 f
	rm -rf "$root"
	mkdir -p "$root"
	tar -C "$root" -xf "$(sysimage_base "$v")"
	# The Debian kernel, as its package installs it (mkinitramfs reads
	# /boot/config-*).
	mkdir -p "$root/lib/modules/$kver" "$root/boot"
	cp -a "$CACHE/kernels/$kver/moddir/." "$root/lib/modules/$kver/"
	cp -a "$CACHE/kernels/$kver/root/boot/." "$root/boot/"
	# kmem_hp as `make install` installs it (PREFIX=/usr/local).
	install -D -m 0644 "$ko" "$root/lib/modules/$kver/updates/kmem_hp.ko"
	make -s -C "$TOOLS_TREE" install-tools DESTDIR="$root"
	# The operator has the snippet in.
	mkdir -p "$root/kh"
	cp "$root/usr/local/share/kmem_hp/kmem_hp.conf" "$root/etc/modprobe.d/"
	# QEMU's NVDIMM root device is not matched by udev's modalias load
	# (seen on 6.12: no nfit, no region): load it as a machine with
	# NVDIMMs in its config would.
	echo nfit >"$root/etc/modules-load.d/kh-nfit.conf"
	# The test driver and its helpers: the lane's boot scripts as
	# /kh/boot<N>.sh.
	install -m 0755 "$SYSIMAGE_DIR/run" "$root/kh/run"
	echo "$lane" >"$root/kh/lane"
	for f in $(sysimage_boot_scripts "$v"); do
		cp "$SYSIMAGE_DIR/$f" "$root/kh/boot${f##*boot}"
	done
	cp "$SYSIMAGE_DIR/lib-sysimage.sh" "$GUEST_DIR/lib.sh" "$root/kh/"
	target_series 6.12 >"$root/kh/series"
	install -m 0755 "$HELPERS_DIR"/* "$root/usr/local/bin/"
	install -m 0644 "$SYSIMAGE_DIR/kh-test.service" "$root/etc/systemd/system/"
	mkdir -p "$root/etc/systemd/system/multi-user.target.wants" "$root/etc/systemd/system/sysinit.target.wants"
	ln -sf /etc/systemd/system/kh-test.service "$root/etc/systemd/system/multi-user.target.wants/"
	echo '/dev/vda / ext4 defaults 0 1' >"$root/etc/fstab"
	echo kh-sysimage >"$root/etc/hostname"
	echo 6b686d656d68707379736d616765303a >"$root/etc/machine-id"
	ln -sf /dev/null "$root/etc/systemd/system/systemd-firstboot.service"
	# Nothing to wait for: no network in the guest.
	ln -sf /dev/null "$root/etc/systemd/system/systemd-networkd-wait-online.service"
	depmod -b "$root" "$kver"
}

# The boot scripts of VARIANT's lane in $SYSIMAGE_DIR, in boot order:
# boot<N>.sh, dracut-boot<N>.sh.
sysimage_boot_scripts() {
	(cd "$SYSIMAGE_DIR" && ls "${1:+$1-}"boot*.sh | sed -n 's/^\(.*boot\)\([0-9]*\)\.sh$/\2 \1\2.sh/p' |
		sort -n | cut -d' ' -f2)
}

# sysimage_chroot ROOT CMD...: CMD run in the chroot ROOT (with proc and dev).
sysimage_chroot() {
	local root=$1 rc=0
	shift
	mount -t proc proc "$root/proc"
	mount --bind /dev "$root/dev"
	chroot "$root" "$@" || rc=$?
	umount "$root/dev" "$root/proc"
	return $rc
}

# sysimage_disk KVER KO DIR LANE: DIR/disk.img and DIR/initrd.1 for kernel
# KVER with kmem_hp.ko KO installed, the image of LANE. Log in DIR/image.log.
sysimage_disk() {
	local kver=$1 ko=$2 dir=$3 lane=$4 root=$3/root v
	v=$(sysimage_variant "$lane")
	sysimage_root "$v" "$kver" "$ko" "$root" "$lane"
	if [ "$v" = dracut ]; then
		sysimage_dracut "$kver" "$root" || return 1
	else
		sysimage_initramfs_tools "$kver" "$root" || return 1
	fi
	cp "$root/boot/initrd.img-$kver" "$dir/initrd.1"
	rm -f "$dir/disk.img"
	mkfs.ext4 -q -F -L khroot -d "$root" "$dir/disk.img" 4G
	rm -rf "$root"
}

# The initramfs-tools image (60-sysimage): the operator wants the dax
# drivers in the initramfs; the hook comes in at boot 1, as an upgrade
# would bring it; the CXL region comes from a unit of the real root.
sysimage_initramfs_tools() {
	local kver=$1 root=$2
	mv "$root/etc/initramfs-tools/hooks/kmem_hp" "$root/kh/hook.kmem_hp"
	printf 'dax_hmem\ndevice_dax\n' >>"$root/etc/initramfs-tools/modules"
	install -m 0644 "$SYSIMAGE_DIR/kh-cxl-region.service" "$root/etc/systemd/system/"
	install -m 0755 "$SYSIMAGE_DIR/kh-cxl-region" "$root/kh/"
	ln -sf /etc/systemd/system/kh-cxl-region.service "$root/etc/systemd/system/sysinit.target.wants/"
	# The guest rebuilds its initramfs under TCG: only the modules its
	# hardware needs (MODULES=dep, as many installations have it), lz4.
	# The first one is built here, on the host, where "dep" would look at
	# the host's hardware: from a copy of the config, with the modules
	# the guest's root needs listed (MODULES=list; "most" takes minutes).
	sed -i -e 's/^COMPRESS=.*/COMPRESS=lz4/' -e 's/^MODULES=.*/MODULES=dep/' \
		"$root/etc/initramfs-tools/initramfs.conf"
	install -D -m 0755 "$SYSIMAGE_DIR/kh-record" "$root/etc/initramfs-tools/scripts/init-bottom/kh-record"
	cp -a "$root/etc/initramfs-tools" "$root/kh/initramfs-tools-host"
	sed -i 's/^MODULES=.*/MODULES=list/' "$root/kh/initramfs-tools-host/initramfs.conf"
	printf 'virtio_pci\nvirtio_blk\next4\n' >>"$root/kh/initramfs-tools-host/modules"
	sysimage_chroot "$root" mkinitramfs -d /kh/initramfs-tools-host -o "/boot/initrd.img-$kver" "$kver"
}

# The dracut image (61-sysimage-dracut): the operator wants the dax
# drivers in the initramfs (dracut.conf.d) and builds it with Debian's
# dracut, which takes 90kmem_hp from `make install-tools`. The test's own
# configuration: a generic image (Debian's default; hostonly would look at
# the host's hardware) with only the root's drivers besides those the
# dracut modules add (drivers=, like MODULES=list: the full generic image
# takes minutes), the CXL drivers, and the test module 99kh-test: the
# stand-in for firmware creates the CXL region in the initramfs, and
# kh-record notes the drivers before the switch to the real root. What
# the initramfs holds is listed here, with dracut's lsinitrd, into
# /kh/initramfs.lsinitrd (it takes a minute under TCG).
sysimage_dracut() {
	local kver=$1 root=$2 m=$2/usr/lib/dracut/modules.d/99kh-test
	echo 'add_drivers+=" dax_hmem device_dax "' >"$root/etc/dracut.conf.d/50-dax.conf"
	cat >"$root/etc/dracut.conf.d/90-kh-test.conf" <<-'EOF'
		hostonly="no"
		drivers="virtio_blk ext4"
		add_drivers+=" cxl_acpi cxl_pci cxl_mem dax_cxl "
		add_dracutmodules+=" kh-test "
	EOF
	mkdir -p "$m"
	install -m 0755 "$SYSIMAGE_DIR"/dracut/99kh-test/* "$SYSIMAGE_DIR/kh-cxl-region" "$SYSIMAGE_DIR/kh-record" "$m/"
	sysimage_chroot "$root" dracut --force "/boot/initrd.img-$kver" "$kver" || return 1
	sysimage_chroot "$root" lsinitrd "/boot/initrd.img-$kver" >"$root/kh/initramfs.lsinitrd"
}

# sysimage_boot KVER DIR N: the N-th boot of DIR/disk.img with DIR/initrd.N.
# The machine (q35 for CXL): one vCPU (the other lanes' guests need the
# host's other CPU), 4 GiB of RAM, 2 GiB below 4G and 2 GiB from
# 4G; node 0 has 3 GiB of it, node 1 (no CPUs) the last GiB, 5G..6G,
# which memmap= makes soft-reserved (hmem). A 1 GiB NVDIMM backed by
# DIR/nvdimm.img, and a CXL type-3 expander with 512 MiB of volatile
# memory. CXL memory is slow under TCG: no page poisoning or wiping (as in
# 41-cxl), the other Debian-lane checks stay.
sysimage_boot() {
	local kver=$1 dir=$2 n=$3 t=$((600 * GUEST_TIMEOUT_FACTOR))
	timeout -k 10 "$t" qemu-system-x86_64 \
		-accel tcg -cpu max,-la57,-hypervisor,-erms,-fsrm -M q35,cxl=on,nvdimm=on -smp 1 \
		-m 4G,slots=4,maxmem=8G \
		-object memory-backend-ram,id=m0,size=3G -object memory-backend-ram,id=m1,size=1G \
		-numa node,nodeid=0,memdev=m0,cpus=0 -numa node,nodeid=1,memdev=m1 \
		-object memory-backend-file,id=nv0,share=on,mem-path="$dir/nvdimm.img",size=1G \
		-device nvdimm,id=nvdimm0,memdev=nv0 \
		-object memory-backend-ram,id=vmem0,share=on,size=512M \
		-device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1 \
		-device cxl-rp,port=0,bus=cxl.1,id=rp0,chassis=0,slot=2 \
		-device cxl-type3,bus=rp0,volatile-memdev=vmem0,id=cxl-vmem0 \
		-M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G \
		-drive file="$dir/disk.img",if=none,id=disk0,format=raw \
		-device virtio-blk-pci,drive=disk0,bus=pcie.0 \
		-nographic -vga none -no-reboot -net none -monitor none \
		-serial file:"$dir/boot$n.console.log" -serial file:"$dir/boot$n.guest.log" \
		-kernel "$CACHE/kernels/$kver/vmlinuz" -initrd "$dir/initrd.$n" \
		-append "console=ttyS0 root=/dev/vda rw panic=-1 $(debian_checks 6.12) init_on_free=0 page_poison=0 memmap=1G%5G+0xefffffff" \
		</dev/null >"$dir/boot$n.qemu.log" 2>&1
}

# run_sysimage NAME KVER KO RESULT LANE: every boot of LANE's image
# (60-sysimage, 61-sysimage-dracut), each judged like a scenario
# (LANE-boot<N>), into RESULT.
run_sysimage() {
	local name=$1 kver=$2 ko=$3 res=$4 lane=$5 dir=$RUN/$1/$5 n f qrc t0
	t0=$(date +%s)
	mkdir -p "$dir"
	if ! sysimage_disk "$kver" "$ko" "$dir" "$lane" >"$dir/image.log" 2>&1; then
		{
			echo "FAIL $name $lane: expected the system image to build, saw a failure (log: $dir/image.log)"
			tail -n 15 "$dir/image.log" | sed 's/^/    | /'
		} >"$res"
		return
	fi
	say "$name $lane: image built ($(($(date +%s) - t0)) s)"
	truncate -s 1G "$dir/nvdimm.img"
	: >"$res"
	for f in $(sysimage_boot_scripts "$(sysimage_variant "$lane")"); do
		n=${f##*boot}
		n=${n%.sh}
		if [ "$n" -gt 1 ]; then
			# The initramfs the guest left in /boot, as a boot loader would load it.
			rm -f "$dir/initrd.$n"
			debugfs -R "dump /boot/initrd.img-$kver $dir/initrd.$n" "$dir/disk.img" >/dev/null 2>&1
			[ -s "$dir/initrd.$n" ] || {
				echo "FAIL $name $lane-boot$n: expected /boot/initrd.img-$kver on the disk, saw none" >>"$res"
				break
			}
		fi
		qrc=0
		sysimage_boot "$kver" "$dir" "$n" || qrc=$?
		judge_guest "$name" "$lane-boot$n" "$dir/boot$n" "$qrc" >>"$res"
		grep -q '=== KH-RESULTS-END' "$dir/boot$n.guest.log" || break
	done
	say "$name $lane: $(grep -c '^PASS' "$res") passed, $(grep -c '^FAIL' "$res") failed ($(($(date +%s) - t0)) s)"
}
