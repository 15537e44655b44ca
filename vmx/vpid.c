// SPDX-License-Identifier: GPL-2.0
/*
 * VPIDs: a tag per vCPU for its linear translations in the TLB, so VM
 * entries and exits need no flush. VPID 0 is the host's. INVVPID, like
 * INVEPT, acts on the executing CPU only: a VPID is invalidated on every
 * CPU before it is handed out again.
 */
#include <linux/idr.h>
#include <linux/moduleparam.h>
#include <linux/smp.h>

#include <asm/vmx.h>

#include "vmx/vmx.h"

static DEFINE_IDA(vpid_ida);

/* For the tests: hand out VPIDs 1..test_vpid_max only, so they are reused. */
static unsigned int test_vpid_max;
module_param(test_vpid_max, uint, 0444);

struct invvpid_desc {
	u64 vpid;		/* bits 15:0 */
	u64 gva;
};

static void vpid_invalidate(u64 type, u16 vpid)
{
	struct invvpid_desc desc = { .vpid = vpid };

	asm volatile("invvpid %0, %1" : : "m"(desc), "r"(type) : "cc", "memory");
}

/* INVVPID types are optional (SDM 30.3): use only what the CPU reports. */
static bool vpid_cap(u64 bit)
{
	return (minihv_vmx_caps.ept_vpid >> 32) & bit;
}

static void invvpid_ipi(void *info)
{
	u16 vpid = *(u16 *)info;

	if (vpid_cap(VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT))
		vpid_invalidate(VMX_VPID_EXTENT_SINGLE_CONTEXT, vpid);
	else if (vpid_cap(VMX_VPID_EXTENT_GLOBAL_CONTEXT_BIT))
		vpid_invalidate(VMX_VPID_EXTENT_ALL_CONTEXT, 0);
}

int minihv_vmx_vpid_alloc(void)
{
	unsigned int max = test_vpid_max ? min(test_vpid_max, 0xffffU) : 0xffff;

	return ida_alloc_range(&vpid_ida, 1, max, GFP_KERNEL);
}

void minihv_vmx_vpid_free(u16 vpid)
{
	on_each_cpu(invvpid_ipi, &vpid, 1);
	ida_free(&vpid_ida, vpid);
}

/*
 * On a CPU entering VMX operation: entries tagged by an earlier load of
 * minihv (or anyone before it) must not meet the VPIDs and EPTPs we hand
 * out now.
 */
void minihv_vmx_flush_all(void)
{
	struct { u64 eptp, reserved; } ept_desc = { };

	if (vpid_cap(VMX_VPID_EXTENT_GLOBAL_CONTEXT_BIT))
		vpid_invalidate(VMX_VPID_EXTENT_ALL_CONTEXT, 0);
	if (minihv_vmx_caps.ept_vpid & VMX_EPT_EXTENT_GLOBAL_BIT)
		asm volatile("invept %0, %1" : : "m"(ept_desc),
			     "r"((u64)VMX_EPT_EXTENT_GLOBAL) : "cc", "memory");
}
