#!/bin/bash
# Sourced by check_debug.sh and fuzz.sh: the debug kernel
# (scripts/debug_kernel.sh) of $debug_arch (arm64, the default, or amd64),
# minihv.ko built against it (and on amd64 KVM's modules from the same
# tree, for kvm_coexist_test), and a payload root beside the usual one
# that holds them. Needs $here and $top; sets MINIHV_PAYLOAD_ROOT,
# MINIHV_KERNEL, MINIHV_TIMEOUT and debug_ko (the unstripped module, for
# counting its KCOV points).
# MINIHV_TESTS="a_test b_test": only these test binaries (and
# zz_kernel_log_test, the judge).
debug_arch=${debug_arch:-arm64}
# shellcheck source=scripts/kernel_arch.sh
. "$here/kernel_arch.sh" "$debug_arch"
kdir=$("$here/debug_kernel.sh" "$debug_arch")
"$here/build.sh" "$debug_arch" >/dev/null

mod=$top/build/mod-$debug_arch-debug
rm -rf "$mod"
mkdir -p "$mod"
for d in Kbuild core el2 irq mm timer uapi vmx; do
	cp -as "$top/$d" "$mod/"
done
make -s -C "$kdir" M="$mod" ARCH="$karch" CROSS_COMPILE="$cross" \
	-j"$(nproc)" modules
debug_ko=$mod/minihv.ko
root=$top/build/debug-payload-$debug_arch
pl=$root/payload-$debug_arch
rm -rf "$root"
mkdir -p "$root"
cp -a "$top/build/payload-$debug_arch" "$root/"
"${cross}strip" --strip-debug -o "$pl/minihv.ko" "$debug_ko"
if [ -d "$pl/kvm" ]; then
	for km in virt/lib/irqbypass arch/x86/kvm/kvm arch/x86/kvm/kvm-intel; do
		strip --strip-debug -o "$pl/kvm/${km##*/}.ko" "$kdir/$km.ko"
	done
fi
if [ -n "${MINIHV_TESTS:-}" ]; then
	for t in "$pl"/tests/*_test; do
		case " $MINIHV_TESTS zz_kernel_log_test " in
		*" $(basename "$t") "*) ;;
		*) rm -f "$t" ;;
		esac
	done
fi

export MINIHV_PAYLOAD_ROOT=$root
export MINIHV_KERNEL=$kdir/arch/$karch/boot/$image
# The checkers slow the kernel several times over (Bochs: see the README).
if [ "$debug_arch" = amd64 ]; then
	export MINIHV_TIMEOUT=${MINIHV_TIMEOUT:-14400}
else
	export MINIHV_TIMEOUT=${MINIHV_TIMEOUT:-3600}
fi
