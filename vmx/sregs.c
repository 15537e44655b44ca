// SPDX-License-Identifier: GPL-2.0
/*
 * x86 vCPUs: their special registers (MINIHV_GET/SET_SREGS) with the
 * reset state of SDM 10.1.1 and the checks that keep a later VM entry
 * from failing on state userspace could have caught; their VPID.
 */
#include <linux/preempt.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "core/minihv.h"
#include "vmx/vmx.h"

/* s: code or data segment (1), or system segment: TR, LDT (0). */
static void reset_segment(struct minihv_segment *seg, u16 sel, u64 base,
			  u8 type, u8 s)
{
	memset(seg, 0, sizeof(*seg));
	seg->selector = sel;
	seg->base = base;
	seg->limit = 0xffff;
	seg->type = type;
	seg->s = s;
	seg->present = 1;
}

/* Power-on/INIT state: real mode, CS:IP = f000:fff0 at 0xfffffff0. */
static void reset_sregs(struct minihv_sregs *sr)
{
	memset(sr, 0, sizeof(*sr));
	reset_segment(&sr->cs, 0xf000, 0xffff0000, 0xb, 1);	/* code, r, a */
	reset_segment(&sr->ds, 0, 0, 0x3, 1);			/* data, w, a */
	reset_segment(&sr->es, 0, 0, 0x3, 1);
	reset_segment(&sr->fs, 0, 0, 0x3, 1);
	reset_segment(&sr->gs, 0, 0, 0x3, 1);
	reset_segment(&sr->ss, 0, 0, 0x3, 1);
	reset_segment(&sr->tr, 0, 0, 0xb, 0);			/* busy TSS */
	reset_segment(&sr->ldt, 0, 0, 0x2, 0);
	sr->gdt.limit = 0xffff;
	sr->idt.limit = 0xffff;
	sr->cr0 = X86_CR0_CD | X86_CR0_NW | X86_CR0_ET;
}

#define CR0_KNOWN	(X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | X86_CR0_TS | \
			 X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_AM | \
			 X86_CR0_NW | X86_CR0_CD | X86_CR0_PG)
#define EFER_GUEST	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)

static int check_sregs(const struct minihv_sregs *sr)
{
	bool pg = sr->cr0 & X86_CR0_PG;

	if (sr->cr0 & ~CR0_KNOWN || !minihv_vmx_cr4_valid(sr->cr4) ||
	    sr->efer & ~EFER_GUEST)
		return -EINVAL;
	/* Paging needs protection; NW without CD is invalid (SDM 26.3.1). */
	if ((pg && !(sr->cr0 & X86_CR0_PE)) ||
	    ((sr->cr0 & X86_CR0_NW) && !(sr->cr0 & X86_CR0_CD)))
		return -EINVAL;
	/* Long mode is active exactly when enabled with paging on, and
	 * needs PAE.
	 */
	if (!!(sr->efer & EFER_LMA) != ((sr->efer & EFER_LME) && pg))
		return -EINVAL;
	if ((sr->efer & EFER_LMA) && !(sr->cr4 & X86_CR4_PAE))
		return -EINVAL;
	if (sr->cr3 >> minihv_vmx_caps.pa_bits)
		return -EINVAL;
	return 0;
}

long minihv_vmx_vcpu_ioctl(struct minihv_vcpu *vcpu, unsigned int cmd,
			   void __user *arg)
{
	struct vmx_vcpu *v = vcpu->arch;
	struct minihv_sregs sr;
	int ret;

	switch (cmd) {
	case MINIHV_GET_SREGS:
		if (v->sregs_stale) {
			/* The VMCS has the guest's latest: read it back. */
			preempt_disable();
			minihv_vmcs_load(v);
			minihv_vmcs_get_sregs(v);
			preempt_enable();
			v->sregs_stale = false;
		}
		return copy_to_user(arg, &v->sregs, sizeof(v->sregs)) ?
		       -EFAULT : 0;
	case MINIHV_SET_SREGS:
		if (copy_from_user(&sr, arg, sizeof(sr)))
			return -EFAULT;
		ret = check_sregs(&sr);
		if (!ret) {
			v->sregs = sr;
			v->sregs_dirty = true;
			v->sregs_stale = false;
		}
		return ret;
	default:
		return -ENOTTY;
	}
}

static void vcpu_free(struct vmx_vcpu *v)
{
	minihv_vmcs_free(v);
	if (v->vpid)
		minihv_vmx_vpid_free(v->vpid);
	free_page((unsigned long)v->guest_msrs);
	kfree(v->fpu);
	kfree(v);
}

int minihv_vmx_vcpu_init(struct minihv_vcpu *vcpu)
{
	struct vmx_vcpu *v = kzalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);
	int ret;

	if (!v)
		return -ENOMEM;
	v->vcpu = vcpu;
	ret = minihv_vmcs_alloc(v);
	if (ret)
		goto err;
	ret = -ENOMEM;
	/* FXSAVE wants 16-byte alignment: kmalloc of 512 gives 512. */
	v->fpu = kzalloc(sizeof(*v->fpu), GFP_KERNEL_ACCOUNT);
	/* The guest and host MSR areas share one page (16-byte aligned). */
	v->guest_msrs = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!v->fpu || !v->guest_msrs)
		goto err;
	v->host_msrs = v->guest_msrs + PAGE_SIZE / 2 / sizeof(*v->guest_msrs);
	/* FNINIT state with SSE exceptions masked (SDM 10.1.2). */
	v->fpu->cwd = 0x37f;
	v->fpu->mxcsr = 0x1f80;
	ret = minihv_vmx_vpid_alloc();
	if (ret < 0)
		goto err;
	v->vpid = ret;
	reset_sregs(&v->sregs);
	v->sregs_dirty = true;
	preempt_notifier_init(&v->pn, &minihv_vmx_preempt_ops);
	vcpu->arch = v;
	return 0;
err:
	vcpu_free(v);
	return ret;
}

void minihv_vmx_vcpu_destroy(struct minihv_vcpu *vcpu)
{
	vcpu_free(vcpu->arch);
}
