// SPDX-License-Identifier: GPL-2.0
/*
 * What a guest did, as userspace sees it: the debugfs statistics
 * (<debugfs>/minihv/<pid>-<vm>/stats and vcpu<N>/stats), the
 * tracepoints in tracefs, and `minihv stat`, each checked against a
 * guest whose exits the test knows exactly.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/guest.h"
#include "lib/guest_check.h"
#include "lib/minihv_util.h"
#if defined(__aarch64__)
#include "lib/gic_arm64.h"
#endif

#define DEBUGFS		"/sys/kernel/debug/minihv"
#define TRACEFS		"/sys/kernel/tracing"
#define NR_NOPS		300	/* more than x86's fast run of 256, vmx/run.c */
#define NR_MMIO		5
#define NR_IPIS		3

#if defined(__aarch64__)
#define EXIT_HCALL	"exit_HVC64"
#define EXIT_HCALL_NR	0x16	/* ESR_ELx_EC_HVC64 */
#define EXIT_MMIO	"exit_DABT_LOW"
#else
#define EXIT_HCALL	"exit_VMCALL"
#define EXIT_HCALL_NR	18	/* EXIT_REASON_VMCALL */
#define EXIT_MMIO	"exit_EPT_VIOLATION"
#endif

/* The VM's debugfs directory: <pid>-<id of MINIHV_GET_VM_INFO>. */
static void vm_dir(int vm, char *buf, size_t n)
{
	struct minihv_vm_info info = { };

	if (ioctl(vm, MINIHV_GET_VM_INFO, &info))
		info.id = ~0U;
	snprintf(buf, n, DEBUGFS "/%d-%u", getpid(), info.id);
}

static unsigned int vm_id(int vm)
{
	struct minihv_vm_info info = { };

	return ioctl(vm, MINIHV_GET_VM_INFO, &info) ? ~0U : info.id;
}

/* One value of a stats file; -1 if the file or the name is missing. */
static long long stat_of(int vm, const char *file, const char *name)
{
	char path[256], line[128], key[64];
	unsigned long long v;
	long long found = -1;
	FILE *f;

	vm_dir(vm, path, sizeof(path));
	strncat(path, file, sizeof(path) - strlen(path) - 1);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %llu", key, &v) == 2 && !strcmp(key, name))
			found = v;
	fclose(f);
	return found;
}

static long long vcpu_stat(int vm, const char *name)
{
	return stat_of(vm, "/vcpu0/stats", name);
}

static int reset_stats(int vm, const char *file)
{
	char path[256];

	vm_dir(vm, path, sizeof(path));
	strncat(path, file, sizeof(path) - strlen(path) - 1);
	return write_file(path, "0");
}

/*
 * A hypercall number minihv does not know: answered -1 in the kernel on
 * both architectures, through the code that traces it. (arm64's EL2
 * answers MINIHV_HCALL_NOP itself: counted, but never traced.)
 */
#define HCALL_UNKNOWN	0xc60001ffULL

/* Which hypercall the known guest makes; set before guest_create. */
static uint64_t known_hcall = MINIHV_HCALL_NOP;

/*
 * After a first sync (the host resets the counters there): NR_NOPS
 * hypercalls the hypervisor answers itself, then NR_MMIO writes that exit
 * to userspace, then UCALL_DONE.
 */
static uint64_t guest_known_exits(uint64_t arg)
{
	int i;

	guest_sync(1, 0);
	for (i = 0; i < NR_NOPS; i++)
		guest_hcall(known_hcall, arg + i, 0, 0, 0, 0, 0);
	for (i = 0; i < NR_MMIO; i++)
		mmio_write32(GUEST_MMIO_BASE + 4 * i, 0xa0 + i);
	return 0;
}

FIXTURE(stats) {
	struct guest g;
};

FIXTURE_SETUP(stats)
{
	struct stat st;

	memset(&self->g, 0xff, sizeof(self->g));
	self->g.image = NULL;
	REQUIRE_GUESTS_SETUP();
	if (stat(DEBUGFS, &st))
		SKIP(_exit(255), "no %s (debugfs not mounted?)", DEBUGFS);
}

FIXTURE_TEARDOWN(stats)
{
	guest_destroy(&self->g);
}

/* Run the known guest past its sync, reset, then to its end. */
static void run_known(struct __test_metadata *_metadata, struct guest *g,
		      uint64_t arg)
{
	int i;

	ASSERT_EQ(0, guest_create(g, 1, guest_known_exits, arg));
	ASSERT_EQ(UCALL_SYNC, run_to_ucall(_metadata, g));
	ASSERT_EQ(0, reset_stats(g->vm, "/vcpu0/stats"));
	ASSERT_EQ(0, vcpu_stat(g->vm, "hypercalls"));
	for (i = 0; i < NR_MMIO; i++)
		expect_mmio(_metadata, g, GUEST_MMIO_BASE + 4 * i, 4, true,
			    0xa0 + i);
	ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, g));
}

TEST_F(stats, a_directory_per_vm_and_vcpu_gone_with_the_vm)
{
	char dir[256], path[300];
	struct stat st;

	ASSERT_EQ(0, guest_create(&self->g, 2, guest_known_exits, 0));
	vm_dir(self->g.vm, dir, sizeof(dir));
	EXPECT_EQ(0, stat(dir, &st)) TH_LOG("%s: %s", dir, strerror(errno));
	snprintf(path, sizeof(path), "%s/stats", dir);
	EXPECT_EQ(0, stat(path, &st));
	snprintf(path, sizeof(path), "%s/vcpu1/stats", dir);
	EXPECT_EQ(0, stat(path, &st));
	/* Nothing ran yet: every counter is 0. */
	EXPECT_EQ(0, stat_of(self->g.vm, "/stats", "entries"));
	guest_destroy(&self->g);
	EXPECT_EQ(-1, stat(dir, &st));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F(stats, exits_counted_by_reason_and_kind)
{
	run_known(_metadata, &self->g, 0);
	/* The NOPs and the final ucall; nothing else made a hypercall. */
	EXPECT_EQ(NR_NOPS + 1, vcpu_stat(self->g.vm, "hypercalls"));
	EXPECT_EQ(NR_NOPS + 1, vcpu_stat(self->g.vm, EXIT_HCALL));
	EXPECT_EQ(NR_MMIO, vcpu_stat(self->g.vm, "mmio_user"));
	EXPECT_EQ(NR_MMIO, vcpu_stat(self->g.vm, EXIT_MMIO));
	EXPECT_EQ(NR_MMIO + 1, vcpu_stat(self->g.vm, "user_exits"));
	EXPECT_EQ(0, vcpu_stat(self->g.vm, "pio_user"));
	/* At least one entry per exit to userspace (EL2 answers NOPs). */
	EXPECT_LE(NR_MMIO + 1, vcpu_stat(self->g.vm, "entries"));
	EXPECT_LT(0, vcpu_stat(self->g.vm, "guest_ns"));
	EXPECT_LE(vcpu_stat(self->g.vm, "guest_ns"),
		  vcpu_stat(self->g.vm, "run_ns"));
	/* One vCPU: the VM's sum is that vCPU's. */
	EXPECT_EQ(vcpu_stat(self->g.vm, "hypercalls"),
		  stat_of(self->g.vm, "/stats", "hypercalls"));
	EXPECT_EQ(vcpu_stat(self->g.vm, "entries"),
		  stat_of(self->g.vm, "/stats", "entries"));
}

TEST_F(stats, a_write_resets_the_vm)
{
	run_known(_metadata, &self->g, 0);
	ASSERT_LT(0, stat_of(self->g.vm, "/stats", "hypercalls"));
	ASSERT_EQ(0, reset_stats(self->g.vm, "/stats"));
	EXPECT_EQ(0, stat_of(self->g.vm, "/stats", "hypercalls"));
	EXPECT_EQ(0, vcpu_stat(self->g.vm, "entries"));
	EXPECT_EQ(0, vcpu_stat(self->g.vm, "run_ns"));
	EXPECT_EQ(-1, vcpu_stat(self->g.vm, EXIT_HCALL));	/* not listed */
}

/* Asleep in WFI / HLT with nothing to wake it, until a signal. */
static uint64_t guest_sleep(uint64_t unused)
{
#if defined(__aarch64__)
	irqs_off();
	wait_for_interrupt();
	return 0x5a;
#else
	return guest_hlt_once();
#endif
}

static void on_alarm(int sig)
{
}

TEST_F_TIMEOUT(stats, a_sleep_is_counted_and_timed, 60)
{
	struct itimerval it = { .it_value = { .tv_usec = 300000 } };
	struct sigaction sa = { .sa_handler = on_alarm };
	long long ns;

#if defined(__aarch64__)
	ASSERT_EQ(0, guest_create_gic(&self->g, 1, guest_sleep, 0, 0));
#else
	ASSERT_EQ(0, guest_create_apic(&self->g, 1, guest_sleep, 0));
#endif
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	EXPECT_EQ(-EINTR, guest_run(&self->g, 0));
	EXPECT_EQ(1, vcpu_stat(self->g.vm, "halt_sleeps"));
	/* A signal, not an interrupt, ended it. */
	EXPECT_EQ(0, vcpu_stat(self->g.vm, "halt_wakeups"));
	ns = vcpu_stat(self->g.vm, "halt_ns");
	EXPECT_LT(250000000LL, ns);
	EXPECT_GT(10000000000LL, ns);
	/* Asleep is neither guest time nor hypervisor time. */
	EXPECT_GT(vcpu_stat(self->g.vm, "run_ns") - ns + 1,
		  vcpu_stat(self->g.vm, "guest_ns"));
	EXPECT_GT(ns, vcpu_stat(self->g.vm, "hyp_ns"));
}

/* Self-IPIs (interrupts masked, so they stay pending), then done. */
static uint64_t guest_self_ipis(uint64_t unused)
{
	int i;

#if defined(__x86_64__)
	/* Software-enabled (SVR bit 8): a disabled APIC drops fixed IPIs. */
	mmio_write32(GUEST_LAPIC_BASE + 0xf0, 0x1ff);
#endif
	for (i = 0; i < NR_IPIS; i++) {
#if defined(__aarch64__)
		irqs_off();
		gic_send_sgi(1 + i, 0);
#else
		/*
		 * To APIC id 0 (this vCPU) by destination, not the "self"
		 * shorthand: with virtual-interrupt delivery the CPU
		 * delivers a shorthand self-IPI itself (the SDM's
		 * APIC-write emulation), unseen by minihv.
		 */
		mmio_write32(GUEST_LAPIC_BASE + 0x310, 0);
		mmio_write32(GUEST_LAPIC_BASE + 0x300, 0x40 + i);
#endif
	}
	return 0;
}

TEST_F(stats, raised_interrupts_are_counted)
{
#if defined(__aarch64__)
	ASSERT_EQ(0, guest_create_gic(&self->g, 1, guest_self_ipis, 0, 0));
#else
	ASSERT_EQ(0, guest_create_apic(&self->g, 1, guest_self_ipis, 0));
#endif
	ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, &self->g));
	EXPECT_EQ(NR_IPIS, vcpu_stat(self->g.vm, "irqs"));
}

#if defined(__aarch64__)
#define NR_FAST_SGIS	20
static uint32_t sgi_spinning;

/*
 * vCPU 0 sends vCPU 1, spinning with interrupts on, one SGI at a time;
 * each is answered at EL2 unless vCPU 1 happens to be out of the guest.
 */
static uint64_t guest_sgis_to_a_spinner(uint64_t unused)
{
	uint32_t i;

	gic_init_cpu();
	if (guest_vcpu_id() == 1) {
		irqs_on();
		STORE_ONCE(sgi_spinning, 1);
		gic_wait_irqs(NR_FAST_SGIS, 10000);
		irqs_off();
		return gic_nr_irqs(1);
	}
	while (!LOAD_ONCE(sgi_spinning))
		;
	/* Each one taken before the next: a lost one ends the run. */
	for (i = 0; i < NR_FAST_SGIS; i++) {
		uint64_t end = gic_counter() + gic_counter_freq();

		gic_send_sgi(1, 1);
		while (gic_nr_irqs(1) <= i)
			if (gic_counter() > end)
				return i;
	}
	return i;
}
#endif

TEST_F_TIMEOUT(stats, sgis_to_a_running_vcpu_skip_the_host, 60)
{
#if defined(__aarch64__)
	long long fast, sys;
	uint64_t v[2];

	guest_irq_handler = gic_record_irq;
	ASSERT_EQ(0, guest_create_gic(&self->g, 2, guest_sgis_to_a_spinner, 0, 0));
	run_vcpus_to_done(_metadata, &self->g, 2, v);
	EXPECT_EQ(NR_FAST_SGIS, v[0]);
	EXPECT_EQ(NR_FAST_SGIS, v[1]);
	EXPECT_EQ(NR_FAST_SGIS, stat_of(self->g.vm, "/vcpu1/stats", "irqs"));
	/* Every one an exit of vCPU 0's, most of them never seen by the host. */
	fast = vcpu_stat(self->g.vm, "fast_ipis");
	sys = vcpu_stat(self->g.vm, "exit_SYS64");
	TH_LOG("%lld of %lld SGI writes sent at EL2", fast, sys);
	EXPECT_LE(NR_FAST_SGIS / 2, fast);
	EXPECT_GE(sys, fast);
	EXPECT_LE(NR_FAST_SGIS, sys);
#else
	SKIP(return, "arm64's EL2 answers SGIs; an x86 IPI is an APIC-write exit");
#endif
}

/* tracefs, mounted here if the machine has not. */
static int tracefs_ready(void)
{
	struct stat st;

	if (!stat(TRACEFS "/events", &st))
		return 0;
	mkdir(TRACEFS, 0755);
	return mount("tracefs", TRACEFS, "tracefs", 0, NULL);
}

static int trace_set(const char *event, const char *on)
{
	char path[160];

	snprintf(path, sizeof(path), TRACEFS "/events/minihv/%s/enable", event);
	return write_file(path, on);
}

/* Lines of the trace buffer holding every one of the given strings. */
static int trace_count(const char *a, const char *b, const char *c)
{
	char line[512];
	int n = 0;
	FILE *f = fopen(TRACEFS "/trace", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, a) && (!b || strstr(line, b)) &&
		    (!c || strstr(line, c)))
			n++;
	fclose(f);
	return n;
}

TEST_F(stats, tracepoints_carry_the_exit_and_its_fields)
{
	char vm[32], arg[32], reason[64], mmio[64];

	if (tracefs_ready())
		SKIP(return, "no tracefs: %s", strerror(errno));
	ASSERT_EQ(0, write_file(TRACEFS "/trace", ""));		/* clear */
	ASSERT_EQ(0, trace_set("minihv_hypercall", "1"));
	ASSERT_EQ(0, trace_set("minihv_exit", "1"));
	ASSERT_EQ(0, trace_set("minihv_mmio", "1"));
	known_hcall = HCALL_UNKNOWN;
	run_known(_metadata, &self->g, 0x7e5700);
	trace_set("minihv_hypercall", "0");
	trace_set("minihv_exit", "0");
	trace_set("minihv_mmio", "0");

	snprintf(vm, sizeof(vm), "vm %u vcpu 0 ", vm_id(self->g.vm));
	/* Each NOP once, with its argument; the ucall too. */
	snprintf(arg, sizeof(arg), "arg 0x7e5700");
	EXPECT_EQ(1, trace_count(vm, "nr 0xc60001ff ", arg));
	snprintf(arg, sizeof(arg), "arg 0x%x", 0x7e5700 + NR_NOPS - 1);
	EXPECT_EQ(1, trace_count(vm, "nr 0xc60001ff ", arg));
	EXPECT_EQ(NR_NOPS, trace_count("minihv_hypercall:", vm,
				       "nr 0xc60001ff "));
	snprintf(reason, sizeof(reason), "reason %u (%s)", EXIT_HCALL_NR,
		 EXIT_HCALL + 5);
	/* The hypercalls and both ucalls (the sync, then the end). */
	EXPECT_EQ(NR_NOPS + 2, trace_count("minihv_exit:", vm, reason));
	/* The userspace MMIO writes with their address and data. */
	snprintf(mmio, sizeof(mmio), "write 0x%llx len 4 val 0xa2 user",
		 GUEST_MMIO_BASE + 8);
	EXPECT_EQ(1, trace_count("minihv_mmio:", vm, mmio));
	EXPECT_EQ(NR_MMIO, trace_count("minihv_mmio:", vm, " user"));
}

/* `minihv stat --once --csv` reports the known guest's counters. */
TEST_F(stats, minihv_stat_reports_the_vm)
{
	char ko[512], tool[600], line[256], want[64], *p;
	int pipefd[2], len = 0, n, status, found = 0;
	static char out[65536];
	pid_t pid;

	if (!minihv_ko_path())
		SKIP(return, "MINIHV_KO is unset: no payload to find the tool");
	snprintf(ko, sizeof(ko), "%s", minihv_ko_path());
	snprintf(tool, sizeof(tool), "%.500s/minihv", dirname(ko));
	run_known(_metadata, &self->g, 0);

	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		dup2(pipefd[1], 1);
		execl(tool, tool, "stat", "--once", "--csv", "--interval",
		      "0.1", (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += n;
	out[len] = 0;
	close(pipefd[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, strncmp(out, "time,vm,event,total,per_second\n", 31))
		TH_LOG("%.200s", out);
	/* <time>,<pid>-<id>,hypercalls,101,0.0: nothing ran meanwhile. */
	snprintf(want, sizeof(want), ",%d-%u,hypercalls,%d,0.0", getpid(),
		 vm_id(self->g.vm), NR_NOPS + 1);
	for (p = strtok(out, "\n"); p; p = strtok(NULL, "\n")) {
		snprintf(line, sizeof(line), "%s", p);
		if (strstr(line, want))
			found++;
	}
	EXPECT_EQ(1, found) TH_LOG("no line with %s", want);
}

#if defined(__aarch64__)
#define NR_FAST_READS	1000
#define NR_SLOW_READS	50

/*
 * Distributor reads EL2 answers (GICD_CTLR) and one it leaves to the
 * host (GICD_ISENABLER1), after a first sync.
 */
static uint64_t guest_dist_reads(uint64_t unused)
{
	uint64_t sum = 0;
	int i;

	guest_sync(1, 0);
	for (i = 0; i < NR_FAST_READS; i++)
		sum += mmio_read32(gicd_reg(GICD_CTLR));
	for (i = 0; i < NR_SLOW_READS; i++)
		sum += mmio_read32(gicd_reg(GICD_ISENABLER + 4));
	return sum;
}

/*
 * Both kinds count as exits and in-kernel MMIO, but only the host's
 * reads cost an entry: EL2 answered the others inside the guest's world.
 */
TEST_F(stats, arm64_distributor_reads_answered_at_el2)
{
	long long entries;

	ASSERT_EQ(0, guest_create_gic(&self->g, 1, guest_dist_reads, 0, 0));
	ASSERT_EQ(UCALL_SYNC, run_to_ucall(_metadata, &self->g));
	ASSERT_EQ(0, reset_stats(self->g.vm, "/vcpu0/stats"));
	ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, &self->g));
	/* GICD_CTLR after reset: ARE and DS, groups off. */
	EXPECT_EQ(NR_FAST_READS * 0x50ULL, self->g.run[0]->hypercall.args[1]);
	EXPECT_EQ(NR_FAST_READS + NR_SLOW_READS,
		  vcpu_stat(self->g.vm, EXIT_MMIO));
	EXPECT_EQ(NR_FAST_READS + NR_SLOW_READS,
		  vcpu_stat(self->g.vm, "mmio_kernel"));
	entries = vcpu_stat(self->g.vm, "entries");
	TH_LOG("entries: %lld", entries);
	EXPECT_LE(NR_SLOW_READS, entries);
	EXPECT_GT(NR_SLOW_READS + 100, entries);
}
#endif

#if defined(__x86_64__)
/* Exits to the host @n times, then ends. */
static uint64_t guest_syncs(uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		guest_sync(i, 0);
	return 0;
}

#define TURNS	10

/*
 * Two VMs taking turns on CPU 0, each twice in a row (the second turn
 * follows the VM itself); their vm_barriers counts in *a and *b.
 */
static void take_turns(struct __test_metadata *_metadata, struct guest *g,
		       long long *a, long long *b)
{
	struct guest other;
	int i;

	*a = *b = -1;
	ASSERT_EQ(0, pin_cpu(0));
	ASSERT_EQ(0, guest_create(g, 1, guest_syncs, 2 * TURNS));
	ASSERT_EQ(0, guest_create(&other, 1, guest_syncs, 2 * TURNS));
	/* From here: whatever creating them loaded on this CPU is not counted. */
	ASSERT_EQ(0, reset_stats(g->vm, "/vcpu0/stats"));
	ASSERT_EQ(0, reset_stats(other.vm, "/vcpu0/stats"));
	for (i = 0; i < TURNS; i++) {
		EXPECT_EQ(UCALL_SYNC, run_to_ucall(_metadata, g));
		EXPECT_EQ(UCALL_SYNC, run_to_ucall(_metadata, g));
		EXPECT_EQ(UCALL_SYNC, run_to_ucall(_metadata, &other));
		EXPECT_EQ(UCALL_SYNC, run_to_ucall(_metadata, &other));
	}
	*a = vcpu_stat(g->vm, "vm_barriers");
	*b = vcpu_stat(other.vm, "vm_barriers");
	guest_destroy(&other);
	guest_destroy(g);
	pin_cpu(-1);
	TH_LOG("barriers: %lld and %lld", *a, *b);
}

/*
 * Every turn of one VM after the other's comes after an IBPB (vmx/vmcs.c)
 * where the kernel uses IBPB itself ("IBPB: conditional" or "always-on"
 * in its Spectre-v2 verdict), and none otherwise; a VM's own vCPU coming
 * back needs none. Reloaded with test_ibpb=1, minihv counts as if the
 * kernel used IBPB, so the counting runs where the CPU has none.
 */
TEST_F(stats, x86_ibpb_between_vms_on_one_cpu)
{
	char verdict[256];
	long long a, b;
	bool ibpb;

	ASSERT_EQ(0, read_line("/sys/devices/system/cpu/vulnerabilities/spectre_v2",
			       verdict, sizeof(verdict)));
	ibpb = strstr(verdict, "IBPB: conditional") ||
	       strstr(verdict, "IBPB: always-on");
	TH_LOG("spectre_v2: %s", verdict);

	take_turns(_metadata, &self->g, &a, &b);
	/* Every turn of each VM follows the other (the first: its creation). */
	EXPECT_EQ(ibpb ? TURNS : 0, a);
	EXPECT_EQ(ibpb ? TURNS : 0, b);

	if (!minihv_ko_path())
		SKIP(return, "MINIHV_KO is unset: cannot reload with test_ibpb=1");
	ASSERT_EQ(0, minihv_reload_params("test_ibpb=1"));
	take_turns(_metadata, &self->g, &a, &b);
	EXPECT_EQ(TURNS, a);
	EXPECT_EQ(TURNS, b);
	ASSERT_EQ(0, minihv_reload_params(""));
}
#endif

TEST_HARNESS_MAIN
