// SPDX-License-Identifier: GPL-2.0
/*
 * Trapped system-register accesses (ESR_EL2.EC = SYS64). The ID registers
 * (trapped by HCR_EL2.TID3) read as the kernel's sanitized, system-wide
 * view minus what minihv does not give guests; the debug registers
 * (MDCR_EL2.TDA/TDOSA/TDRA) read as zero and ignore writes, since a Linux
 * guest touches a few of them at boot; the physical timer and SGI
 * generation go to timer/ and irq/; everything else is UNDEF.
 */
#include <linux/bitfield.h>

#include <asm/cpufeature.h>
#include <asm/esr.h>
#include <asm/sysreg.h>

#include "core/minihv.h"
#include "el2/el2.h"
#include "irq/vgic.h"
#include "timer/arch_timer.h"

#define FIELD(reg, f)	(0xfULL << reg##_##f##_SHIFT)

/* Features whose state the world switch does not carry, or that trap. */
static u64 sanitize(u32 id, u64 val)
{
	switch (id) {
	case SYS_ID_AA64PFR0_EL1:
		val &= ~(FIELD(ID_AA64PFR0_EL1, SVE) | FIELD(ID_AA64PFR0_EL1, AMU) |
			 FIELD(ID_AA64PFR0_EL1, MPAM) | FIELD(ID_AA64PFR0_EL1, SEL2) |
			 FIELD(ID_AA64PFR0_EL1, EL3) | FIELD(ID_AA64PFR0_EL1, EL2) |
			 FIELD(ID_AA64PFR0_EL1, EL1) | FIELD(ID_AA64PFR0_EL1, EL0));
		/* EL0 and EL1 in AArch64 only; no EL2 (no nesting), no EL3. */
		val |= (1ULL << ID_AA64PFR0_EL1_EL0_SHIFT) |
		       (1ULL << ID_AA64PFR0_EL1_EL1_SHIFT);
		return val;
	case SYS_ID_AA64PFR1_EL1:
		return val & ~(FIELD(ID_AA64PFR1_EL1, MTE) |
			       FIELD(ID_AA64PFR1_EL1, SME) |
			       FIELD(ID_AA64PFR1_EL1, MPAM_frac));
	case SYS_ID_AA64DFR0_EL1:
		return val & ~(FIELD(ID_AA64DFR0_EL1, PMUVer) |
			       FIELD(ID_AA64DFR0_EL1, PMSVer) |
			       FIELD(ID_AA64DFR0_EL1, TraceVer) |
			       FIELD(ID_AA64DFR0_EL1, TraceFilt) |
			       FIELD(ID_AA64DFR0_EL1, TraceBuffer) |
			       FIELD(ID_AA64DFR0_EL1, MTPMU) |
			       FIELD(ID_AA64DFR0_EL1, BRBE));
	/* Pointer authentication's keys are not switched: no PAuth. */
	case SYS_ID_AA64ISAR1_EL1:
		return val & ~(FIELD(ID_AA64ISAR1_EL1, APA) |
			       FIELD(ID_AA64ISAR1_EL1, API) |
			       FIELD(ID_AA64ISAR1_EL1, GPA) |
			       FIELD(ID_AA64ISAR1_EL1, GPI));
	case SYS_ID_AA64ISAR2_EL1:
		return val & ~(FIELD(ID_AA64ISAR2_EL1, APA3) |
			       FIELD(ID_AA64ISAR2_EL1, GPA3));
	case SYS_ID_AA64ZFR0_EL1:
	case SYS_ID_AA64SMFR0_EL1:
		return 0;
	default:
		return val;
	}
}

/* The AArch64 ID registers the kernel keeps a sanitized copy of. */
static bool known_id_reg(u32 id)
{
	switch (id) {
	case SYS_ID_AA64PFR0_EL1:
	case SYS_ID_AA64PFR1_EL1:
	case SYS_ID_AA64ZFR0_EL1:
	case SYS_ID_AA64SMFR0_EL1:
	case SYS_ID_AA64DFR0_EL1:
	case SYS_ID_AA64DFR1_EL1:
	case SYS_ID_AA64AFR0_EL1:
	case SYS_ID_AA64AFR1_EL1:
	case SYS_ID_AA64ISAR0_EL1:
	case SYS_ID_AA64ISAR1_EL1:
	case SYS_ID_AA64ISAR2_EL1:
	case SYS_ID_AA64MMFR0_EL1:
	case SYS_ID_AA64MMFR1_EL1:
	case SYS_ID_AA64MMFR2_EL1:
		return true;
	default:
		return false;
	}
}

/* The ID space: Op0 3, Op1 0, CRn 0, CRm 0..7. */
static bool is_id_reg(u32 id)
{
	return sys_reg_Op0(id) == 3 && sys_reg_Op1(id) == 0 &&
	       sys_reg_CRn(id) == 0 && sys_reg_CRm(id) < 8;
}

static u64 id_reg(u32 id)
{
	/* MIDR, MPIDR, REVIDR are not trapped by TID3; the rest of the
	 * space (AArch32 ID registers, reserved) reads as zero.
	 */
	if (!known_id_reg(id))
		return 0;
	return sanitize(id, read_sanitised_ftr_reg(id));
}

/*
 * An SGI EL2 raised already (el2/sgi_fast.S) whose targets, ids 0..15 in
 * @wake, were not in the guest: wake them, as their kick.
 */
static void sgi_wake(struct minihv_vcpu *vcpu, unsigned long wake)
{
	unsigned int i;

	for_each_set_bit(i, &wake, GICD_EL2_NR_SGI_CTX) {
		struct minihv_vcpu *t = minihv_vgic_vcpu_by_mpidr(vcpu->vm, i);

		if (t)
			minihv_vcpu_kick(t);
	}
}

/*
 * ICC_SGI1R_EL1, ICC_ASGI1R_EL1, ICC_SGI0R_EL1 trap (HCR_EL2.IMO/FMO):
 * the vGIC raises the SGI on its targets. Without a vGIC, or read (they
 * are write-only), they are UNDEF. True if handled.
 */
static bool sgi_write(struct minihv_vcpu *vcpu, u32 id, bool read, u64 val)
{
	struct el2_vcpu *v = vcpu->arch;

	if (id != SYS_ICC_SGI1R_EL1 && id != SYS_ICC_ASGI1R_EL1 &&
	    id != SYS_ICC_SGI0R_EL1)
		return false;
	if (read || !v->vgic)
		return false;
	minihv_stat_irqchip_access(vcpu, id, val, true);
	if (v->ctx->sgi_wake) {
		sgi_wake(vcpu, v->ctx->sgi_wake);
		v->ctx->sgi_wake = 0;
		return true;
	}
	minihv_vgic_sgi(vcpu, val, id == SYS_ICC_SGI1R_EL1);
	return true;
}

int minihv_el2_handle_sysreg(struct minihv_vcpu *vcpu)
{
	struct el2_vcpu_ctx *ctx = ((struct el2_vcpu *)vcpu->arch)->ctx;
	u64 esr = ctx->esr;
	u32 id = esr_sys64_to_sysreg(esr);
	u32 rt = (esr & ESR_ELx_SYS64_ISS_RT_MASK) >> ESR_ELx_SYS64_ISS_RT_SHIFT;
	bool read = (esr & ESR_ELx_SYS64_ISS_DIR_MASK) ==
		    ESR_ELx_SYS64_ISS_DIR_READ;
	u64 val;

	if (!read)
		val = rt == 31 ? 0 : ctx->regs[rt];

	if (is_id_reg(id) && read)
		val = id_reg(id);
	else if (sys_reg_Op0(id) == 2)	/* debug: RAZ/WI */
		val = 0;
	else if (minihv_arch_timer_sysreg(vcpu, id, read, &val))
		;
	else if (!sgi_write(vcpu, id, read, val))
		return minihv_el2_inject_undef(vcpu);

	if (read && rt != 31)
		ctx->regs[rt] = val;
	ctx->pc += 4;
	return 1;
}
