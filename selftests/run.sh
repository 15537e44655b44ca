#!/bin/sh
# Run the minihv kselftests on a real machine (as root), after
# "make selftests" and with minihv.ko built:
#   sudo insmod minihv.ko && sudo selftests/run.sh
# MINIHV_KO lets the module tests unload and reload it.
cd "$(dirname "$0")/.." || exit 1
export MINIHV_KO="${MINIHV_KO:-$PWD/minihv.ko}"
rc=0
for t in build/selftests/*_test; do
	"$t" || rc=1
done
exit $rc
