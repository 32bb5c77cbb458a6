#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host packages make bench needs: everything the test harness needs
# (tests/host-deps.sh: QEMU, ndctl/daxctl, busybox, the kernels' headers,
# python3, ...) plus gnuplot for the plot. Idempotent: does nothing when
# everything is present. Packages come from the host's own apt sources.
set -euo pipefail

"$(dirname "$0")/../tests/host-deps.sh"

BENCH_PKGS=(gnuplot-nox)
missing=()
for p in "${BENCH_PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
