// SPDX-License-Identifier: GPL-2.0
/*
 * The local APIC (SDM vol. 3, chapter 11): its registers through the
 * xAPIC page and the x2APIC MSRs, the mode switches of IA32_APIC_BASE,
 * IRR/ISR/TMR and the priorities, EOI, and interrupt messages: the ICR's
 * IPIs (fixed, lowest priority, NMI, INIT, start-up; physical and
 * logical destinations; shorthands) and those the I/O APIC and the LVTs
 * send. See irq/lapic.h for who may touch what.
 *
 * Choices where the SDM leaves room: the APIC ID is read-only (the
 * vCPU id); lowest priority is delivered as fixed to the lowest-numbered
 * vCPU of the destination set, without arbitration; the version register
 * reports an integrated xAPIC (0x14) with six LVT entries and no
 * directed EOI, so SVR bit 12 is reserved.
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/bitops.h>
#include <linux/gfp.h>
#include <linux/slab.h>

#include <asm/msr-index.h>

#include "core/minihv.h"
#include "irq/ioapic.h"
#include "irq/lapic.h"
#include "irq/x86_irqchip.h"
#include "vmx/vmx.h"

#define LAPIC_VERSION		0x14
#define LAPIC_NR_LVT		6	/* timer, thermal, PMC, LINT0/1, error */
#define LAPIC_LVR		(LAPIC_VERSION | (LAPIC_NR_LVT - 1) << 16)

/* What a write keeps of each register (SDM figures 11-8 .. 11-23). */
#define LVT_TIMER_BITS		(0xff | APIC_LVT_MASKED | (3 << 17))
#define LVT_DM_BITS		(0x7ff | APIC_LVT_MASKED)
#define LVT_LINT_BITS		(LVT_DM_BITS | APIC_INPUT_POLARITY | \
				 APIC_LVT_LEVEL_TRIGGER)
#define LVT_ERR_BITS		(0xff | APIC_LVT_MASKED)
#define SVR_BITS		0x3ff	/* vector, enable, focus checking */
#define ICR_LOW_BITS		0xccfff	/* no status, no remote-read bits */
#define TDCR_BITS		0xb
#define APIC_LVT_TIMER_MODE	(3 << 17)

#define APIC_BASE_RESERVED	(0xffULL | BIT_ULL(9))

static bool sw_enabled(const struct minihv_lapic *apic)
{
	return lapic_reg(apic, APIC_SPIV) & APIC_SPIV_APIC_ENABLED;
}

/* A vector's bit in IRR, ISR or TMR: eight 32-bit registers 16 bytes apart. */
static u32 *vec_reg(struct minihv_lapic *apic, u32 base, u8 vec)
{
	return apic->regs + base + (vec >> 5) * 0x10;
}

static bool vec_test(struct minihv_lapic *apic, u32 base, u8 vec)
{
	return READ_ONCE(*vec_reg(apic, base, vec)) & BIT(vec & 31);
}

static void vec_set(struct minihv_lapic *apic, u32 base, u8 vec)
{
	*vec_reg(apic, base, vec) |= BIT(vec & 31);
}

static void vec_clear(struct minihv_lapic *apic, u32 base, u8 vec)
{
	*vec_reg(apic, base, vec) &= ~BIT(vec & 31);
}

static int highest(struct minihv_lapic *apic, u32 base)
{
	int i;

	for (i = 7; i >= 0; i--) {
		u32 bits = READ_ONCE(*(u32 *)(apic->regs + base + i * 0x10));

		if (bits)
			return i * 32 + fls(bits) - 1;
	}
	return -1;
}

int minihv_lapic_highest_irr(struct minihv_lapic *apic)
{
	return highest(apic, APIC_IRR);
}

int minihv_lapic_highest_isr(struct minihv_lapic *apic)
{
	return highest(apic, APIC_ISR);
}

/* SDM 11.8.3.1: the processor priority from TPR and the ISR. */
static u32 ppr(struct minihv_lapic *apic)
{
	u32 tpr = lapic_reg(apic, APIC_TASKPRI) & 0xff;
	int isr = minihv_lapic_highest_isr(apic);
	u32 isrv = isr < 0 ? 0 : isr;

	return (tpr & 0xf0) >= (isrv & 0xf0) ? tpr : isrv & 0xf0;
}

static u32 x2apic_ldr(u32 id)
{
	return (id >> 4) << 16 | BIT(id & 0xf);
}

static struct minihv_vcpu *lapic_vcpu(struct minihv_lapic *apic)
{
	return apic->v->vcpu;
}

/*
 * An interrupt for this APIC from anywhere (any context, no lock): posted
 * for the vCPU's thread, which moves it to the IRR before its next entry.
 */
void minihv_lapic_post(struct minihv_lapic *apic, u8 vector, bool level)
{
	if (vector < 16) {
		set_bit(LAPIC_EV_RECV_ILLEGAL, &apic->events);
	} else {
		if (level)
			set_bit(vector, apic->pir_level);
		else
			clear_bit(vector, apic->pir_level);
		/* The trigger mode before the vector (xchg in sync_pir). */
		smp_mb__before_atomic();
		set_bit(vector, apic->pir);
		minihv_stat_irq(lapic_vcpu(apic), vector);
	}
	minihv_vcpu_kick(lapic_vcpu(apic));
}

static void lapic_error(struct minihv_lapic *apic, u32 esr)
{
	u32 lvt = lapic_reg(apic, APIC_LVTERR);

	apic->esr_pending |= esr;
	/* An illegal error vector would only raise another error. */
	if (!(lvt & APIC_LVT_MASKED) && (lvt & 0xff) >= 16)
		minihv_lapic_post(apic, lvt & 0xff, false);
}

/* The vCPU's thread: posted interrupts into IRR, trigger modes into TMR. */
void minihv_lapic_sync_pir(struct minihv_lapic *apic)
{
	int i, j;

	if (test_and_clear_bit(LAPIC_EV_RECV_ILLEGAL, &apic->events))
		lapic_error(apic, APIC_ESR_RECVILL);
	for (i = 0; i < ARRAY_SIZE(apic->pir); i++) {
		unsigned long bits, level;

		if (!READ_ONCE(apic->pir[i]))
			continue;
		bits = xchg(&apic->pir[i], 0);
		level = READ_ONCE(apic->pir_level[i]);
		for (j = 0; j < BITS_PER_LONG / 32; j++) {
			u32 b = bits >> (32 * j), l = level >> (32 * j);
			u32 reg = (i * BITS_PER_LONG / 32 + j) * 0x10;
			u32 *irr = apic->regs + APIC_IRR + reg;
			u32 *tmr = apic->regs + APIC_TMR + reg;
			u32 t;

			if (!b)
				continue;
			t = (*tmr & ~b) | (l & b);
			if (t != *tmr) {
				*tmr = t;
				apic->tmr_dirty = true;
			}
			*irr |= b;
		}
	}
}

/* The highest IRR vector the CPU could take now (above PPR), or -1. */
int minihv_lapic_deliverable(struct minihv_lapic *apic)
{
	int irr;

	minihv_lapic_sync_pir(apic);
	irr = minihv_lapic_highest_irr(apic);
	if (irr < 0 || (irr & 0xf0) <= (ppr(apic) & 0xf0))
		return -1;
	return irr;
}

/* The CPU takes @vector (INTA): it moves from IRR to ISR. */
void minihv_lapic_ack(struct minihv_lapic *apic, u8 vector)
{
	vec_clear(apic, APIC_IRR, vector);
	vec_set(apic, APIC_ISR, vector);
}

/* A level-triggered vector's EOI reaches the I/O APIC (remote IRR). */
void minihv_lapic_eoi_level(struct minihv_lapic *apic, u8 vector)
{
	struct vmx_vm *vm = lapic_vcpu(apic)->vm->arch;

	if (vec_test(apic, APIC_TMR, vector))
		minihv_ioapic_eoi(&vm->chip->ioapic, vector);
}

/* A write to EOI without virtual-interrupt delivery's help. */
static void lapic_eoi(struct minihv_lapic *apic)
{
	int vec = minihv_lapic_highest_isr(apic);

	if (vec < 0)
		return;
	vec_clear(apic, APIC_ISR, vec);
	minihv_lapic_eoi_level(apic, vec);
}

bool minihv_lapic_has_event(struct minihv_lapic *apic)
{
	return READ_ONCE(apic->events) &
	       (BIT(LAPIC_EV_NMI) | BIT(LAPIC_EV_INIT) | BIT(LAPIC_EV_SIPI));
}

/* Is @apic one of the message's destinations (SDM 11.6.2)? */
static bool lapic_match(struct minihv_lapic *apic, struct minihv_lapic *src,
			const struct lapic_irq *irq)
{
	u32 broadcast = irq->x2apic ? 0xffffffff : 0xff;
	u32 dest = irq->dest;
	u32 ldr;

	if (!lapic_enabled(apic))
		return false;
	switch (irq->shorthand) {
	case LAPIC_SHORT_SELF:
		return apic == src;
	case LAPIC_SHORT_ALL:
		return true;
	case LAPIC_SHORT_OTHERS:
		return apic != src;
	}
	if (dest == broadcast)
		return true;
	if (!irq->logical)
		return dest == apic->id;
	ldr = lapic_reg(apic, APIC_LDR);
	if (lapic_x2apic(apic))
		return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff);
	/* xAPIC: 8-bit logical ids, flat or cluster model by DFR. */
	dest &= 0xff;
	ldr >>= 24;
	if ((lapic_reg(apic, APIC_DFR) >> 28) == 0xf)
		return dest & ldr;
	return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);
}

static void lapic_accept(struct minihv_lapic *apic, const struct lapic_irq *irq)
{
	switch (irq->delivery) {
	case APIC_DM_FIXED >> 8:
	case APIC_DM_LOWEST >> 8:
		/* A software-disabled APIC takes no fixed interrupts. */
		if (sw_enabled(apic))
			minihv_lapic_post(apic, irq->vector, irq->level);
		break;
	case APIC_DM_NMI >> 8:
		set_bit(LAPIC_EV_NMI, &apic->events);
		minihv_vcpu_kick(lapic_vcpu(apic));
		break;
	case APIC_DM_INIT >> 8:
		/* INIT level de-assert only synchronizes arbitration ids. */
		if (irq->level && !irq->assert)
			break;
		set_bit(LAPIC_EV_INIT, &apic->events);
		minihv_vcpu_kick(lapic_vcpu(apic));
		break;
	case APIC_DM_STARTUP >> 8:
		WRITE_ONCE(apic->sipi_vector, irq->vector);
		/* The vector before the bit (minihv_vmx_mp_events()). */
		smp_mb__before_atomic();
		set_bit(LAPIC_EV_SIPI, &apic->events);
		minihv_vcpu_kick(lapic_vcpu(apic));
		break;
	default:
		break;		/* SMI, ExtINT: no such sources here */
	}
}

/*
 * An interrupt message to the VM's local APICs, from @src's ICR (NULL:
 * from the I/O APIC). vCPUs are published before they can be targets
 * and freed only with the VM (core/minihv.h), so no lock is needed.
 */
void minihv_lapic_deliver(struct minihv_vm *vm, struct minihv_lapic *src,
			  const struct lapic_irq *irq)
{
	/* Pairs with minihv_vcpu_create(): entries up to n are written. */
	unsigned int i, n = smp_load_acquire(&vm->nr_vcpus);

	for (i = 0; i < n; i++) {
		struct vmx_vcpu *v = vm->vcpus[i]->arch;

		if (!v->apic || !lapic_match(v->apic, src, irq))
			continue;
		lapic_accept(v->apic, irq);
		if (irq->delivery == APIC_DM_LOWEST >> 8 &&
		    irq->shorthand == LAPIC_SHORT_NONE)
			break;
	}
}

static void send_ipi(struct minihv_lapic *apic, u32 low, u32 dest)
{
	struct lapic_irq irq = {
		.vector = low & APIC_VECTOR_MASK,
		.delivery = (low & APIC_DM_FIXED_MASK) >> 8,
		.shorthand = (low >> 18) & 3,
		.logical = low & APIC_DEST_LOGICAL,
		.level = low & APIC_INT_LEVELTRIG,
		.assert = low & APIC_INT_ASSERT,
		.x2apic = lapic_x2apic(apic),
		.dest = dest,
	};

	if (irq.vector < 16 && (irq.delivery == APIC_DM_FIXED >> 8 ||
				irq.delivery == APIC_DM_LOWEST >> 8)) {
		lapic_error(apic, APIC_ESR_SENDILL);
		return;
	}
	minihv_lapic_deliver(lapic_vcpu(apic)->vm, apic, &irq);
}

static void mask_lvts(struct minihv_lapic *apic)
{
	u32 reg;

	for (reg = APIC_LVTT; reg <= APIC_LVTERR; reg += 0x10)
		lapic_set_reg(apic, reg, lapic_reg(apic, reg) | APIC_LVT_MASKED);
}

/* The bits of an LVT a write keeps. */
static u32 lvt_bits(u32 reg)
{
	switch (reg) {
	case APIC_LVTT:
		return LVT_TIMER_BITS;
	case APIC_LVTTHMR:
	case APIC_LVTPC:
		return LVT_DM_BITS;
	case APIC_LVT0:
	case APIC_LVT1:
		return LVT_LINT_BITS;
	default:
		return LVT_ERR_BITS;
	}
}

/*
 * A register write, through the xAPIC page (x2 false: reserved bits are
 * dropped) or an x2APIC MSR (x2 true: reserved bits, read-only and
 * missing registers are #GP, SDM 11.12.1.3): 0 or -EINVAL for #GP.
 */
static int reg_write(struct minihv_lapic *apic, u32 reg, u32 val, bool x2)
{
	u32 keep = ~0U;

	minihv_stat_irqchip_access(lapic_vcpu(apic), reg, val, true);

	switch (reg) {
	case APIC_TASKPRI:
		keep = 0xff;
		break;
	case APIC_EOI:
		if (x2 && val)
			return -EINVAL;
		lapic_eoi(apic);
		return 0;
	case APIC_LDR:
		if (x2)
			return -EINVAL;
		keep = APIC_LDR_MASK;
		break;
	case APIC_DFR:
		if (x2)
			return -EINVAL;
		lapic_set_reg(apic, reg, val | APIC_DFR_CLUSTER);
		return 0;
	case APIC_SPIV:
		keep = SVR_BITS;
		if (x2 && (val & ~keep))
			return -EINVAL;
		lapic_set_reg(apic, reg, val & keep);
		/* SDM 11.4.7.2: a software disable masks every LVT. */
		if (!(val & APIC_SPIV_APIC_ENABLED))
			mask_lvts(apic);
		return 0;
	case APIC_ESR:
		if (x2 && val)
			return -EINVAL;
		lapic_set_reg(apic, reg, apic->esr_pending);
		apic->esr_pending = 0;
		return 0;
	case APIC_ICR:
		if (x2)
			return -EINVAL;		/* the 64-bit MSR, elsewhere */
		keep = ICR_LOW_BITS;
		lapic_set_reg(apic, reg, val & keep);
		send_ipi(apic, val, lapic_reg(apic, APIC_ICR2) >> 24);
		return 0;
	case APIC_ICR2:
		if (x2)
			return -EINVAL;
		keep = 0xff000000;
		break;
	case APIC_LVTT:
	case APIC_LVTTHMR:
	case APIC_LVTPC:
	case APIC_LVT0:
	case APIC_LVT1:
	case APIC_LVTERR:
		keep = lvt_bits(reg);
		/* Timer mode 3 is reserved: one-shot, or #GP in x2APIC. */
		if (reg == APIC_LVTT &&
		    (val & APIC_LVT_TIMER_MODE) == APIC_LVT_TIMER_MODE) {
			if (x2)
				return -EINVAL;
			val &= ~APIC_LVT_TIMER_MODE;
		}
		if (x2 && (val & ~keep & ~(APIC_SEND_PENDING |
					   APIC_LVT_REMOTE_IRR)))
			return -EINVAL;
		val &= keep;
		if (!sw_enabled(apic))
			val |= APIC_LVT_MASKED;
		lapic_set_reg(apic, reg, val);
		if (reg == APIC_LVTT)
			minihv_apic_timer_lvt(apic, val);
		return 0;
	case APIC_TMICT:
		lapic_set_reg(apic, reg, val);
		minihv_apic_timer_tmict(apic, val);
		return 0;
	case APIC_TDCR:
		keep = TDCR_BITS;
		if (x2 && (val & ~keep))
			return -EINVAL;
		lapic_set_reg(apic, reg, val & keep);
		minihv_apic_timer_tdcr(apic, val & keep);
		return 0;
	case APIC_SELF_IPI:
		if (!x2)
			return 0;	/* x2APIC only */
		if (val & ~0xffU)
			return -EINVAL;
		if (val < 16)
			lapic_error(apic, APIC_ESR_SENDILL);
		else
			minihv_lapic_post(apic, val, false);
		return 0;
	case APIC_ID:
		/* Read-only here: keep the id (an APIC-write trap wrote it). */
		lapic_set_reg(apic, reg, lapic_x2apic(apic) ? apic->id :
					 apic->id << 24);
		return x2 ? -EINVAL : 0;
	default:
		/* Read-only (version, PPR, ISR/TMR/IRR, TMCCT) or absent. */
		return x2 ? -EINVAL : 0;
	}
	if (x2 && (val & ~keep))
		return -EINVAL;
	lapic_set_reg(apic, reg, val & keep);
	return 0;
}

static u32 reg_read(struct minihv_lapic *apic, u32 reg)
{
	switch (reg) {
	case APIC_PROCPRI:
		return ppr(apic);
	case APIC_TMCCT:
		return minihv_apic_timer_tmcct(apic);
	case APIC_ARBPRI:
	case APIC_EOI:
	case APIC_RRR:
		return 0;
	}
	if (reg >= 0x400)
		return 0;
	return lapic_reg(apic, reg);
}

/* The xAPIC page: any byte of a register reads; 32-bit aligned writes. */
int minihv_lapic_mmio_read(struct minihv_lapic *apic, u32 off, u32 len,
			   u64 *val)
{
	u32 reg = off & 0xff0, byte = off & 0xf;
	u32 v;

	minihv_lapic_sync_pir(apic);
	v = byte < 4 ? reg_read(apic, reg) >> (8 * byte) : 0;
	minihv_stat_irqchip_access(lapic_vcpu(apic), off, v, false);
	*val = len >= 4 ? v : v & (BIT(8 * len) - 1);
	return 0;
}

int minihv_lapic_mmio_write(struct minihv_lapic *apic, u32 off, u32 len,
			    u64 val)
{
	/* The SDM makes other accesses undefined: they are ignored. */
	if (len != 4 || (off & 0xf) || off >= 0x400)
		return 0;
	minihv_lapic_sync_pir(apic);
	return reg_write(apic, off, val, false);
}

/*
 * An APIC-write exit (APIC-register virtualization): the guest's value
 * is already in the page, unchecked; apply it as a write would have.
 */
void minihv_lapic_write_trap(struct minihv_lapic *apic, u32 reg)
{
	u32 val = lapic_reg(apic, reg & 0xff0);

	minihv_lapic_sync_pir(apic);
	/* x2APIC mode traps only a self IPI the CPU found illegal. */
	reg_write(apic, reg & 0xff0, val, lapic_x2apic(apic));
}

/* x2APIC MSRs 0x800 + reg / 16 that RDMSR may read (SDM table 11-6). */
static bool x2apic_readable(u32 reg)
{
	switch (reg) {
	case APIC_ID:
	case APIC_LVR:
	case APIC_TASKPRI:
	case APIC_PROCPRI:
	case APIC_LDR:
	case APIC_SPIV:
	case APIC_ESR:
	case APIC_ICR:
	case APIC_LVTT ... APIC_LVTERR:
	case APIC_TMICT:
	case APIC_TMCCT:
	case APIC_TDCR:
		return !(reg & 0xf);
	case APIC_ISR ... APIC_IRR + 0x70:
		return !(reg & 0xf);
	}
	return false;
}

int minihv_lapic_msr_read(struct minihv_lapic *apic, u32 msr, u64 *val)
{
	u32 reg = (msr - APIC_BASE_MSR) << 4;

	switch (msr) {
	case MSR_IA32_APICBASE:
		*val = apic->base;
		return 0;
	case MSR_IA32_TSC_DEADLINE:
		*val = minihv_apic_timer_get_deadline(apic);
		return 0;
	}
	if (!lapic_x2apic(apic) || !x2apic_readable(reg))
		return -EINVAL;
	minihv_lapic_sync_pir(apic);
	if (reg == APIC_ICR)
		*val = lapic_reg(apic, APIC_ICR) |
		       (u64)lapic_reg(apic, APIC_ICR2) << 32;
	else
		*val = reg_read(apic, reg);
	minihv_stat_irqchip_access(lapic_vcpu(apic), reg, *val, false);
	return 0;
}

int minihv_lapic_msr_write(struct minihv_lapic *apic, u32 msr, u64 val)
{
	u32 reg = (msr - APIC_BASE_MSR) << 4;

	switch (msr) {
	case MSR_IA32_APICBASE:
		return minihv_lapic_set_base(apic, val);
	case MSR_IA32_TSC_DEADLINE:
		minihv_apic_timer_set_deadline(apic, val);
		return 0;
	}
	if (!lapic_x2apic(apic) || msr < APIC_BASE_MSR ||
	    msr > APIC_BASE_MSR + 0xff)
		return -EINVAL;
	minihv_lapic_sync_pir(apic);
	if (reg == APIC_ICR) {
		if ((u32)val & ~ICR_LOW_BITS)
			return -EINVAL;
		minihv_stat_irqchip_access(lapic_vcpu(apic), reg, val, true);
		lapic_set_reg(apic, APIC_ICR, val);
		lapic_set_reg(apic, APIC_ICR2, val >> 32);
		send_ipi(apic, val, val >> 32);
		return 0;
	}
	if (val >> 32)
		return -EINVAL;
	return reg_write(apic, reg, val, true);
}

u32 minihv_lapic_get_tpr(struct minihv_lapic *apic)
{
	return lapic_reg(apic, APIC_TASKPRI);
}

void minihv_lapic_set_tpr(struct minihv_lapic *apic, u32 tpr)
{
	lapic_set_reg(apic, APIC_TASKPRI, tpr & 0xff);
}

/* The id registers as the mode has them (SDM 11.12.5.1). */
static void set_mode_regs(struct minihv_lapic *apic)
{
	if (lapic_x2apic(apic)) {
		lapic_set_reg(apic, APIC_ID, apic->id);
		lapic_set_reg(apic, APIC_LDR, x2apic_ldr(apic->id));
		lapic_set_reg(apic, APIC_DFR, 0);
	} else {
		lapic_set_reg(apic, APIC_ID, apic->id << 24);
	}
}

/*
 * Power-on (or INIT: the base and mode stay) state, SDM 11.4.7.1: all
 * LVTs masked, SVR 0xff (software disabled), flat logical model.
 */
void minihv_lapic_reset(struct minihv_lapic *apic, bool init)
{
	unsigned int i;

	minihv_apic_timer_stop(apic);
	memset(apic->regs, 0, PAGE_SIZE);
	if (!init)
		apic->base = APIC_DEFAULT_PHYS_BASE | LAPIC_BASE_EN |
			     (apic->id ? 0 : LAPIC_BASE_BSP);
	lapic_set_reg(apic, APIC_LVR, LAPIC_LVR);
	lapic_set_reg(apic, APIC_DFR, APIC_DFR_FLAT);
	lapic_set_reg(apic, APIC_SPIV, 0xff);
	mask_lvts(apic);
	set_mode_regs(apic);
	minihv_apic_timer_tdcr(apic, 0);
	for (i = 0; i < ARRAY_SIZE(apic->pir); i++)
		WRITE_ONCE(apic->pir[i], 0);
	clear_bit(LAPIC_EV_NMI, &apic->events);
	clear_bit(LAPIC_EV_RECV_ILLEGAL, &apic->events);
	apic->esr_pending = 0;
	apic->tmr_dirty = true;
}

/*
 * WRMSR IA32_APIC_BASE (SDM 11.12.5): disabled -> xAPIC -> x2APIC ->
 * disabled; x2APIC -> xAPIC, disabled -> x2APIC, EXTD without EN and
 * reserved bits are #GP. BSP is the platform's, not the guest's.
 */
int minihv_lapic_set_base(struct minihv_lapic *apic, u64 val)
{
	u64 reserved = APIC_BASE_RESERVED |
		       ~(BIT_ULL(minihv_vmx_caps.pa_bits) - 1);
	u64 old = apic->base;
	bool was_x2 = lapic_x2apic(apic), was_on = lapic_enabled(apic);

	if (val & reserved)
		return -EINVAL;
	val = (val & ~LAPIC_BASE_BSP) | (old & LAPIC_BASE_BSP);
	if ((val & LAPIC_BASE_EXTD) && !(val & LAPIC_BASE_EN))
		return -EINVAL;
	if (was_x2 && (val & LAPIC_BASE_EN) && !(val & LAPIC_BASE_EXTD))
		return -EINVAL;
	if (!was_on && (val & LAPIC_BASE_EXTD))
		return -EINVAL;
	if (val == old)
		return 0;

	apic->base = val;
	if (!(val & LAPIC_BASE_EN))
		minihv_lapic_reset(apic, true);	/* disabled: as after reset */
	else if (!was_on || was_x2 != lapic_x2apic(apic))
		set_mode_regs(apic);
	minihv_vapic_mode_changed(apic->v);
	return 0;
}

int minihv_lapic_create(struct vmx_vcpu *v, bool apicv)
{
	struct minihv_lapic *apic = kzalloc(sizeof(*apic), GFP_KERNEL_ACCOUNT);

	if (!apic)
		return -ENOMEM;
	apic->regs = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!apic->regs) {
		kfree(apic);
		return -ENOMEM;
	}
	apic->v = v;
	apic->id = v->vcpu->id;
	apic->apicv = apicv;
	minihv_apic_timer_init(apic);
	minihv_lapic_reset(apic, false);
	v->apic = apic;
	return 0;
}

void minihv_lapic_free(struct minihv_lapic *apic)
{
	if (!apic)
		return;
	minihv_apic_timer_stop(apic);
	free_page((unsigned long)apic->regs);
	kfree(apic);
}
