// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 generic timers of a guest.
 *
 * Virtual timer: the guest's own hardware. Its registers are switched
 * with the rest of EL1 (el2/world_switch.h) and counted against the VM's
 * CNTVOFF_EL2, so the guest programs it without trapping. While the
 * guest runs, its expiry raises the host's virtual-timer PPI, so the
 * guest exits at once; the line it gives the vGIC (PPI 27) is sampled
 * from the saved registers after every exit. While the vCPU runs no
 * guest code (WFI, back in userspace, descheduled) an hrtimer stands in
 * for it.
 *
 * Physical timer: CNTP_{CTL,CVAL,TVAL}_EL0 trap (CNTHCTL_EL2.EL1PCEN
 * clear) and are emulated on an hrtimer against the physical counter,
 * which the guest reads directly; PPI 30.
 *
 * A vCPU's timers live in its context and its struct arch_timer_cpu,
 * not on a CPU, so they move with it.
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/cpuhotplug.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/math64.h>
#include <linux/of.h>
#include <linux/of_irq.h>
#include <linux/percpu.h>

#include <asm/arch_timer.h>
#include <asm/sysreg.h>
#include <clocksource/arm_arch_timer.h>

#include "el2/el2.h"
#include "irq/vgic.h"
#include "timer/arch_timer.h"

#define CTL_RW		(ARCH_TIMER_CTRL_ENABLE | ARCH_TIMER_CTRL_IT_MASK)

/*
 * The host's virtual-timer PPI. minihv requests it when it is free (the
 * kernel's KVM holds it otherwise, and keeps it enabled: its handler
 * ignores an interrupt while none of its vCPUs is loaded). Either way a
 * guest whose timer line is already high must not be brought straight
 * back out by its own expired timer at every entry, so while such a
 * guest runs minihv marks the PPI active on that CPU, as KVM does: an
 * active interrupt is not signalled again (GICv3, 4.1). That takes only
 * the irq number, not ownership, and leaves the PPI's enable and its
 * handler to whoever holds it.
 *
 * vtimer_active is the active state as minihv last set it on this CPU,
 * or -1 when someone else may have changed it since (a CPU coming up,
 * another hypervisor's vCPU): the next entry then sets it again.
 */
static int vtimer_irq;
static bool vtimer_owned;
static int __percpu *vtimer_cookie;
static enum cpuhp_state vtimer_cpuhp;
static DEFINE_PER_CPU(int, vtimer_active) = -1;
static u32 cntfrq;

static irqreturn_t vtimer_handler(int irq, void *cookie)
{
	/* The exit it caused is the point: the run loop samples the timer. */
	return IRQ_HANDLED;
}

static int vtimer_cpu_up(unsigned int cpu)
{
	if (vtimer_owned)
		enable_percpu_irq(vtimer_irq, IRQ_TYPE_NONE);
	this_cpu_write(vtimer_active, -1);
	return 0;
}

static int vtimer_cpu_down(unsigned int cpu)
{
	minihv_arch_timer_release_cpu();
	if (vtimer_owned)
		disable_percpu_irq(vtimer_irq);
	return 0;
}

static void set_vtimer_active(int active)
{
	if (__this_cpu_read(vtimer_active) == active)
		return;
	/* The PPI of this CPU's redistributor: fails only for a bad irq. */
	if (!irq_set_irqchip_state(vtimer_irq, IRQCHIP_STATE_ACTIVE, active))
		__this_cpu_write(vtimer_active, active);
}

/*
 * On a CPU, interrupts off: leave the PPI inactive, as its owner expects
 * when minihv's guests stop running here (last VM gone, CPU down,
 * unload), and forget the state.
 */
void minihv_arch_timer_release_cpu(void)
{
	if (!vtimer_irq)
		return;
	if (this_cpu_read(vtimer_active))
		irq_set_irqchip_state(vtimer_irq, IRQCHIP_STATE_ACTIVE, false);
	this_cpu_write(vtimer_active, -1);
}

/* On a CPU: another hypervisor may have set the PPI's state here. */
void minihv_arch_timer_forget_cpu(void)
{
	this_cpu_write(vtimer_active, -1);
}

static void release_ipi(void *unused)
{
	minihv_arch_timer_release_cpu();
}

/* Undoes the interrupt part of minihv_arch_timer_init(). */
static void vtimer_irq_release(void)
{
	if (vtimer_owned)
		free_percpu_irq(vtimer_irq, vtimer_cookie);
	free_percpu(vtimer_cookie);
	vtimer_cookie = NULL;
	vtimer_owned = false;
	vtimer_irq = 0;
}

/* The device tree's timer node: its third interrupt is the virtual one. */
int minihv_arch_timer_init(void)
{
	struct device_node *np;
	int ret;

	cntfrq = arch_timer_get_cntfrq();
	np = of_find_compatible_node(NULL, NULL, "arm,armv8-timer");
	vtimer_irq = np ? irq_of_parse_and_map(np, 2) : 0;
	of_node_put(np);
	if (vtimer_irq <= 0) {
		pr_info("no virtual timer interrupt in the device tree: a guest's timer is noticed at its next exit\n");
		vtimer_irq = 0;
		return 0;
	}
	vtimer_cookie = alloc_percpu(int);
	if (!vtimer_cookie)
		return -ENOMEM;
	/* Asked first: a refused request_percpu_irq() logs an error. */
	ret = irq_has_action(vtimer_irq) ? -EBUSY :
	      request_percpu_irq(vtimer_irq, vtimer_handler, "minihv-vtimer",
				 vtimer_cookie);
	vtimer_owned = !ret;
	if (ret) {
		free_percpu(vtimer_cookie);
		vtimer_cookie = NULL;
		if (irq_percpu_is_enabled(vtimer_irq))
			pr_info("virtual timer interrupt held by another driver (KVM): minihv shares it\n");
		else
			pr_info("virtual timer interrupt held by another driver and off: a guest's timer is noticed at its next exit\n");
	}
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "minihv/vtimer:online",
				vtimer_cpu_up, vtimer_cpu_down);
	if (ret < 0) {
		vtimer_irq_release();
		return ret;
	}
	vtimer_cpuhp = ret;
	return 0;
}

void minihv_arch_timer_exit(void)
{
	if (!vtimer_irq)
		return;
	/* Runs vtimer_cpu_down() on every CPU: PPI inactive, disabled. */
	cpuhp_remove_state(vtimer_cpuhp);
	vtimer_irq_release();
}

/* Every online CPU: the PPI back to inactive (no guest of ours runs). */
void minihv_arch_timer_release_all(void)
{
	if (vtimer_irq)
		on_each_cpu(release_ipi, NULL, 1);
}

static struct arch_timer_cpu *timer_of(struct minihv_vcpu *vcpu)
{
	return &((struct el2_vcpu *)vcpu->arch)->timer;
}

static struct el2_vcpu_ctx *ctx_of(struct minihv_vcpu *vcpu)
{
	return ((struct el2_vcpu *)vcpu->arch)->ctx;
}

static bool has_vgic(struct minihv_vcpu *vcpu)
{
	return ((struct el2_vcpu *)vcpu->arch)->vgic;
}

static u64 cntpct(void)
{
	return __arch_counter_get_cntpct();
}

/*
 * The guest's virtual counter: the VM's (core/clock.c), which stands still
 * while a virtual-time VM is stopped, so no timer fires early by it.
 */
u64 minihv_arch_timer_guest_cntvct(struct minihv_vcpu *vcpu)
{
	return minihv_clock_counter(vcpu->vm);
}

u64 minihv_arch_timer_read_counter(void)
{
	return cntpct();
}

u64 minihv_arch_timer_counter_hz(void)
{
	return arch_timer_get_cntfrq();
}

/*
 * The VM's counter moved: CNTVOFF_EL2 at the next entry. The virtual
 * timer needs nothing more: its compare value is in guest counter terms,
 * and the stand-in hrtimer reads the VM's counter when it fires.
 */
void minihv_arch_timer_set_offset(struct minihv_vcpu *vcpu, s64 offset)
{
	ctx_of(vcpu)->cntvoff = -offset;
}

/* The timer's output: enabled, not masked, and its compare value reached. */
static bool fires(u64 ctl, u64 cval, u64 now)
{
	return (ctl & CTL_RW) == ARCH_TIMER_CTRL_ENABLE && cval <= now;
}

/* Will it fire later (so an hrtimer must watch it)? */
static bool armed(u64 ctl, u64 cval, u64 now)
{
	return (ctl & CTL_RW) == ARCH_TIMER_CTRL_ENABLE && cval > now;
}

/* Counter ticks to ns, rounded up so that an hrtimer never fires early. */
static ktime_t ticks_to_ktime(u64 ticks)
{
	u64 ns = mul_u64_u64_div_u64(ticks, NSEC_PER_SEC, cntfrq) + 1;

	return ns > KTIME_MAX ? KTIME_MAX : ns;
}

static void vtimer_set_level(struct minihv_vcpu *vcpu, bool level)
{
	struct arch_timer_cpu *t = timer_of(vcpu);

	if (t->vtimer_level == level)
		return;
	t->vtimer_level = level;
	minihv_vgic_set_private_level(vcpu, VGIC_PPI_VTIMER, level);
}

static void ptimer_set_level(struct minihv_vcpu *vcpu, bool level)
{
	struct arch_timer_cpu *t = timer_of(vcpu);

	if (t->ptimer_level == level)
		return;
	t->ptimer_level = level;
	minihv_vgic_set_private_level(vcpu, VGIC_PPI_PTIMER, level);
}

/*
 * The physical timer after a change (a guest write, its hrtimer): the
 * line now, and the hrtimer for its next expiry. Under t->lock.
 */
static void ptimer_update(struct minihv_vcpu *vcpu, u64 now)
{
	struct arch_timer_cpu *t = timer_of(vcpu);

	lockdep_assert_held(&t->lock);
	if (has_vgic(vcpu))
		ptimer_set_level(vcpu, fires(t->ptimer_ctl, t->ptimer_cval,
					     now));
	if (armed(t->ptimer_ctl, t->ptimer_cval, now))
		hrtimer_start(&t->ptimer,
			      ticks_to_ktime(t->ptimer_cval - now),
			      HRTIMER_MODE_REL_HARD);
	else
		/* A callback already running finds nothing to do. */
		hrtimer_try_to_cancel(&t->ptimer);
}

static enum hrtimer_restart ptimer_expired(struct hrtimer *h)
{
	struct arch_timer_cpu *t = container_of(h, struct arch_timer_cpu,
						ptimer);
	unsigned long flags;

	raw_spin_lock_irqsave(&t->lock, flags);
	ptimer_update(t->vcpu, cntpct());
	raw_spin_unlock_irqrestore(&t->lock, flags);
	return HRTIMER_NORESTART;
}

/*
 * The virtual timer's stand-in: the vCPU is not running its guest, so
 * its saved registers are stable until minihv_arch_timer_load().
 */
static enum hrtimer_restart vtimer_bg_expired(struct hrtimer *h)
{
	struct arch_timer_cpu *t = container_of(h, struct arch_timer_cpu,
						vtimer_bg);
	struct minihv_vcpu *vcpu = t->vcpu;
	struct el2_vcpu_ctx *ctx = ctx_of(vcpu);
	u64 ctl = ctx->sys[SR_CNTV_CTL], cval = ctx->sys[SR_CNTV_CVAL];
	u64 now = minihv_arch_timer_guest_cntvct(vcpu);
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	unsigned long flags;

	raw_spin_lock_irqsave(&t->lock, flags);
	if (fires(ctl, cval, now)) {
		vtimer_set_level(vcpu, true);
	} else if (armed(ctl, cval, now)) {
		hrtimer_forward_now(h, ticks_to_ktime(cval - now));
		ret = HRTIMER_RESTART;
	}
	raw_spin_unlock_irqrestore(&t->lock, flags);
	return ret;
}

void minihv_arch_timer_vcpu_init(struct minihv_vcpu *vcpu)
{
	struct arch_timer_cpu *t = timer_of(vcpu);

	t->vcpu = vcpu;
	raw_spin_lock_init(&t->lock);
	hrtimer_init(&t->ptimer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	t->ptimer.function = ptimer_expired;
	hrtimer_init(&t->vtimer_bg, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	t->vtimer_bg.function = vtimer_bg_expired;
}

void minihv_arch_timer_vcpu_destroy(struct minihv_vcpu *vcpu)
{
	struct arch_timer_cpu *t = timer_of(vcpu);

	hrtimer_cancel(&t->ptimer);
	hrtimer_cancel(&t->vtimer_bg);
}

/*
 * After every exit, interrupts off: the virtual timer's line from the
 * registers the guest left (the physical one follows its own hrtimer).
 */
void minihv_arch_timer_sync(struct minihv_vcpu *vcpu)
{
	struct arch_timer_cpu *t = timer_of(vcpu);
	struct el2_vcpu_ctx *ctx = ctx_of(vcpu);
	u64 ctl = ctx->sys[SR_CNTV_CTL];
	bool level = false;

	if (!has_vgic(vcpu))
		return;
	/* The counter only for a timer that can fire: it is not free. */
	if ((ctl & CTL_RW) == ARCH_TIMER_CTRL_ENABLE)
		level = fires(ctl, ctx->sys[SR_CNTV_CVAL],
			      minihv_arch_timer_guest_cntvct(vcpu));
	if (level == READ_ONCE(t->vtimer_level))
		return;
	raw_spin_lock(&t->lock);
	vtimer_set_level(vcpu, level);
	raw_spin_unlock(&t->lock);
}

/*
 * Right before an entry, interrupts off: the host's virtual-timer PPI
 * active on this CPU while the guest's line is high (it has its
 * interrupt already) or the VM has no vGIC to deliver one; inactive
 * otherwise, so that an expiry exits.
 */
void minihv_arch_timer_entry(struct minihv_vcpu *vcpu)
{
	if (vtimer_irq)
		set_vtimer_active(!has_vgic(vcpu) ||
				  READ_ONCE(timer_of(vcpu)->vtimer_level));
}

/*
 * The vCPU stops running guest code for a while: the stand-in watches.
 * A timer that has expired since the exit's sync, its line still low,
 * gets the stand-in too, at once: raising the line here instead would
 * wake the vCPU's task from the scheduler hook, half switched out, and
 * lose that wake-up; not raising it would let a WFI sleep through it.
 */
void minihv_arch_timer_put(struct minihv_vcpu *vcpu)
{
	struct arch_timer_cpu *t = timer_of(vcpu);
	struct el2_vcpu_ctx *ctx = ctx_of(vcpu);
	u64 ctl = ctx->sys[SR_CNTV_CTL], cval = ctx->sys[SR_CNTV_CVAL];
	u64 now = minihv_arch_timer_guest_cntvct(vcpu);

	if (!has_vgic(vcpu))
		return;
	if (armed(ctl, cval, now))
		hrtimer_start(&t->vtimer_bg, ticks_to_ktime(cval - now),
			      HRTIMER_MODE_REL_HARD);
	else if (fires(ctl, cval, now) && !READ_ONCE(t->vtimer_level))
		hrtimer_start(&t->vtimer_bg, 0, HRTIMER_MODE_REL_HARD);
}

void minihv_arch_timer_load(struct minihv_vcpu *vcpu)
{
	hrtimer_cancel(&timer_of(vcpu)->vtimer_bg);
}

/* CNTP_CTL_EL0, CNTP_CVAL_EL0, CNTP_TVAL_EL0: false if @id is none. */
bool minihv_arch_timer_sysreg(struct minihv_vcpu *vcpu, u32 id, bool read,
			      u64 *val)
{
	struct arch_timer_cpu *t = timer_of(vcpu);
	unsigned long flags;
	u64 now;

	if (id != SYS_CNTP_CTL_EL0 && id != SYS_CNTP_CVAL_EL0 &&
	    id != SYS_CNTP_TVAL_EL0)
		return false;

	raw_spin_lock_irqsave(&t->lock, flags);
	now = cntpct();
	if (read) {
		if (id == SYS_CNTP_CTL_EL0)
			*val = t->ptimer_ctl |
			       ((t->ptimer_ctl & ARCH_TIMER_CTRL_ENABLE) &&
				t->ptimer_cval <= now ?
				ARCH_TIMER_CTRL_IT_STAT : 0);
		else if (id == SYS_CNTP_CVAL_EL0)
			*val = t->ptimer_cval;
		else	/* TimerValue: the signed 32-bit distance to CVAL */
			*val = (u32)(t->ptimer_cval - now);
	} else {
		if (id == SYS_CNTP_CTL_EL0)
			t->ptimer_ctl = *val & CTL_RW;
		else if (id == SYS_CNTP_CVAL_EL0)
			t->ptimer_cval = *val;
		else
			t->ptimer_cval = now + (s64)(s32)*val;
		ptimer_update(vcpu, now);
	}
	raw_spin_unlock_irqrestore(&t->lock, flags);
	return true;
}
