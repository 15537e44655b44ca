#!/bin/sh
# Run the minihv kselftests on a real machine (as root), after
# "make selftests" and with minihv.ko built:
#   sudo insmod minihv.ko && sudo selftests/run.sh
# MINIHV_KO lets the module tests unload and reload it.
cd "$(dirname "$0")/.." || exit 1
export MINIHV_KO="${MINIHV_KO:-$PWD/minihv.ko}"

# A test killed for its time leaves its processes' VMs to be torn down as
# they exit: let them go before the next test, as the test machines' init
# does (at most 300 s, once: VMs that outlive that are a leak, which
# zz_kernel_log_test reports, and need not stall every later test).
vm_wait=300
wait_no_vms() {
	i=0
	[ $vm_wait -gt 0 ] && [ -e /dev/minihv ] && [ -x tools/minihv ] ||
		return 0
	while [ $i -lt $vm_wait ] &&
	      ! tools/minihv info 2>/dev/null | grep -q '^vms: *0 running'; do
		sleep 1
		i=$((i + 1))
	done
	[ $i -lt $vm_wait ] || vm_wait=0
}

rc=0
for t in build/selftests/*_test; do
	wait_no_vms
	"$t" || rc=1
done
exit $rc
