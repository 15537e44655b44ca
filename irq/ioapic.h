/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The I/O APIC (82093AA, version 0x11): its pins, redirection table and
 * remote IRR (irq/ioapic.c).
 */
#ifndef MINIHV_IRQ_IOAPIC_H
#define MINIHV_IRQ_IOAPIC_H

#include <linux/spinlock.h>
#include <linux/types.h>

#include "core/minihv.h"

#define IOAPIC_MAX_PINS		24

struct minihv_ioapic {
	struct minihv_io_dev dev;	/* its MMIO window */
	struct minihv_vm *vm;
	u32 nr_pins;

	/*
	 * Guards the registers and the lines: taken by the vCPU threads
	 * (MMIO, EOI), by MINIHV_IRQ_LINE and by an irqfd's eventfd wake-up,
	 * which may come in hard interrupt context: raw, with irqsave.
	 */
	raw_spinlock_t lock;
	u32 id;
	u32 ioregsel;
	u64 redir[IOAPIC_MAX_PINS];
	unsigned long lines;		/* asserted pins */
};

int minihv_ioapic_init(struct minihv_ioapic *io, struct minihv_vm *vm,
		       u64 base, u32 nr_pins);
int minihv_ioapic_set_line(struct minihv_ioapic *io, u32 pin, bool level);
void minihv_ioapic_eoi(struct minihv_ioapic *io, u8 vector);

#endif /* MINIHV_IRQ_IOAPIC_H */
