// SPDX-License-Identifier: GPL-2.0
/*
 * The local APIC as the VMCS sees it (SDM vol. 3, chapter 30, "APIC
 * Virtualization and Virtual Interrupts").
 *
 * Always, where the CPU has the control: the xAPIC window at its default
 * address goes through the VMX APIC-access page, so every access to it
 * is an APIC-access exit (fault-like: the instruction is decoded and
 * emulated against irq/lapic.c). A window moved elsewhere, or a CPU
 * without the control, reaches the same code through EPT violations.
 *
 * With APICv (module parameter "apicv", on by default where the CPU has
 * TPR shadow, APIC-register virtualization, virtual-interrupt delivery
 * and virtualized x2APIC mode): the register page is the virtual-APIC
 * page, so most reads, TPR and EOI writes, x2APIC self IPIs and
 * interrupt delivery itself need no exit. Before each entry RVI and SVI
 * are set from the page's IRR and ISR, and the EOI-exit bitmap from TMR,
 * so a level-triggered vector's EOI still exits and reaches the I/O
 * APIC. Other writes are APIC-write exits (trap-like: the value is in
 * the page already).
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>

#include <asm/io.h>

#include <asm/apicdef.h>
#include <asm/vmx.h>

#include "core/minihv.h"
#include "irq/lapic.h"
#include "irq/x86_irqchip.h"
#include "vmx/vmx.h"

static bool apicv = true;
module_param(apicv, bool, 0644);
MODULE_PARM_DESC(apicv, "APIC virtualization for VMs created from now on, where the CPU has it (default: on)");

static unsigned long *x2apic_bitmap;
u64 minihv_vmx_msr_bitmap_x2apic_pa;

bool minihv_vapic_enabled(void)
{
	return READ_ONCE(apicv) && minihv_vmx_caps.apicv;
}

static void pass_msr(u32 msr, bool read, bool write)
{
	u32 bit = msr & 0x1fff;

	if (read)
		__clear_bit(bit, x2apic_bitmap);
	if (write)
		__clear_bit(2048 * 8 + bit, x2apic_bitmap);
}

/*
 * The MSR bitmap of a vCPU in x2APIC mode with APICv: the registers the
 * CPU reads from the virtual-APIC page as they are (not ICR, whose high
 * half is elsewhere in the page, nor the current count, which is
 * computed), and the three writes it virtualizes.
 */
int minihv_vapic_setup(void)
{
	static const u32 readable[] = {
		APIC_ID, APIC_LVR, APIC_TASKPRI, APIC_PROCPRI, APIC_LDR,
		APIC_SPIV, APIC_ESR, APIC_LVTT, APIC_LVTTHMR, APIC_LVTPC,
		APIC_LVT0, APIC_LVT1, APIC_LVTERR, APIC_TMICT, APIC_TDCR,
	};
	unsigned int i;

	if (!minihv_vmx_caps.apicv ||
	    !(minihv_vmx_caps.proc & CPU_BASED_USE_MSR_BITMAPS))
		return 0;
	x2apic_bitmap = (unsigned long *)__get_free_page(GFP_KERNEL);
	if (!x2apic_bitmap)
		return -ENOMEM;
	memcpy(x2apic_bitmap, __va(minihv_vmx_msr_bitmap_pa), PAGE_SIZE);
	for (i = 0; i < ARRAY_SIZE(readable); i++)
		pass_msr(APIC_BASE_MSR + readable[i] / 16, true, false);
	for (i = 0; i < 24; i++)	/* ISR, TMR, IRR */
		pass_msr(APIC_BASE_MSR + APIC_ISR / 16 + i, true, false);
	pass_msr(APIC_BASE_MSR + APIC_TASKPRI / 16, false, true);
	pass_msr(APIC_BASE_MSR + APIC_EOI / 16, false, true);
	pass_msr(APIC_BASE_MSR + APIC_SELF_IPI / 16, false, true);
	minihv_vmx_msr_bitmap_x2apic_pa = __pa(x2apic_bitmap);
	return 0;
}

void minihv_vapic_cleanup(void)
{
	free_page((unsigned long)x2apic_bitmap);
	x2apic_bitmap = NULL;
}

static struct x86_irqchip *vcpu_chip(struct vmx_vcpu *v)
{
	return ((struct vmx_vm *)v->vcpu->vm->arch)->chip;
}

/*
 * After a mode or base change (and once at VMCS setup): virtualize the
 * xAPIC window only where this vCPU's xAPIC is (the default address),
 * x2APIC MSRs only in x2APIC mode (the two exclude each other, SDM
 * 26.2.1.1).
 */
void minihv_vapic_mode_changed(struct vmx_vcpu *v)
{
	struct minihv_lapic *apic = v->apic;
	u32 proc2 = minihv_vmx_caps.proc2;
	bool x2 = lapic_x2apic(apic);

	if (lapic_xapic(apic) && vcpu_chip(v)->apic_access &&
	    lapic_mmio_base(apic) == APIC_DEFAULT_PHYS_BASE)
		proc2 |= SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES;
	if (apic->apicv) {
		proc2 |= SECONDARY_EXEC_APIC_REGISTER_VIRT |
			 SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY;
		if (x2)
			proc2 |= SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE;
		if (x2apic_bitmap)
			vmcs_write(MSR_BITMAP, x2 ?
				   minihv_vmx_msr_bitmap_x2apic_pa :
				   minihv_vmx_msr_bitmap_pa);
	}
	minihv_vmx_set_proc2_ctl(v, proc2);
}

/* Once per VMCS, after its constant controls. */
void minihv_vapic_vmcs_setup(struct vmx_vcpu *v)
{
	struct x86_irqchip *chip = vcpu_chip(v);
	struct minihv_lapic *apic = v->apic;
	u32 proc = v->proc_ctl;
	int i;

	if (apic->apicv) {
		/* CR8 is the virtual TPR: no CR8 exits (SDM 30.3). */
		proc |= CPU_BASED_TPR_SHADOW;
		proc &= ~(CPU_BASED_CR8_LOAD_EXITING |
			  CPU_BASED_CR8_STORE_EXITING);
		vmcs_write(VIRTUAL_APIC_PAGE_ADDR, __pa(apic->regs));
		vmcs_write(TPR_THRESHOLD, 0);
		vmcs_write(GUEST_INTR_STATUS, 0);
		for (i = 0; i < 4; i++)
			vmcs_write(EOI_EXIT_BITMAP0 + 2 * i, 0);
		apic->tmr_dirty = true;
	}
	minihv_vmx_set_proc_ctl(v, proc);
	if (chip->apic_access)
		vmcs_write(APIC_ACCESS_ADDR, page_to_phys(chip->apic_access));
	minihv_vapic_mode_changed(v);
}

/*
 * Before an entry, interrupts off (APICv only): RVI and SVI as the page's
 * highest IRR and ISR vectors (what the CPU keeps them as itself), and
 * the EOI-exit bitmap as TMR: every level-triggered vector in the IRR
 * got its TMR bit in the same sync, before the CPU could deliver it.
 */
void minihv_vapic_sync(struct vmx_vcpu *v)
{
	struct minihv_lapic *apic = v->apic;
	int irr = minihv_lapic_highest_irr(apic);
	int isr = minihv_lapic_highest_isr(apic);
	int i;

	vmcs_write(GUEST_INTR_STATUS, (isr > 0 ? isr : 0) << 8 |
				      (irr > 0 ? irr : 0));
	if (!apic->tmr_dirty)
		return;
	for (i = 0; i < 4; i++) {
		u64 lo = lapic_reg(apic, APIC_TMR + 0x20 * i);
		u64 hi = lapic_reg(apic, APIC_TMR + 0x20 * i + 0x10);

		vmcs_write(EOI_EXIT_BITMAP0 + 2 * i, lo | hi << 32);
	}
	apic->tmr_dirty = false;
}

#define APIC_ACCESS_LINEAR_READ		0
#define APIC_ACCESS_LINEAR_WRITE	1

/*
 * Fault-like: the instruction did not run. Linear reads and writes are
 * emulated; fetches and accesses during event delivery or by a page walk
 * cannot be, and go to userspace as an internal error.
 */
int minihv_vmx_handle_apic_access(struct vmx_vcpu *v)
{
	u32 off = v->exit.qual & APIC_ACCESS_OFFSET;
	u32 type = (v->exit.qual & APIC_ACCESS_TYPE) >> 12;

	if (!v->apic || type > APIC_ACCESS_LINEAR_WRITE ||
	    (v->exit.idt_vectoring & INTR_INFO_VALID_MASK))
		return minihv_vmx_exit_internal(v,
						MINIHV_INTERNAL_UNHANDLED_EXIT);
	return minihv_vmx_emulate_mmio(v, lapic_mmio_base(v->apic) + off,
				       type == APIC_ACCESS_LINEAR_WRITE);
}

/* Trap-like: the write happened, into the virtual-APIC page. */
int minihv_vmx_handle_apic_write(struct vmx_vcpu *v)
{
	if (!v->apic)
		return minihv_vmx_exit_internal(v,
						MINIHV_INTERNAL_UNHANDLED_EXIT);
	minihv_lapic_write_trap(v->apic, v->exit.qual & APIC_ACCESS_OFFSET);
	return 1;
}

/* Trap-like: the CPU did the EOI; the I/O APIC learns of it. */
int minihv_vmx_handle_eoi_induced(struct vmx_vcpu *v)
{
	if (!v->apic)
		return minihv_vmx_exit_internal(v,
						MINIHV_INTERNAL_UNHANDLED_EXIT);
	minihv_lapic_eoi_level(v->apic, v->exit.qual & 0xff);
	return 1;
}
