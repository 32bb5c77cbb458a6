#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make style: checkpatch.pl --no-tree -f on every C file and header of the
# project, then sparse (C=2) over the module against the host's 6.12
# headers. checkpatch comes from Debian's linux-source-6.12 (extracted once
# into the cache), sparse from Debian's sparse package.
# Prints one PASS/FAIL line per check; exits non-zero on any failure.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${KMEM_HP_CACHE:-$HOME/.cache/kmem_hp}
cp_dir=$cache/checkpatch
"$top/tests/host-deps.sh"

if [ ! -x "$cp_dir/scripts/checkpatch.pl" ]; then
	tarball=$(ls /usr/src/linux-source-6.12.tar.xz)
	mkdir -p "$cp_dir"
	tar -xJf "$tarball" -C "$cp_dir" --strip-components=1 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
fi

cd "$top"
failed=0
files=$(git ls-files -co --exclude-standard -- '*.c' '*.h' | grep -v '^compat/generated/' || true)
out=$(perl "$cp_dir/scripts/checkpatch.pl" --no-tree --quiet --show-types -f $files 2>&1) || true
if [ -z "$out" ]; then
	echo "PASS host checkpatch ($(echo $files | wc -w) files)"
else
	echo "$out"
	echo "FAIL host checkpatch: expected no warnings, saw $(echo "$out" | grep -c '^\(WARNING\|ERROR\|CHECK\)')"
	failed=1
fi

kver=${STYLE_KERNEL:-$(ls -d /usr/src/linux-headers-6.12.*+deb12-amd64 | sort -V | tail -n1)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git ls-files -co --exclude-standard | grep -v '^compat/generated/' | cpio -pdm --quiet "$work"
sparse_log=$work/sparse.log
if ! make -C "$work" KDIR="$kver" >/dev/null 2>&1; then
	echo "FAIL host sparse: module does not build against $kver"
	failed=1
else
	touch "$work"/src/*.c "$work"/compat/*.c
	make -C "$kver" M="$work" C=2 CHECK="sparse" modules >"$sparse_log" 2>&1 || true
	checked=$(grep -c "^ *CHECK " "$sparse_log" || true)
	warn=$(grep -E '(warning|error):' "$sparse_log" || true)
	if [ "$checked" -lt 3 ]; then
		echo "FAIL host sparse: expected sparse to check 3 files, saw $checked"
		failed=1
	elif [ -z "$warn" ]; then
		echo "PASS host sparse ($checked files, $(basename "$kver"))"
	else
		echo "$warn"
		echo "FAIL host sparse: expected no warnings, saw $(echo "$warn" | wc -l)"
		failed=1
	fi
fi
exit $failed
