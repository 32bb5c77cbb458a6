#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Install the host packages kmem_hp's build, style checks and QEMU test
# harness need. Idempotent: does nothing when everything is present.
# The mirror is read from the host's own apt sources, never hard-coded.
set -euo pipefail

. "$(dirname "$0")/lib/common.sh"

HOST_PKGS=(build-essential bc bison flex libelf-dev libssl-dev kmod cpio zstd xz-utils
	mmdebstrap sparse ndctl daxctl libdaxctl-dev libndctl-dev libkmod-dev libjson-c-dev
	pkg-config busybox-static dkms linux-source-6.12 python3 bpftool dwarves)
# The headers of the kernels under test are installed by the harness once
# it has resolved their versions (tests/lib/kernels.sh); 6.12.107, the
# older 6.12 mm API, is a fixed build.
HEADERS_612_OLD=${HEADERS_612_OLD:-linux-headers-6.12.107+deb12-amd64}

ensure_backports() {
	local list=/etc/apt/sources.list.d/kmem-hp-backports.sources mirror
	[ -f "$list" ] && return 0
	mirror=$(host_mirror | sed -n 1p)
	[ -n "$mirror" ] || { echo "host-deps: cannot find the bookworm mirror in the host apt sources" >&2; exit 1; }
	cat >"$list" <<EOS
Types: deb
URIs: $mirror
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOS
	NEED_UPDATE=1
}

missing=()
NEED_UPDATE=0
ensure_backports
for p in "${HOST_PKGS[@]}" "$HEADERS_612_OLD"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
qemu_ok=0
if command -v qemu-system-x86_64 >/dev/null; then
	v=$(qemu-system-x86_64 --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p')
	[ "${v:-0}" -ge 8 ] && qemu_ok=1
fi
if [ ${#missing[@]} -eq 0 ] && [ $qemu_ok = 1 ]; then
	exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
[ ${#missing[@]} -eq 0 ] || apt-get install -y -qq --no-install-recommends "${missing[@]}"
[ $qemu_ok = 1 ] || apt-get install -y -qq --no-install-recommends -t bookworm-backports qemu-system-x86 qemu-utils
