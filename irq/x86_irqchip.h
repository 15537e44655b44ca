/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MINIHV_IRQCHIP_X86_APIC: what one VM's in-kernel interrupt controller
 * is made of (irq/x86_irqchip.c): an I/O APIC, the ACPI PM timer, the
 * page behind every vCPU's xAPIC window, and the local APICs of its
 * vCPUs (irq/lapic.h).
 */
#ifndef MINIHV_IRQ_X86_IRQCHIP_H
#define MINIHV_IRQ_X86_IRQCHIP_H

#include "core/minihv.h"
#include "irq/ioapic.h"
#include "timer/pm_timer.h"

struct x86_irqchip {
	struct minihv_ioapic ioapic;
	struct minihv_pm_timer pm_timer;
	/* The default xAPIC window, kept free of RAM (irq/vapic.c). */
	struct minihv_io_dev xapic_dev;
	/*
	 * The VMX APIC-access page the EPT maps at the default window: one
	 * per VM, as a vCPU with the window unvirtualized (x2APIC mode)
	 * reaches it as plain memory (Xen's XSA-412).
	 */
	struct page *apic_access;
	bool apicv;			/* module parameter at creation */
};

int minihv_vmx_irqchip_create(struct minihv_vm *vm,
			      const struct minihv_irqchip *chip);
void minihv_vmx_irqchip_destroy(struct minihv_vm *vm);
int minihv_vmx_irq_line(struct minihv_vm *vm, u32 irq, bool level);
u32 minihv_vmx_irq_lines(struct minihv_vm *vm);
bool minihv_vmx_vcpu_has_work(struct minihv_vcpu *vcpu);

#endif /* MINIHV_IRQ_X86_IRQCHIP_H */
