#!/bin/bash
# Install the host packages the test machines, cross builds and the
# guide's figures (graphviz, for make docs) need.
# Idempotent: skips apt-get when everything is already there.
set -euo pipefail

pkgs="make gcc gcc-aarch64-linux-gnu libc6-dev-arm64-cross libfdt-dev flex bison bc libelf-dev
      qemu-system-arm qemu-system-x86 bochs bochsbios vgabios
      linux-kbuild-6.1 isolinux syslinux-common xorriso cpio busybox-static kmod
      linux-source-6.1 xz-utils lz4 gnuplot-nox acpica-tools sparse dkms
      graphviz"

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "setup: need root to install:$missing" >&2
	echo "setup: run 'sudo make setup' or install them yourself" >&2
	exit 1
fi
echo "setup: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
