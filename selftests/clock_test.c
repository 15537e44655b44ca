// SPDX-License-Identifier: GPL-2.0
/*
 * The VM's three clocks (core/clock.c, docs/time.md), on both
 * architectures: real time starts near 0 and follows the host's clock;
 * SET_CLOCK moves every vCPU's counter at once; the counter never goes
 * backwards across vCPUs, even while their threads move between CPUs;
 * a virtual-time VM's counter stands still while it is stopped and its
 * vCPUs' runstates add up; the wall clock moves alone; the time page the
 * guest registers converts its counter into all three, and is updated
 * under a running guest; bad input gets clean errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/guest.h"
#include "lib/guest_check.h"
#include "lib/minihv_util.h"

#define MS		1000000ULL	/* ns */

#if defined(__aarch64__)
static inline uint64_t guest_counter(void)
{
	uint64_t v;

	/* The ISBs keep the read in program order, as the kernel's. */
	asm volatile("isb; mrs %0, cntvct_el0; isb" : "=r"(v) : : "memory");
	return v;
}

/* Asleep until an interrupt (there is none): WFI with the vGIC. */
static void guest_sleep(void)
{
	for (;;)
		asm volatile("wfi" : : : "memory");
}

static int create_with_irqchip(struct guest *g, uint64_t (*fn)(uint64_t))
{
	return guest_create_gic(g, 1, fn, 0, 0);
}
#else
static inline uint64_t guest_counter(void)
{
	uint32_t lo, hi;

	asm volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

static void guest_sleep(void)
{
	for (;;)
		asm volatile("cli; hlt" : : : "memory");
}

static int create_with_irqchip(struct guest *g, uint64_t (*fn)(uint64_t))
{
	return guest_create_apic(g, 1, fn, 0);
}
#endif

static uint64_t ticks_ns(uint64_t ticks, uint64_t hz)
{
	return (__uint128_t)ticks * 1000000000ULL / hz;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int get_clock(int vm, struct minihv_clock *c)
{
	memset(c, 0, sizeof(*c));
	return ioctl(vm, MINIHV_GET_CLOCK, c) ? errno : 0;
}

static int set_clock(int vm, uint64_t ns, uint32_t flags)
{
	struct minihv_clock c = { .clock = ns, .flags = flags };

	return ioctl(vm, MINIHV_SET_CLOCK, &c) ? errno : 0;
}

static void on_usr1(int sig)
{
}

/* ---- in the guest ---- */

static uint64_t guest_read_counter(uint64_t unused)
{
	return guest_counter();
}

/* Counter, exit, counter: the second RUN comes after the host waited. */
static uint64_t guest_two_reads(uint64_t unused)
{
	guest_sync(guest_counter(), 0);
	return guest_counter();
}

/*
 * vCPUs read the counter in turn through a shared maximum: each read,
 * made after the last one published, must be at least as large.
 */
static uint64_t shared_max, stop_reads;

static uint64_t guest_monotonic(uint64_t hz)
{
	uint64_t prev, c, bad = 0, end = guest_counter() + 30 * hz;

	while (!LOAD_ONCE(stop_reads) && guest_counter() < end) {
		prev = __atomic_load_n(&shared_max, __ATOMIC_ACQUIRE);
		c = guest_counter();
		if (c < prev)
			bad++;
		while (c > prev &&
		       !__atomic_compare_exchange_n(&shared_max, &prev, c, false,
						    __ATOMIC_RELEASE,
						    __ATOMIC_ACQUIRE))
			;
	}
	return bad;
}

static uint64_t guest_sleeps(uint64_t unused)
{
	guest_sleep();
	return 0;
}

/* The time page, read as a seqlock reader does. */
static _Alignas(64) struct minihv_time_page time_page;

struct page_read {
	uint32_t version, flags;
	uint64_t real_ns, virtual_ns, counter;
	int64_t wall_sec;
	uint32_t wall_nsec;
};

static uint64_t page_scale(const struct minihv_time_page *p, uint64_t d)
{
	if (p->shift >= 0)
		d <<= p->shift;
	else
		d >>= -p->shift;
	return ((__uint128_t)d * p->mul) >> 32;
}

static void page_read(struct page_read *r)
{
	struct minihv_time_page *tp = &time_page, p;
	uint32_t v2;

	do {
		r->version = __atomic_load_n(&tp->version, __ATOMIC_ACQUIRE);
		p.counter_base = LOAD_ONCE(tp->counter_base);
		p.real_ns = LOAD_ONCE(tp->real_ns);
		p.virtual_ns = LOAD_ONCE(tp->virtual_ns);
		p.mul = LOAD_ONCE(tp->mul);
		p.shift = LOAD_ONCE(tp->shift);
		p.flags = LOAD_ONCE(tp->flags);
		p.wall_sec = LOAD_ONCE(tp->wall_sec);
		p.wall_nsec = LOAD_ONCE(tp->wall_nsec);
		r->counter = guest_counter();
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		v2 = LOAD_ONCE(tp->version);
	} while ((r->version & 1) || r->version != v2);
	r->flags = p.flags;
	r->real_ns = p.real_ns + page_scale(&p, r->counter - p.counter_base);
	r->virtual_ns = p.virtual_ns +
			page_scale(&p, r->counter - p.counter_base);
	r->wall_sec = p.wall_sec;
	r->wall_nsec = p.wall_nsec;
}

static struct page_read page_results[4];

/* Register, read, exit; read again after the host changed things. */
static uint64_t guest_time_page(uint64_t unused)
{
	uint64_t ret = guest_hcall(MINIHV_HCALL_TIME_PAGE,
				   (uint64_t)&time_page, 0, 0, 0, 0, 0);

	if (ret)
		return ret;
	page_read(&page_results[0]);
	guest_sync(1, 0);
	page_read(&page_results[1]);
	return 0;
}

/*
 * Watch the wall clock change under us with no exit of our own: spin on
 * the page for at most ~10 s of counter time. Returns the reads it took.
 */
static uint64_t wall_target;

static uint64_t guest_watch_wall(uint64_t hz)
{
	uint64_t end, n = 0;

	if (guest_hcall(MINIHV_HCALL_TIME_PAGE, (uint64_t)&time_page,
			0, 0, 0, 0, 0))
		return 0;
	end = guest_counter() + 10 * hz;
	do {
		page_read(&page_results[2]);
		n++;
		if (page_results[2].wall_sec == (int64_t)LOAD_ONCE(wall_target))
			return n;
	} while (guest_counter() < end);
	return 0;
}

static uint64_t guest_bad_pages(uint64_t unused)
{
	static _Alignas(4096) char buf[8192];
	uint64_t r[4];

	r[0] = guest_hcall(MINIHV_HCALL_TIME_PAGE, (uint64_t)&time_page + 4,
			   0, 0, 0, 0, 0);
	r[1] = guest_hcall(MINIHV_HCALL_TIME_PAGE,
			   (uint64_t)buf + 4096 - 32, 0, 0, 0, 0, 0);
	r[2] = guest_hcall(MINIHV_HCALL_TIME_PAGE, GUEST_MMIO_BASE,
			   0, 0, 0, 0, 0);
	r[3] = guest_hcall(MINIHV_HCALL_TIME_PAGE, 0, 0, 0, 0, 0, 0);
	guest_sync(r[0], r[1]);
	guest_sync(r[2], r[3]);
	return 0;
}

/* ---- the tests ---- */

FIXTURE(clock) {
	struct guest g;
	uint64_t hz;
	int irqchip;
};

/* Until the guest registered its time page: it runs. */
static void wait_for_page(struct guest *g)
{
	uint32_t *version = guest_mem(g, &time_page.version);
	int i;

	for (i = 0; i < 30000 && !LOAD_ONCE(*version); i++)
		usleep(1000);
}

FIXTURE_SETUP(clock)
{
	struct minihv_info info;
	int dev;

	memset(&self->g, 0xff, sizeof(self->g));
	self->g.image = NULL;
	REQUIRE_GUESTS_SETUP();
	dev = minihv_open();
	ASSERT_LE(0, dev);
	ASSERT_EQ(0, ioctl(dev, MINIHV_GET_INFO, &info));
	self->irqchip = ioctl(dev, MINIHV_CHECK_EXTENSION, MINIHV_CAP_IRQCHIP);
	close(dev);
	self->hz = info.counter_hz;
	ASSERT_LT(0, self->hz);
}

FIXTURE_TEARDOWN(clock)
{
	guest_destroy(&self->g);
}

/* Near 0 at creation, on the host's rate; the guest's counter agrees. */
TEST_F(clock, real_time_starts_near_zero_and_follows_the_host)
{
	struct minihv_clock c0, c1;
	uint64_t m0a, m0b, m1a, m1b, guest, d_real;

	ASSERT_EQ(0, guest_create(&self->g, 1, guest_read_counter, 0));
	mono_ns();	/* the first call may fault its pages in */
	m0a = mono_ns();
	ASSERT_EQ(0, get_clock(self->g.vm, &c0));
	m0b = mono_ns();
	EXPECT_EQ(0, c0.flags);
	EXPECT_EQ(self->hz, c0.counter_hz);
	EXPECT_EQ(c0.clock, c0.real_ns);
	EXPECT_GT(1000 * MS, c0.real_ns) TH_LOG("real time %llu ns at creation",
						(unsigned long long)c0.real_ns);
	/* Not yet run: no virtual time at all. */
	EXPECT_EQ(0, c0.virtual_ns);
	/* The counter shows real time, in ticks. */
	EXPECT_GT(2 * MS, llabs((long long)(ticks_ns(c0.counter, self->hz) -
					    c0.real_ns)));

	usleep(200000);
	ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, &self->g));
	guest = self->g.run[0]->hypercall.args[1];
	m1a = mono_ns();
	ASSERT_EQ(0, get_clock(self->g.vm, &c1));
	m1b = mono_ns();
	EXPECT_LE(c0.counter, guest);
	EXPECT_LE(guest, c1.counter);
	/* Real time and CLOCK_MONOTONIC agree within 1%, reads bracketed. */
	d_real = c1.real_ns - c0.real_ns;
	EXPECT_LE((m1a - m0b) / 100 * 99, d_real);
	EXPECT_GE((m1b - m0a) / 100 * 101, d_real);
	TH_LOG("clock: real time at creation %llu ns; over a run, real %llu ns vs host %llu..%llu ns",
	       (unsigned long long)c0.real_ns, (unsigned long long)d_real,
	       (unsigned long long)(m1a - m0b),
	       (unsigned long long)(m1b - m0a));
}

TEST_F(clock, set_clock_moves_every_vcpu)
{
	const uint64_t at = 1000000 * MS;	/* 1000 s */
	struct minihv_clock c;
	uint64_t v[2];
	int i;

	ASSERT_EQ(0, guest_create(&self->g, 2, guest_read_counter, 0));
	ASSERT_EQ(0, set_clock(self->g.vm, at, 0));
	ASSERT_EQ(0, get_clock(self->g.vm, &c));
	EXPECT_LE(at, c.clock);
	EXPECT_GT(at + 1000 * MS, c.clock);
	run_vcpus_to_done(_metadata, &self->g, 2, v);
	for (i = 0; i < 2; i++) {
		uint64_t ns = ticks_ns(v[i], self->hz);

		EXPECT_LE(at, ns) TH_LOG("vCPU %d: %llu ns", i,
					 (unsigned long long)ns);
		EXPECT_GT(at + 30000 * MS, ns);
	}
	/* And back: a VM restored to an earlier clock. */
	ASSERT_EQ(0, set_clock(self->g.vm, 5 * MS, 0));
	ASSERT_EQ(0, get_clock(self->g.vm, &c));
	EXPECT_LE(5 * MS, c.clock);
	EXPECT_GT(1000 * MS, c.clock);
}

struct mover {
	pthread_t threads[2];
	uint64_t *stop;		/* the guest's stop_reads */
	int moves;
};

/* 100 rounds of swapping the two vCPU threads' CPUs, then stop them. */
static void *move_threads(void *arg)
{
	struct mover *m = arg;
	int n = 0;

	while (n < 100) {
		int i;

		for (i = 0; i < 2; i++) {
			cpu_set_t set;

			CPU_ZERO(&set);
			CPU_SET((n + i) % 2, &set);
			pthread_setaffinity_np(m->threads[i], sizeof(set), &set);
		}
		n++;
		usleep(2000);
	}
	m->moves = n;
	__atomic_store_n(m->stop, 1, __ATOMIC_RELEASE);
	return NULL;
}

TEST_F_TIMEOUT(clock, counter_never_goes_backwards_across_vcpus, 300)
{
	struct vcpu_thread t[2];
	struct mover m = {};
	pthread_t mover;
	int i;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "needs 2 CPUs");
	ASSERT_EQ(0, guest_create(&self->g, 2, guest_monotonic, self->hz));
	m.stop = guest_mem(&self->g, &stop_reads);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, start_vcpu(&t[i], &self->g, i));
		m.threads[i] = t[i].thread;
	}
	ASSERT_EQ(0, pthread_create(&mover, NULL, move_threads, &m));
	pthread_join(mover, NULL);
	for (i = 0; i < 2; i++)
		pthread_join(t[i].thread, NULL);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0, t[i].ret);
		EXPECT_EQ(UCALL_DONE, t[i].ucall);
		EXPECT_EQ(0, t[i].value) TH_LOG("vCPU %d: %llu reads went back",
						i, (unsigned long long)t[i].value);
	}
	EXPECT_EQ(100, m.moves);
}

/*
 * The host waits 300 ms between two RUNs: a real-time VM's counter shows
 * the wait, a virtual-time VM's does not (below a bound for the exit to
 * userspace and back, which counts as executing).
 */
static uint64_t counter_gap(struct __test_metadata *_metadata,
			    struct guest *g, uint64_t hz, uint32_t flags,
			    struct minihv_clock *after)
{
	uint64_t c0;

	EXPECT_EQ(0, guest_create(g, 1, guest_two_reads, 0));
	EXPECT_EQ(0, set_clock(g->vm, 0, flags));
	EXPECT_EQ(UCALL_SYNC, run_to_ucall(_metadata, g));
	c0 = g->run[0]->hypercall.args[1];
	usleep(300000);
	EXPECT_EQ(UCALL_DONE, run_to_ucall(_metadata, g));
	EXPECT_EQ(0, get_clock(g->vm, after));
	return ticks_ns(g->run[0]->hypercall.args[1] - c0, hz);
}

TEST_F(clock, virtual_time_stands_still_while_the_vm_is_stopped)
{
	struct minihv_clock c;
	uint64_t gap;

	gap = counter_gap(_metadata, &self->g, self->hz, 0, &c);
	EXPECT_LE(300 * MS, gap) TH_LOG("real-time VM: %llu ns",
					(unsigned long long)gap);
	guest_destroy(&self->g);

	TH_LOG("clock: 300 ms out of RUN: real-time counter +%llu ns",
	       (unsigned long long)gap);
	gap = counter_gap(_metadata, &self->g, self->hz, MINIHV_CLOCK_VIRTUAL,
			  &c);
	EXPECT_GT(100 * MS, gap);
	TH_LOG("clock: 300 ms out of RUN: virtual-time counter +%llu ns",
	       (unsigned long long)gap);
	EXPECT_EQ(MINIHV_CLOCK_VIRTUAL, c.flags);
	EXPECT_EQ(c.clock, c.virtual_ns);
	EXPECT_LE(c.virtual_ns + 300 * MS, c.real_ns);
	/* The mode is fixed once the VM ran. */
	EXPECT_EQ(EBUSY, set_clock(self->g.vm, 0, 0));
	EXPECT_EQ(0, set_clock(self->g.vm, 0, MINIHV_CLOCK_VIRTUAL));
}

/*
 * One vCPU runs, sleeps in WFI / HLT for 300 ms, is stopped by a signal,
 * then stays out of RUN for 200 ms: its runstate shows each, the four add
 * up to its age, and the VM's virtual time is its running + blocked time.
 */
TEST_F_TIMEOUT(clock, runstate_adds_up, 60)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct minihv_runstate rs;
	struct minihv_clock c;
	struct vcpu_thread t;
	uint64_t sum, exec;
	int i;

	if (!self->irqchip)
		SKIP(return, "no in-kernel interrupt controller: WFI / HLT exit");
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, create_with_irqchip(&self->g, guest_sleeps));
	ASSERT_EQ(0, ioctl(self->g.vcpu[0], MINIHV_GET_RUNSTATE, &rs));
	EXPECT_EQ(MINIHV_RUNSTATE_OFFLINE, rs.state);
	ASSERT_EQ(0, set_clock(self->g.vm, 0, MINIHV_CLOCK_VIRTUAL));
	ASSERT_EQ(0, start_vcpu(&t, &self->g, 0));
	usleep(300000);
	/* Readable while RUN holds the vCPU. */
	ASSERT_EQ(0, ioctl(self->g.vcpu[0], MINIHV_GET_RUNSTATE, &rs));
	EXPECT_EQ(MINIHV_RUNSTATE_BLOCKED, rs.state);
	pthread_kill(t.thread, SIGUSR1);
	pthread_join(t.thread, NULL);
	EXPECT_EQ(-EINTR, t.ret);
	usleep(200000);
	ASSERT_EQ(0, ioctl(self->g.vcpu[0], MINIHV_GET_RUNSTATE, &rs));
	ASSERT_EQ(0, get_clock(self->g.vm, &c));
	EXPECT_EQ(MINIHV_RUNSTATE_OFFLINE, rs.state);
	EXPECT_LE(250 * MS, rs.time[MINIHV_RUNSTATE_BLOCKED]);
	EXPECT_LE(200 * MS, rs.time[MINIHV_RUNSTATE_OFFLINE]);
	EXPECT_LT(0, rs.time[MINIHV_RUNSTATE_RUNNING]);
	for (sum = 0, i = 0; i < 4; i++)
		sum += rs.time[i];
	/* Up to now, read at one instant: the age, from the same clock. */
	EXPECT_LE(rs.state_entry_ns, sum);
	EXPECT_LE(500 * MS, sum);
	exec = rs.time[MINIHV_RUNSTATE_RUNNING] +
	       rs.time[MINIHV_RUNSTATE_BLOCKED];
	EXPECT_GT(5 * MS, llabs((long long)(c.virtual_ns - exec)));
	TH_LOG("clock: runstate running %llu, runnable %llu, blocked %llu, offline %llu ns; virtual time %llu ns",
	       (unsigned long long)rs.time[0], (unsigned long long)rs.time[1],
	       (unsigned long long)rs.time[2], (unsigned long long)rs.time[3],
	       (unsigned long long)c.virtual_ns);
}

/* The time page against GET_CLOCK read around it; then a new date. */
TEST_F(clock, time_page_converts_the_counter)
{
	struct minihv_wallclock w = { .sec = 946684800 };	/* 2000-01-01 */
	struct minihv_clock c0, c1, c2, c3;
	struct page_read *r;
	struct timespec now;

	ASSERT_EQ(0, guest_create(&self->g, 1, guest_time_page, 0));
	r = guest_mem(&self->g, page_results);
	ASSERT_EQ(0, get_clock(self->g.vm, &c0));
	ASSERT_EQ(UCALL_SYNC, run_to_ucall(_metadata, &self->g));
	ASSERT_EQ(0, get_clock(self->g.vm, &c1));
	EXPECT_EQ(0, r[0].version & 1);
	EXPECT_LT(0, r[0].version);
	EXPECT_EQ(0, r[0].flags);
	/* Within 1 us of rounding of the host's view around it. */
	EXPECT_LE(c0.real_ns, r[0].real_ns + 1000);
	EXPECT_GE(c1.real_ns + 1000, r[0].real_ns);
	EXPECT_LE(c0.virtual_ns, r[0].virtual_ns + 1000);
	EXPECT_GE(c1.virtual_ns + 1000, r[0].virtual_ns);
	clock_gettime(CLOCK_REALTIME, &now);
	EXPECT_GT(5, llabs(now.tv_sec - r[0].wall_sec));

	/* Out of RUN: a new date, and time passes for real time only. */
	usleep(100000);
	ASSERT_EQ(0, ioctl(self->g.vm, MINIHV_SET_WALLCLOCK, &w));
	ASSERT_EQ(0, get_clock(self->g.vm, &c2));
	ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, &self->g));
	ASSERT_EQ(0, get_clock(self->g.vm, &c3));
	EXPECT_EQ(w.sec, r[1].wall_sec);
	EXPECT_EQ(0, r[1].wall_nsec);
	EXPECT_LE(c2.real_ns, r[1].real_ns + 1000);
	EXPECT_GE(c3.real_ns + 1000, r[1].real_ns);
	EXPECT_LE(c2.virtual_ns, r[1].virtual_ns + 1000);
	EXPECT_GE(c3.virtual_ns + 1000, r[1].virtual_ns);
	/* The 100 ms out of RUN are real time, not virtual. */
	EXPECT_LE(r[0].real_ns + 100 * MS, r[1].real_ns);
	EXPECT_GT(r[0].virtual_ns + 100 * MS, r[1].virtual_ns);
}

/* A running guest sees the new date, with no exit of its own. */
TEST_F_TIMEOUT(clock, wallclock_reaches_a_running_guest, 60)
{
	struct minihv_wallclock w = { .sec = 4102444800 }, back; /* 2100 */
	struct minihv_time_page *page;
	struct minihv_clock c0, c1;
	struct vcpu_thread t;

	ASSERT_EQ(0, guest_create(&self->g, 1, guest_watch_wall, self->hz));
	page = guest_mem(&self->g, &time_page);
	*(uint64_t *)guest_mem(&self->g, &wall_target) = w.sec;
	ASSERT_EQ(0, start_vcpu(&t, &self->g, 0));
	wait_for_page(&self->g);
	usleep(50000);
	ASSERT_EQ(0, get_clock(self->g.vm, &c0));
	ASSERT_EQ(0, ioctl(self->g.vm, MINIHV_SET_WALLCLOCK, &w));
	/* Written by the ioctl itself, not at the vCPU's next entry. */
	EXPECT_EQ(w.sec, LOAD_ONCE(page->wall_sec));
	EXPECT_EQ(0, LOAD_ONCE(page->version) & 1);
	ASSERT_EQ(0, get_clock(self->g.vm, &c1));
	pthread_join(t.thread, NULL);
	EXPECT_EQ(UCALL_DONE, t.ucall);
	EXPECT_LT(0, t.value) TH_LOG("the guest never saw the new date");
	ASSERT_EQ(0, ioctl(self->g.vm, MINIHV_GET_WALLCLOCK, &back));
	EXPECT_EQ(w.sec, back.sec);
	EXPECT_EQ(0, back.nsec);
	/* Real time went on as before: only the date moved. */
	EXPECT_LE(c0.real_ns, c1.real_ns);
	EXPECT_GT(c0.real_ns + 1000 * MS, c1.real_ns);
}

TEST_F(clock, bad_input)
{
	struct minihv_clock c = {};
	struct minihv_wallclock w = {};
	struct minihv_run *run;
	struct vcpu_thread t;

	ASSERT_EQ(0, guest_create(&self->g, 1, guest_bad_pages, 0));
	c.flags = 2;
	EXPECT_EQ(-1, ioctl(self->g.vm, MINIHV_SET_CLOCK, &c));
	EXPECT_EQ(EINVAL, errno);
	c.flags = 0;
	c.pad = 1;
	EXPECT_EQ(-1, ioctl(self->g.vm, MINIHV_SET_CLOCK, &c));
	EXPECT_EQ(EINVAL, errno);
	c.pad = 0;
	c.reserved[3] = 1;
	EXPECT_EQ(-1, ioctl(self->g.vm, MINIHV_SET_CLOCK, &c));
	EXPECT_EQ(EINVAL, errno);
	c.reserved[3] = 0;
	c.clock = ~0ULL;
	EXPECT_EQ(-1, ioctl(self->g.vm, MINIHV_SET_CLOCK, &c));
	EXPECT_EQ(EINVAL, errno);
	/* A clock of another size is another ioctl number. */
	EXPECT_EQ(-1, ioctl(self->g.vm, _IOW(MINIHVIO, 0x65, uint64_t), &c));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->g.vm, MINIHV_GET_CLOCK, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	w.nsec = 1000000000;
	EXPECT_EQ(-1, ioctl(self->g.vm, MINIHV_SET_WALLCLOCK, &w));
	EXPECT_EQ(EINVAL, errno);
	w.nsec = 0;
	w.flags = 1;
	EXPECT_EQ(-1, ioctl(self->g.vm, MINIHV_SET_WALLCLOCK, &w));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->g.vcpu[0], MINIHV_GET_RUNSTATE, (void *)8));
	EXPECT_EQ(EFAULT, errno);

	/* Misaligned, across a page, outside RAM: refused; 0 unregisters. */
	run = self->g.run[0];
	ASSERT_EQ(UCALL_SYNC, run_to_ucall(_metadata, &self->g));
	EXPECT_EQ((uint64_t)MINIHV_HCALL_INVALID, run->hypercall.args[1]);
	EXPECT_EQ((uint64_t)MINIHV_HCALL_INVALID, run->hypercall.args[2]);
	ASSERT_EQ(UCALL_SYNC, run_to_ucall(_metadata, &self->g));
	EXPECT_EQ((uint64_t)MINIHV_HCALL_INVALID, run->hypercall.args[1]);
	EXPECT_EQ(0, run->hypercall.args[2]);
	ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, &self->g));
	guest_destroy(&self->g);

	/* Not while a vCPU is inside RUN. */
	ASSERT_EQ(0, guest_create(&self->g, 1, guest_watch_wall, self->hz));
	ASSERT_EQ(0, start_vcpu(&t, &self->g, 0));
	wait_for_page(&self->g);
	EXPECT_EQ(EBUSY, set_clock(self->g.vm, 0, 0));
	w.flags = 0;
	w.sec = 4102444800;
	*(uint64_t *)guest_mem(&self->g, &wall_target) = w.sec;
	ASSERT_EQ(0, ioctl(self->g.vm, MINIHV_SET_WALLCLOCK, &w));
	pthread_join(t.thread, NULL);
	EXPECT_EQ(UCALL_DONE, t.ucall);
}

TEST(clock_capability)
{
	int dev;

	REQUIRE_MINIHV();
	dev = minihv_open();
	ASSERT_LE(0, dev);
	EXPECT_EQ(1, ioctl(dev, MINIHV_CHECK_EXTENSION, MINIHV_CAP_CLOCK));
	close(dev);
}

TEST_HARNESS_MAIN
