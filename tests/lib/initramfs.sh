# SPDX-License-Identifier: GPL-2.0-only
#
# Guest initramfs: a cached base per kernel (busybox, kmod, ndctl, daxctl,
# the kernel's nvdimm/dax/cxl modules) plus a small overlay cpio built every
# run (kmem_hp.ko, regenerated module indexes, /init, the scenarios).
# Concatenated cpio archives are unpacked in order by the kernel (sourced).

# Module directories whose modules (and their dependencies) the guests get.
GUEST_MODULE_DIRS="kernel/drivers/nvdimm kernel/drivers/dax kernel/drivers/cxl kernel/drivers/acpi/nfit"
GUEST_BINARIES="/bin/kmod /usr/bin/ndctl /usr/bin/daxctl"

# Anything that changes the base invalidates it.
base_key() {
	{
		cat "${BASH_SOURCE[0]}"
		dpkg-query -W busybox-static kmod ndctl daxctl 2>/dev/null
	} | sha1sum | cut -c1-16
}

# Copy a binary and the shared libraries it needs (with the loader).
copy_with_libs() {
	local root=$1 bin=$2 lib
	install -D -m 0755 "$bin" "$root$bin"
	for lib in $(ldd "$bin" | awk '/=> \//{print $3} /^\t\/.*ld-linux/{print $1}'); do
		[ -e "$root$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
	done
}

# Relative paths (from the modules dir) of the wanted modules plus all
# their dependencies, per modules.dep.
wanted_modules() {
	local moddir=$1 d
	[ -f "$moddir/modules.dep" ] || die "no modules.dep in $moddir"
	for d in $GUEST_MODULE_DIRS; do
		awk -F': *' -v d="$d/" 'index($1, d) == 1 { print $1; n = split($2, dep, " "); for (i = 1; i <= n; i++) print dep[i] }' \
			"$moddir/modules.dep"
	done | sort -u
}

# Build $CACHE/initramfs/<kver>/base.cpio and keep its tree in .../root
# (the overlay step runs depmod against it).
build_base() {
	local name=$1 kver=$2 i=$CACHE/initramfs/$2 key
	key=$(base_key)
	[ -f "$i/.done-$key" ] && return 0
	say "$name: building the guest initramfs base"
	rm -rf "$i"
	mkdir -p "$i"
	local root=$i/root moddir m src dst
	moddir=$(readlink -f "$CACHE/kernels/$kver/moddir")
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib64,proc,sys,dev,tmp,run,etc,root,mnt,var/tmp,tests}
	mkdir -p "$root/lib/modules/$kver"

	install -m 0755 /bin/busybox "$root/bin/busybox"
	for m in $(/bin/busybox --list-full); do
		[ -e "$root/$m" ] || ln -s /bin/busybox "$root/$m"
	done
	for b in $GUEST_BINARIES; do
		copy_with_libs "$root" "$b"
	done
	# kmod's module tools: they know modules.builtin and compressed modules.
	for m in modprobe insmod rmmod lsmod modinfo depmod; do
		rm -f "$root/sbin/$m" "$root/bin/$m" "$root/usr/sbin/$m" "$root/usr/bin/$m"
		ln -s /bin/kmod "$root/sbin/$m"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
	printf 'root:x:0:\n' >"$root/etc/group"

	# Modules, stored uncompressed so any modprobe can load them.
	local mods
	mods=$(wanted_modules "$moddir")
	for m in $mods; do
		src=$moddir/$m
		dst=$root/lib/modules/$kver/${m%.xz}
		dst=${dst%.zst}
		dst=${dst%.gz}
		mkdir -p "$(dirname "$dst")"
		case $m in
		*.xz) xz -dc "$src" >"$dst" ;;
		*.zst) zstd -qdc "$src" >"$dst" ;;
		*.gz) gzip -dc "$src" >"$dst" ;;
		*) cp "$src" "$dst" ;;
		esac
	done
	for m in modules.builtin modules.builtin.modinfo modules.order; do
		[ -f "$moddir/$m" ] && cp "$moddir/$m" "$root/lib/modules/$kver/"
	done
	depmod -b "$root" "$kver"

	(cd "$root" && find . | sort | cpio -o -H newc --quiet) >"$i/base.cpio"
	touch "$i/.done-$key"
}

# Per-run overlay for a kernel: kmem_hp.ko as extra/kmem_hp.ko, module
# indexes regenerated with it, /init, the guest scripts and helpers.
# Writes <out>: the cached base followed by the overlay.
build_overlay() {
	local kver=$1 ko=$2 out=$3 i=$CACHE/initramfs/$1 work
	work=$(mktemp -d "$i/overlay.XXXXXX")
	cp -al "$i/root" "$work/root"
	local r=$work/root md=$work/root/lib/modules/$kver
	if [ -n "$ko" ]; then
		mkdir -p "$md/extra"
		cp "$ko" "$md/extra/kmem_hp.ko"
	fi
	depmod -b "$r" "$kver"
	mkdir -p "$work/new/lib/modules/$kver" "$work/new/tests" "$work/new/usr/bin"
	cp -a "$md"/modules.* "$work/new/lib/modules/$kver/"
	[ -z "$ko" ] || cp -a "$md/extra" "$work/new/lib/modules/$kver/"
	install -m 0755 "$GUEST_DIR/init" "$work/new/init"
	# The daxctl front end, where `make install` puts it (ahead of the
	# distro's /usr/bin/daxctl in PATH).
	[ -z "${DAXCTL_FRONTEND:-}" ] ||
		install -D -m 0755 "$DAXCTL_FRONTEND" "$work/new/usr/local/sbin/daxctl"
	# The opt-in modprobe.d snippet, where `make install` puts it.
	install -D -m 0644 "$SRC/modprobe.d/kmem_hp.conf" "$work/new/usr/local/share/kmem_hp/kmem_hp.conf"
	cp "$GUEST_DIR"/*.sh "$work/new/tests/"
	install -m 0755 "$HELPERS_DIR"/* "$work/new/usr/bin/"
	(cd "$work/new" && find . | sort | cpio -o -H newc --quiet) >"$out.overlay"
	cat "$i/base.cpio" "$out.overlay" >"$out"
	rm -rf "$work" "$out.overlay"
}

# Static helper programs for the guest (tests/guest/tools/*.c), built once
# per run into $HELPERS_DIR.
build_helpers() {
	local c
	HELPERS_DIR=$1
	mkdir -p "$HELPERS_DIR"
	for c in "$GUEST_DIR"/tools/*.c; do
		gcc -static -Os -Wall -Werror -o "$HELPERS_DIR/$(basename "$c" .c)" "$c" ||
			die "cannot build guest helper $c"
	done
}
