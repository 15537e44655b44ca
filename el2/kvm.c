// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's own KVM, beside minihv.
 *
 * Whether it is enabled at all (kvm-arm.mode=none turns it off): asked
 * once, at load, through kvm_get_mode(), found by kallsyms (not
 * exported, and absent from kernels without KVM).
 *
 * nVHE: KVM takes EL2 when its first VM is created, on every CPU, in
 * kvm_arch_hardware_enable(), through the stub's HVC_RESET_VECTORS and
 * HVC_SET_VECTORS. While minihv VMs exist EL2 refuses those calls, but
 * KVM does not check their result: it would go on to its own init call,
 * warn when that fails, and then believe it holds EL2. So minihv stops
 * the attempt before it starts, with a kprobe on that function which,
 * on a pinned CPU, returns -EBUSY from it without running it. KVM then
 * does what it does when a CPU cannot be enabled: KVM_CREATE_VM fails
 * with EBUSY ("kvm: enabling virtualization on CPU<n> failed"), nothing
 * of its state changes, and minihv logs one line saying who tried.
 * While no minihv VM exists the probe lets KVM through untouched.
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/atomic.h>
#include <linux/kprobes.h>
#include <linux/ptrace.h>
#include <linux/workqueue.h>

#include <asm/kvm_host.h>

#include "el2/kvm.h"

static bool kvm_enabled;
static bool (*cpu_pinned)(void);
static bool gate_armed;

/*
 * Refused attempts: counted in the probe, logged from process context.
 * KVM asks every CPU in one on_each_cpu() round; the line waits a tenth
 * of a second so that one round is one line, with its CPU count.
 */
static atomic64_t refused;
static atomic_t refused_cpus;
static unsigned long refused_from;

static void report_refusal(struct work_struct *work)
{
	int cpus = atomic_xchg(&refused_cpus, 0);

	if (cpus)
		pr_info("refused KVM's hardware enable (from %pS) on %d CPU(s) while minihv has VMs: KVM_CREATE_VM fails with EBUSY\n",
			(void *)READ_ONCE(refused_from), cpus);
}

static DECLARE_DELAYED_WORK(report_work, report_refusal);

/* At the function's first instruction: x30 is still the caller's. */
static int gate_pre(struct kprobe *p, struct pt_regs *regs)
{
	if (!cpu_pinned())
		return 0;
	WRITE_ONCE(refused_from, procedure_link_pointer(regs));
	regs->regs[0] = -EBUSY;
	instruction_pointer_set(regs, procedure_link_pointer(regs));
	atomic64_inc(&refused);
	atomic_inc(&refused_cpus);
	schedule_delayed_work(&report_work, HZ / 10);
	/* Non-zero: the pc was changed, do not single-step the original. */
	return 1;
}

static struct kprobe gate = {
	.symbol_name = "kvm_arch_hardware_enable",
	.pre_handler = gate_pre,
};

void minihv_el2_kvm_init(bool (*pinned)(void))
{
	enum kvm_mode (*get_mode)(void);
	int ret;

	get_mode = (void *)minihv_el2_lookup_symbol("kvm_get_mode");
	kvm_enabled = get_mode && get_mode() != KVM_MODE_NONE;
	atomic64_set(&refused, 0);
	if (!kvm_enabled || !pinned)
		return;
	cpu_pinned = pinned;
	ret = register_kprobe(&gate);
	if (ret) {
		pr_info("cannot watch KVM's hardware enable (kprobe: %d): a KVM VM made while minihv has VMs meets EL2's refusal instead, and KVM warns\n",
			ret);
		return;
	}
	gate_armed = true;
}

void minihv_el2_kvm_exit(void)
{
	if (gate_armed)
		unregister_kprobe(&gate);
	gate_armed = false;
	flush_delayed_work(&report_work);
}

bool minihv_el2_kvm_enabled(void)
{
	return kvm_enabled;
}

u64 minihv_el2_kvm_refusals(void)
{
	return atomic64_read(&refused);
}
