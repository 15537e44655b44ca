// SPDX-License-Identifier: GPL-2.0
/*
 * Guest MSRs. Those the VMCS switches (FS/GS base) or minihv switches
 * through the VM-entry/exit MSR areas (the SYSCALL MSRs and the kernel
 * GS base) are the guest's to access directly; a short allow-list is
 * emulated; every other RDMSR/WRMSR raises #GP(0) in the guest.
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/gfp.h>
#include <linux/mm.h>

#include <asm/msr.h>
#include <asm/traps.h>
#include <asm/vmx.h>

#include "core/minihv.h"
#include "vmx/vmx.h"

const u32 minihv_vmx_switched_msrs[VMX_NR_SWITCHED_MSRS] = {
	MSR_KERNEL_GS_BASE, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
};

static unsigned long *msr_bitmap;
u64 minihv_vmx_msr_bitmap_pa;

/* The bitmap's four 1 KiB parts (SDM 25.6.9): read low/high, write. */
static void pass_through(u32 msr)
{
	u32 bit = msr & 0x1fff, base = (msr >> 31) ? 1024 * 8 : 0;

	__clear_bit(base + bit, msr_bitmap);		/* reads */
	__clear_bit(2048 * 8 + base + bit, msr_bitmap);	/* writes */
}

int minihv_vmx_msr_setup(void)
{
	int i;

	msr_bitmap = (unsigned long *)__get_free_page(GFP_KERNEL);
	if (!msr_bitmap)
		return -ENOMEM;
	memset(msr_bitmap, 0xff, PAGE_SIZE);
	pass_through(MSR_FS_BASE);
	pass_through(MSR_GS_BASE);
	for (i = 0; i < VMX_NR_SWITCHED_MSRS; i++)
		pass_through(minihv_vmx_switched_msrs[i]);
	minihv_vmx_msr_bitmap_pa = __pa(msr_bitmap);
	return 0;
}

void minihv_vmx_msr_cleanup(void)
{
	free_page((unsigned long)msr_bitmap);
	msr_bitmap = NULL;
}

/* PAT entries are memory types 0, 1, 4, 5, 6 or 7 (SDM 13.12.2). */
static bool pat_valid(u64 pat)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 type = (pat >> (8 * i)) & 0xff;

		if (type > 7 || type == 2 || type == 3)
			return false;
	}
	return true;
}

/* The guest's copy in the MSR areas, for CPUs without MSR bitmaps. */
static u64 *switched(struct vmx_vcpu *v, u32 msr)
{
	int i;

	for (i = 0; i < VMX_NR_SWITCHED_MSRS; i++)
		if (v->guest_msrs[i].index == msr)
			return &v->guest_msrs[i].value;
	return NULL;
}

static int msr_read(struct vmx_vcpu *v, u32 msr, u64 *val)
{
	u64 *copy = switched(v, msr);

	if (copy) {
		*val = *copy;
		return 0;
	}
	switch (msr) {
	case MSR_EFER:
		*val = vmcs_read(GUEST_IA32_EFER);
		return 0;
	case MSR_IA32_CR_PAT:
		*val = vmcs_read(GUEST_IA32_PAT);
		return 0;
	case MSR_IA32_SYSENTER_CS:
		*val = vmcs_read(GUEST_SYSENTER_CS);
		return 0;
	case MSR_IA32_SYSENTER_ESP:
		*val = vmcs_read(GUEST_SYSENTER_ESP);
		return 0;
	case MSR_IA32_SYSENTER_EIP:
		*val = vmcs_read(GUEST_SYSENTER_EIP);
		return 0;
	case MSR_IA32_TSC:
		*val = rdtsc() + vmcs_read(TSC_OFFSET);
		return 0;
	case MSR_FS_BASE:	/* without MSR bitmaps these exit too */
		*val = vmcs_read(GUEST_FS_BASE);
		return 0;
	case MSR_GS_BASE:
		*val = vmcs_read(GUEST_GS_BASE);
		return 0;
	}
	return -EINVAL;
}

static int msr_write(struct vmx_vcpu *v, u32 msr, u64 val)
{
	u64 *copy = switched(v, msr);

	/* The base MSRs take canonical addresses only. */
	if ((copy && msr != MSR_STAR && msr != MSR_SYSCALL_MASK) ||
	    msr == MSR_FS_BASE || msr == MSR_GS_BASE) {
		if ((s64)(val << 16) >> 16 != (s64)val)
			return -EINVAL;
	}
	if (copy) {
		*copy = val;
		return 0;
	}
	switch (msr) {
	case MSR_EFER:
		return minihv_vmx_set_efer(v, val);
	case MSR_IA32_CR_PAT:
		if (!pat_valid(val))
			return -EINVAL;
		vmcs_write(GUEST_IA32_PAT, val);
		return 0;
	case MSR_IA32_SYSENTER_CS:
		vmcs_write(GUEST_SYSENTER_CS, val);
		return 0;
	case MSR_IA32_SYSENTER_ESP:
		vmcs_write(GUEST_SYSENTER_ESP, val);
		return 0;
	case MSR_IA32_SYSENTER_EIP:
		vmcs_write(GUEST_SYSENTER_EIP, val);
		return 0;
	case MSR_IA32_TSC:
		if (!(minihv_vmx_caps.proc & CPU_BASED_USE_TSC_OFFSETTING))
			return -EINVAL;
		vmcs_write(TSC_OFFSET, val - rdtsc());
		return 0;
	case MSR_FS_BASE:
		vmcs_write(GUEST_FS_BASE, val);
		return 0;
	case MSR_GS_BASE:
		vmcs_write(GUEST_GS_BASE, val);
		return 0;
	}
	return -EINVAL;
}

int minihv_vmx_handle_rdmsr(struct vmx_vcpu *v)
{
	u64 val;

	if (msr_read(v, v->gprs[GPR_RCX], &val)) {
		minihv_vmx_inject(v, X86_TRAP_GP, true, 0);
		return 1;
	}
	v->gprs[GPR_RAX] = (u32)val;
	v->gprs[GPR_RDX] = val >> 32;
	minihv_vmx_skip_insn(v);
	return 1;
}

int minihv_vmx_handle_wrmsr(struct vmx_vcpu *v)
{
	u64 val = (u32)v->gprs[GPR_RAX] | v->gprs[GPR_RDX] << 32;

	if (msr_write(v, v->gprs[GPR_RCX], val)) {
		minihv_vmx_inject(v, X86_TRAP_GP, true, 0);
		return 1;
	}
	minihv_vmx_skip_insn(v);
	return 1;
}
