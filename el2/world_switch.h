/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The world switch's save/restore pairs, as assembler macros so that the
 * two halves sit side by side and a missing one shows. x2 and x3 are
 * scratch; \base holds the address of the first word to save/restore.
 */
#ifndef MINIHV_EL2_WORLD_SWITCH_H
#define MINIHV_EL2_WORLD_SWITCH_H

#ifdef __ASSEMBLY__

	/*
	 * First thing on every exit from a guest: Spectre-BHB's CLRBHB, so
	 * branch history the guest trained cannot steer EL2's branches, as
	 * KVM's vectors do. A NOP on CPUs without FEAT_CLRBHB; el2/spectre.c
	 * refuses CPUs that would need another mitigation.
	 */
	.macro	guest_exit_clear_bhb
	hint	#22			// CLRBHB
	isb
	.endm

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
	 * The guest's x0..x30 from/to its context, whose address is in x0.
	 * Loading ends with x0 itself; saving leaves x0 and x1 to the caller,
	 * which finds them where the exception vector put them.
	 */
	.macro	guest_gprs_load
	ldp	x2, x3, [x0, #(2 * 8)]
	ldp	x4, x5, [x0, #(4 * 8)]
	ldp	x6, x7, [x0, #(6 * 8)]
	ldp	x8, x9, [x0, #(8 * 8)]
	ldp	x10, x11, [x0, #(10 * 8)]
	ldp	x12, x13, [x0, #(12 * 8)]
	ldp	x14, x15, [x0, #(14 * 8)]
	ldp	x16, x17, [x0, #(16 * 8)]
	ldp	x18, x19, [x0, #(18 * 8)]
	ldp	x20, x21, [x0, #(20 * 8)]
	ldp	x22, x23, [x0, #(22 * 8)]
	ldp	x24, x25, [x0, #(24 * 8)]
	ldp	x26, x27, [x0, #(26 * 8)]
	ldp	x28, x29, [x0, #(28 * 8)]
	ldr	x30, [x0, #(30 * 8)]
	ldp	x0, x1, [x0, #(0 * 8)]
	.endm

	.macro	guest_gprs_save
	stp	x2, x3, [x0, #(2 * 8)]
	stp	x4, x5, [x0, #(4 * 8)]
	stp	x6, x7, [x0, #(6 * 8)]
	stp	x8, x9, [x0, #(8 * 8)]
	stp	x10, x11, [x0, #(10 * 8)]
	stp	x12, x13, [x0, #(12 * 8)]
	stp	x14, x15, [x0, #(14 * 8)]
	stp	x16, x17, [x0, #(16 * 8)]
	stp	x18, x19, [x0, #(18 * 8)]
	stp	x20, x21, [x0, #(20 * 8)]
	stp	x22, x23, [x0, #(22 * 8)]
	stp	x24, x25, [x0, #(24 * 8)]
	stp	x26, x27, [x0, #(26 * 8)]
	stp	x28, x29, [x0, #(28 * 8)]
	str	x30, [x0, #(30 * 8)]
	.endm

	/* Where the guest stopped and why: PC, PSTATE and the fault syndrome. */
	.macro	guest_syndrome_save
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [x0, #CTX_PC]
	mrs	x2, esr_el2
	mrs	x3, far_el2
	stp	x2, x3, [x0, #CTX_ESR]
	mrs	x2, hpfar_el2
	str	x2, [x0, #CTX_HPFAR]
	.endm

	/*
	 * The guest's stage 2 and MPIDR; its debug and PMU trap bits are
	 * added to the host's MDCR_EL2 (keeping fields such as HPMN).
	 */
	.macro	guest_controls_load ctx
	ldp	x2, x3, [\ctx, #CTX_VTTBR]

	msr	vttbr_el2, x2
	msr	vtcr_el2, x3
	ldp	x2, x3, [\ctx, #CTX_VMPIDR]

	msr	vmpidr_el2, x2
	mrs	x2, mdcr_el2
	orr	x3, x3, x2
	msr	mdcr_el2, x3
	.endm

	/*
	 * Where the guest resumes, then its HCR_EL2: last, so that a fault
	 * at EL2 before it still finds the host's.
	 */
	.macro	guest_pc_hcr_load ctx
	ldp	x2, x3, [\ctx, #CTX_PC]

	msr	elr_el2, x2
	msr	spsr_el2, x3
	ldr	x2, [\ctx, #CTX_HCR]

	msr	hcr_el2, x2

	isb
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

	/*
	 * The VM's virtual counter offset for the guest; the host's is 0
	 * (Linux sets it at boot and KVM puts 0 back after its guests).
	 */
	.macro	cntvoff_load ctx
	ldr	x2, [\ctx, #CTX_CNTVOFF]
	msr	cntvoff_el2, x2
	.endm

	.macro	cntvoff_host
	msr	cntvoff_el2, xzr
	.endm

	/* A counter word of the context, +1: the fast paths count for the host. */
	.macro	ctx_count ctx, off, tmp
	ldr	\tmp, [\ctx, #\off]
	add	\tmp, \tmp, #1
	str	\tmp, [\ctx, #\off]
	.endm

	/* Past the trapped instruction: a fast path emulated it. */
	.macro	guest_skip_insn tmp
	mrs	\tmp, elr_el2
	add	\tmp, \tmp, #4
	msr	elr_el2, \tmp
	.endm

	/*
	 * A guest's sync exception in both modes, with its x0/x1 just
	 * pushed on the EL2 stack: the no-op hypercall is answered here
	 * (the bare transition, nothing saved but a count for the host's
	 * statistics, in the context \ctx_x1 finds); anything else
	 * branches to \slow with x0/x1 still pushed.
	 */
	.macro	hcall_nop_fast slow, ctx_x1
	mrs	x1, esr_el2
	ubfx	x1, x1, #ESR_ELx_EC_SHIFT, #ESR_ELx_EC_WIDTH
	cmp	x1, #ESR_ELx_EC_HVC64

	b.ne	\slow
	mov_q	x1, MINIHV_HCALL_NOP
	cmp	x0, x1

	b.ne	\slow
	\ctx_x1
	ctx_count x1, CTX_FAST_HCALLS, x0
	ldp	x0, x1, [sp], #16
	mov	x0, #0

	eret
	.endm

#endif /* __ASSEMBLY__ */
#endif /* MINIHV_EL2_WORLD_SWITCH_H */
