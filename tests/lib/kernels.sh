# SPDX-License-Identifier: GPL-2.0-only
#
# Target kernels: which Debian build each name means, where it comes from,
# and fetching/extracting it into the cache (sourced, not run).
#
#   6.1  -> bookworm(-security): the newest 6.1.0-N-amd64, module built on
#           the host (gcc-12)
#   6.12 -> bookworm(-security): the newest 6.12.N+deb12-amd64, built on
#           the host (gcc-12)
#   7.2  -> sid: the newest 7.2, built in an mmdebstrap sid chroot (gcc-16)
#   7.3  -> trixie-backports: the newest 7.3, built in an mmdebstrap trixie
#           chroot with trixie-backports (gcc-14)
#   6.12.107 -> bookworm-security 6.12.107+deb12-amd64, the older 6.12 mm
#           API (kernel-api.md), a fixed build, on the host; a subset
#   6.12-deb13 -> trixie(-security): the newest 6.12.N+deb13-amd64, built
#           in an mmdebstrap trixie chroot (gcc-14); a subset
#   debug -> Debian's linux-source-6.12 built here with KASAN, lockdep,
#            kmemleak, UBSAN... (tests/lib/debug-kernel.sh); a 6.12 to the
#            module and the scenarios, module built on the host (gcc-12)
#
# Versions are resolved at run time from the suite's package lists (the
# host's apt for bookworm, an isolated apt per foreign suite, never the
# host's sources) and kept in $CACHE/resolved/<name> for a day
# (KMEM_HP_RESOLVE_TTL seconds), so that runs in between reuse the cached
# kernels. KMEM_HP_KVER_<name> (dots as underscores, e.g.
# KMEM_HP_KVER_6_1=6.1.0-56-amd64, KMEM_HP_KVER_6_12_deb13=...) forces a version. The pins below are
# the fallback when the lists cannot be read (no network) and nothing is
# cached: the versions last tested.

. "$TESTS_DIR/lib/debug-kernel.sh"

declare -A KVER_PIN=(
	[6.1]=6.1.0-57-amd64
	[6.12]=6.12.118+deb12-amd64
	[7.2]=7.2.13+deb14-amd64
	[7.3]=7.3.4+deb13-amd64
	[6.12.107]=6.12.107+deb12-amd64
	[6.12-deb13]=6.12.118+deb13-amd64
)
# Package names of each line's builds: the version is the captured part.
declare -A KVER_RE=(
	[6.1]='^linux-headers-\(6\.1\.0-[0-9]*-amd64\)$'
	[6.12]='^linux-headers-\(6\.12\.[0-9]*+deb12-amd64\)$'
	[7.2]='^linux-headers-\(7\.2\.[0-9]*+deb[0-9]*-amd64\)$'
	[7.3]='^linux-headers-\(7\.3\.[0-9]*+deb[0-9]*-amd64\)$'
	[6.12.107]='^linux-headers-\(6\.12\.107+deb12-amd64\)$'
	[6.12-deb13]='^linux-headers-\(6\.12\.[0-9]*+deb13-amd64\)$'
)
RESOLVE_TTL=${KMEM_HP_RESOLVE_TTL:-86400}

ALL_KERNELS="6.1 6.12 7.2 7.3 6.12.107 6.12-deb13 debug"

# Scenarios a line runs (globs): every one, or, for the lines that repeat
# a series already tested in full, load, bind, the state matrix,
# protection and lifecycle.
target_tests() {
	case $1 in
	6.12.107 | 6.12-deb13) echo "01-* 02-* 10-* 30-* 31-*" ;;
	*) echo "*" ;;
	esac
}

target_suite() {
	case $1 in
	6.1|6.12|6.12.107|debug) echo bookworm ;;
	7.2) echo sid ;;
	7.3) echo trixie-backports ;;
	6.12-deb13) echo trixie ;;
	*) die "unknown kernel '$1' (known: $ALL_KERNELS)" ;;
	esac
}

# Where a target's module is built: "host" (bookworm, the host's own
# gcc-12), or the name of the chroot userland (sid, trixie) whose compiler
# built that kernel.
target_userland() {
	case $(target_suite "$1") in
	bookworm) echo host ;;
	sid) echo sid ;;
	trixie*) echo trixie ;;
	esac
}

# Kernel series a target is, for the scenarios (kh_kernel=): the debug
# lane is a 6.12.
target_series() {
	case $1 in
	debug | 6.12.* | 6.12-*) echo 6.12 ;;
	*) echo "$1" ;;
	esac
}

# Is a target a Debian-built kernel (as opposed to the debug lane's own)?
target_is_debian() { [ "$1" != debug ]; }

# Extra QEMU CPU flags: 7.2 and later panic early with la57; harmless for
# the others.
target_cpu() { echo "max,-la57"; }

# First URI of the host's bookworm-security suite (the security archive).
host_security_mirror() { host_mirror bookworm-security | sed -n 1p; }

# deb822 sources of a foreign userland, from the host's own mirrors.
userland_sources() {
	local sec
	case $1 in
	sid)
		printf 'Types: deb\nURIs: %s\nSuites: sid\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$(mirror)"
		;;
	trixie)
		printf 'Types: deb\nURIs: %s\nSuites: trixie trixie-updates trixie-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$(mirror)"
		sec=$(host_security_mirror | sed -n 1p)
		[ -z "$sec" ] ||
			printf '\nTypes: deb\nURIs: %s\nSuites: trixie-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$sec"
		;;
	esac
}

# The same sources as one-line entries, for mmdebstrap.
userland_mirrors() {
	userland_sources "$1" | awk '/^URIs:/{u=$2} /^Suites:/{ for (i=2;i<=NF;i++) printf "deb %s %s main\n", u, $i }'
}

# Isolated apt configuration of a foreign userland: its own sources,
# lists, cache and an empty dpkg status. The host's apt setup is never
# touched. ($CACHE/apt-sid keeps its old name.)
xapt_dir() { echo "$CACHE/apt-$1"; }

xapt_setup() {
	local d
	d=$(xapt_dir "$1")
	[ -f "$d/apt.conf" ] && return 0
	mkdir -p "$d/sources.list.d" "$d/preferences.d" "$d/lists/partial" "$d/cache/archives/partial"
	userland_sources "$1" >"$d/sources.list.d/$1.sources"
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

# xapt USERLAND CMD...: run an apt command against a userland's lists
# ("host": the host's own apt).
xapt() {
	local ul=$1
	shift
	if [ "$ul" = host ]; then
		"$@"
	else
		APT_CONFIG=$(xapt_dir "$ul")/apt.conf "$@"
	fi
}

# Refresh a userland's package lists if they are older than the TTL.
xapt_update() {
	local ul=$1 stamp
	[ "$ul" = host ] && stamp=$CACHE/apt-host.updated || {
		xapt_setup "$ul"
		stamp=$(xapt_dir "$ul")/updated
	}
	if [ -f "$stamp" ] && [ $(($(date +%s) - $(stat -c %Y "$stamp"))) -lt "$RESOLVE_TTL" ]; then
		return 0
	fi
	say "updating the $ul package lists"
	xapt "$ul" apt-get update >"$CACHE/apt-$ul-update.log" 2>&1 || return 1
	touch "$stamp"
}

# Does userland $1 have a candidate for package $2? (apt-cache show
# succeeds for names with no candidate; grep reads all of its output, as
# grep -q would not, so that pipefail never sees apt-cache's SIGPIPE.)
xapt_has() { xapt "$1" apt-cache show "$2" 2>/dev/null | grep '^Package: ' >/dev/null; }

# Does userland $1 carry everything of build $2 the harness needs: the
# headers and either the split image (binary, modules, base: sid, 7.3) or
# linux-image (signed, or the -unsigned build of the same kernel, which
# the archive carries first: the signed one follows days later)?
xapt_complete() {
	local ul=$1 v=$2
	xapt_has "$ul" "linux-headers-$v" || return 1
	if xapt_has "$ul" "linux-binary-$v"; then
		xapt_has "$ul" "linux-modules-$v" && xapt_has "$ul" "linux-base-$v"
	else
		xapt_has "$ul" "linux-image-$v" || xapt_has "$ul" "linux-image-$v-unsigned"
	fi
}

# Newest complete build of line $1 in its userland's lists.
newest_kver() {
	local name=$1 ul v
	ul=$(target_userland "$name")
	for v in $(xapt "$ul" apt-cache pkgnames linux-headers- | sed -n "s/${KVER_RE[$name]}/\1/p" | sort -rV); do
		xapt_complete "$ul" "$v" && { echo "$v"; return 0; }
	done
	return 1
}

# resolve_kver NAME: the build of line NAME to test (see the top). Call
# once per run.
resolve_kver() {
	local name=$1 var f v
	var=KMEM_HP_KVER_${name//[.-]/_}
	if [ -n "${!var:-}" ] && [ "${!var}" != auto ]; then
		echo "${!var}"
		return
	fi
	f=$CACHE/resolved/$name
	mkdir -p "$CACHE/resolved"
	if [ -s "$f" ] && [ $(($(date +%s) - $(stat -c %Y "$f"))) -lt "$RESOLVE_TTL" ]; then
		cat "$f"
		return
	fi
	if xapt_update "$(target_userland "$name")" >&2 && v=$(newest_kver "$name"); then
		[ "$v" = "$(cat "$f" 2>/dev/null)" ] || say "$name: the newest build is $v"
		echo "$v" >"$f"
		echo "$v"
	elif [ -s "$f" ]; then
		say "$name: cannot read the package lists; keeping $(cat "$f")"
		touch "$f"
		cat "$f"
	else
		say "$name: cannot read the package lists; using the pinned ${KVER_PIN[$name]}"
		echo "${KVER_PIN[$name]}"
	fi
}

target_kver() {
	case $1 in
	debug) debug_kver ;;
	6.1|6.12|7.2|7.3|6.12.107|6.12-deb13) resolve_kver "$1" ;;
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
	local name=$1 kver=$2 k=$CACHE/kernels/$2 pkgs deb ul
	if [ "$name" = debug ]; then
		fetch_debug_kernel "$kver"
		return
	fi
	[ -f "$k/.done" ] && return 0
	say "$name: fetching kernel $kver"
	rm -rf "$k"
	mkdir -p "$k/debs" "$k/root"
	ul=$(target_userland "$name")
	if xapt_has "$ul" "linux-binary-$kver"; then
		# sid and 7.3 split the image: vmlinuz, modules, and the module lists.
		pkgs=("linux-binary-$kver" "linux-modules-$kver" "linux-base-$kver")
	elif xapt_has "$ul" "linux-image-$kver"; then
		pkgs=("linux-image-$kver")
	else
		pkgs=("linux-image-$kver-unsigned")
	fi
	(cd "$k/debs" && logged "$k/download.log" xapt "$ul" apt-get -o APT::Sandbox::User=root download "${pkgs[@]}")
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

# Build environment of a target: on the host, the headers package of
# the resolved version (bookworm, safe to install); for a foreign suite,
# an mmdebstrap chroot of that suite with the headers and the suite's own
# compiler, built once and kept in the cache.
prepare_userland() {
	local name=$1 kver=$2 ul c
	ul=$(target_userland "$name")
	case $ul in
	host)
		target_is_debian "$name" || return 0
		dpkg-query -W -f='${Status}' "linux-headers-$kver" 2>/dev/null | grep -q 'install ok installed' &&
			return 0
		say "$name: installing linux-headers-$kver on the host"
		xapt_update host || true
		DEBIAN_FRONTEND=noninteractive logged "$CACHE/headers-$kver.log" \
			apt-get install -y -qq --no-install-recommends "linux-headers-$kver"
		return 0
		;;
	esac
	c=$(target_chroot "$name" "$kver")
	[ -f "$c/.done" ] && return 0
	say "$name: creating the $ul build chroot (headers $kver)"
	chroot_umount "$c"
	rm -rf "$c"
	mkdir -p "$CACHE/chroot"
	local mirrors=()
	mapfile -t mirrors < <(userland_mirrors "$ul")
	logged "$c.log" mmdebstrap --variant=buildd \
		--aptopt='Acquire::Check-Valid-Until "false"' \
		--include="linux-headers-$kver,kmod" "$ul" "$c" "${mirrors[@]}"
	touch "$c/.done"
}

# The chroot a target's module is built in (foreign userlands only).
target_chroot() { echo "$CACHE/chroot/$(target_userland "$1")-$2"; }

# Is a target's build environment ready (nothing to fetch)?
userland_ready() {
	case $(target_userland "$1") in
	host) ! target_is_debian "$1" || [ -d "/usr/src/linux-headers-$2" ] ;;
	*) [ -f "$(target_chroot "$1" "$2")/.done" ] ;;
	esac
}

# Unmount everything below a chroot (reverse order); safe to call twice.
chroot_umount() {
	local c=$1 m
	[ -d "$c" ] || return 0
	for m in $(awk -v c="$(realpath "$c")/" 'index($2, c) == 1 { print $2 }' /proc/mounts | sort -r); do
		umount "$m" || umount -l "$m"
	done
}
