/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VHE world switch: the kernel itself runs at EL2 (HCR_EL2.{E2H,TGE}
 * = {1,1}), so entering a guest is a function call that erets to EL1 and
 * returns when the guest takes an exception to EL2. The guest's EL1
 * registers are the real EL1 registers, reached through the *_EL12
 * aliases; the registers EL1 and EL2 share (SP_EL0 is the kernel's
 * "current", TPIDR*_EL0 are the user's) are saved on the kernel stack.
 * Called with interrupts masked.
 */
#include <linux/linkage.h>
#include <asm/assembler.h>
#include <asm/esr.h>
#include <asm/kvm_arm.h>
#include <asm/sysreg.h>

#include "hyp.h"
#include "uapi/minihv.h"
#include "world_switch.h"
#include "vgic_switch.S"
#include "gicd_fast.S"
#include "sgi_fast.S"

	.arch	armv8.1-a

/* The frame __minihv_vhe_run keeps on the kernel stack. */
#define F_X29		0
#define F_X19		16
#define F_X21		32
#define F_X23		48
#define F_X25		64
#define F_X27		80
#define F_CTX		96	/* x18 too */
#define F_HCR		112	/* and VBAR_EL2 */
#define F_MDCR		128	/* and CPACR (CPTR_EL2) */
#define F_CNTHCTL	144	/* and SP_EL0 */
#define F_TPIDR		160	/* TPIDR_EL0, TPIDRRO_EL0 */
#define F_PAR		176	/* PAR_EL1, CSSELR_EL1 */
#define F_MDSCR		192	/* MDSCR_EL1, TPIDR_EL1 */
#define F_DAIF		208	/* DAIF, PAN: exception entry changed both */
#define F_SIZE		224

/* CNTHCTL_EL2 with E2H: EL1PCTEN is bit 10, EL1PCEN bit 11. */
#define CNTHCTL_E2H_EL1PCTEN	(1 << 10)
#define CNTHCTL_E2H_EL1PCEN	(1 << 11)
/* CPTR_EL2 with E2H has CPACR's layout: ZEN traps SVE, SMEN SME. */
#define CPACR_ZEN		(3 << 16)
#define CPACR_SMEN		(3 << 24)

/* u64 __minihv_vhe_run(struct el2_vcpu_ctx *ctx): returns EL2_EXIT_*. */
SYM_FUNC_START(__minihv_vhe_run)
	stp	x29, x30, [sp, #-F_SIZE]!
	mov	x29, sp
	stp	x19, x20, [sp, #F_X19]
	stp	x21, x22, [sp, #F_X21]
	stp	x23, x24, [sp, #F_X23]
	stp	x25, x26, [sp, #F_X25]
	stp	x27, x28, [sp, #F_X27]
	stp	x0, x18, [sp, #F_CTX]

	/* The host's controls and the state it shares with the guest. */
	mrs	x2, hcr_el2
	mrs	x3, vbar_el2
	stp	x2, x3, [sp, #F_HCR]
	mrs	x2, mdcr_el2
	mrs	x3, cpacr_el1
	stp	x2, x3, [sp, #F_MDCR]
	mrs	x2, cnthctl_el2
	mrs	x3, sp_el0
	stp	x2, x3, [sp, #F_CNTHCTL]
	mrs	x2, tpidr_el0
	mrs	x3, tpidrro_el0
	stp	x2, x3, [sp, #F_TPIDR]
	mrs	x2, par_el1
	mrs	x3, csselr_el1
	stp	x2, x3, [sp, #F_PAR]
	mrs	x2, mdscr_el1
	mrs	x3, tpidr_el1
	stp	x2, x3, [sp, #F_MDSCR]
	mrs	x2, daif
	mrs	x3, pan
	stp	x2, x3, [sp, #F_DAIF]

	add	x5, x0, #CTX_SYS
	el1_sysregs sys_load2, x5, el12, el02
	fpsimd_load x0
	vgic_load x0
	cntvoff_load x0
	guest_controls_load x0
	/* The guest may read the counter; the physical timer is the host's. */
	mrs	x2, cnthctl_el2
	orr	x2, x2, #CNTHCTL_E2H_EL1PCTEN
	bic	x2, x2, #CNTHCTL_E2H_EL1PCEN
	msr	cnthctl_el2, x2
	/* FP/SIMD stays on; SVE and SME trap (their state is not switched). */
	mrs	x2, cpacr_el1
	mov_q	x3, (CPACR_ZEN | CPACR_SMEN)
	bic	x2, x2, x3
	msr	cpacr_el1, x2
	adr_l	x2, vhe_guest_vectors
	msr	vbar_el2, x2
	/* TGE off: exceptions of EL1&0 now go to EL1, or to us when trapped. */
	guest_pc_hcr_load x0
	flush_local_context x0, 1f
1:

	guest_gprs_load
	eret
SYM_FUNC_END(__minihv_vhe_run)

/*
 * The guest's x0/x1 are pushed below the frame, x1 holds the exit code.
 * SP_EL2 is the kernel stack exactly as the eret left it.
 */
SYM_CODE_START_LOCAL(vhe_guest_exit)
	ldr	x0, [sp, #(16 + F_CTX)]
	guest_gprs_save
	mov	x19, x1
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x0, #(0 * 8)]

	/* Back to the host's regime before anything else can trap. */
	ldp	x2, x3, [sp, #F_HCR]
	msr	hcr_el2, x2
	msr	vbar_el2, x3
	isb

	guest_syndrome_save
	add	x5, x0, #CTX_SYS
	el1_sysregs sys_save2, x5, el12, el02
	fpsimd_save x0
	vgic_save x0
	cntvoff_host
	/*
	 * The guest's virtual timer is the real EL1 one, still armed: off
	 * while the host runs, or it would interrupt the host (its state
	 * is in the context; an hrtimer stands in, timer/arch_timer.c).
	 */
	msr	cntv_ctl_el02, xzr

	/*
	 * A VTTBR no one else writes: finding it at the next entry means
	 * no other hypervisor's guest ran here since (el2/vhe.c).
	 */
	adr_l	x2, minihv_vhe_idle_vttbr
	ldr	x2, [x2]
	msr	vttbr_el2, x2
	ldp	x2, x3, [sp, #F_MDCR]
	msr	mdcr_el2, x2
	msr	cpacr_el1, x3
	ldp	x2, x3, [sp, #F_CNTHCTL]
	msr	cnthctl_el2, x2
	msr	sp_el0, x3
	ldp	x2, x3, [sp, #F_TPIDR]
	msr	tpidr_el0, x2
	msr	tpidrro_el0, x3
	ldp	x2, x3, [sp, #F_PAR]
	msr	par_el1, x2
	msr	csselr_el1, x3
	ldp	x2, x3, [sp, #F_MDSCR]
	msr	mdscr_el1, x2
	msr	tpidr_el1, x3
	ldp	x2, x3, [sp, #F_DAIF]
	msr	daif, x2
	msr	pan, x3
	isb

	mov	x0, x19
	ldr	x18, [sp, #(F_CTX + 8)]
	ldp	x19, x20, [sp, #F_X19]
	ldp	x21, x22, [sp, #F_X21]
	ldp	x23, x24, [sp, #F_X23]
	ldp	x25, x26, [sp, #F_X25]
	ldp	x27, x28, [sp, #F_X27]
	ldp	x29, x30, [sp], #F_SIZE
	ret
SYM_CODE_END(vhe_guest_exit)

	.macro	vhe_vector code
	.align	7
	guest_exit_clear_bhb
	stp	x0, x1, [sp, #-16]!
	mov	x1, #\code
	b	vhe_guest_exit
	.endm

	.macro	vhe_bad_vector
	.align	7
	b	.
	.endm

	.macro	vhe_ctx_x1
	ldr	x1, [sp, #(16 + F_CTX)]
	.endm

/*
 * The no-op hypercall, the distributor's ID and control reads and the
 * SGIs are answered here, as in nVHE: the bare transition. The last two
 * are too long for the vector's 32 instructions: vhe_guest_sync, out of
 * line.
 */
	.macro	vhe_sync_vector
	.align	7
	guest_exit_clear_bhb
	stp	x0, x1, [sp, #-16]!
	hcall_nop_fast vhe_guest_sync, vhe_ctx_x1
	.endm

SYM_CODE_START_LOCAL(vhe_guest_sync)
	gicd_read_fast 2f, vhe_ctx_x1
2:	sgi_fast 1f, vhe_ctx_x1
1:	mov	x1, #EL2_EXIT_SYNC
	b	vhe_guest_exit
SYM_CODE_END(vhe_guest_sync)

/* Installed in VBAR_EL2 only while a guest runs, interrupts masked. */
	.align	11
SYM_CODE_START_LOCAL(vhe_guest_vectors)
	vhe_bad_vector			// EL2t sync
	vhe_bad_vector			// EL2t IRQ
	vhe_bad_vector			// EL2t FIQ
	vhe_bad_vector			// EL2t SError
	vhe_bad_vector			// EL2h sync
	vhe_bad_vector			// EL2h IRQ
	vhe_bad_vector			// EL2h FIQ
	vhe_bad_vector			// EL2h SError
	vhe_sync_vector			// EL1 AArch64 sync
	vhe_vector EL2_EXIT_IRQ		// EL1 AArch64 IRQ
	vhe_vector EL2_EXIT_FIQ		// EL1 AArch64 FIQ
	vhe_vector EL2_EXIT_SERROR	// EL1 AArch64 SError
	vhe_vector EL2_EXIT_SYNC	// EL1 AArch32: never entered
	vhe_vector EL2_EXIT_IRQ
	vhe_vector EL2_EXIT_FIQ
	vhe_vector EL2_EXIT_SERROR
SYM_CODE_END(vhe_guest_vectors)
