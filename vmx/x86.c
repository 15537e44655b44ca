// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64 entry point: check for VT-x and describe it to the core.
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/err.h>
#include <linux/preempt.h>
#include <linux/string.h>

#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>
#include <asm/tlbflush.h>
#include <asm/vmx.h>

#include "irq/x86_irqchip.h"
#include "timer/tsc.h"
#include "vmx/vmx.h"

struct minihv_vmx_caps minihv_vmx_caps;

static u32 vmx_ipa_bits(void)
{
	/* 4-level EPT translates 48 bits of guest-physical address. */
	return min(48U, minihv_vmx_caps.pa_bits);
}

static void vmx_get_caps(u64 caps[MINIHV_ARCH_CAPS])
{
	caps[0] = minihv_vmx_caps.basic;
	caps[1] = minihv_vmx_caps.ept_vpid;
	caps[2] = minihv_vmx_caps.procbased2;
	caps[3] = minihv_vmx_caps.pin | (u64)minihv_vmx_caps.proc << 32;
	caps[4] = minihv_vmx_caps.proc2;
	caps[5] = minihv_vmx_caps.exit | (u64)minihv_vmx_caps.entry << 32;
	caps[6] = minihv_vapic_enabled() ? minihv_vmx_caps.apicv : 0;
}

/* RFLAGS bit 1 is fixed to 1; bits 15, 5, 3 and 22..63 are reserved 0. */
static int vmx_check_regs(const struct minihv_regs *regs)
{
	const u64 reserved = ~0x3fffffULL | BIT(15) | BIT(5) | BIT(3);

	if ((regs->rflags & reserved) || !(regs->rflags & X86_EFLAGS_FIXED))
		return -EINVAL;
	return 0;
}

/* The architectural reset state (SDM 10.1.1): RIP 0xfff0, RFLAGS 0x2. */
void minihv_vmx_reset_regs(struct minihv_regs *regs)
{
	memset(regs, 0, sizeof(*regs));
	regs->rip = 0xfff0;
	regs->rflags = X86_EFLAGS_FIXED;
}

static void vmx_unprobe(void)
{
	preempt_notifier_dec();
	minihv_vapic_cleanup();
	minihv_vmx_run_cleanup();
	minihv_vmx_msr_cleanup();
	minihv_vmx_cpu_free();
}

static const struct minihv_arch_ops vmx_ops = {
	.arch = MINIHV_ARCH_X86_64,
	.mode = MINIHV_MODE_VMX,
	.mode_name = "VMX",
	.ipa_bits = vmx_ipa_bits,
	.unprobe = vmx_unprobe,
	.cpu_enable = minihv_vmx_cpu_enable,
	.cpu_disable = minihv_vmx_cpu_disable,
	.cpu_check = minihv_vmx_cpu_check,
	.get_caps = vmx_get_caps,
	.check_regs = vmx_check_regs,
	.reset_regs = minihv_vmx_reset_regs,
	/* Powered off: an AP waiting for INIT and start-up IPIs. */
	.vcpu_init_flags = MINIHV_VCPU_INIT_POWER_OFF,
	.has_ports = true,
	.vcpu_ioctl = minihv_vmx_vcpu_ioctl,
	.vm_init = minihv_vmx_vm_init,
	.vm_pgtable = minihv_vmx_vm_pgtable,
	.vm_destroy = minihv_vmx_vm_destroy,
	.map_slot = minihv_vmx_map_slot,
	.unmap_slot = minihv_vmx_unmap_slot,
	.vcpu_init = minihv_vmx_vcpu_init,
	.vcpu_destroy = minihv_vmx_vcpu_destroy,
	.vcpu_run = minihv_vmx_vcpu_run,
	.irqchip_types = BIT(MINIHV_IRQCHIP_X86_APIC),
	.irqchip_create = minihv_vmx_irqchip_create,
	.irq_line = minihv_vmx_irq_line,
	.irq_lines = minihv_vmx_irq_lines,
	.vcpu_has_work = minihv_vmx_vcpu_has_work,
	.exit_name = minihv_vmx_exit_name,
	.read_counter = minihv_tsc_read,
	.counter_hz = minihv_tsc_hz,
	.set_counter_offset = minihv_tsc_set_offset,
};

const struct minihv_arch_ops *minihv_arch_probe(void)
{
	struct minihv_vmx_caps *caps = &minihv_vmx_caps;
	u64 feat, ctls2;
	int ret;

	/* Ask CPUID itself: the kernel clears X86_FEATURE_VMX when locked off. */
	if (!(cpuid_ecx(1) & BIT(X86_FEATURE_VMX & 31))) {
		pr_err("no VT-x on this CPU (CPUID.1:ECX.VMX = 0): minihv needs an Intel CPU with VT-x\n");
		return ERR_PTR(-ENODEV);
	}
	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &feat) ||
	    ((feat & FEAT_CTL_LOCKED) &&
	     !(feat & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX))) {
		pr_err("VT-x is disabled in the firmware (IA32_FEATURE_CONTROL locked): enable it in the BIOS setup\n");
		return ERR_PTR(-ENODEV);
	}
	if (cr4_read_shadow() & X86_CR4_VMXE) {
		pr_err("VMX is already in use (kvm_intel with a VM running?): stop it first\n");
		return ERR_PTR(-EBUSY);
	}

	rdmsrl(MSR_IA32_VMX_BASIC, caps->basic);
	/* Secondary controls and EPT exist only if the CPU allows them. */
	rdmsrl(MSR_IA32_VMX_PROCBASED_CTLS, ctls2);
	if (ctls2 & ((u64)CPU_BASED_ACTIVATE_SECONDARY_CONTROLS << 32)) {
		rdmsrl(MSR_IA32_VMX_PROCBASED_CTLS2, caps->procbased2);
		if (caps->procbased2 & ((u64)SECONDARY_EXEC_ENABLE_EPT << 32))
			rdmsrl(MSR_IA32_VMX_EPT_VPID_CAP, caps->ept_vpid);
	}
	caps->pa_bits = boot_cpu_data.x86_phys_bits;

	ret = minihv_vmx_choose_controls(caps);
	if (ret)
		return ERR_PTR(ret);
	minihv_vmx_ept_setup();
	minihv_vmcs_setup();
	ret = minihv_vmx_cpu_alloc();
	if (ret)
		return ERR_PTR(ret);
	ret = minihv_vmx_msr_setup();
	if (ret)
		goto err_cpu;
	ret = minihv_vmx_run_setup();
	if (ret)
		goto err_msr;
	ret = minihv_vapic_setup();
	if (ret)
		goto err_run;
	/* The VMCS follows the vCPU task across CPUs (vmx/run.c). */
	preempt_notifier_inc();
	return &vmx_ops;

err_run:
	minihv_vmx_run_cleanup();
err_msr:
	minihv_vmx_msr_cleanup();
err_cpu:
	minihv_vmx_cpu_free();
	return ERR_PTR(ret);
}
