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
	cc=aarch64-linux-gnu-gcc strip=aarch64-linux-gnu-strip
	objcopy=aarch64-linux-gnu-objcopy tool_arch=arm64
	fdt=(-I "$b/arm64/fdt/usr/include"
	     "$b/arm64/fdt/usr/lib/aarch64-linux-gnu/libfdt.a") ;;
amd64)	kmake=(ARCH=x86)
	cc=gcc strip=strip objcopy=objcopy tool_arch=x86 fdt=(-lfdt) ;;
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
$cc "${cflags[@]}" -Wextra -Wno-unused-parameter -o "$out/minihv" \
	"$root"/tools/*.c "$root/tools/$tool_arch"/*.c "${fdt[@]}" -lpthread
# Bare-metal test guests for `minihv run`, as raw binaries. arm64: at the
# start of RAM. x86: 32-bit Multiboot images at 1 MiB, whose ELF files
# are guests too.
# shellcheck disable=SC2054 # commas inside one -Wl value
case $tool_arch in
arm64)	gflags=(-Wl,-Ttext=0x40000000) ;;
x86)	gflags=(-m32 -Wl,-Ttext=0x100000) ;;
esac
mkdir -p "$out/guests"
for g in "$root"/selftests/guests/*_"$tool_arch".S; do
	[ -e "$g" ] || continue
	n=$(basename "$g" "_$tool_arch.S")
	$cc -nostdlib -static "${gflags[@]}" -Wl,--build-id=none \
		-o "$b/guest-$n.elf" "$g"
	$objcopy -O binary "$b/guest-$n.elf" "$out/guests/$n.bin"
	if [ "$tool_arch" = x86 ]; then
		cp "$b/guest-$n.elf" "$out/guests/$n.elf"
	fi
done
for t in "$root"/selftests/*_test.c; do
	$cc "${cflags[@]}" -I "$b/ksrc/tools/testing/selftests" \
		-I "$root/selftests" -o "$out/tests/$(basename "$t" .c)" \
		"$t" "$root"/selftests/lib/*.c -lpthread
done
echo "build: $arch payload ready in ${out#"$root"/}"
