// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 entry point: pick the mode the kernel booted in (VHE: the kernel
 * is at EL2; nVHE: the kernel is at EL1 and the hyp stub owns EL2) and
 * the register rules both modes share.
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/err.h>
#include <linux/string.h>

#include <asm/cpufeature.h>
#include <asm/ptrace.h>
#include <asm/sysreg.h>
#include <asm/virt.h>

#include "el2/el2.h"

struct minihv_el2_caps minihv_el2_caps;

void minihv_el2_read_caps(void)
{
	u64 mmfr0 = read_sysreg(id_aa64mmfr0_el1);
	u64 mmfr1 = read_sysreg(id_aa64mmfr1_el1);
	u32 parange = cpuid_feature_extract_unsigned_field(mmfr0,
				ID_AA64MMFR0_EL1_PARANGE_SHIFT);
	u32 vmidbits = cpuid_feature_extract_unsigned_field(mmfr1,
				ID_AA64MMFR1_EL1_VMIDBits_SHIFT);

	minihv_el2_caps.vmid_bits = vmidbits == 2 ? 16 : 8;
	/* 52-bit output addresses need LPA descriptors: stay at 48. */
	if (parange > ID_AA64MMFR0_EL1_PARANGE_48)
		parange = ID_AA64MMFR0_EL1_PARANGE_48;
	minihv_el2_caps.parange = parange;
	minihv_el2_caps.pa_bits = id_aa64mmfr0_parange_to_phys_shift(parange);
}

u32 minihv_el2_ipa_bits(void)
{
	return minihv_el2_caps.pa_bits;
}

void minihv_el2_get_caps(u64 caps[MINIHV_ARCH_CAPS])
{
	caps[0] = minihv_el2_caps.ich_vtr;
	caps[1] = minihv_el2_caps.vmid_bits;
	caps[2] = minihv_el2_caps.pa_bits;
	minihv_el2_vmid_stats(&caps[3], &caps[4]);
}

/* A guest starts in AArch64 EL1 or EL0; minihv runs no AArch32 guests. */
int minihv_el2_check_regs(const struct minihv_regs *regs)
{
	switch (regs->pstate & (PSR_MODE32_BIT | PSR_MODE_MASK)) {
	case PSR_MODE_EL0t:
	case PSR_MODE_EL1t:
	case PSR_MODE_EL1h:
		return 0;
	default:
		return -EINVAL;
	}
}

/* Reset state as PSCI CPU_ON leaves it: EL1h, all exceptions masked. */
void minihv_el2_reset_regs(struct minihv_regs *regs)
{
	memset(regs, 0, sizeof(*regs));
	regs->pstate = PSR_MODE_EL1h | PSR_D_BIT | PSR_A_BIT | PSR_I_BIT |
		       PSR_F_BIT;
}

bool minihv_el2_has_gicv3_sysregs(void)
{
	u64 pfr0 = read_sysreg(id_aa64pfr0_el1);

	return cpuid_feature_extract_unsigned_field(pfr0,
				ID_AA64PFR0_EL1_GIC_SHIFT) != 0;
}

const struct minihv_arch_ops *minihv_arch_probe(void)
{
	u64 pfr0 = read_sysreg(id_aa64pfr0_el1);
	const struct minihv_arch_ops *ops;
	int ret;

	/* Without EL2, "hvc" is UNDEFINED: check before any probing. */
	if (!cpuid_feature_extract_unsigned_field(pfr0,
				ID_AA64PFR0_EL1_EL2_SHIFT)) {
		pr_err("this CPU has no EL2 (ID_AA64PFR0_EL1.EL2 = 0)\n");
		return ERR_PTR(-ENODEV);
	}
	minihv_el2_read_caps();
	ret = minihv_el2_vmid_init();
	if (ret)
		return ERR_PTR(ret);
	ops = is_kernel_in_hyp_mode() ? minihv_vhe_probe() :
					minihv_nvhe_probe();
	if (IS_ERR(ops))
		minihv_el2_vmid_exit();
	return ops;
}
