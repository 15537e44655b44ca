/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minihv bench (tools/bench.c): the design's micro-benchmarks, each a
 * guest function that times a batch of one operation per sample with the
 * guest's counter (tools/<arch>/bench.c). The guests are built by the
 * kselftests' guest library (selftests/lib/guest.h): the tool's own
 * binary is their RAM, so the same code runs under every back end.
 */
#ifndef MINIHV_TOOLS_BENCH_H
#define MINIHV_TOOLS_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define BENCH_MAX_ITERS		100000
#define BENCH_NOT_YET		1

/*
 * A spin loop's pause, for the guests and the host's device threads. On
 * arm64, YIELD: a hint no hypervisor traps, which also lets QEMU's
 * single-threaded TCG (-icount) run the other emulated CPU at once rather
 * than at its next timer event, so a cross-CPU round trip is timed as
 * the path it takes, not the emulator's scheduling.
 */
static inline void bench_relax(void)
{
#if defined(__aarch64__)
	asm volatile("yield" : : : "memory");
#else
	asm volatile("pause" : : : "memory");
#endif
}

struct bench {
	const char *name;	/* --only and the CSV's benchmark column */
	const char *title;	/* the design's name */
	const char *what;	/* what one operation is, on this architecture */
	unsigned int batch;	/* operations per sample */
	/*
	 * Runs @iters samples in a fresh VM, each the cost of @batch
	 * operations, into @samples: 0, BENCH_NOT_YET for one not built
	 * on this architecture yet, or -errno.
	 */
	int (*run)(uint64_t iters, uint64_t *samples);
};

struct guest;

/*
 * tools/bench.c: @fn(@iters) in a fresh one-vCPU VM (with the in-kernel
 * interrupt controller if @irqchip), to its UCALL_DONE, which must
 * report @iters; then the guest's @guest_samples into @samples.
 */
int bench_run_guest(uint64_t (*fn)(uint64_t), bool irqchip, uint64_t iters,
		    const uint64_t *guest_samples, uint64_t *samples);
/*
 * The same with @nr_vcpus vCPUs, each in a thread of its own pinned to a
 * CPU of its own where there are enough (vCPU 0 on CPU 0); vCPU 0's
 * UCALL_DONE reports @iters, the others' anything.
 */
int bench_run_guest_smp(uint64_t (*fn)(uint64_t), bool irqchip,
			int nr_vcpus, uint64_t iters,
			const uint64_t *guest_samples, uint64_t *samples);
/*
 * @fn(@iters) in a fresh one-vCPU VM with the interrupt controller, with
 * a host thread as the device. io_in (!@out): an ioeventfd for 4-byte
 * writes at @addr; the thread, blocked in read(), stores the number of
 * writes seen into the guest global @word. io_out (@out): an irqfd on
 * line @addr; the thread spins on @word (the guest's request count) and
 * writes the eventfd once per increment. Then as bench_run_guest. The
 * ioeventfd and irqfd are the guest's hypervisor's (struct guest_hv).
 */
int bench_run_io(uint64_t (*fn)(uint64_t), bool out, uint64_t addr,
		 uint64_t iters, uint64_t *word,
		 const uint64_t *guest_samples, uint64_t *samples);
/*
 * VM Switch: @fn(@iters) in two fresh one-vCPU VMs whose vCPU threads
 * share one CPU, so that the host's scheduler switches between them;
 * @fn calls bench_vm_switch_guest (below). Both VMs must report
 * UCALL_DONE with @iters; then the @iters samples, counter ticks of two
 * switches each, into @samples. A guest with no new sample for @timeout
 * counter ticks gives up.
 */
int bench_run_vm_switch(uint64_t (*fn)(uint64_t), uint64_t iters,
			uint64_t timeout, uint64_t *samples);
/* The guest side of VM Switch, both VMs' code (tools/bench.c). */
uint64_t bench_vm_switch_guest(uint64_t iters);
/* tools/<arch>/bench.c: the guest's counter, as the benchmarks read it. */
uint64_t bench_counter(void);
/* qsort's comparison of two uint64_t, ascending (tools/bench.c). */
int bench_cmp_u64(const void *a, const void *b);
/* tools/<arch>/bench.c: counter ticks in bench_unit (host side). */
uint64_t bench_to_unit(uint64_t ticks);

/* tools/<arch>/bench.c: guest_create, with the interrupt controller or not. */
int bench_guest_create(struct guest *g, int nr_vcpus,
		       uint64_t (*fn)(uint64_t), uint64_t arg, bool irqchip);

/*
 * tools/scale.c, minihv bench --scale: under guest_hv, @vm_cycles VM
 * create + destroy cycles, 64 VMs x 2 vCPUs making hypercalls for
 * @window_ms, a guest of @big_mib MiB touching every page; each 0 skips
 * its part. Rows to @csv (machine,measure,backend,value,unit,detail).
 */
struct bench_scale_opts {
	unsigned long vm_cycles;
	unsigned int window_ms;
	unsigned long big_mib;
};

int bench_scale(const struct bench_scale_opts *o, FILE *csv,
		const char *machine);

extern const struct bench bench_list[];
extern const unsigned int bench_count;
/* The unit reported: "TSC cycles" (x86) or "ns" (arm64). */
extern const char *const bench_unit;

#endif /* MINIHV_TOOLS_BENCH_H */
