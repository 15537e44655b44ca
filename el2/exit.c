// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 run loop and its exits, dispatched through a table indexed by
 * the exception class of ESR_EL2 (as arm64 KVM's handle_exit.c does).
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/arm-smccc.h>
#include <linux/bitfield.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <uapi/linux/psci.h>

#include <asm/esr.h>
#include <asm/kvm_arm.h>
#include <asm/neon.h>
#include <asm/ptrace.h>

#include "core/minihv.h"
#include "el2/el2.h"

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
 * An exception the guest asked for (a trapped instruction minihv does not
 * emulate): deliver "unknown reason" to the guest's own EL1 vectors.
 */
int minihv_el2_inject_undef(struct minihv_vcpu *vcpu)
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
	ctx->sys[SR_ESR] = ESR_ELx_IL |
			   ((u64)ESR_ELx_EC_UNKNOWN << ESR_ELx_EC_SHIFT);
	ctx->pc = ctx->sys[SR_VBAR] + offset;
	ctx->pstate = PSR_MODE_EL1h | PSR_D_BIT | PSR_A_BIT | PSR_I_BIT |
		      PSR_F_BIT;
	return 1;
}

/* HVC: ELR_EL2 already points past the instruction. */
static int handle_hvc(struct minihv_vcpu *vcpu)
{
	struct el2_vcpu *v = vcpu->arch;
	struct el2_vcpu_ctx *ctx = v->ctx;
	struct minihv_run *run = vcpu->run;
	u64 fn = ctx->regs[0];
	int i;

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

/* WFI/WFE: nothing can wake the vCPU yet but time; let others run. */
static int handle_wfx(struct minihv_vcpu *vcpu)
{
	skip_insn(ctx_of(vcpu));
	cond_resched();
	return 1;
}

/*
 * A stage-2 fault: every slot is fully mapped, so this is outside guest
 * RAM, i.e. MMIO. The syndrome says which register and how wide.
 */
static int handle_dabt(struct minihv_vcpu *vcpu)
{
	struct el2_vcpu *v = vcpu->arch;
	struct el2_vcpu_ctx *ctx = v->ctx;
	struct minihv_run *run = vcpu->run;
	u64 esr = ctx->esr;
	u32 len, srt;
	u64 data;

	if (!(esr & ESR_ELx_ISV) || (esr & ESR_ELx_S1PTW))
		return exit_internal(vcpu, MINIHV_INTERNAL_UNHANDLED_ABORT);

	len = 1U << ((esr & ESR_ELx_SAS) >> ESR_ELx_SAS_SHIFT);
	srt = (esr & ESR_ELx_SRT_MASK) >> ESR_ELx_SRT_SHIFT;

	run->exit_reason = MINIHV_EXIT_MMIO;
	run->mmio.phys_addr = ipa_of(ctx);
	run->mmio.len = len;
	run->mmio.is_write = !!(esr & ESR_ELx_WNR);
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (run->mmio.is_write) {
		data = srt == 31 ? 0 : ctx->regs[srt];	/* 31 is XZR */
		memcpy(run->mmio.data, &data, len);	/* little-endian */
	} else {
		v->pending = PENDING_MMIO_READ;
		v->mmio_srt = srt;
		v->mmio_len = len;
		v->mmio_sign = !!(esr & ESR_ELx_SSE);
		v->mmio_64 = !!(esr & ESR_ELx_SF);
	}
	skip_insn(ctx);
	return 0;
}

static int handle_iabt(struct minihv_vcpu *vcpu)
{
	return exit_internal(vcpu, MINIHV_INTERNAL_UNHANDLED_ABORT);
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

static int handle_exit(struct minihv_vcpu *vcpu, u64 exit)
{
	struct el2_vcpu_ctx *ctx = ctx_of(vcpu);

	switch (exit) {
	case EL2_EXIT_IRQ:
	case EL2_EXIT_FIQ:
		/* The host takes it as soon as interrupts are back on. */
		return 1;
	case EL2_EXIT_SYNC: {
		exit_handler_fn fn = exit_handlers[ESR_ELx_EC(ctx->esr)];

		return fn ? fn(vcpu) : minihv_el2_inject_undef(vcpu);
	}
	default:
		return exit_internal(vcpu, MINIHV_INTERNAL_SERROR);
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
		if (v->mmio_sign && v->mmio_len < 8)
			data = sign_extend64(data, v->mmio_len * 8 - 1);
		if (!v->mmio_64)
			data &= U32_MAX;
		if (v->mmio_srt != 31)
			v->ctx->regs[v->mmio_srt] = data;
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
	ctx->flush = *last != vcpu->id;
	*last = vcpu->id;
}

int minihv_el2_vcpu_run(struct minihv_vcpu *vcpu)
{
	struct el2_vcpu_ctx *ctx = ctx_of(vcpu);
	struct minihv_run *run = vcpu->run;
	int ret;

	regs_to_ctx(ctx, &vcpu->regs);
	complete_pending(vcpu);

	for (;;) {
		u64 exit;

		if (READ_ONCE(run->immediate_exit) || signal_pending(current) ||
		    minihv_el2_power_wait(vcpu)) {
			run->exit_reason = MINIHV_EXIT_INTR;
			ret = -EINTR;
			break;
		}
		cond_resched();

		/* The guest owns the FP/SIMD registers while it runs. */
		kernel_neon_begin();
		local_irq_disable();
		prepare_entry(vcpu);
		exit = minihv_el2_world.enter(ctx);
		local_irq_enable();
		kernel_neon_end();

		ret = handle_exit(vcpu, exit);
		if (ret <= 0)
			break;
	}
	ctx_to_regs(&vcpu->regs, ctx);
	return ret;
}
