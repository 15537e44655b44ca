// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 run loop and its exits, dispatched through a table indexed by
 * the exception class of ESR_EL2 (as arm64 KVM's handle_exit.c does).
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/arm-smccc.h>
#include <linux/bitfield.h>
#include <linux/irqchip/arm-gic-v3.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <uapi/linux/psci.h>

#include <asm/esr.h>
#include <asm/kvm_arm.h>
#include <asm/neon.h>
#include <asm/ptrace.h>

#include "core/minihv.h"
#include "el2/el2.h"
#include "irq/vgic.h"
#include "timer/arch_timer.h"

/* What the next RUN owes the guest from userspace. */
enum el2_pending {
	PENDING_NONE,
	PENDING_MMIO_READ,
	PENDING_HYPERCALL,
};

/* A handler returns 1 to re-enter the guest, 0 to exit to userspace. */
typedef int (*exit_handler_fn)(struct minihv_vcpu *vcpu);

static struct el2_vcpu_ctx *ctx_of(struct minihv_vcpu *vcpu)
{
	return ((struct el2_vcpu *)vcpu->arch)->ctx;
}

static u64 ipa_of(const struct el2_vcpu_ctx *ctx)
{
	return ((ctx->hpfar & HPFAR_MASK) << 8) | (ctx->far & ~PAGE_MASK);
}

static void skip_insn(struct el2_vcpu_ctx *ctx)
{
	ctx->pc += 4;
}

static int exit_internal(struct minihv_vcpu *vcpu, u32 suberror)
{
	struct el2_vcpu_ctx *ctx = ctx_of(vcpu);
	struct minihv_run *run = vcpu->run;

	run->exit_reason = MINIHV_EXIT_INTERNAL;
	run->internal.suberror = suberror;
	run->internal.ndata = 4;
	run->internal.data[0] = ctx->esr;
	run->internal.data[1] = ctx->far;
	run->internal.data[2] = ipa_of(ctx);
	run->internal.data[3] = ctx->pc;
	return 0;
}

/*
 * A synchronous exception for the guest's own EL1 vectors, as the CPU
 * would take it: from EL1 to "current EL", from EL0 to "lower EL".
 */
static int inject_sync(struct minihv_vcpu *vcpu, u64 esr)
{
	struct el2_vcpu_ctx *ctx = ctx_of(vcpu);
	u64 mode = ctx->pstate & PSR_MODE_MASK;
	u64 offset;

	if (mode == PSR_MODE_EL1h)
		offset = 0x200;		/* current EL, SP_ELx */
	else if (mode == PSR_MODE_EL1t)
		offset = 0x0;		/* current EL, SP_EL0 */
	else
		offset = 0x400;		/* lower EL, AArch64 */

	ctx->sys[SR_ELR] = ctx->pc;
	ctx->sys[SR_SPSR] = ctx->pstate;
	ctx->sys[SR_ESR] = esr;
	ctx->pc = ctx->sys[SR_VBAR] + offset;
	ctx->pstate = PSR_MODE_EL1h | PSR_D_BIT | PSR_A_BIT | PSR_I_BIT |
		      PSR_F_BIT;
	return 1;
}

/*
 * A trapped instruction minihv does not emulate: "unknown reason" to
 * the guest's own EL1 vectors.
 */
int minihv_el2_inject_undef(struct minihv_vcpu *vcpu)
{
	return inject_sync(vcpu, ESR_ELx_IL |
			   ((u64)ESR_ELx_EC_UNKNOWN << ESR_ELx_EC_SHIFT));
}

/*
 * A synchronous external abort on the access that exited (the faulting
 * VA is FAR_EL2's): a fetch from outside every memory slot, or an access
 * an in-kernel device refuses (width, alignment), as a bus would.
 */
static int inject_abort(struct minihv_vcpu *vcpu, bool fetch)
{
	struct el2_vcpu_ctx *ctx = ctx_of(vcpu);
	bool from_el0 = (ctx->pstate & PSR_MODE_MASK) == PSR_MODE_EL0t;
	u64 ec, iss = ESR_ELx_FSC_EXTABT;

	if (fetch)
		ec = from_el0 ? ESR_ELx_EC_IABT_LOW : ESR_ELx_EC_IABT_CUR;
	else
		ec = from_el0 ? ESR_ELx_EC_DABT_LOW : ESR_ELx_EC_DABT_CUR;
	if (!fetch)
		iss |= ctx->esr & ESR_ELx_WNR;
	ctx->sys[SR_FAR] = ctx->far;
	return inject_sync(vcpu, ESR_ELx_IL | ec << ESR_ELx_EC_SHIFT | iss);
}

/* HVC: ELR_EL2 already points past the instruction. */
static int handle_hvc(struct minihv_vcpu *vcpu)
{
	struct el2_vcpu *v = vcpu->arch;
	struct el2_vcpu_ctx *ctx = v->ctx;
	struct minihv_run *run = vcpu->run;
	u64 fn = ctx->regs[0];
	int i;

	minihv_stat_hypercall(vcpu, fn, ctx->regs[1]);
	switch (fn) {
	case MINIHV_HCALL_NOP:
		ctx->regs[0] = 0;
		return 1;
	case MINIHV_HCALL_EXIT:
		run->exit_reason = MINIHV_EXIT_HYPERCALL;
		run->hypercall.nr = fn;
		for (i = 0; i < 6; i++)
			run->hypercall.args[i] = ctx->regs[i + 1];
		run->hypercall.ret = 0;
		v->pending = PENDING_HYPERCALL;
		return 0;
	case MINIHV_HCALL_TIME_PAGE:
		ctx->regs[0] = minihv_clock_hcall_time_page(vcpu, ctx->regs[1]);
		return 1;
	}
	if ((fn & ~0x1fULL) == PSCI_0_2_FN_BASE ||
	    (fn & ~0x1fULL) == PSCI_0_2_FN64_BASE)
		return minihv_el2_psci(vcpu, fn);
	ctx->regs[0] = SMCCC_RET_NOT_SUPPORTED;
	return 1;
}

/* SMC traps (HCR_EL2.TSC) with ELR_EL2 on the SMC itself. */
static int handle_smc(struct minihv_vcpu *vcpu)
{
	struct el2_vcpu_ctx *ctx = ctx_of(vcpu);

	ctx->regs[0] = SMCCC_RET_NOT_SUPPORTED;
	skip_insn(ctx);
	return 1;
}

bool minihv_el2_vcpu_has_work(struct minihv_vcpu *vcpu)
{
	return minihv_vgic_has_work(vcpu);
}

/*
 * WFE, and WFI in a VM without a vGIC (nothing could wake it): let
 * others run. WFI with a vGIC sleeps until an interrupt is pending for
 * the vCPU; a signal ends RUN and the guest resumes after its WFI, as
 * after any wake-up (the architecture allows spurious ones).
 */
static int handle_wfx(struct minihv_vcpu *vcpu)
{
	struct el2_vcpu *v = vcpu->arch;
	int ret;

	skip_insn(v->ctx);
	if ((v->ctx->esr & ESR_ELx_WFx_ISS_TI) || !v->vgic) {
		cond_resched();
		return 1;
	}
	if (minihv_vgic_has_work(vcpu))
		return 1;
	minihv_arch_timer_put(vcpu);
	ret = minihv_vcpu_block(vcpu);
	minihv_arch_timer_load(vcpu);
	if (ret) {
		vcpu->run->exit_reason = MINIHV_EXIT_INTR;
		return ret;
	}
	return 1;
}

/* A load from an in-kernel device: the register as the syndrome says. */
static void write_load(struct el2_vcpu *v, u64 data)
{
	if (v->mmio_sign && v->mmio_len < 8)
		data = sign_extend64(data, v->mmio_len * 8 - 1);
	if (!v->mmio_64)
		data &= U32_MAX;
	if (v->mmio_srt != 31)
		v->ctx->regs[v->mmio_srt] = data;
}

/*
 * A stage-2 fault: every slot is fully mapped, so this is outside guest
 * RAM, i.e. MMIO: first the devices the kernel emulates (the vGIC),
 * then userspace. The syndrome says which register and how wide.
 */
static int handle_dabt(struct minihv_vcpu *vcpu)
{
	struct el2_vcpu *v = vcpu->arch;
	struct el2_vcpu_ctx *ctx = v->ctx;
	struct minihv_run *run = vcpu->run;
	u64 esr = ctx->esr, ipa = ipa_of(ctx);
	u64 data = 0;
	u32 len, srt;
	int ret;

	/* Cache maintenance by VA where no RAM is: nothing to clean (KVM's). */
	if ((esr & ESR_ELx_CM) && !(esr & ESR_ELx_S1PTW)) {
		skip_insn(ctx);
		return 1;
	}
	if (!(esr & ESR_ELx_ISV) || (esr & ESR_ELx_S1PTW)) {
		/* No syndrome to emulate it by: the device's bus error. */
		if (!(esr & ESR_ELx_S1PTW) &&
		    minihv_io_covers(vcpu->vm, MINIHV_IO_MMIO, ipa))
			return inject_abort(vcpu, false);
		return exit_internal(vcpu, MINIHV_INTERNAL_UNHANDLED_ABORT);
	}

	len = 1U << ((esr & ESR_ELx_SAS) >> ESR_ELx_SAS_SHIFT);
	srt = (esr & ESR_ELx_SRT_MASK) >> ESR_ELx_SRT_SHIFT;
	v->mmio_srt = srt;
	v->mmio_len = len;
	v->mmio_sign = !!(esr & ESR_ELx_SSE);
	v->mmio_64 = !!(esr & ESR_ELx_SF);

	if (esr & ESR_ELx_WNR) {
		data = srt == 31 ? 0 : ctx->regs[srt];	/* 31 is XZR */
		if (len < 8)
			data &= BIT_ULL(len * 8) - 1;
		ret = minihv_io_write(vcpu, MINIHV_IO_MMIO, ipa, len, data);
	} else {
		ret = minihv_io_read(vcpu, MINIHV_IO_MMIO, ipa, len, &data);
		if (ret > 0)
			write_load(v, data);
	}
	if (ret < 0)
		return inject_abort(vcpu, false);
	if (ret > 0) {
		skip_insn(ctx);
		return 1;
	}

	run->exit_reason = MINIHV_EXIT_MMIO;
	run->mmio.phys_addr = ipa;
	run->mmio.len = len;
	run->mmio.is_write = !!(esr & ESR_ELx_WNR);
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (run->mmio.is_write)
		memcpy(run->mmio.data, &data, len);	/* little-endian */
	else
		v->pending = PENDING_MMIO_READ;
	skip_insn(ctx);
	return 0;
}

/* A fetch from outside every slot: the guest's own abort, as QEMU's. */
static int handle_iabt(struct minihv_vcpu *vcpu)
{
	return inject_abort(vcpu, true);
}

/* Classes without a handler are traps minihv does not emulate: UNDEF. */
static const exit_handler_fn exit_handlers[ESR_ELx_EC_MAX + 1] = {
	[ESR_ELx_EC_WFx]	= handle_wfx,
	[ESR_ELx_EC_HVC64]	= handle_hvc,
	[ESR_ELx_EC_SMC64]	= handle_smc,
	[ESR_ELx_EC_SYS64]	= minihv_el2_handle_sysreg,
	[ESR_ELx_EC_IABT_LOW]	= handle_iabt,
	[ESR_ELx_EC_DABT_LOW]	= handle_dabt,
};

/*
 * Exit reasons as the statistics count them (core/stats.h): a trap's
 * exception class, then the three asynchronous exits.
 */
#define EXIT_STAT_IRQ		(ESR_ELx_EC_MAX + 1)
#define EXIT_STAT_FIQ		(ESR_ELx_EC_MAX + 2)
#define EXIT_STAT_SERROR	(ESR_ELx_EC_MAX + 3)

static const char *const exit_names[] = {
	[ESR_ELx_EC_UNKNOWN]	= "UNKNOWN",
	[ESR_ELx_EC_WFx]	= "WFx",
	[ESR_ELx_EC_FP_ASIMD]	= "FP_ASIMD",
	[ESR_ELx_EC_PAC]	= "PAC",
	[ESR_ELx_EC_HVC64]	= "HVC64",
	[ESR_ELx_EC_SMC64]	= "SMC64",
	[ESR_ELx_EC_SYS64]	= "SYS64",
	[ESR_ELx_EC_SVE]	= "SVE",
	[ESR_ELx_EC_IABT_LOW]	= "IABT_LOW",
	[ESR_ELx_EC_DABT_LOW]	= "DABT_LOW",
	[ESR_ELx_EC_BREAKPT_LOW] = "BREAKPT_LOW",
	[ESR_ELx_EC_SOFTSTP_LOW] = "SOFTSTP_LOW",
	[ESR_ELx_EC_WATCHPT_LOW] = "WATCHPT_LOW",
	[ESR_ELx_EC_BRK64]	= "BRK64",
	[EXIT_STAT_IRQ]		= "IRQ",
	[EXIT_STAT_FIQ]		= "FIQ",
	[EXIT_STAT_SERROR]	= "SERROR",
};

const char *minihv_el2_exit_name(u32 reason)
{
	return reason < ARRAY_SIZE(exit_names) ? exit_names[reason] : NULL;
}

static int handle_exit(struct minihv_vcpu *vcpu, u64 exit)
{
	struct el2_vcpu_ctx *ctx = ctx_of(vcpu);

	switch (exit) {
	case EL2_EXIT_IRQ:
	case EL2_EXIT_FIQ:
		minihv_stat_exit(vcpu, exit == EL2_EXIT_IRQ ? EXIT_STAT_IRQ :
				 EXIT_STAT_FIQ, ctx->pc);
		/* The host takes it as soon as interrupts are back on. */
		return 1;
	case EL2_EXIT_SYNC: {
		u32 ec = ESR_ELx_EC(ctx->esr);
		exit_handler_fn fn = exit_handlers[ec];

		minihv_stat_exit(vcpu, ec, ctx->pc);
		return fn ? fn(vcpu) : minihv_el2_inject_undef(vcpu);
	}
	case EL2_EXIT_SERROR:
		minihv_stat_exit(vcpu, EXIT_STAT_SERROR, ctx->pc);
		return exit_internal(vcpu, MINIHV_INTERNAL_SERROR);
	default:
		/*
		 * The entry call did not reach minihv's EL2: someone else
		 * answered (the stub's HVC_STUB_ERR, another hypervisor's
		 * error). Nothing ran; say so instead of guessing.
		 */
		vcpu->run->exit_reason = MINIHV_EXIT_FAIL_ENTRY;
		vcpu->run->fail_entry.hardware_entry_failure_reason =
			((struct el2_vcpu *)vcpu->arch)->gone_reason;
		vcpu->run->fail_entry.cpu = ((struct el2_vcpu *)vcpu->arch)->gone_cpu;
		return 0;
	}
}

/* Userspace has answered the last exit: put its answer in the guest. */
static void complete_pending(struct minihv_vcpu *vcpu)
{
	struct el2_vcpu *v = vcpu->arch;
	struct minihv_run *run = vcpu->run;
	u64 data = 0;

	switch (v->pending) {
	case PENDING_MMIO_READ:
		memcpy(&data, run->mmio.data, v->mmio_len);
		write_load(v, data);
		break;
	case PENDING_HYPERCALL:
		v->ctx->regs[0] = run->hypercall.ret;
		break;
	case PENDING_NONE:
		break;
	}
	v->pending = PENDING_NONE;
}

static void regs_to_ctx(struct el2_vcpu_ctx *ctx, const struct minihv_regs *r)
{
	memcpy(ctx->regs, r->x, sizeof(ctx->regs));
	ctx->sys[SR_SP_EL1] = r->sp;
	ctx->pc = r->pc;
	ctx->pstate = r->pstate;
}

static void ctx_to_regs(struct minihv_regs *r, const struct el2_vcpu_ctx *ctx)
{
	memcpy(r->x, ctx->regs, sizeof(r->x));
	r->sp = ctx->sys[SR_SP_EL1];
	r->pc = ctx->pc;
	r->pstate = ctx->pstate;
}

/*
 * With interrupts off, on the CPU about to run the vCPU: the VM's VMID
 * for this generation, and what this CPU must flush first: every guest
 * entry after a rollover, or this VM's context if another of its vCPUs
 * ran here last.
 */
static void prepare_entry(struct minihv_vcpu *vcpu)
{
	struct el2_vm *vm = vcpu->vm->arch;
	struct el2_vcpu_ctx *ctx = ctx_of(vcpu);
	int *last = this_cpu_ptr(vm->last_vcpu_ran);
	bool flush_all;
	u16 vmid = minihv_el2_vmid_get(&vm->vmid, &flush_all);

	ctx->vttbr = minihv_el2_vttbr(vm, vmid);
	if (flush_all)
		minihv_el2_world.flush_guests_local();
	if (minihv_el2_world.before_entry)
		minihv_el2_world.before_entry(ctx->vttbr);
	ctx->flush = *last != vcpu->id;
	*last = vcpu->id;
}

/*
 * The vCPU's task is scheduled out or back in while in RUN: the virtual
 * timer's stand-in takes over, or hands back (timer/arch_timer.c).
 */
static void sched_in(struct preempt_notifier *pn, int cpu)
{
	WRITE_ONCE(container_of(pn, struct el2_vcpu, pn)->fp_claim, true);
	/* Another hypervisor's vCPU may have had this CPU meanwhile. */
	if (minihv_el2_world.foreign_guests)
		minihv_arch_timer_forget_cpu();
	minihv_arch_timer_load(container_of(pn, struct el2_vcpu, pn)->timer.vcpu);
	minihv_clock_sched_in(container_of(pn, struct el2_vcpu, pn)->timer.vcpu);
}

static void sched_out(struct preempt_notifier *pn, struct task_struct *next)
{
	struct minihv_vcpu *vcpu = container_of(pn, struct el2_vcpu, pn)->timer.vcpu;

	minihv_arch_timer_put(vcpu);
	if (minihv_el2_world.leave_cpu)
		minihv_el2_world.leave_cpu();
	minihv_clock_sched_out(vcpu);
}

static struct preempt_ops el2_preempt_ops = {
	.sched_in = sched_in,
	.sched_out = sched_out,
};

void minihv_el2_vcpu_preempt_init(struct minihv_vcpu *vcpu)
{
	struct el2_vcpu *v = vcpu->arch;

	preempt_notifier_init(&v->pn, &el2_preempt_ops);
}

/*
 * What EL2 writes to ICC_SGI1R_EL1 to make this CPU's vCPU exit
 * (el2/sgi_fast.S): the host's reschedule IPI, as core/kick.c's
 * kick_process() sends it. Linux's GICv3 IPIs are SGIs 0..7 in the order
 * of arm64's enum ipi_msg_type, whose first is IPI_RESCHEDULE.
 */
static DEFINE_PER_CPU(u64, kick_sgir_value);

static u64 kick_sgir(void)
{
	u64 mpidr, aff0, sgir = __this_cpu_read(kick_sgir_value);

	if (likely(sgir))
		return sgir;
	mpidr = read_cpuid_mpidr();
	aff0 = MPIDR_AFFINITY_LEVEL(mpidr, 0);
	sgir = MPIDR_AFFINITY_LEVEL(mpidr, 3) << ICC_SGI1R_AFFINITY_3_SHIFT |
	       MPIDR_AFFINITY_LEVEL(mpidr, 2) << ICC_SGI1R_AFFINITY_2_SHIFT |
	       MPIDR_AFFINITY_LEVEL(mpidr, 1) << ICC_SGI1R_AFFINITY_1_SHIFT |
	       aff0 / 16 << ICC_SGI1R_RS_SHIFT | BIT(aff0 % 16);
	/* Never 0 (a target bit is set): computed once per CPU. */
	__this_cpu_write(kick_sgir_value, sgir);
	return sgir;
}

/*
 * The guest's FP/SIMD registers are loaded at each entry and saved at
 * each exit (the world switch); the task's own are the host's to keep.
 * kernel_neon_begin() saves them and leaves this CPU's registers owned
 * by no task (TIF_FOREIGN_FPSTATE set, the CPU's last state none), and
 * stays so for as long as the task keeps the CPU: no other task's state
 * can be loaded here meanwhile, and in-kernel NEON users in interrupts
 * find nothing to save. So it is needed once per RUN and again after the
 * task was scheduled in (another task may have loaded its registers
 * here; sched_in sets @fp_claim), not on every entry: kernel_neon_end()
 * follows at once, and each round saves a local_bh_disable()/enable()
 * pair (about 180 instructions). False with interrupts off, ready to
 * enter; true (interrupts on) if the task was preempted in between.
 */
static bool fp_claim(struct el2_vcpu *v)
{
	if (v->fp_claim || !test_thread_flag(TIF_FOREIGN_FPSTATE)) {
		kernel_neon_begin();
		kernel_neon_end();
		v->fp_claim = false;
	}
	local_irq_disable();
	if (unlikely(READ_ONCE(v->fp_claim))) {
		local_irq_enable();
		return true;
	}
	return false;
}

/*
 * One entry and its exit, interrupts off: interrupts into the list
 * registers, the kick handshake, the VMID, the world switch, then the
 * list registers and the virtual timer read back. Returns the
 * EL2_EXIT_* code, or -EAGAIN if a kick came first (nothing ran).
 */
static int enter_once(struct minihv_vcpu *vcpu)
{
	struct el2_vcpu *v = vcpu->arch;
	int exit = -EAGAIN;

	if (fp_claim(v))
		return -EAGAIN;
	if (v->vgic) {
		minihv_vgic_flush(vcpu);
		/* Before the mode says "in the guest": EL2 reads it then. */
		v->ctx->sgi_kick = kick_sgir();
	}
	if (minihv_vcpu_enter_guest_mode(vcpu)) {
		u64 ret;

		prepare_entry(vcpu);
		minihv_arch_timer_entry(vcpu);
		ret = minihv_el2_world.enter(v->ctx);
		minihv_vcpu_exit_guest_mode(vcpu);
		exit = ret;
		if (ret > EL2_EXIT_SERROR) {
			exit = EL2_EXIT_GONE;
			v->gone_reason = ret;
			v->gone_cpu = smp_processor_id();
		}
	}
	if (v->vgic)
		minihv_vgic_sync(vcpu);
	minihv_arch_timer_sync(vcpu);
	local_irq_enable();
	return exit;
}

int minihv_el2_vcpu_run(struct minihv_vcpu *vcpu)
{
	struct el2_vcpu *v = vcpu->arch;
	struct el2_vcpu_ctx *ctx = v->ctx;
	struct minihv_run *run = vcpu->run;
	int ret;

	regs_to_ctx(ctx, &vcpu->regs);
	complete_pending(vcpu);
	v->fp_claim = true;
	minihv_arch_timer_load(vcpu);
	preempt_disable();
	preempt_notifier_register(&v->pn);
	if (minihv_el2_world.foreign_guests)
		minihv_arch_timer_forget_cpu();
	preempt_enable();

	for (;;) {
		int exit;

		minihv_vcpu_take_kicks(vcpu);
		if (READ_ONCE(run->immediate_exit) || signal_pending(current) ||
		    minihv_el2_power_wait(vcpu)) {
			run->exit_reason = MINIHV_EXIT_INTR;
			ret = -EINTR;
			break;
		}
		cond_resched();
		minihv_clock_sync(vcpu);

		exit = enter_once(vcpu);
		if (ctx->fast_hcalls) {
			minihv_stat_fast_exits(vcpu, ESR_ELx_EC_HVC64,
					       MINIHV_STAT_HYPERCALLS,
					       ctx->fast_hcalls);
			ctx->fast_hcalls = 0;
		}
		if (ctx->fast_gicd) {
			minihv_stat_fast_exits(vcpu, ESR_ELx_EC_DABT_LOW,
					       MINIHV_STAT_MMIO_KERNEL,
					       ctx->fast_gicd);
			ctx->fast_gicd = 0;
		}
		if (ctx->fast_sgis) {
			minihv_stat_fast_exits(vcpu, ESR_ELx_EC_SYS64,
					       MINIHV_STAT_FAST_IPIS,
					       ctx->fast_sgis);
			ctx->fast_sgis = 0;
		}
		if (exit == -EAGAIN)
			continue;
		ret = handle_exit(vcpu, exit);
		if (ret <= 0)
			break;
	}

	preempt_disable();
	preempt_notifier_unregister(&v->pn);
	if (minihv_el2_world.leave_cpu) {
		local_irq_disable();
		minihv_el2_world.leave_cpu();
		local_irq_enable();
	}
	preempt_enable();
	/* Back to userspace: the timer keeps running without the guest. */
	minihv_arch_timer_put(vcpu);
	ctx_to_regs(&vcpu->regs, ctx);
	return ret;
}
