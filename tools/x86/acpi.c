// SPDX-License-Identifier: GPL-2.0
/*
 * The ACPI tables of the x86 machine (ACPI 6.4), found the standard way:
 * the RSDP on a 16-byte boundary in the BIOS area, pointing at an RSDT
 * and an XSDT, which list the FADT and the MADT; the FADT points at the
 * FACS and the DSDT (AML compiled by iasl from dsdt.asl). The tables
 * describe what minihv has: a local APIC per vCPU (APIC id = vCPU id),
 * the I/O APIC, the PM1a blocks and reset register (pm.c), the PM timer
 * when the kernel emulates one, COM1, the CMOS RTC (its century byte in
 * the FADT) and fw_cfg (in the DSDT). There is no 8259 PIC, no keyboard
 * controller and no VGA, and the FADT says so.
 */
#include <stddef.h>
#include <string.h>

#include "../minihv.h"
#include "x86.h"

#define OEM_ID		"MINIHV"
#define OEM_TABLE_ID	"MINIHV  "
#define CREATOR_ID	"MHV "

/* The tables as the specification lays them out, byte by byte. */
#pragma pack(push, 1)

struct acpi_header {
	char signature[4];
	uint32_t length;
	uint8_t revision, checksum;
	char oem_id[6], oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
};

/* ACPI 2.0+ RSDP: the first 20 bytes are the ACPI 1.0 one. */
struct acpi_rsdp {
	char signature[8];
	uint8_t checksum;		/* of the first 20 bytes */
	char oem_id[6];
	uint8_t revision;		/* 2: XSDT and the fields below */
	uint32_t rsdt;
	uint32_t length;
	uint64_t xsdt;
	uint8_t ext_checksum;		/* of all 36 */
	uint8_t reserved[3];
};

/* Generic Address Structure (ACPI 6.4 5.2.3.2). */
struct acpi_gas {
	uint8_t space_id, bit_width, bit_offset, access_size;
	uint64_t address;
};

#define GAS_SYSTEM_IO	1
#define GAS_BYTE	1
#define GAS_WORD	2
#define GAS_DWORD	3

/* FADT revision 6 (ACPI 6.0 and later), 276 bytes. */
struct acpi_fadt {
	struct acpi_header h;
	uint32_t firmware_ctrl, dsdt;
	uint8_t reserved0, preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	uint32_t pm1a_evt_blk, pm1b_evt_blk, pm1a_cnt_blk, pm1b_cnt_blk;
	uint32_t pm2_cnt_blk, pm_tmr_blk, gpe0_blk, gpe1_blk;
	uint8_t pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len;
	uint8_t gpe0_blk_len, gpe1_blk_len, gpe1_base, cst_cnt;
	uint16_t p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride;
	uint8_t duty_offset, duty_width, day_alrm, mon_alrm, century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_firmware_ctrl, x_dsdt;
	struct acpi_gas x_pm1a_evt_blk, x_pm1b_evt_blk;
	struct acpi_gas x_pm1a_cnt_blk, x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk, x_pm_tmr_blk;
	struct acpi_gas x_gpe0_blk, x_gpe1_blk;
	struct acpi_gas sleep_control_reg, sleep_status_reg;
	char hypervisor_id[8];
};

_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT size");
_Static_assert(offsetof(struct acpi_fadt, x_pm_tmr_blk) == 208, "FADT layout");

/* FADT flags (ACPI 6.4 table 5.10). */
#define FADT_WBINVD		(1U << 0)
#define FADT_PROC_C1		(1U << 2)
#define FADT_PWR_BUTTON		(1U << 4)	/* none as a fixed feature */
#define FADT_SLP_BUTTON		(1U << 5)	/* likewise */
#define FADT_FIX_RTC		(1U << 6)	/* no RTC wake status */
#define FADT_RESET_REG_SUP	(1U << 10)
#define FADT_HEADLESS		(1U << 12)

/* IA-PC boot architecture flags (table 5.11). */
#define BOOT_LEGACY_DEVICES	(1U << 0)	/* COM1 is an ISA device */
#define BOOT_NO_VGA		(1U << 2)
#define BOOT_NO_MSI		(1U << 3)

struct acpi_facs {
	char signature[4];
	uint32_t length;
	uint32_t hardware_signature, waking_vector, global_lock, flags;
	uint64_t x_waking_vector;
	uint8_t version, reserved0[3];
	uint32_t ospm_flags;
	uint8_t reserved1[24];
};

_Static_assert(sizeof(struct acpi_facs) == 64, "FACS size");

struct acpi_madt {
	struct acpi_header h;
	uint32_t lapic_addr, flags;
};

#define MADT_LAPIC		0
#define MADT_IOAPIC		1
#define MADT_ISO		2
#define MADT_LAPIC_NMI		4

struct madt_lapic {
	uint8_t type, length, uid, apic_id;
	uint32_t flags;			/* bit 0: enabled */
};

struct madt_ioapic {
	uint8_t type, length, id, reserved;
	uint32_t addr, gsi_base;
};

struct madt_iso {
	uint8_t type, length, bus, source;
	uint32_t gsi;
	uint16_t flags;			/* MPS INTI flags */
};

struct madt_lapic_nmi {
	uint8_t type, length, uid;
	uint16_t flags;
	uint8_t lint;
};

#pragma pack(pop)

/* MPS INTI flags: polarity bits 1:0, trigger mode bits 3:2. */
#define INTI_CONFORMING		0x0
#define INTI_HIGH_LEVEL		0xd

/* A bump allocator over the area, in guest-physical addresses. */
struct builder {
	uint8_t *area;
	uint64_t gpa;
	size_t used, room;
};

static void *alloc(struct builder *b, size_t len, size_t align,
		   uint64_t *gpa)
{
	size_t off = (b->used + align - 1) & ~(align - 1);

	if (off > b->room || len > b->room - off)
		return NULL;
	b->used = off + len;
	*gpa = b->gpa + off;
	return memset(b->area + off, 0, len);
}

static uint8_t checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return -sum;
}

static void header(void *table, const char *sig, uint32_t len, uint8_t rev)
{
	struct acpi_header *h = table;

	memcpy(h->signature, sig, 4);
	h->length = len;
	h->revision = rev;
	memcpy(h->oem_id, OEM_ID, 6);
	memcpy(h->oem_table_id, OEM_TABLE_ID, 8);
	h->oem_revision = 1;
	memcpy(h->creator_id, CREATOR_ID, 4);
	h->creator_revision = 1;
}

/* The checksum goes last, over the whole table. */
static void seal(void *table)
{
	struct acpi_header *h = table;

	h->checksum = 0;
	h->checksum = checksum(table, h->length);
}

static struct acpi_gas io_gas(unsigned int port, unsigned int bytes,
			      uint8_t access)
{
	struct acpi_gas g = {
		.space_id = GAS_SYSTEM_IO, .bit_width = bytes * 8,
		.access_size = access, .address = port,
	};

	return g;
}

static int build_fadt(struct builder *b, const struct x86_acpi_config *c,
		      uint64_t facs, uint64_t dsdt, uint64_t *gpa)
{
	struct acpi_fadt *f = alloc(b, sizeof(*f), 16, gpa);

	if (!f)
		return -1;
	header(f, "FACP", sizeof(*f), 6);
	f->firmware_ctrl = facs;
	f->dsdt = dsdt;
	f->x_dsdt = dsdt;
	f->sci_int = X86_SCI_IRQ;
	/* No SMI_CMD: the machine is always in ACPI mode (SCI_EN set). */
	f->pm1a_evt_blk = X86_PM1A_EVT;
	f->pm1_evt_len = 4;
	f->x_pm1a_evt_blk = io_gas(X86_PM1A_EVT, 4, GAS_WORD);
	f->pm1a_cnt_blk = X86_PM1A_CNT;
	f->pm1_cnt_len = 2;
	f->x_pm1a_cnt_blk = io_gas(X86_PM1A_CNT, 2, GAS_WORD);
	if (c->pm_tmr) {
		f->pm_tmr_blk = c->pm_tmr;
		f->pm_tmr_len = 4;
		f->x_pm_tmr_blk = io_gas(c->pm_tmr, 4, GAS_DWORD);
	}
	/* Latencies over 100 and 1000 us: no C2, no C3. */
	f->p_lvl2_lat = 0xfff;
	f->p_lvl3_lat = 0xfff;
	f->iapc_boot_arch = BOOT_LEGACY_DEVICES | BOOT_NO_VGA | BOOT_NO_MSI;
	f->century = X86_RTC_CENTURY;
	/* TMR_VAL_EXT clear: the PM timer counts 24 bits. */
	f->flags = FADT_WBINVD | FADT_PROC_C1 | FADT_PWR_BUTTON |
		   FADT_SLP_BUTTON | FADT_FIX_RTC | FADT_RESET_REG_SUP |
		   FADT_HEADLESS;
	f->reset_reg = io_gas(X86_RESET_PORT, 1, GAS_BYTE);
	f->reset_value = X86_RESET_VALUE;
	memcpy(f->hypervisor_id, "MINIHV  ", 8);
	seal(f);
	return 0;
}

/*
 * One local APIC per vCPU, the I/O APIC with GSI base 0, and the
 * overrides a PC's firmware gives (QEMU's too): the PIT's IRQ 0 on pin 2,
 * the SCI level-triggered, active high; LINT1 of every CPU as NMI.
 * Flags 0, not PCAT_COMPAT: there are no 8259s.
 */
static int build_madt(struct builder *b, const struct x86_acpi_config *c,
		      uint64_t *gpa)
{
	static const struct madt_iso isos[] = {
		{ MADT_ISO, sizeof(struct madt_iso), 0, 0, 2, INTI_CONFORMING },
		{ MADT_ISO, sizeof(struct madt_iso), 0, X86_SCI_IRQ,
		  X86_SCI_IRQ, INTI_HIGH_LEVEL },
	};
	size_t len = sizeof(struct acpi_madt) +
		     c->nr_cpus * sizeof(struct madt_lapic) +
		     sizeof(struct madt_ioapic) + sizeof(isos) +
		     sizeof(struct madt_lapic_nmi);
	struct acpi_madt *m = alloc(b, len, 16, gpa);
	struct madt_lapic *lapic;
	struct madt_ioapic *ioapic;
	struct madt_lapic_nmi *nmi;
	int i;

	if (!m)
		return -1;
	header(m, "APIC", len, 3);
	m->lapic_addr = X86_LAPIC_BASE;
	lapic = (struct madt_lapic *)(m + 1);
	for (i = 0; i < c->nr_cpus; i++, lapic++) {
		lapic->type = MADT_LAPIC;
		lapic->length = sizeof(*lapic);
		lapic->uid = i;
		lapic->apic_id = i;
		lapic->flags = 1;
	}
	ioapic = (struct madt_ioapic *)lapic;
	ioapic->type = MADT_IOAPIC;
	ioapic->length = sizeof(*ioapic);
	ioapic->addr = X86_IOAPIC_BASE;
	memcpy(ioapic + 1, isos, sizeof(isos));
	nmi = (struct madt_lapic_nmi *)((uint8_t *)(ioapic + 1) + sizeof(isos));
	nmi->type = MADT_LAPIC_NMI;
	nmi->length = sizeof(*nmi);
	nmi->uid = 0xff;		/* all processors */
	nmi->lint = 1;
	seal(m);
	return 0;
}

size_t x86_acpi_build(uint8_t *area, uint64_t gpa, size_t room,
		      const struct x86_acpi_config *c)
{
	struct builder b = { .area = area, .gpa = gpa, .room = room };
	uint64_t rsdp_gpa, facs_gpa = 0, dsdt_gpa = 0, tables[2];
	uint64_t rsdt_gpa, xsdt_gpa;
	size_t rsdt_len = sizeof(struct acpi_header) + 2 * 4;
	size_t xsdt_len = sizeof(struct acpi_header) + 2 * 8;
	struct acpi_rsdp *rsdp;
	struct acpi_facs *facs;
	uint8_t *dsdt, *rsdt, *xsdt;
	int i;

	rsdp = alloc(&b, sizeof(*rsdp), 16, &rsdp_gpa);
	facs = alloc(&b, sizeof(*facs), 64, &facs_gpa);	/* 64-byte aligned */
	dsdt = alloc(&b, c->dsdt_len, 16, &dsdt_gpa);
	if (!rsdp || !facs || !dsdt ||
	    build_fadt(&b, c, facs_gpa, dsdt_gpa, &tables[0]) ||
	    build_madt(&b, c, &tables[1]))
		return 0;
	rsdt = alloc(&b, rsdt_len, 16, &rsdt_gpa);
	xsdt = alloc(&b, xsdt_len, 16, &xsdt_gpa);
	if (!rsdt || !xsdt)
		return 0;

	memcpy(facs->signature, "FACS", 4);
	facs->length = sizeof(*facs);
	facs->version = 2;

	memcpy(dsdt, c->dsdt, c->dsdt_len);

	header(rsdt, "RSDT", rsdt_len, 1);
	header(xsdt, "XSDT", xsdt_len, 1);
	for (i = 0; i < 2; i++) {
		uint32_t t32 = tables[i];

		memcpy(rsdt + sizeof(struct acpi_header) + 4 * i, &t32, 4);
		memcpy(xsdt + sizeof(struct acpi_header) + 8 * i, &tables[i], 8);
	}
	seal(rsdt);
	seal(xsdt);

	memcpy(rsdp->signature, "RSD PTR ", 8);
	memcpy(rsdp->oem_id, OEM_ID, 6);
	rsdp->revision = 2;
	rsdp->rsdt = rsdt_gpa;
	rsdp->length = sizeof(*rsdp);
	rsdp->xsdt = xsdt_gpa;
	rsdp->checksum = checksum(rsdp, 20);
	rsdp->ext_checksum = checksum(rsdp, sizeof(*rsdp));
	return b.used;
}
