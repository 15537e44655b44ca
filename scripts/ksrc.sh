#!/bin/bash
# Extract the few files minihv needs from Debian's linux-source-6.1:
# the kselftest harness and checkpatch. Idempotent.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build/ksrc
tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -1)

[ -f "$out/.done" ] && exit 0
if [ -z "$tarball" ]; then
	echo "ksrc: /usr/src/linux-source-6.1.tar.* missing (run scripts/setup.sh)" >&2
	exit 1
fi
rm -rf "$out" && mkdir -p "$out"
tar -xf "$tarball" -C "$out" --strip-components=1 \
	linux-source-6.1/tools/testing/selftests/kselftest_harness.h \
	linux-source-6.1/tools/testing/selftests/kselftest.h \
	linux-source-6.1/scripts/checkpatch.pl \
	linux-source-6.1/scripts/spelling.txt \
	linux-source-6.1/scripts/const_structs.checkpatch
touch "$out/.done"
