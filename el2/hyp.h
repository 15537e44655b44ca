/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The nVHE host-call ABI: what the kernel at EL1 may ask of minihv's EL2
 * code with "hvc #0". Function ids follow SMCCC (fast call, SMC64, owner
 * "vendor hypervisor"), so they cannot collide with the hyp stub's own
 * ids (0..3), which EL2 still answers the way the stub would.
 *
 * Shared by C and the EL2 assembly.
 */
#ifndef MINIHV_EL2_HYP_H
#define MINIHV_EL2_HYP_H

#define MINIHV_HC_BASE		0xc6000000
#define MINIHV_HC_VERSION	(MINIHV_HC_BASE + 0)	/* -> version, SCTLR_EL2 */
#define MINIHV_HC_INIT		(MINIHV_HC_BASE + 1)	/* x1: PA of hyp_cpu */
#define MINIHV_HC_RESET		(MINIHV_HC_BASE + 2)	/* give EL2 back */
#define MINIHV_HC_ICH_VTR	(MINIHV_HC_BASE + 3)	/* -> ICH_VTR_EL2 */
#define MINIHV_HC_NR		4

#define MINIHV_HYP_VERSION	0x4d485601	/* "MHV", ABI 1 */
#define MINIHV_HC_UNKNOWN	(-1)		/* SMCCC NOT_SUPPORTED */

/* Per-CPU EL2 state: params of MINIHV_HC_INIT, then the EL2 stack. */
#define HYP_CPU_TTBR0		0
#define HYP_CPU_TCR		8
#define HYP_CPU_MAIR		16
#define HYP_CPU_SCTLR		24
#define HYP_CPU_SP		32
#define HYP_CPU_STUB_VECTORS	40
#define HYP_CPU_SIZE		(4 * 4096)

#ifndef __ASSEMBLY__
#include <linux/types.h>

struct hyp_cpu {
	u64 ttbr0;
	u64 tcr;
	u64 mair;
	u64 sctlr;
	u64 sp;
	u64 stub_vectors;
};

extern char __minihv_hyp_start[], __minihv_hyp_end[];
#endif

#endif /* MINIHV_EL2_HYP_H */
