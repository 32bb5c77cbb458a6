# SPDX-License-Identifier: GPL-2.0-only
#
# Booting one scenario in a QEMU guest and turning its console log into
# result lines (sourced).
#
# A scenario file declares what its guest needs in header comments:
#   # mem: 6G                 guest RAM (default 2G)
#   # smp: 2                  vCPUs (default 1)
#   # append: memmap=2G!4G    extra kernel command line
#   # qemu: -M q35,cxl=on     extra QEMU arguments
#   # cpu: max,-la57,-hypervisor   QEMU -cpu (default per target)
#   # kernels: 6.12 7.2       only run on these targets (default all)
#   # timeout: 300            seconds before the guest is killed

# Kernel log lines that make a scenario fail whatever its checks said.
SPLAT_RE='BUG:|WARNING:|Oops|Call Trace|general protection|Missing ENDBR|possible recursive locking|circular locking|lockdep|kernel BUG|Kernel panic|UBSAN:|KASAN:|soft lockup|hung_task|blocked for more than|RCU stall|rcu_sched detected stalls|list_add corruption|list_del corruption|refcount_t:'

scenario_header() {
	sed -n "s/^# $2: *//p" "$1" | sed -n 1p
}

# Does scenario file $1 run on kernel name $2?
scenario_wants_kernel() {
	local ks
	ks=$(scenario_header "$1" kernels)
	[ -z "$ks" ] && return 0
	case " $ks " in *" $2 "*) return 0 ;; esac
	return 1
}

# boot_guest NAME KVER INITRD SCENARIO_FILE LOG
# Runs the guest to completion (or timeout); returns QEMU's status (124 on
# timeout). The console (ttyS0) goes to LOG.console.log, the guest's
# results and kernel log dump (ttyS1) to LOG.guest.log, QEMU's own
# messages to LOG.qemu.log.
boot_guest() {
	local name=$1 kver=$2 initrd=$3 file=$4 log=$5 test mem smp append extra cpu t
	test=$(basename "$file")
	mem=$(scenario_header "$file" mem)
	smp=$(scenario_header "$file" smp)
	append=$(scenario_header "$file" append)
	extra=$(scenario_header "$file" qemu)
	cpu=$(scenario_header "$file" cpu)
	t=$(scenario_header "$file" timeout)
	# shellcheck disable=SC2086 # $extra is a list of QEMU arguments
	timeout -k 10 "${t:-$GUEST_TIMEOUT}" qemu-system-x86_64 \
		-accel tcg -cpu "${cpu:-$(target_cpu "$name")}" \
		-m "${mem:-2G}" -smp "${smp:-1}" \
		-nographic -no-reboot -net none -monitor none \
		-serial file:"$log.console.log" -serial file:"$log.guest.log" \
		-kernel "$CACHE/kernels/$kver/vmlinuz" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 kh_kernel=$name kh_test=$test${KMEM_HP_REFERENCE:+ kh_driver=$KMEM_HP_REFERENCE} $append" \
		$extra </dev/null >"$log.qemu.log" 2>&1
}

# Section of a console log between two marker prefixes (CRs removed).
log_section() {
	# awk reads to the end: an early exit would SIGPIPE tr (pipefail).
	tr -d '\r' <"$1" | awk -v b="$2" -v e="$3" 'index($0, e) { p = 0 } p { print } index($0, b) { p = 1 }'
}

# judge_guest NAME SCENARIO LOG QEMU_STATUS: print the scenario's result
# lines prefixed with the kernel name, plus FAIL lines for a guest that
# did not finish, reported nothing, or left splats in the kernel log.
judge_guest() {
	local name=$1 sc=$2 out=$3.guest.log con=$3.console.log qrc=$4 results splats
	touch "$out"
	results=$(log_section "$out" "=== KH-RESULTS-BEGIN" "=== KH-RESULTS-END")
	echo "$results" | sed -n "s/^\(PASS\|FAIL\) /\1 $name /p"
	if grep -q '^FAIL ' <<<"$results"; then
		echo "    | guest output: $out, console: $con"
	fi
	if ! grep -q '=== KH-RESULTS-END' "$out"; then
		if [ "$qrc" -eq 124 ]; then
			echo "FAIL $name $sc: expected the guest to finish, saw a timeout (console: $con)"
		else
			echo "FAIL $name $sc: expected the guest to finish, saw it stop early, QEMU status $qrc (console: $con)"
		fi
		tr -d '\r' <"$con" | tail -n 30 | sed 's/^/    | /'
		sed 's/^/    | qemu: /' "$3.qemu.log" 2>/dev/null || true
	elif ! grep -qE '^(PASS|FAIL) ' <<<"$results"; then
		echo "FAIL $name $sc: expected result lines, saw none (console: $con)"
	fi
	# The kernel log: the guest's dmesg dump, or the whole console if the
	# guest never got that far.
	if grep -q '=== KH-DMESG-END' "$out"; then
		splats=$(log_section "$out" "=== KH-DMESG-BEGIN" "=== KH-DMESG-END" | grep -E "$SPLAT_RE" || true)
	else
		splats=$(tr -d '\r' <"$con" | grep -E "$SPLAT_RE" || true)
	fi
	if [ -n "$splats" ]; then
		echo "FAIL $name $sc/kernel-log: expected no BUG/WARNING/Oops/lockdep reports, saw $(echo "$splats" | wc -l) line(s) (console: $con):"
		echo "$splats" | sed -n 1,40p | sed 's/^/    | /'
	fi
}
