/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MINIHV_TOOLS_ARM64_H
#define MINIHV_TOOLS_ARM64_H

#include <stdint.h>

#include "../vmm.h"

/* QEMU virt's memory map. */
#define ARM64_GICD_BASE		0x08000000ULL
#define ARM64_GICD_SIZE		0x10000ULL
#define ARM64_GICR_BASE		0x080a0000ULL
#define ARM64_GICR_SIZE		0x20000ULL	/* per CPU */
#define ARM64_PL011_BASE	0x09000000ULL
#define ARM64_PL011_IRQ		1		/* SPI 1 */
#define ARM64_PL031_BASE	0x09010000ULL	/* the RTC, as on QEMU's virt */
#define ARM64_RAM_BASE		0x40000000ULL
#define ARM64_DTB_MAX		(2ULL << 20)

int arm64_fdt(struct vmm *vmm, void *fdt, uint64_t size, uint64_t initrd,
	      uint64_t initrd_size);

#endif /* MINIHV_TOOLS_ARM64_H */
