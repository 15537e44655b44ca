// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 generic timers of a guest with a vGICv3: the virtual timer
 * (the guest's own, PPI 27) and the emulated physical one (trapped,
 * PPI 30) fire no earlier than their deadline and within a bound after
 * it, while the guest runs, sleeps in WFI, or its thread is out of RUN;
 * the physical timer's registers behave as the architecture says; the
 * VM's counter offset is one for all its vCPUs; a vCPU that moves to
 * another CPU keeps its timers. Plus VMs with timers and SGIs running at
 * once, and create/run/destroy with them in use.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/guest.h"
#include "lib/guest_check.h"
#include "lib/mem_check.h"
#include "lib/minihv_util.h"

#if defined(__aarch64__)
#include "lib/gic_arm64.h"

/*
 * How late a timer interrupt may be taken after its deadline. Under
 * QEMU's TCG one exit and entry costs tens of microseconds of the
 * guest's counter, and the host (2 CPUs, other emulators beside) may
 * deschedule a vCPU thread for a few ms: the bound is generous, "never
 * before the deadline" is exact.
 */
#define LATE_MS		50

#define sysreg_read(reg) ({						\
	uint64_t __v;							\
	asm volatile("isb; mrs %0, " #reg : "=r"(__v));			\
	__v;								\
})
#define sysreg_write(reg, v) ({						\
	asm volatile("msr " #reg ", %0; isb" : : "r"((uint64_t)(v)));	\
})

#define CTL_ENABLE	1
#define CTL_IMASK	2
#define CTL_ISTATUS	4

enum timer { VTIMER, PTIMER };

static uint64_t ms_ticks(uint64_t ms)
{
	return ms * gic_counter_freq() / 1000;
}

/* Each timer counts against its own counter. */
static uint64_t timer_now(enum timer t)
{
	return t == VTIMER ? sysreg_read(cntvct_el0) : sysreg_read(cntpct_el0);
}

static void timer_arm(enum timer t, uint64_t cval)
{
	if (t == VTIMER) {
		sysreg_write(cntv_cval_el0, cval);
		sysreg_write(cntv_ctl_el0, CTL_ENABLE);
	} else {
		sysreg_write(cntp_cval_el0, cval);
		sysreg_write(cntp_ctl_el0, CTL_ENABLE);
	}
}

static uint32_t timer_intid(enum timer t)
{
	return t == VTIMER ? INTID_VTIMER : INTID_PTIMER;
}

#define NR_RESULTS	16
static uint64_t results[GUEST_MAX_VCPUS][NR_RESULTS];

static void put(int i, uint64_t v)
{
	STORE_ONCE(results[guest_vcpu_id()][i], v);
}

/* When each vCPU's handler saw its timer, on that timer's counter. */
static uint64_t fired_at[GUEST_MAX_VCPUS];

/* Take a timer's interrupt: note when, then turn the timer off. */
static int timer_hook(uint32_t intid, uint32_t n)
{
	uint32_t id = guest_vcpu_id();

	if (intid == INTID_VTIMER) {
		STORE_ONCE(fired_at[id], sysreg_read(cntvct_el0));
		sysreg_write(cntv_ctl_el0, 0);
	} else if (intid == INTID_PTIMER) {
		STORE_ONCE(fired_at[id], sysreg_read(cntpct_el0));
		sysreg_write(cntp_ctl_el0, 0);
	}
	return 1;
}

FIXTURE(timer) {
	struct guest g;
};

FIXTURE_SETUP(timer)
{
	memset(&self->g, 0xff, sizeof(self->g));
	self->g.image = NULL;
	REQUIRE_VGIC_SETUP();
	guest_irq_handler = gic_record_irq;
	gic_irq_hook = timer_hook;
}

FIXTURE_TEARDOWN(timer)
{
	guest_destroy(&self->g);
}

/*
 * A timer 20 ms ahead (an early interrupt stands out from the noise);
 * mode: spin with IRQs on, or WFI with them masked.
 */
enum wait { SPIN, WFI };
#define ARG(t, w)	((uint64_t)(t) | (uint64_t)(w) << 8)

static uint64_t guest_timer_once(uint64_t arg)
{
	enum timer t = arg & 0xff;
	enum wait w = arg >> 8;
	uint64_t cval;

	gic_init_cpu();
	gic_enable(timer_intid(t));
	cval = timer_now(t) + ms_ticks(20);
	put(0, cval);
	timer_arm(t, cval);
	if (w == WFI) {
		irqs_off();
		while (!gic_nr_irqs(0)) {
			wait_for_interrupt();
			irqs_on();
			irqs_off();
		}
	} else {
		irqs_on();
		gic_wait_irqs(1, 1000);
		irqs_off();
	}
	/* Turned off by the handler: not taken a second time. */
	guest_udelay(10000);
	return gic_nr_irqs(0);
}

static void check_fired(struct __test_metadata *_metadata, struct guest *g,
			int vcpu, uint32_t intid, uint64_t cval)
{
	uint64_t at = *(uint64_t *)guest_mem(g, &fired_at[vcpu]);
	uint64_t freq;

	asm volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	EXPECT_EQ(intid, gic_host_log(g, vcpu)->intid[0]);
	EXPECT_LE(cval, at) TH_LOG("fired %lld ticks early",
				   (long long)(cval - at));
	EXPECT_GT(cval + LATE_MS * freq / 1000, at)
		TH_LOG("fired %llu us late",
		       (unsigned long long)((at - cval) * 1000000 / freq));
	TH_LOG("INTID %u taken %llu us after its deadline", intid,
	       (unsigned long long)((at - cval) * 1000000 / freq));
}

static void timer_once(struct __test_metadata *_metadata, struct guest *g,
		       enum timer t, enum wait w)
{
	uint64_t cval;

	ASSERT_EQ(0, guest_create_gic(g, 1, guest_timer_once, ARG(t, w), 0));
	ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, g));
	EXPECT_EQ(1, g->run[0]->hypercall.args[1]);
	cval = *(uint64_t *)guest_mem(g, &results[0][0]);
	check_fired(_metadata, g, 0, timer_intid(t), cval);
}

TEST_F(timer, virtual_timer_fires_on_time_while_running)
{
	timer_once(_metadata, &self->g, VTIMER, SPIN);
}

TEST_F(timer, physical_timer_fires_on_time_while_running)
{
	timer_once(_metadata, &self->g, PTIMER, SPIN);
}

TEST_F(timer, virtual_timer_wakes_wfi)
{
	timer_once(_metadata, &self->g, VTIMER, WFI);
}

TEST_F(timer, physical_timer_wakes_wfi)
{
	timer_once(_metadata, &self->g, PTIMER, WFI);
}

/*
 * A WFI right before its own timer's deadline, over and over: the
 * deadlines sweep the few microseconds a WFI exit takes, so some expire
 * while minihv is between the exit and the sleep. Each one must wake
 * the WFI (a lost one hangs the vCPU: the test's timeout fails it), and
 * none early.
 */
#define SWEEP_ROUNDS	3000
#define SWEEP_STEP	3	/* ticks: 48 ns at QEMU's 62.5 MHz */

static uint64_t guest_timer_sweep(uint64_t arg)
{
	enum timer t = arg;
	uint32_t i, early = 0;

	gic_init_cpu();
	gic_enable(timer_intid(t));
	irqs_off();
	for (i = 0; i < SWEEP_ROUNDS; i++) {
		uint64_t cval = timer_now(t) + (i % 1000) * SWEEP_STEP;

		timer_arm(t, cval);
		while (gic_nr_irqs(0) == i) {
			wait_for_interrupt();
			irqs_on();
			irqs_off();
		}
		early += LOAD_ONCE(fired_at[0]) < cval;
	}
	put(0, early);
	return gic_nr_irqs(0);
}

static void timer_sweep(struct __test_metadata *_metadata, struct guest *g,
			enum timer t)
{
	struct timespec t0, t1;

	ASSERT_EQ(0, guest_create_gic(g, 1, guest_timer_sweep, t, 0));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, g));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	EXPECT_EQ(SWEEP_ROUNDS, g->run[0]->hypercall.args[1]);
	TH_LOG("%d WFIs woken in %lld ms", SWEEP_ROUNDS,
	       (long long)((t1.tv_sec - t0.tv_sec) * 1000 +
			   (t1.tv_nsec - t0.tv_nsec) / 1000000));
	EXPECT_EQ(0, *(uint64_t *)guest_mem(g, &results[0][0]));
}

TEST_F_TIMEOUT(timer, virtual_timer_wakes_wfi_at_every_distance, 120)
{
	timer_sweep(_metadata, &self->g, VTIMER);
}

TEST_F_TIMEOUT(timer, physical_timer_wakes_wfi_at_every_distance, 120)
{
	timer_sweep(_metadata, &self->g, PTIMER);
}

/*
 * The physical timer's registers (trapped): CTL, CVAL, TVAL. The trap
 * takes time, so what minihv computed from its own "now" is checked to
 * lie between the guest's reads before and after.
 */
static uint64_t guest_ptimer_regs(uint64_t unused)
{
	uint64_t before, after, cval, tval;

	put(0, sysreg_read(cntp_ctl_el0));		/* reset: off */
	before = sysreg_read(cntpct_el0);
	cval = before + ms_ticks(1000);
	sysreg_write(cntp_cval_el0, cval);
	put(1, sysreg_read(cntp_cval_el0) == cval);
	tval = sysreg_read(cntp_tval_el0);
	after = sysreg_read(cntpct_el0);
	/* TVAL reads CVAL - now, with now between before and after. */
	put(2, tval <= cval - before && tval >= cval - after);
	/* TVAL writes set CVAL = now + the signed 32-bit value. */
	before = sysreg_read(cntpct_el0);
	sysreg_write(cntp_tval_el0, 0x1000);
	after = sysreg_read(cntpct_el0);
	cval = sysreg_read(cntp_cval_el0);
	put(3, cval >= before + 0x1000 && cval <= after + 0x1000);
	before = sysreg_read(cntpct_el0);
	sysreg_write(cntp_tval_el0, 0xfffff000);	/* -4096: the past */
	after = sysreg_read(cntpct_el0);
	cval = sysreg_read(cntp_cval_el0);
	put(4, cval >= before - 0x1000 && cval <= after - 0x1000);
	/* Expired but disabled: no ISTATUS; enabled and masked: ISTATUS. */
	put(5, sysreg_read(cntp_ctl_el0));
	sysreg_write(cntp_ctl_el0, CTL_ENABLE | CTL_IMASK | CTL_ISTATUS);
	put(6, sysreg_read(cntp_ctl_el0));
	/* Expired: TVAL is negative, in 32 bits. */
	put(7, sysreg_read(cntp_tval_el0));
	sysreg_write(cntp_cval_el0, sysreg_read(cntpct_el0) + ms_ticks(1000));
	put(8, sysreg_read(cntp_ctl_el0));
	sysreg_write(cntp_ctl_el0, 0);
	/* The guest sees the host's frequency. */
	put(9, gic_counter_freq());
	return 0;
}

TEST_F(timer, physical_timer_registers)
{
	uint64_t *r, freq;

	ASSERT_EQ(0, guest_create_gic(&self->g, 1, guest_ptimer_regs, 0, 0));
	ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, &self->g));
	r = guest_mem(&self->g, results[0]);
	asm volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	EXPECT_EQ(0, r[0]);
	EXPECT_EQ(1, r[1]);
	EXPECT_EQ(1, r[2]);
	EXPECT_EQ(1, r[3]);
	EXPECT_EQ(1, r[4]);
	EXPECT_EQ(0, r[5]);
	EXPECT_EQ(CTL_ENABLE | CTL_IMASK | CTL_ISTATUS, r[6]);
	EXPECT_EQ(0, r[7] >> 32);
	EXPECT_NE(0, r[7] & 0x80000000);
	EXPECT_EQ(CTL_ENABLE | CTL_IMASK, r[8]);
	EXPECT_EQ(freq, r[9]);
}

/*
 * The VM's counter starts near 0 when it is created, with one offset
 * for all its vCPUs (CNTPCT - CNTVCT the same on each). CNTVCT is read
 * first, so each difference is the offset plus the time between the two
 * reads, which an exit to the host can stretch: keep the smallest.
 */
static uint64_t guest_offsets(uint64_t unused)
{
	uint64_t p, v, d, best = ~0ULL;
	int i;

	put(0, sysreg_read(cntvct_el0));
	for (i = 0; i < 64; i++) {
		v = sysreg_read(cntvct_el0);
		p = sysreg_read(cntpct_el0);
		d = p - v;
		if (d < best)
			best = d;
	}
	put(1, best);
	return 0;
}

TEST_F(timer, one_counter_offset_per_vm)
{
	uint64_t v[2], freq, (*r)[NR_RESULTS];

	ASSERT_EQ(0, guest_create_gic(&self->g, 2, guest_offsets, 0, 0));
	run_vcpus_to_done(_metadata, &self->g, 2, v);
	r = guest_mem(&self->g, results);
	asm volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	/* Seconds, not the host's uptime. */
	EXPECT_GT(10 * freq, r[0][0]);
	EXPECT_GT(10 * freq, r[1][0]);
	/* The two reads are a few instructions apart. */
	EXPECT_GE(r[0][1] + freq / 1000, r[1][1]);
	EXPECT_LE(r[0][1], r[1][1] + freq / 1000);
}

/*
 * A timer of a vCPU whose thread is out of RUN still fires on time:
 * vCPU 0 arms its timer and exits to userspace, where its thread stays;
 * vCPU 1, running, watches vCPU 0's redistributor for the PPI going
 * pending, and reports when. Back in the guest vCPU 0 takes it at once.
 */
static uint64_t guest_timer_thread_out(uint64_t t)
{
	uint32_t id = guest_vcpu_id();
	uint64_t cval, end;

	gic_init_cpu();
	if (id == 0) {
		gic_enable(timer_intid(t));
		cval = timer_now(t) + ms_ticks(20);
		put(0, cval);
		timer_arm(t, cval);
		guest_sync(1, 0);	/* out to userspace until vCPU 1 saw it */
		irqs_on();
		gic_wait_irqs(1, 1000);
		irqs_off();
		return gic_nr_irqs(0);
	}
	end = timer_now(t) + ms_ticks(2000);
	while (timer_now(t) < end) {
		if (gic_is_pending(timer_intid(t), GICR_SGI(0))) {
			put(0, timer_now(t));
			return 1;
		}
	}
	return 0;
}

static void timer_thread_out(struct __test_metadata *_metadata,
			     struct guest *g, enum timer t)
{
	uint64_t cval, seen, freq;
	struct vcpu_thread v1;

	ASSERT_EQ(0, guest_create_gic(g, 2, guest_timer_thread_out, t, 0));
	ASSERT_EQ(UCALL_SYNC, run_to_ucall(_metadata, g));
	/* vCPU 0's thread is here, out of RUN, while vCPU 1 watches. */
	ASSERT_EQ(0, start_vcpu(&v1, g, 1));
	pthread_join(v1.thread, NULL);
	ASSERT_EQ(UCALL_DONE, v1.ucall);
	EXPECT_EQ(1, v1.value) TH_LOG("vCPU 0's PPI never went pending");
	cval = *(uint64_t *)guest_mem(g, &results[0][0]);
	seen = *(uint64_t *)guest_mem(g, &results[1][0]);
	asm volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	EXPECT_LE(cval, seen);
	EXPECT_GT(cval + LATE_MS * freq / 1000, seen);
	ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, g));
	EXPECT_EQ(1, g->run[0]->hypercall.args[1]);
	EXPECT_EQ(timer_intid(t), gic_host_log(g, 0)->intid[0]);
}

TEST_F_TIMEOUT(timer, virtual_timer_fires_while_its_thread_is_out, 60)
{
	timer_thread_out(_metadata, &self->g, VTIMER);
}

TEST_F_TIMEOUT(timer, physical_timer_fires_while_its_thread_is_out, 60)
{
	timer_thread_out(_metadata, &self->g, PTIMER);
}

/*
 * A vCPU moved to another CPU between two RUNs keeps its timers: the
 * registers read back, and both still fire, on time, over there.
 */
static uint64_t guest_migrate(uint64_t unused)
{
	uint64_t vcval, pcval;

	gic_init_cpu();
	gic_enable(INTID_VTIMER);
	gic_enable(INTID_PTIMER);
	vcval = timer_now(VTIMER) + ms_ticks(30);
	pcval = timer_now(PTIMER) + ms_ticks(40);
	timer_arm(VTIMER, vcval);
	timer_arm(PTIMER, pcval);
	guest_sync(1, 0);		/* the host moves this thread */
	put(0, sysreg_read(cntv_cval_el0) == vcval);
	put(1, sysreg_read(cntp_cval_el0) == pcval);
	put(2, sysreg_read(cntv_ctl_el0) & CTL_ENABLE);
	put(3, sysreg_read(cntp_ctl_el0) & CTL_ENABLE);
	irqs_on();
	gic_wait_irqs(2, 1000);
	irqs_off();
	put(4, gic_nr_irqs(0));
	put(5, timer_now(VTIMER) >= vcval && timer_now(PTIMER) >= pcval);
	return 0;
}

TEST_F(timer, timers_move_with_their_vcpu)
{
	uint64_t *r;

	if (online_cpus() < 2)
		SKIP(return, "needs two CPUs");
	ASSERT_EQ(0, pin_cpu(0));
	ASSERT_EQ(0, guest_create_gic(&self->g, 1, guest_migrate, 0, 0));
	ASSERT_EQ(UCALL_SYNC, run_to_ucall(_metadata, &self->g));
	ASSERT_EQ(0, pin_cpu(1));
	ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, &self->g));
	r = guest_mem(&self->g, results[0]);
	EXPECT_EQ(1, r[0]);
	EXPECT_EQ(1, r[1]);
	EXPECT_EQ(CTL_ENABLE, r[2]);
	EXPECT_EQ(CTL_ENABLE, r[3]);
	EXPECT_EQ(2, r[4]);
	EXPECT_EQ(1, r[5]);
}

/*
 * Two VMs of two vCPUs at once, each vCPU taking 20 timer interrupts
 * (1 ms apart) while it and its sibling send each other 20 SGIs.
 */
#define ROUNDS		20
#define SGI		7

static uint32_t sgis_seen[GUEST_MAX_VCPUS], timers_seen[GUEST_MAX_VCPUS];

static int stress_hook(uint32_t intid, uint32_t n)
{
	uint32_t id = guest_vcpu_id();

	if (intid == SGI) {
		STORE_ONCE(sgis_seen[id], LOAD_ONCE(sgis_seen[id]) + 1);
	} else if (intid == INTID_VTIMER) {
		STORE_ONCE(timers_seen[id], LOAD_ONCE(timers_seen[id]) + 1);
		if (LOAD_ONCE(timers_seen[id]) < ROUNDS)
			sysreg_write(cntv_cval_el0,
				     sysreg_read(cntvct_el0) + ms_ticks(1));
		else
			sysreg_write(cntv_ctl_el0, 0);
	}
	return 1;
}

static uint64_t guest_stress(uint64_t unused)
{
	uint32_t id = guest_vcpu_id(), other = id ^ 1, sent;
	uint64_t end;

	gic_init_cpu();
	gic_enable(INTID_VTIMER);
	irqs_on();
	timer_arm(VTIMER, timer_now(VTIMER) + ms_ticks(1));
	end = timer_now(VTIMER) + ms_ticks(5000);
	/* One SGI in flight at a time: two pending ones would be one. */
	for (sent = 0; sent < ROUNDS && timer_now(VTIMER) < end; ) {
		if (LOAD_ONCE(sgis_seen[other]) < sent)
			continue;
		gic_send_sgi(SGI, other);
		sent++;
	}
	while ((LOAD_ONCE(sgis_seen[id]) < ROUNDS ||
		LOAD_ONCE(timers_seen[id]) < ROUNDS) && timer_now(VTIMER) < end)
		;
	irqs_off();
	return LOAD_ONCE(sgis_seen[id]) << 16 | LOAD_ONCE(timers_seen[id]);
}

struct vm_run {
	struct guest g;
	uint64_t values[GUEST_MAX_VCPUS];
	struct __test_metadata *meta;
	pthread_t thread;
};

static void *vm_thread(void *arg)
{
	struct vm_run *v = arg;

	run_vcpus_to_done(v->meta, &v->g, 2, v->values);
	return NULL;
}

TEST_F_TIMEOUT(timer, two_vms_with_timers_and_sgis_at_once, 120)
{
	struct vm_run vms[2];
	int i, j;

	gic_irq_hook = stress_hook;
	for (i = 0; i < 2; i++) {
		vms[i].meta = _metadata;
		ASSERT_EQ(0, guest_create_gic(&vms[i].g, 2, guest_stress, 0, 0));
	}
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&vms[i].thread, NULL, vm_thread,
					    &vms[i]));
	for (i = 0; i < 2; i++)
		pthread_join(vms[i].thread, NULL);
	for (i = 0; i < 2; i++) {
		for (j = 0; j < 2; j++) {
			EXPECT_EQ(ROUNDS << 16 | ROUNDS, vms[i].values[j])
				TH_LOG("VM %d vCPU %d: %llu SGIs, %llu timers", i, j,
				       (unsigned long long)vms[i].values[j] >> 16,
				       (unsigned long long)vms[i].values[j] & 0xffff);
		}
		guest_destroy(&vms[i].g);
	}
}

/* Create, run with the vGIC and timers in use, destroy: nothing stays. */
#define LOOPS	100

static uint64_t guest_brief(uint64_t unused)
{
	uint32_t id = guest_vcpu_id();
	enum timer t = id ? PTIMER : VTIMER, other = id ? VTIMER : PTIMER;

	gic_init_cpu();
	gic_enable(INTID_VTIMER);
	gic_enable(INTID_PTIMER);
	timer_arm(t, timer_now(t) + ms_ticks(1));
	irqs_on();
	if (id == 0)
		gic_send_sgi(SGI, 1);
	gic_wait_irqs(id ? 2 : 1, 1000);
	irqs_off();
	/* Leave the other timer armed far away: its hrtimer must go too. */
	timer_arm(other, timer_now(other) + ms_ticks(60000));
	return gic_nr_irqs(id);
}

TEST_F_TIMEOUT(timer, create_run_destroy_with_timers, 300)
{
	struct mem_mark mark;
	uint64_t v[2];
	int i;

	mem_mark(_metadata, &mark);
	for (i = 0; i < LOOPS; i++) {
		ASSERT_EQ(0, guest_create_gic(&self->g, 2, guest_brief, 0, 0));
		run_vcpus_to_done(_metadata, &self->g, 2, v);
		ASSERT_EQ(1, v[0]);
		ASSERT_EQ(2, v[1]);
		guest_destroy(&self->g);
	}
	expect_mem_flat(_metadata, &mark, 4096);
}
#else
TEST(arch_timer_is_arm64)
{
	SKIP(return, "the generic timers are arm64's (x86's APIC timer has its own tests)");
}
#endif /* __aarch64__ */

TEST_HARNESS_MAIN
