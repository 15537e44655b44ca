#!/bin/bash
# make bench: minihv bench beside KVM (minihv bench --backend both, in the
# machines where KVM is there too), in deterministic emulated time (QEMU -icount, Bochs' instruction-counting TSC: see
# scripts/machine.sh), into bench/results.csv, a table on stdout and,
# with gnuplot, the chart bench/results.png.
# Usage: scripts/bench.sh [machine...]  (default arm64-nvhe-kvm arm64-vhe-kvm
# x86-vmx; on arm64-nvhe and arm64-vhe KVM is off: minihv alone)
# MINIHV_BENCH_ITERATIONS: samples per benchmark and back end (default 1000).
# MINIHV_BENCH_ROUNDS: rounds per back end, alternating (default 3).
# MINIHV_BENCH_SCALE: the scale measures' options (scripts/machine.sh; "off"
# skips them), their rows into bench/scale.csv.
set -euo pipefail
{
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
machines=("$@")
[ ${#machines[@]} -eq 0 ] && machines=(arm64-nvhe-kvm arm64-vhe-kvm x86-vmx)
export MINIHV_BENCH_ITERATIONS=${MINIHV_BENCH_ITERATIONS:-1000}
mkdir -p "$top/bench" "$top/build"
csv=$top/bench/results.csv
n=0 bad=0
for m in "${machines[@]}"; do
	n=$((n + 1))
	echo "bench: $m ($n of ${#machines[@]}), $MINIHV_BENCH_ITERATIONS samples per benchmark" >&2
	# Progress: the tool's "bench: round n of m, <backend>: <name>" lines.
	rm -f "$top/build/$m/console.log"
	"$here/machine.sh" "$m" bench > "$top/build/bench-$m.out" 2>&1 &
	pid=$!
	tail -n +1 -F --pid=$pid "$top/build/$m/console.log" 2>/dev/null |
		sed -u -n "s/\r//; s/^bench: round/  $m: round/p" >&2 &
	wait $pid || {
		echo "bench: $m failed:" >&2
		tail -n 20 "$top/build/bench-$m.out" >&2
		bad=1
	}
	wait
	tr -d '\r' < "$top/build/$m/console.log" |
		sed -n 's/^MINIHV-CSV //p' > "$top/build/bench-$m.csv"
	tr -d '\r' < "$top/build/$m/console.log" |
		sed -n 's/^MINIHV-SCALE //p' > "$top/build/scale-$m.csv"
done
{
	echo "machine,benchmark,backend,min,median,mean,iterations"
	for m in "${machines[@]}"; do
		grep -v '^machine,' "$top/build/bench-$m.csv" || true
	done
} > "$csv"
echo "bench: ${csv#"$top"/} (emulated: arm64 ns under QEMU -icount shift=0, x86 TSC cycles of Bochs, both one per instruction)" >&2
column -s, -t < "$csv"

# The scale measures (minihv bench --scale), where they ran.
scsv=$top/bench/scale.csv
{
	echo "machine,measure,backend,value,unit,detail"
	for m in "${machines[@]}"; do
		grep -v '^machine,' "$top/build/scale-$m.csv" || true
	done
} > "$scsv"
if [ "$(wc -l < "$scsv")" -gt 1 ]; then
	echo "bench: ${scsv#"$top"/}" >&2
	# The detail is quoted and may hold commas: show it as it is.
	awk -F, '{ d = $0; for (i = 0; i < 5; i++) sub(/^[^,]*,/, "", d)
		   printf "%-15s %-13s %-7s %12s %-18s %s\n", $1, $2, $3, $4, $5, d }' "$scsv"
fi

if command -v gnuplot >/dev/null; then
	# One cluster per benchmark, a bar per machine and back end (medians,
	# log scale).
	dat=$top/build/bench.dat
	awk -F, 'NR > 1 { k = $1 "/" $3; v[$2 "," k] = $5; b[$2]; m[k] }
		END { printf "benchmark"; for (k in m) printf " %s", k; print "";
		      for (x in b) { printf "%s", x;
			for (k in m) printf " %s", ((x "," k) in v) ? v[x "," k] : "-";
			print "" } }' "$csv" > "$dat"
	cols=$(head -n1 "$dat" | wc -w)
	gnuplot <<-PLOT
	set terminal pngcairo size 900,500 noenhanced
	set output "$top/bench/results.png"
	set title "minihv vs KVM micro-benchmarks, median per operation (emulated)"
	set style data histograms
	set style histogram clustered
	set style fill solid border -1
	set logscale y
	set datafile missing "-"
	set key autotitle columnheader
	set xtics rotate by -30
	plot for [i=2:$cols] "$dat" using i:xtic(1)
	PLOT
	echo "bench: bench/results.png" >&2
fi
exit "$bad"
}
