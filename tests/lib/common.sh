# SPDX-License-Identifier: GPL-2.0-only
#
# Shared settings and helpers of the host-side test harness (sourced, not run).

# shellcheck disable=SC2034 # TOP and GUEST_DIR are used by the sourcing scripts
TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOP=$(cd "$TESTS_DIR/.." && pwd)
GUEST_DIR=$TESTS_DIR/guest	# the run and demo use a per-run snapshot
CACHE=${KMEM_HP_CACHE:-$HOME/.cache/kmem_hp}
LOGROOT=${KMEM_HP_LOGDIR:-$CACHE/logs}
JOBS=${JOBS:-$(nproc)}
GUEST_TIMEOUT=${GUEST_TIMEOUT:-300}

# Progress goes to stderr so stdout carries only results.
say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'tests: %s\n' "$*" >&2; exit 1; }

# URIs of the host's suite $1 (default bookworm), read from the host's apt
# sources (deb822 or one-line format). The harness never names a mirror
# itself.
host_mirror() {
	local f suite=${1:-bookworm}
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v s="$suite" '/^URIs:/{u=$2} /^Suites:/{ for (i=2;i<=NF;i++) if ($i==s) { print u; exit } }' "$f"
	done
	{ grep -hs "^deb .* $suite " /etc/apt/sources.list || true; } | awk '{print $2}'
}

mirror() {
	local m
	m=$(host_mirror | sed -n 1p)
	[ -n "$m" ] || die "cannot find the bookworm mirror in the host apt sources"
	echo "$m"
}

# Run a command with its output in a log file; show the tail of the log
# and fail if the command fails.
logged() {
	local log=$1; shift
	if ! "$@" >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		die "failed: $* (full log: $log)"
	fi
}

# Keep the newest $KMEM_HP_KEEP_LOGS (default 10) finished run directories
# under $LOGROOT and drop the bulky initrds and system image disks of
# finished runs but the newest. Runs still going on (no .finished) are
# left alone.
prune_logs() {
	local keep=${KMEM_HP_KEEP_LOGS:-10} d n=0
	# shellcheck disable=SC2045 # newest first; run directory names have no blanks
	for d in $(ls -1dt "$LOGROOT"/*/ 2>/dev/null); do
		[ -f "$d/.finished" ] || continue
		n=$((n + 1))
		if [ $n -gt "$keep" ]; then
			rm -rf "$d"
		elif [ $n -gt 1 ]; then
			find "$d" \( -name initrd.cpio -o -name disk.img -o -name nvdimm.img \) -delete
		fi
	done
}
