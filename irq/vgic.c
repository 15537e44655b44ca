// SPDX-License-Identifier: GPL-2.0
/*
 * The vGICv3's interrupt state and its delivery through the list
 * registers (see vgic.h for the model). The register files are in
 * vgic_mmio.c (per-interrupt registers), vgic_v3_dist.c and
 * vgic_v3_redist.c.
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/bitmap.h>
#include <linux/cpuhotplug.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqchip/arm-gic-v3.h>
#include <linux/of.h>
#include <linux/of_irq.h>
#include <linux/percpu.h>
#include <linux/slab.h>

#include <asm/cputype.h>
#include <asm/virt.h>
#include <asm/sysreg.h>

#include "el2/el2.h"
#include "irq/vgic.h"

struct vgic_hw minihv_vgic_hw;

#define ICH_VTR_PREBITS_SHIFT	26

/*
 * The maintenance interrupt (a PPI of the host's GIC) is what makes a
 * guest exit when it completes a level-triggered interrupt or runs low
 * on list registers. minihv takes it for itself, as KVM does; its
 * handler has nothing to do: the exit it causes is the point, and the
 * run loop reads the list registers back after every exit anyway.
 */
static int maint_irq;
static int __percpu *maint_cookie;
static enum cpuhp_state maint_cpuhp;

static irqreturn_t maint_handler(int irq, void *cookie)
{
	return IRQ_HANDLED;
}

static int maint_cpu_up(unsigned int cpu)
{
	enable_percpu_irq(maint_irq, IRQ_TYPE_NONE);
	return 0;
}

static int maint_cpu_down(unsigned int cpu)
{
	disable_percpu_irq(maint_irq);
	return 0;
}

/* The device tree's GICv3 node names it (its "interrupts" property). */
static void maint_irq_init(void)
{
	struct device_node *np;
	int ret;

	np = of_find_compatible_node(NULL, NULL, "arm,gic-v3");
	maint_irq = np ? irq_of_parse_and_map(np, 0) : 0;
	of_node_put(np);
	if (maint_irq <= 0) {
		pr_info("no GIC maintenance interrupt in the device tree: level interrupts and list-register refills wait for the next host interrupt\n");
		maint_irq = 0;
		return;
	}
	maint_cookie = alloc_percpu(int);
	if (!maint_cookie)
		goto fail;
	/* Asked first: a refused request_percpu_irq() logs an error. */
	ret = irq_has_action(maint_irq) ? -EBUSY :
	      request_percpu_irq(maint_irq, maint_handler, "minihv-vgic",
				 maint_cookie);
	if (ret) {
		/*
		 * KVM's: its handler does nothing either, and it keeps the
		 * PPI enabled, so the exits minihv needs still happen.
		 */
		if (irq_percpu_is_enabled(maint_irq))
			pr_info("GIC maintenance interrupt held by another driver (KVM): its exits still reach minihv\n");
		else
			pr_info("GIC maintenance interrupt held by another driver and off: level interrupts and list-register refills wait for the next host interrupt\n");
		goto fail;
	}
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "minihv/vgic:online",
				maint_cpu_up, maint_cpu_down);
	if (ret < 0) {
		free_percpu_irq(maint_irq, maint_cookie);
		goto fail;
	}
	maint_cpuhp = ret;
	return;
fail:
	free_percpu(maint_cookie);
	maint_cookie = NULL;
	maint_irq = 0;
}

/* At load: the host interrupt the vGIC needs, whatever the CPU's GIC. */
void minihv_vgic_init(void)
{
	maint_irq_init();
}

/*
 * What ICH_VTR_EL2 says the GIC virtualization offers (nVHE reads it at
 * EL2, once minihv owns it): false without GICv3 virtualization.
 */
bool minihv_vgic_hw_init(u64 ich_vtr)
{
	struct vgic_hw *hw = &minihv_vgic_hw;
	unsigned int pre_bits;

	if (!ich_vtr)
		return false;
	hw->pri_bits = ((ich_vtr & ICH_VTR_PRI_BITS_MASK) >>
			ICH_VTR_PRI_BITS_SHIFT) + 1;
	pre_bits = ((ich_vtr >> ICH_VTR_PREBITS_SHIFT) & 7) + 1;
	/* 32 preemption levels per register (GICv3 12.5.2). */
	hw->nr_apr = pre_bits <= 5 ? 1 : pre_bits == 6 ? 2 : 4;
	hw->pri_mask = GENMASK(7, 8 - hw->pri_bits);
	/* Last: a vGIC can be created once this is set. */
	WRITE_ONCE(hw->nr_lrs, (ich_vtr & 0x1f) + 1);
	return true;
}

void minihv_vgic_exit(void)
{
	if (!maint_irq)
		return;
	cpuhp_remove_state(maint_cpuhp);
	free_percpu_irq(maint_irq, maint_cookie);
	free_percpu(maint_cookie);
	maint_irq = 0;
}

struct vgic_dist *minihv_vgic_dist(struct minihv_vm *vm)
{
	return ((struct el2_vm *)vm->arch)->vgic;
}

struct vgic_cpu *minihv_vgic_cpu(struct minihv_vcpu *vcpu)
{
	return ((struct el2_vcpu *)vcpu->arch)->vgic;
}

u64 minihv_vgic_mpidr(struct minihv_vcpu *vcpu)
{
	struct el2_vcpu *v = vcpu->arch;

	return v->ctx->vmpidr & MPIDR_HWID_BITMASK;
}

struct minihv_vcpu *minihv_vgic_vcpu_by_mpidr(struct minihv_vm *vm, u64 aff)
{
	unsigned int i, n = minihv_vm_nr_vcpus(vm);

	for (i = 0; i < n; i++)
		if (minihv_vgic_mpidr(vm->vcpus[i]) == aff)
			return vm->vcpus[i];
	return NULL;
}

/* INTID on @vcpu's redistributor (SGI, PPI) or the distributor (SPI). */
struct vgic_irq *minihv_vgic_irq(struct vgic_dist *d, struct minihv_vcpu *vcpu,
				 u32 intid)
{
	if (intid < VGIC_NR_PRIVATE)
		return vcpu ? &minihv_vgic_cpu(vcpu)->private[intid] : NULL;
	if (intid - VGIC_NR_PRIVATE < d->nr_spis)
		return &d->spis[intid - VGIC_NR_PRIVATE];
	return NULL;
}

bool minihv_vgic_pending(const struct vgic_irq *irq)
{
	return irq->pending_latch || (!irq->edge && irq->line_level);
}

static bool group_enabled(const struct vgic_dist *d, const struct vgic_irq *irq)
{
	return irq->group1 ? d->grp1_enabled : d->grp0_enabled;
}

/* May the list registers offer it as pending? */
static bool deliverable(const struct vgic_dist *d, const struct vgic_irq *irq)
{
	return minihv_vgic_pending(irq) && irq->enabled && group_enabled(d, irq);
}

/*
 * GICD_IROUTER: an affinity, or (IRM) any vCPU: the first one whose
 * redistributor is awake, so a guest that parks CPUs is not sent their
 * interrupts, else the first vCPU.
 */
static struct minihv_vcpu *spi_target(struct vgic_dist *d,
				      const struct vgic_irq *irq)
{
	struct minihv_vm *vm = d->vm;
	unsigned int i, n;

	if (!(irq->route & GICD_IROUTER_SPI_MODE_ANY)) {
		u64 aff = (irq->route & 0xffffff) |
			  ((irq->route >> 32) & 0xff) << 32;

		return minihv_vgic_vcpu_by_mpidr(vm, aff);
	}
	n = minihv_vm_nr_vcpus(vm);
	for (i = 0; i < n; i++)
		if (!minihv_vgic_cpu(vm->vcpus[i])->asleep)
			return vm->vcpus[i];
	return n ? vm->vcpus[0] : NULL;
}

/*
 * After any change to @irq, under the lock: put it on the ap_list of the
 * vCPU that should see it (or take it off every list), and note that
 * vCPU in @kick if it must look again. A loaded interrupt stays where it
 * is until its vCPU's next sync, which calls this again.
 */
void minihv_vgic_update(struct vgic_dist *d, struct vgic_irq *irq,
			unsigned long *kick)
{
	struct minihv_vcpu *target = NULL;

	lockdep_assert_held(&d->lock);
	if (irq->lr >= 0) {
		__set_bit(irq->vcpu->id, kick);
		return;
	}
	if (minihv_vgic_pending(irq) || irq->active)
		target = irq->owner ? irq->owner : spi_target(d, irq);
	if (target != irq->vcpu) {
		if (irq->vcpu)
			list_del_init(&irq->ap_node);
		if (target)
			list_add_tail(&irq->ap_node,
				      &minihv_vgic_cpu(target)->ap_list);
		irq->vcpu = target;
	}
	if (target && deliverable(d, irq))
		__set_bit(target->id, kick);
}

/* After the lock is dropped: kick every vCPU whose id is in @kick. */
void minihv_vgic_kick_all(struct vgic_dist *d, unsigned long *kick)
{
	struct minihv_vm *vm = d->vm;
	unsigned int i, n;

	if (bitmap_empty(kick, MINIHV_MAX_VCPU_ID + 1))
		return;
	n = minihv_vm_nr_vcpus(vm);
	for (i = 0; i < n; i++)
		if (test_bit(vm->vcpus[i]->id, kick))
			minihv_vcpu_kick(vm->vcpus[i]);
}

static void set_level(struct vgic_dist *d, struct vgic_irq *irq, bool level)
{
	DECLARE_BITMAP(kick, MINIHV_MAX_VCPU_ID + 1) = { };
	unsigned long flags;

	bool rising;

	raw_spin_lock_irqsave(&d->lock, flags);
	rising = level && !irq->line_level;
	/* A rising edge makes it pending; the line itself is not kept. */
	if (irq->edge && rising)
		irq->pending_latch = true;
	irq->line_level = level;
	minihv_vgic_update(d, irq, kick);
	if (rising && irq->vcpu)
		minihv_stat_irq(irq->vcpu, irq->intid);
	raw_spin_unlock_irqrestore(&d->lock, flags);
	minihv_vgic_kick_all(d, kick);
}

int minihv_vgic_irq_line(struct minihv_vm *vm, u32 spi, bool level)
{
	struct vgic_dist *d = minihv_vgic_dist(vm);

	if (spi >= d->nr_spis)
		return -EINVAL;
	set_level(d, &d->spis[spi], level);
	return 0;
}

/* A device of the vCPU's own (a timer) drives one of its PPIs. */
void minihv_vgic_set_private_level(struct minihv_vcpu *vcpu, u32 intid,
				   bool level)
{
	struct vgic_dist *d = minihv_vgic_dist(vcpu->vm);

	set_level(d, &minihv_vgic_cpu(vcpu)->private[intid], level);
}

/* ICC_SGI1R_EL1 / ICC_SGI0R_EL1 (and ICC_ASGI1R_EL1, as group 0). */
int minihv_vgic_sgi(struct minihv_vcpu *vcpu, u64 sgir, bool group1)
{
	DECLARE_BITMAP(kick, MINIHV_MAX_VCPU_ID + 1) = { };
	struct vgic_dist *d = minihv_vgic_dist(vcpu->vm);
	struct minihv_vm *vm = vcpu->vm;
	u32 intid = (sgir & ICC_SGI1R_SGI_ID_MASK) >> ICC_SGI1R_SGI_ID_SHIFT;
	bool all_but_self = sgir & BIT_ULL(ICC_SGI1R_IRQ_ROUTING_MODE_BIT);
	u64 aff = ((sgir & ICC_SGI1R_AFFINITY_1_MASK) >>
		   ICC_SGI1R_AFFINITY_1_SHIFT) << 8 |
		  ((sgir & ICC_SGI1R_AFFINITY_2_MASK) >>
		   ICC_SGI1R_AFFINITY_2_SHIFT) << 16 |
		  ((sgir & ICC_SGI1R_AFFINITY_3_MASK) >>
		   ICC_SGI1R_AFFINITY_3_SHIFT) << 32;
	u32 rs = (sgir & ICC_SGI1R_RS_MASK) >> ICC_SGI1R_RS_SHIFT;
	unsigned long flags;
	unsigned int i, n = minihv_vm_nr_vcpus(vm);

	raw_spin_lock_irqsave(&d->lock, flags);
	for (i = 0; i < n; i++) {
		struct minihv_vcpu *t = vm->vcpus[i];
		u64 mpidr = minihv_vgic_mpidr(t);
		struct vgic_irq *irq;

		if (all_but_self) {
			if (t == vcpu)
				continue;
		} else {
			u32 aff0 = mpidr & 0xff;

			if ((mpidr & ~0xffULL) != aff || aff0 / 16 != rs ||
			    !(sgir & BIT(aff0 % 16)))
				continue;
		}
		irq = &minihv_vgic_cpu(t)->private[intid];
		/* SGI0R raises only group 0 SGIs (as KVM does). */
		if (irq->group1 && !group1)
			continue;
		irq->pending_latch = true;
		minihv_vgic_update(d, irq, kick);
		minihv_stat_irq(t, intid);
	}
	raw_spin_unlock_irqrestore(&d->lock, flags);
	minihv_vgic_kick_all(d, kick);
	return 0;
}

static u64 lr_of(const struct vgic_dist *d, const struct vgic_irq *irq)
{
	u64 lr = irq->intid | (u64)irq->priority << ICH_LR_PRIORITY_SHIFT;

	if (irq->group1)
		lr |= ICH_LR_GROUP;
	/*
	 * An active level interrupt goes in active only: its completion
	 * exits (EOI below) and the line is sampled then. Pending too, the
	 * guest could take it again on that snapshot of the line although
	 * its handler has just lowered it (a timer it reprogrammed).
	 */
	if (deliverable(d, irq) && (irq->edge || !irq->active))
		lr |= ICH_LR_PENDING_BIT;
	if (irq->active)
		lr |= ICH_LR_ACTIVE_BIT;
	if (!irq->edge)
		lr |= ICH_LR_EOI;
	return lr;
}

/* Does @a go before @b: active ones first, then by priority, then INTID. */
static bool lr_before(const struct vgic_irq *a, const struct vgic_irq *b)
{
	if (a->active != b->active)
		return a->active;
	if (a->priority != b->priority)
		return a->priority < b->priority;
	return a->intid < b->intid;
}

/*
 * The SGIs EL2 raised for @vcpu (el2/sgi_fast.S) into its redistributor,
 * under the lock: edges, pending as from ICC_SGI1R_EL1 on the host path
 * (which raises either group). @vcpu looks at them next anyway, so no
 * kick.
 */
static void take_sgis(struct vgic_dist *d, struct minihv_vcpu *vcpu,
		      unsigned long sgis)
{
	DECLARE_BITMAP(kick, MINIHV_MAX_VCPU_ID + 1) = { };
	struct vgic_cpu *vc = minihv_vgic_cpu(vcpu);
	unsigned int i;

	lockdep_assert_held(&d->lock);
	for_each_set_bit(i, &sgis, VGIC_NR_SGIS) {
		vc->private[i].pending_latch = true;
		minihv_vgic_update(d, &vc->private[i], kick);
		minihv_stat_irq(vcpu, i);
	}
}

/* The mailbox, atomically: EL2 on other CPUs ORs into it meanwhile. */
static unsigned long sgi_mailbox(struct minihv_vcpu *vcpu)
{
	struct el2_vcpu *v = vcpu->arch;

	if (!READ_ONCE(v->ctx->sgi_pending))
		return 0;
	return xchg(&v->ctx->sgi_pending, 0);
}

/* For the registers that show SGI state: the mailbox first. */
void minihv_vgic_take_sgis(struct minihv_vcpu *vcpu)
{
	struct vgic_dist *d = minihv_vgic_dist(vcpu->vm);
	unsigned long sgis = sgi_mailbox(vcpu), flags;

	if (!sgis)
		return;
	raw_spin_lock_irqsave(&d->lock, flags);
	take_sgis(d, vcpu, sgis);
	raw_spin_unlock_irqrestore(&d->lock, flags);
}

/*
 * Right before an entry, interrupts off: the best of the vCPU's pending
 * and active interrupts into the list registers. Active ones always get
 * one (their completion must find them); if the rest do not fit, the
 * underflow maintenance interrupt brings the guest back for more.
 */
void minihv_vgic_flush(struct minihv_vcpu *vcpu)
{
	struct vgic_dist *d = minihv_vgic_dist(vcpu->vm);
	struct vgic_cpu *vc = minihv_vgic_cpu(vcpu);
	struct el2_vgic_state *hw = vc->hw;
	unsigned int nr_lrs = minihv_vgic_hw.nr_lrs, n = 0, i, j;
	struct vgic_irq **best = vc->loaded;
	unsigned long sgis = sgi_mailbox(vcpu);
	struct vgic_irq *irq;
	bool overflow = false;

	hw->hcr = ICH_HCR_EN;
	/* Racy but safe: a raise after this look kicks before the entry. */
	if (!sgis && list_empty_careful(&vc->ap_list))
		return;

	raw_spin_lock(&d->lock);
	take_sgis(d, vcpu, sgis);
	list_for_each_entry(irq, &vc->ap_list, ap_node) {
		if (!irq->active && !deliverable(d, irq))
			continue;
		if (n == nr_lrs) {
			overflow = true;
			if (!lr_before(irq, best[n - 1]))
				continue;
			n--;
		}
		for (i = n; i > 0 && lr_before(irq, best[i - 1]); i--)
			best[i] = best[i - 1];
		best[i] = irq;
		n++;
	}
	for (j = 0; j < n; j++) {
		irq = best[j];
		hw->lr[j] = lr_of(d, irq);
		irq->lr = j;
		/* The list register holds an edge's pending state now. */
		if (irq->edge && (hw->lr[j] & ICH_LR_PENDING_BIT))
			irq->pending_latch = false;
	}
	vc->nr_loaded = n;
	hw->used_lrs = n;
	if (overflow)
		hw->hcr |= ICH_HCR_UIE;
	raw_spin_unlock(&d->lock);
}

/*
 * Right after the exit, interrupts off: what the guest did with the
 * list registers (acknowledged, completed) back into the interrupts.
 */
void minihv_vgic_sync(struct minihv_vcpu *vcpu)
{
	DECLARE_BITMAP(kick, MINIHV_MAX_VCPU_ID + 1) = { };
	struct vgic_dist *d = minihv_vgic_dist(vcpu->vm);
	struct vgic_cpu *vc = minihv_vgic_cpu(vcpu);
	struct el2_vgic_state *hw = vc->hw;
	unsigned int i;

	if (!vc->nr_loaded)
		return;

	raw_spin_lock(&d->lock);
	for (i = 0; i < vc->nr_loaded; i++) {
		struct vgic_irq *irq = vc->loaded[i];
		u64 lr = hw->lr[i];

		if (!(irq->override & VGIC_OVR_ACTIVE))
			irq->active = lr & ICH_LR_ACTIVE_BIT;
		if (!(irq->override & VGIC_OVR_PENDING)) {
			if (irq->edge && (lr & ICH_LR_PENDING_BIT))
				irq->pending_latch = true;
			/* Acknowledged: a SETPEND on a level one is used up. */
			else if (!irq->edge && !(lr & ICH_LR_PENDING_BIT))
				irq->pending_latch = false;
		}
		irq->override = 0;
		irq->lr = -1;
		minihv_vgic_update(d, irq, kick);
	}
	vc->nr_loaded = 0;
	hw->used_lrs = 0;
	raw_spin_unlock(&d->lock);
	/* This vCPU looks again anyway before its next entry. */
	__clear_bit(vcpu->id, kick);
	minihv_vgic_kick_all(d, kick);
}

/*
 * WFI: is an interrupt pending that the guest's CPU interface would
 * signal (its group enabled, above the priority mask)?
 */
bool minihv_vgic_has_work(struct minihv_vcpu *vcpu)
{
	struct vgic_dist *d = minihv_vgic_dist(vcpu->vm);
	struct vgic_cpu *vc = minihv_vgic_cpu(vcpu);
	u64 vmcr = READ_ONCE(vc->hw->vmcr);
	u8 pmr = (vmcr & ICH_VMCR_PMR_MASK) >> ICH_VMCR_PMR_SHIFT;
	unsigned long sgis = sgi_mailbox(vcpu), flags;
	struct vgic_irq *irq;
	bool work = false;

	if (!sgis && list_empty_careful(&vc->ap_list))
		return false;
	raw_spin_lock_irqsave(&d->lock, flags);
	take_sgis(d, vcpu, sgis);
	list_for_each_entry(irq, &vc->ap_list, ap_node) {
		bool grp = irq->group1 ? vmcr & ICH_VMCR_ENG1_MASK :
					 vmcr & ICH_VMCR_ENG0_MASK;

		if (deliverable(d, irq) && grp && irq->priority < pmr) {
			work = true;
			break;
		}
	}
	raw_spin_unlock_irqrestore(&d->lock, flags);
	return work;
}

static void irq_reset(struct vgic_irq *irq, u32 intid,
		      struct minihv_vcpu *owner)
{
	INIT_LIST_HEAD(&irq->ap_node);
	irq->intid = intid;
	irq->owner = owner;
	irq->lr = -1;
	/* Group 1 and SGIs enabled from reset, as KVM's GICv3 has them. */
	irq->group1 = true;
	irq->edge = intid < VGIC_NR_SGIS;
	irq->enabled = intid < VGIC_NR_SGIS;
}

/*
 * MINIHV_CREATE_IRQCHIP for a GICv3, under vm->lock with no vCPU yet:
 * check the layout, then register the distributor and the
 * redistributor region with the VM's in-kernel devices.
 */
int minihv_vgic_create(struct minihv_vm *vm, const struct minihv_irqchip *c)
{
	struct el2_vm *v = vm->arch;
	u32 nr_spis = c->nr_irqs ? c->nr_irqs : VGIC_DEFAULT_SPIS;
	struct minihv_io_dev *devs[2];
	struct vgic_dist *d;
	unsigned int i;
	int ret;

	if (!minihv_vgic_hw.nr_lrs)
		return -ENODEV;
	if (!IS_ALIGNED(c->base[0], SZ_64K) || !IS_ALIGNED(c->base[1], SZ_64K) ||
	    c->size[0] || !c->size[1] ||
	    !IS_ALIGNED(c->size[1], VGIC_REDIST_SIZE) ||
	    c->base[2] || c->base[3] || c->size[2] || c->size[3])
		return -EINVAL;
	if (nr_spis % 32 || nr_spis > VGIC_MAX_SPIS)
		return -EINVAL;

	d = kzalloc(struct_size(d, spis, nr_spis), GFP_KERNEL_ACCOUNT);
	if (!d)
		return -ENOMEM;
	raw_spin_lock_init(&d->lock);
	d->vm = vm;
	d->nr_spis = nr_spis;
	d->dist_base = c->base[0];
	d->redist_base = c->base[1];
	d->redist_size = c->size[1];
	for (i = 0; i < nr_spis; i++)
		irq_reset(&d->spis[i], VGIC_NR_PRIVATE + i, NULL);
	minihv_vgic_dist_init(d);

	d->dist_dev = (struct minihv_io_dev) {
		.space = MINIHV_IO_MMIO, .base = c->base[0],
		.size = VGIC_DIST_SIZE, .ops = &minihv_vgic_dist_ops,
		.irqchip = true,
	};
	d->redist_dev = (struct minihv_io_dev) {
		.space = MINIHV_IO_MMIO, .base = c->base[1],
		.size = c->size[1], .ops = &minihv_vgic_redist_ops,
		.irqchip = true,
	};
	devs[0] = &d->dist_dev;
	devs[1] = &d->redist_dev;
	ret = minihv_io_register(vm, devs, 2);
	if (ret) {
		kfree(d);
		return ret;
	}
	v->vgic = d;
	return 0;
}

void minihv_vgic_destroy(struct minihv_vm *vm)
{
	struct el2_vm *v = vm->arch;

	kfree(v->vgic);
	v->vgic = NULL;
}

/* A vCPU of a VM with a vGIC: its redistributor, at its id's frame. */
int minihv_vgic_vcpu_init(struct minihv_vcpu *vcpu)
{
	struct vgic_dist *d = minihv_vgic_dist(vcpu->vm);
	struct el2_vcpu *v = vcpu->arch;
	struct vgic_cpu *vc;
	unsigned int i;

	if ((u64)(vcpu->id + 1) * VGIC_REDIST_SIZE > d->redist_size) {
		pr_info_ratelimited("vCPU %u has no redistributor frame in the vGIC's region\n",
				    vcpu->id);
		return -EINVAL;
	}
	vc = kzalloc(sizeof(*vc), GFP_KERNEL_ACCOUNT);
	if (!vc)
		return -ENOMEM;
	INIT_LIST_HEAD(&vc->ap_list);
	vc->asleep = true;		/* GICR_WAKER's reset value */
	for (i = 0; i < VGIC_NR_PRIVATE; i++)
		irq_reset(&vc->private[i], i, vcpu);
	vc->hw = &v->ctx->vgic;
	vc->hw->hcr = ICH_HCR_EN;
	vc->hw->nr_apr = minihv_vgic_hw.nr_apr;
	v->vgic = vc;
	v->ctx->gicd = minihv_el2_addr(&d->el2);
	return 0;
}

/*
 * What the distributor reports of the vCPUs (TYPER) follows their count,
 * and EL2 may send SGIs to the new one (el2/sgi_fast.S) once its entry
 * in the table is there.
 */
void minihv_vgic_vcpu_added(struct minihv_vcpu *vcpu)
{
	struct vgic_dist *d = minihv_vgic_dist(vcpu->vm);
	struct el2_vcpu *v = vcpu->arch;

	minihv_vgic_dist_vcpus_changed(d);
	if (vcpu->id >= GICD_EL2_NR_SGI_CTX)
		return;
	d->el2.sgi_ctx[vcpu->id] = minihv_el2_addr(v->ctx);
	/* The entry before its bit: sgi_fast.S reads the bits acquiring. */
	smp_store_release(&d->el2.sgi_valid, d->el2.sgi_valid | BIT(vcpu->id));
}

void minihv_vgic_vcpu_destroy(struct minihv_vcpu *vcpu)
{
	struct el2_vcpu *v = vcpu->arch;

	kfree(v->vgic);
	v->vgic = NULL;
}
