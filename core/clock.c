// SPDX-License-Identifier: GPL-2.0
/*
 * A VM's three clocks (docs/time.md), the same on both architectures:
 *
 * - real time: host counter ticks since the VM was created;
 * - virtual time: real time minus the ticks during which the VM was
 *   stopped, that is no vCPU inside MINIHV_RUN without being preempted
 *   (a vCPU asleep in WFI / HLT executes: its timers count on this clock);
 * - wall-clock time: a date for real time 0, kept beside the other two.
 *
 * The guest's counter (CNTVCT_EL0 = CNTPCT_EL0 - CNTVOFF_EL2 on arm64, the
 * TSC plus the VMCS TSC offset on x86) shows one of the first two, chosen
 * per VM before it runs: counter = host counter + @offset, one offset for
 * every vCPU. In virtual-time mode the offset grows more negative by each
 * stop, so the counter stands still while the VM does not execute. It
 * only changes while no vCPU executes, so no running vCPU ever sees its
 * counter jump; vCPUs load it before their next entry (@gen).
 *
 * A vCPU may register a time page (struct minihv_time_page) that turns the
 * counter into all three clocks; it is rewritten whenever the VM resumes
 * after a stop (one of real or virtual time moved without the counter) and
 * whenever userspace sets a clock, from the thread that changes it, so a
 * running guest sees a new date without an exit.
 *
 * Locking: @lock (raw: taken from the scheduler's preempt notifiers)
 * guards the clock state, and @seq lets the timers read the counter
 * without it. @page_lock (a mutex) guards the pages and the wall clock.
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include "core/minihv.h"

static u64 host_counter(void)
{
	return minihv_ops->read_counter();
}

/*
 * ns = ((ticks << shift) * mul) >> 32, with mul in [2^31, 2^32): the
 * pvclock form, so that a guest converts with one multiply. A positive
 * shift for counters slower than 1 GHz, negative for faster ones.
 */
static void clock_scale(u64 hz, u32 *mul, s8 *shift)
{
	u64 num = NSEC_PER_SEC, den = max_t(u64, hz, 1);
	int s = 0;

	while (num >= den) {
		den <<= 1;
		s++;
	}
	while (2 * num < den) {
		num <<= 1;
		s--;
	}
	*mul = mul_u64_u64_div_u64(1ULL << 32, num, den);
	*shift = s;
}

static u64 scale_ticks(u64 ticks, u32 mul, s8 shift)
{
	if (shift >= 0)
		ticks <<= shift;
	else
		ticks >>= -shift;
	return mul_u64_u32_shr(ticks, mul, 32);
}

u64 minihv_clock_ticks_to_ns(const struct minihv_vm_clock *c, u64 ticks)
{
	return scale_ticks(ticks, c->mul, c->shift);
}

static u64 ns_to_ticks(const struct minihv_vm_clock *c, u64 ns)
{
	return mul_u64_u64_div_u64(ns, c->hz, NSEC_PER_SEC);
}

/* Host ticks the VM has not executed, up to @now. Under @lock or @seq. */
static u64 stopped_ticks(const struct minihv_vm_clock *c, u64 now)
{
	return c->stopped + (c->executing ? 0 : now - c->stop_start);
}

/* The three clocks in ticks at @now (host counter). Under @lock or @seq. */
static u64 real_ticks(const struct minihv_vm_clock *c, u64 now)
{
	return now - c->created + (c->virtual ? 0 : c->adjust);
}

static u64 virtual_ticks(const struct minihv_vm_clock *c, u64 now)
{
	return now - c->created - stopped_ticks(c, now) +
	       (c->virtual ? c->adjust : 0);
}

static u64 counter_at(const struct minihv_vm_clock *c, u64 now)
{
	return c->virtual ? virtual_ticks(c, now) : real_ticks(c, now);
}

/* After a change of the counter's clock: the offset that shows it. */
static void update_offset(struct minihv_vm_clock *c, u64 now)
{
	c->offset = counter_at(c, now) - now;
}

/* What vCPUs load, or their pages hold, changed: tell each of them. */
static void bump(struct minihv_vm *vm)
{
	unsigned int i, n = minihv_vm_nr_vcpus(vm);

	/* The new state before the generation: see minihv_clock_sync(). */
	smp_store_release(&vm->clock.gen, vm->clock.gen + 1);
	/* An entry already past its sync goes round its loop once more. */
	smp_mb__before_atomic();
	for (i = 0; i < n; i++)
		set_bit(MINIHV_REQ_EVENT, &vm->vcpus[i]->requests);
}

void minihv_clock_vm_init(struct minihv_vm *vm)
{
	struct minihv_vm_clock *c = &vm->clock;
	struct timespec64 ts;

	raw_spin_lock_init(&c->lock);
	seqcount_raw_spinlock_init(&c->seq, &c->lock);
	mutex_init(&c->page_lock);
	c->hz = minihv_ops->counter_hz();
	clock_scale(c->hz, &c->mul, &c->shift);
	ktime_get_real_ts64(&ts);
	c->created = host_counter();
	c->stop_start = c->created;
	update_offset(c, c->created);
	c->wall_sec = ts.tv_sec;
	c->wall_nsec = ts.tv_nsec;
}

s64 minihv_clock_offset(struct minihv_vm *vm)
{
	struct minihv_vm_clock *c = &vm->clock;
	unsigned int seq;
	s64 offset;

	do {
		seq = read_seqcount_begin(&c->seq);
		offset = c->offset;
	} while (read_seqcount_retry(&c->seq, seq));
	return offset;
}

/*
 * The guest's counter now, as every vCPU reads it (standing still while
 * a virtual-time VM is stopped): what the timers compare against.
 */
u64 minihv_clock_counter(struct minihv_vm *vm)
{
	struct minihv_vm_clock *c = &vm->clock;
	unsigned int seq;
	u64 counter;

	do {
		seq = read_seqcount_begin(&c->seq);
		counter = counter_at(c, host_counter());
	} while (read_seqcount_retry(&c->seq, seq));
	return counter;
}

/* ---- executing or not: RUN, preemption ---- */

static u64 runstate_now(struct minihv_vcpu *vcpu)
{
	return minihv_clock_ticks_to_ns(&vcpu->vm->clock,
					host_counter() - vcpu->clock.born);
}

/* The vCPU's own thread, preemption off (or in a scheduler hook). */
/*
 * The vCPU's own thread writes, and its sched_out hook under the run
 * queue's lock with interrupts off: write with interrupts off always, so
 * that one write section is never inside another (nor lockdep in doubt).
 */
static void runstate_set(struct minihv_vcpu *vcpu, u32 state)
{
	struct minihv_vcpu_clock *vc = &vcpu->clock;
	unsigned long flags;
	u64 now;

	local_irq_save(flags);
	now = runstate_now(vcpu);
	write_seqcount_begin(&vc->seq);
	vc->time[vc->state] += now - vc->state_entry;
	vc->state = state;
	vc->state_entry = now;
	write_seqcount_end(&vc->seq);
	local_irq_restore(flags);
}

static void executing_inc(struct minihv_vm *vm)
{
	struct minihv_vm_clock *c = &vm->clock;
	unsigned long flags;

	raw_spin_lock_irqsave(&c->lock, flags);
	if (!c->executing) {
		u64 now = host_counter();

		write_seqcount_begin(&c->seq);
		c->stopped += now - c->stop_start;
		c->executing = 1;
		if (c->virtual)
			update_offset(c, now);
		write_seqcount_end(&c->seq);
		/* The counter moved (virtual) or the pages' other clock did. */
		if (c->virtual || c->nr_pages)
			bump(vm);
	} else {
		c->executing++;
	}
	raw_spin_unlock_irqrestore(&c->lock, flags);
}

static void executing_dec(struct minihv_vm *vm)
{
	struct minihv_vm_clock *c = &vm->clock;
	unsigned long flags;

	raw_spin_lock_irqsave(&c->lock, flags);
	if (c->executing == 1) {
		write_seqcount_begin(&c->seq);
		c->stop_start = host_counter();
		c->executing = 0;
		write_seqcount_end(&c->seq);
	} else {
		c->executing--;
	}
	raw_spin_unlock_irqrestore(&c->lock, flags);
}

void minihv_clock_run_begin(struct minihv_vcpu *vcpu)
{
	struct minihv_vm_clock *c = &vcpu->vm->clock;

	raw_spin_lock_irq(&c->lock);
	c->in_run++;
	c->started = true;
	raw_spin_unlock_irq(&c->lock);
	preempt_disable();
	runstate_set(vcpu, MINIHV_RUNSTATE_RUNNING);
	vcpu->clock.in_run = true;
	executing_inc(vcpu->vm);
	preempt_enable();
}

void minihv_clock_run_end(struct minihv_vcpu *vcpu)
{
	struct minihv_vm_clock *c = &vcpu->vm->clock;

	preempt_disable();
	executing_dec(vcpu->vm);
	vcpu->clock.in_run = false;
	runstate_set(vcpu, MINIHV_RUNSTATE_OFFLINE);
	preempt_enable();
	raw_spin_lock_irq(&c->lock);
	c->in_run--;
	raw_spin_unlock_irq(&c->lock);
}

/*
 * From the architecture's preempt notifiers, in RUN: a task still on its
 * run queue is preempted (runnable); one that is not went to sleep itself
 * (in WFI / HLT, a page fault, a lock), which counts as executing.
 */
void minihv_clock_sched_out(struct minihv_vcpu *vcpu)
{
	struct minihv_vcpu_clock *vc = &vcpu->clock;

	if (!vc->in_run || !READ_ONCE(current->on_rq))
		return;
	vc->preempted_from = vc->state;
	vc->preempted = true;
	runstate_set(vcpu, MINIHV_RUNSTATE_RUNNABLE);
	executing_dec(vcpu->vm);
}

void minihv_clock_sched_in(struct minihv_vcpu *vcpu)
{
	struct minihv_vcpu_clock *vc = &vcpu->clock;

	if (!vc->preempted)
		return;
	vc->preempted = false;
	executing_inc(vcpu->vm);
	runstate_set(vcpu, vc->preempted_from);
}

/* Around a WFI / HLT sleep or a powered-off wait, in the vCPU's thread. */
void minihv_clock_blocked(struct minihv_vcpu *vcpu, bool blocked)
{
	preempt_disable();
	runstate_set(vcpu, blocked ? MINIHV_RUNSTATE_BLOCKED :
		     MINIHV_RUNSTATE_RUNNING);
	preempt_enable();
}

void minihv_clock_vcpu_init(struct minihv_vcpu *vcpu)
{
	struct minihv_vcpu_clock *vc = &vcpu->clock;

	seqcount_init(&vc->seq);
	vc->born = host_counter();
	vc->state = MINIHV_RUNSTATE_OFFLINE;
	/* Loads the VM's offset before the first entry. */
	vc->gen = READ_ONCE(vcpu->vm->clock.gen) - 1;
}

long minihv_clock_get_runstate(struct minihv_vcpu *vcpu, void __user *uarg)
{
	struct minihv_vcpu_clock *vc = &vcpu->clock;
	struct minihv_runstate rs;
	unsigned int seq;
	u64 now;

	memset(&rs, 0, sizeof(rs));
	do {
		seq = read_seqcount_begin(&vc->seq);
		now = runstate_now(vcpu);
		memcpy(rs.time, vc->time, sizeof(rs.time));
		rs.state = vc->state;
		rs.state_entry_ns = vc->state_entry;
	} while (read_seqcount_retry(&vc->seq, seq));
	/* The current state's time so far, so the four add up to now. */
	if (now > rs.state_entry_ns)
		rs.time[rs.state] += now - rs.state_entry_ns;
	return copy_to_user(uarg, &rs, sizeof(rs)) ? -EFAULT : 0;
}

/* ---- the time page ---- */

/* Under @page_lock: the page's contents at this instant, and write it. */
static int write_page(struct minihv_vcpu *vcpu)
{
	struct minihv_vm *vm = vcpu->vm;
	struct minihv_vm_clock *c = &vm->clock;
	u64 gpa = vcpu->clock.page_gpa;
	struct minihv_time_page p = {};
	unsigned int seq;
	int ret;

	lockdep_assert_held(&c->page_lock);
	do {
		u64 now;

		seq = read_seqcount_begin(&c->seq);
		now = host_counter();
		p.flags = c->virtual ? MINIHV_CLOCK_VIRTUAL : 0;
		p.counter_base = counter_at(c, now);
		p.real_ns = minihv_clock_ticks_to_ns(c, real_ticks(c, now));
		p.virtual_ns = minihv_clock_ticks_to_ns(c,
							virtual_ticks(c, now));
	} while (read_seqcount_retry(&c->seq, seq));
	p.mul = c->mul;
	p.shift = c->shift;
	p.wall_sec = c->wall_sec;
	p.wall_nsec = c->wall_nsec;
	p.counter_hz = c->hz;

	/* An odd version while the rest changes, as a seqlock writer. */
	vcpu->clock.page_version += 2;
	p.version = vcpu->clock.page_version - 1;
	ret = minihv_guest_access(vm, gpa, &p.version, sizeof(p.version), true);
	if (ret)
		return ret;
	/* The odd version before the fields, for the guest's reader. */
	smp_wmb();
	ret = minihv_guest_access(vm, gpa + sizeof(p.version),
				  (u8 *)&p + sizeof(p.version),
				  sizeof(p) - sizeof(p.version), true);
	/* The fields before the even version that says they are whole. */
	smp_wmb();
	p.version++;
	return minihv_guest_access(vm, gpa, &p.version, sizeof(p.version),
				   true) ?: ret;
}

/* The hypercall: register (gpa) or unregister (0) the vCPU's page. */
u64 minihv_clock_hcall_time_page(struct minihv_vcpu *vcpu, u64 gpa)
{
	struct minihv_vm_clock *c = &vcpu->vm->clock;
	u64 ret = 0;

	if (gpa && (!IS_ALIGNED(gpa, 8) ||
		    offset_in_page(gpa) + sizeof(struct minihv_time_page) >
		    PAGE_SIZE))
		return MINIHV_HCALL_INVALID;
	mutex_lock(&c->page_lock);
	if (!gpa) {
		if (vcpu->clock.page_gpa)
			c->nr_pages--;
		vcpu->clock.page_gpa = 0;
		goto out;
	}
	if (!vcpu->clock.page_gpa)
		c->nr_pages++;
	vcpu->clock.page_gpa = gpa;
	/* Outside guest RAM: refused, nothing registered. */
	if (write_page(vcpu)) {
		vcpu->clock.page_gpa = 0;
		c->nr_pages--;
		ret = MINIHV_HCALL_INVALID;
	}
out:
	mutex_unlock(&c->page_lock);
	return ret;
}

/* Every registered page now: after userspace set a clock. */
static void write_all_pages(struct minihv_vm *vm)
{
	unsigned int i, n = minihv_vm_nr_vcpus(vm);

	lockdep_assert_held(&vm->clock.page_lock);
	for (i = 0; i < n; i++)
		if (vm->vcpus[i]->clock.page_gpa)
			write_page(vm->vcpus[i]);
}

/*
 * Before each entry, in the vCPU's thread, preemptible: the counter
 * offset and the page, if the VM's clock changed since the last time.
 */
void minihv_clock_sync(struct minihv_vcpu *vcpu)
{
	struct minihv_vm_clock *c = &vcpu->vm->clock;
	/* Pairs with bump(): the new offset is seen with its generation. */
	u32 gen = smp_load_acquire(&c->gen);

	if (likely(gen == vcpu->clock.gen))
		return;
	vcpu->clock.gen = gen;
	minihv_ops->set_counter_offset(vcpu, minihv_clock_offset(vcpu->vm));
	if (READ_ONCE(vcpu->clock.page_gpa)) {
		mutex_lock(&c->page_lock);
		if (vcpu->clock.page_gpa)
			write_page(vcpu);
		mutex_unlock(&c->page_lock);
	}
}

/* ---- the VM fd's ioctls ---- */

long minihv_clock_get(struct minihv_vm *vm, void __user *uarg)
{
	struct minihv_vm_clock *c = &vm->clock;
	struct minihv_clock k = {};
	unsigned int seq;

	do {
		u64 now;

		seq = read_seqcount_begin(&c->seq);
		now = host_counter();
		k.flags = c->virtual ? MINIHV_CLOCK_VIRTUAL : 0;
		k.counter = counter_at(c, now);
		k.real_ns = minihv_clock_ticks_to_ns(c, real_ticks(c, now));
		k.virtual_ns = minihv_clock_ticks_to_ns(c,
							virtual_ticks(c, now));
	} while (read_seqcount_retry(&c->seq, seq));
	k.clock = c->virtual ? k.virtual_ns : k.real_ns;
	k.counter_hz = c->hz;
	return copy_to_user(uarg, &k, sizeof(k)) ? -EFAULT : 0;
}

long minihv_clock_set(struct minihv_vm *vm, void __user *uarg)
{
	struct minihv_vm_clock *c = &vm->clock;
	struct minihv_clock k;
	bool virtual;
	long ret = 0;
	u64 now;

	if (copy_from_user(&k, uarg, sizeof(k)))
		return -EFAULT;
	if (k.flags & ~MINIHV_CLOCK_VIRTUAL || k.pad ||
	    memchr_inv(k.reserved, 0, sizeof(k.reserved)))
		return -EINVAL;
	/* Far enough from overflow in every conversion: 100 years. */
	if (k.clock > 100ULL * 365 * 24 * 3600 * NSEC_PER_SEC)
		return -EINVAL;
	virtual = k.flags & MINIHV_CLOCK_VIRTUAL;

	mutex_lock(&c->page_lock);
	raw_spin_lock_irq(&c->lock);
	if (c->in_run) {
		ret = -EBUSY;
		goto unlock;
	}
	if (virtual != c->virtual && c->started) {
		ret = -EBUSY;
		goto unlock;
	}
	now = host_counter();
	write_seqcount_begin(&c->seq);
	c->virtual = virtual;
	c->adjust = 0;
	/* Now the mode's clock reads @clock, in ticks. */
	c->adjust = ns_to_ticks(c, k.clock) - counter_at(c, now);
	update_offset(c, now);
	write_seqcount_end(&c->seq);
	bump(vm);
unlock:
	raw_spin_unlock_irq(&c->lock);
	if (!ret)
		write_all_pages(vm);
	mutex_unlock(&c->page_lock);
	return ret;
}

long minihv_clock_get_wall(struct minihv_vm *vm, void __user *uarg)
{
	struct minihv_vm_clock *c = &vm->clock;
	struct minihv_wallclock w = {};

	mutex_lock(&c->page_lock);
	w.sec = c->wall_sec;
	w.nsec = c->wall_nsec;
	mutex_unlock(&c->page_lock);
	return copy_to_user(uarg, &w, sizeof(w)) ? -EFAULT : 0;
}

long minihv_clock_set_wall(struct minihv_vm *vm, void __user *uarg)
{
	struct minihv_vm_clock *c = &vm->clock;
	struct minihv_wallclock w;

	if (copy_from_user(&w, uarg, sizeof(w)))
		return -EFAULT;
	if (w.flags || w.nsec >= NSEC_PER_SEC ||
	    memchr_inv(w.reserved, 0, sizeof(w.reserved)))
		return -EINVAL;
	mutex_lock(&c->page_lock);
	c->wall_sec = w.sec;
	c->wall_nsec = w.nsec;
	/* Straight into the pages: running guests see it without an exit. */
	write_all_pages(vm);
	mutex_unlock(&c->page_lock);
	return 0;
}
