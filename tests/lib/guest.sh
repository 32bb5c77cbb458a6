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
#   # kernels: 6.12 7.2       only run on these targets (default all); the
#                             debug lane runs the scenarios naming 6.12 (its
#                             series) or debug; "# kernels: debug" is debug only
#   # not-kernels: debug      never run on these targets
#   # debug-mem: 8G           mem on the debug lane (debug-qemu: and
#                             debug-append: likewise). KASAN's shadow
#                             and the other checkers' boot-time allocations
#                             fill the Normal zone above a device from the
#                             top; without free Normal memory on its node,
#                             kernel allocations land in the device's
#                             kernel-zone blocks and pin them there
#   # timeout: 300            seconds a guest needs at most here (times
#                             DEBUG_TIMEOUT_FACTOR on the debug lane, unless
#                             "kernels:" names debug: then it is meant for it;
#                             times GUEST_TIMEOUT_FACTOR everywhere)

# Kernel log lines that make a scenario fail whatever its checks said:
# oopses and warnings, and the reports of the debug lane's checkers
# (KASAN, KFENCE "BUG: KFENCE:", UBSAN, lockdep, DEBUG_VM, DEBUG_LIST,
# kmemleak, hung tasks). DEBUG_VM's page dumps say "page dumped because:
# VM_BUG_ON_PAGE(...)" (or VM_WARN_*); the other dump_page() reasons
# ("unmovable page", "migration failure") are what a refused offline
# prints, which scenarios provoke on purpose. "kmemleak: ... disabled"
# means a checker gave up. kmemleak's own "N new suspected memory leaks"
# line is not one: it counts boot-time objects too, which the guest's
# /init leaves out of the report it dumps ("unreferenced object" records
# of objects allocated since the scenario began). Lines matching
# SPLAT_IGNORE_RE are not splats: the debug kernel's boot banner
# mentions lockdep.
SPLAT_IGNORE_RE='RCU lockdep checking is enabled'
SPLAT_RE='BUG:|WARNING:|Oops|Call Trace|general protection|Missing ENDBR|possible recursive locking|circular locking|lockdep|kernel BUG|Kernel panic|UBSAN:|KASAN:|KFENCE:|soft lockup|hung_task|blocked for more than|RCU stall|rcu_sched detected stalls|list_add corruption|list_del corruption|corrupted list|refcount_t:|inconsistent lock state|suspicious RCU usage|sleeping function called from invalid context|page dumped because: VM_|VM_BUG_ON|unreferenced object|kmemleak: .*disabled|Kernel memory leak detector disabled'

# The debug kernel (KASAN, lockdep, kmemleak scans, under TCG) is several
# times slower than the Debian ones: its guests get this many times a
# scenario's time limit.
DEBUG_TIMEOUT_FACTOR=${DEBUG_TIMEOUT_FACTOR:-4}
# Every lane: a margin on top, for machines slower or busier than this one.
GUEST_TIMEOUT_FACTOR=${GUEST_TIMEOUT_FACTOR:-2}

# Cheap checks the Debian kernels already carry, switched on for their
# guests: SLUB consistency checks, red zones, poisoning and user tracking,
# and KFENCE sampling every 100 ms; on 6.1 and 6.12 also freed memory
# wiped and page poisoning. 7.2 wipes or poisons every page of a block
# as it goes online or offline with those two: under TCG that tripled its
# RAM-backed scenarios (10-state-matrix 34 -> 118 s) and made 41-cxl,
# whose memory QEMU emulates access by access, take 366 s instead of
# 12 s; those pages are the kernel's business, not the driver's, which
# the slab checks and the debug lane's KASAN cover. A scenario's append
# can override them (it comes last). (The debug kernel has KASAN and
# KFENCE instead.)
debian_checks() {
	case $(target_series "$1") in
	6.1 | 6.12) echo "slub_debug=FZPU init_on_free=1 page_poison=1 kfence.sample_interval=100" ;;
	*) echo "slub_debug=FZPU kfence.sample_interval=100" ;;
	esac
}

scenario_header() {
	sed -n "s/^# $2: *//p" "$1" | sed -n 1p
}

# lane_header LANE FILE NAME: header NAME of a scenario for a lane; the
# debug lane takes "debug-NAME" where the scenario has one.
lane_header() {
	if ! target_is_debian "$1" && grep -q "^# debug-$3:" "$2"; then
		scenario_header "$2" "debug-$3"
	else
		scenario_header "$2" "$3"
	fi
}

# Does scenario file $1 run on kernel name $2?
scenario_wants_kernel() {
	local ks
	ks=$(scenario_header "$1" not-kernels)
	case " $ks " in *" $2 "*) return 1 ;; esac
	ks=$(scenario_header "$1" kernels)
	[ -z "$ks" ] && return 0
	case " $ks " in *" $2 "* | *" $(target_series "$2") "*) return 0 ;; esac
	return 1
}

# boot_guest NAME KVER INITRD SCENARIO_FILE LOG
# Runs the guest to completion (or timeout); returns QEMU's status (124 on
# timeout). The console (ttyS0) goes to LOG.console.log, the guest's
# results and kernel log dump (ttyS1) to LOG.guest.log, QEMU's own
# messages to LOG.qemu.log.
boot_guest() {
	local name=$1 kver=$2 initrd=$3 file=$4 log=$5 test mem smp append extra cpu t checks=
	test=$(basename "$file")
	mem=$(lane_header "$name" "$file" mem)
	smp=$(scenario_header "$file" smp)
	append=$(lane_header "$name" "$file" append)
	extra=$(lane_header "$name" "$file" qemu)
	cpu=$(scenario_header "$file" cpu)
	t=$(scenario_header "$file" timeout)
	t=${t:-$GUEST_TIMEOUT}
	# Headers give what a guest needs here; CI machines are slower and
	# busier (a 41-cxl guest took 250 of its 300 s there): a margin.
	t=$((t * GUEST_TIMEOUT_FACTOR))
	if target_is_debian "$name"; then
		checks=$(debian_checks "$name")
	elif ! scenario_header "$file" kernels | grep -qw "$name"; then
		t=$((t * DEBUG_TIMEOUT_FACTOR))
	fi
	# The scenario's append comes last: it can override the checks.
	# shellcheck disable=SC2086 # $extra is a list of QEMU arguments
	timeout -k 10 "$t" qemu-system-x86_64 \
		-accel tcg -cpu "${cpu:-$(target_cpu "$name")}" \
		-m "${mem:-2G}" -smp "${smp:-1}" \
		-nographic -no-reboot -net none -monitor none \
		-serial file:"$log.console.log" -serial file:"$log.guest.log" \
		-kernel "$CACHE/kernels/$kver/vmlinuz" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 kh_kernel=$(target_series "$name") kh_lane=$name kh_test=$test${KMEM_HP_REFERENCE:+ kh_driver=$KMEM_HP_REFERENCE} $checks $append" \
		$extra </dev/null >"$log.qemu.log" 2>&1
}

# emulator_aborted LOG QEMU_STATUS: did QEMU itself crash (SIGABRT, 134,
# with one of its own assertion messages in LOG.qemu.log)? Seen once in
# ~4,000 guest checks: TCG's "iotlb_to_section: Assertion `section_index
# < d->map.sections_nb' failed" while the guest kernel was still probing
# PCI, long before any scenario step. That is the emulator's fault, not
# the guest's, so such a guest earns one more boot; anything else (a
# panic, a timeout, a guest that stopped early by itself) is judged as is.
emulator_aborted() {
	[ "$2" = 134 ] && grep -q '^qemu-system-x86_64: .*Assertion .* failed' "$1.qemu.log"
}

# Section of a console log between two marker prefixes (CRs removed).
log_section() {
	# awk reads to the end: an early exit would SIGPIPE tr (pipefail).
	tr -d '\r' <"$1" | awk -v b="$2" -v e="$3" 'index($0, e) { p = 0 } p { print } index($0, b) { p = 1 }'
}

# Kernel log on stdin without the stack dumps the fault-injection
# framework prints on purpose: with an attribute's verbose=2 an injected
# failure logs "FAULT_INJECTION: forcing a failure." followed by a
# dump_stack() (CPU/Hardware name/Call Trace/<TASK> ... </TASK>). Those
# lines, up to the dump's </TASK> (at most 100 lines), are dropped; a
# real splat printed in the middle of such a dump would be hidden too,
# which is the price of keeping this simple.
drop_fault_injection_dumps() {
	awk '/FAULT_INJECTION: forcing a failure/ { skip = 100 }
		skip > 0 { skip--; if (/<\/TASK>/) skip = 0; next }
		{ print }'
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
		splats=$(log_section "$out" "=== KH-DMESG-BEGIN" "=== KH-DMESG-END" |
			drop_fault_injection_dumps | grep -E "$SPLAT_RE" | grep -vE "$SPLAT_IGNORE_RE" || true)
	else
		splats=$(tr -d '\r' <"$con" | drop_fault_injection_dumps | grep -E "$SPLAT_RE" |
			grep -vE "$SPLAT_IGNORE_RE" || true)
	fi
	if [ -n "$splats" ]; then
		echo "FAIL $name $sc/kernel-log: expected no BUG/WARNING/Oops/KASAN/lockdep/UBSAN/kmemleak reports, saw $(echo "$splats" | wc -l) line(s) (console: $con):"
		echo "$splats" | sed -n 1,40p | sed 's/^/    | /'
	fi
}
