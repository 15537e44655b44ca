// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 vGICv3: its creation ioctl, the distributor and redistributor
 * registers as guest code reads and writes them, interrupts from
 * userspace (edge, level, disabled, priorities, active state, EOImode 1),
 * SGIs between vCPUs running and sleeping in WFI, and accesses the
 * architecture does not allow. Guests are functions of this binary
 * (lib/guest.h) with the GIC of lib/gic_arm64.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/guest.h"
#include "lib/guest_check.h"
#include "lib/mem_check.h"
#include "lib/minihv_util.h"

#if defined(__aarch64__)
#include "lib/gic_arm64.h"

FIXTURE(vgic) {
	struct guest g;
};

FIXTURE_SETUP(vgic)
{
	memset(&self->g, 0xff, sizeof(self->g));
	self->g.image = NULL;
	REQUIRE_VGIC_SETUP();
	guest_irq_handler = gic_record_irq;
}

FIXTURE_TEARDOWN(vgic)
{
	guest_destroy(&self->g);
}

static void set_line(struct __test_metadata *_metadata, struct guest *g,
		  uint32_t spi, uint32_t level)
{
	struct minihv_irq_level l = { .irq = spi, .level = level };

	ASSERT_EQ(0, ioctl(g->vm, MINIHV_IRQ_LINE, &l))
		TH_LOG("IRQ_LINE %u %u: %s", spi, level, strerror(errno));
}

static void pulse(struct __test_metadata *_metadata, struct guest *g,
		  uint32_t spi)
{
	set_line(_metadata, g, spi, 1);
	set_line(_metadata, g, spi, 0);
}

/* ---- the ioctl ---------------------------------------------------------- */

static int create_chip(int vm, uint64_t gicd, uint64_t gicr, uint64_t size,
		       uint32_t nr)
{
	struct minihv_irqchip c = {
		.type = MINIHV_IRQCHIP_GICV3,
		.base = { gicd, gicr }, .size = { 0, size }, .nr_irqs = nr,
	};

	return ioctl(vm, MINIHV_CREATE_IRQCHIP, &c) ? -errno : 0;
}

static _Alignas(1 << 20) char ram[2 << 20];

TEST(irqchip_create_rules)
{
	struct minihv_irqchip c = { .type = MINIHV_IRQCHIP_GICV3 };
	struct minihv_irq_level l = { .irq = 0, .level = 1 };
	uint64_t d = GUEST_GICD_BASE, r = GUEST_GICR_BASE;
	int dev, vm, vcpu;

	REQUIRE_MINIHV();
	if (!(minihv_irqchip_types() & (1 << MINIHV_IRQCHIP_GICV3)))
		SKIP(return, "no vGICv3 (MINIHV_CAP_IRQCHIP)");
	dev = minihv_open();
	ASSERT_LE(0, dev);
	vm = minihv_create_vm(dev);
	ASSERT_LE(0, vm);

	/* No controller yet: no lines. */
	EXPECT_EQ(-1, ioctl(vm, MINIHV_IRQ_LINE, &l));
	EXPECT_EQ(ENXIO, errno);

	c.flags = 1;
	EXPECT_EQ(-1, ioctl(vm, MINIHV_CREATE_IRQCHIP, &c));
	EXPECT_EQ(EINVAL, errno);
	c.flags = 0;
	c.reserved[3] = 1;
	EXPECT_EQ(-1, ioctl(vm, MINIHV_CREATE_IRQCHIP, &c));
	EXPECT_EQ(EINVAL, errno);
	c.reserved[3] = 0;
	c.type = MINIHV_IRQCHIP_X86_APIC;
	EXPECT_EQ(-1, ioctl(vm, MINIHV_CREATE_IRQCHIP, &c));
	EXPECT_EQ(ENODEV, errno);
	c.type = 77;
	EXPECT_EQ(-1, ioctl(vm, MINIHV_CREATE_IRQCHIP, &c));
	EXPECT_EQ(ENODEV, errno);

	EXPECT_EQ(-EINVAL, create_chip(vm, d + 0x1000, r, 0x40000, 0));
	EXPECT_EQ(-EINVAL, create_chip(vm, d, r + 0x1000, 0x40000, 0));
	EXPECT_EQ(-EINVAL, create_chip(vm, d, r, 0, 0));
	EXPECT_EQ(-EINVAL, create_chip(vm, d, r, 0x30000, 0));
	EXPECT_EQ(-EINVAL, create_chip(vm, d, r, 0x40000, 33));
	EXPECT_EQ(-EINVAL, create_chip(vm, d, r, 0x40000, 992));
	/* Distributor inside the redistributors, and past the IPA space. */
	EXPECT_EQ(-EINVAL, create_chip(vm, r + 0x20000, r, 0x40000, 0));
	EXPECT_EQ(-EINVAL, create_chip(vm, -0x10000ULL, r, 0x40000, 0));
	/* Over guest RAM. */
	ASSERT_EQ(0, minihv_set_region(vm, 0, 0x100000, sizeof(ram), ram));
	EXPECT_EQ(-EEXIST, create_chip(vm, 0x100000, r, 0x40000, 0));
	EXPECT_EQ(-EEXIST, create_chip(vm, d, 0x1e0000, 0x40000, 0));

	/* 2 frames: vCPU ids 0 and 1 only. */
	EXPECT_EQ(0, create_chip(vm, d, r, 0x40000, 64));
	EXPECT_EQ(-EEXIST, create_chip(vm, d, r, 0x40000, 64));
	/* RAM over the controller now. */
	EXPECT_NE(0, minihv_set_region(vm, 1, d, 0x10000, ram));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_NE(0, minihv_set_region(vm, 1, r + 0x20000, 0x100000, ram));
	EXPECT_EQ(EINVAL, errno);

	vcpu = ioctl(vm, MINIHV_CREATE_VCPU, 2);
	EXPECT_EQ(-1, vcpu);
	EXPECT_EQ(EINVAL, errno);
	vcpu = ioctl(vm, MINIHV_CREATE_VCPU, 1);
	EXPECT_LE(0, vcpu);

	l.irq = 63;
	EXPECT_EQ(0, ioctl(vm, MINIHV_IRQ_LINE, &l));
	l.irq = 64;
	EXPECT_EQ(-1, ioctl(vm, MINIHV_IRQ_LINE, &l));
	EXPECT_EQ(EINVAL, errno);
	l.irq = 5;
	l.level = 2;
	EXPECT_EQ(-1, ioctl(vm, MINIHV_IRQ_LINE, &l));
	EXPECT_EQ(EINVAL, errno);
	close(vcpu);
	close(vm);

	/* A controller comes before the vCPUs. */
	vm = minihv_create_vm(dev);
	ASSERT_LE(0, vm);
	vcpu = ioctl(vm, MINIHV_CREATE_VCPU, 0);
	ASSERT_LE(0, vcpu);
	EXPECT_EQ(-EBUSY, create_chip(vm, d, r, 0x40000, 0));
	close(vcpu);
	close(vm);
	close(dev);
}

/* ---- registers ---------------------------------------------------------- */

#define NR_RESULTS	64
static uint64_t results[NR_RESULTS];

static void put(int i, uint64_t v)
{
	STORE_ONCE(results[i], v);
}

static uint64_t guest_dist_regs(uint64_t unused)
{
	uint64_t d = GUEST_GICD_BASE;

	/* After reset. */
	put(0, mmio_read32(d + GICD_CTLR));
	put(1, mmio_read32(d + GICD_TYPER));
	put(2, mmio_read32(d + GICD_IIDR));
	put(3, mmio_read32(d + GICD_PIDR2));
	put(4, mmio_read32(d + GICD_IGROUPR + 4));	/* SPIs 32..63 */
	put(5, mmio_read32(d + GICD_ISENABLER + 4));
	put(6, mmio_read32(d + GICD_IPRIORITYR + 32));
	put(7, mmio_read32(d + GICD_ICFGR + 8));
	put(8, mmio_read64(d + GICD_IROUTER + 8 * 40));
	put(9, mmio_read32(d + GICD_ISPENDR + 4));
	put(10, mmio_read32(d + GICD_ISACTIVER + 4));

	/* Writes, read back. */
	mmio_write32(d + GICD_CTLR, 0xffffffff);
	put(11, mmio_read32(d + GICD_CTLR));
	mmio_write32(d + GICD_CTLR, GICD_CTLR_G1);
	put(12, mmio_read32(d + GICD_CTLR));
	mmio_write32(d + GICD_IGROUPR + 4, 0x0000ffff);
	put(13, mmio_read32(d + GICD_IGROUPR + 4));
	mmio_write32(d + GICD_ISENABLER + 4, 0x80000101);
	mmio_write32(d + GICD_ISENABLER + 4, 0x00000010);	/* adds */
	mmio_write32(d + GICD_ICENABLER + 4, 0x00000001);	/* clears */
	put(14, mmio_read32(d + GICD_ISENABLER + 4));
	put(15, mmio_read32(d + GICD_ICENABLER + 4));
	mmio_write32(d + GICD_IPRIORITYR + 32, 0xffa05001);
	put(16, mmio_read32(d + GICD_IPRIORITYR + 32));
	mmio_write8(d + GICD_IPRIORITYR + 37, 0x48);
	put(17, mmio_read8(d + GICD_IPRIORITYR + 37));
	put(18, mmio_read32(d + GICD_IPRIORITYR + 36));
	mmio_write32(d + GICD_ICFGR + 8, 0xffffffff);
	put(19, mmio_read32(d + GICD_ICFGR + 8));
	mmio_write64(d + GICD_IROUTER + 8 * 40, 0xffffffffffffffffULL);
	put(20, mmio_read64(d + GICD_IROUTER + 8 * 40));
	mmio_write32(d + GICD_IROUTER + 8 * 41 + 4, 0x12);	/* Aff3 */
	mmio_write32(d + GICD_IROUTER + 8 * 41, 0x80030201);
	put(21, mmio_read64(d + GICD_IROUTER + 8 * 41));
	put(22, mmio_read32(d + GICD_IROUTER + 8 * 41 + 4));
	mmio_write32(d + GICD_ISPENDR + 4, 0x6);
	mmio_write32(d + GICD_ICPENDR + 4, 0x2);
	put(23, mmio_read32(d + GICD_ISPENDR + 4));
	mmio_write32(d + GICD_ISACTIVER + 4, 0x30);
	mmio_write32(d + GICD_ICACTIVER + 4, 0x10);
	put(24, mmio_read32(d + GICD_ICACTIVER + 4));

	/* RAZ/WI: SGIs/PPIs (ARE), read-only, reserved, past the SPIs. */
	mmio_write32(d + GICD_ISENABLER, 0xffffffff);
	put(25, mmio_read32(d + GICD_ISENABLER));
	mmio_write32(d + GICD_IPRIORITYR, 0xffffffff);
	put(26, mmio_read32(d + GICD_IPRIORITYR));
	mmio_write32(d + GICD_TYPER, 0);
	put(27, mmio_read32(d + GICD_TYPER));
	mmio_write32(d + 0x5000, 0x1234);
	put(28, mmio_read32(d + 0x5000));
	mmio_write32(d + GICD_ITARGETSR + 40, 0xffffffff);
	put(29, mmio_read32(d + GICD_ITARGETSR + 40));
	mmio_write32(d + GICD_ISENABLER + 4 * 9, 0xffffffff);	/* 288.. */
	put(30, mmio_read32(d + GICD_ISENABLER + 4 * 9));
	mmio_write64(d + GICD_IROUTER + 8 * 300, 0x5);
	put(31, mmio_read64(d + GICD_IROUTER + 8 * 300));
	mmio_write32(d + GICD_SGIR, 0x01000001);
	put(32, mmio_read32(d + GICD_STATUSR));
	/* The interrupts the writes made pending are not taken: IRQs off. */
	return 0;
}

TEST_F(vgic, distributor_registers)
{
	uint64_t *r;

	ASSERT_EQ(0, guest_create_gic(&self->g, 1, guest_dist_regs, 0, 0));
	ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, &self->g));
	r = guest_mem(&self->g, results);

	EXPECT_EQ(GICD_CTLR_ARE | GICD_CTLR_DS, r[0]);	/* groups off */
	/* 256 SPIs: ITLinesNumber 8; one CPU; IDbits 9 (10 bits), no LPIs. */
	EXPECT_EQ(8, r[1] & 0x1f);
	EXPECT_EQ(0, (r[1] >> 5) & 7);
	EXPECT_EQ(9, (r[1] >> 19) & 0x1f);
	EXPECT_EQ(0, r[1] & (1 << 17));
	EXPECT_EQ(0x43b, r[2] & 0xfff);			/* Arm's JEP106 */
	EXPECT_EQ(0x30, r[3] & 0xf0);			/* ArchRev 3 */
	EXPECT_EQ(0xffffffff, r[4]);			/* group 1 */
	EXPECT_EQ(0, r[5]);
	EXPECT_EQ(0, r[6]);
	EXPECT_EQ(0, r[7]);				/* level */
	EXPECT_EQ(0, r[8]);
	EXPECT_EQ(0, r[9]);
	EXPECT_EQ(0, r[10]);

	EXPECT_EQ(GICD_CTLR_ARE | GICD_CTLR_DS | GICD_CTLR_G0 | GICD_CTLR_G1,
		  r[11]);
	EXPECT_EQ(GICD_CTLR_ARE | GICD_CTLR_DS | GICD_CTLR_G1, r[12]);
	EXPECT_EQ(0x0000ffff, r[13]);
	EXPECT_EQ(0x80000110, r[14]);
	EXPECT_EQ(0x80000110, r[15]);
	/* Five priority bits implemented (ICH_VTR_EL2.PRIbits here). */
	EXPECT_EQ(0xf8a05000, r[16]);
	EXPECT_EQ(0x48, r[17]);
	EXPECT_EQ(0x4800, r[18] & 0xff00);
	EXPECT_EQ(0xaaaaaaaa, r[19]);			/* edge: odd bits */
	EXPECT_EQ(0xff80ffffffULL, r[20]);
	EXPECT_EQ(0x1280030201ULL, r[21]);
	EXPECT_EQ(0x12, r[22]);
	EXPECT_EQ(0x4, r[23]);
	EXPECT_EQ(0x20, r[24]);

	EXPECT_EQ(0, r[25]);
	EXPECT_EQ(0, r[26]);
	EXPECT_EQ(r[1], r[27]);
	EXPECT_EQ(0, r[28]);
	EXPECT_EQ(0, r[29]);
	EXPECT_EQ(0, r[30]);
	EXPECT_EQ(0, r[31]);
	EXPECT_EQ(0, r[32]);
}

/*
 * EL2 answers word loads of GICD_CTLR, TYPER, IIDR and TYPER2 without the
 * host (el2/world_switch.h:gicd_read_fast), writing the load's target
 * register itself: every one of x0..x30 and XZR, each preset to all ones
 * (a W load clears the top half), loaded in turn before any is stored, so
 * a write to the wrong register shows too.
 */
static uint64_t seen[32];

#define LOAD_ALL(...)							\
	".irp n," #__VA_ARGS__ "\n mov x\\n, #-1\n ldr w\\n, [%0]\n .endr\n" \
	".irp n," #__VA_ARGS__ "\n str x\\n, [%1, #8 * \\n]\n .endr\n"

static uint64_t guest_dist_reads_at_el2(uint64_t unused)
{
	uint64_t iidr = GUEST_GICD_BASE + GICD_IIDR;

	asm volatile(LOAD_ALL(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13)
		     : : "r"(iidr), "r"(seen)
		     : "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8",
		       "x9", "x10", "x11", "x12", "x13", "memory");
	asm volatile(LOAD_ALL(14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
			      25, 26, 27, 28)
		     : : "r"(iidr), "r"(seen)
		     : "x14", "x15", "x16", "x17", "x18", "x19", "x20", "x21",
		       "x22", "x23", "x24", "x25", "x26", "x27", "x28",
		       "memory");
	/* The frame pointer and the link register, put back afterwards. */
	asm volatile("mov x16, %0\n"
		     "stp x29, x30, [sp, #-16]!\n"
		     "mov x29, #-1\n"
		     "mov x30, #-1\n"
		     "ldr w29, [x16]\n"
		     "ldr w30, [x16]\n"
		     "mov x17, x29\n"
		     "mov x16, x30\n"
		     "ldp x29, x30, [sp], #16\n"
		     "str x17, [%1, #8 * 29]\n"
		     "str x16, [%1, #8 * 30]\n"
		     : : "r"(iidr), "r"(seen) : "x16", "x17", "x30", "memory");
	/* XZR: the load is skipped, nothing else written. */
	asm volatile("mov x16, #-1\n"
		     "ldr wzr, [%0]\n"
		     "str x16, [%1, #8 * 31]\n"
		     : : "r"(iidr), "r"(seen) : "x16", "memory");

	put(0, mmio_read32(GUEST_GICD_BASE + GICD_TYPER));
	put(1, mmio_read32(GUEST_GICD_BASE + GICD_TYPER2));
	mmio_write32(GUEST_GICD_BASE + GICD_CTLR, GICD_CTLR_G1);
	put(2, mmio_read32(GUEST_GICD_BASE + GICD_CTLR));
	mmio_write32(GUEST_GICD_BASE + GICD_CTLR, 0);
	put(3, mmio_read32(GUEST_GICD_BASE + GICD_CTLR));
	return 0;
}

TEST_F(vgic, distributor_reads_at_el2_reach_every_register)
{
	uint64_t *r, *x;
	int i;

	/* Two vCPUs (the second never runs): TYPER counts both. */
	ASSERT_EQ(0, guest_create_gic(&self->g, 2, guest_dist_reads_at_el2,
				      0, 0));
	ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, &self->g));
	x = guest_mem(&self->g, seen);
	for (i = 0; i < 31; i++) {
		EXPECT_EQ(0x4d00043bULL, x[i]) TH_LOG("x%d", i);
	}
	EXPECT_EQ(~0ULL, x[31]);
	r = guest_mem(&self->g, results);
	EXPECT_EQ(1, (r[0] >> 5) & 7);			/* CPUNumber */
	EXPECT_EQ(8, r[0] & 0x1f);
	EXPECT_EQ(0, r[1]);
	EXPECT_EQ(GICD_CTLR_ARE | GICD_CTLR_DS | GICD_CTLR_G1, r[2]);
	EXPECT_EQ(GICD_CTLR_ARE | GICD_CTLR_DS, r[3]);
}

static uint64_t guest_redist_regs(uint64_t unused)
{
	uint64_t r0 = GICR_FRAME(0), r1 = GICR_FRAME(1), r2 = GICR_FRAME(2);

	put(0, mmio_read64(r0 + GICR_TYPER));
	put(1, mmio_read64(r1 + GICR_TYPER));
	put(2, mmio_read32(r1 + GICR_TYPER + 4));
	put(3, mmio_read32(r0 + GICR_WAKER));
	mmio_write32(r0 + GICR_WAKER, 0);
	put(4, mmio_read32(r0 + GICR_WAKER));
	put(5, mmio_read32(r0 + GICR_PIDR2));
	put(6, mmio_read32(r0 + GICR_CTLR));
	put(7, mmio_read32(GICR_SGI(0) + GICD_ISENABLER));
	put(8, mmio_read32(GICR_SGI(0) + GICD_ICFGR));
	put(9, mmio_read32(GICR_SGI(0) + GICD_ICFGR + 4));
	put(10, mmio_read32(GICR_SGI(0) + GICD_IGROUPR));

	mmio_write32(GICR_SGI(1) + GICD_ICFGR, 0);	/* SGIs: read-only */
	put(11, mmio_read32(GICR_SGI(1) + GICD_ICFGR));
	mmio_write32(GICR_SGI(1) + GICD_ICFGR + 4, 0xa0000000);
	put(12, mmio_read32(GICR_SGI(1) + GICD_ICFGR + 4));
	mmio_write8(GICR_SGI(1) + GICD_IPRIORITYR + 27, 0x80);
	put(13, mmio_read32(GICR_SGI(1) + GICD_IPRIORITYR + 24));
	put(14, mmio_read32(GICR_SGI(0) + GICD_IPRIORITYR + 24));
	mmio_write32(GICR_SGI(1) + GICD_ICENABLER, 0x0000000f);
	mmio_write32(GICR_SGI(1) + GICD_ISENABLER, 0x08000000);
	put(15, mmio_read32(GICR_SGI(1) + GICD_ISENABLER));
	/* Only the first register of each kind exists here. */
	mmio_write32(GICR_SGI(1) + GICD_ISENABLER + 4, 0xffffffff);
	put(16, mmio_read32(GICR_SGI(1) + GICD_ISENABLER + 4));
	/* A frame with no vCPU (only 2 here): RAZ/WI. */
	mmio_write32(r2 + GICR_WAKER, 0);
	put(17, mmio_read64(r2 + GICR_TYPER));
	put(18, mmio_read32(GICR_SGI(2) + GICD_ISENABLER));
	return 0;
}

TEST_F(vgic, redistributor_registers)
{
	uint64_t *r;

	/* vCPU 1 never runs: its redistributor is there all the same. */
	ASSERT_EQ(0, guest_create_gic(&self->g, 2, guest_redist_regs, 0, 0));
	ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, &self->g));
	r = guest_mem(&self->g, results);

	/* Affinity 0.0.0.0, Processor_Number 0, not the last frame. */
	EXPECT_EQ(0, r[0]);
	/* Affinity 0.0.0.1 (Aff0 in bits 32..39), number 1, Last. */
	EXPECT_EQ(1ULL << 32 | 1 << 8 | GICR_TYPER_LAST, r[1]);
	EXPECT_EQ(1, r[2]);
	EXPECT_EQ(GICR_WAKER_SLEEP | GICR_WAKER_ASLEEP, r[3]);
	EXPECT_EQ(0, r[4]);
	EXPECT_EQ(0x30, r[5] & 0xf0);
	EXPECT_EQ(0, r[6]);				/* no LPIs */
	EXPECT_EQ(0x0000ffff, r[7]);			/* SGIs enabled */
	EXPECT_EQ(0xaaaaaaaa, r[8]);			/* SGIs edge */
	EXPECT_EQ(0, r[9]);				/* PPIs level */
	EXPECT_EQ(0xffffffff, r[10]);
	EXPECT_EQ(0xaaaaaaaa, r[11]);
	EXPECT_EQ(0xa0000000, r[12]);
	EXPECT_EQ(0x80000000, r[13]);
	EXPECT_EQ(0, r[14]);				/* vCPU 0's untouched */
	EXPECT_EQ(0x0800fff0, r[15]);
	EXPECT_EQ(0, r[16]);
	EXPECT_EQ(0, r[17]);
	EXPECT_EQ(0, r[18]);
}

/*
 * Accesses the GIC does not allow: the guest takes a synchronous
 * external abort on its own vectors, at the access, with the right
 * syndrome; minihv and the host carry on. Misaligned ones need the GIC
 * in Normal memory (GiB 0 of the guests' map): on Device memory the
 * guest's own stage 1 faults them first.
 */
#define NORMAL_GICD	0x30000000ULL
#define NORMAL_GICR	0x300a0000ULL

static uint64_t guest_bad_access(uint64_t which)
{
	uint64_t d = GUEST_GICD_BASE, a, b;

	switch (which) {
	case 0:
		return mmio_read16(d + GICD_CTLR);
	case 1:
		return mmio_read64(d + GICD_CTLR);
	case 2:
		mmio_write8(d + GICD_ISENABLER + 4, 1);
		return 0;
	case 3:
		return mmio_read8(GICR_FRAME(0) + GICR_TYPER);
	case 4:
		/* LDP: no syndrome to emulate it by. */
		asm volatile("ldp %0, %1, [%2]"
			     : "=r"(a), "=r"(b) : "r"(d) : "memory");
		return a + b;
	case 5:
		return mmio_read32(NORMAL_GICD + GICD_CTLR + 2);
	default:
		return mmio_read32(NORMAL_GICD + GICD_IROUTER + 8 * 40 + 2);
	}
}

TEST_F(vgic, bad_accesses_abort_in_the_guest)
{
	const struct minihv_irqchip normal = {
		.type = MINIHV_IRQCHIP_GICV3,
		.base = { NORMAL_GICD, NORMAL_GICR },
		.size = { 0, GUEST_GICR_SIZE },
	};
	struct minihv_run *run;
	int which;

	for (which = 0; which <= 6; which++) {
		ASSERT_EQ(0, which < 5 ?
			  guest_create_gic(&self->g, 1, guest_bad_access,
					   which, 0) :
			  guest_create_irqchip(&self->g, 1, guest_bad_access,
					       which, &normal));
		run = self->g.run[0];
		ASSERT_EQ(UCALL_EXCEPTION, run_to_ucall(_metadata, &self->g))
			TH_LOG("case %d", which);
		/* Data abort, same EL; FSC 0x10: synchronous external. */
		EXPECT_EQ(0x25, run->hypercall.args[1] >> 26)
			TH_LOG("case %d: ESR %#llx", which,
			       run->hypercall.args[1]);
		EXPECT_EQ(0x10, run->hypercall.args[1] & 0x3f)
			TH_LOG("case %d: ESR %#llx", which,
			       run->hypercall.args[1]);
		EXPECT_EQ(4, run->hypercall.args[3]);
		EXPECT_EQ(which == 2, !!(run->hypercall.args[1] & (1 << 6)))
			TH_LOG("case %d: WnR", which);
		guest_destroy(&self->g);
	}
}

/* ---- interrupts from userspace ------------------------------------------ */

#define SPI		5

static uint64_t guest_spi_edge(uint64_t spi)
{
	gic_init_cpu();
	gic_set_edge(INTID_SPI(spi), 1);
	gic_enable(INTID_SPI(spi));
	irqs_on();
	guest_sync(1, 0);		/* the host pulses the line */
	gic_wait_irqs(1, 1000);
	/* And not a second time. */
	guest_udelay(20000);
	irqs_off();
	return gic_nr_irqs(0);
}

TEST_F(vgic, spi_edge_arrives_once)
{
	struct gic_irq_log *l;

	ASSERT_EQ(0, guest_create_gic(&self->g, 1, guest_spi_edge, SPI, 0));
	ASSERT_EQ(UCALL_SYNC, run_to_ucall(_metadata, &self->g));
	pulse(_metadata, &self->g, SPI);
	ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, &self->g));
	l = gic_host_log(&self->g, 0);
	EXPECT_EQ(1, self->g.run[0]->hypercall.args[1]);
	EXPECT_EQ(INTID_SPI(SPI), l->intid[0]);
}

/* Level: each time, tell the host, which may lower the line, then EOI. */
static int level_hook(uint32_t intid, uint32_t n)
{
	guest_sync(2, intid);
	return 1;
}

static uint64_t guest_spi_level(uint64_t spi)
{
	gic_init_cpu();
	gic_enable(INTID_SPI(spi));		/* level-sensitive by default */
	irqs_on();
	guest_sync(1, 0);
	gic_wait_irqs(2, 1000);
	guest_udelay(20000);
	irqs_off();
	return gic_nr_irqs(0);
}

TEST_F(vgic, spi_level_stays_pending_until_lowered)
{
	struct minihv_run *run;

	gic_irq_hook = level_hook;
	ASSERT_EQ(0, guest_create_gic(&self->g, 1, guest_spi_level, SPI, 0));
	run = self->g.run[0];
	ASSERT_EQ(UCALL_SYNC, run_to_ucall(_metadata, &self->g));
	set_line(_metadata, &self->g, SPI, 1);
	/* Taken; completed with the line still high: taken again. */
	ASSERT_EQ(UCALL_SYNC, run_to_ucall(_metadata, &self->g));
	EXPECT_EQ(2, run->hypercall.args[1]);
	EXPECT_EQ(INTID_SPI(SPI), run->hypercall.args[2]);
	ASSERT_EQ(UCALL_SYNC, run_to_ucall(_metadata, &self->g));
	EXPECT_EQ(2, run->hypercall.args[1]);
	/* Lowered before this completion: never again. */
	set_line(_metadata, &self->g, SPI, 0);
	ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, &self->g));
	EXPECT_EQ(2, run->hypercall.args[1]);
}

static uint64_t guest_spi_disabled(uint64_t spi)
{
	uint64_t was_pending;

	gic_init_cpu();
	gic_set_edge(INTID_SPI(spi), 1);
	irqs_on();
	guest_sync(1, 0);		/* raised while disabled */
	guest_udelay(20000);
	put(0, gic_nr_irqs(0));
	was_pending = gic_is_pending(INTID_SPI(spi), 0);
	put(1, was_pending);
	gic_enable(INTID_SPI(spi));
	gic_wait_irqs(1, 1000);
	guest_udelay(20000);
	irqs_off();
	put(2, gic_is_pending(INTID_SPI(spi), 0));
	return gic_nr_irqs(0);
}

TEST_F(vgic, disabled_spi_waits_until_enabled)
{
	uint64_t *r;

	ASSERT_EQ(0, guest_create_gic(&self->g, 1, guest_spi_disabled, SPI,
				      0));
	ASSERT_EQ(UCALL_SYNC, run_to_ucall(_metadata, &self->g));
	pulse(_metadata, &self->g, SPI);
	ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, &self->g));
	r = guest_mem(&self->g, results);
	EXPECT_EQ(0, r[0]);
	EXPECT_EQ(1, r[1]);
	EXPECT_EQ(0, r[2]);
	EXPECT_EQ(1, self->g.run[0]->hypercall.args[1]);
}

/* Eight SPIs of distinct priorities, more than the 4 list registers. */
#define NR_PRIO		8
#define PRIO_OF(i)	((uint8_t)(((i) * 3 % NR_PRIO) << 4))

static uint64_t guest_priorities(uint64_t first_spi)
{
	int i;

	gic_init_cpu();
	for (i = 0; i < NR_PRIO; i++) {
		gic_set_edge(INTID_SPI(first_spi + i), 1);
		gic_set_priority(INTID_SPI(first_spi + i), PRIO_OF(i));
		gic_enable(INTID_SPI(first_spi + i));
	}
	guest_sync(1, 0);		/* all eight raised, IRQs still off */
	irqs_on();
	gic_wait_irqs(NR_PRIO, 2000);
	guest_udelay(20000);
	irqs_off();
	return gic_nr_irqs(0);
}

TEST_F(vgic, priority_order_with_more_pending_than_list_registers)
{
	struct gic_irq_log *l;
	int i, j;

	ASSERT_EQ(0, guest_create_gic(&self->g, 1, guest_priorities, 10, 0));
	ASSERT_EQ(UCALL_SYNC, run_to_ucall(_metadata, &self->g));
	for (i = 0; i < NR_PRIO; i++)
		pulse(_metadata, &self->g, 10 + i);
	ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, &self->g));
	l = gic_host_log(&self->g, 0);
	ASSERT_EQ(NR_PRIO, l->n);
	for (j = 0; j < NR_PRIO; j++) {
		/* The j-th taken has the j-th best (lowest) priority value. */
		for (i = 0; i < NR_PRIO; i++)
			if (PRIO_OF(i) == j << 4)
				break;
		EXPECT_EQ(INTID_SPI(10 + i), l->intid[j])
			TH_LOG("interrupt %d taken: INTID %u", j, l->intid[j]);
	}
}

/*
 * The first time: ask the host to raise it again, then with IRQs on
 * wait a while; an active interrupt must not be taken again before its
 * EOI (the second time through just completes).
 */
static int active_hook(uint32_t intid, uint32_t n)
{
	if (n == 0) {
		guest_sync(3, intid);
		irqs_on();
		guest_udelay(20000);
		irqs_off();
		put(0, gic_nr_irqs(0));
	}
	return 1;
}

static uint64_t guest_active(uint64_t spi)
{
	gic_init_cpu();
	gic_set_edge(INTID_SPI(spi), 1);
	gic_enable(INTID_SPI(spi));
	irqs_on();
	guest_sync(1, 0);
	gic_wait_irqs(2, 1000);
	guest_udelay(20000);
	irqs_off();
	return gic_nr_irqs(0);
}

TEST_F(vgic, active_interrupt_not_taken_again_before_eoi)
{
	uint64_t *r;

	gic_irq_hook = active_hook;
	ASSERT_EQ(0, guest_create_gic(&self->g, 1, guest_active, SPI, 0));
	ASSERT_EQ(UCALL_SYNC, run_to_ucall(_metadata, &self->g));
	pulse(_metadata, &self->g, SPI);
	ASSERT_EQ(UCALL_SYNC, run_to_ucall(_metadata, &self->g));
	EXPECT_EQ(3, self->g.run[0]->hypercall.args[1]);
	pulse(_metadata, &self->g, SPI);
	ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, &self->g));
	r = guest_mem(&self->g, results);
	EXPECT_EQ(1, r[0]);			/* not while active */
	EXPECT_EQ(2, self->g.run[0]->hypercall.args[1]);	/* then, once */
}

/*
 * EOImode 1: EOIR only drops the priority; the interrupt stays active
 * (GICD_ISACTIVER says so) and is not taken again until DIR.
 */
static int eoimode1_hook(uint32_t intid, uint32_t n)
{
	gic_eoi(intid);			/* priority drop only */
	if (n == 0) {
		guest_sync(3, intid);
		irqs_on();
		guest_udelay(20000);
		put(0, gic_nr_irqs(0));
		put(1, gic_is_active(intid));
		gic_dir(intid);		/* now taken again, nested */
		gic_wait_irqs(2, 1000);
		irqs_off();
		put(2, gic_nr_irqs(0));
	} else {
		gic_dir(intid);
	}
	return 0;
}

static uint64_t guest_eoimode1(uint64_t spi)
{
	gic_init_cpu();
	gic_sysreg_write(ICC_CTLR_EL1, gic_sysreg_read(ICC_CTLR_EL1) |
				       ICC_CTLR_EOIMODE);
	put(3, gic_sysreg_read(ICC_CTLR_EL1) & ICC_CTLR_EOIMODE);
	gic_set_edge(INTID_SPI(spi), 1);
	gic_enable(INTID_SPI(spi));
	irqs_on();
	guest_sync(1, 0);
	gic_wait_irqs(2, 1000);
	guest_udelay(20000);
	irqs_off();
	put(4, gic_is_active(INTID_SPI(spi)));
	return gic_nr_irqs(0);
}

TEST_F(vgic, eoimode1_deactivates_at_dir)
{
	uint64_t *r;

	gic_irq_hook = eoimode1_hook;
	ASSERT_EQ(0, guest_create_gic(&self->g, 1, guest_eoimode1, SPI, 0));
	ASSERT_EQ(UCALL_SYNC, run_to_ucall(_metadata, &self->g));
	pulse(_metadata, &self->g, SPI);
	ASSERT_EQ(UCALL_SYNC, run_to_ucall(_metadata, &self->g));
	pulse(_metadata, &self->g, SPI);
	ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, &self->g));
	r = guest_mem(&self->g, results);
	EXPECT_EQ(ICC_CTLR_EOIMODE, r[3]);
	EXPECT_EQ(1, r[0]);
	EXPECT_EQ(1, r[1]);
	EXPECT_EQ(2, r[2]);
	EXPECT_EQ(0, r[4]);
	EXPECT_EQ(2, self->g.run[0]->hypercall.args[1]);
}

/* ---- SGIs between vCPUs ------------------------------------------------- */

static uint32_t sgi_ready[GUEST_MAX_VCPUS];
static uint32_t sgi_go;

#define SGI		3

/* Every vCPU but 0: ready, then wait for @arg interrupts (mode below). */
enum { SGI_SPIN, SGI_WFI };

static uint64_t guest_sgi(uint64_t mode)
{
	uint32_t id = guest_vcpu_id();
	unsigned int i, n = 0;

	gic_init_cpu();
	if (id == 0) {
		/* Wait for the others, then signal them all. */
		for (i = 1; i < GUEST_MAX_VCPUS; i++)
			while (LOAD_ONCE(sgi_go) & (1 << i) &&
			       !LOAD_ONCE(sgi_ready[i]))
				;
		/* Give a vCPU in WFI the time to fall asleep. */
		if (mode == SGI_WFI)
			guest_udelay(20000);
		for (i = 1; i < GUEST_MAX_VCPUS; i++)
			if (LOAD_ONCE(sgi_go) & (1 << i))
				gic_send_sgi(SGI, i);
		return 0;
	}
	if (mode == SGI_WFI) {
		irqs_off();
		STORE_ONCE(sgi_ready[id], 1);
		/* WFI wakes for a pending interrupt even with IRQs masked. */
		while (gic_nr_irqs(id) < 1) {
			wait_for_interrupt();
			irqs_on();
			irqs_off();
		}
		return gic_nr_irqs(id);
	}
	irqs_on();
	STORE_ONCE(sgi_ready[id], 1);
	n = gic_wait_irqs(1, 5000);
	irqs_off();
	return n;
}

static void sgi_test(struct __test_metadata *_metadata, struct guest *g,
		     uint64_t mode)
{
	uint64_t v[2];
	struct gic_irq_log *l;

	sgi_go = 1 << 1;
	ASSERT_EQ(0, guest_create_gic(g, 2, guest_sgi, mode, 0));
	run_vcpus_to_done(_metadata, g, 2, v);
	EXPECT_EQ(1, v[1]);
	l = gic_host_log(g, 1);
	EXPECT_EQ(SGI, l->intid[0]);
	EXPECT_EQ(0, gic_host_log(g, 0)->n);
}

TEST_F_TIMEOUT(vgic, sgi_reaches_a_vcpu_running_guest_code, 60)
{
	sgi_test(_metadata, &self->g, SGI_SPIN);
}

TEST_F_TIMEOUT(vgic, sgi_wakes_a_vcpu_in_wfi, 60)
{
	sgi_test(_metadata, &self->g, SGI_WFI);
}

static uint64_t guest_sgi_others(uint64_t unused)
{
	uint32_t id = guest_vcpu_id();
	unsigned int i;

	gic_init_cpu();
	irqs_on();
	if (id == 0) {
		for (i = 1; i < 3; i++)
			while (!LOAD_ONCE(sgi_ready[i]))
				;
		gic_send_sgi_others(SGI + 1);
		guest_udelay(20000);
	} else {
		STORE_ONCE(sgi_ready[id], 1);
		gic_wait_irqs(1, 5000);
		guest_udelay(20000);
	}
	irqs_off();
	return gic_nr_irqs(id);
}

TEST_F_TIMEOUT(vgic, sgi_all_but_self, 60)
{
	uint64_t v[3];

	ASSERT_EQ(0, guest_create_gic(&self->g, 3, guest_sgi_others, 0, 0));
	run_vcpus_to_done(_metadata, &self->g, 3, v);
	EXPECT_EQ(0, v[0]);
	EXPECT_EQ(1, v[1]);
	EXPECT_EQ(1, v[2]);
	EXPECT_EQ(SGI + 1, gic_host_log(&self->g, 1)->intid[0]);
	EXPECT_EQ(SGI + 1, gic_host_log(&self->g, 2)->intid[0]);
}

/*
 * The race of an interrupt arriving while its target is on its way into
 * WFI: vCPU 1 announces round i and sleeps; vCPU 0 sends the round's SGI
 * after a delay that varies from none to longer than the way in. A lost
 * wake-up leaves vCPU 1 asleep for good, and the test's timeout fails.
 */
#define RACE_ROUNDS	300
static uint32_t race_round;

static uint64_t guest_wfi_race(uint64_t unused)
{
	uint32_t id = guest_vcpu_id(), i, spin;

	gic_init_cpu();
	if (id == 0) {
		for (i = 1; i <= RACE_ROUNDS; i++) {
			while (LOAD_ONCE(race_round) != i)
				;
			for (spin = 0; spin < (i * 37) % 3000; spin++)
				asm volatile("" ::: "memory");
			gic_send_sgi(SGI, 1);
		}
		return 0;
	}
	irqs_off();
	for (i = 1; i <= RACE_ROUNDS; i++) {
		STORE_ONCE(race_round, i);
		while (gic_nr_irqs(1) < i) {
			wait_for_interrupt();
			irqs_on();
			irqs_off();
		}
	}
	return gic_nr_irqs(1);
}

TEST_F_TIMEOUT(vgic, no_lost_wakeup_on_the_way_into_wfi, 120)
{
	uint64_t v[2];

	ASSERT_EQ(0, guest_create_gic(&self->g, 2, guest_wfi_race, 0, 0));
	run_vcpus_to_done(_metadata, &self->g, 2, v);
	EXPECT_EQ(RACE_ROUNDS, v[1]);
}
/*
 * WFI sleeps: the vCPU's thread uses (almost) no CPU while its guest
 * waits, and a line raised from userspace wakes it.
 */
static uint64_t guest_wfi_sleeps(uint64_t spi)
{
	gic_init_cpu();
	gic_set_edge(INTID_SPI(spi), 1);
	gic_enable(INTID_SPI(spi));
	irqs_off();
	while (!gic_nr_irqs(0)) {
		wait_for_interrupt();
		irqs_on();
		irqs_off();
	}
	return gic_nr_irqs(0);
}

static double thread_cpu_ms(pthread_t t)
{
	struct timespec ts;
	clockid_t clock;

	if (pthread_getcpuclockid(t, &clock) || clock_gettime(clock, &ts))
		return -1;
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

TEST_F_TIMEOUT(vgic, wfi_sleeps_until_a_line_wakes_it, 60)
{
	struct vcpu_thread t;
	double before, after;

	ASSERT_EQ(0, guest_create_gic(&self->g, 1, guest_wfi_sleeps, SPI, 0));
	ASSERT_EQ(0, start_vcpu(&t, &self->g, 0));
	usleep(200000);			/* into its WFI */
	before = thread_cpu_ms(t.thread);
	usleep(500000);
	after = thread_cpu_ms(t.thread);
	pulse(_metadata, &self->g, SPI);
	pthread_join(t.thread, NULL);
	EXPECT_EQ(UCALL_DONE, t.ucall);
	EXPECT_EQ(1, t.value);
	/* A spinning vCPU would have used the 500 ms; a sleeping one none. */
	EXPECT_GT(50, after - before)
		TH_LOG("the vCPU thread used %.1f ms of 500", after - before);
}

static void on_signal(int sig)
{
}

/*
 * A signal ends RUN of a vCPU asleep in WFI with EINTR; run again, the
 * guest goes on after its WFI (as after any wake-up).
 */
static uint64_t guest_wfi_once(uint64_t unused)
{
	gic_init_cpu();
	irqs_off();
	wait_for_interrupt();
	return 0x5a;
}

TEST_F_TIMEOUT(vgic, signal_ends_wfi_sleep, 60)
{
	struct itimerval it = { .it_value = { .tv_usec = 300000 } };
	struct sigaction sa = { .sa_handler = on_signal };

	ASSERT_EQ(0, guest_create_gic(&self->g, 1, guest_wfi_once, 0, 0));
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	EXPECT_EQ(-EINTR, guest_run(&self->g, 0));
	EXPECT_EQ(MINIHV_EXIT_INTR, self->g.run[0]->exit_reason);
	ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, &self->g));
	EXPECT_EQ(0x5a, self->g.run[0]->hypercall.args[1]);
}
/*
 * ---- a flood at one vCPU ------------------------------------------------
 * vCPU 1 sends SGIs at vCPU 0 as fast as it can while the host pulses
 * one SPI with IRQ_LINE and raises another through an irqfd, and vCPU 0
 * computes a sum. Each source is taken (edges coalesce while pending:
 * between once and as often as sent), the sum is the host's, the flood
 * ends when the senders stop, and the host's memory is flat after.
 */
#define FLOOD_SGIS	20000
#define FLOOD_PULSES	5000
#define FLOOD_SPI	12		/* IRQ_LINE */
#define FLOOD_IRQFD	13		/* an irqfd */

static uint64_t flood_sent, flood_host_done;
static uint32_t flood_taken[3];		/* the SGI, FLOOD_SPI, FLOOD_IRQFD */
static uint64_t flood_work[2];		/* vCPU 0's steps and its sum */

static int flood_hook(uint32_t intid, uint32_t n)
{
	if (intid == SGI)
		flood_taken[0]++;
	else if (intid == INTID_SPI(FLOOD_SPI))
		flood_taken[1]++;
	else if (intid == INTID_SPI(FLOOD_IRQFD))
		flood_taken[2]++;
	return 1;
}

static uint64_t guest_flood(uint64_t unused)
{
	uint64_t k, sum;
	uint32_t i;

	gic_init_cpu();
	if (guest_vcpu_id() == 1) {
		while (!LOAD_ONCE(sgi_ready[0]))
			;
		for (i = 0; i < FLOOD_SGIS; i++)
			gic_send_sgi(SGI, 0);
		STORE_ONCE(flood_sent, 1);
		return i;
	}
	gic_set_edge(INTID_SPI(FLOOD_SPI), 1);
	gic_enable(INTID_SPI(FLOOD_SPI));
	gic_set_edge(INTID_SPI(FLOOD_IRQFD), 1);
	gic_enable(INTID_SPI(FLOOD_IRQFD));
	irqs_on();
	STORE_ONCE(sgi_ready[0], 1);
	k = guest_work_until(&flood_sent, &flood_host_done, &sum);
	guest_udelay(20000);		/* the last ones in */
	irqs_off();
	flood_work[0] = k;
	flood_work[1] = sum;
	return k;
}

TEST_F_TIMEOUT(vgic, flood_of_ipis_and_lines_at_one_vcpu, 180)
{
	struct minihv_irqfd a = { .irq = FLOOD_IRQFD };
	uint32_t *ready, *taken;
	uint64_t *done;
	struct vcpu_thread t[2];
	uint64_t *work, one = 1;
	struct mem_mark mark;
	int i, efd, bad = 0;

	mem_mark(_metadata, &mark);
	gic_irq_hook = flood_hook;
	ASSERT_EQ(0, guest_create_gic(&self->g, 2, guest_flood, 0, 0));
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	a.fd = efd;
	ASSERT_EQ(0, ioctl(self->g.vm, MINIHV_IRQFD, &a));
	ready = guest_mem(&self->g, &sgi_ready[0]);
	done = guest_mem(&self->g, &flood_host_done);
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, start_vcpu(&t[i], &self->g, i));
	for (i = 0; i < 10000 && !LOAD_ONCE(*ready); i++)
		usleep(1000);
	EXPECT_EQ(1, LOAD_ONCE(*ready));
	for (i = 0; i < FLOOD_PULSES && !bad; i++) {
		struct minihv_irq_level l = { .irq = FLOOD_SPI, .level = 1 };

		bad |= ioctl(self->g.vm, MINIHV_IRQ_LINE, &l);
		l.level = 0;
		bad |= ioctl(self->g.vm, MINIHV_IRQ_LINE, &l);
		bad |= write(efd, &one, sizeof(one)) != sizeof(one);
	}
	EXPECT_EQ(0, bad) TH_LOG("pulse %d: %s", i, strerror(errno));
	STORE_ONCE(*done, 1);
	for (i = 0; i < 2; i++) {
		pthread_join(t[i].thread, NULL);
		EXPECT_EQ(0, t[i].ret);
		EXPECT_EQ(UCALL_DONE, t[i].ucall);
	}

	taken = guest_mem(&self->g, flood_taken);
	work = guest_mem(&self->g, flood_work);
	TH_LOG("taken: %u of %d SGIs, %u of %d IRQ_LINE pulses, %u of %d irqfd signals, %llu steps of work",
	       taken[0], FLOOD_SGIS, taken[1], FLOOD_PULSES, taken[2],
	       FLOOD_PULSES, (unsigned long long)work[0]);
	EXPECT_EQ(FLOOD_SGIS, t[1].value);
	EXPECT_LE(1, taken[0]);
	EXPECT_GE(FLOOD_SGIS, taken[0]);
	EXPECT_LE(1, taken[1]);
	EXPECT_GE(FLOOD_PULSES, taken[1]);
	EXPECT_LE(1, taken[2]);
	EXPECT_GE(FLOOD_PULSES, taken[2]);
	/* The work the interrupts cut into is intact. */
	EXPECT_EQ(guest_work_sum(work[0]), work[1]);
	EXPECT_EQ(work[0], t[0].value);
	close(efd);
	guest_destroy(&self->g);
	expect_mem_flat(_metadata, &mark, 4096);
}
#else
TEST(vgic_is_arm64)
{
	SKIP(return, "the vGICv3 is arm64's (x86's local APIC has its own tests)");
}
#endif /* __aarch64__ */

TEST_HARNESS_MAIN
