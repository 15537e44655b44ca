#!/bin/bash
# make bench: minihv bench on the VT/EL2 test machines, in deterministic
# emulated time (QEMU -icount, Bochs' instruction-counting TSC: see
# scripts/machine.sh), into bench/results.csv, a table on stdout and,
# with gnuplot, the chart bench/results.png.
# Usage: scripts/bench.sh [machine...]  (default arm64-nvhe arm64-vhe x86-vmx)
# MINIHV_BENCH_ITERATIONS: samples per benchmark (default 1000).
set -euo pipefail
{
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
machines=("$@")
[ ${#machines[@]} -eq 0 ] && machines=(arm64-nvhe arm64-vhe x86-vmx)
export MINIHV_BENCH_ITERATIONS=${MINIHV_BENCH_ITERATIONS:-1000}
mkdir -p "$top/bench" "$top/build"
csv=$top/bench/results.csv
n=0 bad=0
for m in "${machines[@]}"; do
	n=$((n + 1))
	echo "bench: $m ($n of ${#machines[@]}), $MINIHV_BENCH_ITERATIONS samples per benchmark" >&2
	"$here/machine.sh" "$m" bench > "$top/build/bench-$m.out" 2>&1 || {
		echo "bench: $m failed:" >&2
		tail -n 20 "$top/build/bench-$m.out" >&2
		bad=1
	}
	tr -d '\r' < "$top/build/$m/console.log" |
		sed -n 's/^MINIHV-CSV //p' > "$top/build/bench-$m.csv"
done
{
	echo "machine,benchmark,backend,min,median,mean,iterations"
	for m in "${machines[@]}"; do
		grep -v '^machine,' "$top/build/bench-$m.csv" || true
	done
} > "$csv"
echo "bench: ${csv#"$top"/} (emulated: arm64 ns under QEMU -icount shift=0, x86 TSC cycles of Bochs, both one per instruction)" >&2
column -s, -t < "$csv"

if command -v gnuplot >/dev/null; then
	# One cluster per benchmark, a bar per machine (medians, log scale).
	dat=$top/build/bench.dat
	awk -F, 'NR > 1 { v[$2 "," $1] = $5; b[$2]; m[$1] }
		END { printf "benchmark"; for (k in m) printf " %s", k; print "";
		      for (x in b) { printf "%s", x;
			for (k in m) printf " %s", ((x "," k) in v) ? v[x "," k] : "-";
			print "" } }' "$csv" > "$dat"
	cols=$(head -n1 "$dat" | wc -w)
	gnuplot <<-PLOT
	set terminal pngcairo size 900,500 noenhanced
	set output "$top/bench/results.png"
	set title "minihv micro-benchmarks, median per operation (emulated)"
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
