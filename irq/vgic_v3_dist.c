// SPDX-License-Identifier: GPL-2.0
/*
 * The vGICv3 distributor's registers (GICv3 architecture, IHI 0069,
 * 12.9), as a guest with affinity routing and one security state sees
 * them: GICD_CTLR.{ARE, DS} read as one, no LPIs, no message-based SPIs.
 * Reserved registers are RAZ/WI; a width a register does not allow, or
 * a misaligned access, is refused and the guest takes an external abort.
 *
 * GICD_CTLR, TYPER, IIDR and TYPER2 are words in struct el2_gicd, which
 * EL2 answers the guest's reads from without leaving the guest's world
 * (el2/world_switch.h:gicd_read_fast); the host reads and updates them
 * here.
 */
#include <linux/irqchip/arm-gic-v3.h>

#include "irq/vgic.h"

#define DIST_IIDR	((0x4d << GICD_IIDR_PRODUCT_ID_SHIFT) | 0x43b)
#define GIC_PIDR2_V3	0x3b		/* ArchRev 3 */
#define IROUTER_MASK	(GICD_IROUTER_SPI_MODE_ANY | 0xff00ffffffULL)

static struct vgic_dist *dist_of(struct minihv_io_dev *dev)
{
	return container_of(dev, struct vgic_dist, dist_dev);
}

#define EL2_CTLR	(GICD_CTLR / 4)
#define EL2_TYPER	(GICD_TYPER / 4)
#define EL2_IIDR	(GICD_IIDR / 4)

static u32 typer(struct vgic_dist *d)
{
	u32 nr_cpus = min_t(u32, minihv_vm_nr_vcpus(d->vm), 8);

	/* IDbits 10 (INTIDs below 1024), no LPIs, 1-of-N routing. */
	return ((VGIC_NR_PRIVATE + d->nr_spis) / 32 - 1) |
	       (nr_cpus ? nr_cpus - 1 : 0) << 5 | (10 - 1) << 19;
}

/* Under the lock: the group enables, as GICD_CTLR reads them. */
static void ctlr_update(struct vgic_dist *d)
{
	WRITE_ONCE(d->el2.regs[EL2_CTLR],
		   GICD_CTLR_ARE_NS | GICD_CTLR_DS |
		   (d->grp0_enabled ? GICD_CTLR_ENABLE_SS_G0 : 0) |
		   (d->grp1_enabled ? GICD_CTLR_ENABLE_SS_G1 : 0));
}

void minihv_vgic_dist_init(struct vgic_dist *d)
{
	BUILD_BUG_ON(GICD_EL2_NR_REGS * 4 != GICD_TYPER2 + 4);
	d->el2.ipa = d->dist_base;
	ctlr_update(d);
	d->el2.regs[EL2_TYPER] = typer(d);
	d->el2.regs[EL2_IIDR] = DIST_IIDR;
	/* TYPER2 (0xc) stays 0: no vSGIs, no extended ranges. */
}

/* Under vm->lock, the vCPUs' only writer. */
void minihv_vgic_dist_vcpus_changed(struct vgic_dist *d)
{
	WRITE_ONCE(d->el2.regs[EL2_TYPER], typer(d));
}

/* The SPI whose GICD_IROUTER<n> holds [offset, offset + len), or NULL. */
static struct vgic_irq *irouter(struct vgic_dist *d, u64 offset)
{
	u32 intid = (offset - GICD_IROUTER) / 8;

	if (intid < VGIC_NR_PRIVATE)
		return NULL;
	return minihv_vgic_irq(d, NULL, intid);
}

static bool in_irouter(u64 offset)
{
	return offset >= GICD_IROUTER && offset < GICD_IROUTER + 1024 * 8;
}

static bool in_itargets(u64 offset)
{
	return offset >= GICD_ITARGETSR && offset < GICD_ITARGETSR + 0x400;
}

/* The widths the architecture allows at @offset (12.1.3). */
static int check_access(u64 offset, u32 len)
{
	if (!IS_ALIGNED(offset, len))
		return -EINVAL;
	if (len == 4)
		return 0;
	if (len == 8 && in_irouter(offset))
		return 0;
	if (len == 1 && (in_itargets(offset) ||
			 (offset >= GICD_IPRIORITYR && offset < GICD_ICFGR)))
		return 0;
	return -EINVAL;
}

static int dist_read(struct minihv_io_dev *dev, struct minihv_vcpu *vcpu,
		     u64 offset, u32 len, u64 *val)
{
	struct vgic_dist *d = dist_of(dev);
	enum vgic_field f;
	struct vgic_irq *irq;
	u32 first, nr;
	int ret;

	ret = check_access(offset, len);
	if (ret)
		return ret;
	*val = 0;
	ret = minihv_vgic_field_decode(offset, len, 0, &f, &first, &nr);
	if (ret < 0)
		return ret;
	if (ret) {
		/* SGIs and PPIs live in the redistributors (ARE). */
		if (first >= VGIC_NR_PRIVATE)
			*val = minihv_vgic_field_read(d, NULL, f, first, nr);
		return 0;
	}
	if (in_irouter(offset)) {
		irq = irouter(d, offset & ~7ULL);
		if (irq)
			*val = READ_ONCE(irq->route) >> (offset & 4) * 8;
		if (len == 4)
			*val = (u32)*val;
		return 0;
	}
	switch (offset) {
	case GICD_CTLR:
	case GICD_TYPER:
	case GICD_IIDR:
	case GICD_TYPER2:
		*val = READ_ONCE(d->el2.regs[offset / 4]);
		break;
	case GICD_PIDR2:
		*val = GIC_PIDR2_V3;
		break;
	}
	return 0;
}

static int dist_write(struct minihv_io_dev *dev, struct minihv_vcpu *vcpu,
		      u64 offset, u32 len, u64 val)
{
	DECLARE_BITMAP(kick, MINIHV_MAX_VCPU_ID + 1) = { };
	struct vgic_dist *d = dist_of(dev);
	struct minihv_vm *vm = d->vm;
	struct vgic_irq *irq;
	enum vgic_field f;
	unsigned long flags;
	unsigned int i, n;
	u32 first, nr;
	int ret;

	ret = check_access(offset, len);
	if (ret)
		return ret;
	ret = minihv_vgic_field_decode(offset, len, 0, &f, &first, &nr);
	if (ret < 0)
		return ret;
	if (ret) {
		if (first >= VGIC_NR_PRIVATE)
			minihv_vgic_field_write(d, NULL, f, first, nr, val,
						kick);
		goto out;
	}
	if (in_irouter(offset)) {
		irq = irouter(d, offset & ~7ULL);
		if (!irq)
			return 0;
		raw_spin_lock_irqsave(&d->lock, flags);
		if (len == 4) {
			u32 shift = (offset & 4) * 8;

			val = (irq->route & ~(0xffffffffULL << shift)) |
			      (val & 0xffffffffULL) << shift;
		}
		WRITE_ONCE(irq->route, val & IROUTER_MASK);
		minihv_vgic_update(d, irq, kick);
		raw_spin_unlock_irqrestore(&d->lock, flags);
		goto out;
	}
	if (offset == GICD_CTLR) {
		raw_spin_lock_irqsave(&d->lock, flags);
		WRITE_ONCE(d->grp0_enabled, val & GICD_CTLR_ENABLE_SS_G0);
		WRITE_ONCE(d->grp1_enabled, val & GICD_CTLR_ENABLE_SS_G1);
		ctlr_update(d);
		raw_spin_unlock_irqrestore(&d->lock, flags);
		/* What a group enable lets through: every vCPU looks again. */
		n = minihv_vm_nr_vcpus(vm);
		for (i = 0; i < n; i++)
			__set_bit(vm->vcpus[i]->id, kick);
	}
	/* Everything else is read-only or reserved: WI. */
out:
	minihv_vgic_kick_all(d, kick);
	return 0;
}

const struct minihv_io_ops minihv_vgic_dist_ops = {
	.read = dist_read,
	.write = dist_write,
};
