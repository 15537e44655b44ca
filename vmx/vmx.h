/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 VT-x: what the per-CPU VMX root code and the ops table share.
 */
#ifndef MINIHV_VMX_VMX_H
#define MINIHV_VMX_VMX_H

#include <linux/types.h>

#include "core/arch.h"
#include "mm/pgtable.h"

struct minihv_vmx_caps {
	u64 basic;		/* IA32_VMX_BASIC */
	u64 ept_vpid;		/* IA32_VMX_EPT_VPID_CAP (0 without EPT) */
	u64 procbased2;		/* IA32_VMX_PROCBASED_CTLS2 */
	u32 pa_bits;		/* CPUID.80000008H:EAX[7:0] */

	/* The controls guests run with (vmx/controls.c). */
	u32 pin, proc, proc2, exit, entry;
};

extern struct minihv_vmx_caps minihv_vmx_caps;

struct minihv_memslot;
struct minihv_vcpu;
struct minihv_vm;

/* An x86 VM: its EPT (vmx/ept.c). */
struct vmx_vm {
	struct minihv_pgtable ept;
	u64 eptp;
};

void minihv_vmx_ept_setup(void);
int minihv_vmx_vm_init(struct minihv_vm *vm);
void minihv_vmx_vm_destroy(struct minihv_vm *vm);
int minihv_vmx_map_slot(struct minihv_vm *vm, struct minihv_memslot *slot);
void minihv_vmx_unmap_slot(struct minihv_vm *vm, struct minihv_memslot *slot);

/* An x86 vCPU: what is not in the core's struct minihv_regs. */
struct vmx_vcpu {
	struct minihv_sregs sregs;
	u16 vpid;
};

int minihv_vmx_vpid_alloc(void);
void minihv_vmx_vpid_free(u16 vpid);
void minihv_vmx_flush_all(void);

int minihv_vmx_vcpu_init(struct minihv_vcpu *vcpu);
void minihv_vmx_vcpu_destroy(struct minihv_vcpu *vcpu);
long minihv_vmx_vcpu_ioctl(struct minihv_vcpu *vcpu, unsigned int cmd,
			   void __user *arg);

int minihv_vmx_choose_controls(struct minihv_vmx_caps *caps);
int minihv_vmx_cpu_alloc(void);
void minihv_vmx_cpu_free(void);
int minihv_vmx_cpu_enable(void);
void minihv_vmx_cpu_disable(void);
bool minihv_vmx_cpu_check(void);

#endif /* MINIHV_VMX_VMX_H */
