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

#define BENCH_MAX_ITERS		100000

struct bench {
	const char *name;	/* --only and the CSV's benchmark column */
	const char *title;	/* the design's name */
	const char *what;	/* what one operation is, on this architecture */
	unsigned int batch;	/* operations per sample */
	/*
	 * Runs @iters samples in a fresh VM, each the counter ticks of
	 * @batch operations, into @samples: 0, -ENOSYS for one not built
	 * on this architecture yet, or another -errno.
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
/* tools/<arch>/bench.c: guest_create, with the interrupt controller or not. */
int bench_guest_create(struct guest *g, uint64_t (*fn)(uint64_t),
		       uint64_t arg, bool irqchip);

extern const struct bench bench_list[];
extern const unsigned int bench_count;
/* The counter's unit: "TSC cycles" or "CNTVCT ticks". */
extern const char bench_unit[];

#endif /* MINIHV_TOOLS_BENCH_H */
