/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The distributor reads EL2 answers by itself, in both modes: an
 * assembler macro that hyp.S (nVHE) and vhe_switch.S (VHE) include after
 * world_switch.h, as vgic_switch.S. Not assembled on its own.
 */

/* The syndrome of the one load form answered here, and what it must match. */
#define GICD_FAST_ESR_MASK	(ESR_ELx_ISV | ESR_ELx_SAS | ESR_ELx_SSE |   \
				 ESR_ELx_FnV | ESR_ELx_EA | ESR_ELx_CM |     \
				 ESR_ELx_S1PTW | ESR_ELx_WNR | ESR_ELx_FSC_TYPE)
#define GICD_FAST_ESR		(ESR_ELx_ISV | (2 << ESR_ELx_SAS_SHIFT) |    \
				 ESR_ELx_FSC_FAULT)

	/*
	 * A guest's word load from one of the distributor registers struct
	 * el2_gicd holds (hyp.h), with its x0/x1 just pushed: answered here
	 * from the VM's copy, as the no-op hypercall is. Only a load the
	 * syndrome describes whole qualifies (ISV; 32 bits, no sign
	 * extension; a stage-2 translation fault on the access itself, not
	 * on a walk); anything else branches to \slow with x0/x1 still
	 * pushed. The value goes to the load's target register through a
	 * table of 16-byte entries, one per register: x0..x3 are on the
	 * stack here, so theirs store into the pushed words.
	 */
	.macro	gicd_target insn:vararg
	.balign	16
	hint	#36			// BTI J: the table is reached by BR
	\insn
	b	9997f
	.endm

	.macro	gicd_read_fast slow, ctx_x1
	\ctx_x1
	stp	x2, x3, [sp, #-16]!
	mrs	x2, esr_el2
	ubfx	x3, x2, #ESR_ELx_EC_SHIFT, #ESR_ELx_EC_WIDTH
	cmp	x3, #ESR_ELx_EC_DABT_LOW
	b.ne	9998f
	mov_q	x3, GICD_FAST_ESR_MASK
	and	x2, x2, x3
	mov_q	x3, GICD_FAST_ESR
	cmp	x2, x3
	b.ne	9998f
	ldr	x0, [x1, #CTX_GICD]
	cbz	x0, 9998f
	mrs	x3, hpfar_el2
	and	x3, x3, #HPFAR_MASK
	lsl	x3, x3, #8
	ldr	x2, [x0, #GICD_EL2_IPA]
	cmp	x2, x3
	b.ne	9998f
	mrs	x3, far_el2
	and	x3, x3, #0xfff
	cmp	x3, #((GICD_EL2_NR_REGS - 1) * 4)
	b.hi	9998f
	tst	x3, #3
	b.ne	9998f
	/* In bounds even where the branches above are mispredicted. */
	and	x3, x3, #((GICD_EL2_NR_REGS - 1) * 4)

	add	x0, x0, #GICD_EL2_REGS
	ldr	w0, [x0, x3]
	ctx_count x1, CTX_FAST_GICD, x3
	guest_skip_insn x3
	mrs	x2, esr_el2
	ubfx	x2, x2, #ESR_ELx_SRT_SHIFT, #5
	adr	x3, 9996f
	add	x3, x3, x2, lsl #4
	br	x3

	.balign	16
9996:	gicd_target str x0, [sp, #16]
	gicd_target str x0, [sp, #24]
	gicd_target str x0, [sp]
	gicd_target str x0, [sp, #8]
	.irp	n, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, \
		21, 22, 23, 24, 25, 26, 27, 28, 29, 30
	gicd_target mov x\n, x0
	.endr
	gicd_target nop			// 31: XZR
9997:	ldp	x2, x3, [sp], #16
	ldp	x0, x1, [sp], #16
	eret
9998:	ldp	x2, x3, [sp], #16
	b	\slow
	.endm
