#!/bin/bash
# The Linux guest of the test machines, into <out>/: the machine's own
# kernel (Debian's, fetched by scripts/fetch.sh) and a small busybox
# initramfs for it (scripts/guest_init, plus /data and its checksum for
# the test). `make run GUEST=linux` and selftests/linux_guest_test.c boot it.
#   scripts/guest_linux.sh arm64|amd64 <out>
set -euo pipefail

arch=${1:?usage: guest_linux.sh arm64|amd64 <out>}
out=${2:?usage: guest_linux.sh arm64|amd64 <out>}
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")

stage=$(mktemp -d "$top/build/.guest-$arch.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$out" "$stage"/{bin,dev,proc,sys,tmp}
cp -L "$top/build/$arch/busybox" "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
install -m 755 "$here/guest_init" "$stage/init"
if [ "$(id -u)" = 0 ]; then
	mknod -m 600 "$stage/dev/console" c 5 1
fi
# Known content for a checksum the guest computes and the test compares.
seq 1 100000 > "$stage/data"
sha256sum "$stage/data" | cut -d' ' -f1 > "$out/data.sha256"
(cd "$stage" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
	cpio --null --create --format=newc --owner=0:0 --quiet) |
	gzip -n -6 > "$out/initrd.gz"
# x86: the kernel inside the bzImage, uncompressed, booted through its
# PVH entry (minihv run takes either): the XZ decompressor costs ~55 s
# in Bochs before minihv's own overhead. The setup header says where the
# compressed vmlinux is (boot.rst: payload_offset and payload_length,
# protocol 2.08, counted from the protected-mode code after the setup
# sectors); the kernel's scripts/extract-vmlinux finds it by scanning.
vmlinux() {
	local bz=$1 setup off len magic
	le() { od -An -t"u$2" -j "$1" -N "$2" "$bz" | tr -d ' '; }
	setup=$(le $((0x1f1)) 1)
	[ "$setup" = 0 ] && setup=4
	off=$(( (setup + 1) * 512 + $(le $((0x248)) 4) ))
	len=$(le $((0x24c)) 4)
	magic=$(od -An -tx1 -j "$off" -N 6 "$bz" | tr -d ' ')
	dd if="$bz" iflag=skip_bytes,count_bytes skip="$off" count="$len" \
		bs=1M status=none | case $magic in
	fd377a585a00) xz -dc --single-stream ;;
	1f8b*) gzip -dc 2>/dev/null || [ $? = 2 ] ;;	# 2: trailing size
	*) echo "guest_linux: $bz: payload $magic is not XZ or gzip" >&2
	   exit 1 ;;
	esac
}
if [ "$arch" = amd64 ]; then
	vmlinux "$top/build/$arch/vmlinuz" > "$stage/vmlinux"
	head -c 4 "$stage/vmlinux" | grep -q ELF ||
		{ echo "guest_linux: no vmlinux in the bzImage" >&2; exit 1; }
	mv "$stage/vmlinux" "$out/kernel"
else
	cp -L "$top/build/$arch/vmlinuz" "$out/kernel"
fi
# The kernel command line both use; minihv.test= is added to it.
case $arch in
arm64)	console=ttyAMA0 ;;
amd64)	console=ttyS0 ;;
esac
extra=
# x86 in Bochs: the crypto self-tests are ~20 s of the guest's boot (as
# for the test machine's own kernel). Not rodata=off: this kernel's W+X
# check runs anyway and then WARNs about the writable kernel text.
[ "$arch" = amd64 ] && extra=" cryptomgr.notests"
echo "console=$console panic=-1 quiet$extra" > "$out/cmdline"
