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
#include <asm/kvm_arm.h>
#include <asm/sysreg.h>
#include <asm/virt.h>

#include "hyp.h"
#include "uapi/minihv.h"
#include "world_switch.h"
#include "vgic_switch.S"
#include "gicd_fast.S"
#include "sgi_fast.S"

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

	/*
	 * The stub's calls that hand EL2 to someone else (KVM's, at its
	 * first VM). Everything else outside minihv's block is refused as
	 * the stub refuses what it does not know.
	 */
	cmp	x0, #HVC_SET_VECTORS
	b.eq	hc_set_vectors
	cmp	x0, #HVC_RESET_VECTORS
	b.eq	hc_reset_vectors

	mov_q	x3, MINIHV_HC_BASE
	sub	x3, x0, x3
	cmp	x3, #MINIHV_HC_NR
	b.lo	1f
	cmp	x3, #0x100
	b.lo	hc_unknown
	b	hc_stub_err
1:	adr	x2, hc_table
	add	x2, x2, x3, lsl #2
	br	x2
hc_table:
	b	hc_version		// MINIHV_HC_VERSION
	b	hc_init			// MINIHV_HC_INIT
	b	hc_reset		// MINIHV_HC_RESET
	b	hc_ich_vtr		// MINIHV_HC_ICH_VTR
	b	hc_vcpu_run		// MINIHV_HC_VCPU_RUN
	b	hc_flush_vmid		// MINIHV_HC_FLUSH_VMID
	b	hc_flush_guests		// MINIHV_HC_FLUSH_GUESTS
	b	hc_el2_regs		// MINIHV_HC_EL2_REGS

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
	/* Guest entries of an earlier load may carry VMIDs we hand out. */
	tlbi	alle1
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
 * The host asks, through the stub's ABI, that EL2 go to the stub (x1 is
 * ignored, as by the stub) or to the vectors at x1. While the host has
 * pinned this CPU (minihv VMs exist) the answer is the stub's error, and
 * who asked is kept for the host's log; otherwise EL2 is handed over.
 */
hc_reset_vectors:
	mrs	x2, tpidr_el2
	ldr	x1, [x2, #HYP_CPU_STUB_VECTORS]
	b	1f
hc_set_vectors:
	mrs	x2, tpidr_el2
1:	ldr	x3, [x2, #HYP_CPU_PINNED]
	cbnz	x3, 2f
	ldr	x3, [x2, #HYP_CPU_HANDOVERS]
	add	x3, x3, #1
	str	x3, [x2, #HYP_CPU_HANDOVERS]
	b	hand_over
2:	ldr	x3, [x2, #HYP_CPU_REFUSED]
	add	x3, x3, #1
	str	x3, [x2, #HYP_CPU_REFUSED]
	str	x0, [x2, #HYP_CPU_REFUSED_ID]
	str	x30, [x2, #HYP_CPU_REFUSED_LR]
	b	hc_stub_err

/* minihv's own give-back (unload, CPU offline, reboot): never refused. */
hc_reset:
	mrs	x2, tpidr_el2
	ldr	x1, [x2, #HYP_CPU_STUB_VECTORS]

/*
 * x1: the vectors EL2 goes to, x2: this CPU's hyp_cpu. The guests'
 * entries go first: their VMIDs are minihv's, and the next hypervisor
 * hands out its own from the same space. Then MMU off (safe mid-stream,
 * VA == PA) and the vectors. EL2's cacheable writes are the host's
 * memory, coherent with its view: nothing needs cleaning.
 */
hand_over:
	str	xzr, [x2, #HYP_CPU_OWNED]
	tlbi	alle1
	dsb	nsh
	mrs	x3, sctlr_el2
	mov_q	x0, (SCTLR_ELx_M | SCTLR_ELx_C | SCTLR_ELx_I)
	bic	x3, x3, x0
	msr	sctlr_el2, x3
	isb
	msr	vbar_el2, x1
	isb
	mov	x0, #0
	eret

/*
 * x1: with the GIC's ICH_* registers too. The EL2 state the host runs
 * under, for the host to compare with what another hypervisor left.
 */
hc_el2_regs:
	mrs	x2, tpidr_el2
	add	x2, x2, #HYP_CPU_EL2_REGS
	mrs	x3, hcr_el2
	str	x3, [x2, #(EL2_REG_HCR * 8)]
	mrs	x3, mdcr_el2
	str	x3, [x2, #(EL2_REG_MDCR * 8)]
	mrs	x3, cptr_el2
	str	x3, [x2, #(EL2_REG_CPTR * 8)]
	mrs	x3, cnthctl_el2
	str	x3, [x2, #(EL2_REG_CNTHCTL * 8)]
	mrs	x3, vttbr_el2
	str	x3, [x2, #(EL2_REG_VTTBR * 8)]
	mrs	x3, vtcr_el2
	str	x3, [x2, #(EL2_REG_VTCR * 8)]
	mrs	x3, vbar_el2
	str	x3, [x2, #(EL2_REG_VBAR * 8)]
	mrs	x3, sctlr_el2
	str	x3, [x2, #(EL2_REG_SCTLR * 8)]
	mrs	x3, vmpidr_el2
	str	x3, [x2, #(EL2_REG_VMPIDR * 8)]
	mrs	x3, mpidr_el1
	str	x3, [x2, #(EL2_REG_MPIDR * 8)]
	mrs	x3, cntvoff_el2
	str	x3, [x2, #(EL2_REG_CNTVOFF * 8)]
	mrs	x3, hstr_el2
	str	x3, [x2, #(EL2_REG_HSTR * 8)]
	cbz	x1, 1f
	mrs_s	x3, SYS_ICH_HCR_EL2
	str	x3, [x2, #(EL2_REG_ICH_HCR * 8)]
	mrs_s	x3, SYS_ICH_VMCR_EL2
	str	x3, [x2, #(EL2_REG_ICH_VMCR * 8)]
1:	mov	x0, #0
	eret

hc_ich_vtr:
	mrs_s	x0, SYS_ICH_VTR_EL2
	eret

/*
 * x1: VTTBR of a VM whose stage-2 lost mappings. Invalidate its stage-1
 * and stage-2 entries on every CPU (inner shareable); the host runs with
 * VMID 0, which no guest gets.
 */
hc_flush_vmid:
	msr	vttbr_el2, x1
	isb
	dsb	ishst
	tlbi	vmalls12e1is
	dsb	ish
	msr	vttbr_el2, xzr
	isb
	mov	x0, #0
	eret

/* After a VMID rollover: this CPU drops every guest's entries. */
hc_flush_guests:
	tlbi	alle1
	ic	iallu
	dsb	nsh
	isb
	mov	x0, #0
	eret

/*
 * Enter a guest: x1 is the PA of its struct el2_vcpu_ctx. The host's
 * x4..x30 (SMCCC 1.1 keeps them), its EL1 system registers and its EL2
 * controls go to this CPU's hyp_cpu; the guest's come from ctx. Returns
 * to the host in x0 the EL2_EXIT_* of the vector the guest left through.
 */
hc_vcpu_run:
	mrs	x2, tpidr_el2
	stp	x4, x5, [x2, #(HYP_CPU_HOST_REGS + 0 * 8)]
	stp	x6, x7, [x2, #(HYP_CPU_HOST_REGS + 2 * 8)]
	stp	x8, x9, [x2, #(HYP_CPU_HOST_REGS + 4 * 8)]
	stp	x10, x11, [x2, #(HYP_CPU_HOST_REGS + 6 * 8)]
	stp	x12, x13, [x2, #(HYP_CPU_HOST_REGS + 8 * 8)]
	stp	x14, x15, [x2, #(HYP_CPU_HOST_REGS + 10 * 8)]
	stp	x16, x17, [x2, #(HYP_CPU_HOST_REGS + 12 * 8)]
	stp	x18, x19, [x2, #(HYP_CPU_HOST_REGS + 14 * 8)]
	stp	x20, x21, [x2, #(HYP_CPU_HOST_REGS + 16 * 8)]
	stp	x22, x23, [x2, #(HYP_CPU_HOST_REGS + 18 * 8)]
	stp	x24, x25, [x2, #(HYP_CPU_HOST_REGS + 20 * 8)]
	stp	x26, x27, [x2, #(HYP_CPU_HOST_REGS + 22 * 8)]
	stp	x28, x29, [x2, #(HYP_CPU_HOST_REGS + 24 * 8)]
	str	x30, [x2, #(HYP_CPU_HOST_REGS + 26 * 8)]
	str	x1, [x2, #HYP_CPU_VCPU]

	mov	x4, x2				// hyp_cpu
	mov	x0, x1				// ctx
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [x4, #HYP_CPU_HOST_ELR]
	mrs	x2, hcr_el2
	mrs	x3, mdcr_el2
	stp	x2, x3, [x4, #HYP_CPU_HOST_HCR]
	mrs	x2, cptr_el2
	mrs	x3, cnthctl_el2
	stp	x2, x3, [x4, #HYP_CPU_HOST_CPTR]
	add	x5, x4, #HYP_CPU_HOST_SYS
	el1_sysregs sys_save2, x5, el1, el0

	add	x5, x0, #CTX_SYS
	el1_sysregs sys_load2, x5, el1, el0
	fpsimd_load x0
	vgic_load x0
	cntvoff_load x0
	guest_controls_load x0
	/* CPTR: trap bits added to the host's. */
	ldp	x3, x2, [x0, #CTX_CPTR]
	msr	cnthctl_el2, x2
	mrs	x2, cptr_el2
	orr	x3, x3, x2
	msr	cptr_el2, x3
	adr	x2, guest_vectors
	msr	vbar_el2, x2
	guest_pc_hcr_load x0
	flush_local_context x0, 1f
1:

	guest_gprs_load
	eret

hc_stub_err:
	mov_q	x0, HVC_STUB_ERR
	eret

hc_unknown:
	mov	x0, #MINIHV_HC_UNKNOWN
	eret

/*
 * Vectors while a guest runs. Everything it does not handle itself (the
 * no-op hypercall) goes back to the host with the vector's EL2_EXIT_*.
 */
	.macro	guest_vector code
	.align	7
	guest_exit_clear_bhb
	stp	x0, x1, [sp, #-16]!
	mov	x1, #\code
	b	guest_exit
	.endm

	.align	11
guest_vectors:
	vector	hyp_panic		// EL2t sync
	vector	hyp_panic		// EL2t IRQ
	vector	hyp_panic		// EL2t FIQ
	vector	hyp_panic		// EL2t SError
	vector	hyp_panic		// EL2h sync
	vector	hyp_panic		// EL2h IRQ
	vector	hyp_panic		// EL2h FIQ
	vector	hyp_panic		// EL2h SError
	.align	7			// EL1 AArch64 sync
	guest_exit_clear_bhb
	b	guest_sync
	guest_vector EL2_EXIT_IRQ	// EL1 AArch64 IRQ
	guest_vector EL2_EXIT_FIQ	// EL1 AArch64 FIQ
	guest_vector EL2_EXIT_SERROR	// EL1 AArch64 SError
	guest_vector EL2_EXIT_SYNC	// EL1 AArch32 sync: not entered
	guest_vector EL2_EXIT_IRQ
	guest_vector EL2_EXIT_FIQ
	guest_vector EL2_EXIT_SERROR

	.align	7
/*
 * The no-op hypercall, the distributor's ID and control reads and the
 * SGIs cost no trip to the host: the bare transition.
 */
	.macro	nvhe_ctx_x1
	mrs	x1, tpidr_el2
	ldr	x1, [x1, #HYP_CPU_VCPU]
	.endm

guest_sync:
	stp	x0, x1, [sp, #-16]!
	hcall_nop_fast 2f, nvhe_ctx_x1
2:	gicd_read_fast 3f, nvhe_ctx_x1
3:	sgi_fast 1f, nvhe_ctx_x1
1:	mov	x1, #EL2_EXIT_SYNC
	b	guest_exit

/*
 * The guest's x0/x1 are on the EL2 stack, x1 holds the exit code. Save
 * the guest, put the host back, and return from its MINIHV_HC_VCPU_RUN.
 */
guest_exit:
	mrs	x0, tpidr_el2
	ldr	x0, [x0, #HYP_CPU_VCPU]
	guest_gprs_save
	mov	x19, x1				// exit code
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x0, #(0 * 8)]

	guest_syndrome_save
	add	x5, x0, #CTX_SYS
	el1_sysregs sys_save2, x5, el1, el0
	fpsimd_save x0
	vgic_save x0
	cntvoff_host

	mrs	x4, tpidr_el2
	str	xzr, [x4, #HYP_CPU_VCPU]
	ldp	x2, x3, [x4, #HYP_CPU_HOST_HCR]
	msr	hcr_el2, x2
	msr	mdcr_el2, x3
	ldp	x2, x3, [x4, #HYP_CPU_HOST_CPTR]
	msr	cptr_el2, x2
	msr	cnthctl_el2, x3
	/*
	 * The host's EL1&0 regime is tagged with VMID 0, and its reads of
	 * MPIDR_EL1 return VMPIDR_EL2: the real one again (cpu_suspend
	 * finds its save slot by it).
	 */
	msr	vttbr_el2, xzr
	mrs	x2, mpidr_el1
	msr	vmpidr_el2, x2
	add	x5, x4, #HYP_CPU_HOST_SYS
	el1_sysregs sys_load2, x5, el1, el0
	ldp	x2, x3, [x4, #HYP_CPU_HOST_ELR]
	msr	elr_el2, x2
	msr	spsr_el2, x3
	adr	x2, __minihv_hyp_start
	msr	vbar_el2, x2
	isb

	mov	x0, x19
	mov	x1, x4
	ldp	x4, x5, [x1, #(HYP_CPU_HOST_REGS + 0 * 8)]
	ldp	x6, x7, [x1, #(HYP_CPU_HOST_REGS + 2 * 8)]
	ldp	x8, x9, [x1, #(HYP_CPU_HOST_REGS + 4 * 8)]
	ldp	x10, x11, [x1, #(HYP_CPU_HOST_REGS + 6 * 8)]
	ldp	x12, x13, [x1, #(HYP_CPU_HOST_REGS + 8 * 8)]
	ldp	x14, x15, [x1, #(HYP_CPU_HOST_REGS + 10 * 8)]
	ldp	x16, x17, [x1, #(HYP_CPU_HOST_REGS + 12 * 8)]
	ldp	x18, x19, [x1, #(HYP_CPU_HOST_REGS + 14 * 8)]
	ldp	x20, x21, [x1, #(HYP_CPU_HOST_REGS + 16 * 8)]
	ldp	x22, x23, [x1, #(HYP_CPU_HOST_REGS + 18 * 8)]
	ldp	x24, x25, [x1, #(HYP_CPU_HOST_REGS + 20 * 8)]
	ldp	x26, x27, [x1, #(HYP_CPU_HOST_REGS + 22 * 8)]
	ldp	x28, x29, [x1, #(HYP_CPU_HOST_REGS + 24 * 8)]
	ldr	x30, [x1, #(HYP_CPU_HOST_REGS + 26 * 8)]
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
