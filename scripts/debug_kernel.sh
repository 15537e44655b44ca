#!/bin/bash
# Build the debug test kernel for arm64 from Debian's linux-source-6.1:
# allnoconfig plus scripts/debug.config (KASAN, KCOV, lockdep, kmemleak,
# UBSAN, KFENCE, fault injection). Kept in build/debug-arm64/<key>, the
# key a hash of the fragment and of this script, so it is built once.
# Prints the build directory (the module's kdir, and arch/arm64/boot/Image).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
frag=$top/scripts/debug.config
key=$(cat "$frag" "$0" | sha256sum | cut -c1-12)
out=$top/build/debug-arm64/$key
src=$top/build/debug-src/linux-source-6.1
kmake=(make -s -C "$src" O="$out" ARCH=arm64
       CROSS_COMPILE=aarch64-linux-gnu- -j"$(nproc)")

if [ -f "$out/arch/arm64/boot/Image" ] && [ -f "$out/Module.symvers" ]; then
	echo "$out"
	exit 0
fi
for tool in flex bison bc aarch64-linux-gnu-gcc; do
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
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$frag" \
	>/dev/null
"${kmake[@]}" olddefconfig >/dev/null
# Every line of the fragment must have survived olddefconfig.
bad=0
while read -r line; do
	case $line in CONFIG_*=n) want="# ${line%=n} is not set" ;;
	CONFIG_*) want=$line ;; *) continue ;; esac
	grep -qxF "$want" "$out/.config" ||
		{ echo "debug_kernel: $line did not take" >&2; bad=1; }
done <"$frag"
[ "$bad" = 0 ] || exit 1
echo "debug_kernel: building in $out (about half an hour on 2 cores)" >&2
"${kmake[@]}" Image modules
echo "debug_kernel: built in $(( $(date +%s) - start )) s" >&2
echo "$out"
