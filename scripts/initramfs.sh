#!/bin/bash
# Pack a test machine's initramfs: busybox, /init, and the payload at /payload.
# Usage: scripts/initramfs.sh arm64|amd64 <payload-dir> <out.cpio.gz>
set -euo pipefail

arch=${1:?usage: initramfs.sh arm64|amd64 <payload-dir> <out.cpio.gz>}
payload=${2:?payload dir missing}
out=${3:?output file missing}
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")

[ -d "$payload" ] || { echo "initramfs: no payload dir $payload" >&2; exit 1; }
"$here/fetch.sh" "$arch"
bb=$top/build/$arch/busybox

stage=$(mktemp -d "$top/build/.initramfs-$arch.XXXXXX")
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage"/{bin,dev,proc,sys,tmp,root,payload}
cp "$bb" "$stage/bin/busybox"
# Only sh is linked here: busybox is the target's arch and may not run on the
# host, so /init itself runs `busybox --install -s` on the machine.
ln -s busybox "$stage/bin/sh"
install -m 755 "$here/init" "$stage/init"
cp -a "$payload/." "$stage/payload/"

# The kernel opens /dev/console for PID 1 before /init can mount devtmpfs.
# Debian's kernel has a built-in initramfs with that node; making it here too
# (needs root) keeps us independent of that detail.
if [ "$(id -u)" = 0 ]; then
	mknod -m 600 "$stage/dev/console" c 5 1
fi

mkdir -p "$(dirname "$out")"
# Sorted names and root ownership: the same inputs give the same archive
# contents.
(cd "$stage" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
	cpio --null --create --format=newc --owner=0:0 --quiet) |
	gzip -n -6 > "$out.tmp"
mv "$out.tmp" "$out"
