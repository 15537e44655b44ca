// SPDX-License-Identifier: GPL-2.0
/*
 * VMX root operation on one CPU: VMXON with the CPU's own VMXON region,
 * and VMXOFF. CR4.VMXE goes through the kernel's CR4 helpers so that the
 * kernel (emergency VMXOFF on crash/reboot) and kvm_intel (which refuses
 * with -EBUSY when it finds CR4.VMXE set) both see that VMX is taken.
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/percpu.h>

#include <asm/asm.h>
#include <asm/msr.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/virtext.h>

#include "vmx/vmx.h"

static DEFINE_PER_CPU(void *, vmxon_region);

void minihv_vmx_cpu_free(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		free_page((unsigned long)per_cpu(vmxon_region, cpu));
		per_cpu(vmxon_region, cpu) = NULL;
	}
}

int minihv_vmx_cpu_alloc(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		u32 *region = (u32 *)get_zeroed_page(GFP_KERNEL);

		if (!region) {
			minihv_vmx_cpu_free();
			return -ENOMEM;
		}
		/* SDM 25.11.5: the region starts with the VMCS revision id. */
		region[0] = minihv_vmx_caps.basic & 0x7fffffff;
		per_cpu(vmxon_region, cpu) = region;
	}
	return 0;
}

static bool fixed_bits_ok(unsigned long val, u32 msr0, u32 msr1)
{
	u64 fixed0, fixed1;

	rdmsrl(msr0, fixed0);
	rdmsrl(msr1, fixed1);
	return (val & fixed0) == fixed0 && !(val & ~fixed1);
}

static int vmx_on(phys_addr_t pa)
{
	u8 failed = 1;

	/*
	 * CF (VMfailInvalid) or ZF (VMfailValid) set: it did not take. A
	 * fault (#UD, #GP) skips the SETBE and leaves failed at 1.
	 */
	asm volatile("1: vmxon %[pa]\n\t"
		     "setbe %[failed]\n\t"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : [failed] "+q"(failed)
		     : [pa] "m"(pa)
		     : "cc", "memory");
	return failed ? -EIO : 0;
}

int minihv_vmx_cpu_enable(void)
{
	void *region = this_cpu_read(vmxon_region);
	u64 feat;

	/* kvm_intel (or another hypervisor) already runs VMX here. */
	if (cr4_read_shadow() & X86_CR4_VMXE)
		return -EBUSY;

	rdmsrl(MSR_IA32_FEAT_CTL, feat);
	if (!(feat & FEAT_CTL_LOCKED)) {
		/* Firmware left it open: enable VMX and lock, as the SDM asks. */
		feat |= FEAT_CTL_LOCKED | FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX;
		wrmsrl(MSR_IA32_FEAT_CTL, feat);
	} else if (!(feat & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		return -ENODEV;
	}

	/* SDM 24.8: CR0 and CR4 must respect the VMX fixed bits. */
	if (!fixed_bits_ok(read_cr0(), MSR_IA32_VMX_CR0_FIXED0,
			   MSR_IA32_VMX_CR0_FIXED1) ||
	    !fixed_bits_ok(__read_cr4() | X86_CR4_VMXE,
			   MSR_IA32_VMX_CR4_FIXED0, MSR_IA32_VMX_CR4_FIXED1))
		return -EIO;

	cr4_set_bits(X86_CR4_VMXE);
	if (vmx_on(__pa(region))) {
		cr4_clear_bits(X86_CR4_VMXE);
		return -EBUSY;
	}
	minihv_vmx_flush_all();
	return 0;
}

void minihv_vmx_cpu_disable(void)
{
	/* VMCSs active here are written back to memory before VMXOFF. */
	if (cr4_read_shadow() & X86_CR4_VMXE)
		minihv_vmcs_clear_cpu();
	/* VMXOFF, then CR4.VMXE cleared; ignores a CPU not in VMX operation. */
	cpu_vmxoff();
}

/*
 * VMPTRST only executes in VMX operation (#UD otherwise): a live proof
 * that this CPU is in VMX root, beyond our own bookkeeping.
 */
bool minihv_vmx_cpu_check(void)
{
	u64 vmcs_pa;
	u8 ok = 0;

	if (!(cr4_read_shadow() & X86_CR4_VMXE))
		return false;
	asm volatile("1: vmptrst %[pa]\n\t"
		     "movb $1, %[ok]\n\t"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : [ok] "+q"(ok), [pa] "=m"(vmcs_pa)
		     : : "memory");
	return ok;
}
