// SPDX-License-Identifier: GPL-2.0
/*
 * Build the x86 machine's ACPI tables (tools/x86/acpi.c) natively, as
 * `minihv run --cpus <n>` would, and write them out the way `acpidump -b`
 * does, one <signature>.dat per table, found by walking them from the
 * RSDP as a guest would; scripts/host_tests.sh disassembles them with
 * iasl. Usage: acpi_tables <cpus> <pm timer port, 0: none> <dir>
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../x86/x86.h"

static uint8_t area[X86_ACPI_END - X86_ACPI_BASE];

static const uint8_t *at(uint64_t gpa, uint32_t len)
{
	if (gpa < X86_ACPI_BASE || gpa - X86_ACPI_BASE > sizeof(area) ||
	    len > sizeof(area) - (gpa - X86_ACPI_BASE)) {
		fprintf(stderr, "acpi_tables: 0x%llx (+%u) is outside the area\n",
			(unsigned long long)gpa, len);
		exit(1);
	}
	return area + (gpa - X86_ACPI_BASE);
}

static uint32_t le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* Tables carry their length at offset 4 (the RSDP at 20). */
static const uint8_t *dump(const char *dir, const char *name, uint64_t gpa,
			   uint32_t len_off)
{
	const uint8_t *t = at(gpa, len_off + 4);
	uint32_t len = le32(t + len_off);
	char path[512];
	FILE *f;

	t = at(gpa, len);
	snprintf(path, sizeof(path), "%s/%s.dat", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(t, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
	return t;
}

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

static void lower(char *dst, const uint8_t *sig)
{
	int i;

	for (i = 0; i < 4; i++)
		dst[i] = sig[i] >= 'A' && sig[i] <= 'Z' ? sig[i] + 32 : sig[i];
	dst[4] = '\0';
}

int main(int argc, char **argv)
{
	struct x86_acpi_config c = {
		.dsdt = x86_dsdt_aml,
		.dsdt_len = x86_dsdt_aml_end - x86_dsdt_aml,
	};
	const uint8_t *rsdp, *xsdt, *fadt, *t;
	uint32_t i, n;
	char name[5];

	if (argc != 4) {
		fprintf(stderr, "usage: acpi_tables <cpus> <pm timer port> <dir>\n");
		return 2;
	}
	c.nr_cpus = atoi(argv[1]);
	c.pm_tmr = strtoul(argv[2], NULL, 0);
	if (!x86_acpi_build(area, X86_ACPI_BASE, sizeof(area), &c)) {
		fprintf(stderr, "acpi_tables: the tables do not fit\n");
		return 1;
	}
	/* iasl cannot disassemble an RSDP on its own: check it here. */
	rsdp = dump(argv[3], "rsdp", X86_ACPI_BASE, 20);
	if (memcmp(rsdp, "RSD PTR ", 8) || rsdp[15] != 2 || sum(rsdp, 20) ||
	    le32(rsdp + 20) != 36 || sum(rsdp, 36)) {
		fprintf(stderr, "acpi_tables: bad RSDP (signature, revision, length or checksums)\n");
		return 1;
	}
	dump(argv[3], "rsdt", le32(rsdp + 16), 4);
	xsdt = dump(argv[3], "xsdt", le64(rsdp + 24), 4);
	n = (le32(xsdt + 4) - 36) / 8;
	for (i = 0; i < n; i++) {
		t = at(le64(xsdt + 36 + 8 * i), 8);
		lower(name, t);
		dump(argv[3], name, le64(xsdt + 36 + 8 * i), 4);
	}
	fadt = at(le64(xsdt + 36), 148);
	if (memcmp(fadt, "FACP", 4)) {
		fprintf(stderr, "acpi_tables: the XSDT does not list the FADT first\n");
		return 1;
	}
	dump(argv[3], "facs", le32(fadt + 36), 4);
	dump(argv[3], "dsdt", le64(fadt + 140), 4);
	return 0;
}
