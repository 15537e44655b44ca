/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A guest's SGI, sent by EL2 itself in both modes: an assembler macro
 * that hyp.S (nVHE) and vhe_switch.S (VHE) include after world_switch.h,
 * as gicd_fast.S. Not assembled on its own.
 *
 * A write of ICC_SGI1R_EL1 naming vCPUs by a target list in Aff0 (Aff1..3
 * zero, no IRM: every IPI of a guest of up to 16 vCPUs) raises the SGI
 * in each target's mailbox word (CTX_SGI_PENDING, an atomic OR), takes
 * the host's kick handshake as core/kick.c does (sets the target's
 * REQ_EVENT, then reads its mode) and, for a target running guest code,
 * sends its CPU the reschedule SGI, as the host's kick would: that CPU's
 * vCPU exits, and its host moves the mailbox into the vGIC before its
 * next entry (irq/vgic.c:minihv_vgic_take_sgis). The sender never leaves
 * EL2. A target that is not in the guest may be asleep in WFI, which
 * only the host can wake: its bit goes in the sender's CTX_SGI_WAKE and
 * the sender takes the full exit, whose handler kicks those vCPUs and
 * raises nothing again (el2/sysreg.c).
 *
 * Anything else (another SGI register, a target the table does not
 * hold, the sender itself among the targets, a VM without a vGIC) takes
 * the full exit untouched. The syndrome and value masks are in hyp.h.
 */

	/*
	 * With the guest's x0/x1 pushed and every other register the
	 * guest's; \slow is entered in that state.
	 */
	.macro	sgi_fast slow, ctx_x1
	mrs	x0, esr_el2
	mov_q	x1, SGI_FAST_ESR_MASK
	and	x0, x0, x1
	mov_q	x1, SGI_FAST_ESR
	cmp	x0, x1
	b.ne	\slow
	\ctx_x1
	ldr	x0, [x1, #CTX_GICD]
	cbz	x0, \slow
	ldr	x0, [x0, #GICD_EL2_SGI_VALID]
	cbz	x0, \slow

	/* The guest's registers into its context: all of x0..x30 free. */
	mov	x0, x1
	guest_gprs_save
	ldp	x2, x3, [sp]
	stp	x2, x3, [x0]
	mrs	x2, esr_el2
	ubfx	x2, x2, #ESR_ELx_SYS64_ISS_RT_SHIFT, #5
	mov	x3, xzr				// Rt 31 is XZR
	cmp	x2, #31
	b.eq	9990f
	ldr	x3, [x0, x2, lsl #3]
9990:	mov_q	x4, SGI_FAST_SLOW
	tst	x3, x4
	b.ne	9995f
	and	x5, x3, #SGI_FAST_TARGETS
	cbz	x5, 9995f
	ldr	x6, [x0, #CTX_GICD]
	/* Acquire: a valid bit before its entry (vgic.c sets them so). */
	add	x4, x6, #GICD_EL2_SGI_VALID
	ldar	x4, [x4]
	bics	xzr, x5, x4
	b.ne	9995f
	ldr	x4, [x0, #CTX_SGI_SELF]
	tst	x5, x4
	b.ne	9995f

	ubfx	x7, x3, #SGI_FAST_ID_SHIFT, #4
	mov	x4, #1
	lsl	x7, x4, x7			// the SGI's bit
	mov	x8, xzr				// targets the host must wake
	add	x6, x6, #GICD_EL2_SGI_CTX
9991:	rbit	x9, x5
	clz	x9, x9				// a target: 0..15
	lsl	x14, x4, x9
	bic	x5, x5, x14
	ldr	x10, [x6, x9, lsl #3]
	add	x11, x10, #CTX_SGI_PENDING
9992:	ldxr	x12, [x11]
	orr	x12, x12, x7
	stxr	w13, x12, [x11]
	cbnz	w13, 9992b
	ldr	x11, [x10, #CTX_REQUESTS]
9993:	ldxr	x12, [x11]
	orr	x12, x12, #(1 << EL2_REQ_EVENT)
	stxr	w13, x12, [x11]
	cbnz	w13, 9993b
	/*
	 * The mailbox and the request before the mode (a full barrier, as
	 * kick.c's), and before the SGI that makes the target look.
	 */
	dsb	ish
	ldr	x11, [x10, #CTX_MODE]
	ldr	w12, [x11]
	cmp	w12, #EL2_MODE_IN_GUEST
	b.ne	9994f
	ldr	x12, [x10, #CTX_SGI_KICK]
	msr_s	SYS_ICC_SGI1R_EL1, x12
	cbnz	x5, 9991b
	b	9996f
9994:	orr	x8, x8, x14
	cbnz	x5, 9991b

9996:	cbnz	x8, 9997f
	ctx_count x0, CTX_FAST_SGIS, x2
	guest_skip_insn x2
	guest_gprs_load
	add	sp, sp, #16
	eret

9997:	str	x8, [x0, #CTX_SGI_WAKE]
9995:	guest_gprs_load
	b	\slow
	.endm
