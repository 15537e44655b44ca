// SPDX-License-Identifier: GPL-2.0
/*
 * Waking and interrupting vCPUs: whoever makes an interrupt pending for a
 * vCPU (another vCPU's IPI, a timer, a device line from userspace) kicks
 * it. A vCPU asleep in WFI / HLT is woken; one running guest code on
 * another CPU is interrupted by an IPI, which the hardware turns into an
 * exit, so the interrupt is delivered at once.
 *
 * No kick is lost: the kicker makes its change, sets MINIHV_REQ_EVENT and
 * then reads @mode; the vCPU writes @mode and then reads @requests before
 * entering (both with a full barrier between). Either the vCPU sees the
 * request and does not enter, or the kicker sees it in the guest and
 * sends the IPI. Sleeping works the same way with the wait queue.
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sched/signal.h>
#include <linux/smp.h>
#include <linux/wait.h>

#include "core/minihv.h"

/* The IPI's only work is the exit it causes. */
static void kick_ipi(void *info)
{
}

void minihv_vcpu_kick_init(struct minihv_vcpu *vcpu)
{
	init_waitqueue_head(&vcpu->wq);
	vcpu->mode = MINIHV_OUTSIDE_GUEST;
	vcpu->cpu = -1;
	INIT_CSD(&vcpu->kick_csd, kick_ipi, NULL);
}

void minihv_vcpu_kick(struct minihv_vcpu *vcpu)
{
	set_bit(MINIHV_REQ_EVENT, &vcpu->requests);
	/* The request before the mode: see minihv_vcpu_enter_guest_mode(). */
	smp_mb__after_atomic();
	if (READ_ONCE(vcpu->mode) == MINIHV_IN_GUEST) {
		int cpu = READ_ONCE(vcpu->cpu);

		/*
		 * -EBUSY: a kick is already on its way. The csd is the vCPU's
		 * own, so no caller ever waits for another's IPI.
		 */
		if (cpu != raw_smp_processor_id())
			smp_call_function_single_async(cpu, &vcpu->kick_csd);
	}
	if (wq_has_sleeper(&vcpu->wq))
		wake_up_interruptible(&vcpu->wq);
}

/*
 * Before the vCPU is freed: a kick's IPI may still be queued on its
 * way (nothing new can start: every kicker is gone with the VM's fds
 * and timers). The target CPU drops the lock before calling kick_ipi.
 */
void minihv_vcpu_kick_drain(struct minihv_vcpu *vcpu)
{
	/* Pairs with the csd unlock of the CPU that took the IPI. */
	while (smp_load_acquire(&vcpu->kick_csd.node.u_flags) & CSD_FLAG_LOCK)
		cpu_relax();
}

/*
 * With interrupts off, right before the entry: false if a kick came in
 * since the caller last looked (the caller goes round its loop again).
 */
bool minihv_vcpu_enter_guest_mode(struct minihv_vcpu *vcpu)
{
	WRITE_ONCE(vcpu->cpu, smp_processor_id());
	/* The mode before the requests: see minihv_vcpu_kick(). */
	smp_store_mb(vcpu->mode, MINIHV_IN_GUEST);
	if (test_and_clear_bit(MINIHV_REQ_EVENT, &vcpu->requests)) {
		WRITE_ONCE(vcpu->mode, MINIHV_OUTSIDE_GUEST);
		return false;
	}
	minihv_stats_entered(vcpu);
	return true;
}

/* With interrupts still off after the exit. */
void minihv_vcpu_exit_guest_mode(struct minihv_vcpu *vcpu)
{
	WRITE_ONCE(vcpu->mode, MINIHV_OUTSIDE_GUEST);
	minihv_stats_exited(vcpu);
}

/*
 * WFI / HLT: sleep until the architecture has an interrupt for the vCPU,
 * a kick arrives or a signal does (-EINTR, RUN returns to userspace and
 * the guest resumes after the WFI/HLT next time, as after a spurious
 * wake-up, which both architectures allow).
 */
int minihv_vcpu_block(struct minihv_vcpu *vcpu)
{
	struct minihv_vcpu_stats *s = &vcpu->stats;
	u64 start = local_clock();
	bool slept = false;
	DEFINE_WAIT(wait);
	int ret = 0;

	for (;;) {
		prepare_to_wait(&vcpu->wq, &wait, TASK_INTERRUPTIBLE);
		if (minihv_ops->vcpu_has_work(vcpu))
			break;
		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		if (!slept)
			minihv_clock_blocked(vcpu, true);
		slept = true;
		schedule();
	}
	finish_wait(&vcpu->wq, &wait);
	if (slept)
		minihv_clock_blocked(vcpu, false);
	if (!slept) {
		minihv_stat_add(s, MINIHV_STAT_HALT_POLLS, 1);
		return ret;
	}
	minihv_stat_add(s, MINIHV_STAT_HALT_SLEEPS, 1);
	minihv_stat_add(s, MINIHV_STAT_HALT_WAKEUPS, !ret);
	minihv_stat_add(s, MINIHV_STAT_HALT_NS, local_clock() - start);
	return ret;
}
