// SPDX-License-Identifier: GPL-2.0
/*
 * The micro-benchmarks' x86_64 guests (tools/bench.h), in long mode,
 * timed with RDTSC after an LFENCE (so earlier instructions are done).
 */

#include "../../selftests/lib/guest.h"
#include "../bench.h"
#include "../minihv.h"

#define BATCH		64
#define APIC_EOI	0xb0
#define APIC_SVR	0xf0
#define APIC_ICR	0x300
#define APIC_TMCCT	0x390
#define SVR_ENABLE	0x100
#define ICR_SELF	(1U << 18)
#define BENCH_VECTOR	0x40

const char *const bench_unit = "TSC cycles";

static uint64_t samples[BENCH_MAX_ITERS];

static inline uint64_t tsc(void)
{
	uint32_t lo, hi;

	asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return lo | (uint64_t)hi << 32;
}

int bench_guest_create(struct guest *g, int nr_vcpus,
		       uint64_t (*fn)(uint64_t), uint64_t arg, bool irqchip)
{
	return irqchip ? guest_create_apic(g, nr_vcpus, fn, arg) :
			 guest_create(g, nr_vcpus, fn, arg);
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

/*
 * vCPU 0 sends a fixed IPI to vCPU 1 (APIC id 1), which spins with
 * interrupts on: from before the ICR write to the TSC read in vCPU 1's
 * handler. The guest TSC is the same on both vCPUs.
 */
#define APIC_ICR2	0x310
#define IPI_VECTOR	0x41
static uint64_t ipi_ready, ipi_done, ipi_count, ipi_stamp;

static uint64_t guest_vcpu(void)
{
	uint64_t id;

	asm volatile("movq %%gs:0, %0" : "=r"(id));
	return id;
}

static void ipi_handler(uint64_t vector)
{
	STORE_ONCE(ipi_stamp, tsc());
	mmio_write32(GUEST_LAPIC_BASE + APIC_EOI, 0);
	__atomic_store_n(&ipi_count, ipi_count + 1, __ATOMIC_RELEASE);
}

static uint64_t guest_virtual_ipi(uint64_t iters)
{
	uint64_t i, n, t0, spin;

	mmio_write32(GUEST_LAPIC_BASE + APIC_SVR, SVR_ENABLE | 0xff);
	if (guest_vcpu() == 1) {
		asm volatile("sti" : : : "memory");
		STORE_ONCE(ipi_ready, 1);
		while (!LOAD_ONCE(ipi_done))
			asm volatile("pause");
		asm volatile("cli" : : : "memory");
		return 0;
	}
	for (spin = 0; !LOAD_ONCE(ipi_ready); spin++)
		if (spin > 100000000)
			return 0;	/* vCPU 1 never came */
	for (i = 0; i < iters; i++) {
		n = __atomic_load_n(&ipi_count, __ATOMIC_ACQUIRE);
		t0 = tsc();
		mmio_write32(GUEST_LAPIC_BASE + APIC_ICR2, 1U << 24);
		mmio_write32(GUEST_LAPIC_BASE + APIC_ICR, IPI_VECTOR);
		for (spin = 0; __atomic_load_n(&ipi_count, __ATOMIC_ACQUIRE) == n;
		     spin++)
			if (spin > 100000000)
				return 0;
		samples[i] = LOAD_ONCE(ipi_stamp) - t0;
	}
	STORE_ONCE(ipi_done, 1);
	return iters;
}

static int run_virtual_ipi(uint64_t iters, uint64_t *out)
{
	guest_irq_handler = ipi_handler;
	return bench_run_guest_smp(guest_virtual_ipi, true, 2, iters, samples,
				   out);
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
	return BENCH_NOT_YET;
}

const struct bench bench_list[] = {
	{ "hypercall", "Hypercall", "VMCALL, MINIHV_HCALL_NOP", BATCH,
	  run_hypercall },
	{ "irqchip_trap", "Interrupt Controller Trap", "an APIC TMCCT read",
	  BATCH, run_irqchip_trap },
	{ "virtual_ipi", "Virtual IPI", "a fixed IPI to a vCPU on another CPU, to its handler",
	  1, run_virtual_ipi },
	{ "irq_completion", "Virtual IRQ Completion", "the EOI write of a self-IPI",
	  1, run_irq_completion },
	{ "vm_switch", "VM Switch", "one VM's last instruction to another's first, one CPU",
	  1, not_yet },
	{ "io_in", "I/O Latency In (guest->device)", "a doorbell write to an ioeventfd, to the host thread",
	  1, not_yet },
	{ "io_out", "I/O Latency Out (device->guest)", "an irqfd write by a host thread, to the guest's handler",
	  1, not_yet },
};

const unsigned int bench_count = ARRAY_SIZE(bench_list);
