// SPDX-License-Identifier: GPL-2.0
/*
 * VHE: the kernel itself runs at EL2, so there is nothing to take over.
 * minihv checks that each CPU is at EL2, records what guests need (GIC
 * list registers, VMID width, PA size) and enters guests from the kernel
 * (el2/vhe_switch.S).
 *
 * The kernel's KVM runs guests from the same EL2, so minihv's VMs and
 * KVM's may live at once. Each hypervisor puts back the EL2 state it
 * changes before the host runs again, but their VMIDs come from one
 * space, both allocators starting at 1: a TLB entry tagged with KVM's
 * VMID n would translate for minihv's VMID n and the other way round.
 * minihv keeps the two apart on each CPU, in both directions:
 *  - its guests' entries never meet another hypervisor's guest: when
 *    one of its vCPU threads leaves a CPU (scheduled out, RUN returns)
 *    after entering a guest there, it drops that VMID's entries on that
 *    CPU. Another hypervisor's vCPU can only run on a CPU after that.
 *    Done only when KVM is enabled in this kernel.
 *  - another hypervisor's entries never serve its guests: at exit it
 *    leaves a VTTBR_EL2 no one else writes (a zeroed root of its own,
 *    VMID 0; the host's HCR_EL2.VM is clear, so nothing walks it). A
 *    different VTTBR at the next entry means someone else's stage 2 was
 *    loaded here since: every guest entry of this CPU goes first.
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/irqflags.h>
#include <linux/percpu.h>

#include <asm/barrier.h>
#include <asm/kvm_arm.h>
#include <asm/sysreg.h>
#include <asm/tlbflush.h>
#include <asm/virt.h>

#include "el2/el2.h"
#include "timer/arch_timer.h"

/* Read by vhe_switch.S at every exit. */
u64 minihv_vhe_idle_vttbr;
static unsigned long idle_root;

/* The VTTBR of our last guest entry on this CPU, until it is flushed. */
static DEFINE_PER_CPU(u64, dirty_vttbr);
/* For MINIHV_GET_INFO (arch_caps[6], [7]): the two flushes, counted. */
static DEFINE_PER_CPU(u64, foreign_flushes);
static DEFINE_PER_CPU(u64, leave_flushes);

static int vhe_cpu_enable(void)
{
	/* Every CPU boots the same way; a mismatch means a broken boot. */
	return is_kernel_in_hyp_mode() ? 0 : -ENODEV;
}

static void vhe_cpu_disable(void)
{
}

static bool vhe_cpu_check(void)
{
	return read_sysreg(CurrentEL) == CurrentEL_EL2;
}

static void vhe_unprobe(void)
{
	minihv_el2_kvm_exit();
	minihv_el2_guest_hw_exit();
	minihv_el2_vmid_exit();
	free_page(idle_root);
}

/*
 * A TLBI of the EL1&0 regime by VMID needs that VMID in VTTBR_EL2 and
 * HCR_EL2.TGE off under VHE. Interrupts off. @local: this CPU only.
 * VTTBR_EL2 is put back as found: if another hypervisor's was there, the
 * next entry must still see it and flush.
 */
static void tlbi_vmid(u64 vttbr, bool local)
{
	u64 hcr = read_sysreg(hcr_el2);
	u64 old = read_sysreg(vttbr_el2);

	write_sysreg(vttbr, vttbr_el2);
	write_sysreg(hcr & ~HCR_TGE, hcr_el2);
	isb();
	if (local) {
		dsb(nshst);
		__tlbi(vmalls12e1);
		dsb(nsh);
	} else {
		dsb(ishst);
		__tlbi(vmalls12e1is);
		dsb(ish);
	}
	write_sysreg(hcr, hcr_el2);
	write_sysreg(old, vttbr_el2);
	isb();
}

static void vhe_flush_vmid(u64 vttbr)
{
	unsigned long flags;

	local_irq_save(flags);
	tlbi_vmid(vttbr, false);
	local_irq_restore(flags);
}

/* After a VMID rollover, with interrupts off: this CPU, every guest. */
static void vhe_flush_guests_local(void)
{
	u64 hcr = read_sysreg(hcr_el2);

	write_sysreg(hcr & ~HCR_TGE, hcr_el2);
	isb();
	__tlbi(alle1);
	asm volatile("ic iallu");
	dsb(nsh);
	write_sysreg(hcr, hcr_el2);
	isb();
}

/* Interrupts off, right before an entry with @vttbr. */
static void vhe_before_entry(u64 vttbr)
{
	if (read_sysreg(vttbr_el2) != minihv_vhe_idle_vttbr) {
		vhe_flush_guests_local();
		__this_cpu_inc(foreign_flushes);
		/* Its vCPUs may have set the timer PPI's state too. */
		minihv_arch_timer_forget_cpu();
	}
	__this_cpu_write(dirty_vttbr, vttbr);
}

/* Interrupts off: a vCPU thread leaves this CPU to whoever comes next. */
static void vhe_leave_cpu(void)
{
	u64 vttbr = __this_cpu_read(dirty_vttbr);

	if (!vttbr)
		return;
	tlbi_vmid(vttbr, true);
	__this_cpu_write(dirty_vttbr, 0);
	__this_cpu_inc(leave_flushes);
}

/*
 * For MINIHV_GET_INFO: caps[6] entries that found another hypervisor's
 * stage 2 loaded and flushed this CPU's guest entries first, caps[7]
 * flushes of a VM's entries as its vCPU thread left a CPU.
 */
static void vhe_el2_stats(u64 caps[MINIHV_ARCH_CAPS])
{
	int cpu;

	caps[6] = 0;
	caps[7] = 0;
	for_each_possible_cpu(cpu) {
		caps[6] += READ_ONCE(per_cpu(foreign_flushes, cpu));
		caps[7] += READ_ONCE(per_cpu(leave_flushes, cpu));
	}
}

static bool vhe_el2_regs(u64 regs[EL2_REG_NR])
{
	regs[EL2_REG_HCR] = read_sysreg(hcr_el2);
	regs[EL2_REG_MDCR] = read_sysreg(mdcr_el2);
	/* CPTR_EL2 under E2H is CPACR_EL1's alias. */
	regs[EL2_REG_CPTR] = read_sysreg(cpacr_el1);
	regs[EL2_REG_CNTHCTL] = read_sysreg(cnthctl_el2);
	regs[EL2_REG_VTTBR] = read_sysreg(vttbr_el2);
	regs[EL2_REG_VTCR] = read_sysreg(vtcr_el2);
	/* VBAR_EL2, read as VBAR_EL1 under E2H. */
	regs[EL2_REG_VBAR] = read_sysreg(vbar_el1);
	regs[EL2_REG_SCTLR] = read_sysreg(sctlr_el1);
	regs[EL2_REG_VMPIDR] = read_sysreg(vmpidr_el2);
	regs[EL2_REG_MPIDR] = read_sysreg(mpidr_el1);
	regs[EL2_REG_CNTVOFF] = read_sysreg(cntvoff_el2);
	regs[EL2_REG_HSTR] = read_sysreg(hstr_el2);
	if (minihv_el2_has_gicv3_sysregs()) {
		regs[EL2_REG_ICH_HCR] = read_sysreg_s(SYS_ICH_HCR_EL2);
		regs[EL2_REG_ICH_VMCR] = read_sysreg_s(SYS_ICH_VMCR_EL2);
	}
	return true;
}

static const char *vhe_el2_owner_name(void)
{
	return "kernel";
}

static struct minihv_arch_ops vhe_ops = {
	.arch = MINIHV_ARCH_ARM64,
	.mode = MINIHV_MODE_VHE,
	.mode_name = "VHE",
	.unprobe = vhe_unprobe,
	.cpu_enable = vhe_cpu_enable,
	.cpu_disable = vhe_cpu_disable,
	.cpu_check = vhe_cpu_check,
	MINIHV_EL2_GUEST_OPS,
};

struct minihv_arch_ops *minihv_vhe_probe(void)
{
	idle_root = get_zeroed_page(GFP_KERNEL);
	if (!idle_root)
		return ERR_PTR(-ENOMEM);
	minihv_vhe_idle_vttbr = virt_to_phys((void *)idle_root);

	if (minihv_el2_has_gicv3_sysregs())
		minihv_el2_caps.ich_vtr = read_sysreg_s(SYS_ICH_VTR_EL2);

	/* Guest entries of an earlier load may carry VMIDs we hand out. */
	dsb(ishst);
	__tlbi(alle1is);
	dsb(ish);

	minihv_el2_kvm_init(NULL);
	minihv_el2_world = (struct minihv_el2_world) {
		.enter = __minihv_vhe_run,
		.flush_vmid = vhe_flush_vmid,
		.flush_guests_local = vhe_flush_guests_local,
		.before_entry = vhe_before_entry,
		.el2_stats = vhe_el2_stats,
		.el2_regs = vhe_el2_regs,
		.el2_owner_name = vhe_el2_owner_name,
		/* E2H stays set while the guest runs; TGE is what makes it a host. */
		.guest_hcr = (HCR_GUEST_FLAGS) | HCR_E2H,
	};
	if (minihv_el2_kvm_enabled()) {
		minihv_el2_world.leave_cpu = vhe_leave_cpu;
		minihv_el2_world.foreign_guests = true;
	}
	return &vhe_ops;
}
