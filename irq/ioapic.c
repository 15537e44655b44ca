// SPDX-License-Identifier: GPL-2.0
/*
 * The I/O APIC (Intel 82093AA datasheet; version 0x11, as QEMU's pc
 * machine has it): an index register at 0x00 and a data window at 0x10,
 * behind which sit the id, the version (with the last redirection entry)
 * and one 64-bit redirection entry per pin: vector, delivery mode,
 * destination mode, polarity, trigger mode, mask, destination.
 *
 * A pin's line is driven by MINIHV_IRQ_LINE or an irqfd (from any context:
 * the lock is raw and taken with interrupts off), level meaning asserted (the
 * polarity bit is kept for the guest to read back, as KVM does). An edge
 * pin sends a message on each rising edge while unmasked. A level pin
 * sends one while its line is high, unmasked and its remote IRR clear;
 * remote IRR is set when it is sent and cleared by the local APIC's EOI
 * of that vector, after which a still-high line sends again.
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/bitops.h>

#include "core/minihv.h"
#include "irq/ioapic.h"
#include "irq/lapic.h"

#define IOREGSEL		0x00
#define IOWIN			0x10

#define IOAPIC_REG_ID		0x00
#define IOAPIC_REG_VERSION	0x01
#define IOAPIC_REG_ARB		0x02
#define IOAPIC_REG_REDIR	0x10

#define IOAPIC_VERSION		0x11

#define RTE_VECTOR		0xffULL
#define RTE_DELIVERY(e)		(((e) >> 8) & 7)
#define RTE_LOGICAL		BIT_ULL(11)
#define RTE_POLARITY		BIT_ULL(13)
#define RTE_REMOTE_IRR		BIT_ULL(14)
#define RTE_LEVEL		BIT_ULL(15)
#define RTE_MASKED		BIT_ULL(16)
#define RTE_DEST(e)		((e) >> 56)
/* What a write keeps: the status bits are the I/O APIC's own. */
#define RTE_WRITABLE		(0xffULL << 56 | RTE_MASKED | RTE_LEVEL | \
				 RTE_POLARITY | RTE_LOGICAL | 0x7ffULL)

/* Under io->lock: the pin's message to the local APICs. */
static void send(struct minihv_ioapic *io, u32 pin)
{
	u64 e = io->redir[pin];
	struct lapic_irq irq = {
		.vector = e & RTE_VECTOR,
		.delivery = RTE_DELIVERY(e),
		.logical = e & RTE_LOGICAL,
		.level = e & RTE_LEVEL,
		.assert = true,
		.dest = RTE_DEST(e),
	};

	if (e & RTE_MASKED)
		return;
	if (e & RTE_LEVEL) {
		if (e & RTE_REMOTE_IRR)
			return;
		io->redir[pin] |= RTE_REMOTE_IRR;
	}
	minihv_lapic_deliver(io->vm, NULL, &irq);
}

int minihv_ioapic_set_line(struct minihv_ioapic *io, u32 pin, bool level)
{
	unsigned long flags;
	bool was;

	if (pin >= io->nr_pins)
		return -EINVAL;
	raw_spin_lock_irqsave(&io->lock, flags);
	was = test_bit(pin, &io->lines);
	if (level)
		__set_bit(pin, &io->lines);
	else
		__clear_bit(pin, &io->lines);
	if (level && (!was || (io->redir[pin] & RTE_LEVEL)))
		send(io, pin);
	raw_spin_unlock_irqrestore(&io->lock, flags);
	return 0;
}

/* A local APIC's EOI of a level-triggered @vector. */
void minihv_ioapic_eoi(struct minihv_ioapic *io, u8 vector)
{
	unsigned long flags;
	u32 pin;

	raw_spin_lock_irqsave(&io->lock, flags);
	for (pin = 0; pin < io->nr_pins; pin++) {
		u64 e = io->redir[pin];

		if ((e & RTE_VECTOR) != vector || !(e & RTE_LEVEL) ||
		    !(e & RTE_REMOTE_IRR))
			continue;
		io->redir[pin] &= ~RTE_REMOTE_IRR;
		if (test_bit(pin, &io->lines))
			send(io, pin);
	}
	raw_spin_unlock_irqrestore(&io->lock, flags);
}

static u32 reg_read(struct minihv_ioapic *io)
{
	u32 sel = io->ioregsel, pin = (sel - IOAPIC_REG_REDIR) / 2;

	switch (sel) {
	case IOAPIC_REG_ID:
	case IOAPIC_REG_ARB:
		return io->id << 24;
	case IOAPIC_REG_VERSION:
		return IOAPIC_VERSION | (io->nr_pins - 1) << 16;
	}
	if (sel < IOAPIC_REG_REDIR || pin >= io->nr_pins)
		return 0;
	return sel & 1 ? io->redir[pin] >> 32 : (u32)io->redir[pin];
}

static void reg_write(struct minihv_ioapic *io, u32 val)
{
	u32 sel = io->ioregsel, pin = (sel - IOAPIC_REG_REDIR) / 2;
	u64 old, e;

	if (sel == IOAPIC_REG_ID) {
		io->id = (val >> 24) & 0xf;
		return;
	}
	if (sel < IOAPIC_REG_REDIR || pin >= io->nr_pins)
		return;		/* version, arbitration: read-only */
	old = io->redir[pin];
	if (sel & 1)
		e = (old & 0xffffffffULL) | (u64)val << 32;
	else
		e = (old & ~0xffffffffULL) | val;
	e = (e & RTE_WRITABLE) | (old & RTE_REMOTE_IRR);
	/* An edge pin has no remote IRR to wait for. */
	if (!(e & RTE_LEVEL))
		e &= ~RTE_REMOTE_IRR;
	io->redir[pin] = e;
	/* Unmasked (or made level) with its line high: it sends now. */
	if (test_bit(pin, &io->lines) && (e & RTE_LEVEL) &&
	    ((old & RTE_MASKED) || !(old & RTE_LEVEL)))
		send(io, pin);
}

/* 32-bit accesses to the two registers; anything else reads as 0. */
static int mmio_read(struct minihv_io_dev *dev, struct minihv_vcpu *vcpu,
		     u64 offset, u32 len, u64 *val)
{
	struct minihv_ioapic *io = container_of(dev, struct minihv_ioapic, dev);
	unsigned long flags;
	u32 v = 0;

	raw_spin_lock_irqsave(&io->lock, flags);
	if (offset == IOREGSEL)
		v = io->ioregsel;
	else if (offset == IOWIN)
		v = reg_read(io);
	raw_spin_unlock_irqrestore(&io->lock, flags);
	*val = len >= 4 ? v : v & (BIT(8 * len) - 1);
	return 0;
}

static int mmio_write(struct minihv_io_dev *dev, struct minihv_vcpu *vcpu,
		      u64 offset, u32 len, u64 val)
{
	struct minihv_ioapic *io = container_of(dev, struct minihv_ioapic, dev);
	unsigned long flags;

	if (len != 4)
		return 0;
	raw_spin_lock_irqsave(&io->lock, flags);
	if (offset == IOREGSEL)
		io->ioregsel = val & 0xff;
	else if (offset == IOWIN)
		reg_write(io, val);
	raw_spin_unlock_irqrestore(&io->lock, flags);
	return 0;
}

static const struct minihv_io_ops ioapic_ops = {
	.read = mmio_read,
	.write = mmio_write,
};

/* Reset state: every entry masked, edge, fixed, vector 0. */
int minihv_ioapic_init(struct minihv_ioapic *io, struct minihv_vm *vm,
		       u64 base, u32 nr_pins)
{
	u32 pin;

	if (!nr_pins || nr_pins > IOAPIC_MAX_PINS)
		return -EINVAL;
	io->vm = vm;
	io->nr_pins = nr_pins;
	raw_spin_lock_init(&io->lock);
	for (pin = 0; pin < nr_pins; pin++)
		io->redir[pin] = RTE_MASKED;
	io->dev.space = MINIHV_IO_MMIO;
	io->dev.base = base;
	io->dev.size = PAGE_SIZE;
	io->dev.ops = &ioapic_ops;
	io->dev.irqchip = true;
	return 0;
}
