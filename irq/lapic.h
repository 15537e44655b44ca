/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The local APIC of an x86 vCPU (irq/lapic.c), its timer
 * (timer/apic_timer.c) and the interrupt messages the I/O APIC and ICRs
 * send to it.
 *
 * The registers live in one 4 KiB page laid out as the hardware's (SDM
 * table 11-1): with APIC virtualization it is the VMCS's virtual-APIC
 * page, which the CPU reads (and, for TPR, EOI, IRR, ISR and PPR,
 * writes) itself while the guest runs.
 *
 * Who touches what: the vCPU's own thread owns the register page (guest
 * accesses exit into it). Anyone else (another vCPU's IPI, the I/O APIC
 * from an ioctl, the timer's hrtimer in hard interrupt context) only
 * posts: sets bits in @pir / @pir_level or in @events, then kicks the
 * vCPU, whose thread moves them into the page before its next entry.
 * So the page never changes under the CPU's feet while the guest runs,
 * and a level-triggered vector's EOI-exit bit is set before the CPU can
 * deliver it.
 */
#ifndef MINIHV_IRQ_LAPIC_H
#define MINIHV_IRQ_LAPIC_H

#include <linux/hrtimer.h>
#include <linux/types.h>

#include <asm/apicdef.h>

struct vmx_vcpu;
struct minihv_vm;

/* An interrupt message (SDM 11.6.1, 11.11): ICR, I/O APIC entry or LVT. */
struct lapic_irq {
	u8 vector;
	u8 delivery;		/* APIC_DM_* >> 8 */
	u8 shorthand;		/* APIC_DEST_SELF etc. >> 18 */
	bool logical;		/* destination mode */
	bool level;		/* trigger mode */
	bool assert;		/* the ICR's level bit (INIT de-assert: 0) */
	bool x2apic;		/* 32-bit destination (x2APIC ICR) */
	u32 dest;
};

#define LAPIC_SHORT_NONE	0
#define LAPIC_SHORT_SELF	1
#define LAPIC_SHORT_ALL		2
#define LAPIC_SHORT_OTHERS	3

/* The APIC timer in TSC ticks: it counts at the TSC's rate (CPUID 0x15). */
struct apic_timer {
	struct hrtimer hrtimer;
	u32 mode;		/* LVT timer mode bits as last armed */
	u64 target;		/* guest TSC of the next expiry; 0: idle */
	u64 period;		/* periodic: ticks between expiries */
	u64 deadline;		/* IA32_TSC_DEADLINE as the guest sees it */
	u32 divide;		/* from the divide configuration register */
};

enum lapic_event {
	LAPIC_EV_NMI,
	LAPIC_EV_INIT,
	LAPIC_EV_SIPI,
	LAPIC_EV_RECV_ILLEGAL,		/* a vector below 16 arrived */
};

struct minihv_lapic {
	struct vmx_vcpu *v;
	void *regs;			/* the register page */
	u64 base;			/* IA32_APIC_BASE */
	u32 id;				/* initial APIC id: the vCPU id */
	bool apicv;			/* APIC virtualization in the VMCS */

	/* Posted by anyone (see above), taken by the vCPU's thread. */
	unsigned long pir[256 / BITS_PER_LONG];
	unsigned long pir_level[256 / BITS_PER_LONG];
	unsigned long events;		/* BIT(LAPIC_EV_*) */
	u8 sipi_vector;

	/* Errors since the last ESR write (xAPIC: a write latches them). */
	u32 esr_pending;
	bool tmr_dirty;			/* EOI-exit bitmap to rewrite */

	struct apic_timer timer;
};

#define LAPIC_BASE_BSP		BIT_ULL(8)
#define LAPIC_BASE_EXTD		BIT_ULL(10)	/* x2APIC mode */
#define LAPIC_BASE_EN		BIT_ULL(11)

static inline u32 lapic_reg(const struct minihv_lapic *apic, u32 reg)
{
	return READ_ONCE(*(u32 *)(apic->regs + reg));
}

static inline void lapic_set_reg(struct minihv_lapic *apic, u32 reg, u32 val)
{
	WRITE_ONCE(*(u32 *)(apic->regs + reg), val);
}

static inline bool lapic_enabled(const struct minihv_lapic *apic)
{
	return apic->base & LAPIC_BASE_EN;
}

static inline bool lapic_x2apic(const struct minihv_lapic *apic)
{
	return (apic->base & (LAPIC_BASE_EN | LAPIC_BASE_EXTD)) ==
	       (LAPIC_BASE_EN | LAPIC_BASE_EXTD);
}

static inline bool lapic_xapic(const struct minihv_lapic *apic)
{
	return (apic->base & (LAPIC_BASE_EN | LAPIC_BASE_EXTD)) ==
	       LAPIC_BASE_EN;
}

static inline u64 lapic_mmio_base(const struct minihv_lapic *apic)
{
	return apic->base & ~0xfffULL;
}

/* irq/lapic.c */
int minihv_lapic_create(struct vmx_vcpu *v, bool apicv);
void minihv_lapic_free(struct minihv_lapic *apic);
void minihv_lapic_reset(struct minihv_lapic *apic, bool init);
int minihv_lapic_mmio_read(struct minihv_lapic *apic, u32 off, u32 len,
			   u64 *val);
int minihv_lapic_mmio_write(struct minihv_lapic *apic, u32 off, u32 len,
			    u64 val);
void minihv_lapic_write_trap(struct minihv_lapic *apic, u32 reg);
int minihv_lapic_msr_read(struct minihv_lapic *apic, u32 msr, u64 *val);
int minihv_lapic_msr_write(struct minihv_lapic *apic, u32 msr, u64 val);
int minihv_lapic_set_base(struct minihv_lapic *apic, u64 val);
u32 minihv_lapic_get_tpr(struct minihv_lapic *apic);
void minihv_lapic_set_tpr(struct minihv_lapic *apic, u32 tpr);
void minihv_lapic_post(struct minihv_lapic *apic, u8 vector, bool level);
void minihv_lapic_deliver(struct minihv_vm *vm, struct minihv_lapic *src,
			  const struct lapic_irq *irq);
void minihv_lapic_sync_pir(struct minihv_lapic *apic);
int minihv_lapic_highest_irr(struct minihv_lapic *apic);
int minihv_lapic_highest_isr(struct minihv_lapic *apic);
int minihv_lapic_deliverable(struct minihv_lapic *apic);
void minihv_lapic_ack(struct minihv_lapic *apic, u8 vector);
void minihv_lapic_eoi_level(struct minihv_lapic *apic, u8 vector);
bool minihv_lapic_has_event(struct minihv_lapic *apic);

/* timer/apic_timer.c */
void minihv_apic_timer_init(struct minihv_lapic *apic);
void minihv_apic_timer_stop(struct minihv_lapic *apic);
void minihv_apic_timer_lvt(struct minihv_lapic *apic, u32 lvt);
void minihv_apic_timer_tmict(struct minihv_lapic *apic, u32 count);
void minihv_apic_timer_tdcr(struct minihv_lapic *apic, u32 tdcr);
u32 minihv_apic_timer_tmcct(struct minihv_lapic *apic);
void minihv_apic_timer_rearm(struct minihv_lapic *apic);
u64 minihv_apic_timer_get_deadline(struct minihv_lapic *apic);
void minihv_apic_timer_set_deadline(struct minihv_lapic *apic, u64 tsc);

#endif /* MINIHV_IRQ_LAPIC_H */
