// SPDX-License-Identifier: GPL-2.0
/*
 * Waking and interrupting vCPUs: whoever makes an interrupt pending for a
 * vCPU (another vCPU's IPI, a timer, a device line from userspace) kicks
 * it. A vCPU asleep in WFI / HLT is woken; one running guest code on
 * another CPU is interrupted by an IPI, which the hardware turns into an
 * exit, so the interrupt is delivered at once.
 *
 * No kick is lost: the kicker makes its change, sets MINIHV_REQ_EVENT and
 * then reads @mode; the vCPU clears the request at the top of each round
 * of its run loop, before it looks at anything a kicker changes, then
 * writes @mode and reads @requests again before entering (a full barrier
 * at each step). A kick before the clear is seen by that round's look; a
 * later one either finds the vCPU in the guest and sends the IPI, or
 * sends the vCPU round again. So a kick costs the vCPU one round, not the
 * two it took when the request was cleared only at the entry. Sleeping
 * works the same way with the wait queue.
 *
 * That IPI is the scheduler's reschedule IPI, through kick_process(), as
 * KVM kicks with smp_send_reschedule(): a spurious one costs its target
 * next to nothing, and it needs no state of ours on its way, unlike a
 * function-call IPI's csd (which cost a queue on each side, too).
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sched/signal.h>
#include <linux/wait.h>

#include "core/minihv.h"

void minihv_vcpu_kick_init(struct minihv_vcpu *vcpu)
{
	init_waitqueue_head(&vcpu->wq);
	vcpu->mode = MINIHV_OUTSIDE_GUEST;
}

void minihv_vcpu_kick(struct minihv_vcpu *vcpu)
{
	/* The change before the request: see minihv_vcpu_take_kicks(). */
	smp_mb__before_atomic();
	set_bit(MINIHV_REQ_EVENT, &vcpu->requests);
	/* The request before the mode: see minihv_vcpu_enter_guest_mode(). */
	smp_mb__after_atomic();
	/*
	 * A task seen in the guest has not exited yet, and tasks are freed
	 * after an RCU grace period: under the lock, @task stays valid
	 * even if it leaves the guest (and RUN) meanwhile. kick_process()
	 * sends nothing to the kicker's own CPU, nor to a task not running.
	 */
	rcu_read_lock();
	if (READ_ONCE(vcpu->mode) == MINIHV_IN_GUEST)
		kick_process(READ_ONCE(vcpu->task));
	rcu_read_unlock();
	if (wq_has_sleeper(&vcpu->wq))
		wake_up_interruptible(&vcpu->wq);
}

/*
 * The top of each round of the run loop: the kicks so far are taken, and
 * what they announced is seen by everything the round looks at next.
 */
void minihv_vcpu_take_kicks(struct minihv_vcpu *vcpu)
{
	clear_bit(MINIHV_REQ_EVENT, &vcpu->requests);
	/* The clear before the looks; pairs with minihv_vcpu_kick()'s. */
	smp_mb__after_atomic();
}

/*
 * With interrupts off, right before the entry: false if a kick came in
 * since the caller last looked (the caller goes round its loop again).
 */
bool minihv_vcpu_enter_guest_mode(struct minihv_vcpu *vcpu)
{
	WRITE_ONCE(vcpu->task, current);
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
