#!/bin/bash
# What a user installing minihv relies on, checked on the host against the
# downloaded Debian headers of both architectures (no test machine):
# - one version everywhere: uapi/minihv.h, dkms.conf, modinfo, the manual;
# - every command of the tool has its section in tools/minihv.1;
# - `dkms build` works for arm64 and amd64 (a private DKMS tree);
# - `make install` / `make uninstall` into a DESTDIR put and remove each file.
#   scripts/package_check.sh   (after scripts/build.sh arm64 and amd64)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
b=$root/build
fail() { echo "package_check: $*" >&2; exit 1; }

version=$(awk '/define MINIHV_VERSION_(MAJOR|MINOR|PATCH)/ {
	v = v (v == "" ? "" : ".") $3 } END { print v }' "$root/uapi/minihv.h")
[ -n "$version" ] || fail "no MINIHV_VERSION_* in uapi/minihv.h"
grep -q "^PACKAGE_VERSION=\"$version\"$" "$root/dkms.conf" ||
	fail "dkms.conf's PACKAGE_VERSION is not $version"
grep -q "^\.TH MINIHV 1 [0-9-]* \"minihv $version\"" "$root/tools/minihv.1" ||
	fail "tools/minihv.1 is not for minihv $version"
for arch in arm64 amd64; do
	v=$(/sbin/modinfo -F version "$b/mod-$arch/minihv.ko")
	[ "$v" = "$version" ] || fail "modinfo ($arch) says '$v', not $version"
done

# The commands of tools/main.c's table against the manual's subsections.
cmds=$(sed -n 's/^\t{ "\([a-z]*\)", cmd_.*/\1/p' "$root/tools/main.c")
[ -n "$cmds" ] || fail "no commands found in tools/main.c"
for c in $cmds help; do
	grep -q "^\.SS $c$" "$root/tools/minihv.1" ||
		fail "tools/minihv.1 has no section for 'minihv $c'"
done

tmp=$(mktemp -d /tmp/minihv-package.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# Only what git tracks: what a fresh clone (and dkms add .) would hold.
mkdir -p "$tmp/src/minihv-$version" "$tmp/clone"
(cd "$root" && git ls-files -z | xargs -0 cp --parents -t "$tmp/clone")
(cd "$tmp/clone" && cp -r Kbuild dkms.conf core el2 irq mm timer uapi vmx \
	"$tmp/src/minihv-$version/")

for arch in arm64 amd64; do
	krel=$(sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' \
		"$b/$arch/kdir/include/generated/utsrelease.h")
	case $arch in
	arm64) env=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-) da=aarch64 ;;
	amd64) env=(ARCH=x86) da=x86_64 ;;
	esac
	mkdir -p "$tmp/dkms-$arch"
	env "${env[@]}" dkms build -m minihv -v "$version" -k "$krel" -a "$da" \
		--kernelsourcedir "$b/$arch/kdir" --dkmstree "$tmp/dkms-$arch" \
		--sourcetree "$tmp/src" >"$tmp/dkms-$arch.log" 2>&1 || {
		cat "$tmp/dkms-$arch.log"
		cat "$tmp/dkms-$arch"/minihv/*/build/make.log 2>/dev/null || true
		fail "dkms build ($arch) failed"; }
	ko=$(find "$tmp/dkms-$arch/minihv/$version/$krel" -name 'minihv.ko*' |
	     head -n 1)
	[ -n "$ko" ] || fail "dkms build ($arch) left no minihv.ko"
	case $arch in arm64) m=AArch64 ;; amd64) m=X86-64 ;; esac
	readelf -h "$ko" | grep -q "Machine:.*$m" ||
		fail "dkms built $ko, not for $m"
	echo "package_check: dkms build for $krel ($da) ok"
done

# make install / uninstall (amd64, natively) into a staging DESTDIR.
kdir=$b/amd64/kdir
krel=$(sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' \
	"$kdir/include/generated/utsrelease.h")
dest=$tmp/dest
make -s -C "$tmp/clone" install KDIR="$kdir" DESTDIR="$dest" PREFIX=/usr/local \
	>"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; fail "make install failed"; }
files=("lib/modules/$krel/updates/minihv.ko" usr/local/bin/minihv
       usr/local/share/man/man1/minihv.1 etc/udev/rules.d/60-minihv.rules)
for f in "${files[@]}"; do
	[ -f "$dest/$f" ] || fail "make install did not put $f"
done
make -s -C "$tmp/clone" uninstall KDIR="$kdir" DESTDIR="$dest" PREFIX=/usr/local \
	>"$tmp/uninstall.log" 2>&1 || { cat "$tmp/uninstall.log"; fail "make uninstall failed"; }
for f in "${files[@]}"; do
	[ ! -e "$dest/$f" ] || fail "make uninstall left $f"
done
echo "package_check: version $version everywhere; make install/uninstall ok"
