// SPDX-License-Identifier: GPL-2.0
/*
 * Guest MSRs. Those the VMCS switches (FS/GS base) or minihv switches
 * through the VM-entry/exit MSR areas (the SYSCALL MSRs and the kernel
 * GS base) are the guest's to access directly; a short allow-list is
 * emulated (with IA32_MISC_ENABLE and the microcode revision, which
 * Linux reads without expecting a fault), and with the in-kernel local
 * APIC its MSRs (irq/lapic.c);
 * every other RDMSR/WRMSR raises #GP(0) in the guest.
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/gfp.h>
#include <linux/mm.h>

#include <asm/apicdef.h>
#include <asm/msr.h>
#include <asm/traps.h>
#include <asm/vmx.h>

#include "core/minihv.h"
#include "irq/lapic.h"
#include "timer/tsc.h"
#include "vmx/vmx.h"

/*
 * TSC_AUX is the guest's own while RDTSCP (and RDPID) run without exits;
 * Linux writes its CPU number there on each CPU, the host's included.
 */
const u32 minihv_vmx_switched_msrs[VMX_MAX_SWITCHED_MSRS] = {
	MSR_KERNEL_GS_BASE, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
	MSR_TSC_AUX,
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
	for (i = 0; i < vmx_nr_switched_msrs(); i++)
		pass_through(minihv_vmx_switched_msrs[i]);
	minihv_vmx_msr_bitmap_pa = __pa(msr_bitmap);
	return 0;
}

void minihv_vmx_msr_cleanup(void)
{
	free_page((unsigned long)msr_bitmap);
	msr_bitmap = NULL;
}

/*
 * IA32_MISC_ENABLE as a guest of KVM sees it: fast strings on, no BTS or
 * PEBS; read-only (a write that changes it is #GP). Linux reads it before
 * it has an IDT (verify_cpu clears XD disable), so it must not fault.
 * The microcode revision (in EDX) is KVM's default too; a write is the
 * first half of reading it (SDM 10.11.7.1) and changes nothing.
 */
#define MISC_ENABLE	(MSR_IA32_MISC_ENABLE_FAST_STRING | \
			 MSR_IA32_MISC_ENABLE_BTS_UNAVAIL | \
			 MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL)
#define UCODE_REV	(1ULL << 32)

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

	for (i = 0; i < vmx_nr_switched_msrs(); i++)
		if (v->guest_msrs[i].index == msr)
			return &v->guest_msrs[i].value;
	return NULL;
}

/* The local APIC's MSRs: IA32_APIC_BASE, TSC deadline, x2APIC. */
static bool apic_msr(struct vmx_vcpu *v, u32 msr)
{
	return v->apic && (msr == MSR_IA32_APICBASE ||
			   msr == MSR_IA32_TSC_DEADLINE ||
			   (msr >= APIC_BASE_MSR && msr <= APIC_BASE_MSR + 0xff));
}

static int msr_read(struct vmx_vcpu *v, u32 msr, u64 *val)
{
	u64 *copy = switched(v, msr);

	if (copy) {
		*val = *copy;
		return 0;
	}
	if (apic_msr(v, msr))
		return minihv_lapic_msr_read(v->apic, msr, val);
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
		*val = minihv_tsc_guest(v);
		return 0;
	case MSR_FS_BASE:	/* without MSR bitmaps these exit too */
		*val = vmcs_read(GUEST_FS_BASE);
		return 0;
	case MSR_GS_BASE:
		*val = vmcs_read(GUEST_GS_BASE);
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*val = MISC_ENABLE;
		return 0;
	case MSR_IA32_UCODE_REV:
		*val = UCODE_REV;
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
	/* TSC_AUX: bits 63:32 are reserved (SDM 2.2, IA32_TSC_AUX). */
	if (msr == MSR_TSC_AUX && val >> 32)
		return -EINVAL;
	if (copy) {
		*copy = val;
		return 0;
	}
	if (apic_msr(v, msr))
		return minihv_lapic_msr_write(v->apic, msr, val);
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
		/* This vCPU's TSC only, as on hardware. */
		if (!(minihv_vmx_caps.proc & CPU_BASED_USE_TSC_OFFSETTING))
			return -EINVAL;
		minihv_tsc_write(v, val);
		return 0;
	case MSR_FS_BASE:
		vmcs_write(GUEST_FS_BASE, val);
		return 0;
	case MSR_GS_BASE:
		vmcs_write(GUEST_GS_BASE, val);
		return 0;
	case MSR_IA32_MISC_ENABLE:
		return val == MISC_ENABLE ? 0 : -EINVAL;
	case MSR_IA32_UCODE_REV:
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
