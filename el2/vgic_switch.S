/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The GIC virtual CPU interface's half of the world switch: assembler
 * macros that hyp.S (nVHE) and vhe_switch.S (VHE) include after
 * world_switch.h, so both modes switch it with the same code. Not
 * assembled on its own (Kbuild lists no vgic_switch.o); a .S rather than
 * a header because its local labels are assembler, not C.
 */

/*
 * ICH_LR<n>_EL2 and ICH_AP<g>R<n>_EL2 by number, for .irp loops: the
 * assembler substitutes \n after the preprocessor has run, so the
 * encodings are computed from the first register of each group.
 */
#define ICH_LR(n)	(SYS_ICH_LR0_EL2 + (((n) & 7) << Op2_shift) + \
			 (((n) >> 3) << CRm_shift))
#define ICH_APR(g, n)	(SYS_ICH_AP0R0_EL2 + ((g) << CRm_shift) + \
			 ((n) << Op2_shift))

	/*
	 * The guest's GIC virtual CPU interface (hyp.h VGIC_*): control,
	 * active priorities and the list registers in use, then
	 * ICH_HCR_EL2 (En) last. A VM without a vGIC has VGIC_HCR 0 and
	 * leaves the registers alone. x2..x4 are scratch. Only direct
	 * branches: the kernel's text may be BTI-guarded under VHE.
	 */
	.macro	vgic_load ctx
	add	x2, \ctx, #CTX_VGIC
	ldr	x3, [x2, #VGIC_HCR]
	cbz	x3, .Lvgic_load_done\@
	ldr	x3, [x2, #VGIC_VMCR]
	msr_s	SYS_ICH_VMCR_EL2, x3
	ldr	x4, [x2, #VGIC_NR_APR]
	vgic_aprs ldr
	ldr	x4, [x2, #VGIC_USED_LRS]
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	cmp	x4, #\n
	b.ls	.Lvgic_lrs_done\@
	ldr	x3, [x2, #(VGIC_LR + \n * 8)]
	msr_s	ICH_LR(\n), x3
	.endr
.Lvgic_lrs_done\@:
	ldr	x3, [x2, #VGIC_HCR]
	msr_s	SYS_ICH_HCR_EL2, x3
.Lvgic_load_done\@:
	.endm

	/*
	 * At exit: the virtual interface off first (no maintenance
	 * interrupt may reach the host), then its state back into the
	 * context and the used list registers emptied for the next VM.
	 */
	.macro	vgic_save ctx
	add	x2, \ctx, #CTX_VGIC
	ldr	x3, [x2, #VGIC_HCR]
	cbz	x3, .Lvgic_save_done\@
	msr_s	SYS_ICH_HCR_EL2, xzr
	mrs_s	x3, SYS_ICH_VMCR_EL2
	str	x3, [x2, #VGIC_VMCR]
	ldr	x4, [x2, #VGIC_NR_APR]
	vgic_aprs str
	ldr	x4, [x2, #VGIC_USED_LRS]
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	cmp	x4, #\n
	b.ls	.Lvgic_save_done\@
	mrs_s	x3, ICH_LR(\n)
	str	x3, [x2, #(VGIC_LR + \n * 8)]
	msr_s	ICH_LR(\n), xzr
	.endr
.Lvgic_save_done\@:
	.endm

	/*
	 * ICH_AP0R<n>/AP1R<n>, n < x4 (1, 2 or 4: the others do not
	 * exist), between the registers and x2 + VGIC_AP{0,1}R: \mem ldr
	 * loads them, str saves them.
	 */
	.macro	vgic_aprs mem
	.irp	n, 0, 1, 2, 3
	.if	\n == 1 || \n == 2
	cmp	x4, #\n
	b.ls	.Lvgic_aprs_done\@
	.endif
	vgic_apr \mem, 0, \n
	vgic_apr \mem, 1, \n
	.endr
.Lvgic_aprs_done\@:
	.endm

	.macro	vgic_apr mem, grp, n
	.ifc	\mem, ldr
	ldr	x3, [x2, #(VGIC_AP0R + \grp * 32 + \n * 8)]
	msr_s	ICH_APR(\grp, \n), x3
	.else
	mrs_s	x3, ICH_APR(\grp, \n)
	str	x3, [x2, #(VGIC_AP0R + \grp * 32 + \n * 8)]
	.endif
	.endm
