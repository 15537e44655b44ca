// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 entry point: pick the mode the kernel booted in (VHE: the kernel
 * is at EL2; nVHE: the kernel is at EL1 and the hyp stub owns EL2) and
 * the register rules both modes share.
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/err.h>
#include <linux/kprobes.h>
#include <linux/preempt.h>
#include <linux/string.h>

#include <asm/cpufeature.h>
#include <asm/ptrace.h>
#include <asm/sysreg.h>
#include <asm/virt.h>

#include "el2/el2.h"
#include "irq/vgic.h"
#include "timer/arch_timer.h"

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
	if (minihv_el2_world.el2_stats)
		minihv_el2_world.el2_stats(caps);
}

/* kallsyms_lookup_name() is not exported; a kprobe still resolves it. */
unsigned long minihv_el2_lookup_symbol(const char *name)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	unsigned long (*lookup)(const char *name);

	if (register_kprobe(&kp) < 0)
		return 0;
	lookup = (void *)kp.addr;
	unregister_kprobe(&kp);
	return lookup(name);
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

/*
 * What guests need from the host beyond EL2 itself, once the mode is up:
 * the GIC's virtualization (the vGIC is offered only with it) and the
 * timers' host interrupts.
 */
int minihv_el2_guest_hw_init(struct minihv_arch_ops *ops)
{
	int ret;

	/* First: the exit below undoes everything, whatever failed. */
	preempt_notifier_inc();
	ret = minihv_arch_timer_init();
	if (ret)
		return ret;
	minihv_vgic_init();
	if (minihv_el2_caps.ich_vtr)
		minihv_el2_found_ich_vtr(ops);
	minihv_el2_debugfs_init();
	return 0;
}

/*
 * ICH_VTR_EL2 is known (VHE: at probe; nVHE: once EL2 is minihv's on a
 * first CPU): the vGIC is offered if the GIC can be virtualized.
 */
void minihv_el2_found_ich_vtr(struct minihv_arch_ops *ops)
{
	if (minihv_vgic_hw_init(minihv_el2_caps.ich_vtr))
		ops->irqchip_types = BIT(MINIHV_IRQCHIP_GICV3);
}

/* Called by each mode's unprobe; safe after a failed init. */
void minihv_el2_guest_hw_exit(void)
{
	minihv_el2_debugfs_exit();
	preempt_notifier_dec();
	minihv_vgic_exit();
	minihv_arch_timer_exit();
}

const struct minihv_arch_ops *minihv_arch_probe(void)
{
	u64 pfr0 = read_sysreg(id_aa64pfr0_el1);
	struct minihv_arch_ops *ops;
	int ret;

	/* Without EL2, "hvc" is UNDEFINED: check before any probing. */
	if (!cpuid_feature_extract_unsigned_field(pfr0,
				ID_AA64PFR0_EL1_EL2_SHIFT)) {
		pr_err("this CPU has no EL2 (ID_AA64PFR0_EL1.EL2 = 0)\n");
		return ERR_PTR(-ENODEV);
	}
	ret = minihv_el2_spectre_check();
	if (ret)
		return ERR_PTR(ret);
	minihv_el2_read_caps();
	ret = minihv_el2_vmid_init();
	if (ret)
		return ERR_PTR(ret);
	ops = is_kernel_in_hyp_mode() ? minihv_vhe_probe() :
					minihv_nvhe_probe();
	if (IS_ERR(ops)) {
		minihv_el2_vmid_exit();
		return ops;
	}
	ret = minihv_el2_guest_hw_init(ops);
	if (ret) {
		ops->unprobe();
		return ERR_PTR(ret);
	}
	return ops;
}
