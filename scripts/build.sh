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
for f in Kbuild core el2 irq mm timer uapi vmx; do
	cp -as "$root/$f" "$mod/"
done
log=$b/mod-$arch.log
make -s -C "$b/$arch/kdir" M="$mod" "${kmake[@]}" W=1 modules >"$log" 2>&1 || {
	cat "$log"; echo "build: minihv.ko ($arch) failed" >&2; exit 1; }
if grep -q "warning:" "$log"; then
	cat "$log"; echo "build: minihv.ko ($arch) has warnings" >&2; exit 1
fi
# sparse over every file (C=2), as the kernel's own tree is checked:
# address spaces (__user, __iomem), endianness, lock annotations.
make -s -C "$b/$arch/kdir" M="$mod" "${kmake[@]}" C=2 CHECK=sparse modules \
	>"$log.sparse" 2>&1 || {
	cat "$log.sparse"; echo "build: sparse ($arch) failed" >&2; exit 1; }
if grep -E -q "(warning|error):" "$log.sparse"; then
	cat "$log.sparse"; echo "build: sparse ($arch) has warnings" >&2; exit 1
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
# The benchmarks' guests come from the kselftests' guest library.
tool_src=("$root"/tools/*.c "$root/tools/$tool_arch"/*.c
	  "$root"/selftests/lib/*.c)
# x86: the DSDT is ASL, compiled by iasl (warnings fail) and embedded by
# tools/x86/dsdt.S; the ACPI tables and the UART's interrupt logic are
# checked natively first (scripts/host_tests.sh).
if [ "$tool_arch" = x86 ]; then
	aml=$b/tool-$arch
	mkdir -p "$aml"
	iasl -vs -we -p "$aml/dsdt" "$root/tools/x86/dsdt.asl" \
		>"$aml/iasl.log" 2>&1 || {
		cat "$aml/iasl.log"; echo "build: the DSDT (iasl) failed" >&2
		exit 1; }
	"$root/scripts/host_tests.sh" "$aml/dsdt.aml" "$aml/host-tests"
	tool_src+=(-DMINIHV_DSDT_AML="\"$aml/dsdt.aml\"" "$root/tools/x86/dsdt.S")
fi
$cc "${cflags[@]}" -Wextra -Wno-unused-parameter -o "$out/minihv" \
	"${tool_src[@]}" "${fdt[@]}" -lpthread
# Bare-metal test guests for `minihv run`, as raw binaries. arm64: at the
# start of RAM. x86: 32-bit Multiboot images at 1 MiB, whose ELF files
# are guests too; those in C are freestanding, laid out by x86.ld.
# shellcheck disable=SC2054 # commas inside one -Wl value
case $tool_arch in
arm64)	gflags=(-Wl,-Ttext=0x40000000)
	cguest=(-ffreestanding -fno-pic -no-pie -fno-stack-protector
		-fno-asynchronous-unwind-tables -mgeneral-regs-only
		-mstrict-align -O2 -Wall -Wextra -Werror
		-T "$root/selftests/guests/arm64.ld" -Wl,--no-warn-rwx-segments) ;;
x86)	gflags=(-m32 -Wl,-Ttext=0x100000)
	cguest=(-m32 -ffreestanding -fno-pic -no-pie -fno-stack-protector
		-fno-asynchronous-unwind-tables -O2 -Wall -Wextra -Werror
		-T "$root/selftests/guests/x86.ld" -Wl,--no-warn-rwx-segments
		-idirafter "/usr/include/$(gcc -print-multiarch)") ;;
esac
mkdir -p "$out/guests"
for g in "$root"/selftests/guests/*_"$tool_arch".[Sc]; do
	[ -e "$g" ] || continue
	n=$(basename "${g%.?}" "_$tool_arch")
	if [[ $g == *.c ]]; then
		[ ${#cguest[@]} -gt 0 ] ||
			{ echo "build: no C guests for $arch yet" >&2; exit 1; }
		$cc -nostdlib -static "${cguest[@]}" -Wl,--build-id=none \
			-o "$b/guest-$n.elf" "$g"
	else
		$cc -nostdlib -static "${gflags[@]}" -Wl,--build-id=none \
			-o "$b/guest-$n.elf" "$g"
	fi
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
# The Linux guest: this machine's own kernel and a busybox initramfs.
"$root/scripts/guest_linux.sh" "$arch" "$out/linux"
echo "build: $arch payload ready in ${out#"$root"/}"
