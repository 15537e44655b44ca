#!/bin/bash
# Build a debug test kernel from Debian's linux-source-6.1: allnoconfig
# plus scripts/debug.config and the architecture's own fragment
# (debug-<arch>.config): KASAN, KCOV, lockdep, kmemleak, UBSAN, KFENCE,
# fault injection. Kept in build/debug-<arch>/<key>, the key a hash of the
# fragments and of this script, so it is built once.
# Usage: scripts/debug_kernel.sh [arm64|amd64]  (default arm64)
# Prints the build directory (the module's kdir, and its boot image).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
arch=${1:-arm64}
# shellcheck source=scripts/kernel_arch.sh
. "$top/scripts/kernel_arch.sh" "$arch" ||
	{ echo "usage: debug_kernel.sh [arm64|amd64]" >&2; exit 2; }
frags=("$top/scripts/debug.config" "$top/scripts/debug-$arch.config")
key=$(cat "${frags[@]}" "$0" | sha256sum | cut -c1-12)
out=$top/build/debug-$arch/$key
src=$top/build/debug-src/linux-source-6.1
kmake=(make -s -C "$src" O="$out" ARCH="$karch"
       CROSS_COMPILE="$cross" -j"$(nproc)")

if [ -f "$out/arch/$karch/boot/$image" ] && [ -f "$out/Module.symvers" ]; then
	echo "$out"
	exit 0
fi
for tool in flex bison bc "${cross}gcc"; do
	command -v "$tool" >/dev/null ||
		{ echo "debug_kernel: $tool missing (run scripts/setup.sh)" >&2; exit 1; }
done
if [ ! -d "$src" ]; then
	tarball=$(ls /usr/src/linux-source-6.1.tar.* | head -1)
	mkdir -p "$top/build/debug-src"
	echo "debug_kernel: unpacking $tarball" >&2
	tar xf "$tarball" -C "$top/build/debug-src"
fi
mkdir -p "$out"
start=$(date +%s)
"${kmake[@]}" allnoconfig >/dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" \
	"${frags[@]}" >/dev/null
"${kmake[@]}" olddefconfig >/dev/null
# Every line of the fragments must have survived olddefconfig.
bad=0
while read -r line; do
	case $line in CONFIG_*=n) want="# ${line%=n} is not set" ;;
	CONFIG_*) want=$line ;; *) continue ;; esac
	grep -qxF "$want" "$out/.config" ||
		{ echo "debug_kernel: $line did not take" >&2; bad=1; }
done < <(cat "${frags[@]}")
[ "$bad" = 0 ] || exit 1
echo "debug_kernel: building in $out (about half an hour on 2 cores)" >&2
"${kmake[@]}" "$image" modules
echo "debug_kernel: built in $(( $(date +%s) - start )) s" >&2
echo "$out"
