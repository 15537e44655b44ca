// SPDX-License-Identifier: GPL-2.0
/*
 * VHE: the kernel itself runs at EL2, so there is nothing to take over.
 * minihv checks that each CPU is at EL2, records what guests need (GIC
 * list registers, VMID width, PA size) and enters guests from the kernel
 * (el2/vhe_switch.S).
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/err.h>
#include <linux/irqflags.h>

#include <asm/barrier.h>
#include <asm/kvm_arm.h>
#include <asm/sysreg.h>
#include <asm/tlbflush.h>
#include <asm/virt.h>

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
	minihv_el2_vmid_exit();
}

/* A TLBI of the EL1&0 regime needs HCR_EL2.TGE off under VHE. */
static void vhe_flush_vmid(u64 vttbr)
{
	unsigned long flags;
	u64 hcr;

	local_irq_save(flags);
	hcr = read_sysreg(hcr_el2);
	write_sysreg(vttbr, vttbr_el2);
	write_sysreg(hcr & ~HCR_TGE, hcr_el2);
	isb();
	dsb(ishst);
	__tlbi(vmalls12e1is);
	dsb(ish);
	write_sysreg(hcr, hcr_el2);
	write_sysreg(0, vttbr_el2);
	isb();
	local_irq_restore(flags);
}

/* After a VMID rollover, with interrupts off: this CPU, every guest. */
static void vhe_flush_guests_local(void)
{
	u64 hcr = read_sysreg(hcr_el2);

	write_sysreg(hcr & ~HCR_TGE, hcr_el2);
	isb();
	__tlbi(alle1);
	asm volatile("ic iallu");
	dsb(nsh);
	write_sysreg(hcr, hcr_el2);
	isb();
}

static const struct minihv_arch_ops vhe_ops = {
	.arch = MINIHV_ARCH_ARM64,
	.mode = MINIHV_MODE_VHE,
	.mode_name = "VHE",
	.unprobe = vhe_unprobe,
	.cpu_enable = vhe_cpu_enable,
	.cpu_disable = vhe_cpu_disable,
	.cpu_check = vhe_cpu_check,
	MINIHV_EL2_GUEST_OPS,
};

const struct minihv_arch_ops *minihv_vhe_probe(void)
{
	if (minihv_el2_has_gicv3_sysregs())
		minihv_el2_caps.ich_vtr = read_sysreg_s(SYS_ICH_VTR_EL2);

	/* Guest entries of an earlier load may carry VMIDs we hand out. */
	dsb(ishst);
	__tlbi(alle1is);
	dsb(ish);

	minihv_el2_world.enter = __minihv_vhe_run;
	minihv_el2_world.flush_vmid = vhe_flush_vmid;
	minihv_el2_world.flush_guests_local = vhe_flush_guests_local;
	/* E2H stays set while the guest runs; TGE is what makes it a host. */
	minihv_el2_world.guest_hcr = (HCR_GUEST_FLAGS) | HCR_E2H;
	return &vhe_ops;
}
