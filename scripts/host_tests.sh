#!/bin/bash
# The x86 tool's pure parts, natively on the build host (scripts/build.sh
# amd64 runs this): the ACPI tables (tools/x86/acpi.c with the DSDT iasl
# compiled) written out as acpidump -b would and disassembled by iasl,
# which must find nothing wrong and show what minihv describes; the
# 16550's interrupt logic (tools/tests/uart_test.c); and the real-time
# clocks, CMOS and PL031 (tools/tests/rtc_test.c).
#   scripts/host_tests.sh <dsdt.aml> <work dir>
set -euo pipefail

aml=${1:?usage: host_tests.sh <dsdt.aml> <work dir>}
w=${2:?usage: host_tests.sh <dsdt.aml> <work dir>}
root=$(cd "$(dirname "$0")/.." && pwd)
cflags=(-O2 -Wall -Wextra -Wno-unused-parameter -Werror)

fail() { echo "host_tests: $*" >&2; exit 1; }

rm -rf "$w" && mkdir -p "$w"
gcc "${cflags[@]}" -DMINIHV_DSDT_AML="\"$aml\"" -o "$w/acpi_tables" \
	"$root/tools/tests/acpi_tables.c" "$root/tools/x86/acpi.c" \
	"$root/tools/x86/dsdt.S"
gcc "${cflags[@]}" -o "$w/uart_test" "$root/tools/tests/uart_test.c" \
	"$root/tools/uart16550.c" -lpthread
gcc "${cflags[@]}" -o "$w/rtc_test" "$root/tools/tests/rtc_test.c" \
	"$root/tools/x86/rtc.c" "$root/tools/pl031.c" -lpthread

# expect <file> <count> <text>: the disassembly has <text> <count> times.
expect() {
	local got
	got=$(grep -cF -- "$3" "$1" || true)
	[ "$got" -eq "$2" ] || fail "${1##*/}: '$3' $got times, want $2"
}

# tables <cpus> <pm timer port>
tables() {
	local d=$w/acpi-$1-$2 t
	mkdir -p "$d"
	"$w/acpi_tables" "$1" "$2" "$d"
	for t in "$d"/*.dat; do
		[ "${t##*/}" = rsdp.dat ] && continue	# iasl 2020 has no RSDP
		# iasl loops on some malformed tables: never wait for ever.
		timeout 60 iasl -vs -d "$t" >"${t%.dat}.log" 2>&1 ||
			{ cat "${t%.dat}.log"; fail "iasl -d ${t##*/} failed"; }
		if grep -iE "incorrect|invalid|error|warning|unknown" \
			"${t%.dat}.dsl" "${t%.dat}.log"; then
			fail "iasl -d ${t##*/} found problems"
		fi
	done
	expect "$d/apic.dsl" "$1" "[Processor Local APIC]"
	expect "$d/apic.dsl" "$1" "Processor Enabled : 1"
	expect "$d/apic.dsl" 1 "Local Apic ID : $(printf %02X $(($1 - 1)))"
	expect "$d/apic.dsl" 1 "Address : FEC00000"
	expect "$d/apic.dsl" 2 "[Interrupt Source Override]"
	expect "$d/apic.dsl" 1 "Trigger Mode : 3"
	expect "$d/facp.dsl" 1 "SCI Interrupt : 0009"
	expect "$d/facp.dsl" 1 "PM1A Event Block Address : 00000600"
	expect "$d/facp.dsl" 1 "PM1A Control Block Address : 00000604"
	expect "$d/facp.dsl" 1 "PM Timer Block Address : $(printf %08X "$2")"
	expect "$d/facp.dsl" 1 "Hardware Reduced (V5) : 0"
	expect "$d/facp.dsl" 1 "Address : 0000000000000CF9"
	expect "$d/facp.dsl" 1 "RTC Century Index : 32"
	expect "$d/facp.dsl" 1 "CMOS RTC Not Present (V5) : 0"
	expect "$d/facs.dsl" 1 "Signature : \"FACS\""
	expect "$d/rsdt.dsl" 2 "ACPI Table Address"
	expect "$d/xsdt.dsl" 2 "ACPI Table Address"
	expect "$d/dsdt.dsl" 1 "Name (_S5, Package (0x04)"
	expect "$d/dsdt.dsl" 1 "EisaId (\"PNP0501\")"
	expect "$d/dsdt.dsl" 1 "Name (_HID, \"QEMU0002\")"
	expect "$d/dsdt.dsl" 1 "EisaId (\"PNP0B00\")"
}

tables 1 0
tables 8 0x608
"$w/uart_test" >"$w/uart_test.log" 2>&1 ||
	{ cat "$w/uart_test.log"; fail "uart_test failed"; }
"$w/rtc_test" >"$w/rtc_test.log" 2>&1 ||
	{ cat "$w/rtc_test.log"; fail "rtc_test failed"; }
echo "host_tests: ACPI tables, UART interrupts and RTCs ok" \
	"($(grep -c "^ok" "$w/uart_test.log") UART checks," \
	"$(grep -c "^ok" "$w/rtc_test.log") RTC checks)"
