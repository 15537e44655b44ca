// SPDX-License-Identifier: GPL-2.0
/*
 * The VMCS of a vCPU: where it is active, its host and control fields,
 * and the guest state that userspace sees as minihv_sregs.
 *
 * A VMCS is active on at most one CPU. Moving a vCPU clears it there
 * (VMCLEAR by IPI) before loading it here; a CPU leaving VMX operation
 * clears every VMCS still active on it first (SDM 25.11.1).
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/smp.h>

#include <asm/cpu_entry_area.h>
#include <asm/cpufeature.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>
#include <asm/processor-flags.h>
#include <asm/segment.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/vmx.h>

#include "core/minihv.h"
#include "vmx/vmx.h"

static DEFINE_PER_CPU(void *, current_vmcs);
static DEFINE_PER_CPU(struct list_head, loaded_vmcss);

/* Per-CPU list heads point at themselves: set up at run time. */
void minihv_vmcs_setup(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		INIT_LIST_HEAD(per_cpu_ptr(&loaded_vmcss, cpu));
}

void minihv_vmcs_write_failed(unsigned long field, unsigned long val)
{
	pr_err_ratelimited("VMWRITE of field 0x%lx (value 0x%lx) failed\n",
			   field, val);
}

static void vmcs_clear(void *vmcs)
{
	u64 pa = __pa(vmcs);

	asm volatile("vmclear %0" : : "m"(pa) : "cc", "memory");
}

static void vmcs_ptrld(void *vmcs)
{
	u64 pa = __pa(vmcs);

	asm volatile("vmptrld %0" : : "m"(pa) : "cc", "memory");
}

int minihv_vmcs_alloc(struct vmx_vcpu *v)
{
	u32 *vmcs = (u32 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);

	if (!vmcs)
		return -ENOMEM;
	vmcs[0] = minihv_vmx_caps.basic & 0x7fffffff;	/* revision id */
	v->vmcs = vmcs;
	v->cpu = -1;
	INIT_LIST_HEAD(&v->loaded);
	return 0;
}

/* On the CPU where @v's VMCS is active, with interrupts off. */
static void clear_here(struct vmx_vcpu *v)
{
	if (v->cpu != smp_processor_id())
		return;
	vmcs_clear(v->vmcs);
	if (this_cpu_read(current_vmcs) == v->vmcs)
		this_cpu_write(current_vmcs, NULL);
	list_del_init(&v->loaded);
	v->launched = false;
	/* The list update is seen before the CPU is given up. */
	smp_wmb();
	WRITE_ONCE(v->cpu, -1);
}

static void clear_ipi(void *info)
{
	clear_here(info);
}

static void clear_remote(struct vmx_vcpu *v)
{
	int cpu = READ_ONCE(v->cpu);

	/* An offline CPU cleared its VMCSs on the way down. */
	if (cpu >= 0)
		smp_call_function_single(cpu, clear_ipi, v, 1);
}

void minihv_vmcs_free(struct vmx_vcpu *v)
{
	if (!v->vmcs)
		return;
	clear_remote(v);
	free_page((unsigned long)v->vmcs);
	v->vmcs = NULL;
}

/* CPU going down (or minihv unloading): before its VMXOFF. */
void minihv_vmcs_clear_cpu(void)
{
	struct list_head *list = this_cpu_ptr(&loaded_vmcss);
	struct vmx_vcpu *v, *tmp;
	unsigned long flags;

	local_irq_save(flags);
	list_for_each_entry_safe(v, tmp, list, loaded)
		clear_here(v);
	this_cpu_write(current_vmcs, NULL);
	local_irq_restore(flags);
}

/* Host state that depends on the CPU (SDM 26.2.3: must match it). */
static void host_state_cpu(int cpu)
{
	vmcs_write(HOST_TR_BASE,
		   (unsigned long)&get_cpu_entry_area(cpu)->tss.x86_tss);
	vmcs_write(HOST_GDTR_BASE, (unsigned long)get_current_gdt_ro());
	vmcs_write(HOST_IA32_SYSENTER_ESP,
		   (unsigned long)(cpu_entry_stack(cpu) + 1));
	vmcs_write(HOST_GS_BASE, cpu_kernelmode_gs_base(cpu));
}

/* Host state that is the same on every CPU and for every task. */
static void host_state_const(void)
{
	struct desc_ptr idt;
	u64 msr;

	vmcs_write(HOST_CR0, read_cr0());
	vmcs_write(HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write(HOST_SS_SELECTOR, __KERNEL_DS);
	/* DS, ES, FS, GS: null, the task's own are put back after exit. */
	vmcs_write(HOST_DS_SELECTOR, 0);
	vmcs_write(HOST_ES_SELECTOR, 0);
	vmcs_write(HOST_FS_SELECTOR, 0);
	vmcs_write(HOST_GS_SELECTOR, 0);
	vmcs_write(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	store_idt(&idt);
	vmcs_write(HOST_IDTR_BASE, idt.address);
	vmcs_write(HOST_RIP, (unsigned long)minihv_vmx_exit_entry);
	rdmsrl(MSR_IA32_SYSENTER_CS, msr);
	vmcs_write(HOST_IA32_SYSENTER_CS, msr);
	rdmsrl(MSR_IA32_SYSENTER_EIP, msr);
	vmcs_write(HOST_IA32_SYSENTER_EIP, msr);
	rdmsrl(MSR_EFER, msr);
	vmcs_write(HOST_IA32_EFER, msr);
	if (minihv_vmx_caps.exit & VM_EXIT_LOAD_IA32_PAT) {
		rdmsrl(MSR_IA32_CR_PAT, msr);
		vmcs_write(HOST_IA32_PAT, msr);
	}
}

/*
 * Host state of the task running the vCPU, when it enters RUN and each
 * time it is scheduled back in: its page tables and CR4 may differ after
 * a switch; FS base, the user GS base, the data selectors and debug
 * state are its own and stay while it is in RUN.
 */
void minihv_vmcs_host_task(struct vmx_vcpu *v)
{
	struct vmx_host *h = &v->host;
	int i;

	vmcs_write(HOST_CR3, __read_cr3());
	vmcs_write(HOST_CR4, cr4_read_shadow());
	rdmsrl(MSR_FS_BASE, h->fs_base);
	vmcs_write(HOST_FS_BASE, h->fs_base);
	rdmsrl(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
	savesegment(ds, h->ds);
	savesegment(es, h->es);
	savesegment(fs, h->fs);
	savesegment(gs, h->gs);
	get_debugreg(h->dr7, 7);
	h->debugctl = get_debugctlmsr();
	/*
	 * TSC_AUX is this CPU's number (the host's RDTSCP/RDPID getcpu);
	 * the other switched MSRs are constants, read with the VMCS.
	 */
	for (i = 0; i < vmx_nr_switched_msrs(); i++) {
		if (v->host_msrs[i].index == MSR_KERNEL_GS_BASE)
			v->host_msrs[i].value = h->kernel_gs_base;
		else if (v->host_msrs[i].index == MSR_TSC_AUX)
			rdmsrl(MSR_TSC_AUX, v->host_msrs[i].value);
	}
}

/* Guest-owned CR0 bits: the rest exit on change (see set_cr0). */
#define CR0_GUEST_OWNED	(X86_CR0_TS | X86_CR0_MP | X86_CR0_EM | \
			 X86_CR0_WP | X86_CR0_AM)
/* What a guest may enable in CR4; VMXE stays the host's (no nesting). */
#define CR4_GUEST	(X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE | \
			 X86_CR4_PSE | X86_CR4_PAE | X86_CR4_MCE | X86_CR4_PGE | \
			 X86_CR4_PCE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT | \
			 X86_CR4_UMIP | X86_CR4_FSGSBASE | X86_CR4_PCIDE | \
			 X86_CR4_SMEP | X86_CR4_SMAP)

/*
 * The guest's view of CR0 and CR4: guest-owned bits change in the real
 * register without an exit, the others are what the guest last wrote
 * (the read shadow).
 */
u64 minihv_vmx_guest_cr0(void)
{
	return (vmcs_read(GUEST_CR0) & CR0_GUEST_OWNED) |
	       (vmcs_read(CR0_READ_SHADOW) & ~(u64)CR0_GUEST_OWNED);
}

u64 minihv_vmx_guest_cr4(void)
{
	return (vmcs_read(GUEST_CR4) & CR4_GUEST) |
	       (vmcs_read(CR4_READ_SHADOW) & ~(u64)CR4_GUEST);
}

/* 64-bit mode: IA-32e mode with a 64-bit code segment (CS.L). */
bool minihv_vmx_mode64(void)
{
	return (vmcs_read(GUEST_IA32_EFER) & EFER_LMA) &&
	       (vmcs_read(GUEST_CS_AR_BYTES) & BIT(13));
}

bool minihv_vmx_cr4_valid(u64 cr4)
{
	u64 fixed1;

	rdmsrl(MSR_IA32_VMX_CR4_FIXED1, fixed1);
	return !(cr4 & ~(CR4_GUEST & fixed1));
}

static void controls_const(struct vmx_vcpu *v)
{
	struct vmx_vm *vm = v->vcpu->vm->arch;
	const struct minihv_vmx_caps *c = &minihv_vmx_caps;
	int i;

	vmcs_write(PIN_BASED_VM_EXEC_CONTROL, c->pin);
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, c->proc);
	vmcs_write(SECONDARY_VM_EXEC_CONTROL, c->proc2);
	v->proc_ctl = c->proc;
	v->proc2_ctl = c->proc2;
	vmcs_write(VM_EXIT_CONTROLS, c->exit);
	vmcs_write(VM_ENTRY_CONTROLS, c->entry & ~VM_ENTRY_IA32E_MODE);
	vmcs_write(EXCEPTION_BITMAP, 0);	/* the guest's own, all */
	vmcs_write(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write(CR3_TARGET_COUNT, 0);
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);
	if (c->proc & CPU_BASED_USE_MSR_BITMAPS)
		vmcs_write(MSR_BITMAP, minihv_vmx_msr_bitmap_pa);
	if (c->proc & CPU_BASED_USE_TSC_OFFSETTING)
		vmcs_write(TSC_OFFSET, v->tsc_offset);
	vmcs_write(EPT_POINTER, vm->eptp);
	vmcs_write(VIRTUAL_PROCESSOR_ID, v->vpid);
	vmcs_write(VMCS_LINK_POINTER, -1ULL);

	/*
	 * The syscall MSRs: guest values loaded on entry, saved on exit;
	 * the host's are the kernel's, the same on every CPU, but for the
	 * task's user GS base (minihv_vmcs_host_task()).
	 */
	for (i = 0; i < vmx_nr_switched_msrs(); i++) {
		v->guest_msrs[i].index = minihv_vmx_switched_msrs[i];
		v->host_msrs[i].index = minihv_vmx_switched_msrs[i];
		if (v->host_msrs[i].index != MSR_KERNEL_GS_BASE)
			rdmsrl(v->host_msrs[i].index, v->host_msrs[i].value);
	}
	vmcs_write(VM_EXIT_MSR_STORE_ADDR, __pa(v->guest_msrs));
	vmcs_write(VM_EXIT_MSR_STORE_COUNT, vmx_nr_switched_msrs());
	vmcs_write(VM_ENTRY_MSR_LOAD_ADDR, __pa(v->guest_msrs));
	vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, vmx_nr_switched_msrs());
	vmcs_write(VM_EXIT_MSR_LOAD_ADDR, __pa(v->host_msrs));
	vmcs_write(VM_EXIT_MSR_LOAD_COUNT, vmx_nr_switched_msrs());

	vmcs_write(CR0_GUEST_HOST_MASK, ~(unsigned long)CR0_GUEST_OWNED);
	vmcs_write(CR4_GUEST_HOST_MASK, ~(unsigned long)CR4_GUEST);

	vmcs_write(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(GUEST_DR7, 0x400);
	vmcs_write(GUEST_ACTIVITY_STATE, 0);
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	if (c->entry & VM_ENTRY_LOAD_IA32_PAT)
		vmcs_write(GUEST_IA32_PAT, 0x0007040600070406ULL);
	vmcs_write(GUEST_SYSENTER_CS, 0);
	vmcs_write(GUEST_SYSENTER_ESP, 0);
	vmcs_write(GUEST_SYSENTER_EIP, 0);
	host_state_const();
	if (v->apic)
		minihv_vapic_vmcs_setup(v);
}

/*
 * Spectre-v2 between guests: before a vCPU of another VM than the last
 * one to run on this CPU, an indirect branch prediction barrier, so no
 * guest trains the branches of the next (where the kernel uses IBPB, as
 * KVM does on a VMCS switch; the vCPUs of one VM trust each other, and
 * the kernel already puts one between VMM processes). VM ids are unique
 * while minihv is loaded; 0 is none.
 */
static DEFINE_PER_CPU(u32, last_vm_id);

/* For the tests: count the barriers as if the kernel used IBPB. */
static bool test_ibpb;
module_param(test_ibpb, bool, 0444);

static void barrier_between_vms(struct vmx_vcpu *v)
{
	u32 id = v->vcpu->vm->id;

	if (this_cpu_read(last_vm_id) == id)
		return;
	this_cpu_write(last_vm_id, id);
	if (!boot_cpu_has(X86_FEATURE_USE_IBPB) && !test_ibpb)
		return;
	/* Patched to nothing where the kernel does not use IBPB. */
	indirect_branch_prediction_barrier();
	minihv_stat_add(&v->vcpu->stats, MINIHV_STAT_VM_BARRIERS, 1);
}

/*
 * Make @v's VMCS current on this CPU (preemption off): clear it where it
 * was active, load it here. Called at RUN and from the scheduler when
 * the vCPU task comes back on a CPU.
 */
void minihv_vmcs_load(struct vmx_vcpu *v)
{
	int cpu = smp_processor_id();
	unsigned long flags;

	if (v->cpu != cpu) {
		clear_remote(v);
		/* Not active anywhere: VMCLEAR initializes its launch state. */
		vmcs_clear(v->vmcs);
		local_irq_save(flags);
		list_add(&v->loaded, this_cpu_ptr(&loaded_vmcss));
		local_irq_restore(flags);
		/* Pairs with clear_here(): the list entry before the CPU. */
		smp_wmb();
		WRITE_ONCE(v->cpu, cpu);
		v->launched = false;
		vmcs_ptrld(v->vmcs);
		this_cpu_write(current_vmcs, v->vmcs);
		if (!v->vmcs_ready) {
			controls_const(v);
			v->vmcs_ready = true;
		}
		host_state_cpu(cpu);
	} else if (this_cpu_read(current_vmcs) != v->vmcs) {
		vmcs_ptrld(v->vmcs);
		this_cpu_write(current_vmcs, v->vmcs);
	}
	barrier_between_vms(v);
}

/* Segment register fields: ES, CS, SS, DS, FS, GS, LDTR, TR are 0..7. */
static const struct {
	size_t off;
	u8 idx;
} segs[] = {
	{ offsetof(struct minihv_sregs, es), 0 },
	{ offsetof(struct minihv_sregs, cs), 1 },
	{ offsetof(struct minihv_sregs, ss), 2 },
	{ offsetof(struct minihv_sregs, ds), 3 },
	{ offsetof(struct minihv_sregs, fs), 4 },
	{ offsetof(struct minihv_sregs, gs), 5 },
	{ offsetof(struct minihv_sregs, ldt), 6 },
	{ offsetof(struct minihv_sregs, tr), 7 },
};

#define AR_UNUSABLE	BIT(16)

static u32 seg_ar(const struct minihv_segment *s)
{
	if (s->unusable)
		return AR_UNUSABLE;
	return (s->type & 15) | (s->s & 1) << 4 | (s->dpl & 3) << 5 |
	       (s->present & 1) << 7 | (s->avl & 1) << 12 | (s->l & 1) << 13 |
	       (s->db & 1) << 14 | (s->g & 1) << 15;
}

static void seg_from_ar(struct minihv_segment *s, u32 ar)
{
	s->type = ar & 15;
	s->s = (ar >> 4) & 1;
	s->dpl = (ar >> 5) & 3;
	s->present = (ar >> 7) & 1;
	s->avl = (ar >> 12) & 1;
	s->l = (ar >> 13) & 1;
	s->db = (ar >> 14) & 1;
	s->g = (ar >> 15) & 1;
	s->unusable = (ar >> 16) & 1;
}

/* PAE paging outside long mode: VM entry takes the PDPTEs from the VMCS. */
static int load_pdptrs(struct vmx_vcpu *v, u64 cr0, u64 cr4, u64 efer,
		       u64 cr3)
{
	u64 pdpte[4];
	int i;

	if (!(cr0 & X86_CR0_PG) || !(cr4 & X86_CR4_PAE) || (efer & EFER_LMA))
		return 0;
	if (minihv_guest_access(v->vcpu->vm, cr3 & ~0x1fULL, pdpte,
				sizeof(pdpte), false))
		return -EFAULT;
	for (i = 0; i < 4; i++)
		vmcs_write(GUEST_PDPTR0 + 2 * i, pdpte[i]);
	return 0;
}

static void guest_write_cr0(u64 cr0)
{
	/*
	 * The CPU runs with NE set and caching on whatever the guest asks
	 * (as KVM does); the guest reads its own value from the shadow.
	 */
	vmcs_write(GUEST_CR0, (cr0 | X86_CR0_NE) & ~(X86_CR0_CD | X86_CR0_NW));
	vmcs_write(CR0_READ_SHADOW, cr0);
}

static void guest_write_cr4(u64 cr4)
{
	vmcs_write(GUEST_CR4, cr4 | X86_CR4_VMXE);
	vmcs_write(CR4_READ_SHADOW, cr4);
}

static void guest_write_efer(u64 efer)
{
	u32 entry = vmcs_read(VM_ENTRY_CONTROLS) & ~VM_ENTRY_IA32E_MODE;

	vmcs_write(GUEST_IA32_EFER, efer);
	vmcs_write(VM_ENTRY_CONTROLS,
		   entry | (efer & EFER_LMA ? VM_ENTRY_IA32E_MODE : 0));
}

/* Userspace's sregs into the VMCS (current), before the next entry. */
static void put_sregs(struct vmx_vcpu *v)
{
	const struct minihv_sregs *sr = &v->sregs;
	int i;

	for (i = 0; i < ARRAY_SIZE(segs); i++) {
		const struct minihv_segment *s = (const void *)sr + segs[i].off;

		vmcs_write(GUEST_ES_SELECTOR + 2 * segs[i].idx, s->selector);
		vmcs_write(GUEST_ES_BASE + 2 * segs[i].idx, s->base);
		vmcs_write(GUEST_ES_LIMIT + 2 * segs[i].idx, s->limit);
		vmcs_write(GUEST_ES_AR_BYTES + 2 * segs[i].idx, seg_ar(s));
	}
	vmcs_write(GUEST_GDTR_BASE, sr->gdt.base);
	vmcs_write(GUEST_GDTR_LIMIT, sr->gdt.limit);
	vmcs_write(GUEST_IDTR_BASE, sr->idt.base);
	vmcs_write(GUEST_IDTR_LIMIT, sr->idt.limit);
	guest_write_cr0(sr->cr0);
	guest_write_cr4(sr->cr4);
	vmcs_write(GUEST_CR3, sr->cr3);
	guest_write_efer(sr->efer);
	v->cr2 = sr->cr2;
	/* Unreadable PDPTEs leave zeros: the guest's own walk faults then. */
	if (load_pdptrs(v, sr->cr0, sr->cr4, sr->efer, sr->cr3))
		for (i = 0; i < 4; i++)
			vmcs_write(GUEST_PDPTR0 + 2 * i, 0);
}

void minihv_vmcs_get_sregs(struct vmx_vcpu *v)
{
	struct minihv_sregs *sr = &v->sregs;
	int i;

	for (i = 0; i < ARRAY_SIZE(segs); i++) {
		struct minihv_segment *s = (void *)sr + segs[i].off;

		memset(s, 0, sizeof(*s));
		s->selector = vmcs_read(GUEST_ES_SELECTOR + 2 * segs[i].idx);
		s->base = vmcs_read(GUEST_ES_BASE + 2 * segs[i].idx);
		s->limit = vmcs_read(GUEST_ES_LIMIT + 2 * segs[i].idx);
		seg_from_ar(s, vmcs_read(GUEST_ES_AR_BYTES + 2 * segs[i].idx));
	}
	sr->gdt.base = vmcs_read(GUEST_GDTR_BASE);
	sr->gdt.limit = vmcs_read(GUEST_GDTR_LIMIT);
	sr->idt.base = vmcs_read(GUEST_IDTR_BASE);
	sr->idt.limit = vmcs_read(GUEST_IDTR_LIMIT);
	sr->cr0 = minihv_vmx_guest_cr0();
	sr->cr4 = minihv_vmx_guest_cr4();
	sr->cr3 = vmcs_read(GUEST_CR3);
	sr->cr2 = v->cr2;
	sr->efer = vmcs_read(GUEST_IA32_EFER);
}

/* Before an entry: what userspace changed since the last exit. */
void minihv_vmcs_put_state(struct vmx_vcpu *v)
{
	if (v->sregs_dirty) {
		put_sregs(v);
		v->sregs_dirty = false;
	}
	if (v->tsc_dirty) {
		if (minihv_vmx_caps.proc & CPU_BASED_USE_TSC_OFFSETTING)
			vmcs_write(TSC_OFFSET, v->tsc_offset);
		v->tsc_dirty = false;
	}
}

/*
 * MOV to CR0 (SDM 2.5, 9.8.5): entering or leaving long mode with paging
 * is where EFER.LMA and the IA-32e entry control change.
 */
int minihv_vmx_set_cr0(struct vmx_vcpu *v, u64 cr0)
{
	u64 cr4 = minihv_vmx_guest_cr4();
	u64 efer = vmcs_read(GUEST_IA32_EFER);
	bool pg = cr0 & X86_CR0_PG;

	cr0 |= X86_CR0_ET;
	if (cr0 >> 32 || (pg && !(cr0 & X86_CR0_PE)) ||
	    ((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD)))
		return -EINVAL;
	if (pg && (efer & EFER_LME) && !(efer & EFER_LMA)) {
		u32 tr_ar = vmcs_read(GUEST_TR_AR_BYTES);

		if (!(cr4 & X86_CR4_PAE))
			return -EINVAL;
		efer |= EFER_LMA;
		/* Long mode wants a busy 64-bit TSS type (as KVM fixes up). */
		if ((tr_ar & 15) != 11)
			vmcs_write(GUEST_TR_AR_BYTES, (tr_ar & ~15U) | 11);
	} else if (!pg && (efer & EFER_LMA)) {
		efer &= ~EFER_LMA;
	}
	if (load_pdptrs(v, cr0, cr4, efer, vmcs_read(GUEST_CR3)))
		return -EINVAL;
	guest_write_efer(efer);
	guest_write_cr0(cr0);
	return 0;
}

int minihv_vmx_set_cr4(struct vmx_vcpu *v, u64 cr4)
{
	u64 efer = vmcs_read(GUEST_IA32_EFER);

	if (!minihv_vmx_cr4_valid(cr4) ||
	    ((efer & EFER_LMA) && !(cr4 & X86_CR4_PAE)))
		return -EINVAL;
	if (load_pdptrs(v, minihv_vmx_guest_cr0(), cr4, efer,
			vmcs_read(GUEST_CR3)))
		return -EINVAL;
	guest_write_cr4(cr4);
	return 0;
}

/* WRMSR EFER: LMA is the CPU's to set; LME may not change with paging on. */
int minihv_vmx_set_efer(struct vmx_vcpu *v, u64 efer)
{
	u64 old = vmcs_read(GUEST_IA32_EFER);
	bool pg = minihv_vmx_guest_cr0() & X86_CR0_PG;

	if (efer & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX))
		return -EINVAL;
	if (pg && ((efer ^ old) & EFER_LME))
		return -EINVAL;
	efer = (efer & ~EFER_LMA) | (old & EFER_LMA);
	guest_write_efer(efer);
	return 0;
}
