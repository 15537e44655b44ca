#!/bin/bash
# The Linux guest of `make run GUEST=linux` booted by the emulator itself,
# without minihv: the same kernel, initramfs, command line (with
# minihv.test=off: power off as soon as init runs), 2 CPUs and 256 MiB,
# as QEMU -kernel (arm64) or from an isolinux ISO in Bochs (x86). The
# reference for minihv's boot figures in the README.
#   scripts/boot_direct.sh <arm64|amd64>
# Prints the host's wall seconds to power-off and the kernel's own
# uptime at power-off (by the guest's clock), which is init's start plus
# the power-off itself.
set -euo pipefail
arch=${1:?usage: boot_direct.sh <arm64|amd64>}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
linux=$top/build/payload-$arch/linux
wd=$top/build/direct-$arch
[ -f "$linux/initrd.gz" ] || { echo "boot_direct: build the $arch payload first (scripts/build.sh $arch)" >&2; exit 2; }
rm -rf "$wd" && mkdir -p "$wd"
append="$(cat "$linux/cmdline") minihv.test=off"
log=$wd/console.log
start=$(date +%s.%N)
case $arch in
arm64)
	# shellcheck disable=SC2054 # commas inside one -M/-cpu value
	timeout 600 qemu-system-aarch64 -M virt,gic-version=3 \
		-cpu max,pauth-impdef=on -accel tcg -smp 2 -m 256 -nographic \
		-no-reboot -nic none -kernel "$top/build/arm64/vmlinuz" \
		-initrd "$linux/initrd.gz" -append "$append" \
		</dev/null >"$log" 2>&1
	;;
amd64)
	# As the x86-vmx machine boots (scripts/machine.sh): Bochs' TSC
	# ticks once per instruction, and its XSAVE size needs noxsave.
	ips=50000000
	mkdir -p "$wd/iso/isolinux"
	cp /usr/lib/ISOLINUX/isolinux.bin \
		/usr/lib/syslinux/modules/bios/ldlinux.c32 "$wd/iso/isolinux/"
	cp -L "$top/build/amd64/vmlinuz" "$wd/iso/vmlinuz"
	cp "$linux/initrd.gz" "$wd/iso/initrd.img"
	cat > "$wd/iso/isolinux/isolinux.cfg" <<-EOF
	SERIAL 0 115200
	DEFAULT linux
	PROMPT 0
	TIMEOUT 0
	LABEL linux
	  KERNEL /vmlinuz
	  INITRD /initrd.img
	  APPEND $append noxsave idle=halt tsc_early_khz=$((ips / 1000))
	EOF
	xorriso -as mkisofs -quiet -o "$wd/boot.iso" -b isolinux/isolinux.bin \
		-c isolinux/boot.cat -no-emul-boot -boot-load-size 4 \
		-boot-info-table "$wd/iso" 2>"$wd/xorriso.log"
	sed -e "s|@MEM@|256|g" -e "s|@CPUS@|2|g" -e "s|@IPS@|$ips|g" \
	    -e "s|@ISO@|$wd/boot.iso|g" -e "s|@SERIAL@|$log|g" \
	    "$here/bochsrc.in" > "$wd/bochsrc"
	printf 'c\nquit\n' > "$wd/dbg.rc"
	timeout 900 bochs -q -f "$wd/bochsrc" -rc "$wd/dbg.rc" \
		-log "$wd/bochs.log" </dev/null >"$wd/bochs.out" 2>&1 || true
	;;
*)
	echo "boot_direct: arm64 or amd64" >&2
	exit 2
	;;
esac
end=$(date +%s.%N)
# init powers off at once; the kernel stamps that, by its own clock.
up=$(grep -a -o '\[ *[0-9.]*\] reboot: Power down' "$log" | tr -d '[]' |
	awk '{ print $1; exit }')
[ -n "$up" ] || { echo "boot_direct: the guest never powered off (see $log)" >&2; exit 1; }
awk -v s="$start" -v e="$end" -v up="$up" -v a="$arch" 'BEGIN {
	printf "boot_direct: %s: power-off at %s s of the kernel'\''s uptime, after %.1f s of the host'\''s\n", a, up, e - s }'
