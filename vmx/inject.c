// SPDX-License-Identifier: GPL-2.0
/*
 * Events for the guest at the next VM entry (SDM 27.6): an NMI, or the
 * local APIC's highest interrupt above its processor priority, through
 * the VM-entry interruption-information field. When the guest cannot
 * take it yet (RFLAGS.IF clear, an STI or MOV SS shadow, virtual-NMI
 * blocking, or another event already being injected), the interrupt- or
 * NMI-window exiting control brings the vCPU back the moment it can.
 *
 * With virtual-interrupt delivery the CPU takes interrupts from RVI
 * itself (irq/vapic.c), so only NMIs come through here.
 *
 * Runs with interrupts off, after minihv_vcpu_enter_guest_mode(): an
 * interrupt posted later kicks the vCPU out again.
 */
#include <asm/processor-flags.h>
#include <asm/traps.h>
#include <asm/vmx.h>

#include "core/minihv.h"
#include "irq/lapic.h"
#include "vmx/vmx.h"

void minihv_vmx_set_proc_ctl(struct vmx_vcpu *v, u32 ctl)
{
	if (ctl != v->proc_ctl) {
		vmcs_write(CPU_BASED_VM_EXEC_CONTROL, ctl);
		v->proc_ctl = ctl;
	}
}

void minihv_vmx_set_proc2_ctl(struct vmx_vcpu *v, u32 ctl)
{
	if (ctl != v->proc2_ctl) {
		vmcs_write(SECONDARY_VM_EXEC_CONTROL, ctl);
		v->proc2_ctl = ctl;
	}
}

void minihv_vmx_inject_events(struct vmx_vcpu *v)
{
	struct minihv_lapic *apic = v->apic;
	u32 ctl = v->proc_ctl & ~(CPU_BASED_INTR_WINDOW_EXITING |
				  CPU_BASED_NMI_WINDOW_EXITING);
	u32 intr, shadow;
	bool busy;
	int vec;

	if (!apic)
		return;
	minihv_lapic_sync_pir(apic);
	if (apic->apicv)
		minihv_vapic_sync(v);

	busy = vmcs_read(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID_MASK;
	intr = vmcs_read(GUEST_INTERRUPTIBILITY_INFO);
	shadow = intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS);

	if (test_bit(LAPIC_EV_NMI, &apic->events)) {
		if (!busy && !shadow && !(intr & GUEST_INTR_STATE_NMI)) {
			clear_bit(LAPIC_EV_NMI, &apic->events);
			vmcs_write(VM_ENTRY_INTR_INFO_FIELD, X86_TRAP_NMI |
				   INTR_TYPE_NMI_INTR | INTR_INFO_VALID_MASK);
			busy = true;
		} else {
			ctl |= CPU_BASED_NMI_WINDOW_EXITING;
		}
	}

	if (!apic->apicv) {
		vec = minihv_lapic_deliverable(apic);
		if (vec >= 0) {
			if (!busy && !shadow &&
			    (vmcs_read(GUEST_RFLAGS) & X86_EFLAGS_IF)) {
				minihv_lapic_ack(apic, vec);
				vmcs_write(VM_ENTRY_INTR_INFO_FIELD, vec |
					   INTR_TYPE_EXT_INTR |
					   INTR_INFO_VALID_MASK);
			} else {
				ctl |= CPU_BASED_INTR_WINDOW_EXITING;
			}
		}
	}
	minihv_vmx_set_proc_ctl(v, ctl);
}
