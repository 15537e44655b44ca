// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 guests for the kselftests: see guest.h.
 */
#if defined(__aarch64__)
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gic_arm64.h"
#include "guest.h"
#include "minihv_util.h"

#define STACK_SIZE	(16 * 1024)

/* All three live in the binary, so in the guest at the same address. */
static _Alignas(4096) uint64_t guest_pgd[512];
static _Alignas(16) char guest_stacks[GUEST_MAX_VCPUS][STACK_SIZE];
struct guest_boot guest_boot_blocks[GUEST_MAX_VCPUS];

/* Stage-1 of the guest: 39-bit VA, 4 KiB granule, one level-1 table. */
#define MAIR_VALUE	(0xffULL | (0x04ULL << 8))	/* 0: WB RAM, 1: device */
#define TCR_VALUE	(25ULL | (1ULL << 8) | (1ULL << 10) | (3ULL << 12) | \
			 (1ULL << 23) /* EPD1 */ | (1ULL << 32) /* IPS 36 */)
#define BLOCK_NORMAL	(1ULL | (0ULL << 2) | (3ULL << 8) | (1ULL << 10))
#define BLOCK_DEVICE	(1ULL | (1ULL << 2) | (1ULL << 10) | (3ULL << 53))

/*
 * The guest's first instructions: x19 MAIR, x20 TCR, x21 TTBR0, x22 the
 * stack, x23 the function, x24 VBAR, x0 its argument. MMU and caches on,
 * call, and report the result.
 */
asm(".pushsection .text\n"
	".globl guest_entry\n"
	".balign 4\n"
	"guest_entry:\n"
	"	msr	mair_el1, x19\n"
	"	msr	tcr_el1, x20\n"
	"	msr	ttbr0_el1, x21\n"
	"	msr	vbar_el1, x24\n"
	"	isb\n"
	"	tlbi	vmalle1\n"
	"	dsb	nsh\n"
	"	isb\n"
	"	mrs	x25, sctlr_el1\n"
	"	mov	x26, #0x1005\n"		/* I, C, M */
	"	orr	x25, x25, x26\n"
	"	msr	sctlr_el1, x25\n"
	"	isb\n"
	"	mov	sp, x22\n"
	"	blr	x23\n"
	"	adrp	x9, guest_ucall_mmio\n"
	"	ldr	x9, [x9, :lo12:guest_ucall_mmio]\n"
	"	cbz	x9, 3f\n"
	"	str	x0, [x9]\n"		/* UCALL_DONE as MMIO */
	"	b	1f\n"
	"3:	mov	x2, x0\n"
	"	mov	x1, #0x600d\n"		/* UCALL_DONE */
	"	movz	x0, #0x0101\n"
	"	movk	x0, #0xc600, lsl #16\n"	/* MINIHV_HCALL_EXIT */
	"	hvc	#0\n"
	"1:	b	1b\n"
	/*
	 * Where PSCI CPU_ON starts a vCPU: x0 is its struct guest_boot,
	 * read with the MMU still off.
	 */
	".globl guest_secondary_entry\n"
	"guest_secondary_entry:\n"
	"	ldp	x19, x20, [x0, #0]\n"
	"	ldp	x21, x22, [x0, #16]\n"
	"	ldp	x23, x24, [x0, #32]\n"
	"	ldr	x0, [x0, #48]\n"
	"	b	guest_entry\n"
	/*
	 * Any exception the guest takes: report it and stop; an IRQ at EL1
	 * (vector 5) goes to guest_irq_handler if the test set one.
	 */
	".globl guest_vectors\n"
	".balign 2048\n"
	"guest_vectors:\n"
	".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
	".balign 128\n"
	".if \\n == 5\n"
	"	b	guest_irq_entry\n"
	".else\n"
	"	mov	x4, #\\n\n"
	"	b	guest_exception\n"
	".endif\n"
	".endr\n"
	/*
	 * The caller-saved registers, and ELR/SPSR so that a handler may
	 * unmask IRQs and nest.
	 */
	"guest_irq_entry:\n"
	"	sub	sp, sp, #192\n"
	"	stp	x0, x1, [sp, #0]\n"
	"	stp	x2, x3, [sp, #16]\n"
	"	stp	x4, x5, [sp, #32]\n"
	"	stp	x6, x7, [sp, #48]\n"
	"	stp	x8, x9, [sp, #64]\n"
	"	stp	x10, x11, [sp, #80]\n"
	"	stp	x12, x13, [sp, #96]\n"
	"	stp	x14, x15, [sp, #112]\n"
	"	stp	x16, x17, [sp, #128]\n"
	"	stp	x18, x29, [sp, #144]\n"
	"	mrs	x0, elr_el1\n"
	"	mrs	x1, spsr_el1\n"
	"	stp	x30, x0, [sp, #160]\n"
	"	str	x1, [sp, #176]\n"
	"	adrp	x0, guest_irq_handler\n"
	"	ldr	x0, [x0, :lo12:guest_irq_handler]\n"
	"	cbnz	x0, 1f\n"
	"	mov	x4, #5\n"
	"	b	guest_exception\n"
	"1:	blr	x0\n"
	"	ldr	x1, [sp, #176]\n"
	"	ldp	x30, x0, [sp, #160]\n"
	"	msr	spsr_el1, x1\n"
	"	msr	elr_el1, x0\n"
	"	ldp	x18, x29, [sp, #144]\n"
	"	ldp	x16, x17, [sp, #128]\n"
	"	ldp	x14, x15, [sp, #112]\n"
	"	ldp	x12, x13, [sp, #96]\n"
	"	ldp	x10, x11, [sp, #80]\n"
	"	ldp	x8, x9, [sp, #64]\n"
	"	ldp	x6, x7, [sp, #48]\n"
	"	ldp	x4, x5, [sp, #32]\n"
	"	ldp	x2, x3, [sp, #16]\n"
	"	ldp	x0, x1, [sp, #0]\n"
	"	add	sp, sp, #192\n"
	"	eret\n"
	"guest_exception:\n"
	"	adrp	x9, guest_ucall_mmio\n"
	"	ldr	x9, [x9, :lo12:guest_ucall_mmio]\n"
	"	cbz	x9, 4f\n"
	"	str	x4, [x9, #8]\n"	/* UCALL_EXCEPTION as MMIO */
	"	b	2f\n"
	"4:	mrs	x2, esr_el1\n"
	"	mrs	x3, elr_el1\n"
	"	mov	x1, #0xe1\n"		/* UCALL_EXCEPTION */
	"	movz	x0, #0x0101\n"
	"	movk	x0, #0xc600, lsl #16\n"
	"	hvc	#0\n"
	"2:	b	2b\n"
	".popsection\n");

uint64_t guest_hcall(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3,
		     uint64_t a4, uint64_t a5, uint64_t a6)
{
	register uint64_t x0 asm("x0") = nr;
	register uint64_t x1 asm("x1") = a1;
	register uint64_t x2 asm("x2") = a2;
	register uint64_t x3 asm("x3") = a3;
	register uint64_t x4 asm("x4") = a4;
	register uint64_t x5 asm("x5") = a5;
	register uint64_t x6 asm("x6") = a6;

	asm volatile("hvc #0"
		     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
		     : "r"(x4), "r"(x5), "r"(x6)
		     : "memory");
	return x0;
}

static void build_page_tables(void)
{
	int i;

	/* GiB 0 holds the binary; the rest is device memory (MMIO). */
	guest_pgd[0] = BLOCK_NORMAL;
	for (i = 1; i < 512; i++)
		guest_pgd[i] = ((uint64_t)i << 30) | BLOCK_DEVICE;
}

void (*guest_irq_handler)(void);

static int create(struct guest *g, int nr_vcpus, uint64_t (*fn)(uint64_t),
		  uint64_t arg, const struct minihv_irqchip *chip)
{
	int i, ret;

	guest_init(g);
	if (nr_vcpus > GUEST_MAX_VCPUS || guest_image_end() > (1ULL << 30))
		return -EINVAL;
	build_page_tables();
	for (i = 0; i < nr_vcpus; i++) {
		struct guest_boot *b = &guest_boot_blocks[i];

		b->mair = MAIR_VALUE;
		b->tcr = TCR_VALUE;
		b->ttbr0 = (uintptr_t)guest_pgd;
		b->sp = (uintptr_t)guest_stacks[i + 1] & ~15ULL;
		b->fn = (uintptr_t)fn;
		b->vbar = (uintptr_t)guest_vectors;
		b->arg = arg;
	}

	ret = guest_create_vm_irqchip(g, nr_vcpus, chip);
	for (i = 0; !ret && i < nr_vcpus; i++) {
		struct minihv_regs regs;

		ret = g->hv->get_regs(g, i, &regs);
		if (ret)
			return ret;
		regs.x[0] = (uintptr_t)&guest_boot_blocks[i];
		regs.pc = (uintptr_t)guest_secondary_entry;
		ret = g->hv->set_regs(g, i, &regs);
	}
	return ret;
}

int guest_create(struct guest *g, int nr_vcpus, uint64_t (*fn)(uint64_t),
		 uint64_t arg)
{
	return create(g, nr_vcpus, fn, arg, NULL);
}

int guest_create_gic(struct guest *g, int nr_vcpus, uint64_t (*fn)(uint64_t),
		     uint64_t arg, uint32_t nr_spis)
{
	struct minihv_irqchip chip = {
		.type = MINIHV_IRQCHIP_GICV3,
		.base = { GUEST_GICD_BASE, GUEST_GICR_BASE },
		.size = { 0, GUEST_GICR_SIZE },
		.nr_irqs = nr_spis,
	};

	return create(g, nr_vcpus, fn, arg, &chip);
}

int guest_create_irqchip(struct guest *g, int nr_vcpus,
			 uint64_t (*fn)(uint64_t), uint64_t arg,
			 const struct minihv_irqchip *chip)
{
	return create(g, nr_vcpus, fn, arg, chip);
}

int guest_power_off(struct guest *g, int vcpu)
{
	struct minihv_vcpu_init init = { .flags = MINIHV_VCPU_INIT_POWER_OFF };

	return ioctl(g->vcpu[vcpu], MINIHV_VCPU_INIT, &init) ? -errno : 0;
}

uint64_t guest_mpidr(void)
{
	uint64_t v;

	asm volatile("mrs %0, mpidr_el1" : "=r"(v));
	return v & 0xff00ffffffULL;
}

int64_t guest_cpu_on(int vcpu)
{
	uint64_t mpidr = (vcpu & 0xf) | ((uint64_t)(vcpu >> 4) << 8);

	return guest_hcall(PSCI_CPU_ON64, mpidr, (uintptr_t)guest_secondary_entry,
			   (uintptr_t)&guest_boot_blocks[vcpu], 0, 0, 0);
}

int64_t guest_affinity_info(int vcpu)
{
	uint64_t mpidr = (vcpu & 0xf) | ((uint64_t)(vcpu >> 4) << 8);

	return guest_hcall(PSCI_AFFINITY_INFO64, mpidr, 0, 0, 0, 0, 0);
}

#endif /* __aarch64__ */
