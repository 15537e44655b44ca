// SPDX-License-Identifier: GPL-2.0
/*
 * nVHE: take EL2 over from the kernel's hyp stub on every CPU, and give it
 * back. The stub installs any vector table we hand it (HVC_SET_VECTORS);
 * minihv's vectors then turn on EL2's MMU with minihv's tables
 * (MINIHV_HC_INIT). Giving back restores the stub's vectors, whose
 * address the stub never tells: it comes from kallsyms.
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/arm-smccc.h>
#include <linux/cpu_pm.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/string.h>

#include <asm/kvm_arm.h>
#include <asm/memory.h>
#include <asm/sysreg.h>
#include <asm/virt.h>

#include "el2/el2.h"
#include "el2/hyp.h"

static struct minihv_el2 el2;
static DEFINE_PER_CPU(struct hyp_cpu *, hyp_cpu);
/* Set while this CPU should be ours: re-taken after a power-down. */
static DEFINE_PER_CPU(bool, hyp_owned);

static unsigned long hvc(unsigned long fn, unsigned long arg)
{
	struct arm_smccc_res res;

	arm_smccc_1_1_hvc(fn, arg, &res);
	return res.a0;
}

/* An id the stub does not know returns HVC_STUB_ERR; anyone else differs. */
static bool stub_answers(void)
{
	return hvc(HVC_STUB_HCALL_NR, 0) == HVC_STUB_ERR;
}

/* kallsyms_lookup_name() is not exported; a kprobe still resolves it. */
static unsigned long lookup_kernel_symbol(const char *name)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	unsigned long (*lookup)(const char *name);

	if (register_kprobe(&kp) < 0)
		return 0;
	lookup = (void *)kp.addr;
	unregister_kprobe(&kp);
	return lookup(name);
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

static int nvhe_cpu_enable(void)
{
	struct hyp_cpu *hc = this_cpu_read(hyp_cpu);
	unsigned long flags, ret;
	int err = 0;

	local_irq_save(flags);
	if (!stub_answers()) {
		err = -EBUSY;
		goto out;
	}
	ret = hvc(HVC_SET_VECTORS, el2.vectors);
	if (ret) {
		err = -EIO;
		goto out;
	}
	ret = hvc(MINIHV_HC_INIT, virt_to_phys(hc));
	if (ret || !nvhe_cpu_check()) {
		hvc(MINIHV_HC_RESET, 0);
		err = -EIO;
		goto out;
	}
	this_cpu_write(hyp_owned, true);
	/* ICH_VTR_EL2 is only readable at EL2: ask now that EL2 is ours. */
	if (!minihv_el2_caps.ich_vtr && minihv_el2_has_gicv3_sysregs())
		minihv_el2_caps.ich_vtr = hvc(MINIHV_HC_ICH_VTR, 0);
out:
	local_irq_restore(flags);
	return err;
}

static void nvhe_cpu_disable(void)
{
	this_cpu_write(hyp_owned, false);
	hvc(MINIHV_HC_RESET, 0);
	if (!stub_answers())
		pr_err("CPU %d: the hyp stub does not answer after give-back\n",
		       smp_processor_id());
}

/* A CPU that lost power comes back through the kernel, i.e. the stub. */
static int nvhe_cpu_pm(struct notifier_block *nb, unsigned long cmd,
		       void *unused)
{
	if (cmd == CPU_PM_EXIT && this_cpu_read(hyp_owned) &&
	    !nvhe_cpu_check() && nvhe_cpu_enable())
		pr_err("CPU %d: cannot re-take EL2 after power-down\n",
		       smp_processor_id());
	return NOTIFY_OK;
}

static struct notifier_block nvhe_cpu_pm_nb = {
	.notifier_call = nvhe_cpu_pm,
};

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

static void nvhe_unprobe(void)
{
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

static const struct minihv_arch_ops nvhe_ops = {
	.arch = MINIHV_ARCH_ARM64,
	.mode = MINIHV_MODE_NVHE,
	.mode_name = "nVHE",
	.unprobe = nvhe_unprobe,
	.cpu_enable = nvhe_cpu_enable,
	.cpu_disable = nvhe_cpu_disable,
	.cpu_check = nvhe_cpu_check,
	MINIHV_EL2_GUEST_OPS,
};

const struct minihv_arch_ops *minihv_nvhe_probe(void)
{
	unsigned long stub;
	int ret;

	if (!stub_answers()) {
		pr_err("EL2 is not the kernel's hyp stub (KVM or another hypervisor owns it): boot with kvm-arm.mode=none\n");
		return ERR_PTR(-EBUSY);
	}
	stub = lookup_kernel_symbol("__hyp_stub_vectors");
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
	minihv_el2_world.enter = nvhe_enter;
	minihv_el2_world.flush_vmid = nvhe_flush_vmid;
	minihv_el2_world.flush_guests_local = nvhe_flush_guests_local;
	minihv_el2_world.guest_hcr = HCR_GUEST_FLAGS;
	return &nvhe_ops;

err_cpus:
	free_hyp_cpus();
err_image:
	free_pages_exact(el2.image, el2.image_size);
err_mmu:
	minihv_el2_mmu_exit(&el2);
	return ERR_PTR(ret);
}
