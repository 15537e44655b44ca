// SPDX-License-Identifier: GPL-2.0
/*
 * The micro-benchmarks' arm64 guests (tools/bench.h), timed with the
 * virtual counter (CNTVCT_EL0, an ISB before each read) and reported in
 * ns: the counter is not the CPU's clock (62.5 MHz under QEMU), and under
 * QEMU's -icount shift=0 one ns is one emulated instruction, the unit
 * Bochs' TSC counts on x86.
 */

#include "../../selftests/lib/gic_arm64.h"
#include "../../selftests/lib/guest.h"
#include "../bench.h"
#include "../minihv.h"

#define BATCH		64
/* Interrupts pending at once: the list registers of the test machines. */
#define BATCH_IRQ	4

const char *const bench_unit = "ns";

static uint64_t samples[BENCH_MAX_ITERS];

int bench_guest_create(struct guest *g, int nr_vcpus,
		       uint64_t (*fn)(uint64_t), uint64_t arg, bool irqchip)
{
	return irqchip ? guest_create_gic(g, nr_vcpus, fn, arg, 0) :
			 guest_create(g, nr_vcpus, fn, arg);
}

/* HVC with minihv's no-op number: answered at EL2, nothing else runs. */
static uint64_t guest_hypercall(uint64_t iters)
{
	uint64_t i, j, t0;

	for (i = 0; i < iters; i++) {
		t0 = gic_counter();
		for (j = 0; j < BATCH; j++)
			guest_hcall(MINIHV_HCALL_NOP, 0, 0, 0, 0, 0, 0);
		samples[i] = gic_counter() - t0;
	}
	return iters;
}

/* A GICD_TYPER read: a stage-2 fault the in-kernel distributor answers. */
static uint64_t guest_gicd_read(uint64_t iters)
{
	uint64_t i, j, t0;

	for (i = 0; i < iters; i++) {
		t0 = gic_counter();
		for (j = 0; j < BATCH; j++)
			mmio_read32(gicd_reg(GICD_TYPER));
		samples[i] = gic_counter() - t0;
	}
	return iters;
}

/*
 * IAR + EOIR of a virtual interrupt: four SGIs to ourselves (the trapped
 * ICC_SGI1R writes are not timed), in the list registers at the entry
 * after the last; interrupts masked, so only the acknowledge and the
 * completion run, without an exit. Timed from a counter edge: the batch
 * is shorter than three ticks.
 */
static uint64_t guest_irq_completion(uint64_t iters)
{
	uint64_t i, t0;
	uint32_t j, id;

	gic_init_cpu();
	for (j = 0; j < BATCH_IRQ; j++)
		gic_enable(j);
	for (i = 0; i < iters; i++) {
		for (j = 0; j < BATCH_IRQ; j++)
			gic_send_sgi(j, 0);
		t0 = gic_counter_edge();
		for (j = 0; j < BATCH_IRQ; j++) {
			id = gic_ack();
			if (id == INTID_SPURIOUS)
				return 0;
			gic_eoi(id);
		}
		samples[i] = gic_counter() - t0;
	}
	return iters;
}

uint64_t bench_to_unit(uint64_t ticks)
{
	return (__uint128_t)ticks * 1000000000 / gic_counter_freq();
}

/* After a run that returned @ret: its @iters samples, counter ticks, to ns. */
static int to_ns(int ret, uint64_t iters, uint64_t *out)
{
	uint64_t i;

	for (i = 0; !ret && i < iters; i++)
		out[i] = bench_to_unit(out[i]);
	return ret;
}

static int run(uint64_t (*fn)(uint64_t), bool irqchip, uint64_t iters,
	       uint64_t *out)
{
	return to_ns(bench_run_guest(fn, irqchip, iters, samples, out), iters,
		     out);
}

/*
 * vCPU 0 sends SGI 2 to vCPU 1, which spins with interrupts on (guest
 * code running, on another CPU): from before the ICC_SGI1R write to the
 * counter read in vCPU 1's handler. Both read the one virtual counter.
 */
#define IPI_SGI		2
#define SPIN_LIMIT	1000000000

/*
 * One turn of a bounded spin on another CPU's store: false once it has
 * gone on too long. The YIELD (bench_relax) is what makes QEMU's TCG run
 * the other CPU now, not at its next timer event.
 */
static bool spin_on(uint64_t *spin)
{
	bench_relax();
	return ++*spin < SPIN_LIMIT;
}

static uint64_t ipi_ready, ipi_done, ipi_count, ipi_stamp;

static void ipi_handler(void)
{
	uint32_t id = gic_ack();

	if (id == INTID_SPURIOUS)
		return;
	STORE_ONCE(ipi_stamp, gic_counter());
	gic_eoi(id);
	__atomic_store_n(&ipi_count, ipi_count + 1, __ATOMIC_RELEASE);
}

static uint64_t guest_virtual_ipi(uint64_t iters)
{
	uint64_t i, n, t0, spin;

	gic_init_cpu();
	if (guest_vcpu_id() == 1) {
		gic_enable(IPI_SGI);
		irqs_on();
		STORE_ONCE(ipi_ready, 1);
		while (!LOAD_ONCE(ipi_done))
			bench_relax();
		irqs_off();
		return 0;
	}
	spin = 0;
	while (!LOAD_ONCE(ipi_ready))
		if (!spin_on(&spin))
			return 0;	/* vCPU 1 never came */
	for (i = 0; i < iters; i++) {
		n = __atomic_load_n(&ipi_count, __ATOMIC_ACQUIRE);
		t0 = gic_counter();
		gic_send_sgi(IPI_SGI, 1);
		spin = 0;
		while (__atomic_load_n(&ipi_count, __ATOMIC_ACQUIRE) == n)
			if (!spin_on(&spin))
				return 0;
		samples[i] = LOAD_ONCE(ipi_stamp) - t0;
	}
	STORE_ONCE(ipi_done, 1);
	return iters;
}

static int run_virtual_ipi(uint64_t iters, uint64_t *out)
{
	guest_irq_handler = ipi_handler;
	return to_ns(bench_run_guest_smp(guest_virtual_ipi, true, 2, iters,
					 samples, out), iters, out);
}

/*
 * The I/O benchmarks' device: a doorbell in the guests' device GiB, clear
 * of the GIC (lib/gic_arm64.h), and an SPI, edge-triggered. Each sample is
 * a round trip timed with the guest's own counter alone, so no host and
 * guest timestamps are compared; the leg back (io_in) or out (io_out) is
 * a shared-memory word the other CPU spins on: a cache line's transfer.
 */
#define IO_DOORBELL	(GUEST_MMIO_BASE + 0x10000)
#define IO_SPI		7
static uint64_t io_word, io_irqs, io_stamp;

/*
 * io_in: from before the doorbell store (a stage-2 fault the kernel's
 * ioeventfd answers: eventfd_signal, the vCPU resumed without an exit to
 * userspace) to the guest seeing the count of the host thread that was
 * blocked in read() on the eventfd: its wake-up on the other CPU, the
 * read() return and one store.
 */
static uint64_t guest_io_in(uint64_t iters)
{
	uint64_t i, t0, spin;

	for (i = 0; i < iters; i++) {
		t0 = gic_counter();
		mmio_write32(IO_DOORBELL, 1);
		spin = 0;
		while (__atomic_load_n(&io_word, __ATOMIC_ACQUIRE) <= i)
			if (!spin_on(&spin))
				return 0;
		samples[i] = gic_counter() - t0;
	}
	return iters;
}

static void io_handler(void)
{
	uint32_t id = gic_ack();

	if (id == INTID_SPURIOUS)
		return;
	STORE_ONCE(io_stamp, gic_counter());
	gic_eoi(id);
	__atomic_store_n(&io_irqs, io_irqs + 1, __ATOMIC_RELEASE);
}

/*
 * io_out: from the request store the host thread spins on, through its
 * write() of the irqfd's eventfd (the SPI made pending in the vGIC, the
 * spinning vCPU kicked out of the guest and entered again with the list
 * register), to the counter read in the guest's IRQ handler.
 */
static uint64_t guest_io_out(uint64_t iters)
{
	uint64_t i, t0, spin;

	gic_init_cpu();
	gic_set_edge(INTID_SPI(IO_SPI), 1);
	gic_enable(INTID_SPI(IO_SPI));
	irqs_on();
	for (i = 0; i < iters; i++) {
		t0 = gic_counter();
		__atomic_store_n(&io_word, i + 1, __ATOMIC_RELEASE);
		spin = 0;
		while (__atomic_load_n(&io_irqs, __ATOMIC_ACQUIRE) <= i)
			if (!spin_on(&spin))
				return 0;
		samples[i] = LOAD_ONCE(io_stamp) - t0;
	}
	irqs_off();
	return iters;
}

static int run_io(uint64_t (*fn)(uint64_t), bool dir_out, uint64_t addr,
		  uint64_t iters, uint64_t *out)
{
	guest_irq_handler = io_handler;
	return to_ns(bench_run_io(fn, dir_out, addr, iters, &io_word, samples,
				  out), iters, out);
}

static int run_io_in(uint64_t iters, uint64_t *out)
{
	return run_io(guest_io_in, false, IO_DOORBELL, iters, out);
}

static int run_io_out(uint64_t iters, uint64_t *out)
{
	return run_io(guest_io_out, true, IO_SPI, iters, out);
}

static int run_hypercall(uint64_t iters, uint64_t *out)
{
	return run(guest_hypercall, false, iters, out);
}

static int run_irqchip_trap(uint64_t iters, uint64_t *out)
{
	return run(guest_gicd_read, true, iters, out);
}

static int run_irq_completion(uint64_t iters, uint64_t *out)
{
	return run(guest_irq_completion, true, iters, out);
}

uint64_t bench_counter(void)
{
	return gic_counter();
}

/*
 * VM Switch (tools/bench.c:bench_vm_switch_guest), in the virtual
 * counter: each VM's own (CNTVOFF_EL2 per VM), which is why a sample is
 * a round trip, out and back, timed on each VM's counter alone; 2 s
 * without a sample is a failure.
 */
static int run_vm_switch(uint64_t iters, uint64_t *out)
{
	return to_ns(bench_run_vm_switch(bench_vm_switch_guest, iters,
					 2 * gic_counter_freq(), out),
		     iters, out);
}

const struct bench bench_list[] = {
	{ "hypercall", "Hypercall", "HVC #0, MINIHV_HCALL_NOP", BATCH,
	  run_hypercall },
	{ "irqchip_trap", "Interrupt Controller Trap", "a GICD_TYPER read",
	  BATCH, run_irqchip_trap },
	{ "virtual_ipi", "Virtual IPI", "an SGI to a vCPU on another CPU, to its handler",
	  1, run_virtual_ipi },
	{ "irq_completion", "Virtual IRQ Completion", "ICC_IAR1_EL1 + ICC_EOIR1_EL1",
	  BATCH_IRQ, run_irq_completion },
	{ "vm_switch", "VM Switch", "one VM's last instruction to another's first, one CPU",
	  2, run_vm_switch },
	{ "io_in", "I/O Latency In (guest->device)", "a doorbell write to an ioeventfd, to the host thread",
	  1, run_io_in },
	{ "io_out", "I/O Latency Out (device->guest)", "an irqfd write by a host thread, to the guest's handler",
	  1, run_io_out },
};

const unsigned int bench_count = ARRAY_SIZE(bench_list);
