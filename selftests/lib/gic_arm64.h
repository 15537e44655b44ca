/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A GICv3 for the arm64 test guests (guest_create_gic): where it is and
 * the few driver steps a guest needs, usable from guest code (no libc).
 * Offsets and bits as in the GICv3 architecture (IHI 0069).
 */
#ifndef MINIHV_SELFTEST_GIC_ARM64_H
#define MINIHV_SELFTEST_GIC_ARM64_H

#include <stdint.h>

#include "guest.h"

#if defined(__aarch64__)

/* QEMU virt's layout, moved into the guests' device-memory GiB. */
#define GUEST_GICD_BASE		(GUEST_MMIO_BASE + 0x08000000ULL)
#define GUEST_GICR_BASE		(GUEST_MMIO_BASE + 0x080a0000ULL)
#define GUEST_GICR_SIZE		(GUEST_MAX_VCPUS * 0x20000ULL)
#define GICR_FRAME(id)		(GUEST_GICR_BASE + (uint64_t)(id) * 0x20000)
#define GICR_SGI(id)		(GICR_FRAME(id) + 0x10000)

#define GICD_CTLR		0x0000
#define GICD_TYPER		0x0004
#define GICD_IIDR		0x0008
#define GICD_STATUSR		0x0010
#define GICD_IGROUPR		0x0080
#define GICD_ISENABLER		0x0100
#define GICD_ICENABLER		0x0180
#define GICD_ISPENDR		0x0200
#define GICD_ICPENDR		0x0280
#define GICD_ISACTIVER		0x0300
#define GICD_ICACTIVER		0x0380
#define GICD_IPRIORITYR		0x0400
#define GICD_ITARGETSR		0x0800
#define GICD_ICFGR		0x0c00
#define GICD_SGIR		0x0f00
#define GICD_IROUTER		0x6000
#define GICD_TYPER2		0x000c
#define GICD_PIDR2		0xffe8
#define GICD_CTLR_G0		(1U << 0)
#define GICD_CTLR_G1		(1U << 1)
#define GICD_CTLR_ARE		(1U << 4)
#define GICD_CTLR_DS		(1U << 6)

#define GICR_CTLR		0x0000
#define GICR_IIDR		0x0004
#define GICR_TYPER		0x0008
#define GICR_WAKER		0x0014
#define GICR_PIDR2		0xffe8
#define GICR_TYPER_LAST		(1ULL << 4)
#define GICR_WAKER_SLEEP	(1U << 1)
#define GICR_WAKER_ASLEEP	(1U << 2)

#define INTID_SPI(n)		(32 + (n))
#define INTID_VTIMER		27
#define INTID_PTIMER		30
#define INTID_SPURIOUS		1023

/* The GICv3 CPU interface, by encoding (any assembler takes these). */
#define ICC_PMR_EL1		"S3_0_C4_C6_0"
#define ICC_IAR0_EL1		"S3_0_C12_C8_0"
#define ICC_DIR_EL1		"S3_0_C12_C11_1"
#define ICC_RPR_EL1		"S3_0_C12_C11_3"
#define ICC_SGI1R_EL1		"S3_0_C12_C11_5"
#define ICC_ASGI1R_EL1		"S3_0_C12_C11_6"
#define ICC_SGI0R_EL1		"S3_0_C12_C11_7"
#define ICC_IAR1_EL1		"S3_0_C12_C12_0"
#define ICC_EOIR1_EL1		"S3_0_C12_C12_1"
#define ICC_HPPIR1_EL1		"S3_0_C12_C12_2"
#define ICC_CTLR_EL1		"S3_0_C12_C12_4"
#define ICC_SRE_EL1		"S3_0_C12_C12_5"
#define ICC_IGRPEN1_EL1		"S3_0_C12_C12_7"
#define ICC_CTLR_EOIMODE	(1ULL << 1)

#define gic_sysreg_read(reg) ({						\
	uint64_t __v;							\
	asm volatile("mrs %0, " reg : "=r"(__v));			\
	__v;								\
})
#define gic_sysreg_write(reg, v) ({					\
	asm volatile("msr " reg ", %0; isb" : : "r"((uint64_t)(v)) : "memory"); \
})

static inline void irqs_on(void)
{
	asm volatile("msr daifclr, #2; isb" ::: "memory");
}

static inline void irqs_off(void)
{
	asm volatile("msr daifset, #2" ::: "memory");
}

static inline void wait_for_interrupt(void)
{
	asm volatile("dsb sy; wfi" ::: "memory");
}

static inline uint64_t gic_counter(void)
{
	uint64_t v;

	asm volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

/*
 * The counter just after it ticks. A timed region of a few ticks (four
 * IAR + EOIR pairs are about 2.5 of QEMU's 16 ns ticks) started at a
 * random phase reads as n or n + 1 ticks, and its median flips between
 * the two; started at an edge it reads the same every time.
 */
static inline uint64_t gic_counter_edge(void)
{
	uint64_t t = gic_counter(), n;

	while ((n = gic_counter()) == t)
		;
	return n;
}

static inline uint64_t gic_counter_freq(void)
{
	uint64_t v;

	asm volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

/* Spin for about @us microseconds of the guest's virtual counter. */
static inline void guest_udelay(uint64_t us)
{
	uint64_t end = gic_counter() + us * gic_counter_freq() / 1000000;

	while (gic_counter() < end)
		;
}

static inline uint64_t gicd_reg(uint32_t off)
{
	return GUEST_GICD_BASE + off;
}

/* The distributor on with group 1, this CPU interface taking group 1. */
static inline void gic_init_cpu(void)
{
	mmio_write32(gicd_reg(GICD_CTLR), GICD_CTLR_ARE | GICD_CTLR_G1);
	mmio_write32(GICR_FRAME(guest_vcpu_id()) + GICR_WAKER, 0);
	gic_sysreg_write(ICC_PMR_EL1, 0xff);
	gic_sysreg_write(ICC_IGRPEN1_EL1, 1);
}

/* Per-interrupt registers: an SPI's in the distributor, else our own. */
static inline uint64_t gic_irq_reg(uint32_t intid, uint32_t off)
{
	return intid < 32 ? GICR_SGI(guest_vcpu_id()) + off :
			    GUEST_GICD_BASE + off;
}

static inline void gic_enable(uint32_t intid)
{
	mmio_write32(gic_irq_reg(intid, GICD_ISENABLER) + intid / 32 * 4,
		     1U << (intid % 32));
}

static inline void gic_disable(uint32_t intid)
{
	mmio_write32(gic_irq_reg(intid, GICD_ICENABLER) + intid / 32 * 4,
		     1U << (intid % 32));
}

static inline void gic_set_priority(uint32_t intid, uint8_t prio)
{
	mmio_write8(gic_irq_reg(intid, GICD_IPRIORITYR) + intid, prio);
}

/* Edge-triggered (true) or level-sensitive (false). */
static inline void gic_set_edge(uint32_t intid, int edge)
{
	uint64_t reg = gic_irq_reg(intid, GICD_ICFGR) + intid / 16 * 4;
	uint32_t v = mmio_read32(reg), bit = 2U << (intid % 16 * 2);

	mmio_write32(reg, edge ? v | bit : v & ~bit);
}

static inline int gic_is_pending(uint32_t intid, uint64_t frame_sgi)
{
	uint64_t base = intid < 32 ? frame_sgi : GUEST_GICD_BASE;

	return (mmio_read32(base + GICD_ISPENDR + intid / 32 * 4) >>
		(intid % 32)) & 1;
}

static inline int gic_is_active(uint32_t intid)
{
	return (mmio_read32(gic_irq_reg(intid, GICD_ISACTIVER) +
			    intid / 32 * 4) >> (intid % 32)) & 1;
}

static inline uint32_t gic_ack(void)
{
	uint32_t intid = gic_sysreg_read(ICC_IAR1_EL1) & 0xffffff;

	asm volatile("dsb sy" ::: "memory");
	return intid;
}

static inline void gic_eoi(uint32_t intid)
{
	gic_sysreg_write(ICC_EOIR1_EL1, intid);
}

static inline void gic_dir(uint32_t intid)
{
	gic_sysreg_write(ICC_DIR_EL1, intid);
}

/* ICC_SGI1R_EL1 for the vCPU of that id (Aff1 = id / 16, Aff0 = id % 16). */
static inline uint64_t gic_sgir(uint32_t intid, uint32_t vcpu)
{
	return (uint64_t)intid << 24 | (uint64_t)(vcpu / 16) << 16 |
	       1U << (vcpu % 16);
}

static inline void gic_send_sgi(uint32_t intid, uint32_t vcpu)
{
	gic_sysreg_write(ICC_SGI1R_EL1, gic_sgir(intid, vcpu));
}

/* IRM: every vCPU but the sender. */
static inline void gic_send_sgi_others(uint32_t intid)
{
	gic_sysreg_write(ICC_SGI1R_EL1, (uint64_t)intid << 24 | 1ULL << 40);
}

/*
 * What every vCPU's IRQ handler (gic_record_irq, for guest_irq_handler)
 * took, in order, in guest memory.
 */
#define GIC_LOG_MAX		64
struct gic_irq_log {
	uint32_t n;
	uint32_t intid[GIC_LOG_MAX];
	uint64_t stamp[GIC_LOG_MAX];	/* the virtual counter at the ack */
};

extern struct gic_irq_log gic_irq_logs[GUEST_MAX_VCPUS];
/*
 * A test's hook, called between the acknowledge and the EOI with the
 * number of this interrupt on this vCPU; returns whether to EOI.
 */
extern int (*gic_irq_hook)(uint32_t intid, uint32_t n);

void gic_record_irq(void);
uint32_t gic_nr_irqs(int vcpu);
/* Wait (IRQs on) until this vCPU has taken @n interrupts, or @ms passed. */
uint32_t gic_wait_irqs(uint32_t n, uint64_t ms);
/* The host's view of a vCPU's log. */
struct gic_irq_log *gic_host_log(struct guest *g, int vcpu);

/* Skip unless this minihv emulates a GICv3 (it needs GICv3 hardware). */
#define REQUIRE_VGIC_SETUP() do {					\
	REQUIRE_GUESTS_SETUP();						\
	if (!(minihv_irqchip_types() & (1 << MINIHV_IRQCHIP_GICV3)))	\
		SKIP(_exit(255), "no vGICv3 (MINIHV_CAP_IRQCHIP)");	\
} while (0)

#endif /* __aarch64__ */
#endif /* MINIHV_SELFTEST_GIC_ARM64_H */
