// SPDX-License-Identifier: GPL-2.0
/*
 * Guests running under minihv: registers, RAM, hypercalls, MMIO, PSCI,
 * contained faults, signals. Each guest is a function of this binary
 * (lib/guest.h); each test fails if a value it checks is wrong. The
 * tests without an #if run on both architectures; guest_x86_test.c has
 * the x86-only ones.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/guest.h"
#include "lib/guest_check.h"
#include "lib/mem_check.h"
#include "lib/minihv_util.h"

FIXTURE(run) {
	struct guest g;
};

FIXTURE_SETUP(run)
{
	memset(&self->g, 0xff, sizeof(self->g));
	self->g.image = NULL;
	REQUIRE_GUESTS_SETUP();
}

FIXTURE_TEARDOWN(run)
{
	guest_destroy(&self->g);
}

static uint64_t guest_triple(uint64_t arg)
{
	return arg * 3 + 1;
}

TEST_F(run, host_regs_reach_guest_and_back)
{
	struct minihv_regs regs;

	ASSERT_EQ(0, guest_create(&self->g, 1, guest_triple, 0x1234));
	ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, &self->g));
	EXPECT_EQ(0x1234 * 3 + 1, self->g.run[0]->hypercall.args[1]);
	/* The guest's registers as it left them, seen through GET_REGS. */
	ASSERT_EQ(0, ioctl(self->g.vcpu[0], MINIHV_GET_REGS, &regs));
	EXPECT_EQ(MINIHV_HCALL_EXIT, regs_hcall(&regs, 0));
	EXPECT_EQ(UCALL_DONE, regs_hcall(&regs, 1));
	EXPECT_EQ(0x1234 * 3 + 1, regs_hcall(&regs, 2));
#if defined(__aarch64__)
	EXPECT_EQ(0x3c5, regs.pstate & 0x3cf);	/* EL1h, DAIF masked */
#else
	/* Interrupts off as set, RIP just past the VMCALL. */
	EXPECT_EQ(X86_RFLAGS_FIXED, regs.rflags & 0x202);
	EXPECT_EQ((uintptr_t)guest_entry_done, regs.rip);
#endif
}

static uint64_t guest_data[64];

static uint64_t guest_fill(uint64_t seed)
{
	int i;

	for (i = 0; i < 64; i++)
		STORE_ONCE(guest_data[i], seed + i * i);
	return 0;
}

TEST_F(run, guest_ram_writes_seen_by_host)
{
	uint64_t *data;
	int i;

	ASSERT_EQ(0, guest_create(&self->g, 1, guest_fill, 0xabc000));
	ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, &self->g));
	data = guest_mem(&self->g, (const void *)guest_data);
	for (i = 0; i < 64; i++)
		EXPECT_EQ(0xabc000 + i * i, LOAD_ONCE(data[i]));
	/* The guest's RAM is its own copy, not this process's globals. */
	EXPECT_EQ(0, LOAD_ONCE(guest_data[5]));
}

static uint64_t guest_hypercalls(uint64_t unused)
{
	uint64_t r;
	int i, bad = 0;

	/* The no-op is answered in the hypervisor: no exit per call. */
	for (i = 0; i < 1000; i++)
		bad += guest_hcall(MINIHV_HCALL_NOP, 0, 0, 0, 0, 0, 0) != 0;
	guest_sync(bad, 0);
	/* Unknown numbers: -1 (SMCCC NOT_SUPPORTED), not an exception. */
	r = guest_hcall(0xc60001ff, 0, 0, 0, 0, 0, 0);
	guest_sync(r, 0);
	/* Six arguments out, the host's answer back. */
	r = guest_hcall(MINIHV_HCALL_EXIT, 11, 22, 33, 44, 55, 66);
	return r;
}

TEST_F(run, hypercalls)
{
	struct minihv_run *run;
	int i;

	ASSERT_EQ(0, guest_create(&self->g, 1, guest_hypercalls, 0));
	run = self->g.run[0];
	ASSERT_EQ(UCALL_SYNC, run_to_ucall(_metadata, &self->g));
	EXPECT_EQ(0, run->hypercall.args[1]);		/* all NOPs returned 0 */
	ASSERT_EQ(UCALL_SYNC, run_to_ucall(_metadata, &self->g));
	EXPECT_EQ(-1ULL, run->hypercall.args[1]);

	ASSERT_EQ(11, run_to_ucall(_metadata, &self->g));
	for (i = 0; i < 6; i++)
		EXPECT_EQ(11 * (i + 1), run->hypercall.args[i]);
	run->hypercall.ret = 0xfeedf00d;
	ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, &self->g));
	EXPECT_EQ(0xfeedf00d, run->hypercall.args[1]);
}

#define MMIO	(GUEST_MMIO_BASE + 0x1000)

static uint64_t guest_mmio(uint64_t unused)
{
	uint64_t sum = 0;

	mmio_write8(MMIO + 1, 0x11);
	mmio_write16(MMIO + 2, 0x2222);
	mmio_write32(MMIO + 4, 0x33333333);
	mmio_write64(MMIO + 8, 0x4444444444444444ULL);
	sum += mmio_read8(MMIO + 16);
	sum += mmio_read16(MMIO + 18);
	sum += mmio_read32(MMIO + 20);
	sum += mmio_read64(MMIO + 24);
	/* A sign-extending load: 0x80 becomes -128. */
	sum += (uint64_t)mmio_read8s(MMIO + 32);
	return sum;
}

TEST_F(run, mmio_every_size_both_ways)
{
	uint64_t expect;

	ASSERT_EQ(0, guest_create(&self->g, 1, guest_mmio, 0));
	expect_mmio(_metadata, &self->g, MMIO + 1, 1, true, 0x11);
	expect_mmio(_metadata, &self->g, MMIO + 2, 2, true, 0x2222);
	expect_mmio(_metadata, &self->g, MMIO + 4, 4, true, 0x33333333);
	expect_mmio(_metadata, &self->g, MMIO + 8, 8, true,
		    0x4444444444444444ULL);
	expect_mmio(_metadata, &self->g, MMIO + 16, 1, false, 0xa1);
	expect_mmio(_metadata, &self->g, MMIO + 18, 2, false, 0xb2b2);
	expect_mmio(_metadata, &self->g, MMIO + 20, 4, false, 0xc3c3c3c3);
	expect_mmio(_metadata, &self->g, MMIO + 24, 8, false,
		    0x0102030405060708ULL);
	expect_mmio(_metadata, &self->g, MMIO + 32, 1, false, 0x80);
	expect = 0xa1 + 0xb2b2 + 0xc3c3c3c3ULL + 0x0102030405060708ULL - 128;
	ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, &self->g));
	EXPECT_EQ(expect, self->g.run[0]->hypercall.args[1]);
}

#if defined(__aarch64__)
static uint64_t guest_psci(uint64_t unused)
{
	guest_sync(guest_hcall(PSCI_VERSION_FN, 0, 0, 0, 0, 0, 0), 0);
	guest_hcall(PSCI_SYSTEM_OFF, 0, 0, 0, 0, 0, 0);
	return 0xbad;
}

TEST_F(run, psci_version_and_system_off)
{
	struct minihv_run *run;

	ASSERT_EQ(0, guest_create(&self->g, 1, guest_psci, 0));
	run = self->g.run[0];
	ASSERT_EQ(UCALL_SYNC, run_to_ucall(_metadata, &self->g));
	EXPECT_EQ(0x10000, run->hypercall.args[1]);		/* PSCI 1.0 */
	ASSERT_EQ(0, guest_run(&self->g, 0));
	EXPECT_EQ(MINIHV_EXIT_SYSTEM_EVENT, run->exit_reason);
	EXPECT_EQ(MINIHV_SYSTEM_EVENT_SHUTDOWN, run->system_event.type);
}

static uint64_t guest_pmcr(uint64_t unused)
{
	uint64_t v;

	/* PMU registers trap to minihv (MDCR_EL2.TPMCR): UNDEF for us. */
	asm volatile("mrs %0, pmcr_el0" : "=r"(v));
	return v;
}

TEST_F(run, trapped_sysreg_gets_undef_in_guest)
{
	struct minihv_run *run;
	uint64_t esr;

	ASSERT_EQ(0, guest_create(&self->g, 1, guest_pmcr, 0));
	run = self->g.run[0];
	ASSERT_EQ(UCALL_EXCEPTION, run_to_ucall(_metadata, &self->g));
	esr = run->hypercall.args[1];
	EXPECT_EQ(0, esr >> 26);			/* EC: unknown */
	EXPECT_EQ(4, run->hypercall.args[3]);		/* EL1h sync vector */
	/* ELR_EL1: the trapped instruction itself. */
	EXPECT_EQ((uintptr_t)guest_pmcr, run->hypercall.args[2]);
}

static uint64_t guest_id_regs(uint64_t unused)
{
	uint64_t pfr0, dfr0, zfr0, mmfr0, mdscr;

	asm volatile("mrs %0, id_aa64pfr0_el1" : "=r"(pfr0));
	asm volatile("mrs %0, id_aa64dfr0_el1" : "=r"(dfr0));
	asm volatile("mrs %0, s3_0_c0_c4_4" : "=r"(zfr0));	/* ZFR0 */
	asm volatile("mrs %0, id_aa64mmfr0_el1" : "=r"(mmfr0));
	guest_sync(pfr0, dfr0);
	guest_sync(zfr0, mmfr0);
	/* Debug registers: writes ignored, reads zero, no exception. */
	asm volatile("msr oslar_el1, %0" : : "r"(0UL));
	asm volatile("msr mdscr_el1, %0" : : "r"(0x8000UL));
	asm volatile("mrs %0, mdscr_el1" : "=r"(mdscr));
	return mdscr;
}

/* What the guest sees of the CPU: only what minihv gives it. */
TEST_F(run, id_registers_sanitized)
{
	struct minihv_run *run;
	uint64_t pfr0, dfr0;

	ASSERT_EQ(0, guest_create(&self->g, 1, guest_id_regs, 0));
	run = self->g.run[0];
	ASSERT_EQ(UCALL_SYNC, run_to_ucall(_metadata, &self->g));
	pfr0 = run->hypercall.args[1];
	dfr0 = run->hypercall.args[2];
	EXPECT_EQ(1, pfr0 & 0xf);		/* EL0: AArch64 only */
	EXPECT_EQ(1, (pfr0 >> 4) & 0xf);	/* EL1: AArch64 only */
	EXPECT_EQ(0, (pfr0 >> 8) & 0xf);	/* no EL2 */
	EXPECT_EQ(0, (pfr0 >> 12) & 0xf);	/* no EL3 */
	EXPECT_EQ(0, (pfr0 >> 32) & 0xf);	/* no SVE */
	EXPECT_EQ(0, (dfr0 >> 8) & 0xf);	/* no PMU */
	EXPECT_EQ(0, (dfr0 >> 32) & 0xf);	/* no SPE */
	ASSERT_EQ(UCALL_SYNC, run_to_ucall(_metadata, &self->g));
	EXPECT_EQ(0, run->hypercall.args[1]);	/* ZFR0: no SVE */
	/* TGran4: 4 KiB pages supported (0xf would say not). */
	EXPECT_NE(0xf, (run->hypercall.args[2] >> 28) & 0xf);
	ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, &self->g));
	EXPECT_EQ(0, run->hypercall.args[1]);	/* MDSCR_EL1: RAZ */
}

static uint64_t guest_wfx(uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		asm volatile("wfi; wfe" ::: "memory");
	return i;
}

/* WFI and WFE trap and return (until interrupts can wake a vCPU). */
TEST_F(run, wfi_wfe_return)
{
	ASSERT_EQ(0, guest_create(&self->g, 1, guest_wfx, 100));
	ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, &self->g));
	EXPECT_EQ(100, self->g.run[0]->hypercall.args[1]);
}

static uint64_t guest_jump_out(uint64_t target)
{
	((void (*)(void))(uintptr_t)target)();
	return 0;
}

/*
 * Executing outside RAM: the guest takes an instruction abort (a
 * synchronous external abort, as QEMU's own emulation gives it) at the
 * address, on its own vectors; the host is untouched.
 */
TEST_F(run, fetch_outside_ram_is_contained)
{
	struct minihv_run *run;

	ASSERT_EQ(0, guest_create(&self->g, 1, guest_jump_out,
				  GUEST_MMIO_BASE - 0x10000000));
	run = self->g.run[0];
	ASSERT_EQ(UCALL_EXCEPTION, run_to_ucall(_metadata, &self->g));
	EXPECT_EQ(0x21, run->hypercall.args[1] >> 26);	/* IABT, same EL */
	EXPECT_EQ(0x10, run->hypercall.args[1] & 0x3f);	/* external abort */
	EXPECT_EQ(GUEST_MMIO_BASE - 0x10000000, run->hypercall.args[2]);
	EXPECT_EQ(4, run->hypercall.args[3]);	/* current EL, SP_ELx, sync */
}
#endif /* __aarch64__ */

#define EXTRA_GPA	0x20000000ULL	/* a second slot, 512 MiB up */

static uint64_t guest_read_extra(uint64_t unused)
{
	uint64_t v;

	/* Normal memory in the guest's map; RAM while the slot exists. */
	v = LOAD_ONCE(*(uint64_t *)EXTRA_GPA);
	guest_sync(v, 0);
	v = mmio_read64(EXTRA_GPA);
	return v;
}

/*
 * A slot deleted between two guest accesses: the first reads its RAM,
 * the second is no longer RAM (an MMIO exit at that address) and the
 * slot's pages are unpinned.
 */
TEST_F(run, deleted_slot_is_gone_for_the_guest)
{
	struct minihv_info before, during, after;
	struct minihv_run *run;
	uint64_t *extra;

	ASSERT_EQ(0, guest_create(&self->g, 1, guest_read_extra, 0));
	run = self->g.run[0];
	extra = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, extra);
	extra[0] = 0x5107ed;
	ASSERT_EQ(0, minihv_info(&before));
	ASSERT_EQ(0, minihv_set_region(self->g.vm, 1, EXTRA_GPA, 1 << 20,
				       extra));
	ASSERT_EQ(0, minihv_info(&during));
	EXPECT_EQ(before.pinned_pages + 256, during.pinned_pages);

	ASSERT_EQ(UCALL_SYNC, run_to_ucall(_metadata, &self->g));
	EXPECT_EQ(0x5107ed, run->hypercall.args[1]);

	ASSERT_EQ(0, minihv_set_region(self->g.vm, 1, EXTRA_GPA, 0, extra));
	ASSERT_EQ(0, minihv_info(&after));
	EXPECT_EQ(before.pinned_pages, after.pinned_pages);
	ASSERT_EQ(0, guest_run(&self->g, 0));
	ASSERT_EQ(MINIHV_EXIT_MMIO, run->exit_reason);
	EXPECT_EQ(EXTRA_GPA, run->mmio.phys_addr);
	EXPECT_FALSE(run->mmio.is_write);
	munmap(extra, 1 << 20);
}

static uint64_t guest_stop;

static uint64_t guest_spin(uint64_t unused)
{
	uint64_t n = 0;

	while (!LOAD_ONCE(guest_stop))
		n++;
	return n > 0;
}

static void on_alarm(int sig)
{
}

/* A signal interrupts RUN with EINTR; the vCPU then goes on. */
TEST_F(run, signal_interrupts_run)
{
	struct itimerval it = { .it_value = { .tv_usec = 200000 } };
	struct sigaction sa = { .sa_handler = on_alarm };

	ASSERT_EQ(0, guest_create(&self->g, 1, guest_spin, 0));
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	EXPECT_EQ(-EINTR, guest_run(&self->g, 0));
	EXPECT_EQ(MINIHV_EXIT_INTR, self->g.run[0]->exit_reason);

	STORE_ONCE(*(uint64_t *)guest_mem(&self->g, &guest_stop), 1);
	ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, &self->g));
	EXPECT_EQ(1, self->g.run[0]->hypercall.args[1]);
}

struct kicker {
	pthread_t target;
	int done;
};

/* Signal the vCPU thread until it is out of RUN (the first may be early). */
static void *kick_vcpu(void *arg)
{
	struct kicker *k = arg;

	while (!LOAD_ONCE(k->done)) {
		usleep(100000);
		pthread_kill(k->target, SIGUSR1);
	}
	return NULL;
}

/* The same with SIGUSR1 sent by another thread of the VMM. */
TEST_F(run, signal_from_another_thread)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct kicker k = { .target = pthread_self() };
	pthread_t thread;

	ASSERT_EQ(0, guest_create(&self->g, 1, guest_spin, 0));
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, pthread_create(&thread, NULL, kick_vcpu, &k));
	EXPECT_EQ(-EINTR, guest_run(&self->g, 0));
	STORE_ONCE(k.done, 1);
	ASSERT_EQ(0, pthread_join(thread, NULL));
	EXPECT_EQ(MINIHV_EXIT_INTR, self->g.run[0]->exit_reason);

	STORE_ONCE(*(uint64_t *)guest_mem(&self->g, &guest_stop), 1);
	ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, &self->g));
	EXPECT_EQ(1, self->g.run[0]->hypercall.args[1]);
}

#if defined(__aarch64__)
static uint64_t guest_spin_seconds(uint64_t seconds)
{
	uint64_t now, freq, end;

	asm volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	asm volatile("isb; mrs %0, cntvct_el0" : "=r"(now));
	end = now + seconds * freq;
	while (now < end)
		asm volatile("isb; mrs %0, cntvct_el0" : "=r"(now));
	return seconds;
}

/*
 * A guest that spins past the soft-lockup (20 s) and RCU-stall (21 s)
 * thresholds: the host CPU it runs on must keep scheduling and passing
 * through quiescent states.
 */
TEST_F_TIMEOUT(run, long_spin_no_lockup, 120)
{
	static const char * const bad[] = {
		"soft lockup", "self-detected stall", "rcu_preempt detected",
		"rcu_sched detected", "blocked for more than",
	};
	static char log[1 << 17];
	unsigned int i;
	int n;

	ASSERT_EQ(0, guest_create(&self->g, 1, guest_spin_seconds, 25));
	ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, &self->g));
	EXPECT_EQ(25, self->g.run[0]->hypercall.args[1]);
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, sizeof(log) - 1);
	ASSERT_LT(0, n);
	log[n] = '\0';
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		const char *what = bad[i];

		EXPECT_EQ(NULL, strstr(log, what)) TH_LOG("%s", what);
	}
}
#endif /* __aarch64__ */

/* immediate_exit: RUN returns EINTR at once, without entering the guest. */
TEST_F(run, immediate_exit)
{
	struct minihv_run *run;
	struct minihv_regs before, after;

	ASSERT_EQ(0, guest_create(&self->g, 1, guest_triple, 7));
	run = self->g.run[0];
	ASSERT_EQ(0, ioctl(self->g.vcpu[0], MINIHV_GET_REGS, &before));
	run->immediate_exit = 1;
	EXPECT_EQ(-EINTR, guest_run(&self->g, 0));
	EXPECT_EQ(MINIHV_EXIT_INTR, run->exit_reason);
	ASSERT_EQ(0, ioctl(self->g.vcpu[0], MINIHV_GET_REGS, &after));
	/* Not a single instruction. */
	EXPECT_EQ(regs_pc(&before), regs_pc(&after));
	run->immediate_exit = 0;
	ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, &self->g));
	EXPECT_EQ(22, run->hypercall.args[1]);
}

/*
 * Guests created, run and destroyed: no pinned page stays behind. Fewer
 * on x86, whose test machine (Bochs) is the slowest.
 */
#if defined(__aarch64__)
#define CREATE_RUN_DESTROY	200
#else
#define CREATE_RUN_DESTROY	100
#endif

TEST_F_TIMEOUT(run, create_run_destroy_loop, 300)
{
	struct mem_mark mark;
	int i;

	mem_mark(_metadata, &mark);
	for (i = 0; i < CREATE_RUN_DESTROY; i++) {
		ASSERT_EQ(0, guest_create(&self->g, 1, guest_triple, i));
		ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, &self->g));
		ASSERT_EQ(i * 3 + 1, self->g.run[0]->hypercall.args[1]);
		guest_destroy(&self->g);
	}
	expect_mem_flat(_metadata, &mark, 4096);
}

TEST_HARNESS_MAIN
