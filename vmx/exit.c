// SPDX-License-Identifier: GPL-2.0
/*
 * x86 VM exits, dispatched through a table indexed by the basic exit
 * reason (as KVM's vmx.c does). A handler returns 1 to re-enter the
 * guest, 0 to return to userspace with run->exit_reason set.
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <asm/processor-flags.h>
#include <asm/traps.h>
#include <asm/vmx.h>
#include <linux/trace_events.h>

#include "core/minihv.h"
#include "irq/lapic.h"
#include "vmx/vmx.h"

typedef int (*exit_handler_fn)(struct vmx_vcpu *v);

void minihv_vmx_skip_insn(struct vmx_vcpu *v)
{
	u32 intr = vmcs_read(GUEST_INTERRUPTIBILITY_INFO);

	vmcs_write(GUEST_RIP, v->exit.rip + v->exit.insn_len);
	/* The instruction completed: no more STI/MOV SS shadow after it. */
	if (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
		vmcs_write(GUEST_INTERRUPTIBILITY_INFO,
			   intr & ~(GUEST_INTR_STATE_STI |
				    GUEST_INTR_STATE_MOV_SS));
}

/* A hardware exception for the guest's own IDT at the next entry. */
void minihv_vmx_inject(struct vmx_vcpu *v, u8 vector, bool has_error,
		       u32 error)
{
	u32 info = vector | INTR_TYPE_HARD_EXCEPTION | INTR_INFO_VALID_MASK;

	/* Real mode delivers no error codes (SDM 26.2.1.3). */
	if (has_error && (minihv_vmx_guest_cr0() & X86_CR0_PE)) {
		info |= INTR_INFO_DELIVER_CODE_MASK;
		vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, error);
	}
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, info);
}

static int inject_ud(struct vmx_vcpu *v)
{
	minihv_vmx_inject(v, X86_TRAP_UD, false, 0);
	return 1;
}

static int inject_gp(struct vmx_vcpu *v)
{
	minihv_vmx_inject(v, X86_TRAP_GP, true, 0);
	return 1;
}

int minihv_vmx_exit_internal(struct vmx_vcpu *v, u32 suberror)
{
	struct minihv_run *run = v->vcpu->run;
	u8 insn[16] = { };

	/* Best effort: the bytes at RIP help whoever reads the report. */
	minihv_vmx_peek_gva(v, minihv_vmx_seg_base(1) + v->exit.rip, insn,
			    sizeof(insn));
	run->exit_reason = MINIHV_EXIT_INTERNAL;
	run->internal.suberror = suberror;
	run->internal.ndata = 5;
	run->internal.data[0] = v->exit.reason;
	run->internal.data[1] = v->exit.qual;
	run->internal.data[2] = v->exit.rip;
	memcpy(&run->internal.data[3], insn, sizeof(insn));
	return 0;
}

static int unhandled(struct vmx_vcpu *v)
{
	return minihv_vmx_exit_internal(v, MINIHV_INTERNAL_UNHANDLED_EXIT);
}

/* Host interrupts and NMIs were taken on the way out; timer: re-check. */
static int handle_nothing(struct vmx_vcpu *v)
{
	return 1;
}

static int handle_exception_nmi(struct vmx_vcpu *v)
{
	if ((v->exit.intr_info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR)
		return 1;
	return unhandled(v);	/* the exception bitmap is empty */
}

static int handle_triple_fault(struct vmx_vcpu *v)
{
	v->vcpu->run->exit_reason = MINIHV_EXIT_SHUTDOWN;
	return 0;
}

/*
 * With the in-kernel local APIC, HLT sleeps here until an interrupt the
 * guest can take, an NMI or an INIT arrives (a signal ends RUN instead;
 * the guest then resumes after its HLT, as after a spurious wake-up).
 * Without it nothing in the kernel could wake the vCPU: userspace
 * decides.
 */
static int handle_hlt(struct vmx_vcpu *v)
{
	minihv_vmx_skip_insn(v);
	if (v->apic) {
		minihv_vcpu_block(v->vcpu);
		return 1;
	}
	v->vcpu->run->exit_reason = MINIHV_EXIT_HLT;
	return 0;
}

static int handle_skip(struct vmx_vcpu *v)
{
	minihv_vmx_skip_insn(v);
	return 1;
}

static int handle_vmcall(struct vmx_vcpu *v)
{
	struct minihv_run *run = v->vcpu->run;
	u64 *g = v->gprs;
	/* Outside 64-bit mode the upper halves are undefined (as KVM's). */
	u64 m = minihv_vmx_mode64() ? ~0ULL : U32_MAX;
	u64 nr = g[GPR_RAX] & m;

	minihv_vmx_skip_insn(v);
	minihv_stat_hypercall(v->vcpu, nr, g[GPR_RBX] & m);
	switch (nr) {
	case MINIHV_HCALL_NOP:
		g[GPR_RAX] = 0;
		return 1;
	case MINIHV_HCALL_EXIT:
		run->exit_reason = MINIHV_EXIT_HYPERCALL;
		run->hypercall.nr = nr;
		run->hypercall.args[0] = g[GPR_RBX] & m;
		run->hypercall.args[1] = g[GPR_RCX] & m;
		run->hypercall.args[2] = g[GPR_RDX] & m;
		run->hypercall.args[3] = g[GPR_RSI] & m;
		run->hypercall.args[4] = g[GPR_RDI] & m;
		run->hypercall.args[5] = g[GPR_R8] & m;
		run->hypercall.ret = 0;
		v->pending = PENDING_HYPERCALL;
		return 0;
	case MINIHV_HCALL_TIME_PAGE:
		g[GPR_RAX] = minihv_clock_hcall_time_page(v->vcpu,
							  g[GPR_RBX] & m);
		return 1;
	}
	g[GPR_RAX] = -1ULL;
	return 1;
}

/* MOV to/from CR0, CR3, CR4, CR8, CLTS, LMSW (SDM table 28-3). */
static int handle_cr(struct vmx_vcpu *v)
{
	u64 q = v->exit.qual;
	u32 cr = q & 15, type = (q >> 4) & 3, reg = (q >> 8) & 15;
	u64 *gpr = vmx_gpr(v->gprs, reg);
	u64 val = *gpr;
	u64 cr0 = minihv_vmx_guest_cr0();
	int ret = 0;

	if (!minihv_vmx_mode64())
		val = (u32)val;
	switch (type) {
	case 0:		/* MOV to CR */
		if (cr == 0)
			ret = minihv_vmx_set_cr0(v, val);
		else if (cr == 4)
			ret = minihv_vmx_set_cr4(v, val);
		else if (cr == 3)
			vmcs_write(GUEST_CR3, val);
		else if (cr == 8 && val > 15)
			ret = -EINVAL;		/* reserved bits: #GP */
		else if (cr == 8 && v->apic)
			minihv_lapic_set_tpr(v->apic, val << 4);
		else if (cr == 8)
			v->cr8 = val;
		else
			return unhandled(v);
		break;
	case 1:		/* MOV from CR */
		if (cr == 3)
			*gpr = vmcs_read(GUEST_CR3);
		else if (cr == 8 && v->apic)
			*gpr = minihv_lapic_get_tpr(v->apic) >> 4;
		else if (cr == 8)
			*gpr = v->cr8;
		else
			return unhandled(v);
		break;
	case 2:		/* CLTS */
		ret = minihv_vmx_set_cr0(v, cr0 & ~X86_CR0_TS);
		break;
	case 3:		/* LMSW: MP, EM, TS; PE can be set, not cleared */
		ret = minihv_vmx_set_cr0(v, (cr0 & ~0xeULL) |
					 ((q >> 16) & 0xf) | (cr0 & X86_CR0_PE));
		break;
	}
	if (ret)
		return inject_gp(v);
	minihv_vmx_skip_insn(v);
	return 1;
}

/* Debug registers are not virtualized: reads give the reset values. */
static int handle_dr(struct vmx_vcpu *v)
{
	u32 dr = v->exit.qual & 7, reg = (v->exit.qual >> 8) & 15;

	if (v->exit.qual & BIT(4))
		*vmx_gpr(v->gprs, reg) = dr == 6 ? 0xffff0ff0 :
					  dr == 7 ? 0x400 : 0;
	minihv_vmx_skip_insn(v);
	return 1;
}

static int handle_ept_misconfig(struct vmx_vcpu *v)
{
	pr_err_ratelimited("EPT misconfiguration at GPA 0x%llx\n", v->exit.gpa);
	return unhandled(v);
}

static const exit_handler_fn exit_handlers[] = {
	[EXIT_REASON_EXCEPTION_NMI]		= handle_exception_nmi,
	[EXIT_REASON_EXTERNAL_INTERRUPT]	= handle_nothing,
	[EXIT_REASON_TRIPLE_FAULT]		= handle_triple_fault,
	[EXIT_REASON_INIT_SIGNAL]		= handle_nothing,
	[EXIT_REASON_CPUID]			= minihv_vmx_handle_cpuid,
	[EXIT_REASON_HLT]			= handle_hlt,
	[EXIT_REASON_INVD]			= handle_skip,
	[EXIT_REASON_WBINVD]			= handle_skip,
	[EXIT_REASON_RDPMC]			= inject_gp,
	[EXIT_REASON_VMCALL]			= handle_vmcall,
	/* No nested virtualization: VMX instructions are undefined. */
	[EXIT_REASON_VMCLEAR]			= inject_ud,
	[EXIT_REASON_VMLAUNCH]			= inject_ud,
	[EXIT_REASON_VMPTRLD]			= inject_ud,
	[EXIT_REASON_VMPTRST]			= inject_ud,
	[EXIT_REASON_VMREAD]			= inject_ud,
	[EXIT_REASON_VMRESUME]			= inject_ud,
	[EXIT_REASON_VMWRITE]			= inject_ud,
	[EXIT_REASON_VMOFF]			= inject_ud,
	[EXIT_REASON_VMON]			= inject_ud,
	[EXIT_REASON_INVEPT]			= inject_ud,
	[EXIT_REASON_INVVPID]			= inject_ud,
	[EXIT_REASON_VMFUNC]			= inject_ud,
	[EXIT_REASON_CR_ACCESS]			= handle_cr,
	[EXIT_REASON_DR_ACCESS]			= handle_dr,
	[EXIT_REASON_IO_INSTRUCTION]		= minihv_vmx_handle_io,
	[EXIT_REASON_MSR_READ]			= minihv_vmx_handle_rdmsr,
	[EXIT_REASON_MSR_WRITE]			= minihv_vmx_handle_wrmsr,
	/* MWAIT/MONITOR are hidden from CPUID. */
	[EXIT_REASON_MWAIT_INSTRUCTION]		= inject_ud,
	[EXIT_REASON_MONITOR_INSTRUCTION]	= inject_ud,
	[EXIT_REASON_XSETBV]			= inject_ud,
	[EXIT_REASON_EPT_VIOLATION]		= minihv_vmx_handle_ept_violation,
	[EXIT_REASON_EPT_MISCONFIG]		= handle_ept_misconfig,
	[EXIT_REASON_PREEMPTION_TIMER]		= handle_nothing,
	/* The windows' controls are recomputed before each entry. */
	[EXIT_REASON_INTERRUPT_WINDOW]		= handle_nothing,
	[EXIT_REASON_NMI_WINDOW]		= handle_nothing,
	[EXIT_REASON_TPR_BELOW_THRESHOLD]	= handle_nothing,
	[EXIT_REASON_APIC_ACCESS]		= minihv_vmx_handle_apic_access,
	[EXIT_REASON_EOI_INDUCED]		= minihv_vmx_handle_eoi_induced,
	[EXIT_REASON_APIC_WRITE]		= minihv_vmx_handle_apic_write,
};

/*
 * An exit during event delivery (an interrupt, or an exception through
 * the guest's IDT): the event was not delivered, so deliver it again.
 */
static void reinject(struct vmx_vcpu *v)
{
	u32 info = v->exit.idt_vectoring;
	u32 type = info & INTR_INFO_INTR_TYPE_MASK;

	if (!(info & INTR_INFO_VALID_MASK) ||
	    (vmcs_read(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID_MASK))
		return;
	if (info & INTR_INFO_DELIVER_CODE_MASK)
		vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, v->exit.idt_error);
	if (type == INTR_TYPE_SOFT_INTR || type == INTR_TYPE_SOFT_EXCEPTION ||
	    type == INTR_TYPE_PRIV_SW_EXCEPTION)
		vmcs_write(VM_ENTRY_INSTRUCTION_LEN, v->exit.insn_len);
	/* An NMI delivered again is not blocked by itself (SDM 26.3.1.5). */
	if (type == INTR_TYPE_NMI_INTR)
		vmcs_write(GUEST_INTERRUPTIBILITY_INFO,
			   vmcs_read(GUEST_INTERRUPTIBILITY_INFO) &
			   ~GUEST_INTR_STATE_NMI);
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, info & ~INTR_INFO_UNBLOCK_NMI);
}

/* The SDM's names, as the kernel's own header lists them. */
static const struct trace_print_flags exit_names[] = { VMX_EXIT_REASONS };

const char *minihv_vmx_exit_name(u32 reason)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(exit_names); i++)
		if (exit_names[i].mask == reason)
			return exit_names[i].name;
	return NULL;
}

int minihv_vmx_handle_exit(struct vmx_vcpu *v)
{
	u16 reason = v->exit.reason;
	exit_handler_fn fn = NULL;
	int ret;

	minihv_stat_exit(v->vcpu, reason, v->exit.rip);
	if (reason < ARRAY_SIZE(exit_handlers))
		fn = exit_handlers[reason];
	ret = fn ? fn(v) : unhandled(v);
	if (ret > 0)
		reinject(v);
	return ret;
}

/* Userspace has answered the last exit: put its answer in the guest. */
void minihv_vmx_complete_pending(struct vmx_vcpu *v)
{
	switch (v->pending) {
	case PENDING_IO_IN:
	case PENDING_INS:
		minihv_vmx_complete_io(v);
		break;
	case PENDING_MMIO_READ:
		minihv_vmx_complete_mmio(v);
		break;
	case PENDING_HYPERCALL:
		v->gprs[GPR_RAX] = v->vcpu->run->hypercall.ret;
		break;
	case PENDING_NONE:
		break;
	}
	v->pending = PENDING_NONE;
}
