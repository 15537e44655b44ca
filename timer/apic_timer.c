// SPDX-License-Identifier: GPL-2.0
/*
 * The local APIC timer (SDM 11.5.4): one-shot, periodic and TSC-deadline
 * modes on an hrtimer, so it fires on time whether the vCPU runs guest
 * code (the kick makes it exit), sleeps in HLT (the kick wakes it) or is
 * not scheduled at all (the interrupt waits in its IRR).
 *
 * The timer counts at the TSC's rate divided by the divide configuration
 * (CPUID 0x15 reports the TSC as the "core crystal clock"), so every mode
 * is a guest TSC value to reach; the hrtimer is a host-time estimate of
 * it, and its handler re-arms when early, so an interrupt never comes
 * before its deadline in guest TSC terms.
 *
 * The vCPU's thread changes the timer after hrtimer_cancel(), which waits
 * for a running handler; the handler only moves @target forward and
 * clears @deadline, which the thread reads with READ_ONCE.
 */
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/math64.h>

#include "core/minihv.h"
#include "irq/lapic.h"
#include "timer/tsc.h"
#include "vmx/vmx.h"

#define TIMER_MODE(lvt)		((lvt) & (3 << 17))
#define MODE_ONESHOT		APIC_LVT_TIMER_ONESHOT
#define MODE_PERIODIC		APIC_LVT_TIMER_PERIODIC
#define MODE_DEADLINE		APIC_LVT_TIMER_TSCDEADLINE

/*
 * A periodic timer fires at most every 200 us (as KVM's default floor):
 * a guest cannot flood its host CPU with hrtimer interrupts.
 */
#define MIN_PERIOD_US		200

static u64 min_period(void)
{
	return (u64)minihv_tsc_khz() * MIN_PERIOD_US / 1000;
}

static void arm(struct apic_timer *t, u64 now, u64 target)
{
	u64 ns = target > now ? minihv_tsc_to_ns(target - now) : 0;

	hrtimer_start(&t->hrtimer, ktime_add_ns(ktime_get(), ns),
		      HRTIMER_MODE_ABS_HARD);
}

static enum hrtimer_restart expired(struct hrtimer *h)
{
	struct apic_timer *t = container_of(h, struct apic_timer, hrtimer);
	struct minihv_lapic *apic = container_of(t, struct minihv_lapic, timer);
	u64 now = minihv_tsc_guest(apic->v), target = READ_ONCE(t->target);
	u32 lvt = lapic_reg(apic, APIC_LVTT);

	/* Early by host time: wait for the guest TSC to get there. */
	if (now < target) {
		hrtimer_set_expires(h, ktime_add_ns(ktime_get(),
						    minihv_tsc_to_ns(target - now)));
		return HRTIMER_RESTART;
	}
	if (!(lvt & APIC_LVT_MASKED))
		minihv_lapic_post(apic, lvt & 0xff, false);

	if (t->mode == MODE_PERIODIC && t->period) {
		/* Periods missed while the host was away coalesce into one. */
		target += (div64_u64(now - target, t->period) + 1) * t->period;
		WRITE_ONCE(t->target, target);
		hrtimer_set_expires(h, ktime_add_ns(ktime_get(),
						    minihv_tsc_to_ns(target - now)));
		return HRTIMER_RESTART;
	}
	WRITE_ONCE(t->target, 0);
	WRITE_ONCE(t->deadline, 0);
	return HRTIMER_NORESTART;
}

void minihv_apic_timer_init(struct minihv_lapic *apic)
{
	hrtimer_init(&apic->timer.hrtimer, CLOCK_MONOTONIC,
		     HRTIMER_MODE_ABS_HARD);
	apic->timer.hrtimer.function = expired;
	apic->timer.divide = 2;
}

/* Disarmed, one-shot mode: reset, or the vCPU going away. */
void minihv_apic_timer_stop(struct minihv_lapic *apic)
{
	struct apic_timer *t = &apic->timer;

	hrtimer_cancel(&t->hrtimer);
	t->target = 0;
	t->deadline = 0;
	t->mode = MODE_ONESHOT;
}

static void start_count(struct minihv_lapic *apic, u32 count)
{
	struct apic_timer *t = &apic->timer;
	u64 now = minihv_tsc_guest(apic->v);

	hrtimer_cancel(&t->hrtimer);
	t->target = 0;
	if (!count || t->mode == MODE_DEADLINE)
		return;
	t->period = (u64)count * t->divide;
	if (t->mode == MODE_PERIODIC)
		t->period = max(t->period, min_period());
	t->target = now + t->period;
	arm(t, now, t->target);
}

/*
 * An LVT timer write: entering or leaving TSC-deadline mode disarms the
 * timer (SDM 11.5.4.1); between one-shot and periodic the count goes on
 * and the new mode decides what happens at zero.
 */
void minihv_apic_timer_lvt(struct minihv_lapic *apic, u32 lvt)
{
	struct apic_timer *t = &apic->timer;
	u32 mode = TIMER_MODE(lvt);

	if (mode == t->mode)
		return;
	hrtimer_cancel(&t->hrtimer);
	if (mode == MODE_DEADLINE || t->mode == MODE_DEADLINE) {
		t->mode = mode;
		t->target = 0;
		t->deadline = 0;
		lapic_set_reg(apic, APIC_TMICT, 0);
		return;
	}
	t->mode = mode;
	if (mode == MODE_PERIODIC)
		t->period = max(t->period, min_period());
	if (t->target)
		arm(t, minihv_tsc_guest(apic->v), t->target);
}

void minihv_apic_timer_tmict(struct minihv_lapic *apic, u32 count)
{
	if (apic->timer.mode == MODE_DEADLINE) {
		lapic_set_reg(apic, APIC_TMICT, 0);	/* ignored there */
		return;
	}
	start_count(apic, count);
}

/* Divide by 2^(1 + bits 3,1:0) mod 8 (0b1011: by 1); from the next count. */
void minihv_apic_timer_tdcr(struct minihv_lapic *apic, u32 tdcr)
{
	u32 v = (tdcr & 3) | (tdcr & 8) >> 1;

	apic->timer.divide = 1U << ((v + 1) & 7);
}

u32 minihv_apic_timer_tmcct(struct minihv_lapic *apic)
{
	struct apic_timer *t = &apic->timer;
	u64 target = READ_ONCE(t->target), now, left, rem;

	if (!target || t->mode == MODE_DEADLINE)
		return 0;
	now = minihv_tsc_guest(apic->v);
	if (now >= target) {
		if (t->mode != MODE_PERIODIC || !t->period)
			return 0;
		/* Expired, the handler not yet run: into the next period. */
		div64_u64_rem(now - target, t->period, &rem);
		left = t->period - rem;
	} else {
		left = target - now;
	}
	return min_t(u64, div_u64(left, t->divide), U32_MAX);
}

/*
 * The guest TSC moved under an armed timer (core/clock.c, an IA32_TSC
 * write): the hrtimer was a host-time estimate on the old offset, and
 * would fire late. The vCPU's thread, as for every change.
 */
void minihv_apic_timer_rearm(struct minihv_lapic *apic)
{
	struct apic_timer *t = &apic->timer;

	hrtimer_cancel(&t->hrtimer);
	if (t->target)
		arm(t, minihv_tsc_guest(apic->v), t->target);
}

u64 minihv_apic_timer_get_deadline(struct minihv_lapic *apic)
{
	if (apic->timer.mode != MODE_DEADLINE)
		return 0;
	return READ_ONCE(apic->timer.deadline);
}

/* IA32_TSC_DEADLINE: 0 disarms; a past value fires at once. */
void minihv_apic_timer_set_deadline(struct minihv_lapic *apic, u64 tsc)
{
	struct apic_timer *t = &apic->timer;

	if (t->mode != MODE_DEADLINE)
		return;		/* ignored outside TSC-deadline mode */
	hrtimer_cancel(&t->hrtimer);
	t->deadline = tsc;
	t->target = tsc;
	if (tsc)
		arm(t, minihv_tsc_guest(apic->v), tsc);
}
