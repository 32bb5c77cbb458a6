# SPDX-License-Identifier: GPL-2.0-only
#
# Target kernels: which Debian build each name means, where it comes from,
# and fetching/extracting it into the cache (sourced, not run).
#
#   6.1  -> bookworm(-security) 6.1.0-56-amd64, module built on the host (gcc-12)
#   6.12 -> bookworm(-security) 6.12.117+deb12-amd64, built on the host (gcc-12)
#   7.2  -> sid, built in an mmdebstrap sid chroot (gcc-16)
#   debug -> Debian's linux-source-6.12 built here with KASAN, lockdep,
#            kmemleak, UBSAN... (tests/lib/debug-kernel.sh); a 6.12 to the
#            module and the scenarios, module built on the host (gcc-12)

. "$TESTS_DIR/lib/debug-kernel.sh"

KVER_6_1=6.1.0-56-amd64
KVER_6_12=6.12.117+deb12-amd64
# The sid build is pinned here; if sid no longer carries it (or with "auto")
# the newest 7.2 whose binary, modules and headers are all in sid is used.
KVER_7_2=${KMEM_HP_KVER_7_2:-7.2.13+deb14-amd64}

ALL_KERNELS="6.1 6.12 7.2 debug"

SID_APT=$CACHE/apt-sid

target_suite() {
	case $1 in
	6.1|6.12|debug) echo bookworm ;;
	7.2) echo sid ;;
	*) die "unknown kernel '$1' (known: $ALL_KERNELS)" ;;
	esac
}

# Kernel series a target is, for the scenarios (kh_kernel=): the debug
# lane is a 6.12.
target_series() {
	case $1 in
	debug) echo 6.12 ;;
	*) echo "$1" ;;
	esac
}

# Is a target a Debian-built kernel (as opposed to the debug lane's own)?
target_is_debian() { [ "$1" != debug ]; }

# Extra QEMU CPU flags: 7.2 panics early with la57; harmless for the others.
target_cpu() { echo "max,-la57"; }

# Isolated apt configuration for sid: its own sources, lists, cache and an
# empty dpkg status. The host's apt setup is never touched.
sid_apt_setup() {
	local d=$SID_APT
	[ -f "$d/apt.conf" ] && return 0
	mkdir -p "$d/sources.list.d" "$d/preferences.d" "$d/lists/partial" "$d/cache/archives/partial"
	cat >"$d/sources.list.d/sid.sources" <<EOS
Types: deb
URIs: $(mirror)
Suites: sid
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOS
	: >"$d/status"
	cat >"$d/apt.conf" <<EOS
Dir::Etc::sourcelist "/dev/null";
Dir::Etc::sourceparts "$d/sources.list.d";
Dir::Etc::preferencesparts "$d/preferences.d";
Dir::State::lists "$d/lists";
Dir::State::status "$d/status";
Dir::Cache "$d/cache";
Acquire::Check-Valid-Until "false";
APT::Architecture "amd64";
APT::Sandbox::User "root";
EOS
}

sid_apt() { APT_CONFIG=$SID_APT/apt.conf "$@"; }

sid_apt_update() {
	sid_apt_setup
	say "updating the isolated sid package lists"
	logged "$SID_APT/update.log" sid_apt apt-get update
	touch "$SID_APT/updated"
}

sid_has() { sid_apt apt-cache show "$1" >/dev/null 2>&1; }

sid_complete() {
	sid_has "linux-binary-$1" && sid_has "linux-modules-$1" && sid_has "linux-base-$1" &&
		sid_has "linux-headers-$1"
}

# Newest 7.2 amd64 build whose packages are all in sid.
sid_newest_7_2() {
	local v
	for v in $(sid_apt apt-cache pkgnames linux-binary-7.2. |
		sed -n 's/^linux-binary-\(7\.2\.[0-9]*+deb[0-9]*-amd64\)$/\1/p' | sort -rV); do
		sid_complete "$v" && { echo "$v"; return 0; }
	done
	return 1
}

# The 7.2 release to test: the pinned one while it is cached or still in
# sid, else the newest complete 7.2 in sid. Call once per run.
resolve_7_2() {
	local v=$KVER_7_2
	if [ "$v" != auto ] && [ -f "$CACHE/kernels/$v/.done" ] && [ -f "$CACHE/chroot/sid-$v/.done" ]; then
		echo "$v"
		return
	fi
	sid_apt_setup
	[ -f "$SID_APT/updated" ] || sid_apt_update >&2
	if [ "$v" != auto ] && ! sid_complete "$v"; then
		sid_apt_update >&2
		sid_complete "$v" || { say "sid no longer carries $v; using the newest 7.2"; v=auto; }
	fi
	[ "$v" != auto ] || v=$(sid_newest_7_2) || die "no complete 7.2 amd64 kernel in sid"
	echo "$v"
}

target_kver() {
	case $1 in
	6.1) echo "$KVER_6_1" ;;
	6.12) echo "$KVER_6_12" ;;
	7.2) resolve_7_2 ;;
	debug) debug_kver ;;
	*) die "unknown kernel '$1' (known: $ALL_KERNELS)" ;;
	esac
}

# Headers tree the module is built against, as seen by the build
# environment (host or chroot); for the debug lane its kept build tree.
target_kdir() {
	case $1 in
	debug) echo "$CACHE/kernels/$2/src" ;;
	*) echo "/usr/src/linux-headers-$2" ;;
	esac
}

# Download and extract the kernel image and modules into
# $CACHE/kernels/<kver>/root, with vmlinuz and moddir links next to it.
fetch_kernel() {
	local name=$1 kver=$2 k=$CACHE/kernels/$2 pkgs deb
	if [ "$name" = debug ]; then
		fetch_debug_kernel "$kver"
		return
	fi
	[ -f "$k/.done" ] && return 0
	say "$name: fetching kernel $kver"
	rm -rf "$k"
	mkdir -p "$k/debs" "$k/root"
	if [ "$(target_suite "$name")" = sid ]; then
		# sid splits the image: vmlinuz, modules, and the module lists.
		pkgs=("linux-binary-$kver" "linux-modules-$kver" "linux-base-$kver")
		(cd "$k/debs" && logged "$k/download.log" sid_apt apt-get download "${pkgs[@]}")
	else
		pkgs=("linux-image-$kver")
		(cd "$k/debs" && logged "$k/download.log" apt-get -o APT::Sandbox::User=root download "${pkgs[@]}")
	fi
	for deb in "$k"/debs/*.deb; do
		dpkg-deb -x "$deb" "$k/root"
	done
	# Merged-/usr packages (sid) ship usr/lib/modules; depmod wants lib/.
	[ -e "$k/root/lib" ] || ln -s usr/lib "$k/root/lib"
	local vmlinuz moddir=$k/root/lib/modules/$kver
	for vmlinuz in "$k/root/boot/vmlinuz-$kver" "$moddir/vmlinuz" ""; do
		[ -f "$vmlinuz" ] && break
	done
	[ -n "$vmlinuz" ] || die "$name: no vmlinuz in $k/root"
	[ -f "$moddir/modules.order" ] || die "$name: no modules in $k/root"
	# The packages leave modules.dep to their postinst.
	depmod -b "$k/root" "$kver"
	ln -sfn "${vmlinuz#"$k"/}" "$k/vmlinuz"
	ln -sfn "${moddir#"$k"/}" "$k/moddir"
	rm -rf "$k/debs"
	touch "$k/.done"
}

# Build environment for 7.2: an mmdebstrap sid chroot with the headers and
# sid's own compiler. Built once, kept in the cache.
sid_chroot() {
	local kver=$1 c=$CACHE/chroot/sid-$1
	[ -f "$c/.done" ] && return 0
	say "7.2: creating the sid build chroot (headers $kver)"
	chroot_umount "$c"
	rm -rf "$c"
	mkdir -p "$CACHE/chroot"
	logged "$CACHE/chroot/sid-$kver.log" mmdebstrap --variant=buildd \
		--aptopt='Acquire::Check-Valid-Until "false"' \
		--include="linux-headers-$kver,kmod" sid "$c" "$(mirror)"
	touch "$c/.done"
}

# Unmount everything below a chroot (reverse order); safe to call twice.
chroot_umount() {
	local c=$1 m
	[ -d "$c" ] || return 0
	for m in $(awk -v c="$(realpath "$c")/" 'index($2, c) == 1 { print $2 }' /proc/mounts | sort -r); do
		umount "$m" || umount -l "$m"
	done
}
