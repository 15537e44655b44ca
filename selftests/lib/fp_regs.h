/* SPDX-License-Identifier: GPL-2.0 */
/* FP/SIMD register patterns, guest and VMM side (lib/fp_regs.c). */
#ifndef MINIHV_SELFTEST_FP_REGS_H
#define MINIHV_SELFTEST_FP_REGS_H

#include <stdint.h>

#define FP_ROUNDS	2560	/* guest_fp_rounds' hypercalls */
#define FP_UCALL_EVERY	64	/* and a ucall to userspace after each 64th */

/*
 * The guest: arm64 v<n> / x86 xmm<n> = { seed + n, ~(seed + n) }, then FP_ROUNDS unknown
 * hypercalls (answered by the host kernel) with a spin before each and a
 * UCALL_SYNC after every FP_UCALL_EVERY-th; returns the registers found
 * changed. A RUN lasts longer than a time slice, so a preempted vCPU
 * thread comes back inside the same RUN.
 */
uint64_t guest_fp_rounds(uint64_t seed);

/*
 * The VMM side: ioctl(fd, req, 0) with all the registers holding the
 * thread's pattern, a while before it and through it; how many of them
 * changed goes to *bad. Returns the syscall's result.
 */
long host_fp_run(int fd, uint64_t seed, uint32_t *bad, unsigned long req);

#endif /* MINIHV_SELFTEST_FP_REGS_H */
