// SPDX-License-Identifier: GPL-2.0
/*
 * nVHE: take EL2 over from the kernel's hyp stub on every CPU, and give it
 * back. The stub installs any vector table we hand it (HVC_SET_VECTORS);
 * minihv's vectors then turn on EL2's MMU with minihv's tables
 * (MINIHV_HC_INIT). Giving back restores the stub's vectors, whose
 * address the stub never tells: it comes from kallsyms.
 *
 * EL2 is shared with the kernel's KVM the way KVM itself shares it:
 * whoever has VMs holds it. minihv takes EL2 at load; while it has no
 * VM, a host call that hands EL2 over through the stub's ABI (KVM's
 * HVC_RESET_VECTORS at its first VM) is honoured, and minihv takes EL2
 * back through the stub when its next VM is created (-EBUSY if another
 * hypervisor holds it then). While minihv VMs exist every CPU is pinned:
 * EL2 refuses such calls, and KVM's attempt is stopped before it starts
 * (el2/kvm.c). Who holds EL2 is always asked live (el2_owner()).
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/arm-smccc.h>
#include <linux/cpu_pm.h>
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/string.h>

#include <asm/kvm_arm.h>
#include <asm/memory.h>
#include <asm/sysreg.h>
#include <asm/virt.h>

#include "el2/el2.h"
#include "el2/hyp.h"
#include "timer/arch_timer.h"

static struct minihv_el2 el2;
static struct minihv_arch_ops nvhe_ops;
static DEFINE_PER_CPU(struct hyp_cpu *, hyp_cpu);

/* Set while minihv VMs exist: CPUs coming up are pinned too. */
static bool want_pinned;

/* What the last give-back found on each CPU, for the unload line. */
enum give_back { GAVE_NOTHING, GAVE_BACK, GAVE_ELSEWHERE };
static DEFINE_PER_CPU(int, gave);

/* EL2's refusals already logged, per CPU, guarded by @report_lock. */
static DEFINE_PER_CPU(u64, refusals_logged);
static DEFINE_MUTEX(report_lock);

static unsigned long hvc(unsigned long fn, unsigned long arg)
{
	struct arm_smccc_res res;

	arm_smccc_1_1_hvc(fn, arg, &res);
	return res.a0;
}

/*
 * Our EL2 code answers, runs with its MMU and caches on, and refuses a
 * call it does not know (just past the table) instead of hanging.
 */
static bool nvhe_cpu_check(void)
{
	const unsigned long on = SCTLR_ELx_M | SCTLR_ELx_C | SCTLR_ELx_I;
	struct arm_smccc_res res;

	arm_smccc_1_1_hvc(MINIHV_HC_VERSION, &res);
	if (res.a0 != MINIHV_HYP_VERSION || (res.a1 & on) != on)
		return false;
	return hvc(MINIHV_HC_BASE + MINIHV_HC_NR, 0) ==
	       (unsigned long)MINIHV_HC_UNKNOWN;
}

/*
 * MINIHV_GET_INFO's look (ops->cpu_check): as nvhe_cpu_check(), and a
 * CPU that minihv holds by its books (no hand-over cleared ->owned) but
 * whose EL2 does not answer as minihv's says what answered, once.
 */
static bool nvhe_cpu_owned(void)
{
	struct hyp_cpu *hc = this_cpu_read(hyp_cpu);
	struct arm_smccc_res res;

	if (nvhe_cpu_check())
		return true;
	if (!READ_ONCE(hc->owned))
		return false;
	arm_smccc_1_1_hvc(MINIHV_HC_VERSION, &res);
	pr_err("CPU %d: EL2 lost without a hand-over: the version call gave %#lx (SCTLR %#lx), the stub's call %#lx\n",
	       smp_processor_id(), res.a0, res.a1, hvc(HVC_STUB_HCALL_NR, 0));
	WRITE_ONCE(hc->owned, 0);
	return false;
}

enum el2_owner { EL2_MINIHV, EL2_STUB, EL2_OTHER };

/*
 * Who answers "hvc" on this CPU. The stub returns HVC_STUB_ERR for an id
 * it does not know (so does minihv's EL2, asked first); KVM's EL2 says
 * SMCCC NOT_SUPPORTED.
 */
static enum el2_owner el2_owner(void)
{
	if (nvhe_cpu_check())
		return EL2_MINIHV;
	if (hvc(HVC_STUB_HCALL_NR, 0) == HVC_STUB_ERR)
		return EL2_STUB;
	return EL2_OTHER;
}

/*
 * Interrupts off: EL2 of this CPU is minihv's after this, or -EBUSY if
 * another hypervisor holds it, or -EIO.
 */
static int take_here(void)
{
	struct hyp_cpu *hc = this_cpu_read(hyp_cpu);

	switch (el2_owner()) {
	case EL2_MINIHV:
		WRITE_ONCE(hc->owned, 1);
		return 0;
	case EL2_OTHER:
		return -EBUSY;
	case EL2_STUB:
		break;
	}
	if (hvc(HVC_SET_VECTORS, el2.vectors))
		return -EIO;
	/* INIT drops every guest entry: the last holder's VMIDs were not ours. */
	if (hvc(MINIHV_HC_INIT, virt_to_phys(hc)) || !nvhe_cpu_check()) {
		hvc(MINIHV_HC_RESET, 0);
		return -EIO;
	}
	WRITE_ONCE(hc->owned, 1);
	/* ICH_VTR_EL2 is only readable at EL2: ask now that EL2 is ours. */
	if (!minihv_el2_caps.ich_vtr && minihv_el2_has_gicv3_sysregs()) {
		minihv_el2_caps.ich_vtr = hvc(MINIHV_HC_ICH_VTR, 0);
		minihv_el2_found_ich_vtr(&nvhe_ops);
	}
	return 0;
}

/*
 * A CPU coming online (and every CPU at load, which the probe found with
 * the stub). One that comes up with another hypervisor at EL2 is left to
 * it: failing here would fail the CPU's hotplug; minihv takes it again
 * at its next VM.
 */
static int nvhe_cpu_enable(void)
{
	struct hyp_cpu *hc = this_cpu_read(hyp_cpu);
	unsigned long flags;
	int err;

	local_irq_save(flags);
	WRITE_ONCE(hc->pinned, READ_ONCE(want_pinned));
	err = take_here();
	local_irq_restore(flags);
	if (err == -EBUSY) {
		pr_info("CPU %d came up with EL2 held by another hypervisor: left to it\n",
			smp_processor_id());
		err = 0;
	}
	return err;
}

/* Unload, CPU offline, reboot and kexec: minihv's own give-back. */
static void nvhe_cpu_disable(void)
{
	struct hyp_cpu *hc = this_cpu_read(hyp_cpu);
	unsigned long flags;

	local_irq_save(flags);
	WRITE_ONCE(hc->pinned, 0);
	if (!nvhe_cpu_check()) {
		/* Handed over on request, or lost with the CPU's power. */
		WRITE_ONCE(hc->owned, 0);
		this_cpu_write(gave, GAVE_ELSEWHERE);
		local_irq_restore(flags);
		return;
	}
	hvc(MINIHV_HC_RESET, 0);
	this_cpu_write(gave, GAVE_BACK);
	local_irq_restore(flags);
	if (el2_owner() != EL2_STUB)
		pr_err("CPU %d: the hyp stub does not answer after give-back\n",
		       smp_processor_id());
}

/*
 * A CPU that lost power comes back through the kernel, i.e. the stub:
 * take it again if it was ours (a hypervisor that took it meanwhile
 * keeps it).
 */
static int nvhe_cpu_pm(struct notifier_block *nb, unsigned long cmd,
		       void *unused)
{
	struct hyp_cpu *hc = this_cpu_read(hyp_cpu);

	if (cmd != CPU_PM_EXIT || !READ_ONCE(hc->owned) || nvhe_cpu_check())
		return NOTIFY_OK;
	if (el2_owner() != EL2_STUB)
		WRITE_ONCE(hc->owned, 0);
	else if (take_here())
		pr_err("CPU %d: cannot re-take EL2 after power-down\n",
		       smp_processor_id());
	return NOTIFY_OK;
}

static struct notifier_block nvhe_cpu_pm_nb = {
	.notifier_call = nvhe_cpu_pm,
};

/* The first minihv VM: pin every CPU, taking EL2 back where it was lent. */
static cpumask_t claim_busy;

static void claim_ipi(void *unused)
{
	struct hyp_cpu *hc = this_cpu_read(hyp_cpu);

	WRITE_ONCE(hc->pinned, 1);
	if (take_here())
		cpumask_set_cpu(smp_processor_id(), &claim_busy);
	/* KVM's vCPUs may have left the timer PPI in any state. */
	minihv_arch_timer_forget_cpu();
}

static void unpin_ipi(void *unused)
{
	WRITE_ONCE(this_cpu_read(hyp_cpu)->pinned, 0);
}

/* One line per CPU whose EL2 refused to hand over since the last look. */
static void el2_report_refusals(void)
{
	int cpu;

	mutex_lock(&report_lock);
	for_each_possible_cpu(cpu) {
		struct hyp_cpu *hc = per_cpu(hyp_cpu, cpu);
		u64 *seen = per_cpu_ptr(&refusals_logged, cpu);
		u64 n = READ_ONCE(hc->refused);

		if (n == *seen)
			continue;
		pr_info("CPU %d: EL2 refused %llu hand-over call(s) (stub id %llu, last from %pS) while minihv had VMs\n",
			cpu, n - *seen, READ_ONCE(hc->refused_id),
			(void *)READ_ONCE(hc->refused_lr));
		*seen = n;
	}
	mutex_unlock(&report_lock);
}

static int nvhe_claim(void)
{
	int cpu;

	WRITE_ONCE(want_pinned, true);
	cpumask_clear(&claim_busy);
	on_each_cpu(claim_ipi, NULL, 1);
	cpu = cpumask_first(&claim_busy);
	if (cpu >= nr_cpu_ids)
		return 0;
	/* CPUs taken back stay minihv's, unpinned: the next VM needs them. */
	WRITE_ONCE(want_pinned, false);
	on_each_cpu(unpin_ipi, NULL, 1);
	pr_info("cannot create a VM: EL2 of CPU %d is held by another hypervisor (a KVM VM?); retry once it lets go\n",
		cpu);
	return -EBUSY;
}

static void nvhe_release(void)
{
	WRITE_ONCE(want_pinned, false);
	on_each_cpu(unpin_ipi, NULL, 1);
	el2_report_refusals();
}

static bool nvhe_cpu_pinned(void)
{
	return READ_ONCE(this_cpu_read(hyp_cpu)->pinned);
}

/*
 * For MINIHV_GET_INFO: caps[5] the online CPUs whose EL2 minihv handed
 * over on request and does not hold now, caps[6] the hand-overs since
 * load, caps[7] those refused (EL2's and KVM's attempts stopped early).
 */
static atomic_t lent_cpus;

static void count_lent_ipi(void *unused)
{
	struct hyp_cpu *hc = this_cpu_read(hyp_cpu);

	if (!READ_ONCE(hc->owned) && !nvhe_cpu_check())
		atomic_inc(&lent_cpus);
}

static void nvhe_el2_stats(u64 caps[MINIHV_ARCH_CAPS])
{
	u64 handovers = 0, refused = 0;
	int cpu;

	atomic_set(&lent_cpus, 0);
	on_each_cpu(count_lent_ipi, NULL, 1);
	for_each_possible_cpu(cpu) {
		handovers += READ_ONCE(per_cpu(hyp_cpu, cpu)->handovers);
		refused += READ_ONCE(per_cpu(hyp_cpu, cpu)->refused);
	}
	caps[5] = atomic_read(&lent_cpus);
	caps[6] = handovers;
	caps[7] = refused + minihv_el2_kvm_refusals();
	el2_report_refusals();
}

/* MINIHV_HC_EL2_REGS, for the debugfs view: false if EL2 is not ours. */
static bool nvhe_el2_regs(u64 regs[EL2_REG_NR])
{
	struct hyp_cpu *hc = this_cpu_read(hyp_cpu);

	if (!nvhe_cpu_check())
		return false;
	hvc(MINIHV_HC_EL2_REGS, minihv_el2_has_gicv3_sysregs());
	memcpy(regs, hc->el2_regs, sizeof(hc->el2_regs));
	return true;
}

static const char *nvhe_el2_owner_name(void)
{
	switch (el2_owner()) {
	case EL2_MINIHV:
		return nvhe_cpu_pinned() ? "minihv (pinned)" : "minihv";
	case EL2_STUB:
		return "stub";
	default:
		return "other";
	}
}

/*
 * For the tests (debugfs): a stub call as another kernel user would
 * make it, on this CPU. Returns what EL2 answered.
 */
static unsigned long nvhe_stub_call(unsigned long id)
{
	unsigned long arg = id == HVC_SET_VECTORS ? el2.stub_vectors : 0;

	return hvc(id, arg);
}

static void free_hyp_cpus(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		if (per_cpu(hyp_cpu, cpu))
			free_pages_exact(per_cpu(hyp_cpu, cpu), HYP_CPU_SIZE);
		per_cpu(hyp_cpu, cpu) = NULL;
	}
}

static int alloc_hyp_cpus(void)
{
	struct hyp_cpu *hc;
	int cpu;

	BUILD_BUG_ON(offsetof(struct hyp_cpu, ttbr0) != HYP_CPU_TTBR0);
	BUILD_BUG_ON(offsetof(struct hyp_cpu, tcr) != HYP_CPU_TCR);
	BUILD_BUG_ON(offsetof(struct hyp_cpu, mair) != HYP_CPU_MAIR);
	BUILD_BUG_ON(offsetof(struct hyp_cpu, sctlr) != HYP_CPU_SCTLR);
	BUILD_BUG_ON(offsetof(struct hyp_cpu, sp) != HYP_CPU_SP);
	BUILD_BUG_ON(offsetof(struct hyp_cpu, stub_vectors) !=
		     HYP_CPU_STUB_VECTORS);
	BUILD_BUG_ON(offsetof(struct hyp_cpu, pinned) != HYP_CPU_PINNED);
	BUILD_BUG_ON(offsetof(struct hyp_cpu, owned) != HYP_CPU_OWNED);
	BUILD_BUG_ON(offsetof(struct hyp_cpu, handovers) != HYP_CPU_HANDOVERS);
	BUILD_BUG_ON(offsetof(struct hyp_cpu, refused) != HYP_CPU_REFUSED);
	BUILD_BUG_ON(offsetof(struct hyp_cpu, refused_id) !=
		     HYP_CPU_REFUSED_ID);
	BUILD_BUG_ON(offsetof(struct hyp_cpu, refused_lr) !=
		     HYP_CPU_REFUSED_LR);
	BUILD_BUG_ON(offsetof(struct hyp_cpu, el2_regs) != HYP_CPU_EL2_REGS);
	/* The rest of the pages is EL2's stack. */
	BUILD_BUG_ON(sizeof(struct hyp_cpu) > HYP_CPU_SIZE / 2);

	for_each_possible_cpu(cpu) {
		hc = alloc_pages_exact(HYP_CPU_SIZE, GFP_KERNEL | __GFP_ZERO);
		if (!hc) {
			free_hyp_cpus();
			return -ENOMEM;
		}
		hc->ttbr0 = el2.ttbr0;
		hc->tcr = el2.tcr;
		hc->mair = el2.mair;
		hc->sctlr = el2.sctlr;
		hc->sp = virt_to_phys(hc) + HYP_CPU_SIZE;
		hc->stub_vectors = el2.stub_vectors;
		minihv_el2_clean_poc(hc, sizeof(*hc));
		per_cpu(hyp_cpu, cpu) = hc;
	}
	return 0;
}

/* Copy the EL2 image into contiguous pages EL2 can run from with VA == PA. */
static int load_image(void)
{
	el2.image_size = __minihv_hyp_end - __minihv_hyp_start;
	el2.image = alloc_pages_exact(el2.image_size, GFP_KERNEL);
	if (!el2.image)
		return -ENOMEM;
	memcpy(el2.image, __minihv_hyp_start, el2.image_size);
	minihv_el2_clean_poc(el2.image, el2.image_size);
	el2.vectors = virt_to_phys(el2.image);
	return 0;
}

/* After every CPU's give-back: say where EL2 is now. */
static void report_unload(void)
{
	int cpu, back = 0, elsewhere = 0;

	for_each_online_cpu(cpu) {
		if (per_cpu(gave, cpu) == GAVE_BACK)
			back++;
		else if (per_cpu(gave, cpu) == GAVE_ELSEWHERE)
			elsewhere++;
	}
	if (!back && !elsewhere)
		return;		/* a failed load: EL2 was never taken */
	if (elsewhere)
		pr_info("EL2 given back to the hyp stub on %d CPUs; %d were with another hypervisor already\n",
			back, elsewhere);
	else
		pr_info("EL2 given back to the hyp stub on %d CPUs\n", back);
}

static void nvhe_unprobe(void)
{
	report_unload();
	el2_report_refusals();
	minihv_el2_kvm_exit();
	minihv_el2_guest_hw_exit();
	minihv_el2_vmid_exit();
	cpu_pm_unregister_notifier(&nvhe_cpu_pm_nb);
	free_hyp_cpus();
	free_pages_exact(el2.image, el2.image_size);
	minihv_el2_mmu_exit(&el2);
}

static u64 nvhe_enter(struct el2_vcpu_ctx *ctx)
{
	return hvc(MINIHV_HC_VCPU_RUN, virt_to_phys(ctx));
}

static void nvhe_flush_vmid(u64 vttbr)
{
	hvc(MINIHV_HC_FLUSH_VMID, vttbr);
}

static void nvhe_flush_guests_local(void)
{
	hvc(MINIHV_HC_FLUSH_GUESTS, 0);
}

static struct minihv_arch_ops nvhe_ops = {
	.arch = MINIHV_ARCH_ARM64,
	.mode = MINIHV_MODE_NVHE,
	.mode_name = "nVHE",
	.unprobe = nvhe_unprobe,
	.cpu_enable = nvhe_cpu_enable,
	.cpu_disable = nvhe_cpu_disable,
	.cpu_check = nvhe_cpu_owned,
	MINIHV_EL2_GUEST_OPS,
};

static atomic_t not_stub;

static void probe_ipi(void *unused)
{
	if (el2_owner() != EL2_STUB)
		atomic_inc(&not_stub);
}

struct minihv_arch_ops *minihv_nvhe_probe(void)
{
	unsigned long stub;
	int ret;

	/* Every CPU: KVM holds all of them while it has VMs. */
	atomic_set(&not_stub, 0);
	on_each_cpu(probe_ipi, NULL, 1);
	if (atomic_read(&not_stub)) {
		pr_err("EL2 is not the kernel's hyp stub on %d CPUs (another hypervisor, e.g. a KVM VM, holds it): retry once it lets go, or boot with kvm-arm.mode=none\n",
		       atomic_read(&not_stub));
		return ERR_PTR(-EBUSY);
	}
	stub = minihv_el2_lookup_symbol("__hyp_stub_vectors");
	if (!stub) {
		pr_err("cannot find __hyp_stub_vectors (needs CONFIG_KPROBES)\n");
		return ERR_PTR(-ENODEV);
	}
	el2.stub_vectors = __pa_symbol(stub);

	ret = minihv_el2_mmu_init(&el2);
	if (ret)
		return ERR_PTR(ret);
	ret = load_image();
	if (ret)
		goto err_mmu;
	ret = alloc_hyp_cpus();
	if (ret)
		goto err_image;
	ret = cpu_pm_register_notifier(&nvhe_cpu_pm_nb);
	if (ret)
		goto err_cpus;
	want_pinned = false;
	minihv_el2_kvm_init(nvhe_cpu_pinned);
	minihv_el2_world = (struct minihv_el2_world) {
		.enter = nvhe_enter,
		.flush_vmid = nvhe_flush_vmid,
		.flush_guests_local = nvhe_flush_guests_local,
		.claim = nvhe_claim,
		.release = nvhe_release,
		.el2_stats = nvhe_el2_stats,
		.el2_regs = nvhe_el2_regs,
		.el2_owner_name = nvhe_el2_owner_name,
		.stub_call = nvhe_stub_call,
		.guest_hcr = HCR_GUEST_FLAGS,
	};
	return &nvhe_ops;

err_cpus:
	free_hyp_cpus();
err_image:
	free_pages_exact(el2.image, el2.image_size);
err_mmu:
	minihv_el2_mmu_exit(&el2);
	return ERR_PTR(ret);
}
