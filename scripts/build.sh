#!/bin/bash
# Build everything one test machine architecture needs, into
# build/payload-<arch>/: minihv.ko (W=1, warnings are errors), the static
# minihv tool and the static kselftests.
#   scripts/build.sh arm64|amd64
set -euo pipefail

arch=${1:?usage: build.sh arm64|amd64}
root=$(cd "$(dirname "$0")/.." && pwd)
b=$root/build

case $arch in
arm64)	kmake=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
	cc=aarch64-linux-gnu-gcc strip=aarch64-linux-gnu-strip ;;
amd64)	kmake=(ARCH=x86)
	cc=gcc strip=strip ;;
*)	echo "build: unknown arch $arch" >&2; exit 2 ;;
esac

"$root/scripts/fetch.sh" "$arch"
"$root/scripts/ksrc.sh"

# Kbuild writes objects beside the sources: give each arch its own tree
# of symlinks so both can be built from one checkout.
mod=$b/mod-$arch
rm -rf "$mod" && mkdir -p "$mod"
for f in Kbuild core el2 mm uapi vmx; do
	cp -as "$root/$f" "$mod/"
done
log=$b/mod-$arch.log
make -s -C "$b/$arch/kdir" M="$mod" "${kmake[@]}" W=1 modules >"$log" 2>&1 || {
	cat "$log"; echo "build: minihv.ko ($arch) failed" >&2; exit 1; }
if grep -q "warning:" "$log"; then
	cat "$log"; echo "build: minihv.ko ($arch) has warnings" >&2; exit 1
fi

out=$b/payload-$arch
rm -rf "$out" && mkdir -p "$out/tests"
# Debug info only slows module loading in the emulated machines.
$strip --strip-debug -o "$out/minihv.ko" "$mod/minihv.ko"

# x86: Debian's own KVM modules, for the coexistence tests. objcopy drops
# the appended signature, whose check is most of a load under Bochs.
if [ "$arch" = amd64 ]; then
	mkdir -p "$out/kvm"
	for m in virt/lib/irqbypass arch/x86/kvm/kvm arch/x86/kvm/kvm-intel; do
		$strip --strip-debug -o "$out/kvm/${m##*/}.ko" \
			"$b/amd64/modules/kernel/$m.ko"
	done
fi

cflags=(-static -O2 -Wall -Werror)
$cc "${cflags[@]}" -Wextra -o "$out/minihv" "$root"/tools/*.c
for t in "$root"/selftests/*_test.c; do
	$cc "${cflags[@]}" -I "$b/ksrc/tools/testing/selftests" \
		-I "$root/selftests" -o "$out/tests/$(basename "$t" .c)" \
		"$t" "$root"/selftests/lib/*.c
done
echo "build: $arch payload ready in ${out#"$root"/}"
