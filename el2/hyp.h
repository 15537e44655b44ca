/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The nVHE host-call ABI: what the kernel at EL1 may ask of minihv's EL2
 * code with "hvc #0". Function ids follow SMCCC (fast call, SMC64, owner
 * "vendor hypervisor") in a block of their own, clear of the stub's ids
 * (0..3) and of KVM's host calls (the same owner, numbers from 0): a
 * call meant for another hypervisor never runs one of minihv's.
 *
 * The stub's ids are answered the way the stub would, except that
 * handing EL2 over (HVC_SET_VECTORS, HVC_RESET_VECTORS) is refused with
 * HVC_STUB_ERR while the host has pinned this CPU (minihv VMs exist).
 * Any other id outside minihv's block gets HVC_STUB_ERR too, as from the
 * stub: KVM reads it as "hyp gone" and fails its vCPU's entry cleanly.
 *
 * Shared by C and the EL2 assembly.
 */
#ifndef MINIHV_EL2_HYP_H
#define MINIHV_EL2_HYP_H

#include <linux/const.h>

#define MINIHV_HC_BLOCK		0xc6004d00		/* "M" */
#define MINIHV_HC_BASE		MINIHV_HC_BLOCK
#define MINIHV_HC_VERSION	(MINIHV_HC_BASE + 0)	/* -> version, SCTLR_EL2 */
#define MINIHV_HC_INIT		(MINIHV_HC_BASE + 1)	/* x1: PA of hyp_cpu */
#define MINIHV_HC_RESET		(MINIHV_HC_BASE + 2)	/* give EL2 back */
#define MINIHV_HC_ICH_VTR	(MINIHV_HC_BASE + 3)	/* -> ICH_VTR_EL2 */
#define MINIHV_HC_VCPU_RUN	(MINIHV_HC_BASE + 4)	/* x1: PA of ctx -> exit */
#define MINIHV_HC_FLUSH_VMID	(MINIHV_HC_BASE + 5)	/* x1: VTTBR of the VM */
#define MINIHV_HC_FLUSH_GUESTS	(MINIHV_HC_BASE + 6)	/* this CPU, all VMIDs */
#define MINIHV_HC_EL2_REGS	(MINIHV_HC_BASE + 7)	/* x1: with ICH_*: snapshot */
#define MINIHV_HC_NR		8

#define MINIHV_HYP_VERSION	0x4d485602	/* "MHV", ABI 2 */
#define MINIHV_HC_UNKNOWN	(-1)		/* SMCCC NOT_SUPPORTED */

/* Why MINIHV_HC_VCPU_RUN returned: the guest exception vector taken. */
#define EL2_EXIT_SYNC		0
#define EL2_EXIT_IRQ		1
#define EL2_EXIT_FIQ		2
#define EL2_EXIT_SERROR		3
/* Not EL2's: the entry call reached someone else (exit.c). */
#define EL2_EXIT_GONE		4

/*
 * EL1 system registers that the guest and the host (nVHE) each own. The
 * world switch saves and restores them as one array, in this order.
 */
#define SR_SCTLR		0
#define SR_CPACR		1
#define SR_TTBR0		2
#define SR_TTBR1		3
#define SR_TCR			4
#define SR_ESR			5
#define SR_AFSR0		6
#define SR_AFSR1		7
#define SR_FAR			8
#define SR_MAIR		9
#define SR_VBAR		10
#define SR_CONTEXTIDR		11
#define SR_AMAIR		12
#define SR_CNTKCTL		13
#define SR_PAR			14
#define SR_TPIDR_EL1		15
#define SR_SP_EL1		16
#define SR_ELR			17
#define SR_SPSR		18
#define SR_SP_EL0		19
#define SR_TPIDR_EL0		20
#define SR_TPIDRRO_EL0		21
#define SR_CSSELR		22
#define SR_MDSCR		23
#define SR_CNTV_CTL		24
#define SR_CNTV_CVAL		25
#define SR_NR			26

/*
 * A vCPU's context as EL2 sees it (struct el2_vcpu_ctx). The host fills
 * the configuration words before MINIHV_HC_VCPU_RUN; EL2 fills the exit
 * syndrome.
 */
#define CTX_REGS		0			/* x0..x30 */
#define CTX_PC			(31 * 8)
#define CTX_PSTATE		(32 * 8)
#define CTX_HCR			(33 * 8)
#define CTX_VTTBR		(CTX_HCR + 8)
#define CTX_VTCR		(CTX_VTTBR + 8)
#define CTX_VMPIDR		(CTX_VTCR + 8)
#define CTX_MDCR		(CTX_VMPIDR + 8)
#define CTX_CPTR		(CTX_MDCR + 8)
#define CTX_CNTHCTL		(CTX_CPTR + 8)
#define CTX_ESR			(CTX_CNTHCTL + 8)
#define CTX_FAR			(CTX_ESR + 8)
#define CTX_HPFAR		(CTX_FAR + 8)
#define CTX_FLUSH		(CTX_HPFAR + 8)		/* this CPU's context */
/* Past LDP/STP's reach from the start: addressed through a base. */
#define CTX_SYS			(CTX_FLUSH + 8)		/* SR_NR words */
#define CTX_FP			(CTX_SYS + SR_NR * 8)	/* q0..q31 */
#define CTX_FPSR		(CTX_FP + 32 * 16)
#define CTX_FPCR		(CTX_FPSR + 8)
#define CTX_CNTVOFF		(CTX_FPCR + 8)		/* the VM's */
#define CTX_FAST_HCALLS		(CTX_CNTVOFF + 8)	/* answered at EL2 */
#define CTX_GICD		(CTX_FAST_HCALLS + 8)	/* struct el2_gicd, or 0 */
#define CTX_FAST_GICD		(CTX_GICD + 8)		/* answered at EL2 */
/* The SGIs EL2 sends by itself (sgi_fast.S): the target's words... */
#define CTX_SGI_PENDING		(CTX_FAST_GICD + 8)	/* raised, not yet seen */
#define CTX_SGI_KICK		(CTX_SGI_PENDING + 8)	/* its CPU's ICC_SGI1R */
#define CTX_MODE		(CTX_SGI_KICK + 8)	/* &minihv_vcpu.mode */
#define CTX_REQUESTS		(CTX_MODE + 8)		/* &.requests */
/* ... and the sender's */
#define CTX_SGI_SELF		(CTX_REQUESTS + 8)	/* its bit in the list */
#define CTX_SGI_WAKE		(CTX_SGI_SELF + 8)	/* targets to wake */
#define CTX_FAST_SGIS		(CTX_SGI_WAKE + 8)	/* sent at EL2 */
#define CTX_VGIC		(CTX_FAST_SGIS + 8)	/* struct el2_vgic_state */
#define CTX_SIZE		(CTX_VGIC + VGIC_STATE_SIZE)

/* MSR ICC_SGI1R_EL1, <Xt>: the class, the register and the direction. */
#define SGI_FAST_ESR_MASK	(ESR_ELx_EC_MASK | ESR_ELx_SYS64_ISS_SYS_MASK | \
				 ESR_ELx_SYS64_ISS_DIR_MASK)
#define SGI_FAST_ESR		((ESR_ELx_EC_SYS64 << ESR_ELx_EC_SHIFT) |    \
				 ESR_ELx_SYS64_ISS_SYS_VAL(3, 0, 5, 12, 11) | \
				 ESR_ELx_SYS64_ISS_DIR_WRITE)
/*
 * Fields of the written value (the kernel's masks are C only; guest.c
 * checks these against them): what sends it the full way, Aff1..3, RS
 * and IRM; the target list; the INTID's place.
 */
#define SGI_FAST_SLOW		((UL(0xff) << 16) | (UL(0xff) << 32) |	     \
				 (UL(0xff) << 48) | (UL(0xf) << 44) |	     \
				 (UL(1) << 40))
#define SGI_FAST_TARGETS	0xffff
#define SGI_FAST_ID_SHIFT	24

/*
 * What EL2 reads of the host's kick handshake (core/kick.c): the value
 * of minihv_vcpu.mode in the guest, and the request bit it sets.
 */
#define EL2_MODE_IN_GUEST	1
#define EL2_REQ_EVENT		0

/*
 * The guest's GIC virtual CPU interface, in its context: loaded into the
 * ICH_*_EL2 registers at entry and read back at exit (world_switch.h).
 * VGIC_HCR 0 means the VM has no vGIC and the registers are not touched.
 */
#define VGIC_HCR		0
#define VGIC_VMCR		8
#define VGIC_USED_LRS		16	/* LRs 0..n-1 hold interrupts */
#define VGIC_NR_APR		24	/* ICH_AP{0,1}R<n>_EL2: 1, 2 or 4 */
#define VGIC_AP0R		32	/* 4 words */
#define VGIC_AP1R		64	/* 4 words */
#define VGIC_LR			96	/* 16 words */
#define VGIC_STATE_SIZE		(VGIC_LR + 16 * 8)

/*
 * The distributor registers EL2 answers reads of by itself (struct
 * el2_gicd, one per VM, at the address EL2 sees it by: PA in nVHE, the
 * kernel's VA in VHE): the frame's IPA, and the words at its offsets
 * 0x0..0xc (GICD_CTLR, TYPER, IIDR, TYPER2), which the host keeps
 * current under the distributor's lock. Reads have no side effects
 * there, so no trip to the host is needed (world_switch.h).
 */
#define GICD_EL2_IPA		0
#define GICD_EL2_REGS		8
#define GICD_EL2_NR_REGS	4
/*
 * The vCPUs an SGI EL2 sends itself may target: those of Aff0 0..15
 * with Aff1..3 zero (ids 0..15), each bit of @sgi_valid set once its
 * entry of @sgi_ctx holds EL2's address of its context.
 */
#define GICD_EL2_SGI_VALID	(GICD_EL2_REGS + GICD_EL2_NR_REGS * 4)
#define GICD_EL2_SGI_CTX	(GICD_EL2_SGI_VALID + 8)
#define GICD_EL2_NR_SGI_CTX	16

/*
 * Per-CPU EL2 state: params of MINIHV_HC_INIT, the host's state while a
 * guest runs, then the EL2 stack up to the end.
 */
#define HYP_CPU_TTBR0		0
#define HYP_CPU_TCR		8
#define HYP_CPU_MAIR		16
#define HYP_CPU_SCTLR		24
#define HYP_CPU_SP		32
#define HYP_CPU_STUB_VECTORS	40
#define HYP_CPU_VCPU		48	/* PA of the running ctx, or 0 */
#define HYP_CPU_HOST_ELR	56
#define HYP_CPU_HOST_SPSR	64
#define HYP_CPU_HOST_HCR	72
#define HYP_CPU_HOST_MDCR	80
#define HYP_CPU_HOST_CPTR	88
#define HYP_CPU_HOST_CNTHCTL	96
#define HYP_CPU_HOST_REGS	104			/* x4..x30 */
#define HYP_CPU_HOST_SYS	(HYP_CPU_HOST_REGS + 27 * 8)
/*
 * Who holds EL2. PINNED (the host's, written on this CPU): refuse to
 * hand EL2 over. OWNED: set by the host once EL2 is minihv's, cleared by
 * EL2 when it hands EL2 over. The rest EL2 counts for the host's log.
 */
#define HYP_CPU_PINNED		(HYP_CPU_HOST_SYS + SR_NR * 8)
#define HYP_CPU_OWNED		(HYP_CPU_PINNED + 8)
#define HYP_CPU_HANDOVERS	(HYP_CPU_OWNED + 8)	/* given on request */
#define HYP_CPU_REFUSED		(HYP_CPU_HANDOVERS + 8)	/* refused: pinned */
#define HYP_CPU_REFUSED_ID	(HYP_CPU_REFUSED + 8)	/* the last one: x0 */
#define HYP_CPU_REFUSED_LR	(HYP_CPU_REFUSED_ID + 8)	/* and the caller */
/* MINIHV_HC_EL2_REGS's snapshot, EL2_REG_* words. */
#define HYP_CPU_EL2_REGS	(HYP_CPU_REFUSED_LR + 8)
#define HYP_CPU_SIZE		(4 * 4096)

/* The EL2 state another hypervisor would find, in the snapshot's order. */
#define EL2_REG_HCR		0
#define EL2_REG_MDCR		1
#define EL2_REG_CPTR		2
#define EL2_REG_CNTHCTL		3
#define EL2_REG_VTTBR		4
#define EL2_REG_VTCR		5
#define EL2_REG_VBAR		6
#define EL2_REG_SCTLR		7
#define EL2_REG_VMPIDR		8
#define EL2_REG_MPIDR		9
#define EL2_REG_CNTVOFF		10
#define EL2_REG_HSTR		11
#define EL2_REG_ICH_HCR		12
#define EL2_REG_ICH_VMCR	13
#define EL2_REG_NR		14

#ifndef __ASSEMBLY__
#include <linux/types.h>

struct hyp_cpu {
	u64 ttbr0;
	u64 tcr;
	u64 mair;
	u64 sctlr;
	u64 sp;
	u64 stub_vectors;
	u64 vcpu;
	u64 host_elr, host_spsr, host_hcr, host_mdcr, host_cptr, host_cnthctl;
	u64 host_regs[27];
	u64 host_sys[SR_NR];
	u64 pinned, owned;
	u64 handovers, refused, refused_id, refused_lr;
	u64 el2_regs[EL2_REG_NR];
};

struct el2_vgic_state {
	u64 hcr, vmcr, used_lrs, nr_apr;
	u64 ap0r[4], ap1r[4];
	u64 lr[16];
};

struct el2_gicd {
	u64 ipa;
	u32 regs[GICD_EL2_NR_REGS];
	u64 sgi_valid;
	u64 sgi_ctx[GICD_EL2_NR_SGI_CTX];
};

struct el2_vcpu_ctx {
	u64 regs[31];
	u64 pc;
	u64 pstate;
	/* set by the host before each entry */
	u64 hcr, vttbr, vtcr, vmpidr;
	u64 mdcr, cptr;		/* trap bits added to the host's */
	u64 cnthctl;
	/* set by EL2 at exit */
	u64 esr, far, hpfar;
	/* set by the host: another vCPU of this VM ran here last */
	u64 flush;
	u64 sys[SR_NR];
	u64 fp[32][2];
	u64 fpsr, fpcr;
	u64 cntvoff;
	u64 fast_hcalls;	/* counted by EL2, taken by the host */
	u64 gicd;		/* EL2's address of the VM's el2_gicd */
	u64 fast_gicd;		/* as fast_hcalls */
	u64 sgi_pending;	/* SGIs EL2 raised: atomic, taken by the host */
	u64 sgi_kick;		/* set by the host before each entry */
	u64 mode, requests;	/* EL2's addresses of the vCPU's words */
	u64 sgi_self;
	u64 sgi_wake;		/* set by EL2, cleared by the host */
	u64 fast_sgis;		/* as fast_hcalls */
	struct el2_vgic_state vgic;
};

extern char __minihv_hyp_start[], __minihv_hyp_end[];
#endif

#endif /* MINIHV_EL2_HYP_H */
