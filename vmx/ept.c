// SPDX-License-Identifier: GPL-2.0
/*
 * x86 VMs: an EPT built from the memory slots, and its invalidation;
 * the VM's time base and interrupt controller are made and freed here.
 * INVEPT acts on the executing CPU only, so a shrinking EPT is flushed on
 * every CPU (all are in VMX operation while minihv is loaded).
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/io.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/smp.h>

#include <asm/asm.h>
#include <asm/vmx.h>

#include "core/minihv.h"
#include "irq/x86_irqchip.h"
#include "mm/ept.h"
#include "timer/tsc.h"
#include "vmx/vmx.h"

#define EPTP_WB		6ULL		/* paging-structure memory type */
#define EPTP_4_LEVELS	(3ULL << 3)	/* page-walk length - 1 */

struct invept_desc {
	u64 eptp;
	u64 reserved;
};

static void ept_invalidate(u64 type, u64 eptp)
{
	struct invept_desc desc = { .eptp = eptp };

	asm volatile("invept %0, %1" : : "m"(desc), "r"(type) : "cc", "memory");
}

static void invept_ipi(void *info)
{
	u64 eptp = *(u64 *)info;

	/* Single-context where the CPU has it, else everything. */
	if (minihv_vmx_caps.ept_vpid & VMX_EPT_EXTENT_CONTEXT_BIT)
		ept_invalidate(VMX_EPT_EXTENT_CONTEXT, eptp);
	else if (minihv_vmx_caps.ept_vpid & VMX_EPT_EXTENT_GLOBAL_BIT)
		ept_invalidate(VMX_EPT_EXTENT_GLOBAL, 0);
}

static void flush_ept(struct vmx_vm *v)
{
	on_each_cpu(invept_ipi, &v->eptp, 1);
}

void minihv_vmx_ept_setup(void)
{
	minihv_ept_format.block_levels = 0;
	if (minihv_vmx_caps.ept_vpid & VMX_EPT_2MB_PAGE_BIT)
		minihv_ept_format.block_levels |= BIT(2);
	if (minihv_vmx_caps.ept_vpid & VMX_EPT_1GB_PAGE_BIT)
		minihv_ept_format.block_levels |= BIT(1);
}

int minihv_vmx_vm_init(struct minihv_vm *vm)
{
	struct vmx_vm *v = kzalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);
	int ret;

	if (!v)
		return -ENOMEM;
	/* 4-level EPT: 48 bits of guest-physical address. */
	ret = minihv_pt_init(&v->ept, &minihv_ept_format, 48);
	if (ret) {
		kfree(v);
		return ret;
	}
	v->eptp = virt_to_phys(v->ept.root) | EPTP_WB | EPTP_4_LEVELS;
	vm->arch = v;
	return 0;
}

struct minihv_pgtable *minihv_vmx_vm_pgtable(struct minihv_vm *vm)
{
	return &((struct vmx_vm *)vm->arch)->ept;
}

void minihv_vmx_vm_destroy(struct minihv_vm *vm)
{
	struct vmx_vm *v = vm->arch;

	/* No translation of this EPTP may outlive its tables. */
	flush_ept(v);
	minihv_pt_destroy(&v->ept);
	minihv_vmx_irqchip_destroy(vm);
	kfree(v);
}

int minihv_vmx_map_slot(struct minihv_vm *vm, struct minihv_memslot *slot)
{
	struct vmx_vm *v = vm->arch;
	int ret;

	ret = minihv_pt_map_pages(&v->ept, slot->gpa, slot->pages, slot->npages,
				  MINIHV_PROT_R | MINIHV_PROT_W | MINIHV_PROT_X);
	if (ret)
		flush_ept(v);
	return ret;
}

void minihv_vmx_unmap_slot(struct minihv_vm *vm, struct minihv_memslot *slot)
{
	struct vmx_vm *v = vm->arch;

	minihv_pt_unmap(&v->ept, slot->gpa, slot->size);
	flush_ept(v);
}
