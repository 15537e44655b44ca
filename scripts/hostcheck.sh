#!/bin/bash
# Host-side checks of the test-machine scripts, no emulator needed: how
# `make run GUEST_ARGS=...` hands a guest its arguments and files.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
m=arm64-nvhe
wd=$top/build/$m
tmp=$(mktemp -d "$top/build/.hostcheck.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0

expect() {
	if [ "$2" != "$3" ]; then
		echo "hostcheck: FAIL $1: got [$2], want [$3]" >&2
		fail=1
	fi
}

echo guest > "$tmp/guest"
echo initrd > "$tmp/initrd.img"
echo other > "$tmp/mod.bin"

# The command `make run` gives its shell, as a user types GUEST_ARGS:
# the shell's quotes make one word of "a b  c".
line=$(make -n --no-print-directory -C "$top" MACHINE=$m run \
	GUEST="$tmp/guest" \
	GUEST_ARGS="--mem 64 --append \"a b  c\" --initrd $tmp/initrd.img --initrd=$tmp/mod.bin --append x%20y" |
	grep 'machine.sh')
(cd "$top" && MINIHV_PREPARE_ONLY=1 sh -c "$line" >/dev/null)
expect "guest args" "$(cat "$wd/payload/guest_args")" \
	"$(printf '%s\n' --mem 64 --append 'a b  c' --initrd \
		/payload/files/initrd.img --initrd=/payload/files/mod.bin \
		--append 'x%20y')"
expect "guest" "$(cat "$wd/payload/guest")" guest
expect "initrd travelled" "$(cat "$wd/payload/files/initrd.img")" initrd
expect "--opt=file travelled" "$(cat "$wd/payload/files/mod.bin")" other

# A missing file is an error before anything boots.
if MINIHV_PREPARE_ONLY=1 "$here/machine.sh" $m run "$tmp/guest" \
	--initrd "$tmp/none" 2>/dev/null; then
	echo "hostcheck: FAIL a missing --initrd file was accepted" >&2
	fail=1
fi
[ $fail = 0 ] && echo "hostcheck: guest arguments and files travel as given"
exit $fail
