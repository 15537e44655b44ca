#!/bin/bash
# Run the kselftests on the test machines and sum up.
# Usage: scripts/check.sh [machine...]   (default: all six)
# Prints each machine's failures, then its summary line in a fixed order
# (arm64-vhe, arm64-nvhe, arm64-vhe-kvm, arm64-nvhe-kvm, x86-vmx, x86-novmx), then "N passed, N failed".
# Exits non-zero if any machine failed.
set -euo pipefail
# The whole script is one compound command, parsed before it runs: a long
# Bochs boot then survives the script file being edited or checked out.
{

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
order=(arm64-vhe arm64-nvhe arm64-vhe-kvm arm64-nvhe-kvm x86-vmx x86-novmx)

want=("$@")
[ ${#want[@]} -eq 0 ] && want=("${order[@]}")
for m in "${want[@]}"; do
	case " ${order[*]} " in
	*" $m "*) ;;
	*) echo "check: unknown machine '$m' (${order[*]})" >&2; exit 2 ;;
	esac
done
selected() { case " ${want[*]} " in *" $1 "*) return 0 ;; esac; return 1; }

mkdir -p "$top/build"
# One machine's run: its whole output into build/check-<m>.out, its wall
# time into build/check-<m>.time (outside build/<m>/, which machine.sh
# recreates).
run() {
	local m=$1 start=$SECONDS rc=0
	"$here/machine.sh" "$m" check > "$top/build/check-$m.out" 2>&1 || rc=$?
	echo "$((SECONDS - start))" > "$top/build/check-$m.time"
	echo "check: $m finished in $((SECONDS - start)) s (rc $rc)" >&2
}

# Bochs is slow and single-threaded: start it first and boot the QEMU
# machines one after another meanwhile (one Bochs + one QEMU on 2 cores).
bochs_pid=
if selected x86-vmx; then
	run x86-vmx &
	bochs_pid=$!
fi
for m in "${order[@]}"; do
	[ "$m" = x86-vmx ] && continue
	if selected "$m"; then run "$m"; fi
done
if [ -n "$bochs_pid" ]; then wait "$bochs_pid"; fi

total_pass=0 total_fail=0 bad=0
summaries=()
for m in "${order[@]}"; do
	selected "$m" || continue
	out=$top/build/check-$m.out
	re="^$m: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped\$"
	line=$(grep -E "$re" "$out" | tail -n1 || true)
	if [ -z "$line" ]; then
		# machine.sh died before judging: show why, count one failure.
		sed "s/^/$m: /" "$out" | tail -n 20
		line="$m: 0 passed, 1 failed, 0 skipped"
	fi
	grep "^$m: FAIL" "$out" || true
	summaries+=("$line")
	read -r pass fail <<<"$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/')"
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
	[ "$fail" -eq 0 ] || bad=1
done
printf '%s\n' "${summaries[@]}"
echo "$total_pass passed, $total_fail failed"
exit "$bad"
}
