// SPDX-License-Identifier: GPL-2.0
/*
 * The micro-benchmarks' x86_64 guests (tools/bench.h), in long mode,
 * timed with RDTSC after an LFENCE (so earlier instructions are done).
 */

#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "../../selftests/lib/guest.h"
#include "../bench.h"
#include "../kvm.h"
#include "../minihv.h"

#define BATCH		64
#define APIC_EOI	0xb0
#define APIC_SVR	0xf0
#define APIC_ICR	0x300
#define APIC_LVT0	0x350
#define APIC_TMCCT	0x390
#define LVT_MASKED	(1U << 16)
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
			return iters + 1;	/* vCPU 1 never came */
	for (i = 0; i < iters; i++) {
		n = __atomic_load_n(&ipi_count, __ATOMIC_ACQUIRE);
		t0 = tsc();
		mmio_write32(GUEST_LAPIC_BASE + APIC_ICR2, 1U << 24);
		mmio_write32(GUEST_LAPIC_BASE + APIC_ICR, IPI_VECTOR);
		for (spin = 0; __atomic_load_n(&ipi_count, __ATOMIC_ACQUIRE) == n;
		     spin++)
			if (spin > 100000000)
				return iters + 2 + i;	/* no IPI */
		samples[i] = LOAD_ONCE(ipi_stamp) - t0;
	}
	STORE_ONCE(ipi_done, 1);
	return iters;
}

static int run_virtual_ipi(uint64_t iters, uint64_t *out)
{
	/*
	 * Not yet under KVM: in the x86-vmx machine (KVM inside Bochs)
	 * vCPU 1 never runs its first instruction (its RIP stays at
	 * guest_entry although KVM_SET_MP_STATE made it runnable); the
	 * cause is not found yet.
	 */
	if (guest_hv == &guest_hv_kvm)
		return BENCH_NOT_YET;
	guest_irq_handler = ipi_handler;
	return bench_run_guest_smp(guest_virtual_ipi, true, 2, iters, samples,
				   out);
}

/*
 * The I/O benchmarks' device: an MMIO doorbell in the guests' device GiB
 * and I/O APIC pin 7 as an edge-triggered vector to vCPU 0. Each sample
 * is a round trip timed with the guest's TSC alone, so no host and guest
 * timestamps are compared; the leg back (io_in) or out (io_out) is a
 * shared-memory word the other CPU spins on: a cache line's transfer.
 */
#define IO_DOORBELL	(GUEST_MMIO_BASE + 0x10000)
#define IO_PIN		7
#define IO_VECTOR	0x51
#define IOAPIC_REDIR(pin)	(0x10 + 2 * (pin))
static uint64_t io_word, io_irqs, io_stamp;

/*
 * io_in: from before the doorbell store (an EPT violation the
 * kernel's ioeventfd answers: eventfd_signal, the vCPU resumed without an
 * exit to userspace) to the guest seeing the count of the host thread
 * that was blocked in read() on the eventfd: its wake-up on the other
 * CPU, the read() return and one store.
 */
static uint64_t guest_io_in(uint64_t iters)
{
	uint64_t i, t0, spin;

	for (i = 0; i < iters; i++) {
		t0 = tsc();
		mmio_write32(IO_DOORBELL, 1);
		for (spin = 0; __atomic_load_n(&io_word, __ATOMIC_ACQUIRE) <= i;
		     spin++)
			if (spin > 100000000)
				return 0;
		samples[i] = tsc() - t0;
	}
	return iters;
}

static void io_handler(uint64_t vector)
{
	STORE_ONCE(io_stamp, tsc());
	mmio_write32(GUEST_LAPIC_BASE + APIC_EOI, 0);
	if (vector == IO_VECTOR)
		__atomic_store_n(&io_irqs, io_irqs + 1, __ATOMIC_RELEASE);
}

static void ioapic_write(uint32_t reg, uint32_t v)
{
	mmio_write32(GUEST_IOAPIC_BASE, reg);
	mmio_write32(GUEST_IOAPIC_BASE + 0x10, v);
}

/*
 * io_out: from the request store the host thread spins on, through its
 * write() of the irqfd's eventfd (the pin's edge through the I/O APIC to
 * the local APIC, the spinning vCPU kicked out of the guest and entered
 * again with the vector), to the TSC read in the guest's handler.
 */
static uint64_t guest_io_out(uint64_t iters)
{
	uint64_t i, t0, spin;

	mmio_write32(GUEST_LAPIC_BASE + APIC_SVR, SVR_ENABLE | 0xff);
	/*
	 * KVM resets the BSP's LINT0 to ExtINT and routes a GSI to its PIC
	 * as well: unmasked, pin 7 would also arrive as the untouched PIC's
	 * vector 7 (#NM). A guest without a PIC masks LINT0, as Linux does.
	 */
	mmio_write32(GUEST_LAPIC_BASE + APIC_LVT0, LVT_MASKED);
	/* Edge, fixed, physical destination APIC 0 (vCPU 0), unmasked. */
	ioapic_write(IOAPIC_REDIR(IO_PIN) + 1, 0);
	ioapic_write(IOAPIC_REDIR(IO_PIN), IO_VECTOR);
	asm volatile("sti" : : : "memory");
	for (i = 0; i < iters; i++) {
		t0 = tsc();
		__atomic_store_n(&io_word, i + 1, __ATOMIC_RELEASE);
		for (spin = 0; __atomic_load_n(&io_irqs, __ATOMIC_ACQUIRE) <= i;
		     spin++)
			if (spin > 100000000)
				return 0;
		samples[i] = LOAD_ONCE(io_stamp) - t0;
	}
	asm volatile("cli" : : : "memory");
	return iters;
}

/*
 * Not yet under KVM in x86-vmx (KVM inside Bochs): KVM takes the doorbell
 * in the kernel (its trace shows the MMIO write, no exit to us), yet the
 * device thread on the other CPU wakes only once the vCPU leaves the
 * guest at its spin's time-out, and no exit comes before that, not even
 * the host's tick. The emulator's, not found yet; virtual_ipi likewise.
 */
static int run_io_in(uint64_t iters, uint64_t *out)
{
	if (guest_hv == &guest_hv_kvm)
		return BENCH_NOT_YET;
	return bench_run_io(guest_io_in, false, IO_DOORBELL, iters, &io_word,
			    samples, out);
}

static int run_io_out(uint64_t iters, uint64_t *out)
{
	guest_irq_handler = io_handler;
	return bench_run_io(guest_io_out, true, IO_PIN, iters, &io_word,
			    samples, out);
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

uint64_t bench_counter(void)
{
	return tsc();
}

uint64_t bench_to_unit(uint64_t ticks)
{
	return ticks;
}

/*
 * VM Switch (tools/bench.c:bench_vm_switch_guest), in each VM's own TSC
 * (the VMCS TSC offset differs per VM), which is why a sample is a round
 * trip, out and back, timed on each VM's TSC alone. Interrupts on: with
 * no interrupt controller none comes, but Bochs lets a host interrupt
 * exit a guest only while the guest's IF is set (ENV.md), and the
 * host's tick is what switches; 2 s without a sample is a failure.
 */
static uint64_t guest_vm_switch(uint64_t iters)
{
	uint64_t ret;

	asm volatile("sti" : : : "memory");
	ret = bench_vm_switch_guest(iters);
	asm volatile("cli" : : : "memory");
	return ret;
}

/* The TSC's rate, against CLOCK_MONOTONIC over 20 ms: the guests' too. */
static uint64_t tsc_hz(void)
{
	struct timespec a, b;
	uint64_t t0, t1, ns;

	clock_gettime(CLOCK_MONOTONIC, &a);
	t0 = tsc();
	usleep(20000);
	t1 = tsc();
	clock_gettime(CLOCK_MONOTONIC, &b);
	ns = (b.tv_sec - a.tv_sec) * 1000000000ULL + b.tv_nsec - a.tv_nsec;
	return ns ? (__uint128_t)(t1 - t0) * 1000000000 / ns : 0;
}

static int run_vm_switch(uint64_t iters, uint64_t *out)
{
	uint64_t hz = tsc_hz();

	if (!hz)
		return -EIO;
	return bench_run_vm_switch(guest_vm_switch, iters, 2 * hz, out);
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
	  2, run_vm_switch },
	{ "io_in", "I/O Latency In (guest->device)", "a doorbell write to an ioeventfd, to the host thread",
	  1, run_io_in },
	{ "io_out", "I/O Latency Out (device->guest)", "an irqfd write by a host thread, to the guest's handler",
	  1, run_io_out },
};

const unsigned int bench_count = ARRAY_SIZE(bench_list);
