// SPDX-License-Identifier: GPL-2.0
/*
 * Lifecycle stress: fds closed, memory unmapped, slots churned, signals,
 * rmmod, CPU hotplug and a memory cgroup, each while guests run. Every
 * test is bounded by iteration counts and checks values (the guests'
 * progress and results, minihv's VM count and pinned pages), not only
 * that the host survived; zz_kernel_log_test then finds no WARN or oops.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/guest.h"
#include "lib/guest_check.h"
#include "lib/mem_check.h"
#include "lib/minihv_util.h"

/* Shared with the guests (their copy of these globals, via guest_mem). */
static uint64_t stop;
static uint64_t progress[GUEST_MAX_VCPUS];
static uint64_t result[GUEST_MAX_VCPUS];

/* Count until told to stop; the count is in RAM at every step. */
static uint64_t guest_count(uint64_t unused)
{
	uint64_t id = guest_vcpu_id(), n = 0;

	while (!LOAD_ONCE(stop))
		STORE_ONCE(progress[id], ++n);
	STORE_ONCE(result[id], n);
	return n;
}

static uint64_t guest_triple(uint64_t arg)
{
	return arg * 3 + 1;
}

static void on_usr1(int sig)
{
}

static uint64_t *gvar(struct guest *g, uint64_t *host_var)
{
	return guest_mem(g, host_var);
}

/*
 * Wait (by polling, at most @tries ms) until the guest's counter passes
 * @above; returns what it read last.
 */
static uint64_t wait_above(uint64_t *counter, uint64_t above, int tries)
{
	uint64_t v = LOAD_ONCE(*counter);

	while (v <= above && tries-- > 0) {
		usleep(1000);
		v = LOAD_ONCE(*counter);
	}
	return v;
}

/* 'R', 'S', 'D', ... of one of our threads, or '?'. */
static char thread_state(pid_t tid)
{
	char path[64], buf[512], *p;
	int fd, n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return '?';
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

/*
 * RUN in a thread that never touches the run area afterwards (it may be
 * unmapped under it): the result is the ioctl's alone.
 */
struct runner {
	pthread_t thread;
	int fd;
	pid_t tid;
	int ret;		/* 0 or -errno */
	int done;
};

static void *runner_fn(void *arg)
{
	struct runner *r = arg;

	STORE_ONCE(r->tid, (pid_t)syscall(SYS_gettid));
	r->ret = ioctl(r->fd, MINIHV_RUN, 0) ? -errno : 0;
	STORE_ONCE(r->done, 1);
	return NULL;
}

static int start_runner(struct runner *r, int fd)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	return pthread_create(&r->thread, NULL, runner_fn, r);
}

/* Signal a thread until it is out of RUN, at most @tries times. */
static void kick_until_done(struct runner *r, int tries)
{
	while (!LOAD_ONCE(r->done) && tries-- > 0) {
		pthread_kill(r->thread, SIGUSR1);
		usleep(2000);
	}
}

/* The kernel's hung-task report about thread @tid, in the log. */
static bool hung_task_reported(pid_t tid)
{
	static char log[1 << 17];
	char what[48];
	int n;

	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, sizeof(log) - 1);
	if (n <= 0)
		return false;
	log[n] = '\0';
	snprintf(what, sizeof(what), ":%d blocked for more than", tid);
	return strstr(log, what);
}

#define HUNG_TIMEOUT	"/proc/sys/kernel/hung_task_timeout_secs"
#define HUNG_WARNINGS	"/proc/sys/kernel/hung_task_warnings"
#define HUNG_PANIC	"/proc/sys/kernel/hung_task_panic"

/*
 * With the hung-task detector at 1 s, is thread @tid reported while it
 * stays blocked (checked for up to 6 s)? -1: no detector to ask.
 */
static int hung_while_blocked(pid_t tid)
{
	long timeout = read_long(HUNG_TIMEOUT);
	long warnings = read_long(HUNG_WARNINGS);
	char buf[32];
	int i, hung;

	if (timeout < 0 || warnings < 0 || read_long(HUNG_PANIC) != 0)
		return -1;
	write_file(HUNG_WARNINGS, "10");
	write_file(HUNG_TIMEOUT, "1");
	for (i = 0; i < 60 && !hung_task_reported(tid); i++)
		usleep(100 * 1000);
	hung = hung_task_reported(tid);
	snprintf(buf, sizeof(buf), "%ld", timeout);
	write_file(HUNG_TIMEOUT, buf);
	snprintf(buf, sizeof(buf), "%ld", warnings);
	write_file(HUNG_WARNINGS, buf);
	return hung;
}

FIXTURE(stress) {
	struct guest g;
};

FIXTURE_SETUP(stress)
{
	struct sigaction sa = { .sa_handler = on_usr1 };

	guest_init(&self->g);
	REQUIRE_GUESTS_SETUP();
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
}

FIXTURE_TEARDOWN(stress)
{
	guest_destroy(&self->g);
}

/* What test 1 closes, in an order per round. */
enum { C_DEV, C_VM, C_VCPU0, C_VCPU1, C_RUN0, C_RUN1, C_NR };

static const int close_order[][C_NR] = {
	{ C_DEV, C_VM, C_VCPU0, C_VCPU1, C_RUN0, C_RUN1 },
	{ C_RUN1, C_RUN0, C_VCPU1, C_VCPU0, C_VM, C_DEV },
	{ C_VCPU0, C_RUN0, C_VM, C_RUN1, C_DEV, C_VCPU1 },
	{ C_VM, C_VCPU1, C_RUN1, C_DEV, C_RUN0, C_VCPU0 },
};

static void close_one(struct guest *g, int what)
{
	switch (what) {
	case C_DEV:
		close(g->dev);
		g->dev = -1;
		break;
	case C_VM:
		close(g->vm);
		g->vm = -1;
		break;
	case C_VCPU0:
	case C_VCPU1:
		close(g->vcpu[what - C_VCPU0]);
		g->vcpu[what - C_VCPU0] = -1;
		break;
	default:
		munmap(g->run[what - C_RUN0], g->run_size);
		g->run[what - C_RUN0] = NULL;
	}
}

/*
 * Every fd of a VM closed and both run areas unmapped while its two
 * vCPUs run: the RUNs in progress hold their files, so the guest goes on
 * counting, its RUNs end normally (stop flag: 0) or by a signal (EINTR),
 * and then the VM is freed: VM count, pinned pages and free memory as
 * before.
 */
TEST_F_TIMEOUT(stress, close_every_fd_while_running, 180)
{
	struct guest *g = &self->g;
	struct runner r[2];
	struct mem_mark mark;
	struct minihv_info mi;
	unsigned int round;
	int i, j;

	mem_mark(_metadata, &mark);
	for (round = 0; round < 2 * ARRAY_SIZE(close_order); round++) {
		const int *order = close_order[round % ARRAY_SIZE(close_order)];
		bool by_signal = round >= ARRAY_SIZE(close_order);
		uint64_t seen[2];

		ASSERT_EQ(0, guest_create(g, 2, guest_count, 0));
		for (i = 0; i < 2; i++)
			ASSERT_EQ(0, start_runner(&r[i], g->vcpu[i]));
		for (i = 0; i < 2; i++) {
			ASSERT_LT(0, wait_above(gvar(g, &progress[i]), 0, 10000))
				TH_LOG("round %u: vCPU %d never ran", round, i);
		}

		for (j = 0; j < C_NR; j++)
			close_one(g, order[j]);
		/* The VM lives on while its RUNs last. */
		ASSERT_EQ(0, minihv_info(&mi));
		EXPECT_EQ(mark.info.nr_vms + 1, mi.nr_vms);
		/* Still running with no fd left: the counters advance. */
		for (i = 0; i < 2; i++) {
			seen[i] = LOAD_ONCE(*gvar(g, &progress[i]));
			EXPECT_LT(seen[i], wait_above(gvar(g, &progress[i]),
						      seen[i], 10000))
				TH_LOG("round %u: vCPU %d stopped", round, i);
		}
		if (by_signal) {
			for (i = 0; i < 2; i++)
				kick_until_done(&r[i], 5000);
		} else {
			STORE_ONCE(*gvar(g, &stop), 1);
		}
		for (i = 0; i < 2; i++) {
			ASSERT_EQ(0, pthread_join(r[i].thread, NULL));
			EXPECT_EQ(by_signal ? -EINTR : 0, r[i].ret)
				TH_LOG("round %u vCPU %d", round, i);
			if (!by_signal)
				EXPECT_LT(seen[i], LOAD_ONCE(*gvar(g, &result[i])));
		}
		guest_destroy(g);	/* only the image is left */
	}
	expect_mem_flat(_metadata, &mark, 4096);
}

/* 16 pages the guest rewrites each step, checking the previous step's. */
#define STEP_WORDS	(16 * 4096 / 8)
#define STEPS		40
static uint64_t step_data[STEP_WORDS];

static uint64_t step_word(uint64_t step, uint64_t i)
{
	return step * 131 + i;
}

static uint64_t step_sum(uint64_t step)
{
	return STEP_WORDS * step * 131 + STEP_WORDS * (STEP_WORDS - 1) / 2;
}

static uint64_t guest_steps(uint64_t nsteps)
{
	uint64_t step, i, sum, bad = 0;
	uint64_t spin;

	for (step = 0; step < nsteps; step++) {
		/* Most of each step in the guest, for the munmaps to land in. */
		for (spin = 0; spin < 20000; spin++)
			asm volatile("" ::: "memory");
		for (i = 0; i < STEP_WORDS; i++) {
			if (step && LOAD_ONCE(step_data[i]) !=
				    step_word(step - 1, i))
				bad++;
			STORE_ONCE(step_data[i], step_word(step, i));
		}
		for (sum = 0, i = 0; i < STEP_WORDS; i++)
			sum += LOAD_ONCE(step_data[i]);
		guest_hcall(MINIHV_HCALL_EXIT, UCALL_SYNC, step, sum, bad, 0, 0);
	}
	return nsteps;
}

struct stepper {
	pthread_t thread;
	int fd;
	uint64_t step;		/* steps seen so far */
	int bad;
	int done;		/* UCALL_DONE seen */
};

/* The vCPU's exits read through GET_REGS: the run area may be gone. */
static void *stepper_fn(void *arg)
{
	struct stepper *s = arg;
	struct minihv_regs regs;

	for (;;) {
		if (ioctl(s->fd, MINIHV_RUN, 0) ||
		    ioctl(s->fd, MINIHV_GET_REGS, &regs) ||
		    regs_hcall(&regs, 0) != MINIHV_HCALL_EXIT) {
			s->bad++;
			break;
		}
		if (regs_hcall(&regs, 1) == UCALL_DONE) {
			s->done = regs_hcall(&regs, 2) == STEPS;
			break;
		}
		if (regs_hcall(&regs, 1) != UCALL_SYNC ||
		    regs_hcall(&regs, 2) != s->step ||
		    regs_hcall(&regs, 3) != step_sum(s->step) ||
		    regs_hcall(&regs, 4) != 0) {
			s->bad++;
			break;
		}
		STORE_ONCE(s->step, s->step + 1);
	}
	return NULL;
}

/*
 * The run area and the slot's memory (the guest's whole RAM) unmapped
 * from the VMM while the vCPU runs: minihv holds the pinned pages, so
 * the guest goes on writing and reading back its RAM to the last step,
 * nothing is unpinned until the VM is closed, and then all of it is.
 */
TEST_F_TIMEOUT(stress, munmap_run_area_and_ram_while_running, 120)
{
	struct guest *g = &self->g;
	struct minihv_info before, during;
	struct stepper s = { };
	struct mem_mark mark;
	int i;

	mem_mark(_metadata, &mark);
	ASSERT_EQ(0, guest_create(g, 1, guest_steps, STEPS));
	ASSERT_EQ(0, minihv_info(&before));
	s.fd = g->vcpu[0];
	ASSERT_EQ(0, pthread_create(&s.thread, NULL, stepper_fn, &s));
	for (i = 0; i < 10000 && LOAD_ONCE(s.step) < 3; i++)
		usleep(1000);
	ASSERT_LE(3, LOAD_ONCE(s.step));
	EXPECT_EQ(0, munmap(g->run[0], g->run_size));
	g->run[0] = NULL;
	EXPECT_EQ(0, munmap(g->image, g->image_size));
	g->image = NULL;
	ASSERT_EQ(0, pthread_join(s.thread, NULL));
	EXPECT_EQ(0, s.bad) TH_LOG("wrong exit after step %llu",
				   (unsigned long long)s.step);
	EXPECT_EQ(STEPS, s.step);
	EXPECT_TRUE(s.done);
	/* Unmapped, still pinned: the guest's RAM is the VM's until close. */
	ASSERT_EQ(0, minihv_info(&during));
	EXPECT_EQ(before.pinned_pages, during.pinned_pages);
	EXPECT_EQ(before.nr_vms, during.nr_vms);
	guest_destroy(g);
	expect_mem_flat(_metadata, &mark, 4096);
}

/*
 * Two threads RUN one vCPU: minihv serialises them on the vCPU's mutex
 * (core/vcpu.c vcpu_ioctl), so the second waits, in uninterruptible
 * sleep (a signal does not end the wait), until the first returns; it
 * then sees its pending signal before entering and returns EINTR. The
 * guest ran on one thread only: its count is the first RUN's result.
 */
TEST_F_TIMEOUT(stress, run_from_two_threads_is_serialised, 120)
{
	struct guest *g = &self->g;
	struct runner b;
	struct vcpu_thread a;
	uint64_t seen;
	char state = '?';
	int i, hung;

	ASSERT_EQ(0, guest_create(g, 1, guest_count, 0));
	ASSERT_EQ(0, start_vcpu(&a, g, 0));
	ASSERT_LT(0, wait_above(gvar(g, &progress[0]), 0, 10000));

	ASSERT_EQ(0, start_runner(&b, g->vcpu[0]));
	for (i = 0; i < 5000 && state != 'D'; i++) {
		usleep(1000);
		if (LOAD_ONCE(b.tid))
			state = thread_state(b.tid);
	}
	EXPECT_EQ('D', state) TH_LOG("second RUN's thread: %c", state);
	EXPECT_FALSE(LOAD_ONCE(b.done)) TH_LOG("second RUN: %d", b.ret);
	/*
	 * A wait behind a guest that runs for minutes is no hang: the
	 * detector must not report it (it skips killable sleeps).
	 */
	hung = hung_while_blocked(b.tid);
	if (hung < 0)
		TH_LOG("no hung-task detector here: that wait not checked");
	EXPECT_NE(1, hung) TH_LOG("the waiting RUN is reported as a hung task");

	/* The first RUN goes on meanwhile; the second stays blocked. */
	pthread_kill(b.thread, SIGUSR1);
	seen = LOAD_ONCE(*gvar(g, &progress[0]));
	EXPECT_LT(seen, wait_above(gvar(g, &progress[0]), seen, 10000));
	seen = LOAD_ONCE(*gvar(g, &progress[0]));
	EXPECT_LT(seen, wait_above(gvar(g, &progress[0]), seen, 10000));
	EXPECT_FALSE(LOAD_ONCE(b.done));
	EXPECT_EQ('D', thread_state(b.tid));

	STORE_ONCE(*gvar(g, &stop), 1);
	ASSERT_EQ(0, pthread_join(a.thread, NULL));
	EXPECT_EQ(0, a.ret);
	EXPECT_EQ(UCALL_DONE, a.ucall);
	EXPECT_EQ(LOAD_ONCE(*gvar(g, &result[0])), a.value);
	EXPECT_EQ(LOAD_ONCE(*gvar(g, &progress[0])), a.value);
	ASSERT_EQ(0, pthread_join(b.thread, NULL));
	EXPECT_EQ(-EINTR, b.ret);
	EXPECT_EQ(MINIHV_EXIT_INTR, g->run[0]->exit_reason);
}

#define STORM_SYNC	1024
#define STORM_EINTRS	200
#define STORM_MAX_SENT	20000

static uint64_t guest_storm(uint64_t unused)
{
	uint64_t n = 0;

	while (!LOAD_ONCE(stop)) {
		STORE_ONCE(progress[0], ++n);
		if (!(n % STORM_SYNC))
			guest_sync(n, LOAD_ONCE(progress[0]));
	}
	return n;
}

struct storm {
	pthread_t target;
	uint64_t *stop;		/* the guest's */
	int eintrs;		/* RUNs ended by a signal so far */
	int sent;
	int done;
};

static void *storm_fn(void *arg)
{
	struct storm *st = arg;

	while (!LOAD_ONCE(st->done)) {
		pthread_kill(st->target, SIGUSR1);
		if (++st->sent >= STORM_MAX_SENT ||
		    LOAD_ONCE(st->eintrs) >= STORM_EINTRS)
			STORE_ONCE(*st->stop, 1);
		usleep(100);
	}
	return NULL;
}

/*
 * SIGUSR1 after SIGUSR1 at the thread in RUN: every RUN ends with EINTR
 * (exit MINIHV_EXIT_INTR) or the guest's own exit, and resuming loses
 * nothing: the guest's counter, kept in a register across all those
 * exits, reports exactly every STORM_SYNC-th value in order.
 */
TEST_F_TIMEOUT(stress, signal_storm_at_run, 180)
{
	struct guest *g = &self->g;
	struct storm st = { .target = pthread_self() };
	struct minihv_run *run;
	uint64_t last = 0, final = 0;
	pthread_t thread;
	int ret, bad = 0, syncs = 0;

	ASSERT_EQ(0, guest_create(g, 1, guest_storm, 0));
	run = g->run[0];
	st.stop = gvar(g, &stop);
	ASSERT_EQ(0, pthread_create(&thread, NULL, storm_fn, &st));
	for (;;) {
		ret = guest_run(g, 0);
		if (ret == -EINTR && run->exit_reason == MINIHV_EXIT_INTR) {
			STORE_ONCE(st.eintrs, st.eintrs + 1);
			continue;
		}
		if (ret || run->exit_reason != MINIHV_EXIT_HYPERCALL) {
			bad++;
			break;
		}
		if (run->hypercall.args[0] == UCALL_DONE) {
			final = run->hypercall.args[1];
			break;
		}
		if (run->hypercall.args[0] != UCALL_SYNC ||
		    run->hypercall.args[1] != last + STORM_SYNC ||
		    run->hypercall.args[2] != run->hypercall.args[1]) {
			bad++;
			break;
		}
		last = run->hypercall.args[1];
		syncs++;
	}
	STORE_ONCE(st.done, 1);
	pthread_join(thread, NULL);
	EXPECT_EQ(0, bad) TH_LOG("ret %d, exit %u, after %llu", ret,
				 run->exit_reason, (unsigned long long)last);
	EXPECT_LE(STORM_EINTRS, st.eintrs)
		TH_LOG("%d signals sent, %d RUNs interrupted", st.sent,
		       st.eintrs);
	TH_LOG("%d signals, %d RUNs ended by EINTR, %d syncs, count %llu",
	       st.sent, st.eintrs, syncs, (unsigned long long)final);
	EXPECT_LT(0, syncs);
	EXPECT_LE(last, final);
	EXPECT_GT(last + STORM_SYNC, final);
	EXPECT_EQ(LOAD_ONCE(*gvar(g, &progress[0])), final);
}

#define CHURN_GPA	0x20000000ULL
#define CHURN_SIZE	(64 << 10)
#define CHURN_ROUNDS	60
#define CHURN_A		0x5107ed00000000aaULL
#define CHURN_B		0x5107ed00000000bbULL
#define CHURN_MMIO	0x6d6d10000000006dULL	/* the VMM's answer */

enum { SEEN_A, SEEN_B, SEEN_MMIO, SEEN_OTHER, SEEN_NR };
static uint64_t churn_seen[SEEN_NR];
static uint64_t churn_bad_value;

/* One load at a time: RAM while the slot is there, an MMIO exit if not. */
static uint64_t guest_churn_reader(uint64_t unused)
{
	uint64_t n = 0, v;
	int k;

	while (!LOAD_ONCE(stop)) {
		v = mmio_read64(CHURN_GPA + 8);
		k = v == CHURN_A ? SEEN_A : v == CHURN_B ? SEEN_B :
		    v == CHURN_MMIO ? SEEN_MMIO : SEEN_OTHER;
		if (k == SEEN_OTHER)
			STORE_ONCE(churn_bad_value, v);
		STORE_ONCE(churn_seen[k], churn_seen[k] + 1);
		STORE_ONCE(progress[0], ++n);
	}
	return n;
}

struct churn_vcpu {
	pthread_t thread;
	struct guest *g;
	uint64_t mmio_exits;
	int bad;
	uint64_t done_value;
};

static void *churn_vcpu_fn(void *arg)
{
	struct churn_vcpu *c = arg;
	struct minihv_run *run = c->g->run[0];
	uint64_t answer = CHURN_MMIO;

	for (;;) {
		if (guest_run(c->g, 0)) {
			c->bad++;
			break;
		}
		if (run->exit_reason == MINIHV_EXIT_HYPERCALL &&
		    run->hypercall.args[0] == UCALL_DONE) {
			c->done_value = run->hypercall.args[1];
			break;
		}
		if (run->exit_reason != MINIHV_EXIT_MMIO ||
		    run->mmio.phys_addr != CHURN_GPA + 8 ||
		    run->mmio.len != 8 || run->mmio.is_write) {
			c->bad++;
			break;
		}
		memcpy(run->mmio.data, &answer, 8);
		c->mmio_exits++;
	}
	return NULL;
}

/*
 * A slot deleted and added again, alternately backed by two buffers,
 * while the guest reads it: each load sees buffer A's word, buffer B's,
 * or (slot gone) is an MMIO exit at that address, never anything else;
 * every state is seen, since each lasts at least two of the guest's
 * loads. Afterwards the slot's pages are unpinned.
 */
TEST_F_TIMEOUT(stress, slot_churn_while_guest_reads, 180)
{
	struct guest *g = &self->g;
	struct minihv_info before, after;
	struct churn_vcpu c = { .g = g };
	uint64_t *buf[2], *seen, *prog, p;
	int i, k;

	ASSERT_EQ(0, guest_create(g, 1, guest_churn_reader, 0));
	for (k = 0; k < 2; k++) {
		buf[k] = mmap(NULL, CHURN_SIZE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, buf[k]);
		for (i = 0; i < CHURN_SIZE / 8; i++)
			buf[k][i] = k ? CHURN_B : CHURN_A;
	}
	ASSERT_EQ(0, minihv_info(&before));
	prog = gvar(g, &progress[0]);
	ASSERT_EQ(0, pthread_create(&c.thread, NULL, churn_vcpu_fn, &c));
	for (i = 0; i < CHURN_ROUNDS; i++) {
		ASSERT_EQ(0, minihv_set_region(g->vm, 1, CHURN_GPA, CHURN_SIZE,
					       buf[i % 2]));
		p = LOAD_ONCE(*prog);
		ASSERT_LT(p + 1, wait_above(prog, p + 1, 10000));
		ASSERT_EQ(0, minihv_set_region(g->vm, 1, CHURN_GPA, 0,
					       buf[i % 2]));
		p = LOAD_ONCE(*prog);
		ASSERT_LT(p + 1, wait_above(prog, p + 1, 10000));
	}
	ASSERT_EQ(0, minihv_info(&after));
	EXPECT_EQ(before.pinned_pages, after.pinned_pages);
	STORE_ONCE(*gvar(g, &stop), 1);
	ASSERT_EQ(0, pthread_join(c.thread, NULL));
	EXPECT_EQ(0, c.bad);

	seen = gvar(g, churn_seen);
	TH_LOG("loads: %llu of A, %llu of B, %llu MMIO exits",
	       (unsigned long long)seen[SEEN_A],
	       (unsigned long long)seen[SEEN_B],
	       (unsigned long long)seen[SEEN_MMIO]);
	EXPECT_EQ(0, seen[SEEN_OTHER])
		TH_LOG("guest read %#llx", (unsigned long long)
		       LOAD_ONCE(*gvar(g, &churn_bad_value)));
	EXPECT_LE(CHURN_ROUNDS / 2, seen[SEEN_A]);
	EXPECT_LE(CHURN_ROUNDS / 2, seen[SEEN_B]);
	EXPECT_LE(CHURN_ROUNDS, seen[SEEN_MMIO]);
	EXPECT_EQ(c.mmio_exits, seen[SEEN_MMIO]);
	EXPECT_EQ(c.done_value, seen[SEEN_A] + seen[SEEN_B] + seen[SEEN_MMIO]);
	EXPECT_EQ(c.done_value, LOAD_ONCE(*prog));
	for (k = 0; k < 2; k++)
		munmap(buf[k], CHURN_SIZE);
}

/* What of a guest test 6 keeps open: one kind of reference each time. */
enum { KEEP_DEV, KEEP_VM, KEEP_VCPU, KEEP_RUN, KEEP_NR };

static void keep_only(struct guest *g, int keep)
{
	if (keep != KEEP_RUN) {
		munmap(g->run[0], g->run_size);
		g->run[0] = NULL;
	}
	if (keep != KEEP_VCPU) {
		close(g->vcpu[0]);
		g->vcpu[0] = -1;
	}
	if (keep != KEEP_VM) {
		close(g->vm);
		g->vm = -1;
	}
	if (keep != KEEP_DEV) {
		close(g->dev);
		g->dev = -1;
	}
}

#define CHURN_VMS	40

struct vm_churn {
	pthread_t thread;
	int made;		/* guests made and run to their result */
	int bad;
	int done;
};

/*
 * Guests made, run and dropped hand over hand: the next one is made
 * before the last reference to the previous one (its device fd, VM fd,
 * vCPU fd or just its run-area mapping, in turn) goes, so the module
 * is in use throughout.
 */
static void *vm_churn_fn(void *arg)
{
	struct vm_churn *c = arg;
	struct guest g[2];
	int i;

	guest_init(&g[0]);
	guest_init(&g[1]);
	for (i = 0; i < CHURN_VMS; i++) {
		struct guest *cur = &g[i % 2];

		if (guest_create(cur, 1, guest_triple, i) ||
		    guest_run(cur, 0) ||
		    cur->run[0]->exit_reason != MINIHV_EXIT_HYPERCALL ||
		    cur->run[0]->hypercall.args[0] != UCALL_DONE ||
		    cur->run[0]->hypercall.args[1] != (uint64_t)i * 3 + 1) {
			c->bad++;
			break;
		}
		keep_only(cur, i % KEEP_NR);
		guest_destroy(&g[(i + 1) % 2]);
		STORE_ONCE(c->made, i + 1);
	}
	STORE_ONCE(c->done, 1);
	/* The last reference goes only once the rmmod loop has stopped. */
	while (LOAD_ONCE(c->done) != 2)
		usleep(1000);
	guest_destroy(&g[0]);
	guest_destroy(&g[1]);
	return NULL;
}

/*
 * rmmod again and again while guests come and go on another thread:
 * with some fd or mapping of minihv always live, every attempt fails
 * with EWOULDBLOCK (delete_module's O_NONBLOCK on a module in use) and
 * the guests go on working; once the last one is gone it unloads, and
 * loads again.
 */
TEST_F_TIMEOUT(stress, rmmod_loop_while_vms_come_and_go, 300)
{
	struct vm_churn c = { };
	struct minihv_info mi;
	int attempts = 0, ok = 0, ret, other = 0;

	if (!minihv_ko_path())
		SKIP(return, "MINIHV_KO is unset: no module to load again");
	ASSERT_EQ(0, pthread_create(&c.thread, NULL, vm_churn_fn, &c));
	while (!LOAD_ONCE(c.made) && !LOAD_ONCE(c.done))
		usleep(1000);
	while (!LOAD_ONCE(c.done)) {
		ret = minihv_rmmod();
		attempts++;
		if (!ret)
			ok++;
		else if (ret != -EWOULDBLOCK)
			other = ret;
		usleep(2000);
	}
	STORE_ONCE(c.done, 2);
	ASSERT_EQ(0, pthread_join(c.thread, NULL));
	if (ok)
		minihv_insmod();	/* leave the next tests a module */
	TH_LOG("%d rmmod attempts over %d guests", attempts, c.made);
	EXPECT_EQ(0, c.bad);
	EXPECT_EQ(CHURN_VMS, c.made);
	EXPECT_EQ(0, ok) TH_LOG("rmmod succeeded %d of %d times", ok, attempts);
	EXPECT_EQ(0, other);
	EXPECT_LT(CHURN_VMS, attempts);

	ASSERT_EQ(0, minihv_rmmod());
	EXPECT_FALSE(minihv_loaded());
	ASSERT_EQ(0, minihv_insmod());
	ASSERT_TRUE(minihv_loaded());
	ASSERT_EQ(0, minihv_info(&mi));
	EXPECT_EQ(0, mi.nr_vms);
	EXPECT_EQ(0, mi.pinned_pages);
}

#define HOTPLUG_ROUNDS	8

static int info_has_cpu(const struct minihv_info *mi, int cpu)
{
	return !!(mi->cpus_enabled[cpu / 64] & (1ULL << (cpu % 64)));
}

/* A vCPU thread that says who it is, so that it can be pinned. */
struct hp_vcpu {
	struct vcpu_thread t;
	pid_t tid;
};

static void *hp_vcpu_fn(void *arg)
{
	struct hp_vcpu *h = arg;

	STORE_ONCE(h->tid, (pid_t)syscall(SYS_gettid));
	return vcpu_thread_fn(&h->t);
}

static int pin_thread(pid_t tid, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(tid, sizeof(set), &set);
}

/*
 * CPU 1 taken offline and back while a two-vCPU guest runs, vCPU n's
 * thread pinned to CPU n whenever CPU 1 is up: offlining moves vCPU 1
 * out of the guest and off its CPU, minihv gives CPU 1 back and takes it
 * again each time, and both vCPUs keep counting and end normally.
 */
TEST_F_TIMEOUT(stress, cpu_hotplug_while_running, 300)
{
	const char *ctl = "/sys/devices/system/cpu/cpu1/online";
	struct guest *g = &self->g;
	struct hp_vcpu h[2] = { };
	struct minihv_info mi;
	struct mem_mark mark;
	int n = online_cpus(), round, i, v, off_ok = 0;
	uint64_t seen;

	if (n < 2 || access(ctl, W_OK))
		SKIP(return, "CPU 1 cannot be taken offline here");
	mem_mark(_metadata, &mark);
	ASSERT_EQ(0, guest_create(g, 2, guest_count, 0));
	for (i = 0; i < 2; i++) {
		h[i].t.g = g;
		h[i].t.vcpu = i;
		ASSERT_EQ(0, pthread_create(&h[i].t.thread, NULL, hp_vcpu_fn,
					    &h[i]));
	}
	for (i = 0; i < 2; i++)
		ASSERT_LT(0, wait_above(gvar(g, &progress[i]), 0, 10000));

	for (round = 0; round < HOTPLUG_ROUNDS; round++) {
		/* Offlining breaks vCPU 1's affinity: pin it again. */
		for (v = 0; v < 2; v++)
			EXPECT_EQ(0, pin_thread(LOAD_ONCE(h[v].tid), v));
		for (i = 0; i < 2; i++) {
			const char *to = i ? "1" : "0";

			if (write_file(ctl, to)) {
				EXPECT_EQ(0, write_file(ctl, to))
					TH_LOG("round %d: cpu1 online=%s", round,
					       to);
				break;
			}
			off_ok += !i;
			ASSERT_EQ(0, minihv_info(&mi));
			EXPECT_EQ(i ? n : n - 1, mi.nr_cpus_enabled);
			EXPECT_EQ(i, info_has_cpu(&mi, 1));
			/* Both vCPUs count on, on whichever CPUs are left. */
			for (v = 0; v < 2; v++) {
				seen = LOAD_ONCE(*gvar(g, &progress[v]));
				EXPECT_LT(seen, wait_above(gvar(g, &progress[v]),
							   seen, 10000))
					TH_LOG("round %d: vCPU %d stopped",
					       round, v);
			}
		}
	}
	write_file(ctl, "1");
	/* Each vCPU again, after the last round. */
	for (i = 0; i < 2; i++) {
		seen = LOAD_ONCE(*gvar(g, &progress[i]));
		EXPECT_LT(seen, wait_above(gvar(g, &progress[i]), seen, 10000));
	}
	STORE_ONCE(*gvar(g, &stop), 1);
	for (i = 0; i < 2; i++) {
		pthread_join(h[i].t.thread, NULL);
		EXPECT_EQ(0, h[i].t.ret);
		EXPECT_EQ(UCALL_DONE, h[i].t.ucall);
		EXPECT_EQ(LOAD_ONCE(*gvar(g, &result[i])), h[i].t.value);
	}
	EXPECT_EQ(HOTPLUG_ROUNDS, off_ok);
	ASSERT_EQ(0, minihv_info(&mi));
	EXPECT_EQ(n, mi.nr_cpus_enabled);
	guest_destroy(g);
	expect_mem_flat(_metadata, &mark, 4096);
}

#define CG_ROOT		"/sys/fs/cgroup"
#define CG_DIR		CG_ROOT "/minihv-stress"
#define CG_LIMIT	(16 << 20)
#define CG_SMALL	(8 << 20)
#define CG_BIG		(64 << 20)
/*
 * memory.current counts the per-CPU charge stock too: a cgroup charges
 * in batches of 64 pages (MEMCG_CHARGE_BATCH) and takes its next pages
 * from the stock already counted, so a difference of two readings can
 * fall short of what was charged by up to one batch.
 */
#define CG_STOCK	(64 * 4096)
#define CG_GPA		0x40000000ULL

/* A number in a cgroup file: the whole file, or the line "key N". */
static long long cg_read(const char *file, const char *key)
{
	char path[128], buf[1024], *p;
	int fd, n;

	snprintf(path, sizeof(path), CG_DIR "/%s", file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (!key)
		return atoll(buf);
	for (p = buf; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, strlen(key)) && p[strlen(key)] == ' ')
			return atoll(p + strlen(key) + 1);
	return -1;
}

/* cgroup v2 with the memory controller, mounted if it is not; or why not. */
static const char *cg_setup(void)
{
	static char why[160];
	char buf[256] = "";
	int fd, n;

	if (access(CG_ROOT "/cgroup.controllers", F_OK) &&
	    mount("cgroup2", CG_ROOT, "cgroup2", 0, NULL)) {
		snprintf(why, sizeof(why), "cannot mount cgroup2 on %s: %s",
			 CG_ROOT, strerror(errno));
		return why;
	}
	fd = open(CG_ROOT "/cgroup.controllers", O_RDONLY);
	if (fd < 0)
		return "no cgroup v2 hierarchy at " CG_ROOT;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	if (!strstr(buf, "memory"))
		return "the kernel has no cgroup v2 memory controller";
	if (write_file(CG_ROOT "/cgroup.subtree_control", "+memory"))
		return "cannot enable the memory controller for children";
	if (mkdir(CG_DIR, 0755) && errno != EEXIST)
		return "cannot make a cgroup";
	return NULL;
}

struct cg_report {
	int small_ret;		/* 0 or -errno */
	long long charged;	/* memory.current's rise by the small slot */
	int big_ret;
	unsigned long long pinned;	/* pinned pages after the big slot */
};

/*
 * In the cgroup: a slot inside the limit, then one beyond it. An
 * unkillable VMM (oom_score_adj -1000) leaves the cgroup's OOM killer
 * no victim, so the charge fails instead.
 */
static void cg_child(int out, bool unkillable)
{
	struct cg_report r = { };
	struct minihv_info mi;
	char pid[16];
	long long before;
	void *small, *big;
	int dev, vm;

	snprintf(pid, sizeof(pid), "%d", getpid());
	if (unkillable && write_file("/proc/self/oom_score_adj", "-1000"))
		_exit(2);
	if (write_file(CG_DIR "/cgroup.procs", pid))
		_exit(2);
	dev = minihv_open();
	vm = dev < 0 ? -1 : minihv_create_vm(dev);
	small = mmap(NULL, CG_SMALL, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	big = mmap(NULL, CG_BIG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm < 0 || small == MAP_FAILED || big == MAP_FAILED)
		_exit(3);
	/* Untouched memory: pinning faults it in, charged to this cgroup. */
	before = cg_read("memory.current", NULL);
	r.small_ret = minihv_set_region(vm, 0, CG_GPA, CG_SMALL, small) ?
		      -errno : 0;
	r.charged = cg_read("memory.current", NULL) - before;
	if (write(out, &r, sizeof(r)) != sizeof(r))
		_exit(4);
	r.big_ret = minihv_set_region(vm, 1, CG_GPA + CG_SMALL, CG_BIG, big) ?
		    -errno : 0;
	r.pinned = minihv_info(&mi) ? ~0ULL : mi.pinned_pages;
	if (write(out, &r, sizeof(r)) != sizeof(r))
		_exit(4);
	_exit(0);
}

/*
 * The VMM of cg_child() beside minihv's baseline: after the process the
 * VM count and pinned pages are back, and the cgroup is empty.
 */
static void cg_run(struct __test_metadata *_metadata, bool unkillable)
{
	struct minihv_info before, after;
	struct cg_report r = { .small_ret = 1, .big_ret = 1 };
	const char *why;
	int pipefd[2], status;
	long long kills;
	pid_t pid;
	char max[32];

	why = cg_setup();
	if (why)
		SKIP(return, "%s", why);
	snprintf(max, sizeof(max), "%d", CG_LIMIT);
	ASSERT_EQ(0, write_file(CG_DIR "/memory.max", max));
	write_file(CG_DIR "/memory.swap.max", "0");	/* absent without swap */
	kills = cg_read("memory.events", "oom_kill");
	ASSERT_LE(0, kills);
	ASSERT_EQ(0, minihv_info(&before));

	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(pipefd[0]);
		cg_child(pipefd[1], unkillable);
	}
	close(pipefd[1]);
	EXPECT_EQ(sizeof(r), read(pipefd[0], &r, sizeof(r)));
	if (read(pipefd[0], &r, sizeof(r)) != sizeof(r))
		r.big_ret = 1;		/* the child died in the ioctl */
	close(pipefd[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));

	EXPECT_EQ(0, r.small_ret);
	EXPECT_LE(CG_SMALL - CG_STOCK, r.charged)
		TH_LOG("charged %lld bytes", r.charged);
	if (unkillable) {
		/* No victim: the charge fails, the ioctl with it, cleanly. */
		TH_LOG("beyond memory.max: set-region returned %d, %llu pages pinned",
		       r.big_ret, r.pinned);
		ASSERT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status));
		EXPECT_EQ(-ENOMEM, r.big_ret);
		/* Only the small slot's pages stay pinned in the live VMM. */
		EXPECT_EQ(before.pinned_pages + CG_SMALL / getpagesize(),
			  r.pinned);
		EXPECT_EQ(kills, cg_read("memory.events", "oom_kill"));
	} else if (WIFSIGNALED(status)) {
		TH_LOG("beyond memory.max: the VMM was killed by signal %d in the ioctl",
		       WTERMSIG(status));
		EXPECT_EQ(SIGKILL, WTERMSIG(status));
		EXPECT_LT(kills, cg_read("memory.events", "oom_kill"));
		EXPECT_EQ(1, r.big_ret);
	} else {
		TH_LOG("beyond memory.max: set-region returned %d", r.big_ret);
		EXPECT_EQ(0, WEXITSTATUS(status));
		EXPECT_EQ(-ENOMEM, r.big_ret);
	}
	ASSERT_EQ(0, minihv_info(&after));
	EXPECT_EQ(before.nr_vms, after.nr_vms);
	EXPECT_EQ(before.pinned_pages, after.pinned_pages);
	/* The child's pages left the cgroup with it. */
	EXPECT_GT(CG_SMALL / 2, cg_read("memory.current", NULL));
	EXPECT_EQ(0, rmdir(CG_DIR));
}

/*
 * A VMM in a memory cgroup whose memory.max is below a slot's size:
 * minihv pins with FOLL_LONGTERM, and the pages pinning faults in are
 * charged to the cgroup, so a slot inside the limit shows in
 * memory.current and one beyond it cannot be pinned: the cgroup's OOM
 * killer ends the VMM in the set-region ioctl (memory.events oom_kill),
 * as it would a KVM VMM faulting its guest's memory in; or, if the
 * kernel refuses the charge instead, the ioctl fails with ENOMEM.
 * Either way nothing stays pinned and the VM is gone with the process.
 */
TEST_F_TIMEOUT(stress, memcg_limit_below_slot, 120)
{
	cg_run(_metadata, false);
}

/*
 * The same VMM made unkillable (oom_score_adj -1000, as a VMM guarding
 * its guests may be): the OOM killer finds no victim, so the charge
 * fails and set-region returns ENOMEM, having unpinned what it pinned.
 */
TEST_F_TIMEOUT(stress, memcg_limit_unkillable_vmm_gets_enomem, 120)
{
	cg_run(_metadata, true);
}

TEST_HARNESS_MAIN
