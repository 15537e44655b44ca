#!/bin/bash
# Boot one emulated test machine with the payload and, in check mode, judge
# the kselftest TAP output it prints on its serial console.
#
# Usage: scripts/machine.sh <machine> <check|run> [guest-file] [guest-args...]
#   machine: arm64-vhe | arm64-nvhe | arm64-vhe-kvm | arm64-nvhe-kvm |
#            x86-vmx | x86-novmx   (*-kvm: the kernel's KVM is enabled too)
#   expects the payload in build/payload-<arm64|amd64>/ (minihv.ko, minihv,
#   tests/); writes build/<machine>/{initramfs.cpio.gz,console.log,...}.
# Environment (all optional):
#   MINIHV_TIMEOUT       seconds before the machine is killed (default 900,
#                        Bochs 2700; run mode on a terminal: no limit, QEMU)
#   MINIHV_APPEND        extra kernel command line (later words win)
#   MINIHV_TEST_TIMEOUT  seconds per test binary, enforced inside the machine
#   MINIHV_FUZZ_CALLS / MINIHV_FUZZ_SEED / MINIHV_FUZZ_THREADS  fuzz mode:
#                        fuzz_test's run (1000000 / 1 / 2)
#   MINIHV_BENCH_ITERATIONS / MINIHV_BENCH_ONLY / MINIHV_BENCH_ROUNDS  bench
#                        mode: samples, a comma list of benchmarks, rounds
#   MINIHV_BENCH_SCALE   bench mode: the scale measures too, "on" or a comma
#                        list vms=N,ms=N,mib=N (minihv bench --scale-*)
#   MINIHV_BOCHS_IPS / MINIHV_BOCHS_CPUS / MINIHV_BOCHS_MEM  (50000000 / 2 /
#                        512, bench mode 2048)
#   MINIHV_PAYLOAD_ROOT  folder holding payload-<arch>/ (default build/)
#   MINIHV_KERNEL        the kernel to boot instead of
#                        build/<arch>/vmlinuz (make check-debug's)
#   MINIHV_GUEST_INPUT   run mode: a file that is the guest's console input
#                        (x86-vmx with GUEST=linux: scripts/guest_commands,
#                        as nothing typed reaches Bochs' serial port)
#   MINIHV_PARSE_ONLY=1  do not boot; judge the existing console.log again
#   MINIHV_PREPARE_ONLY=1  do not boot; stop once build/<machine>/payload
#                        (guest, guest_args, files/) is laid out
# Check mode prints failure lines, then exactly one line
#   <machine>: N passed, N failed, N skipped
# and exits 0 only when nothing failed. Run mode shows the console live and
# exits with the guest's rc (1 if the machine never reported one).
# Guest args travel as they were given (make's GUEST_ARGS is split by the
# shell, quotes honoured: --append "a b c" is one argument), one per line
# of /payload/guest_args, so an argument may hold spaces but no newline.
# A host file named by an option that reads one (--initrd FILE) travels
# too, into /payload/files/, and the argument is rewritten to point there.
set -euo pipefail
# The whole script is one compound command, parsed before it runs: a long
# Bochs boot then survives the script file being edited or checked out.
{

usage() {
	echo "usage: machine.sh arm64-vhe|arm64-nvhe|arm64-vhe-kvm|arm64-nvhe-kvm|x86-vmx|x86-novmx check|run|bench|fuzz [guest-file] [guest-args]" >&2
	exit 2
}
machine=${1:-}
mode=${2:-}
guest=${3:-}
# Everything after the guest file is guest args, each its own argument.
gargs=("${@:4}")
case $machine in
arm64-vhe|arm64-nvhe|arm64-vhe-kvm|arm64-nvhe-kvm) arch=arm64 ;;
x86-vmx|x86-novmx) arch=amd64 ;;
*) usage ;;
esac
case $mode in check|run|bench|fuzz) ;; *) usage ;; esac

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
wd=$top/build/$machine
log=$wd/console.log
status_file=$wd/status

# ---- judging the console log (check mode) ---------------------------------
# TAP as kselftest.h / kselftest_harness.h print it: a plan "1..N" (first or
# last), "ok N name", "not ok N name", "ok N name # SKIP why". A block is
# what one test binary printed between its BEGIN and END markers.
judge() {
	local status=exited
	[ -f "$status_file" ] && status=$(sed -n 's/^status=//p' "$status_file")
	awk -v m="$machine" -v status="$status" '
	function fail(n, msg) { failed += n; printf "%s: FAIL %s\n", m, msg }
	function begin(n) {
		inblk = 1; name = n; nplan = -1; nres = 0; nfail = 0; bail = ""
		blocks++
	}
	function finish(has_end, rc,   extra, why) {
		extra = 0; why = ""
		if (nplan < 0) {
			extra = 1; why = "no TAP plan"
		} else if (nplan == 0 && nres == 0) {
			skipped++                       # "1..0 # SKIP": all skipped
		} else if (nres < nplan) {
			extra = nplan - nres
			why = sprintf("%d of %d results", nres, nplan)
		} else if (nres > nplan) {
			extra = 1; why = sprintf("%d results for plan 1..%d", nres, nplan)
		}
		if (!has_end) {
			why = why (why ? "; " : "") "no MINIHV-TEST-END (stopped inside the test)"
			truncated = 1
			if (!extra) extra = 1
		} else if (rc != 0 && rc != 4 && !nfail && !extra) {
			# 4 is KSFT_SKIP; any other non-zero rc is a failure.
			extra = 1; why = "exit rc=" rc " without a failed result"
		}
		if (bail != "") why = why (why ? "; " : "") bail
		if (extra && has_end && rc != 0 && why !~ /exit rc=/) why = why "; exit rc=" rc
		if (extra) fail(extra, name ": " why)
		inblk = 0
	}
	function kernel(cat, line) {
		if (!(cat in kcount)) { kcount[cat] = 0; fail(1, "kernel " cat ": " line) }
		else if (kcount[cat] < 3) printf "%s: FAIL   %s\n", m, line
		kcount[cat]++
	}
	{ gsub(/\r/, "") }
	/Kernel panic/ { kernel("panic", $0) }
	/Oops|\[#[0-9]+\]/ { kernel("oops", $0) }
	# WARN()s, not pr_warn texts such as "RETBleed: WARNING: ...".
	/WARNING: (CPU: [0-9]+ PID:|at |possible|suspicious|inconsistent)/ { kernel("WARNING", $0) }
	/BUG:|kernel BUG at/ { kernel("BUG", $0) }
	/rcu.*detected stall/ { kernel("RCU stall", $0) }
	/MINIHV-TEST-BEGIN / {
		if (inblk) finish(0, 0)
		n = $0; sub(/.*MINIHV-TEST-BEGIN /, "", n); sub(/ .*/, "", n)
		begin(n); next
	}
	/MINIHV-TEST-END / {
		n = $0; sub(/.*MINIHV-TEST-END /, "", n)
		rc = n; sub(/ .*/, "", n)
		if (rc ~ / rc=[0-9]+/) { sub(/.* rc=/, "", rc); sub(/[^0-9].*/, "", rc) } else rc = -1
		if (inblk && n == name) { finish(1, rc + 0); next }
		if (inblk) finish(0, 0)
		fail(1, n ": MINIHV-TEST-END without BEGIN")
		next
	}
	/MINIHV-DONE/ { done = 1 }
	!inblk { next }
	/^1\.\.[0-9]+/ { p = $0; sub(/^1\.\./, "", p); sub(/[^0-9].*/, "", p); nplan = p + 0; next }
	/^Bail out!/ { bail = $0; next }
	/^(not )?ok([ \t]|$)/ {
		nres++
		d = ""; if ((i = index($0, "#")) > 0) d = tolower(substr($0, i + 1))
		sub(/^[ \t]*/, "", d)
		if (d ~ /^skip/ || d ~ /^todo/) skipped++
		else if ($0 ~ /^not /) {
			nfail++; fail(1, name ": " $0)
			for (i = 0; i < nwhy; i++) printf "%s: FAIL   %s\n", m, why[i]
			for (i = nk - 4; i < nk; i++)
				if (i >= 0) printf "%s: FAIL   %s\n", m, kw[i % 4]
		} else passed++
		nwhy = 0; nk = 0
	}
	# What explains a failure, shown under it: the first file:line
	# messages of the harness and the last kernel lines of minihv in the test.
	/^#  RUN / { nwhy = 0; nk = 0; next }
	/^# .*:[0-9]+:/ { if (nwhy < 4) why[nwhy++] = $0; next }
	/minihv: / { kw[nk++ % 4] = $0 }
	END {
		if (inblk) finish(0, 0)
		if (status == "timeout") fail(1, "timeout: the machine did not power off in time")
		# One failure per cause: a timeout, panic or a test cut short
		# already explains the missing DONE.
		if (!done && status != "timeout" && !("panic" in kcount) && !truncated)
			fail(1, "no MINIHV-DONE (the machine stopped early)")
		if (!blocks && done) fail(1, "no test binary ran")
		printf "%s: %d passed, %d failed, %d skipped\n", m, passed, failed, skipped
		exit failed != 0
	}' "$log"
}

if [ "${MINIHV_PARSE_ONLY:-0}" = 1 ]; then
	[ -f "$log" ] || { echo "$machine: no $log" >&2; exit 1; }
	judge
	exit
fi

# ---- payload and initramfs ------------------------------------------------
payload=${MINIHV_PAYLOAD_ROOT:-$top/build}/payload-$arch
if [ ! -d "$payload" ]; then
	echo "$machine: no payload at $payload (make the payload first)" >&2
	[ "$mode" = check ] && echo "$machine: 0 passed, 1 failed, 0 skipped"
	exit 1
fi
rm -rf "$wd" && mkdir -p "$wd"
cp -a "$payload" "$wd/payload"
# GUEST=linux: the payload's own Linux guest (scripts/guest_linux.sh),
# 2 vCPUs, its shell on the console; GUEST_ARGS come after its defaults.
: > "$wd/payload/guest_args"
if [ "$guest" = linux ]; then
	if [ ! -f "$wd/payload/linux/kernel" ]; then
		echo "$machine: no Linux guest in the payload (scripts/guest_linux.sh)" >&2
		exit 2
	fi
	ln -s linux/kernel "$wd/payload/guest"
	printf '%s\n' --cpus 2 --mem 256 --initrd /payload/linux/initrd.gz \
		--append "$(cat "$wd/payload/linux/cmdline")" \
		> "$wd/payload/guest_args"
elif [ -n "$guest" ]; then
	cp "$guest" "$wd/payload/guest"
	chmod +x "$wd/payload/guest" 2>/dev/null || true
fi
# The guest args, and the host files they name (minihv run's options that
# read a file: --initrd; the x86 loader takes it more than once).
file_opt() { case $1 in --initrd) return 0 ;; esac; return 1; }
# Sets $moved to where the file is inside the machine.
travel() {
	local f=$1 name
	if [ ! -f "$f" ]; then
		echo "$machine: no file $f (named in the guest args)" >&2
		exit 2
	fi
	mkdir -p "$wd/payload/files"
	name=$(basename "$f")
	while [ -e "$wd/payload/files/$name" ]; do name=_$name; done
	cp "$f" "$wd/payload/files/$name"
	moved=/payload/files/$name
}
i=0
while [ $i -lt ${#gargs[@]} ]; do
	a=${gargs[$i]}
	case $a in
	*$'\n'*) echo "$machine: a guest argument cannot hold a newline" >&2; exit 2 ;;
	--*=*)
		if file_opt "${a%%=*}"; then
			travel "${a#*=}"
			a="${a%%=*}=$moved"
		fi ;;
	*)
		if file_opt "$a" && [ $((i + 1)) -lt ${#gargs[@]} ]; then
			printf '%s\n' "$a" >> "$wd/payload/guest_args"
			i=$((i + 1))
			travel "${gargs[$i]}"
			a=$moved
		fi ;;
	esac
	printf '%s\n' "$a" >> "$wd/payload/guest_args"
	i=$((i + 1))
done
input=${MINIHV_GUEST_INPUT:-}
[ -z "$input" ] && [ "$guest" = linux ] && [ "$machine" = x86-vmx ] &&
	input=$here/guest_commands
# Linux in Bochs without APIC virtualization: Bochs delivers a pending
# virtual interrupt while the guest's IF is 0 when a host interrupt comes
# at the same time, which deadlocks Linux (README, "Linux guests").
[ "$guest" = linux ] && [ "$machine" = x86-vmx ] &&
	echo apicv=0 > "$wd/payload/insmod_args"
if [ -n "$input" ]; then
	[ -f "$input" ] || { echo "$machine: no file $input (MINIHV_GUEST_INPUT)" >&2; exit 2; }
	cp "$input" "$wd/payload/guest_input"
fi
[ "${MINIHV_PREPARE_ONLY:-0}" = 1 ] && exit 0
"$here/fetch.sh" "$arch" >&2
"$here/initramfs.sh" "$arch" "$wd/payload" "$wd/initramfs.cpio.gz"

# ---- kernel command line --------------------------------------------------
# loglevel=5: the console shows emergencies down to warnings (so a WARNING,
# BUG or oops lands in console.log) but not info lines, which would
# otherwise interleave with the tests' TAP output mid-line.
params="panic=-1 loglevel=5 minihv.machine=$machine minihv.mode=$mode"
[ -n "${MINIHV_TEST_TIMEOUT:-}" ] && params+=" minihv.test_timeout=$MINIHV_TEST_TIMEOUT"
[ -n "${MINIHV_BENCH_ITERATIONS:-}" ] &&
	params+=" minihv.bench_iterations=$MINIHV_BENCH_ITERATIONS"
[ -n "${MINIHV_BENCH_ONLY:-}" ] &&
	params+=" minihv.bench_only=$MINIHV_BENCH_ONLY"
[ -n "${MINIHV_BENCH_ROUNDS:-}" ] &&
	params+=" minihv.bench_rounds=$MINIHV_BENCH_ROUNDS"
[ -n "${MINIHV_BENCH_SCALE:-}" ] &&
	params+=" minihv.bench_scale=$MINIHV_BENCH_SCALE"
[ "$mode" = fuzz ] &&
	params+=" minihv.fuzz_calls=${MINIHV_FUZZ_CALLS:-1000000} minihv.fuzz_seed=${MINIHV_FUZZ_SEED:-1} minihv.fuzz_threads=${MINIHV_FUZZ_THREADS:-2}"
# An interactive shell when there is nothing to run and someone to type.
[ "$mode" = run ] && [ -z "$guest" ] && [ -t 0 ] && [ "$machine" != x86-vmx ] &&
	params+=" minihv.shell=1"

interactive=0
[ "$mode" = run ] && [ -t 0 ] && interactive=1
if [ "$machine" = x86-vmx ]; then
	# The whole x86 suite in one Bochs boot: ~10 min, and ~10 more for
	# linux_guest_test's five Linux boots (~2 min each); twice that
	# beside the QEMU machines on 2 cores.
	timeout=${MINIHV_TIMEOUT:-2700}
elif [ "$interactive" = 1 ]; then
	timeout=${MINIHV_TIMEOUT:-0}            # 0: no limit
else
	# QEMU: ~4-7 min for the arm64 suite (linux_guest_test boots Linux
	# a dozen times), beside Bochs on 2 cores.
	timeout=${MINIHV_TIMEOUT:-900}
fi

# ---- boot -----------------------------------------------------------------
boot_qemu() {
	local qemu append
	case $machine in
	arm64-*)
		# pauth-impdef=on: the default QARMA pointer auth is 3-4x slower.
		# shellcheck disable=SC2054 # commas inside one -M/-cpu value
		qemu=(qemu-system-aarch64 -M virt,virtualization=on,gic-version=3
		      -cpu max,pauth-impdef=on)
		append="console=ttyAMA0"
		case $machine in
		# *-kvm: the built-in KVM is on as well, beside minihv.
		*-kvm) ;;
		# Otherwise KVM stays off, and EL2 is minihv's alone.
		*) append+=" kvm-arm.mode=none" ;;
		esac
		# nVHE: hide VHE so the kernel drops to EL1 and the hyp stub
		# keeps EL2 (KVM then takes it only while it has VMs).
		case $machine in
		arm64-nvhe) append+=" id_aa64mmfr1.vh=0" ;;
		arm64-nvhe-kvm) append+=" id_aa64mmfr1.vh=0 kvm-arm.mode=nvhe" ;;
		esac
		;;
	x86-novmx)
		qemu=(qemu-system-x86_64)       # TCG: no VMX whatever -cpu says
		append="console=ttyS0"
		;;
	esac
	# Benchmarks: time is the count of instructions run (ENV.md), so
	# the figures are emulated cycles, the same from run to run.
	[ "$mode" = bench ] &&
		qemu+=(-icount shift=0,sleep=off -seed 1
		       -rtc base=2024-01-01T00:00:00,clock=vm)
	# Bench mode: room for the scale measure's 1 GiB guest.
	local ram=1G
	[ "$mode" = bench ] && ram=2G
	qemu+=(-accel tcg -smp 2 -m "$ram" -nographic -no-reboot -nic none
	       -kernel "${MINIHV_KERNEL:-$top/build/$arch/vmlinuz}"
	       -initrd "$wd/initramfs.cpio.gz"
	       -append "$append $params ${MINIHV_APPEND:-}")
	printf '%q ' "${qemu[@]}" > "$wd/cmdline"

	local rc
	set +e
	if [ "$mode" = run ]; then
		# --foreground: QEMU keeps the terminal (stdin passes through).
		timeout --foreground -k 5 "$timeout" "${qemu[@]}" 2>"$wd/qemu.err" |
			tee "$log" >&3
		rc=${PIPESTATUS[0]}
	else
		timeout -k 5 "$timeout" "${qemu[@]}" </dev/null >"$log" 2>"$wd/qemu.err"
		rc=$?
	fi
	set -e
	# -no-reboot turns the panic=-1 reboot into a QEMU exit.
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		echo "status=timeout"
	else
		echo "status=exited"
	fi
	echo "emulator_rc=$rc"
	[ -s "$wd/qemu.err" ] && sed 's/^/qemu: /' "$wd/qemu.err" >&2
	return 0
}

boot_bochs() {
	local ips=${MINIHV_BOCHS_IPS:-50000000}
	local cpus=${MINIHV_BOCHS_CPUS:-2}
	local mem=512
	[ "$mode" = bench ] && mem=2048
	mem=${MINIHV_BOCHS_MEM:-$mem}
	# Bochs has no -kernel: boot isolinux from an ISO.
	local iso=$wd/iso
	mkdir -p "$iso/isolinux"
	cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 \
		"$iso/isolinux/"
	cp -L "${MINIHV_KERNEL:-$top/build/$arch/vmlinuz}" "$iso/vmlinuz"
	cp "$wd/initramfs.cpio.gz" "$iso/initrd.img"
	# tsc_early_khz = ips/1000: the model claims a 3.5 GHz TSC but Bochs'
	# TSC ticks once per instruction; without it guest time runs ~70x slow.
	# cryptomgr.notests: the crypto self tests are slow when emulated.
	# noxsave: Bochs' skylake_x CPUID reports an XSAVE area size the kernel
	# disagrees with (2432 != 2688); the kernel WARNs and turns XSAVE off
	# itself. Saying so up front gives the same FPU setup without the WARN.
	# idle=halt: with the model's MONITOR/MWAIT (intel_idle knows SKX) an
	# idle CPU once never woke for its stop_machine thread during CPU
	# offline (CPU 0 soft-locked in multi_cpu_stop); HLT idle wakes by IPI.
	local append="console=ttyS0,115200 cryptomgr.notests noxsave idle=halt"
	append+=" tsc_early_khz=$((ips / 1000)) $params ${MINIHV_APPEND:-}"
	cat > "$iso/isolinux/isolinux.cfg" <<-EOF
	SERIAL 0 115200
	DEFAULT linux
	PROMPT 0
	TIMEOUT 0
	LABEL linux
	  KERNEL /vmlinuz
	  INITRD /initrd.img
	  APPEND $append
	EOF
	echo "$append" > "$wd/cmdline"
	xorriso -as mkisofs -quiet -o "$wd/boot.iso" -b isolinux/isolinux.bin \
		-c isolinux/boot.cat -no-emul-boot -boot-load-size 4 \
		-boot-info-table "$iso" 2>"$wd/xorriso.log"
	sed -e "s|@MEM@|$mem|g" -e "s|@CPUS@|$cpus|g" -e "s|@IPS@|$ips|g" \
	    -e "s|@ISO@|$wd/boot.iso|g" -e "s|@SERIAL@|$log|g" \
	    "$here/bochsrc.in" > "$wd/bochsrc"
	# Debian's Bochs has its debugger built in and stops at a prompt:
	# continue, and quit when the simulation ends.
	printf 'c\nquit\n' > "$wd/dbg.rc"
	: > "$log"

	bochs -q -f "$wd/bochsrc" -rc "$wd/dbg.rc" -log "$wd/bochs.log" \
		</dev/null >"$wd/bochs.out" 2>&1 &
	local pid=$! tailpid='' start=$SECONDS status=exited
	if [ "$mode" = run ]; then
		tail -n +1 -f --pid="$pid" "$log" >&3 &
		tailpid=$!
	fi

	# The guest's poweroff ends Bochs; a panic (panic=-1 reboots and boots
	# again, forever) or a hang does not: kill it by PID.
	while kill -0 "$pid" 2>/dev/null; do
		if grep -q "Kernel panic" "$log"; then
			status=panic; sleep 1; break
		fi
		if [ "$timeout" -gt 0 ] && [ $((SECONDS - start)) -ge "$timeout" ]; then
			status=timeout; break
		fi
		sleep 1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
		for _ in 1 2 3 4 5; do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
		kill -9 "$pid" 2>/dev/null || true
	fi
	local rc=0
	wait "$pid" || rc=$?
	[ -n "$tailpid" ] && { wait "$tailpid" || true; }
	echo "status=$status"
	echo "emulator_rc=$rc"
	return 0
}

# fd 3: the caller's stdout, for the live console in run mode (the boot
# functions' own stdout goes to the status file).
exec 3>&1
echo "$machine: booting ($mode, timeout ${timeout}s, log build/$machine/console.log)" >&2
start=$SECONDS
if [ "$machine" = x86-vmx ]; then
	boot_bochs > "$status_file"
else
	boot_qemu > "$status_file"
fi
echo "seconds=$((SECONDS - start))" >> "$status_file"
echo "$machine: $(tr '\n' ' ' < "$status_file")" >&2

if [ "$mode" = check ]; then
	judge
	exit
fi

# Bench mode: minihv bench's rc, or 1 if the machine never reported one.
if [ "$mode" = bench ]; then
	rc=$(tr -d '\r' < "$log" | sed -n 's/.*MINIHV-BENCH rc=\([0-9]*\).*/\1/p' | tail -n1)
	[ -n "$rc" ] || { echo "$machine: no MINIHV-BENCH result" >&2; exit 1; }
	exit "$rc"
fi

# Fuzz mode: the fuzzer's rc, or 1 if the machine never reported one.
if [ "$mode" = fuzz ]; then
	tr -d '\r' < "$log" | grep -E 'MINIHV-FUZZ|REPORT|Kernel panic|Oops|WARNING: CPU|BUG:' |
		sed "s/^/$machine: /" >&2 || true
	rc=$(tr -d '\r' < "$log" | sed -n 's/.*MINIHV-FUZZ rc=\([0-9]*\).*/\1/p' | tail -n1)
	[ -n "$rc" ] || { echo "$machine: no MINIHV-FUZZ result" >&2; exit 1; }
	exit "$rc"
fi

# Run mode: the guest's rc, or 1 if the machine never reported one.
# Kernel trouble as judge() sees it, as a hint only.
tr -d '\r' < "$log" |
	grep -E 'Kernel panic|Oops|\[#[0-9]+\]|WARNING: (CPU: [0-9]+ PID:|at )|BUG:|kernel BUG at' |
	sed "s/^/$machine: /" >&2 || true
rc=$(tr -d '\r' < "$log" | sed -n 's/.*MINIHV-GUEST rc=\([0-9]*\).*/\1/p' | tail -n1)
if [ -z "$rc" ]; then
	[ -z "$guest" ] && grep -q MINIHV-DONE "$log" && exit 0
	echo "$machine: no MINIHV-GUEST result ($(sed -n 's/^status=//p' "$status_file"))" >&2
	exit 1
fi
exit "$rc"
}
