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
 * top GiB below 4 GiB stays free for the local APIC and I/O APIC to come.
 */
#define X86_LOW_RAM_END		0xa0000ULL
#define X86_HIGH_RAM		0x100000ULL
#define X86_RAM_MAX		(3ULL << 30)

/*
 * What the tool writes into guest RAM besides the image, unless the
 * guest starts in real mode: its GDT, then either the Multiboot info or
 * the long-mode page tables (never both: Multiboot starts in protected
 * mode). An image may not overlap it.
 */
#define X86_GDT			0x1000ULL
#define X86_BOOT_DATA		0x2000ULL
#define X86_BOOT_DATA_END	0x8000ULL
#define X86_PML4		X86_BOOT_DATA	/* then PDPT, 4 PDs */

/* The GDT's selectors (the 32-bit ones as Linux's boot protocol has them). */
#define X86_SEL_CODE64		0x08
#define X86_SEL_CODE32		0x10
#define X86_SEL_DATA		0x18

#define X86_UART_PORT		0x3f8	/* COM1 */
#define X86_EXIT_PORT		0xf4	/* as QEMU's isa-debug-exit is often set */

enum x86_mode { X86_MODE_REAL, X86_MODE_PROTECTED, X86_MODE_LONG };

/* How vCPU 0 starts. */
struct x86_boot {
	enum x86_mode mode;
	uint64_t entry;			/* real mode: the linear address */
	uint32_t eax, ebx;
};

/* A checked destination in guest RAM for [gpa, gpa + len) of "what". */
void *x86_guest_range(struct vmm *vmm, uint64_t gpa, uint64_t len,
		      const char *what);

int multiboot_find(const uint8_t *img, size_t size);	/* offset or -1 */
int multiboot_load(struct vmm *vmm, const uint8_t *img, size_t size,
		   int hdr_off, struct x86_boot *boot);

void x86_write_gdt(struct vmm *vmm);
void x86_write_identity_map(struct vmm *vmm);
int x86_vcpu_boot(int fd, const struct x86_boot *boot);

void debug_exit_init(struct vmm *vmm, unsigned int port);

#endif /* MINIHV_TOOLS_X86_H */
