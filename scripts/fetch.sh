#!/bin/bash
# Fetch Debian's stock kernel, headers and busybox for one architecture and
# lay them out under build/<arch>/ with stable names the Makefile can use:
#   kdir  vmlinuz  busybox  modules  (arm64 also: fdt)
# Usage: scripts/fetch.sh arm64|amd64
set -euo pipefail

arch=${1:?usage: fetch.sh arm64|amd64}
case $arch in
arm64|amd64) ;;
*) echo "fetch: unknown arch '$arch' (arm64|amd64)" >&2; exit 2 ;;
esac

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/$arch
aptd=$top/build/apt-$arch
stamp=$out/.fetched
mkdir -p "$top/build"

# machine.sh calls us for every boot, possibly two machines of one arch at
# once: serialize, and return at once when an earlier run finished.
exec 9>"$top/build/.fetch-$arch.lock"
flock 9
# The stamp names the repo path too: the headers fix below bakes it in.
if [ -f "$stamp" ] && [ "$(sed -n 2p "$stamp")" = "$top" ] &&
   [ -e "$out/kdir/Makefile" ] && [ -e "$out/vmlinuz" ]; then
	exit 0
fi

# A private apt state per arch (own lists and cache, host sources): the
# host's dpkg architectures and package lists stay untouched.
mkdir -p "$aptd/lists/partial" "$aptd/cache/archives/partial" "$aptd/debs"
apt=(-o "APT::Architecture=$arch" -o "APT::Architectures=$arch"
     -o "Dir::State::Lists=$aptd/lists" -o "Dir::Cache=$aptd/cache"
     -o "APT::Sandbox::User=root")

echo "fetch: updating the $arch package lists"
apt-get "${apt[@]}" -qq update

# The ABI moves with the archive: take it from the meta package.
abi=$(apt-cache "${apt[@]}" depends "linux-image-$arch" |
      sed -n "s/^ *Depends: linux-image-\(.*\)-$arch\$/\1/p" | head -n1)
if [ -z "$abi" ]; then
	echo "fetch: cannot resolve the kernel ABI from linux-image-$arch" >&2
	exit 1
fi
echo "fetch: kernel ABI $abi-$arch"

pkgs=("linux-image-$abi-$arch" "linux-headers-$abi-$arch"
      "linux-headers-$abi-common" busybox-static)
[ "$arch" = arm64 ] && pkgs+=(libfdt-dev libfdt1)

# Download into an empty folder so "which .deb is which" is not ambiguous
# after the archive moves on.
rm -rf "$aptd/debs" && mkdir -p "$aptd/debs"
(cd "$aptd/debs" && apt-get "${apt[@]}" -qq download "${pkgs[@]}")

rm -rf "$out" && mkdir -p "$out/root"
for deb in "$aptd"/debs/*.deb; do
	case $(basename "$deb") in
	libfdt*) mkdir -p "$out/fdt-root"; dpkg -x "$deb" "$out/fdt-root" ;;
	*) dpkg -x "$deb" "$out/root" ;;
	esac
done

root=$out/root
hdr=$root/usr/src/linux-headers-$abi-$arch
common=$root/usr/src/linux-headers-$abi-common
if [ ! -f "$hdr/Makefile" ] || [ ! -d "$common" ]; then
	echo "fetch: headers missing after extraction" >&2
	exit 1
fi

# Fix 1: the arch headers include the common ones by absolute path.
sed -i "s|/usr/src/linux-headers-$abi-common|$common|g" "$hdr/Makefile"

# Fix 2: scripts/ and tools/ are relative links into linux-kbuild-X, which
# is a separate (host-arch) package: point it at the host's copy, whose
# native modpost and fixdep serve cross builds too.
kbuild=$(readlink "$hdr/scripts")          # ../../lib/linux-kbuild-X/scripts
kbuild=${kbuild%/scripts}
kbuild=${kbuild##*/}                        # linux-kbuild-X
if [ ! -d "/usr/lib/$kbuild" ]; then
	echo "fetch: host lacks /usr/lib/$kbuild (run scripts/setup.sh)" >&2
	exit 1
fi
rm -rf "${root:?}/usr/lib/$kbuild"
mkdir -p "$root/usr/lib"
ln -s "/usr/lib/$kbuild" "$root/usr/lib/$kbuild"

# Debian 12 still ships modules under /lib; later releases use /usr/lib.
mods=$root/lib/modules/$abi-$arch
[ -d "$mods" ] || mods=$root/usr/lib/modules/$abi-$arch
bb=$root/bin/busybox
[ -f "$bb" ] || bb=$root/usr/bin/busybox

# Relative links, so they survive a copy of build/.
ln -sfn "${hdr#"$out"/}" "$out/kdir"
ln -sfn "root/boot/vmlinuz-$abi-$arch" "$out/vmlinuz"
ln -sfn "${bb#"$out"/}" "$out/busybox"
ln -sfn "${mods#"$out"/}" "$out/modules"
[ "$arch" = arm64 ] && ln -sfn fdt-root "$out/fdt"

for l in kdir/Makefile vmlinuz busybox modules; do
	[ -e "$out/$l" ] || { echo "fetch: $out/$l missing" >&2; exit 1; }
done
if [ "$arch" = arm64 ]; then
	for f in usr/include/libfdt.h usr/lib/aarch64-linux-gnu/libfdt.a; do
		[ -e "$out/fdt/$f" ] || { echo "fetch: fdt/$f missing" >&2; exit 1; }
	done
fi

printf '%s\n%s\n' "$abi-$arch" "$top" > "$stamp"
echo "fetch: $arch ready in build/$arch ($abi-$arch)"
