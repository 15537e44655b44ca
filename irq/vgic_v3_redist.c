// SPDX-License-Identifier: GPL-2.0
/*
 * The vGICv3 redistributors (GICv3 architecture, IHI 0069, 12.10-12.11):
 * one 128 KiB frame pair per vCPU id in the region the VMM gave, RD_base
 * (control, identification, power) then SGI_base (the SGIs' and PPIs'
 * per-interrupt registers). A frame with no vCPU behind it, and reserved
 * registers, are RAZ/WI; widths as the distributor's.
 */
#include <linux/irqchip/arm-gic-v3.h>

#include "irq/vgic.h"

#define GIC_PIDR2_V3	0x3b
#define REDIST_IIDR	((0x4d << GICD_IIDR_PRODUCT_ID_SHIFT) | 0x43b)

static struct vgic_dist *dist_of(struct minihv_io_dev *dev)
{
	return container_of(dev, struct vgic_dist, redist_dev);
}

static struct minihv_vcpu *frame_vcpu(struct vgic_dist *d, u64 offset)
{
	struct minihv_vm *vm = d->vm;
	u32 id = offset / VGIC_REDIST_SIZE;
	unsigned int i, n = minihv_vm_nr_vcpus(vm);

	for (i = 0; i < n; i++)
		if (vm->vcpus[i]->id == id)
			return vm->vcpus[i];
	return NULL;
}

/* GICR_TYPER.Last: the frame of the highest vCPU id ends the region. */
static bool last_frame(struct vgic_dist *d, struct minihv_vcpu *vcpu)
{
	struct minihv_vm *vm = d->vm;
	unsigned int i, n = minihv_vm_nr_vcpus(vm);

	for (i = 0; i < n; i++)
		if (vm->vcpus[i]->id > vcpu->id)
			return false;
	return true;
}

static u64 typer(struct vgic_dist *d, struct minihv_vcpu *vcpu)
{
	u64 mpidr = minihv_vgic_mpidr(vcpu);
	u64 aff = (mpidr & 0xffffff) | ((mpidr >> 32) & 0xff) << 24;

	return aff << 32 | (u64)vcpu->id << 8 |
	       (last_frame(d, vcpu) ? GICR_TYPER_LAST : 0);
}

static bool wide_ok(u64 off)
{
	return off == GICR_TYPER || off == GICR_PROPBASER ||
	       off == GICR_PENDBASER;
}

static int check_access(u64 off, u32 len)
{
	if (!IS_ALIGNED(off, len))
		return -EINVAL;
	if (len == 4)
		return 0;
	if (len == 8 && off < VGIC_SGI_BASE && wide_ok(off))
		return 0;
	if (len == 1 && off >= VGIC_SGI_BASE + GICR_IPRIORITYR0 &&
	    off < VGIC_SGI_BASE + GICR_IPRIORITYR0 + 0x400)
		return 0;
	return -EINVAL;
}

static u64 rd_read(struct vgic_dist *d, struct minihv_vcpu *vcpu, u64 off)
{
	struct vgic_cpu *vc = minihv_vgic_cpu(vcpu);

	switch (off) {
	case GICR_IIDR:
		return REDIST_IIDR;
	case GICR_TYPER:
		return typer(d, vcpu);
	case GICR_TYPER + 4:
		return typer(d, vcpu) >> 32;
	case GICR_WAKER:
		/* The CPU interface sleeps as soon as it is asked to. */
		return READ_ONCE(vc->asleep) ? GICR_WAKER_ProcessorSleep |
					       GICR_WAKER_ChildrenAsleep : 0;
	case GICR_PIDR2:
		return GIC_PIDR2_V3;
	default:
		return 0;
	}
}

static int redist_read(struct minihv_io_dev *dev, struct minihv_vcpu *vcpu,
		       u64 offset, u32 len, u64 *val)
{
	struct vgic_dist *d = dist_of(dev);
	u64 off = offset % VGIC_REDIST_SIZE;
	struct minihv_vcpu *owner;
	enum vgic_field f;
	u32 first, nr;
	int ret;

	ret = check_access(off, len);
	if (ret)
		return ret;
	*val = 0;
	owner = frame_vcpu(d, offset);
	if (!owner)
		return 0;
	if (off < VGIC_SGI_BASE) {
		*val = rd_read(d, owner, off);
		if (len == 4)
			*val = (u32)*val;
		return 0;
	}
	ret = minihv_vgic_field_decode(off, len, VGIC_SGI_BASE, &f, &first,
				       &nr);
	if (ret <= 0)
		return ret;
	/* Only the first register of each kind covers SGIs and PPIs. */
	if (first < VGIC_NR_PRIVATE) {
		minihv_vgic_take_sgis(owner);
		*val = minihv_vgic_field_read(d, owner, f, first, nr);
	}
	return 0;
}

static int redist_write(struct minihv_io_dev *dev, struct minihv_vcpu *vcpu,
			u64 offset, u32 len, u64 val)
{
	DECLARE_BITMAP(kick, MINIHV_MAX_VCPU_ID + 1) = { };
	struct vgic_dist *d = dist_of(dev);
	u64 off = offset % VGIC_REDIST_SIZE;
	struct minihv_vcpu *owner;
	enum vgic_field f;
	u32 first, nr;
	int ret;

	ret = check_access(off, len);
	if (ret)
		return ret;
	owner = frame_vcpu(d, offset);
	if (!owner)
		return 0;
	if (off < VGIC_SGI_BASE) {
		if (off == GICR_WAKER)
			WRITE_ONCE(minihv_vgic_cpu(owner)->asleep,
				   val & GICR_WAKER_ProcessorSleep);
		return 0;
	}
	ret = minihv_vgic_field_decode(off, len, VGIC_SGI_BASE, &f, &first,
				       &nr);
	if (ret <= 0)
		return ret;
	if (first < VGIC_NR_PRIVATE) {
		minihv_vgic_take_sgis(owner);
		minihv_vgic_field_write(d, owner, f, first, nr, val, kick);
	}
	minihv_vgic_kick_all(d, kick);
	return 0;
}

const struct minihv_io_ops minihv_vgic_redist_ops = {
	.read = redist_read,
	.write = redist_write,
};
