// SPDX-License-Identifier: GPL-2.0
/*
 * The micro-benchmarks' x86_64 guests (tools/bench.h), in long mode,
 * timed with RDTSC after an LFENCE (so earlier instructions are done).
 */
#include <errno.h>

#include "../../selftests/lib/guest.h"
#include "../bench.h"

#define BATCH		16
#define APIC_EOI	0xb0
#define APIC_SVR	0xf0
#define APIC_ICR	0x300
#define APIC_TMCCT	0x390
#define SVR_ENABLE	0x100
#define ICR_SELF	(1U << 18)
#define BENCH_VECTOR	0x40

const char bench_unit[] = "TSC cycles";

static uint64_t samples[BENCH_MAX_ITERS];

static inline uint64_t tsc(void)
{
	uint32_t lo, hi;

	asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return lo | (uint64_t)hi << 32;
}

int bench_guest_create(struct guest *g, uint64_t (*fn)(uint64_t),
		       uint64_t arg, bool irqchip)
{
	return irqchip ? guest_create_apic(g, 1, fn, arg) :
			 guest_create(g, 1, fn, arg);
}

/* VMCALL with minihv's no-op number, answered by the VMX exit handler. */
static uint64_t guest_hypercall(uint64_t iters)
{
	uint64_t i, j, t0;

	for (i = 0; i < iters; i++) {
		t0 = tsc();
		for (j = 0; j < BATCH; j++)
			guest_hcall(MINIHV_HCALL_NOP, 0, 0, 0, 0, 0, 0);
		samples[i] = tsc() - t0;
	}
	return iters;
}

/*
 * The APIC timer's current count: a register APIC virtualization cannot
 * give without the hypervisor (an APIC-access exit, the local APIC).
 */
static uint64_t guest_tmcct_read(uint64_t iters)
{
	uint64_t i, j, t0;

	for (i = 0; i < iters; i++) {
		t0 = tsc();
		for (j = 0; j < BATCH; j++)
			mmio_read32(GUEST_LAPIC_BASE + APIC_TMCCT);
		samples[i] = tsc() - t0;
	}
	return iters;
}

/* The handler times its EOI write; the self-IPI that raised it is not. */
static uint64_t eoi_cost, irqs;

static void bench_irq(uint64_t vector)
{
	uint64_t t0 = tsc();

	mmio_write32(GUEST_LAPIC_BASE + APIC_EOI, 0);
	eoi_cost = tsc() - t0;
	irqs++;
}

static uint64_t guest_irq_completion(uint64_t iters)
{
	uint64_t i, n, spin;

	mmio_write32(GUEST_LAPIC_BASE + APIC_SVR, SVR_ENABLE | 0xff);
	for (i = 0; i < iters; i++) {
		n = LOAD_ONCE(irqs);
		mmio_write32(GUEST_LAPIC_BASE + APIC_ICR,
			     ICR_SELF | BENCH_VECTOR);
		asm volatile("sti; nop" : : : "memory");
		for (spin = 0; LOAD_ONCE(irqs) == n; spin++)
			if (spin > 100000000)
				return 0;
		asm volatile("cli" : : : "memory");
		samples[i] = eoi_cost;
	}
	return iters;
}

static int run_hypercall(uint64_t iters, uint64_t *out)
{
	return bench_run_guest(guest_hypercall, false, iters, samples, out);
}

static int run_irqchip_trap(uint64_t iters, uint64_t *out)
{
	return bench_run_guest(guest_tmcct_read, true, iters, samples, out);
}

static int run_irq_completion(uint64_t iters, uint64_t *out)
{
	guest_irq_handler = bench_irq;
	return bench_run_guest(guest_irq_completion, true, iters, samples,
			       out);
}

static int not_yet(uint64_t iters, uint64_t *out)
{
	return -ENOSYS;
}

const struct bench bench_list[] = {
	{ "hypercall", "Hypercall", "VMCALL, MINIHV_HCALL_NOP", BATCH,
	  run_hypercall },
	{ "irqchip_trap", "Interrupt Controller Trap", "an APIC TMCCT read",
	  BATCH, run_irqchip_trap },
	{ "virtual_ipi", "Virtual IPI", "a fixed IPI to a vCPU on another CPU, to its handler",
	  1, not_yet },
	{ "irq_completion", "Virtual IRQ Completion", "the EOI write of a self-IPI",
	  1, run_irq_completion },
	{ "vm_switch", "VM Switch", "one VM's last instruction to another's first, one CPU",
	  1, not_yet },
	{ "io_in", "I/O Latency In (guest->device)", "a doorbell write to an ioeventfd, to the host thread",
	  1, not_yet },
	{ "io_out", "I/O Latency Out (device->guest)", "an irqfd write by a host thread, to the guest's handler",
	  1, not_yet },
};

const unsigned int bench_count = sizeof(bench_list) / sizeof(bench_list[0]);
