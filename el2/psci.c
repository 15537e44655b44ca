// SPDX-License-Identifier: GPL-2.0
/*
 * PSCI 1.0 for guests, over HVC (the conduit minihv's device tree names):
 * the calls a guest OS needs to bring up, stop and power off CPUs.
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/psci.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <uapi/linux/psci.h>

#include <asm/cputype.h>
#include <asm/ptrace.h>

#include "core/minihv.h"
#include "el2/el2.h"

static u64 mpidr_of(struct minihv_vcpu *vcpu)
{
	struct el2_vcpu *v = vcpu->arch;

	return v->ctx->vmpidr & MPIDR_HWID_BITMASK;
}

static struct minihv_vcpu *find_vcpu(struct minihv_vm *vm, u64 mpidr)
{
	unsigned int i;

	mpidr &= MPIDR_HWID_BITMASK;
	for (i = 0; i < vm->nr_vcpus; i++)
		if (mpidr_of(vm->vcpus[i]) == mpidr)
			return vm->vcpus[i];
	return NULL;
}

static s64 cpu_on(struct minihv_vcpu *vcpu, u64 target, u64 pc, u64 arg)
{
	struct minihv_vm *vm = vcpu->vm;
	struct minihv_vcpu *t;
	s64 ret = PSCI_RET_SUCCESS;

	mutex_lock(&vm->lock);
	t = find_vcpu(vm, target);
	if (!t) {
		ret = PSCI_RET_INVALID_PARAMS;
		goto out;
	}
	spin_lock(&t->power_lock);
	if (!t->powered_off) {
		ret = t->start_pending ? PSCI_RET_ON_PENDING :
					 PSCI_RET_ALREADY_ON;
	} else {
		t->start_pc = pc;
		t->start_arg = arg;
		t->start_pending = true;
		/* Release: the start before the power-on (power_wait). */
		smp_store_release(&t->powered_off, false);
	}
	spin_unlock(&t->power_lock);
	if (ret == PSCI_RET_SUCCESS)
		wake_up_interruptible(&t->wq);
out:
	mutex_unlock(&vm->lock);
	return ret;
}

static s64 affinity_info(struct minihv_vcpu *vcpu, u64 target, u64 level)
{
	struct minihv_vm *vm = vcpu->vm;
	struct minihv_vcpu *t;
	s64 ret;

	/* Only single CPUs (level 0) have a power state here. */
	if (level)
		return PSCI_RET_INVALID_PARAMS;
	mutex_lock(&vm->lock);
	t = find_vcpu(vm, target);
	if (!t)
		ret = PSCI_RET_INVALID_PARAMS;
	else
		ret = READ_ONCE(t->powered_off) ?
		      PSCI_0_2_AFFINITY_LEVEL_OFF : PSCI_0_2_AFFINITY_LEVEL_ON;
	mutex_unlock(&vm->lock);
	return ret;
}

static bool supported(u64 fn)
{
	switch (fn) {
	case PSCI_0_2_FN_PSCI_VERSION:
	case PSCI_1_0_FN_PSCI_FEATURES:
	case PSCI_0_2_FN_CPU_ON:
	case PSCI_0_2_FN64_CPU_ON:
	case PSCI_0_2_FN_CPU_OFF:
	case PSCI_0_2_FN_AFFINITY_INFO:
	case PSCI_0_2_FN64_AFFINITY_INFO:
	case PSCI_0_2_FN_MIGRATE_INFO_TYPE:
	case PSCI_0_2_FN_SYSTEM_OFF:
	case PSCI_0_2_FN_SYSTEM_RESET:
		return true;
	default:
		return false;
	}
}

static int system_event(struct minihv_vcpu *vcpu, u32 type)
{
	vcpu->run->exit_reason = MINIHV_EXIT_SYSTEM_EVENT;
	vcpu->run->system_event.type = type;
	vcpu->run->system_event.ndata = 0;
	return 0;
}

/* fn is a PSCI function id; returns 1 to resume the guest, 0 to exit. */
int minihv_el2_psci(struct minihv_vcpu *vcpu, u64 fn)
{
	struct el2_vcpu_ctx *ctx = ((struct el2_vcpu *)vcpu->arch)->ctx;
	u64 *x = ctx->regs;
	bool smc32 = !(fn & PSCI_0_2_64BIT);
	u64 a1 = smc32 ? (u32)x[1] : x[1];
	u64 a2 = smc32 ? (u32)x[2] : x[2];
	u64 a3 = smc32 ? (u32)x[3] : x[3];
	s64 ret;

	switch (fn) {
	case PSCI_0_2_FN_PSCI_VERSION:
		ret = PSCI_VERSION(1, 0);
		break;
	case PSCI_1_0_FN_PSCI_FEATURES:
		ret = supported(a1) ? 0 : PSCI_RET_NOT_SUPPORTED;
		break;
	case PSCI_0_2_FN_CPU_ON:
	case PSCI_0_2_FN64_CPU_ON:
		ret = cpu_on(vcpu, a1, a2, a3);
		break;
	case PSCI_0_2_FN_CPU_OFF:
		/* The run loop sleeps until another CPU_ON. */
		spin_lock(&vcpu->power_lock);
		vcpu->powered_off = true;
		spin_unlock(&vcpu->power_lock);
		return 1;
	case PSCI_0_2_FN_AFFINITY_INFO:
	case PSCI_0_2_FN64_AFFINITY_INFO:
		ret = affinity_info(vcpu, a1, a2);
		break;
	case PSCI_0_2_FN_MIGRATE_INFO_TYPE:
		ret = PSCI_0_2_TOS_MP;	/* no Trusted OS to migrate */
		break;
	case PSCI_0_2_FN_SYSTEM_OFF:
		return system_event(vcpu, MINIHV_SYSTEM_EVENT_SHUTDOWN);
	case PSCI_0_2_FN_SYSTEM_RESET:
		return system_event(vcpu, MINIHV_SYSTEM_EVENT_RESET);
	default:
		ret = PSCI_RET_NOT_SUPPORTED;
	}
	x[0] = ret;
	return 1;
}

static bool powered_on(struct minihv_vcpu *vcpu)
{
	/* Acquire: CPU_ON's start_pending is seen with its power-on. */
	return !smp_load_acquire(&vcpu->powered_off);
}

/*
 * Called by the vCPU itself at the top of its run loop: sleep while
 * powered off, then start where CPU_ON said, as from reset (PSCI 1.0
 * 6.4: EL1h, all exceptions masked, MMU and caches off).
 */
int minihv_el2_power_wait(struct minihv_vcpu *vcpu)
{
	struct el2_vcpu_ctx *ctx = ((struct el2_vcpu *)vcpu->arch)->ctx;

	if (!powered_on(vcpu)) {
		int ret;

		minihv_clock_blocked(vcpu, true);
		ret = wait_event_interruptible(vcpu->wq, powered_on(vcpu));
		minihv_clock_blocked(vcpu, false);
		if (ret)
			return -EINTR;
	}
	/* Each round of the run loop: no lock unless CPU_ON came. */
	if (!READ_ONCE(vcpu->start_pending))
		return 0;

	spin_lock(&vcpu->power_lock);
	if (vcpu->start_pending) {
		memset(ctx->regs, 0, sizeof(ctx->regs));
		ctx->regs[0] = vcpu->start_arg;
		ctx->pc = vcpu->start_pc;
		ctx->pstate = PSR_MODE_EL1h | PSR_D_BIT | PSR_A_BIT |
			      PSR_I_BIT | PSR_F_BIT;
		ctx->sys[SR_SCTLR] = INIT_SCTLR_EL1_MMU_OFF;
		vcpu->start_pending = false;
	}
	spin_unlock(&vcpu->power_lock);
	return 0;
}
