#!/bin/bash
# make fuzz: the long run of selftests/fuzz_test.c on the VT/EL2 test
# machines, one machine at a time; a table of calls, seconds and reports.
# make fuzz-debug (MINIHV_FUZZ_DEBUG=1): the same on the debug kernel of
# make check-debug (arm64), where KCOV guides the fuzzer; the coverage is
# reported against the KCOV points compiled into minihv.ko.
# Usage: scripts/fuzz.sh [machine...]  (default arm64-nvhe arm64-vhe x86-vmx)
# MINIHV_FUZZ_CALLS (1000000), MINIHV_FUZZ_SEED (1), MINIHV_FUZZ_THREADS (2).
set -euo pipefail
{
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
machines=("$@")
points=
if [ -n "${MINIHV_FUZZ_DEBUG:-}" ]; then
	[ ${#machines[@]} -eq 0 ] && machines=(arm64-nvhe arm64-vhe)
	MINIHV_TESTS=fuzz_test
	. "$here/debug_payload.sh"
	# Each call to the KCOV hook is one point: the PCs KCOV can report.
	points=$(aarch64-linux-gnu-objdump -dr "$debug_ko" |
		 grep -c "R_AARCH64_CALL26.*__sanitizer_cov_trace_pc" || true)
fi
[ ${#machines[@]} -eq 0 ] && machines=(arm64-nvhe arm64-vhe x86-vmx)
export MINIHV_FUZZ_CALLS=${MINIHV_FUZZ_CALLS:-1000000}
export MINIHV_FUZZ_SEED=${MINIHV_FUZZ_SEED:-1}
export MINIHV_FUZZ_THREADS=${MINIHV_FUZZ_THREADS:-2}
# Bochs runs a few thousand calls a second at best: give it hours.
export MINIHV_TIMEOUT=${MINIHV_TIMEOUT:-14400}
bad=0
for m in "${machines[@]}"; do
	echo "fuzz: $m, $MINIHV_FUZZ_CALLS calls, seed $MINIHV_FUZZ_SEED, $MINIHV_FUZZ_THREADS threads" >&2
	start=$(date +%s)
	rc=0
	"$here/machine.sh" "$m" fuzz > "$top/build/fuzz-$m.out" 2>&1 || rc=$?
	log=$top/build/$m/console.log
	line=$(tr -d '\r' < "$log" | grep -o 'MINIHV-FUZZ calls=.*' | tail -n1 || true)
	reports=$(tr -d '\r' < "$log" | grep -c 'minihv-fuzz: REPORT' || true)
	cover=
	if [ -n "$points" ]; then
		pcs=$(sed -n 's/.* pcs=\([0-9]*\).*/\1/p' <<< "$line")
		[ -n "$pcs" ] && cover=" coverage=$pcs/$points ($(( pcs * 100 / points ))%)"
	fi
	echo "fuzz: $m: rc=$rc ${line#MINIHV-FUZZ } reports=$reports$cover wall=$(( $(date +%s) - start ))s"
	if [ "$rc" != 0 ]; then
		bad=1
		tail -n 40 "$top/build/fuzz-$m.out" >&2
	fi
done
exit $bad
}
