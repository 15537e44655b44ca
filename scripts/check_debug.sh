#!/bin/bash
# make check-debug: the whole kselftest suite (the fuzzer's short run and
# the escape suite included) on the debug kernel (scripts/debug_kernel.sh:
# KASAN, KCOV, lockdep, kmemleak, UBSAN, KFENCE, fault injection), in
# both arm64 modes. zz_kernel_log_test fails on any report in the log and
# scans kmemleak at the end.
# Usage: scripts/check_debug.sh [machine...]  (default arm64-nvhe arm64-vhe;
# x86-vmx boots the x86_64 debug kernel in Bochs, hours: not in CI)
# MINIHV_TESTS="escape_test faults_test": only these test binaries (and
# zz_kernel_log_test, the judge).
set -euo pipefail
{
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
machines=("$@")
[ ${#machines[@]} -eq 0 ] && machines=(arm64-nvhe arm64-vhe)

bad=0 built='' user_timeout=${MINIHV_TIMEOUT:-}
for m in "${machines[@]}"; do
	case $m in x86-*) debug_arch=amd64 ;; *) debug_arch=arm64 ;; esac
	if [ "$built" != "$debug_arch" ]; then
		MINIHV_TIMEOUT=$user_timeout
		# shellcheck source=scripts/debug_payload.sh
		. "$here/debug_payload.sh"
		built=$debug_arch
	fi
	start=$(date +%s)
	rc=0
	"$here/machine.sh" "$m" check || rc=$?
	cp "$top/build/$m/console.log" "$top/build/debug-$m.log"
	echo "check-debug: $m: rc=$rc in $(( $(date +%s) - start )) s (log build/debug-$m.log)"
	[ "$rc" = 0 ] || bad=1
done
exit $bad
}
