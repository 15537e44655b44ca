/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The world switch's save/restore pairs, as assembler macros so that the
 * two halves sit side by side and a missing one shows. x2 and x3 are
 * scratch; \base holds the address of the first word to save/restore.
 */
#ifndef MINIHV_EL2_WORLD_SWITCH_H
#define MINIHV_EL2_WORLD_SWITCH_H

#ifdef __ASSEMBLY__

	/* Two system registers to/from one pair of words. */
	.macro	sys_save2 base, idx, r0, r1
	mrs	x2, \r0
	mrs	x3, \r1
	stp	x2, x3, [\base, #(\idx * 8)]
	.endm

	.macro	sys_load2 base, idx, r0, r1
	ldp	x2, x3, [\base, #(\idx * 8)]

	msr	\r0, x2
	msr	\r1, x3
	.endm

	/*
	 * Every register in the SR_* list of hyp.h, in its order. \el and
	 * \el0 name the guest's EL1 and EL0-timer registers: el1/el0 from
	 * nVHE's EL2, el12/el02 (the VHE aliases) from a kernel at EL2.
	 */
	.macro	el1_sysregs op, base, el, el0
	\op	\base, SR_SCTLR, sctlr_\el, cpacr_\el
	\op	\base, SR_TTBR0, ttbr0_\el, ttbr1_\el
	\op	\base, SR_TCR, tcr_\el, esr_\el
	\op	\base, SR_AFSR0, afsr0_\el, afsr1_\el
	\op	\base, SR_FAR, far_\el, mair_\el
	\op	\base, SR_VBAR, vbar_\el, contextidr_\el
	\op	\base, SR_AMAIR, amair_\el, cntkctl_\el
	\op	\base, SR_PAR, par_el1, tpidr_el1
	\op	\base, SR_SP_EL1, sp_el1, elr_\el
	\op	\base, SR_SPSR, spsr_\el, sp_el0
	\op	\base, SR_TPIDR_EL0, tpidr_el0, tpidrro_el0
	\op	\base, SR_CSSELR, csselr_el1, mdscr_el1
	\op	\base, SR_CNTV_CTL, cntv_ctl_\el0, cntv_cval_\el0
	.endm

	/*
	 * Another vCPU of this VM ran last on this CPU: its stage-1 entries
	 * (same VMID) and I-cache lines must not serve this one. Needs the
	 * guest's VTTBR and, under VHE, TGE clear. \skip: the caller's
	 * label after the macro.
	 */
	.macro	flush_local_context ctx, skip
	ldr	x2, [\ctx, #CTX_FLUSH]
	cbz	x2, \skip

	tlbi	vmalle1
	ic	iallu
	dsb	nsh
	isb
	.endm

	.macro	fpsimd_op op, base
	\op	q0, q1, [\base, #(0 * 32)]
	\op	q2, q3, [\base, #(1 * 32)]
	\op	q4, q5, [\base, #(2 * 32)]
	\op	q6, q7, [\base, #(3 * 32)]
	\op	q8, q9, [\base, #(4 * 32)]
	\op	q10, q11, [\base, #(5 * 32)]
	\op	q12, q13, [\base, #(6 * 32)]
	\op	q14, q15, [\base, #(7 * 32)]
	\op	q16, q17, [\base, #(8 * 32)]
	\op	q18, q19, [\base, #(9 * 32)]
	\op	q20, q21, [\base, #(10 * 32)]
	\op	q22, q23, [\base, #(11 * 32)]
	\op	q24, q25, [\base, #(12 * 32)]
	\op	q26, q27, [\base, #(13 * 32)]
	\op	q28, q29, [\base, #(14 * 32)]
	\op	q30, q31, [\base, #(15 * 32)]
	.endm

	/* Guest FP/SIMD: the host's was saved by kernel_neon_begin(). */
	.macro	fpsimd_save ctx
	add	x2, \ctx, #CTX_FP
	fpsimd_op stp, x2
	add	x2, \ctx, #CTX_FPSR
	mrs	x3, fpsr
	str	x3, [x2]
	mrs	x3, fpcr
	str	x3, [x2, #8]
	.endm

	.macro	fpsimd_load ctx
	add	x2, \ctx, #CTX_FP
	fpsimd_op ldp, x2
	add	x2, \ctx, #CTX_FPSR
	ldr	x3, [x2]
	msr	fpsr, x3
	ldr	x3, [x2, #8]
	msr	fpcr, x3
	.endm

#endif /* __ASSEMBLY__ */
#endif /* MINIHV_EL2_WORLD_SWITCH_H */
