/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minihv's EL2 image (nVHE). It is copied into physically contiguous pages
 * and runs from there, identity-mapped (VA == PA), so it must be position
 * independent: only PC-relative references within this section.
 *
 * Register use follows SMCCC 1.1: x0 is the function id and the result,
 * x1..x3 may be clobbered, everything else is preserved.
 */
#include <linux/linkage.h>
#include <asm/assembler.h>
#include <asm/esr.h>
#include <asm/sysreg.h>
#include <asm/virt.h>

#include "hyp.h"

	.section .minihv.hyp.text, "ax"

	.macro vector target
	.align	7
	b	\target
	.endm

	/* VBAR_EL2 needs 2 KiB alignment: the image starts with the table. */
	.align	11
	.globl	__minihv_hyp_start
__minihv_hyp_start:
	vector	hyp_panic		// EL2t sync
	vector	hyp_panic		// EL2t IRQ
	vector	hyp_panic		// EL2t FIQ
	vector	hyp_panic		// EL2t SError
	vector	hyp_panic		// EL2h sync
	vector	hyp_panic		// EL2h IRQ
	vector	hyp_panic		// EL2h FIQ
	vector	hyp_panic		// EL2h SError
	vector	host_sync		// EL1 AArch64 sync
	vector	hyp_panic		// EL1 AArch64 IRQ
	vector	hyp_panic		// EL1 AArch64 FIQ
	vector	hyp_panic		// EL1 AArch64 SError
	vector	hyp_panic		// EL1 AArch32 sync
	vector	hyp_panic		// EL1 AArch32 IRQ
	vector	hyp_panic		// EL1 AArch32 FIQ
	vector	hyp_panic		// EL1 AArch32 SError

	.align	7
host_sync:
	mrs	x3, esr_el2
	ubfx	x3, x3, #ESR_ELx_EC_SHIFT, #ESR_ELx_EC_WIDTH
	cmp	x3, #ESR_ELx_EC_HVC64
	b.ne	hyp_panic

	/* The stub's own ABI, for kernel paths (kexec) that still use it. */
	cmp	x0, #HVC_RESET_VECTORS
	b.eq	hc_reset
	cmp	x0, #HVC_STUB_HCALL_NR
	b.lo	hc_stub_err

	mov_q	x3, MINIHV_HC_BASE
	sub	x3, x0, x3
	cmp	x3, #MINIHV_HC_NR
	b.hs	hc_unknown
	adr	x2, hc_table
	add	x2, x2, x3, lsl #2
	br	x2
hc_table:
	b	hc_version		// MINIHV_HC_VERSION
	b	hc_init			// MINIHV_HC_INIT
	b	hc_reset		// MINIHV_HC_RESET
	b	hc_ich_vtr		// MINIHV_HC_ICH_VTR

/* x1 returns SCTLR_EL2, so the host can see that EL2's MMU is on. */
hc_version:
	mov_q	x0, MINIHV_HYP_VERSION
	mrs	x1, sctlr_el2
	eret

/*
 * x1: PA of this CPU's struct hyp_cpu. Runs with the EL2 MMU off (as the
 * stub left it), so the host cleaned it to the PoC before calling.
 */
hc_init:
	ldr	x2, [x1, #HYP_CPU_MAIR]
	msr	mair_el2, x2
	ldr	x2, [x1, #HYP_CPU_TCR]
	msr	tcr_el2, x2
	ldr	x2, [x1, #HYP_CPU_TTBR0]
	msr	ttbr0_el2, x2
	ldr	x2, [x1, #HYP_CPU_SP]
	mov	sp, x2
	msr	tpidr_el2, x1
	isb
	/* Whatever the TLB holds for EL2 predates our tables. */
	tlbi	alle2
	dsb	nsh
	ldr	x2, [x1, #HYP_CPU_SCTLR]
	msr	sctlr_el2, x2
	isb
	/* Stale lines of an earlier image at these PAs must not be fetched. */
	ic	iallu
	dsb	nsh
	isb
	mov	x0, #0
	eret

/*
 * Give EL2 back: MMU off (safe mid-stream, VA == PA), stub vectors back.
 * EL2 wrote nothing cacheable, so nothing needs cleaning first.
 */
hc_reset:
	mrs	x1, tpidr_el2
	ldr	x2, [x1, #HYP_CPU_STUB_VECTORS]
	mrs	x3, sctlr_el2
	mov_q	x0, (SCTLR_ELx_M | SCTLR_ELx_C | SCTLR_ELx_I)
	bic	x3, x3, x0
	msr	sctlr_el2, x3
	isb
	msr	vbar_el2, x2
	isb
	mov	x0, #0
	eret

hc_ich_vtr:
	mrs_s	x0, SYS_ICH_VTR_EL2
	eret

hc_stub_err:
	mov_q	x0, HVC_STUB_ERR
	eret

hc_unknown:
	mov	x0, #MINIHV_HC_UNKNOWN
	eret

/*
 * An exception minihv's EL2 code never expects (its own bug, or an
 * SError): nothing sane to return to, so park this CPU.
 */
hyp_panic:
	wfe
	b	hyp_panic

	.globl	__minihv_hyp_end
__minihv_hyp_end:
