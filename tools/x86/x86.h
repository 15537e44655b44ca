/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MINIHV_TOOLS_X86_H
#define MINIHV_TOOLS_X86_H

#include <stddef.h>
#include <stdint.h>

#include "../vmm.h"

/*
 * The PC memory map, as far as minihv has devices for it: RAM from 0 to
 * --mem, reported to the guest as RAM below 640 KiB and from 1 MiB (the
 * legacy VGA/ROM hole between is RAM too, but reserved in the map). The
 * ACPI tables sit in that hole, in the BIOS area where guests scan for
 * the RSDP (ACPI 6.4 5.2.5.1), so no guest reuses their memory. The top
 * GiB below 4 GiB is for devices: the I/O APIC and the local APICs.
 */
#define X86_LOW_RAM_END		0xa0000ULL
#define X86_ACPI_BASE		0xe0000ULL	/* the RSDP, then the tables */
#define X86_ACPI_END		0xf0000ULL
#define X86_HIGH_RAM		0x100000ULL
#define X86_RAM_MAX		(3ULL << 30)
#define X86_IOAPIC_BASE		0xfec00000ULL
#define X86_LAPIC_BASE		0xfee00000ULL

/*
 * What the tool writes into guest RAM besides the image, unless the
 * guest starts in real mode: its GDT, then either the Multiboot info or
 * the long-mode page tables (never both: Multiboot starts in protected
 * mode), then a Linux kernel's boot data (the zero page or PVH's start
 * info) and its command line. An image may not overlap it.
 */
#define X86_GDT			0x1000ULL
#define X86_BOOT_DATA		0x2000ULL
#define X86_PML4		X86_BOOT_DATA	/* then PDPT, 4 PDs */
#define X86_LINUX_BOOT		0x8000ULL
#define X86_LINUX_CMDLINE	0x9000ULL
#define X86_BOOT_DATA_END	0xa000ULL

/* The GDT's selectors (the 32-bit ones as Linux's boot protocol has them). */
#define X86_SEL_CODE64		0x08
#define X86_SEL_CODE32		0x10
#define X86_SEL_DATA		0x18

#define X86_UART_PORT		0x3f8	/* COM1 */
#define X86_UART_IRQ		4	/* ISA IRQ = I/O APIC pin */
#define X86_EXIT_PORT		0xf4	/* as QEMU's isa-debug-exit is often set */
#define X86_FW_CFG_PORT		0x510	/* selector; data at + 1 */
#define X86_RTC_PORT		0x70	/* CMOS index; data at + 1 */
#define X86_RTC_CENTURY		0x32	/* the CMOS byte the FADT names */

/*
 * ACPI fixed hardware at QEMU q35's ports: the PM1a event block (status,
 * enable) and control block in the tool, the PM timer in the kernel
 * (with the in-kernel interrupt controller), the reset register of the
 * PIIX/ICH chipsets. SLP_TYP for S5 is what the DSDT's \_S5 says.
 */
#define X86_PM1A_EVT		0x600	/* 4 ports */
#define X86_PM1A_CNT		0x604	/* 2 ports */
#define X86_PM_TMR		0x608	/* 4 ports */
#define X86_RESET_PORT		0xcf9
#define X86_RESET_VALUE		0x06	/* CPU reset, full reset */
#define X86_SCI_IRQ		9
#define X86_SLP_TYP_S5		0

enum x86_mode { X86_MODE_REAL, X86_MODE_PROTECTED, X86_MODE_LONG };

/* How vCPU 0 starts. */
struct x86_boot {
	enum x86_mode mode;
	uint64_t entry;			/* real mode: the linear address */
	uint32_t eax, ebx;
	uint64_t rsi;			/* Linux's 64-bit entry: the zero page */
};

/* What the ACPI tables describe. */
struct x86_acpi_config {
	int nr_cpus;			/* APIC ids 0 .. nr_cpus - 1 */
	unsigned int pm_tmr;		/* the PM timer's port, or 0: none */
	const uint8_t *dsdt;		/* AML, from dsdt.asl */
	size_t dsdt_len;
};

/* The DSDT's AML, embedded by dsdt.S. */
extern const uint8_t x86_dsdt_aml[], x86_dsdt_aml_end[];

/*
 * The RSDP at the start of area (guest-physical gpa), the tables after
 * it: the bytes used, or 0 if room is too small.
 */
size_t x86_acpi_build(uint8_t *area, uint64_t gpa, size_t room,
		      const struct x86_acpi_config *c);

/* The memory map the guest is told of (Multiboot, fw_cfg "etc/e820"). */
#define X86_E820_RAM		1
#define X86_E820_RESERVED	2
#define X86_E820_MAX		3

struct x86_e820 {
	uint64_t addr, len;
	uint32_t type;
};

int x86_e820(const struct vmm *vmm, struct x86_e820 *map);	/* entries */

/* A checked destination in guest RAM for [gpa, gpa + len) of "what". */
void *x86_guest_range(struct vmm *vmm, uint64_t gpa, uint64_t len,
		      const char *what);

int x86_load_elf(struct vmm *vmm, const uint8_t *img, size_t size,
		 uint64_t *entry, uint64_t *end);
int x86_load_file(struct vmm *vmm, const char *path, uint64_t gpa,
		  uint64_t *size);

int multiboot_find(const uint8_t *img, size_t size);	/* offset or -1 */
int multiboot_load(struct vmm *vmm, const uint8_t *img, size_t size,
		   int hdr_off, struct x86_boot *boot);

bool linux_is_bzimage(const uint8_t *img, size_t size);
int linux_load_bzimage(struct vmm *vmm, const uint8_t *img, size_t size,
		       struct x86_boot *boot);
int linux_pvh_entry(const uint8_t *img, size_t size, uint64_t *entry);
int linux_load_pvh(struct vmm *vmm, const uint8_t *img, size_t size,
		   uint64_t entry, struct x86_boot *boot);

void x86_write_gdt(struct vmm *vmm);
void x86_write_identity_map(struct vmm *vmm);
int x86_vcpu_boot(int fd, const struct x86_boot *boot);

void debug_exit_init(struct vmm *vmm, unsigned int port);
void pm_init(struct vmm *vmm);
void fw_cfg_init(struct vmm *vmm, unsigned int port);
void rtc_init(struct vmm *vmm);

#endif /* MINIHV_TOOLS_X86_H */
