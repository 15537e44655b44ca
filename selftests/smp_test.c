// SPDX-License-Identifier: GPL-2.0
/*
 * SMP guests: vCPUs in their own threads, several VMs running at the same
 * time and taking turns, and on arm64 vCPUs started by PSCI CPU_ON from
 * inside the guest.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/guest.h"
#include "lib/guest_check.h"
#include "lib/minihv_util.h"

FIXTURE(smp) {
	struct guest g[2];
};

FIXTURE_SETUP(smp)
{
	memset(self->g, 0xff, sizeof(self->g));
	self->g[0].image = self->g[1].image = NULL;
	REQUIRE_GUESTS_SETUP();
}

FIXTURE_TEARDOWN(smp)
{
	guest_destroy(&self->g[0]);
	guest_destroy(&self->g[1]);
}

#if defined(__aarch64__)
static void on_usr1(int sig)
{
}

static uint64_t secondary_result;

/*
 * vCPU 0 starts vCPU 1 with CPU_ON and waits (AFFINITY_INFO) until it
 * has computed its value and turned itself off with CPU_OFF.
 */
static uint64_t counter(void)
{
	uint64_t v;

	asm volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

static uint64_t counter_freq(void)
{
	uint64_t v;

	asm volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

static uint64_t guest_psci_smp(uint64_t unused)
{
	uint64_t i, sum = 0, deadline;

	if (guest_mpidr() == 1) {
		for (i = 1; i <= 1000; i++)
			sum += i;
		STORE_ONCE(secondary_result, sum);
		guest_hcall(PSCI_CPU_OFF, 0, 0, 0, 0, 0, 0);
		return 0xdead;		/* never: CPU_OFF does not return */
	}

	guest_sync(guest_affinity_info(1), 0);		/* 1: OFF */
	guest_sync(guest_cpu_on(1), guest_cpu_on(7));	/* 0, -2 */
	/* However slowly the host schedules vCPU 1: up to 10 s. */
	deadline = counter() + 10 * counter_freq();
	while (counter() < deadline)
		if (LOAD_ONCE(secondary_result) &&
		    guest_affinity_info(1) == 1)
			break;
	return LOAD_ONCE(secondary_result);
}

TEST_F_TIMEOUT(smp, psci_cpu_on_off_affinity_info, 120)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct guest *g = &self->g[0];
	struct minihv_run *run;
	struct vcpu_thread t1;

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, guest_create(g, 2, guest_psci_smp, 0));
	ASSERT_EQ(0, guest_power_off(g, 1));
	run = g->run[0];

	/* vCPU 1's RUN sleeps until vCPU 0's CPU_ON. */
	ASSERT_EQ(0, start_vcpu(&t1, g, 1));

	ASSERT_EQ(0, guest_run(g, 0));
	ASSERT_EQ(MINIHV_EXIT_HYPERCALL, run->exit_reason);
	EXPECT_EQ(1, run->hypercall.args[1]);		/* AFFINITY: OFF */
	ASSERT_EQ(0, guest_run(g, 0));
	EXPECT_EQ(0, run->hypercall.args[1]);		/* CPU_ON: SUCCESS */
	EXPECT_EQ(-2ULL, run->hypercall.args[2]);	/* no vCPU 7 */
	ASSERT_EQ(0, guest_run(g, 0));
	ASSERT_EQ(MINIHV_EXIT_HYPERCALL, run->exit_reason);
	EXPECT_EQ(UCALL_DONE, run->hypercall.args[0]);
	EXPECT_EQ(500500, run->hypercall.args[1]);

	/* vCPU 1 is off again, asleep in RUN: a signal gets it out. */
	usleep(100000);
	pthread_kill(t1.thread, SIGUSR1);
	pthread_join(t1.thread, NULL);
	EXPECT_EQ(-EINTR, t1.ret);
	EXPECT_EQ(MINIHV_EXIT_INTR, t1.exit_reason);
}

#endif /* __aarch64__ */

/* Each vCPU sums its own series: vCPU n adds i * (n + 1) + base. */
static uint64_t guest_series(uint64_t base)
{
	uint64_t i, sum = 0, n = guest_vcpu_id() + 1;

	for (i = 0; i < 200000; i++)
		sum += i * n + base;
	return sum;
}

static uint64_t series(uint64_t n, uint64_t base)
{
	uint64_t i, sum = 0;

	for (i = 0; i < 200000; i++)
		sum += i * n + base;
	return sum;
}

/* Two VMs with two vCPUs each, all four running at once. */
TEST_F_TIMEOUT(smp, two_vms_two_vcpus_at_once, 120)
{
	struct vcpu_thread t[4];
	int i;

	ASSERT_EQ(0, guest_create(&self->g[0], 2, guest_series, 100));
	ASSERT_EQ(0, guest_create(&self->g[1], 2, guest_series, 200));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, start_vcpu(&t[i], &self->g[i / 2], i % 2));
	for (i = 0; i < 4; i++) {
		pthread_join(t[i].thread, NULL);
		EXPECT_EQ(0, t[i].ret);
		EXPECT_EQ(MINIHV_EXIT_HYPERCALL, t[i].exit_reason);
		EXPECT_EQ(UCALL_DONE, t[i].ucall);
		EXPECT_EQ(series(i % 2 + 1, 100 * (i / 2 + 1)), t[i].value)
			TH_LOG("VM %d vCPU %d", i / 2, i % 2);
	}
}

#define ROLL_VMS	6
#define ROLL_STEPS	5

static uint64_t roll_data[64];

/* Each step: fill our RAM from the seed, read it back, report the sum. */
static uint64_t guest_roll(uint64_t seed)
{
	uint64_t step, i, sum;

	for (step = 0; step < ROLL_STEPS; step++) {
		for (i = 0; i < 64; i++)
			STORE_ONCE(roll_data[i], seed * 1000 + step * 64 + i);
		for (sum = 0, i = 0; i < 64; i++)
			sum += LOAD_ONCE(roll_data[i]);
		guest_sync(step, sum);
	}
	return seed;
}

static uint64_t roll_sum(uint64_t seed, uint64_t step)
{
	return 64 * (seed * 1000 + step * 64) + 63 * 64 / 2;
}

struct roll_thread {
	pthread_t thread;
	pthread_barrier_t *step_done;	/* both threads finish each step */
	struct guest *g;	/* ROLL_VMS / 2 of them */
	uint64_t first_seed;
	int bad;
};

/* Step our VMs round-robin: every entry may need a new VMID. */
static void *roll_thread_fn(void *arg)
{
	struct roll_thread *t = arg;
	int step, i;

	for (step = 0; step < ROLL_STEPS; step++) {
		for (i = 0; i < ROLL_VMS / 2; i++) {
			struct minihv_run *run = t->g[i].run[0];

			if (guest_run(&t->g[i], 0) ||
			    run->exit_reason != MINIHV_EXIT_HYPERCALL ||
			    run->hypercall.args[1] != (uint64_t)step ||
			    run->hypercall.args[2] !=
			    roll_sum(t->first_seed + i, step))
				t->bad++;
		}
		pthread_barrier_wait(t->step_done);
	}
	return NULL;
}

/*
 * ROLL_VMS VMs taking turns on two threads, which meet after every step
 * so that each step runs all of them: each VM must keep seeing only its
 * own memory (the same guest-physical pages in every VM).
 */
static void roll_vms(struct __test_metadata *_metadata)
{
	struct guest vms[ROLL_VMS];
	struct roll_thread t[2];
	pthread_barrier_t step_done;
	int i;

	for (i = 0; i < ROLL_VMS; i++)
		ASSERT_EQ(0, guest_create(&vms[i], 1, guest_roll, i + 1));
	pthread_barrier_init(&step_done, NULL, 2);
	for (i = 0; i < 2; i++) {
		t[i].step_done = &step_done;
		t[i].g = &vms[i * ROLL_VMS / 2];
		t[i].first_seed = i * ROLL_VMS / 2 + 1;
		t[i].bad = 0;
		pthread_create(&t[i].thread, NULL, roll_thread_fn, &t[i]);
	}
	for (i = 0; i < 2; i++) {
		pthread_join(t[i].thread, NULL);
		EXPECT_EQ(0, t[i].bad) TH_LOG("thread %d saw wrong memory", i);
	}
	pthread_barrier_destroy(&step_done);
	for (i = 0; i < ROLL_VMS; i++)
		guest_destroy(&vms[i]);
}

#if defined(__aarch64__)
/*
 * VMIDs by generation: with 2 VMID bits (3 for guests) the six VMs roll
 * the VMID space over in every step.
 */
TEST_F_TIMEOUT(smp, vmid_rollover, 180)
{
	struct minihv_info mi;

	if (!minihv_ko_path())
		SKIP(return, "MINIHV_KO is unset: cannot reload with few VMIDs");
	ASSERT_EQ(0, minihv_reload_params("test_vmid_bits=2"));
	roll_vms(_metadata);
	ASSERT_EQ(0, minihv_info(&mi));
	EXPECT_EQ(2, mi.arch_caps[3]);		/* VMID bits in use */
	/* 6 VMs over 3 VMIDs, 5 steps: at least one rollover per step. */
	EXPECT_LE(4, mi.arch_caps[4]) TH_LOG("%llu rollovers", mi.arch_caps[4]);
	ASSERT_EQ(0, minihv_reload_params(""));
}
#else
/* x86: six EPTs and VPIDs on two CPUs, each VMCS moving between them. */
TEST_F_TIMEOUT(smp, vms_take_turns_on_two_cpus, 180)
{
	roll_vms(_metadata);
}

#define REUSE_ROUNDS	8

/* One VM's run of guest_roll to its end; 0 if it saw only its own memory. */
static int roll_one(struct guest *g, uint64_t seed)
{
	struct minihv_run *run = g->run[0];
	uint64_t step;

	for (step = 0; step < ROLL_STEPS; step++)
		if (guest_run(g, 0) || run->exit_reason != MINIHV_EXIT_HYPERCALL ||
		    run->hypercall.args[1] != step ||
		    run->hypercall.args[2] != roll_sum(seed, step))
			return 1;
	return guest_run(g, 0) || run->hypercall.args[0] != UCALL_DONE;
}

/*
 * VPID reuse, x86's VMID rollover: with two VPIDs (test_vpid_max=2) each
 * round's two VMs get the VPIDs the last round's freed, the same guest
 * linear addresses on new host pages; each must see only its own. A
 * third vCPU while both are taken fails cleanly.
 */
TEST_F_TIMEOUT(smp, vpid_reuse, 300)
{
	struct guest vms[3];
	int round, i, bad = 0;

	if (!minihv_ko_path())
		SKIP(return, "MINIHV_KO is unset: cannot reload with few VPIDs");
	ASSERT_EQ(0, minihv_reload_params("test_vpid_max=2"));
	for (round = 0; round < REUSE_ROUNDS; round++) {
		for (i = 0; i < 2; i++)
			ASSERT_EQ(0, guest_create(&vms[i], 1, guest_roll,
						  round * 2 + i + 1));
		if (!round) {
			EXPECT_EQ(-ENOSPC,
				  guest_create(&vms[2], 1, guest_roll, 99));
			guest_destroy(&vms[2]);
		}
		for (i = 0; i < 2; i++) {
			bad += roll_one(&vms[i], round * 2 + i + 1);
			guest_destroy(&vms[i]);
		}
	}
	EXPECT_EQ(0, bad) TH_LOG("%d VMs saw wrong memory", bad);
	ASSERT_EQ(0, minihv_reload_params(""));
}
#endif

/* VCPU_INIT is settled before the first RUN, and checks its input. */
TEST_F(smp, vcpu_init_rules)
{
	struct minihv_vcpu_init init = { .flags = 1U << 5 };
	struct guest *g = &self->g[0];

	ASSERT_EQ(0, guest_create(g, 1, guest_series, 0));
	EXPECT_EQ(-1, ioctl(g->vcpu[0], MINIHV_VCPU_INIT, &init));
	EXPECT_EQ(EINVAL, errno);
	init.flags = 0;
	init.reserved[3] = 1;
	EXPECT_EQ(-1, ioctl(g->vcpu[0], MINIHV_VCPU_INIT, &init));
	EXPECT_EQ(EINVAL, errno);
	init.reserved[3] = 0;
	/* Powered off (x86: waiting for INIT/SIPI), then on again. */
	init.flags = MINIHV_VCPU_INIT_POWER_OFF;
	EXPECT_EQ(0, ioctl(g->vcpu[0], MINIHV_VCPU_INIT, &init));
	init.flags = 0;
	EXPECT_EQ(0, ioctl(g->vcpu[0], MINIHV_VCPU_INIT, &init));
	ASSERT_EQ(0, guest_run(g, 0));
	EXPECT_EQ(-1, ioctl(g->vcpu[0], MINIHV_VCPU_INIT, &init));
	EXPECT_EQ(EBUSY, errno);
}

TEST_HARNESS_MAIN
