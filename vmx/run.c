// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 run loop: one VM entry per iteration with interrupts off, the
 * guest's FPU and CR2 swapped in around it, the host's debug state put
 * back after it, and its segments and descriptor-table limits before the
 * task's userspace or another task runs.
 *
 * The VMCS follows the task: a preempt notifier makes it current again
 * on whichever CPU the scheduler picks (as KVM does), so exit handlers may
 * sleep.
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/cache.h>
#include <linux/gfp.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/stringify.h>

#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/fpu/api.h>
#include <asm/msr.h>
#include <asm/special_insns.h>
#include <asm/tsc.h>
#include <asm/vmx.h>

#include "core/minihv.h"
#include "vmx/vmx.h"

static void sched_in(struct preempt_notifier *pn, int cpu)
{
	struct vmx_vcpu *v = container_of(pn, struct vmx_vcpu, pn);

	minihv_vmcs_load(v);
	minihv_vmcs_host_task(v);
	v->flush_l1d = true;
	minihv_clock_sched_in(v->vcpu);
}

#define DR7_AFTER_EXIT	0x400

/*
 * The host's debug state, with interrupts off right after the exit: its
 * hardware breakpoints may watch the kernel itself.
 */
static void restore_host_debug(const struct vmx_host *h)
{
	if (h->dr7 != DR7_AFTER_EXIT)
		set_debugreg(h->dr7, 7);
	if (h->debugctl)
		update_debugctlmsr(h->debugctl);
}

/*
 * What only the task's userspace (or the next task) depends on: the data
 * selectors, the GDT limit VM exit sets to 0xffff (LSL, segment loads)
 * and the TSS limit it sets to 0x67 (the I/O bitmap). The kernel runs
 * fine without them, so they are put back once, when RUN returns or the
 * task is scheduled out, not after every exit (as KVM does).
 */
static void restore_host_segments(struct vmx_vcpu *v)
{
	const struct vmx_host *h = &v->host;

	if (!v->host_segs_clobbered)
		return;
	if (h->ds)
		loadsegment(ds, h->ds);
	if (h->es)
		loadsegment(es, h->es);
	if (h->fs) {
		loadsegment(fs, h->fs);
		wrmsrl(MSR_FS_BASE, h->fs_base);
	}
	if (h->gs) {
		load_gs_index(h->gs);
		wrmsrl(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
	}
	load_fixmap_gdt(raw_smp_processor_id());
	invalidate_tss_limit();
	v->host_segs_clobbered = false;
}

static void sched_out(struct preempt_notifier *pn, struct task_struct *next)
{
	struct vmx_vcpu *v = container_of(pn, struct vmx_vcpu, pn);

	restore_host_segments(v);
	minihv_clock_sched_out(v->vcpu);
}

struct preempt_ops minihv_vmx_preempt_ops = {
	.sched_in = sched_in,
	.sched_out = sched_out,
};

/*
 * The VMX-preemption timer (ENV: Bochs lets a guest with IF=0 keep the CPU
 * through host interrupts): an exit at least every millisecond.
 */
static u32 preemption_ticks;

/*
 * L1 Terminal Fault: on affected CPUs a guest can read what the host
 * left in L1D, so it is flushed before an entry that follows host work
 * (a new RUN, a reschedule, a host interrupt or NMI), as KVM's "cond"
 * mode does: with IA32_FLUSH_CMD, or by reading a buffer twice L1D's
 * size through it where the CPU lacks the MSR. Not needed nested on a
 * hypervisor that flushes (ARCH_CAP_SKIP_VMENTRY_L1DFLUSH).
 */
#define L1D_FILL_SIZE	(64 * 1024)

static bool l1d_flush;
static u8 *l1d_fill;

static int l1d_flush_setup(void)
{
	u64 caps = 0;

	if (!boot_cpu_has_bug(X86_BUG_L1TF))
		return 0;
	if (boot_cpu_has(X86_FEATURE_ARCH_CAPABILITIES))
		rdmsrl_safe(MSR_IA32_ARCH_CAPABILITIES, &caps);
	if (caps & ARCH_CAP_SKIP_VMENTRY_L1DFLUSH)
		return 0;
	if (!boot_cpu_has(X86_FEATURE_FLUSH_L1D)) {
		l1d_fill = (u8 *)__get_free_pages(GFP_KERNEL | __GFP_ZERO,
						  get_order(L1D_FILL_SIZE));
		if (!l1d_fill)
			return -ENOMEM;
	}
	l1d_flush = true;
	return 0;
}

void minihv_vmx_run_cleanup(void)
{
	if (l1d_fill)
		free_pages((unsigned long)l1d_fill, get_order(L1D_FILL_SIZE));
	l1d_fill = NULL;
}

/* Lines read per step of the fill loop: the step is straight-line code. */
#define L1D_FILL_STEP	16

static void flush_l1d(void)
{
	const u8 *p, *end;

	if (!l1d_fill) {
		wrmsrl(MSR_IA32_FLUSH_CMD, L1D_FLUSH);
		return;
	}
	end = l1d_fill + L1D_FILL_SIZE;
	/*
	 * Every line of the buffer displaces one of L1D's. Sixteen lines a
	 * step: one a step spent three instructions of every four on the
	 * loop itself (4,100 of the 6,200 of an interrupt's round trip in
	 * Bochs, which has no IA32_FLUSH_CMD). The compiler folds a C loop
	 * of volatile reads back into one read a step, hence the assembler.
	 */
	for (p = l1d_fill; p < end; p += L1D_FILL_STEP * L1_CACHE_BYTES)
		asm volatile(".set .Lline, 0\n\t"
			     ".rept " __stringify(L1D_FILL_STEP) "\n\t"
			     "movzbl .Lline(%[p]), %%eax\n\t"
			     ".set .Lline, .Lline + " __stringify(L1_CACHE_BYTES)
			     "\n\t.endr"
			     : : [p] "r"(p) : "eax", "memory");
}

int minihv_vmx_run_setup(void)
{
	u64 misc;

	rdmsrl(MSR_IA32_VMX_MISC, misc);
	preemption_ticks = max_t(u64, tsc_khz >> (misc & 0x1f), 1);
	return l1d_flush_setup();
}

static void read_exit(struct vmx_vcpu *v)
{
	struct vmx_exit *e = &v->exit;

	e->reason = vmcs_read(VM_EXIT_REASON);
	e->qual = vmcs_read(EXIT_QUALIFICATION);
	e->insn_len = vmcs_read(VM_EXIT_INSTRUCTION_LEN);
	e->insn_info = vmcs_read(VMX_INSTRUCTION_INFO);
	e->intr_info = vmcs_read(VM_EXIT_INTR_INFO);
	e->gpa = vmcs_read(GUEST_PHYSICAL_ADDRESS);
	e->rip = vmcs_read(GUEST_RIP);
	e->idt_vectoring = vmcs_read(IDT_VECTORING_INFO_FIELD);
	e->idt_error = vmcs_read(IDT_VECTORING_ERROR_CODE);
	v->gprs[GPR_RSP] = vmcs_read(GUEST_RSP);
}

/*
 * The NOP hypercall, answered with interrupts still off and straight back
 * into the guest: no exit handler, no FPU or debug-register switch, no
 * trip through the run loop (arm64 answers it at EL2, el2/hyp.S). A kick
 * since the entry, or a host interrupt (it exits at once, interrupts
 * being off), ends the loop. So does FAST_HCALLS_MAX in a row, for Bochs,
 * which lets a guest with IF=0 keep the CPU through host interrupts.
 */
#define FAST_HCALLS_MAX	256

static bool fast_exit(struct vmx_vcpu *v, unsigned int n)
{
	if (n >= FAST_HCALLS_MAX ||
	    vmcs_read(VM_EXIT_REASON) != EXIT_REASON_VMCALL ||
	    v->gprs[GPR_RAX] != MINIHV_HCALL_NOP ||
	    test_bit(MINIHV_REQ_EVENT, &v->vcpu->requests))
		return false;
	v->gprs[GPR_RAX] = 0;
	/* The two fields skip_insn needs; read_exit() reads the last exit. */
	v->exit.rip = vmcs_read(GUEST_RIP);
	v->exit.insn_len = vmcs_read(VM_EXIT_INSTRUCTION_LEN);
	minihv_vmx_skip_insn(v);
	return true;
}

#define ENTER_FAILED	0
#define ENTER_RAN	1
#define ENTER_KICKED	2	/* a kick came in first: look again */

/* One entry and its exit. */
static int enter_once(struct vmx_vcpu *v)
{
	unsigned int n;
	int failed;

	vmcs_write(GUEST_RSP, v->gprs[GPR_RSP]);
	if (minihv_vmx_caps.pin & PIN_BASED_VMX_PREEMPTION_TIMER)
		vmcs_write(VMX_PREEMPTION_TIMER_VALUE, preemption_ticks);

	/* The guest owns the x87/SSE registers while it runs. */
	kernel_fpu_begin();
	local_irq_disable();
	/*
	 * From here a kick (an interrupt posted for this vCPU) finds it in
	 * guest mode and sends an IPI, which makes the entry exit at once;
	 * what came before is injected now (core/kick.c).
	 */
	if (!minihv_vcpu_enter_guest_mode(v->vcpu)) {
		local_irq_enable();
		kernel_fpu_end();
		return ENTER_KICKED;
	}
	minihv_vmx_inject_events(v);
	asm volatile("fxrstorq %0" : : "m"(*v->fpu));
	if (native_read_cr2() != v->cr2)
		native_write_cr2(v->cr2);
	if (l1d_flush && v->flush_l1d) {
		flush_l1d();
		v->flush_l1d = false;
	}

	failed = minihv_vmx_enter(v->gprs, v->launched);
	for (n = 0; !failed && fast_exit(v, n); n++)
		failed = minihv_vmx_enter(v->gprs, true);
	v->fast_hcalls += n;
	minihv_vcpu_exit_guest_mode(v->vcpu);

	v->cr2 = native_read_cr2();
	restore_host_debug(&v->host);
	v->host_segs_clobbered = true;
	asm volatile("fxsaveq %0" : "=m"(*v->fpu));
	if (!failed) {
		read_exit(v);
		/* An entry that failed on guest state did not launch it. */
		if (!(v->exit.reason & VMX_EXIT_REASONS_FAILED_VMENTRY))
			v->launched = true;
		/* An NMI for the host: its handler runs now, interrupts off. */
		if ((v->exit.intr_info & (INTR_INFO_VALID_MASK |
					  INTR_INFO_INTR_TYPE_MASK)) ==
		    (INTR_INFO_VALID_MASK | INTR_TYPE_NMI_INTR) &&
		    v->exit.reason == EXIT_REASON_EXCEPTION_NMI) {
			minihv_vmx_do_nmi();
			v->flush_l1d = true;
		}
		/* Its handler runs once interrupts are back on. */
		if (v->exit.reason == EXIT_REASON_EXTERNAL_INTERRUPT)
			v->flush_l1d = true;
	}
	local_irq_enable();
	kernel_fpu_end();
	return failed ? ENTER_FAILED : ENTER_RAN;
}

static int fail_entry(struct vmx_vcpu *v, u64 reason)
{
	struct minihv_run *run = v->vcpu->run;

	run->exit_reason = MINIHV_EXIT_FAIL_ENTRY;
	run->fail_entry.hardware_entry_failure_reason = reason;
	run->fail_entry.cpu = raw_smp_processor_id();
	pr_info_ratelimited("VM entry failed: 0x%llx\n", reason);
	return 0;
}

static int run_loop(struct vmx_vcpu *v)
{
	struct minihv_run *run = v->vcpu->run;
	int ret;

	for (;;) {
		minihv_vcpu_take_kicks(v->vcpu);
		if (READ_ONCE(run->immediate_exit) || signal_pending(current)) {
			run->exit_reason = MINIHV_EXIT_INTR;
			return -EINTR;
		}
		cond_resched();
		/* INIT and start-up IPIs; a vCPU waiting for one sleeps. */
		if (minihv_vmx_mp_events(v))
			continue;
		minihv_clock_sync(v->vcpu);
		/*
		 * Userspace's register changes, before preemption goes off:
		 * PAE paging reads the PDPTEs from guest memory, under the
		 * VM's mutex (the VMCS follows the thread if it migrates).
		 */
		minihv_vmcs_put_state(v);

		preempt_disable();
		ret = enter_once(v);
		if (ret == ENTER_FAILED) {
			ret = fail_entry(v, MINIHV_ENTRY_FAIL_VMFAIL |
					 vmcs_read(VM_INSTRUCTION_ERROR));
			preempt_enable();
			return ret;
		}
		preempt_enable();
		if (v->fast_hcalls) {
			minihv_stat_fast_exits(v->vcpu, EXIT_REASON_VMCALL,
					       MINIHV_STAT_HYPERCALLS,
					       v->fast_hcalls);
			v->fast_hcalls = 0;
		}
		if (ret == ENTER_KICKED)
			continue;

		/* Bit 31: the entry itself failed (SDM 27.8). */
		if (v->exit.reason & VMX_EXIT_REASONS_FAILED_VMENTRY)
			return fail_entry(v, v->exit.reason);
		ret = minihv_vmx_handle_exit(v);
		if (ret <= 0)
			return ret;
	}
}

int minihv_vmx_vcpu_run(struct minihv_vcpu *vcpu)
{
	struct vmx_vcpu *v = vcpu->arch;
	int ret;

	memcpy(v->gprs, &vcpu->regs, sizeof(v->gprs));
	preempt_disable();
	minihv_vmcs_load(v);
	minihv_vmcs_host_task(v);
	v->flush_l1d = true;
	preempt_notifier_register(&v->pn);
	vmcs_write(GUEST_RIP, vcpu->regs.rip);
	vmcs_write(GUEST_RFLAGS, vcpu->regs.rflags);
	preempt_enable();

	minihv_vmx_complete_pending(v);
	ret = run_loop(v);

	preempt_disable();
	restore_host_segments(v);
	vcpu->regs.rip = vmcs_read(GUEST_RIP);
	vcpu->regs.rflags = vmcs_read(GUEST_RFLAGS);
	preempt_notifier_unregister(&v->pn);
	preempt_enable();
	memcpy(&vcpu->regs, v->gprs, sizeof(v->gprs));
	v->sregs_stale = true;
	return ret;
}
