// SPDX-License-Identifier: GPL-2.0
/*
 * The micro-benchmarks' arm64 guests (tools/bench.h), timed with the
 * virtual counter (CNTVCT_EL0, an ISB before each read).
 */
#include <errno.h>

#include "../../selftests/lib/gic_arm64.h"
#include "../../selftests/lib/guest.h"
#include "../bench.h"

#define BATCH		16
/* Interrupts pending at once: the list registers of the test machines. */
#define BATCH_IRQ	4

const char bench_unit[] = "CNTVCT ticks";

static uint64_t samples[BENCH_MAX_ITERS];

int bench_guest_create(struct guest *g, uint64_t (*fn)(uint64_t),
		       uint64_t arg, bool irqchip)
{
	return irqchip ? guest_create_gic(g, 1, fn, arg, 0) :
			 guest_create(g, 1, fn, arg);
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
 * completion run, without an exit.
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
		t0 = gic_counter();
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

static int run_hypercall(uint64_t iters, uint64_t *out)
{
	return bench_run_guest(guest_hypercall, false, iters, samples, out);
}

static int run_irqchip_trap(uint64_t iters, uint64_t *out)
{
	return bench_run_guest(guest_gicd_read, true, iters, samples, out);
}

static int run_irq_completion(uint64_t iters, uint64_t *out)
{
	return bench_run_guest(guest_irq_completion, true, iters, samples,
			       out);
}

static int not_yet(uint64_t iters, uint64_t *out)
{
	return -ENOSYS;
}

const struct bench bench_list[] = {
	{ "hypercall", "Hypercall", "HVC #0, MINIHV_HCALL_NOP", BATCH,
	  run_hypercall },
	{ "irqchip_trap", "Interrupt Controller Trap", "a GICD_TYPER read",
	  BATCH, run_irqchip_trap },
	{ "virtual_ipi", "Virtual IPI", "an SGI to a vCPU on another CPU, to its handler",
	  1, not_yet },
	{ "irq_completion", "Virtual IRQ Completion", "ICC_IAR1_EL1 + ICC_EOIR1_EL1",
	  BATCH_IRQ, run_irq_completion },
	{ "vm_switch", "VM Switch", "one VM's last instruction to another's first, one CPU",
	  1, not_yet },
	{ "io_in", "I/O Latency In (guest->device)", "a doorbell write to an ioeventfd, to the host thread",
	  1, not_yet },
	{ "io_out", "I/O Latency Out (device->guest)", "an irqfd write by a host thread, to the guest's handler",
	  1, not_yet },
};

const unsigned int bench_count = sizeof(bench_list) / sizeof(bench_list[0]);
