// SPDX-License-Identifier: GPL-2.0
/*
 * The per-interrupt registers the distributor (for SPIs) and each
 * redistributor's SGI frame (for SGIs and PPIs) share, at the same
 * offsets in both: group, set/clear enable, pending and active (one bit
 * per interrupt), priority (a byte each) and configuration (two bits).
 */
#include "irq/vgic.h"

struct field_range {
	u32 start, end;			/* offsets in the frame */
	u8 bits;			/* per interrupt */
	enum vgic_field field;
};

static const struct field_range ranges[] = {
	{ 0x0080, 0x0100, 1, VGIC_F_GROUP },
	{ 0x0100, 0x0180, 1, VGIC_F_SET_ENABLE },
	{ 0x0180, 0x0200, 1, VGIC_F_CLEAR_ENABLE },
	{ 0x0200, 0x0280, 1, VGIC_F_SET_PENDING },
	{ 0x0280, 0x0300, 1, VGIC_F_CLEAR_PENDING },
	{ 0x0300, 0x0380, 1, VGIC_F_SET_ACTIVE },
	{ 0x0380, 0x0400, 1, VGIC_F_CLEAR_ACTIVE },
	{ 0x0400, 0x0800, 8, VGIC_F_PRIORITY },
	{ 0x0c00, 0x0d00, 2, VGIC_F_CONFIG },
};

/*
 * Which field register does [offset, offset + len) hit? 1 and the
 * interrupts it covers; 0 if none; -EINVAL for a width or alignment the
 * register does not allow (priorities: bytes or words; the rest: words).
 */
int minihv_vgic_field_decode(u64 offset, u32 len, u64 base,
			     enum vgic_field *f, u32 *first_intid, u32 *nr)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ranges); i++) {
		const struct field_range *r = &ranges[i];

		if (offset < base + r->start || offset >= base + r->end)
			continue;
		if (len != 4 && !(len == 1 && r->bits == 8))
			return -EINVAL;
		if (!IS_ALIGNED(offset, len))
			return -EINVAL;
		*f = r->field;
		*first_intid = (offset - base - r->start) * 8 / r->bits;
		*nr = len * 8 / r->bits;
		return 1;
	}
	return 0;
}

static u32 field_bits(enum vgic_field f)
{
	return f == VGIC_F_PRIORITY ? 8 : f == VGIC_F_CONFIG ? 2 : 1;
}

/*
 * An edge loaded into a running vCPU's list register left its pending
 * state there (vgic_flush): as of that flush, it is still pending.
 */
static bool pending_now(const struct vgic_irq *irq)
{
	if (irq->lr >= 0 &&
	    (minihv_vgic_cpu(irq->vcpu)->hw->lr[irq->lr] & ICH_LR_PENDING_BIT))
		return true;
	return minihv_vgic_pending(irq);
}

/* Interrupts that do not exist read as zero (RAZ/WI). */
u32 minihv_vgic_field_read(struct vgic_dist *d, struct minihv_vcpu *owner,
			   enum vgic_field f, u32 first_intid, u32 nr)
{
	u32 bits = field_bits(f), val = 0, i, v;
	struct vgic_irq *irq;
	unsigned long flags;

	raw_spin_lock_irqsave(&d->lock, flags);
	for (i = 0; i < nr; i++) {
		irq = minihv_vgic_irq(d, owner, first_intid + i);
		if (!irq)
			continue;
		switch (f) {
		case VGIC_F_GROUP:
			v = irq->group1;
			break;
		case VGIC_F_SET_ENABLE:
		case VGIC_F_CLEAR_ENABLE:
			v = irq->enabled;
			break;
		case VGIC_F_SET_PENDING:
		case VGIC_F_CLEAR_PENDING:
			v = pending_now(irq);
			break;
		case VGIC_F_SET_ACTIVE:
		case VGIC_F_CLEAR_ACTIVE:
			v = irq->active;
			break;
		case VGIC_F_PRIORITY:
			v = irq->priority;
			break;
		case VGIC_F_CONFIG:
			v = irq->edge ? 2 : 0;
			break;
		default:
			v = 0;
		}
		val |= v << (i * bits);
	}
	raw_spin_unlock_irqrestore(&d->lock, flags);
	return val;
}

/* A change to an interrupt a running vCPU holds in a list register. */
static void note_override(struct vgic_irq *irq, u8 what)
{
	if (irq->lr >= 0)
		irq->override |= what;
}

void minihv_vgic_field_write(struct vgic_dist *d, struct minihv_vcpu *owner,
			     enum vgic_field f, u32 first_intid, u32 nr,
			     u32 val, unsigned long *kick)
{
	u32 bits = field_bits(f), mask = GENMASK(bits - 1, 0), i, v;
	struct vgic_irq *irq;
	unsigned long flags;

	raw_spin_lock_irqsave(&d->lock, flags);
	for (i = 0; i < nr; i++) {
		irq = minihv_vgic_irq(d, owner, first_intid + i);
		v = (val >> (i * bits)) & mask;
		if (!irq)
			continue;
		/* Set/clear registers: a zero bit leaves the interrupt be. */
		if (bits == 1 && f != VGIC_F_GROUP && !v)
			continue;
		switch (f) {
		case VGIC_F_GROUP:
			irq->group1 = v;
			break;
		case VGIC_F_SET_ENABLE:
			irq->enabled = true;
			break;
		case VGIC_F_CLEAR_ENABLE:
			irq->enabled = false;
			break;
		case VGIC_F_SET_PENDING:
			irq->pending_latch = true;
			note_override(irq, VGIC_OVR_PENDING);
			break;
		case VGIC_F_CLEAR_PENDING:
			/* A level line that is still high stays pending. */
			irq->pending_latch = false;
			note_override(irq, VGIC_OVR_PENDING);
			break;
		case VGIC_F_SET_ACTIVE:
			irq->active = true;
			note_override(irq, VGIC_OVR_ACTIVE);
			break;
		case VGIC_F_CLEAR_ACTIVE:
			irq->active = false;
			note_override(irq, VGIC_OVR_ACTIVE);
			break;
		case VGIC_F_PRIORITY:
			irq->priority = v & minihv_vgic_hw.pri_mask;
			break;
		case VGIC_F_CONFIG:
			/* SGIs are always edge-triggered: read-only. */
			if (irq->intid >= VGIC_NR_SGIS)
				irq->edge = v & 2;
			break;
		}
		minihv_vgic_update(d, irq, kick);
	}
	raw_spin_unlock_irqrestore(&d->lock, flags);
}
