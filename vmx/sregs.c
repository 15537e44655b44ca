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
#include <asm/processor.h>
#include <asm/processor-flags.h>
#include <asm/vmx.h>

#include "core/minihv.h"
#include "irq/lapic.h"
#include "irq/x86_irqchip.h"
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

/*
 * INIT (SDM table 10-1): the power-on state of the registers, but the
 * x87/SSE state, the MSRs other than EFER, and the local APIC's id and
 * mode stay. Into the VMCS at the next entry; VMCS current.
 */
static void init_reset(struct vmx_vcpu *v)
{
	struct minihv_regs regs;

	reset_sregs(&v->sregs);
	v->sregs_dirty = true;
	minihv_vmx_reset_regs(&regs);
	memcpy(v->gprs, &regs, sizeof(v->gprs));
	/* EDX: the processor signature, as after RESET and INIT. */
	v->gprs[GPR_RDX] = cpuid_eax(1);
	vmcs_write(GUEST_RIP, regs.rip);
	vmcs_write(GUEST_RFLAGS, regs.rflags);
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmcs_write(GUEST_DR7, 0x400);
	vmcs_write(GUEST_IA32_DEBUGCTL, 0);
	v->cr2 = 0;
	v->cr8 = 0;
	if (v->apic)
		minihv_lapic_reset(v->apic, true);
}

/* A start-up IPI: real mode at vector << 12, CS = vector << 8, IP 0. */
static void sipi_start(struct vmx_vcpu *v, u8 vector)
{
	v->sregs.cs.selector = vector << 8;
	v->sregs.cs.base = (u64)vector << 12;
	v->sregs_dirty = true;
	vmcs_write(GUEST_RIP, 0);
}

/*
 * Before each entry: the INIT and start-up IPIs posted to this vCPU. A
 * vCPU created powered off (MINIHV_VCPU_INIT) is an AP after INIT: it
 * waits for a start-up IPI, and so does any AP an INIT reaches (the BSP,
 * vCPU 0, restarts at the reset vector). 0: the vCPU may enter; else it
 * slept (a signal, or still waiting) and the caller looks again.
 */
int minihv_vmx_mp_events(struct vmx_vcpu *v)
{
	struct minihv_lapic *apic = v->apic;

	if (!v->started) {
		spin_lock(&v->vcpu->power_lock);
		v->wait_sipi = v->vcpu->powered_off;
		spin_unlock(&v->vcpu->power_lock);
		v->started = true;
		if (v->wait_sipi)
			init_reset(v);
	}
	if (apic && test_and_clear_bit(LAPIC_EV_INIT, &apic->events)) {
		init_reset(v);
		v->wait_sipi = !(apic->base & LAPIC_BASE_BSP);
	}
	/* A start-up IPI outside wait-for-SIPI is ignored (SDM 9.4.4). */
	if (apic && test_and_clear_bit(LAPIC_EV_SIPI, &apic->events) &&
	    v->wait_sipi) {
		/* The vector was written before the bit (lapic_accept()). */
		smp_mb__after_atomic();
		sipi_start(v, READ_ONCE(apic->sipi_vector));
		v->wait_sipi = false;
	}
	if (!v->wait_sipi)
		return 0;
	minihv_vcpu_block(v->vcpu);
	return 1;
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
	minihv_lapic_free(v->apic);
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
	v->tsc_offset = minihv_clock_offset(vcpu->vm);
	/* Read once: the controller exists from before any vCPU (core). */
	if (smp_load_acquire(&vcpu->vm->irqchip_type)) {
		struct x86_irqchip *chip =
			((struct vmx_vm *)vcpu->vm->arch)->chip;

		ret = minihv_lapic_create(v, chip->apicv);
		if (ret)
			goto err;
	}
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
