#!/bin/bash
# make check-debug: the whole kselftest suite (the fuzzer's short run and
# the escape suite included) on the debug kernel (scripts/debug_kernel.sh:
# KASAN, KCOV, lockdep, kmemleak, UBSAN, KFENCE, fault injection), in
# both arm64 modes. zz_kernel_log_test fails on any report in the log and
# scans kmemleak at the end.
# Usage: scripts/check_debug.sh [machine...]  (default arm64-nvhe arm64-vhe)
# MINIHV_TESTS="escape_test faults_test": only these test binaries (and
# zz_kernel_log_test, the judge).
set -euo pipefail
{
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
machines=("$@")
[ ${#machines[@]} -eq 0 ] && machines=(arm64-nvhe arm64-vhe)

kdir=$("$here/debug_kernel.sh")
"$here/build.sh" arm64 >/dev/null

# minihv.ko built against the debug kernel, beside the usual payload.
mod=$top/build/mod-arm64-debug
rm -rf "$mod"
mkdir -p "$mod"
for d in Kbuild core el2 irq mm timer uapi vmx; do
	cp -as "$top/$d" "$mod/"
done
make -s -C "$kdir" M="$mod" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
	-j"$(nproc)" modules
root=$top/build/debug-payload
rm -rf "$root"
mkdir -p "$root"
cp -a "$top/build/payload-arm64" "$root/"
aarch64-linux-gnu-strip --strip-debug -o "$root/payload-arm64/minihv.ko" \
	"$mod/minihv.ko"
if [ -n "${MINIHV_TESTS:-}" ]; then
	for t in "$root"/payload-arm64/tests/*_test; do
		case " $MINIHV_TESTS zz_kernel_log_test " in
		*" $(basename "$t") "*) ;;
		*) rm -f "$t" ;;
		esac
	done
fi

export MINIHV_PAYLOAD_ROOT=$root
export MINIHV_KERNEL=$kdir/arch/arm64/boot/Image
# The checkers slow the kernel several times over.
export MINIHV_TIMEOUT=${MINIHV_TIMEOUT:-3600}
bad=0
for m in "${machines[@]}"; do
	start=$(date +%s)
	rc=0
	"$here/machine.sh" "$m" check || rc=$?
	cp "$top/build/$m/console.log" "$top/build/debug-$m.log"
	echo "check-debug: $m: rc=$rc in $(( $(date +%s) - start )) s (log build/debug-$m.log)"
	[ "$rc" = 0 ] || bad=1
done
exit $bad
}
