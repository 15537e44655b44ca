// SPDX-License-Identifier: GPL-2.0
/*
 * VHE: the kernel itself runs at EL2, so there is nothing to take over.
 * minihv only checks that each CPU is at EL2 and records what the guest
 * path will need (GIC list registers, VMID width, PA size).
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/err.h>

#include <asm/virt.h>
#include <asm/sysreg.h>

#include "el2/el2.h"

static int vhe_cpu_enable(void)
{
	/* Every CPU boots the same way; a mismatch means a broken boot. */
	return is_kernel_in_hyp_mode() ? 0 : -ENODEV;
}

static void vhe_cpu_disable(void)
{
}

static bool vhe_cpu_check(void)
{
	return read_sysreg(CurrentEL) == CurrentEL_EL2;
}

static void vhe_unprobe(void)
{
}

static const struct minihv_arch_ops vhe_ops = {
	.arch = MINIHV_ARCH_ARM64,
	.mode = MINIHV_MODE_VHE,
	.mode_name = "VHE",
	.ipa_bits = minihv_el2_ipa_bits,
	.unprobe = vhe_unprobe,
	.cpu_enable = vhe_cpu_enable,
	.cpu_disable = vhe_cpu_disable,
	.cpu_check = vhe_cpu_check,
	.get_caps = minihv_el2_get_caps,
	.check_regs = minihv_el2_check_regs,
	.reset_regs = minihv_el2_reset_regs,
};

const struct minihv_arch_ops *minihv_vhe_probe(void)
{
	if (minihv_el2_has_gicv3_sysregs())
		minihv_el2_caps.ich_vtr = read_sysreg_s(SYS_ICH_VTR_EL2);
	return &vhe_ops;
}
