/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 VT-x: what the per-CPU VMX root code and the ops table share.
 */
#ifndef MINIHV_VMX_VMX_H
#define MINIHV_VMX_VMX_H

#include <linux/list.h>
#include <linux/preempt.h>
#include <linux/types.h>

#include <asm/fpu/types.h>
#include <asm/vmx.h>		/* struct vmx_msr_entry: an MSR area slot */

#include "core/arch.h"
#include "mm/pgtable.h"

struct minihv_vmx_caps {
	u64 basic;		/* IA32_VMX_BASIC */
	u64 ept_vpid;		/* IA32_VMX_EPT_VPID_CAP (0 without EPT) */
	u64 procbased2;		/* IA32_VMX_PROCBASED_CTLS2 */
	u32 pa_bits;		/* CPUID.80000008H:EAX[7:0] */

	/* The controls guests run with (vmx/controls.c). */
	u32 pin, proc, proc2, exit, entry;
	/*
	 * APIC virtualization the CPU offers (0 where it lacks a part):
	 * the virtualize-APIC-accesses secondary control on its own, and
	 * the APICv set (TPR shadow, APIC-register virtualization,
	 * virtual-interrupt delivery, virtualized x2APIC mode).
	 */
	u32 apic_access;
	u32 apicv;
};

extern struct minihv_vmx_caps minihv_vmx_caps;

struct minihv_memslot;
struct minihv_vcpu;
struct minihv_vm;
struct minihv_lapic;
struct x86_irqchip;

/* The APICv secondary controls, all or none (irq/vapic.c). */
#define VMX_APICV_PROC2	(SECONDARY_EXEC_APIC_REGISTER_VIRT | \
			 SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY | \
			 SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE)

/*
 * An x86 VM: its EPT (vmx/ept.c) and its
 * in-kernel interrupt controller (irq/x86_irqchip.c), set once before
 * any vCPU.
 */
struct vmx_vm {
	struct minihv_pgtable ept;
	u64 eptp;
	struct x86_irqchip *chip;
};

void minihv_vmx_ept_setup(void);
int minihv_vmx_vm_init(struct minihv_vm *vm);
void minihv_vmx_vm_destroy(struct minihv_vm *vm);
struct minihv_pgtable *minihv_vmx_vm_pgtable(struct minihv_vm *vm);
int minihv_vmx_map_slot(struct minihv_vm *vm, struct minihv_memslot *slot);
void minihv_vmx_unmap_slot(struct minihv_vm *vm, struct minihv_memslot *slot);

/* Guest GPRs in struct minihv_regs order; rsp lives in the VMCS. */
enum vmx_gpr {
	GPR_RAX, GPR_RBX, GPR_RCX, GPR_RDX, GPR_RSI, GPR_RDI, GPR_RSP,
	GPR_RBP, GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13,
	GPR_R14, GPR_R15, NR_GPRS
};

/*
 * A register as instructions and exit qualifications number it (rax,
 * rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8..r15): its slot in gprs[].
 */
static inline u64 *vmx_gpr(u64 *gprs, u32 encoding)
{
	static const u8 slot[16] = {
		GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP,
		GPR_RSI, GPR_RDI, GPR_R8, GPR_R9, GPR_R10, GPR_R11,
		GPR_R12, GPR_R13, GPR_R14, GPR_R15,
	};

	return &gprs[slot[encoding & 15]];
}

/*
 * A register written as an instruction of that operand (or address)
 * size writes it: 1 and 2 bytes keep the rest, 4 zero-extends (SDM
 * 3.4.1.1).
 */
static inline void vmx_write_sized(u64 *reg, u64 val, u32 len)
{
	if (len == 1)
		*reg = (*reg & ~0xffULL) | (val & 0xff);
	else if (len == 2)
		*reg = (*reg & ~0xffffULL) | (val & 0xffff);
	else if (len == 4)
		*reg = (u32)val;
	else
		*reg = val;
}

/* What the next RUN owes the guest from userspace's answer. */
enum vmx_pending {
	PENDING_NONE,
	PENDING_IO_IN,		/* IN: data into rax */
	PENDING_INS,		/* INS: data into guest memory */
	PENDING_MMIO_READ,	/* a decoded load: data into a register */
	PENDING_HYPERCALL,	/* ret into rax */
};

/*
 * The MSRs the VM-entry/exit MSR areas switch (vmx/msr.c): the SYSCALL
 * MSRs, the kernel GS base and, where the guest has RDTSCP, TSC_AUX
 * (the last entry).
 */
#define VMX_MAX_SWITCHED_MSRS	6

/* What the exit handlers need of the last exit, read once. */
struct vmx_exit {
	u32 reason;
	u32 insn_len;
	u32 insn_info;
	u32 intr_info;
	u64 qual;
	u64 gpa;
	u64 rip;
	u32 idt_vectoring;		/* an event the exit interrupted */
	u32 idt_error;
};

/*
 * What a VM exit loads with fixed values and the host task may have had
 * otherwise: DS/ES/FS/GS (HOST_*_SELECTOR are 0) and their bases, DR7
 * (0x400) and IA32_DEBUGCTL (0), which hold hardware breakpoints and
 * branch tracing. Saved when the task enters RUN or is scheduled back in;
 * put back after every exit (debug state) or before the task's userspace
 * or another task runs (the rest: vmx/run.c).
 */
struct vmx_host {
	u16 ds, es, fs, gs;
	unsigned long fs_base, kernel_gs_base;
	unsigned long dr7;
	unsigned long debugctl;
};

/* An x86 vCPU: its VMCS and what is not in the core's struct minihv_regs. */
struct vmx_vcpu {
	struct minihv_vcpu *vcpu;
	u16 vpid;

	/* The VMCS and where it is active (-1: clear, on no CPU). */
	void *vmcs;
	int cpu;
	bool launched;
	bool vmcs_ready;		/* its constant fields are written */
	struct list_head loaded;	/* on the per-CPU list of @cpu */
	struct preempt_notifier pn;

	/*
	 * sregs is the userspace view: written into the VMCS before the
	 * next entry when dirty, read back from it when stale.
	 */
	struct minihv_sregs sregs;
	bool sregs_dirty, sregs_stale;

	u64 gprs[NR_GPRS];
	u64 cr2;			/* not switched by VMX */
	u64 cr8;			/* without a local APIC */
	/*
	 * guest TSC = host TSC + @tsc_offset = the VM's counter (core/clock.c)
	 * + @tsc_adjust, which the guest's IA32_TSC writes set (per vCPU, as
	 * on hardware). @tsc_dirty: the VMCS has yet to take @tsc_offset.
	 */
	u64 tsc_offset;
	s64 tsc_adjust;
	bool tsc_dirty;

	/* The local APIC (NULL without the in-kernel irqchip). */
	struct minihv_lapic *apic;
	/* Execution controls as last written to the VMCS. */
	u32 proc_ctl, proc2_ctl;
	bool started;			/* MINIHV_VCPU_INIT's state taken */
	bool wait_sipi;			/* an AP after INIT (vmx/sregs.c) */
	u64 sysenter_cs, sysenter_esp, sysenter_eip;
	struct fxregs_state *fpu;	/* the guest's x87/SSE state */
	struct vmx_msr_entry *guest_msrs, *host_msrs;	/* one page */

	struct vmx_host host;
	bool host_segs_clobbered;	/* by an exit, not yet put back */
	bool flush_l1d;			/* host work since the last entry */
	struct vmx_exit exit;
	u64 fast_hcalls;		/* answered in enter_once(), not yet counted */
	enum vmx_pending pending;
	/* Kept here, not in the run area userspace may scribble on. */
	u32 pending_reg, pending_len;	/* MMIO load: register, bytes */
	u32 pending_dst_len;		/* MMIO load: register width */
	bool pending_sign;		/* MMIO load: MOVSX */
	u32 pending_size;		/* INS: element size */
	bool pending_down;		/* INS: DF set */
	u64 pending_gva;		/* INS: where the data goes */
};

static __always_inline unsigned long vmcs_read(unsigned long field)
{
	unsigned long val;

	asm volatile("vmread %1, %0" : "=rm"(val) : "r"(field) : "cc");
	return val;
}

void minihv_vmcs_write_failed(unsigned long field, unsigned long val);

static __always_inline void vmcs_write(unsigned long field, unsigned long val)
{
	asm goto("vmwrite %1, %0\n\t"
		 "jna %l[failed]"
		 : : "r"(field), "rm"(val) : "cc" : failed);
	return;
failed:
	minihv_vmcs_write_failed(field, val);
}

/* vmx/vmcs.c */
void minihv_vmcs_setup(void);
int minihv_vmcs_alloc(struct vmx_vcpu *v);
void minihv_vmcs_free(struct vmx_vcpu *v);
void minihv_vmcs_load(struct vmx_vcpu *v);
void minihv_vmcs_clear_cpu(void);
void minihv_vmcs_put_state(struct vmx_vcpu *v);
void minihv_vmcs_get_sregs(struct vmx_vcpu *v);
void minihv_vmcs_host_task(struct vmx_vcpu *v);
int minihv_vmx_set_cr0(struct vmx_vcpu *v, u64 cr0);
int minihv_vmx_set_cr4(struct vmx_vcpu *v, u64 cr4);
int minihv_vmx_set_efer(struct vmx_vcpu *v, u64 efer);
bool minihv_vmx_cr4_valid(u64 cr4);
u64 minihv_vmx_guest_cr0(void);
u64 minihv_vmx_guest_cr4(void);
bool minihv_vmx_mode64(void);

/* vmx/run.c and vmx/entry.S */
int minihv_vmx_vcpu_run(struct minihv_vcpu *vcpu);
int minihv_vmx_enter(u64 *gprs, bool launched);
extern char minihv_vmx_exit_entry[];
void minihv_vmx_do_nmi(void);
int minihv_vmx_run_setup(void);
void minihv_vmx_run_cleanup(void);
extern struct preempt_ops minihv_vmx_preempt_ops;

/* vmx/exit.c: 1 re-enters the guest, 0 exits to userspace, < 0 fails RUN. */
int minihv_vmx_handle_exit(struct vmx_vcpu *v);
const char *minihv_vmx_exit_name(u32 reason);
void minihv_vmx_complete_pending(struct vmx_vcpu *v);
void minihv_vmx_skip_insn(struct vmx_vcpu *v);
void minihv_vmx_inject(struct vmx_vcpu *v, u8 vector, bool has_error,
		       u32 error);
int minihv_vmx_exit_internal(struct vmx_vcpu *v, u32 suberror);

/* vmx/cpuid.c, vmx/msr.c */
int minihv_vmx_handle_cpuid(struct vmx_vcpu *v);
int minihv_vmx_handle_rdmsr(struct vmx_vcpu *v);
int minihv_vmx_handle_wrmsr(struct vmx_vcpu *v);
int minihv_vmx_msr_setup(void);
void minihv_vmx_msr_cleanup(void);
extern u64 minihv_vmx_msr_bitmap_pa;
extern const u32 minihv_vmx_switched_msrs[VMX_MAX_SWITCHED_MSRS];

static inline int vmx_nr_switched_msrs(void)
{
	return minihv_vmx_caps.proc2 & SECONDARY_EXEC_ENABLE_RDTSCP ?
	       VMX_MAX_SWITCHED_MSRS : VMX_MAX_SWITCHED_MSRS - 1;
}

/* vmx/guest_mem.c: the guest's linear addresses as the guest sees them. */
u64 minihv_vmx_seg_base(int seg);
int minihv_vmx_gva_to_gpa(struct vmx_vcpu *v, u64 gva, bool write, u64 *gpa);
int minihv_vmx_read_gva(struct vmx_vcpu *v, u64 gva, void *buf, u32 len);
int minihv_vmx_write_gva(struct vmx_vcpu *v, u64 gva, const void *buf,
			 u32 len);
int minihv_vmx_peek_gva(struct vmx_vcpu *v, u64 gva, void *buf, u32 len);
int minihv_vmx_check_write_gva(struct vmx_vcpu *v, u64 gva, u32 len);

/* vmx/io.c, vmx/mmio.c */
int minihv_vmx_handle_io(struct vmx_vcpu *v);
void minihv_vmx_complete_io(struct vmx_vcpu *v);
int minihv_vmx_handle_ept_violation(struct vmx_vcpu *v);
int minihv_vmx_emulate_mmio(struct vmx_vcpu *v, u64 gpa, bool write);
void minihv_vmx_complete_mmio(struct vmx_vcpu *v);

/* vmx/inject.c: events for the next entry, interrupts off. */
void minihv_vmx_inject_events(struct vmx_vcpu *v);
void minihv_vmx_set_proc_ctl(struct vmx_vcpu *v, u32 ctl);
void minihv_vmx_set_proc2_ctl(struct vmx_vcpu *v, u32 ctl);

/* vmx/sregs.c: INIT and start-up IPIs, before an entry. */
int minihv_vmx_mp_events(struct vmx_vcpu *v);

/* irq/vapic.c: the local APIC as the VMCS sees it. */
void minihv_vapic_vmcs_setup(struct vmx_vcpu *v);
void minihv_vapic_mode_changed(struct vmx_vcpu *v);
void minihv_vapic_sync(struct vmx_vcpu *v);
int minihv_vmx_handle_apic_access(struct vmx_vcpu *v);
int minihv_vmx_handle_apic_write(struct vmx_vcpu *v);
int minihv_vmx_handle_eoi_induced(struct vmx_vcpu *v);
int minihv_vapic_setup(void);
void minihv_vapic_cleanup(void);
bool minihv_vapic_enabled(void);
extern u64 minihv_vmx_msr_bitmap_x2apic_pa;

int minihv_vmx_vpid_alloc(void);
void minihv_vmx_vpid_free(u16 vpid);
void minihv_vmx_flush_all(void);

void minihv_vmx_reset_regs(struct minihv_regs *regs);
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
