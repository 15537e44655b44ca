// SPDX-License-Identifier: GPL-2.0
/*
 * The VMCS execution, exit and entry controls minihv runs guests with,
 * chosen once at load from the capability MSRs (the TRUE ones where the
 * CPU has them, SDM A.2: they allow clearing the "default1" bits such as
 * CR3-load exiting, which EPT makes pointless).
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/bits.h>

#include <asm/msr.h>
#include <asm/vmx.h>

#include "vmx/vmx.h"

/*
 * Allowed-0 settings (low word: must be 1) and allowed-1 settings (high
 * word: may be 1) decide; a required control the CPU lacks fails.
 */
static int adjust(const char *what, u32 msr, u32 required, u32 optional,
		  u32 *result)
{
	u32 must, may, ctl;

	rdmsr(msr, must, may);
	ctl = ((required | optional) & may) | must;
	if ((ctl & required) != required) {
		pr_err("VT-x lacks required %s controls 0x%x (MSR 0x%x): needs EPT, VPID and unrestricted guest\n",
		       what, required & ~ctl, msr);
		return -ENODEV;
	}
	*result = ctl;
	return 0;
}

/*
 * What minihv's EPT and its invalidation rely on: 4-level walks,
 * write-back paging structures, and some type of INVEPT and INVVPID.
 */
static int check_ept_vpid(u64 cap)
{
	u64 vpid = cap >> 32;

	if (!(cap & VMX_EPT_PAGE_WALK_4_BIT) || !(cap & VMX_EPTP_WB_BIT) ||
	    !(cap & VMX_EPT_INVEPT_BIT) ||
	    !(cap & (VMX_EPT_EXTENT_CONTEXT_BIT | VMX_EPT_EXTENT_GLOBAL_BIT)) ||
	    !(vpid & VMX_VPID_INVVPID_BIT) ||
	    !(vpid & (VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT |
		      VMX_VPID_EXTENT_GLOBAL_CONTEXT_BIT))) {
		pr_err("VT-x lacks 4-level write-back EPT with INVEPT/INVVPID (IA32_VMX_EPT_VPID_CAP 0x%llx)\n",
		       cap);
		return -ENODEV;
	}
	return 0;
}

#define WINDOWS	(CPU_BASED_INTR_WINDOW_EXITING | CPU_BASED_NMI_WINDOW_EXITING)

int minihv_vmx_choose_controls(struct minihv_vmx_caps *caps)
{
	bool true_msrs = caps->basic & VMX_BASIC_TRUE_CTLS;
	u32 procmsr, may, may2;
	u64 ctls;
	int ret;

	/*
	 * Host interrupts and NMIs exit; virtual NMIs give NMI injection its
	 * blocking and NMI-window exiting; the timer keeps Bochs honest (ENV).
	 */
	ret = adjust("pin-based",
		     true_msrs ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
				 MSR_IA32_VMX_PINBASED_CTLS,
		     PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING |
		     PIN_BASED_VIRTUAL_NMIS,
		     PIN_BASED_VMX_PREEMPTION_TIMER, &caps->pin);
	if (ret)
		return ret;

	/*
	 * HLT and every I/O port exit; MSRs through bitmaps when possible.
	 * CR8 exits (without a TPR shadow MOV to CR8 would write the host's
	 * own TPR, SDM 26.3).
	 */
	procmsr = true_msrs ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
			      MSR_IA32_VMX_PROCBASED_CTLS;
	ret = adjust("processor-based", procmsr,
		     CPU_BASED_HLT_EXITING | CPU_BASED_UNCOND_IO_EXITING |
		     CPU_BASED_MOV_DR_EXITING | CPU_BASED_MWAIT_EXITING |
		     CPU_BASED_MONITOR_EXITING | CPU_BASED_RDPMC_EXITING |
		     CPU_BASED_CR8_LOAD_EXITING | CPU_BASED_CR8_STORE_EXITING |
		     CPU_BASED_ACTIVATE_SECONDARY_CONTROLS,
		     CPU_BASED_USE_TSC_OFFSETTING | CPU_BASED_USE_MSR_BITMAPS,
		     &caps->proc);
	if (ret)
		return ret;
	/* Set per vCPU when needed (vmx/inject.c, irq/vapic.c). */
	rdmsrl(procmsr, ctls);
	may = ctls >> 32;
	if ((may & WINDOWS) != WINDOWS) {
		pr_err("VT-x lacks interrupt- and NMI-window exiting (MSR 0x%x)\n",
		       procmsr);
		return -ENODEV;
	}
	may2 = caps->procbased2 >> 32;
	caps->apic_access = may2 & SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES;
	if ((may & CPU_BASED_TPR_SHADOW) && caps->apic_access &&
	    (may2 & VMX_APICV_PROC2) == VMX_APICV_PROC2)
		caps->apicv = VMX_APICV_PROC2;

	ret = adjust("secondary", MSR_IA32_VMX_PROCBASED_CTLS2,
		     SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_VPID |
		     SECONDARY_EXEC_UNRESTRICTED_GUEST,
		     SECONDARY_EXEC_ENABLE_RDTSCP | SECONDARY_EXEC_ENABLE_INVPCID,
		     &caps->proc2);
	if (ret)
		return ret;
	ret = check_ept_vpid(caps->ept_vpid);
	if (ret)
		return ret;

	/*
	 * Back in 64-bit mode with EFER/PAT switched. The interrupt that
	 * caused an exit is not acknowledged: it stays pending in the local
	 * APIC and the host takes it through its IDT once interrupts are on.
	 */
	ret = adjust("VM-exit",
		     true_msrs ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
				 MSR_IA32_VMX_EXIT_CTLS,
		     VM_EXIT_HOST_ADDR_SPACE_SIZE |
		     VM_EXIT_SAVE_IA32_EFER | VM_EXIT_LOAD_IA32_EFER,
		     VM_EXIT_SAVE_IA32_PAT | VM_EXIT_LOAD_IA32_PAT |
		     VM_EXIT_SAVE_VMX_PREEMPTION_TIMER,
		     &caps->exit);
	if (ret)
		return ret;

	return adjust("VM-entry",
		      true_msrs ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
				  MSR_IA32_VMX_ENTRY_CTLS,
		      VM_ENTRY_LOAD_IA32_EFER, VM_ENTRY_LOAD_IA32_PAT,
		      &caps->entry);
}
