#!/bin/bash
# Sourced by check_debug.sh and fuzz.sh: the debug kernel
# (scripts/debug_kernel.sh), minihv.ko built against it, and a payload
# root beside the usual one that holds it. Needs $here and $top; sets
# MINIHV_PAYLOAD_ROOT, MINIHV_KERNEL, MINIHV_TIMEOUT and debug_ko (the
# unstripped module, for counting its KCOV points).
# MINIHV_TESTS="a_test b_test": only these test binaries (and
# zz_kernel_log_test, the judge).
kdir=$("$here/debug_kernel.sh")
"$here/build.sh" arm64 >/dev/null

mod=$top/build/mod-arm64-debug
rm -rf "$mod"
mkdir -p "$mod"
for d in Kbuild core el2 irq mm timer uapi vmx; do
	cp -as "$top/$d" "$mod/"
done
make -s -C "$kdir" M="$mod" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
	-j"$(nproc)" modules
debug_ko=$mod/minihv.ko
root=$top/build/debug-payload
rm -rf "$root"
mkdir -p "$root"
cp -a "$top/build/payload-arm64" "$root/"
aarch64-linux-gnu-strip --strip-debug -o "$root/payload-arm64/minihv.ko" \
	"$debug_ko"
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
