// SPDX-License-Identifier: GPL-2.0
/*
 * arm64: minihv beside the kernel's own KVM (boots with KVM enabled, the
 * arm64-*-kvm machines; skipped where /dev/kvm is absent). The design is
 * the README's "Sharing EL2 with KVM":
 *  - nVHE: whoever has VMs holds EL2. With no minihv VM, a KVM VM takes
 *    EL2 and gives it back to the stub when it goes; minihv takes it
 *    again at its next VM. While minihv has a VM, KVM_CREATE_VM fails
 *    with EBUSY and minihv's guests keep running; while a KVM VM lives,
 *    MINIHV_CREATE_VM (and insmod) fail with EBUSY and one line.
 *  - VHE: both run guests from the kernel at EL2 at the same time.
 * Every step checks MINIHV_GET_INFO, the tool's "minihv info" and
 * debugfs minihv/el2 against who really holds EL2, and the guests of
 * both hypervisors compute values the test checks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/kvm.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/guest.h"
#include "lib/guest_check.h"
#include "lib/minihv_util.h"

#if defined(__aarch64__)

#define EL2_VIEW	"/sys/kernel/debug/minihv/el2"
#define STUB_CALL	"/sys/kernel/debug/minihv/stub_call"
#define HVC_RESET_VECTORS	2
#define HVC_STUB_ERR		0xbadca11

/* The KVM guest: RAM at 1 GiB, one MMIO write outside it, SYSTEM_OFF. */
#define KVM_RAM_GPA	0x40000000ULL
#define KVM_RAM_SIZE	0x10000ULL
#define KVM_MMIO_GPA	0x10000000ULL
static const uint32_t kvm_guest_code[] = {
	0xd2824680,	/* mov	x0, #0x1234 */
	0xf2b579a0,	/* movk	x0, #0xabcd, lsl #16 */
	0x8b020000,	/* add	x0, x0, x2 */
	0xd2a20001,	/* mov	x1, #0x10000000 */
	0xf9000020,	/* str	x0, [x1] */
	0xd2800100,	/* mov	x0, #0x8 */
	0xf2b08000,	/* movk	x0, #0x8400, lsl #16: PSCI SYSTEM_OFF */
	0xd4000002,	/* hvc	#0 */
	0x14000000,	/* b	. */
};

#define CORE_REG(field)	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 |		\
			 KVM_REG_ARM_CORE |				\
			 (offsetof(struct kvm_regs, field) / sizeof(__u32)))

struct kvm_vm_h {
	int kvm, vm, vcpu;
	struct kvm_run *run;
	size_t run_size;
	void *ram;
	struct kvm_vcpu_init init;
};

static void kvm_vm_close(struct kvm_vm_h *k)
{
	if (k->run)
		munmap(k->run, k->run_size);
	if (k->ram)
		munmap(k->ram, KVM_RAM_SIZE);
	if (k->vcpu >= 0)
		close(k->vcpu);
	if (k->vm >= 0)
		close(k->vm);
	if (k->kvm >= 0)
		close(k->kvm);
	memset(k, 0, sizeof(*k));
	k->kvm = k->vm = k->vcpu = -1;
}

/* 0, or -errno of KVM_CREATE_VM (nothing left open then). */
static int kvm_vm_create(struct kvm_vm_h *k)
{
	memset(k, 0, sizeof(*k));
	k->vm = k->vcpu = -1;
	k->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (k->kvm < 0)
		return -errno;
	k->vm = ioctl(k->kvm, KVM_CREATE_VM, 0);
	if (k->vm < 0) {
		int err = -errno;

		kvm_vm_close(k);
		return err;
	}
	return 0;
}

/* Memory, a vCPU with PSCI 0.2 and its run area: 0 or -errno. */
static int kvm_vm_setup(struct kvm_vm_h *k)
{
	struct kvm_userspace_memory_region mr = {
		.guest_phys_addr = KVM_RAM_GPA,
		.memory_size = KVM_RAM_SIZE,
	};
	struct kvm_vcpu_init *init = &k->init;
	int n;

	k->ram = mmap(NULL, KVM_RAM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (k->ram == MAP_FAILED) {
		k->ram = NULL;
		return -ENOMEM;
	}
	memcpy(k->ram, kvm_guest_code, sizeof(kvm_guest_code));
	mr.userspace_addr = (uintptr_t)k->ram;
	if (ioctl(k->vm, KVM_SET_USER_MEMORY_REGION, &mr))
		return -errno;
	k->vcpu = ioctl(k->vm, KVM_CREATE_VCPU, 0);
	if (k->vcpu < 0)
		return -errno;
	if (ioctl(k->vm, KVM_ARM_PREFERRED_TARGET, init))
		return -errno;
	init->features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	n = ioctl(k->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (n <= 0)
		return -EINVAL;
	k->run_size = n;
	k->run = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED, k->vcpu, 0);
	if (k->run == MAP_FAILED) {
		k->run = NULL;
		return -ENOMEM;
	}
	return 0;
}

static int kvm_set_reg(struct kvm_vm_h *k, uint64_t id, uint64_t v)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&v };

	return ioctl(k->vcpu, KVM_SET_ONE_REG, &reg);
}

/*
 * Run the KVM guest from its start with x2 = @seed: the two exits it
 * makes. VCPU_INIT first: SYSTEM_OFF left the vCPU stopped.
 */
static void kvm_guest_run(struct __test_metadata *_metadata,
			  struct kvm_vm_h *k, uint64_t seed)
{
	uint64_t data = 0;

	ASSERT_EQ(0, ioctl(k->vcpu, KVM_ARM_VCPU_INIT, &k->init))
		TH_LOG("KVM_ARM_VCPU_INIT: %s", strerror(errno));
	ASSERT_EQ(0, kvm_set_reg(k, CORE_REG(regs.pc), KVM_RAM_GPA));
	ASSERT_EQ(0, kvm_set_reg(k, CORE_REG(regs.regs[2]), seed));
	ASSERT_EQ(0, ioctl(k->vcpu, KVM_RUN, 0))
		TH_LOG("KVM_RUN: %s", strerror(errno));
	ASSERT_EQ(KVM_EXIT_MMIO, k->run->exit_reason);
	EXPECT_EQ(KVM_MMIO_GPA, k->run->mmio.phys_addr);
	EXPECT_EQ(8, k->run->mmio.len);
	EXPECT_EQ(1, k->run->mmio.is_write);
	memcpy(&data, k->run->mmio.data, sizeof(data));
	EXPECT_EQ(0xabcd1234ULL + seed, data);
	ASSERT_EQ(0, ioctl(k->vcpu, KVM_RUN, 0));
	ASSERT_EQ(KVM_EXIT_SYSTEM_EVENT, k->run->exit_reason);
	EXPECT_EQ(KVM_SYSTEM_EVENT_SHUTDOWN, k->run->system_event.type);
}

/* A whole KVM VM: made, run with @seed, gone. */
static void kvm_vm_cycle(struct __test_metadata *_metadata, uint64_t seed)
{
	struct kvm_vm_h k;

	ASSERT_EQ(0, kvm_vm_create(&k));
	ASSERT_EQ(0, kvm_vm_setup(&k));
	kvm_guest_run(_metadata, &k, seed);
	kvm_vm_close(&k);
}

/*
 * The KVM guest run once on each CPU. nVHE KVM sets CPTR_EL2.TSM behind
 * each guest exit while the boot value has it clear, so KVM's leftovers,
 * which el2_snapshot sees, must not depend on where this thread ran.
 */
static void kvm_guest_run_everywhere(struct __test_metadata *_metadata,
				     struct kvm_vm_h *k, uint64_t seed)
{
	int cpu;

	for (cpu = 0; cpu < online_cpus(); cpu++) {
		ASSERT_EQ(0, pin_cpu(cpu));
		kvm_guest_run(_metadata, k, seed);
	}
	ASSERT_EQ(0, pin_cpu(-1));
}

static void kvm_vm_cycle_everywhere(struct __test_metadata *_metadata,
				    uint64_t seed)
{
	struct kvm_vm_h k;

	ASSERT_EQ(0, kvm_vm_create(&k));
	ASSERT_EQ(0, kvm_vm_setup(&k));
	kvm_guest_run_everywhere(_metadata, &k, seed);
	kvm_vm_close(&k);
}

/*
 * The minihv guest: each round it answers 100 no-op hypercalls (answered
 * at EL2: they prove EL2 is still minihv's), fills a table the host
 * checks, and reports round and checksum.
 */
static uint64_t guest_table[32];

static uint64_t guest_rounds(uint64_t seed)
{
	uint64_t round, sum;
	int i, bad;

	for (round = 0;; round++) {
		bad = 0;
		for (i = 0; i < 100; i++)
			bad += guest_hcall(MINIHV_HCALL_NOP, 0, 0, 0, 0, 0,
					   0) != 0;
		sum = 0;
		for (i = 0; i < 32; i++) {
			STORE_ONCE(guest_table[i], seed * round + i * i);
			sum += seed * round + i * i;
		}
		guest_sync(round | (uint64_t)bad << 32, sum);
	}
	return 0;
}

static uint64_t rounds_sum(uint64_t seed, uint64_t round)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < 32; i++)
		sum += seed * round + i * i;
	return sum;
}

/* One more round of the minihv guest, checked. */
static void minihv_round(struct __test_metadata *_metadata, struct guest *g,
			 uint64_t seed, uint64_t round)
{
	uint64_t *table = guest_mem(g, guest_table);

	ASSERT_EQ(UCALL_SYNC, run_to_ucall(_metadata, g));
	EXPECT_EQ(round, g->run[0]->hypercall.args[1]);	/* no NOP failed */
	EXPECT_EQ(rounds_sum(seed, round), g->run[0]->hypercall.args[2]);
	EXPECT_EQ(seed * round + 31 * 31, LOAD_ONCE(table[31]));
}

/* A whole minihv VM: made, two rounds run, gone. */
static void minihv_vm_cycle(struct __test_metadata *_metadata, uint64_t seed)
{
	struct guest g;

	ASSERT_EQ(0, guest_create(&g, 1, guest_rounds, seed))
		TH_LOG("guest_create: %s", strerror(errno));
	minihv_round(_metadata, &g, seed, 0);
	minihv_round(_metadata, &g, seed, 1);
	guest_destroy(&g);
}

/* Who holds EL2, by debugfs minihv/el2 (asked live on each CPU). */
struct owners {
	int minihv, pinned, stub, other, kernel;
};

static int el2_owners(struct owners *o)
{
	char line[1024];
	FILE *f = fopen(EL2_VIEW, "r");

	memset(o, 0, sizeof(*o));
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, " owner minihv (pinned)"))
			o->pinned++;
		else if (strstr(line, " owner minihv"))
			o->minihv++;
		else if (strstr(line, " owner stub"))
			o->stub++;
		else if (strstr(line, " owner other"))
			o->other++;
		else if (strstr(line, " owner kernel"))
			o->kernel++;
	}
	fclose(f);
	return 0;
}

/* The field @name of CPU @cpu's line in minihv/el2; 0 with *ok false if absent. */
static uint64_t el2_reg(int cpu, const char *name, bool *ok)
{
	char line[1024], key[48], prefix[32];
	uint64_t v = 0;
	FILE *f = fopen(EL2_VIEW, "r");
	char *p;

	*ok = false;
	if (!f)
		return 0;
	snprintf(prefix, sizeof(prefix), "cpu %d ", cpu);
	snprintf(key, sizeof(key), " %s 0x", name);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, prefix, strlen(prefix)))
			continue;
		p = strstr(line, key);
		if (p && sscanf(p + strlen(key), "%llx",
				(unsigned long long *)&v) == 1)
			*ok = true;
	}
	fclose(f);
	return v;
}

/*
 * What the host's EL2 state must be whoever ran last: the registers each
 * hypervisor must put back before the host runs again.
 */
static const char host_el2_regs[][8] = {
	"hcr", "mdcr", "cptr", "cnthctl", "vbar", "sctlr", "hstr",
};
#define NR_HOST_REGS	ARRAY_SIZE(host_el2_regs)

/*
 * VHE: SCTLR_EL2 is the host's SCTLR_EL1, whose pointer-authentication
 * key enables (EnIA 31, EnIB 30, EnDA 27, EnDB 13) and MTE TCF0 (39:38)
 * the kernel switches with each task: not EL2 state another hypervisor
 * could disturb, and different whenever the CPU last ran another task.
 */
#define SCTLR_PER_TASK	((1ULL << 31) | (1ULL << 30) | (1ULL << 27) | \
			 (1ULL << 13) | (3ULL << 38))

struct el2_state {
	uint64_t r[2][NR_HOST_REGS];
};

static void el2_snapshot(struct __test_metadata *_metadata,
			 struct el2_state *s)
{
	unsigned int cpu, i;
	bool ok;

	for (cpu = 0; cpu < 2; cpu++)
		for (i = 0; i < NR_HOST_REGS; i++) {
			s->r[cpu][i] = el2_reg(cpu, host_el2_regs[i], &ok);
			ASSERT_TRUE(ok) TH_LOG("cpu %u: no %s in " EL2_VIEW,
					       cpu, host_el2_regs[i]);
			if (!strcmp(host_el2_regs[i], "sctlr"))
				s->r[cpu][i] &= ~SCTLR_PER_TASK;
		}
}

static void el2_expect_same(struct __test_metadata *_metadata,
			    const struct el2_state *a,
			    const struct el2_state *b, const char *after)
{
	unsigned int cpu, i;

	for (cpu = 0; cpu < 2; cpu++)
		for (i = 0; i < NR_HOST_REGS; i++) {
			EXPECT_EQ(a->r[cpu][i], b->r[cpu][i])
				TH_LOG("cpu %u: %s changed after %s", cpu,
				       host_el2_regs[i], after);
		}
}

/* minihv info's "cpus:" and "el2 lent:" lines, as a user reads them. */
struct tool_view {
	int rc;
	unsigned int enabled, online, lent;
};

static void tool_info(struct __test_metadata *_metadata, struct tool_view *t)
{
	char cmd[640], line[256], ko[512];
	FILE *p;

	snprintf(ko, sizeof(ko), "%s", minihv_ko_path());
	snprintf(cmd, sizeof(cmd), "%.500s/minihv info 2>/dev/null", dirname(ko));
	memset(t, 0, sizeof(*t));
	p = popen(cmd, "r");
	ASSERT_NE(NULL, p);
	while (fgets(line, sizeof(line), p)) {
		if (sscanf(line, "cpus: %u of %u", &t->enabled, &t->online) == 2)
			continue;
		if (sscanf(line, "el2 lent: %u", &t->lent) == 1)
			continue;
	}
	t->rc = pclose(p);
}

/*
 * Who holds EL2 on how many CPUs, as MINIHV_GET_INFO, minihv info and
 * debugfs each say it. nVHE: @held CPUs minihv's (pinned while @vms),
 * the rest lent (to the stub when @lent_to_stub, else to KVM).
 */
static void expect_el2(struct __test_metadata *_metadata, unsigned int vms,
		       int held, bool lent_to_stub)
{
	int cpus = online_cpus();
	struct minihv_info mi;
	struct tool_view t;
	struct owners o;

	ASSERT_EQ(0, minihv_info(&mi));
	ASSERT_EQ(0, el2_owners(&o));
	tool_info(_metadata, &t);
	EXPECT_EQ(vms, mi.nr_vms);
	EXPECT_EQ(cpus, t.online);
	if (mi.mode == MINIHV_MODE_VHE) {
		EXPECT_EQ(cpus, mi.nr_cpus_enabled);
		EXPECT_EQ(0, mi.arch_caps[5]);
		EXPECT_EQ(cpus, o.kernel);
		EXPECT_EQ(cpus, t.enabled);
		EXPECT_EQ(0, t.lent);
		EXPECT_EQ(0, t.rc);
		return;
	}
	EXPECT_EQ(held, mi.nr_cpus_enabled);
	EXPECT_EQ(cpus - held, mi.arch_caps[5]);
	EXPECT_EQ(vms ? held : 0, o.pinned);
	EXPECT_EQ(vms ? 0 : held, o.minihv);
	EXPECT_EQ(lent_to_stub ? cpus - held : 0, o.stub);
	EXPECT_EQ(lent_to_stub ? 0 : cpus - held, o.other);
	EXPECT_EQ(held, t.enabled);
	EXPECT_EQ(cpus - held, t.lent);
	/* Lent CPUs are not an error: only CPUs nobody can account for. */
	EXPECT_EQ(0, t.rc);
}

static bool kernel_log_count(const char *text, int *count)
{
	static char buf[1 << 17];
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof(buf) - 1);
	char *p;

	*count = 0;
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (p = strstr(buf, text); p; p = strstr(p + 1, text))
		(*count)++;
	return true;
}

static int log_count(const char *text)
{
	int n;

	kernel_log_count(text, &n);
	return n;
}

FIXTURE(el2kvm) {
	bool nvhe;
	int cpus;
};

FIXTURE_SETUP(el2kvm)
{
	struct minihv_info mi;

	REQUIRE_GUESTS_SETUP();
	if (access("/dev/kvm", R_OK | W_OK))
		SKIP(_exit(255), "no /dev/kvm: KVM is off in this boot (kvm-arm.mode=none)");
	if (access(EL2_VIEW, R_OK))
		SKIP(_exit(255), "no " EL2_VIEW " (debugfs not mounted?)");
	if (!minihv_ko_path())
		SKIP(_exit(255), "MINIHV_KO is unset");
	ASSERT_EQ(0, minihv_info(&mi));
	self->nvhe = mi.mode == MINIHV_MODE_NVHE;
	self->cpus = online_cpus();
	ASSERT_EQ(2, self->cpus);	/* el2_snapshot's two CPUs */
	ASSERT_EQ(0, mi.nr_vms);
}

FIXTURE_TEARDOWN(el2kvm)
{
	if (!minihv_loaded())
		minihv_insmod();
}

/*
 * minihv loaded, no VM: a KVM VM runs. nVHE: it takes EL2 from minihv on
 * every CPU and gives it to the stub when it goes; minihv's next VM takes
 * it back. Neither leaves the host's EL2 state changed.
 */
TEST_F_TIMEOUT(el2kvm, kvm_vm_runs_while_minihv_has_none, 120)
{
	struct el2_state s0, s1, s2;
	struct minihv_info before, mi;
	struct kvm_vm_h k;

	/* KVM's first VM in this boot sets up its EL2 state once. */
	kvm_vm_cycle_everywhere(_metadata, 1);
	minihv_vm_cycle(_metadata, 3);
	expect_el2(_metadata, 0, self->cpus, false);
	el2_snapshot(_metadata, &s0);
	ASSERT_EQ(0, minihv_info(&before));

	ASSERT_EQ(0, kvm_vm_create(&k));
	ASSERT_EQ(0, kvm_vm_setup(&k));
	/* nVHE: KVM holds every CPU now; the hand-overs were counted. */
	expect_el2(_metadata, 0, self->nvhe ? 0 : self->cpus, false);
	ASSERT_EQ(0, minihv_info(&mi));
	EXPECT_EQ(before.arch_caps[6] + (self->nvhe ? self->cpus : 0),
		  mi.arch_caps[6]);
	EXPECT_EQ(before.arch_caps[7], mi.arch_caps[7]);
	kvm_guest_run_everywhere(_metadata, &k, 0x77);
	kvm_vm_close(&k);
	/* KVM gave EL2 to the stub: minihv has not taken it yet. */
	expect_el2(_metadata, 0, self->nvhe ? 0 : self->cpus, true);

	minihv_vm_cycle(_metadata, 5);
	expect_el2(_metadata, 0, self->cpus, false);
	el2_snapshot(_metadata, &s1);
	el2_expect_same(_metadata, &s0, &s1, "a KVM VM and a minihv VM");

	kvm_vm_cycle_everywhere(_metadata, 0x99);
	minihv_vm_cycle(_metadata, 7);
	el2_snapshot(_metadata, &s2);
	el2_expect_same(_metadata, &s1, &s2, "another KVM VM and minihv VM");
}

/*
 * A minihv VM alive: nVHE: KVM_CREATE_VM fails with EBUSY (stopped before
 * it calls EL2), a stub call that would hand EL2 over gets HVC_STUB_ERR
 * on every CPU, one line says who tried, and the minihv guest keeps
 * running at EL2. VHE: the KVM VM runs beside it.
 */
TEST_F_TIMEOUT(el2kvm, minihv_vm_keeps_el2, 120)
{
	const char *kvm_line = "minihv: refused KVM's hardware enable";
	const char *el2_line = "EL2 refused 1 hand-over call(s)";
	int kvm_lines = log_count(kvm_line);
	int el2_lines = log_count(el2_line);
	struct minihv_info before, mi;
	struct kvm_vm_h k;
	struct guest g;
	char answers[256] = "";
	int fd, n;

	ASSERT_EQ(0, guest_create(&g, 1, guest_rounds, 11));
	minihv_round(_metadata, &g, 11, 0);
	expect_el2(_metadata, 1, self->cpus, false);
	ASSERT_EQ(0, minihv_info(&before));

	if (!self->nvhe) {
		kvm_vm_cycle(_metadata, 0x42);
		minihv_round(_metadata, &g, 11, 1);
		expect_el2(_metadata, 1, self->cpus, false);
		guest_destroy(&g);
		return;
	}

	EXPECT_EQ(-EBUSY, kvm_vm_create(&k));
	usleep(300 * 1000);	/* the line waits 100 ms (el2/kvm.c) */
	EXPECT_EQ(kvm_lines + 1, log_count(kvm_line));
	ASSERT_EQ(0, minihv_info(&mi));
	EXPECT_EQ(before.arch_caps[7] + self->cpus, mi.arch_caps[7]);
	EXPECT_EQ(before.arch_caps[6], mi.arch_caps[6]);
	minihv_round(_metadata, &g, 11, 1);
	expect_el2(_metadata, 1, self->cpus, false);

	/* Any other kernel user of the stub's hand-over call, directly. */
	fd = open(STUB_CALL, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, write(fd, "2", 1));
	n = pread(fd, answers, sizeof(answers) - 1, 0);
	close(fd);
	ASSERT_LT(0, n);
	answers[n] = '\0';
	EXPECT_NE(NULL, strstr(answers, "cpu 0 id 2 answer 0xbadca11\n"))
		TH_LOG("%s", answers);
	EXPECT_NE(NULL, strstr(answers, "cpu 1 id 2 answer 0xbadca11\n"))
		TH_LOG("%s", answers);
	minihv_round(_metadata, &g, 11, 2);
	expect_el2(_metadata, 1, self->cpus, false);

	/* The last VM gone: EL2's refusals are logged, one line per CPU. */
	guest_destroy(&g);
	EXPECT_EQ(el2_lines + self->cpus, log_count(el2_line));
	expect_el2(_metadata, 0, self->cpus, false);
	/* And KVM works again. */
	kvm_vm_cycle(_metadata, 0x43);
	minihv_vm_cycle(_metadata, 13);
}

/*
 * A KVM VM alive: nVHE: MINIHV_CREATE_VM fails with EBUSY and one line,
 * and so does loading minihv; once KVM lets go both work. VHE: the two
 * VMs run side by side, turn by turn.
 */
TEST_F_TIMEOUT(el2kvm, kvm_vm_keeps_el2, 120)
{
	const char *vm_line = "minihv: cannot create a VM: EL2 of CPU";
	const char *load_line = "minihv: EL2 is not the kernel's hyp stub on 2 CPUs";
	int vm_lines = log_count(vm_line);
	int load_lines = log_count(load_line);
	struct kvm_vm_h k;
	struct guest g;
	int dev;

	ASSERT_EQ(0, kvm_vm_create(&k));
	ASSERT_EQ(0, kvm_vm_setup(&k));
	kvm_guest_run(_metadata, &k, 1);

	if (!self->nvhe) {
		ASSERT_EQ(0, guest_create(&g, 1, guest_rounds, 17));
		minihv_round(_metadata, &g, 17, 0);
		kvm_guest_run(_metadata, &k, 2);
		minihv_round(_metadata, &g, 17, 1);
		kvm_guest_run(_metadata, &k, 3);
		guest_destroy(&g);
		kvm_vm_close(&k);
		expect_el2(_metadata, 0, self->cpus, false);
		return;
	}

	dev = minihv_open();
	ASSERT_LE(0, dev);
	errno = 0;
	EXPECT_EQ(-1, minihv_create_vm(dev));
	EXPECT_EQ(EBUSY, errno);
	close(dev);
	EXPECT_EQ(vm_lines + 1, log_count(vm_line));
	expect_el2(_metadata, 0, 0, false);
	kvm_guest_run(_metadata, &k, 2);

	/* Unloaded, minihv cannot come back while KVM holds EL2. */
	ASSERT_EQ(0, minihv_rmmod());
	EXPECT_EQ(-EBUSY, minihv_insmod());
	EXPECT_FALSE(minihv_loaded());
	EXPECT_EQ(load_lines + 1, log_count(load_line));
	kvm_guest_run(_metadata, &k, 3);

	kvm_vm_close(&k);
	ASSERT_EQ(0, minihv_insmod());
	expect_el2(_metadata, 0, self->cpus, false);
	minihv_vm_cycle(_metadata, 19);
	kvm_vm_cycle(_metadata, 4);
	expect_el2(_metadata, 0, 0, true);
}

/*
 * VHE: the two VMID allocators share one space, so minihv never lets a
 * TLB entry of one hypervisor's guest serve the other's (el2/vhe.c): it
 * leaves a VTTBR_EL2 of its own at each exit, flushes the CPU's guest
 * entries at an entry that finds another one there, and flushes its
 * VM's entries when its vCPU thread leaves the CPU. QEMU flushes its TLB
 * on every VTTBR change, so only the mechanism can be seen here: the
 * VTTBR left behind, and the flushes counted in GET_INFO.
 */
TEST_F_TIMEOUT(el2kvm, vhe_guest_tlbs_kept_apart, 120)
{
	struct minihv_info a, b, c;
	uint64_t idle, vttbr;
	bool ok;

	if (self->nvhe)
		SKIP(return, "VHE only: in nVHE the two never hold EL2 at once");
	ASSERT_EQ(0, pin_cpu(0));
	minihv_vm_cycle(_metadata, 21);
	idle = el2_reg(0, "vttbr", &ok);
	ASSERT_TRUE(ok);

	/* minihv alone: no foreign flush, one local flush per RUN return. */
	ASSERT_EQ(0, minihv_info(&a));
	minihv_vm_cycle(_metadata, 22);
	ASSERT_EQ(0, minihv_info(&b));
	EXPECT_EQ(a.arch_caps[6], b.arch_caps[6]);
	EXPECT_LE(a.arch_caps[7] + 2, b.arch_caps[7]);
	EXPECT_EQ(idle, el2_reg(0, "vttbr", &ok));

	/* KVM's stage 2 was loaded on this CPU: the next entry flushes once. */
	kvm_vm_cycle(_metadata, 23);
	vttbr = el2_reg(0, "vttbr", &ok);
	EXPECT_NE(idle, vttbr) TH_LOG("KVM left VTTBR_EL2 %#llx",
				      (unsigned long long)vttbr);
	minihv_vm_cycle(_metadata, 24);
	ASSERT_EQ(0, minihv_info(&c));
	EXPECT_EQ(b.arch_caps[6] + 1, c.arch_caps[6]);
	EXPECT_LE(b.arch_caps[7] + 2, c.arch_caps[7]);
	EXPECT_EQ(idle, el2_reg(0, "vttbr", &ok));
	expect_el2(_metadata, 0, self->cpus, false);
}

/* 20 turns each in one boot, every step checked. */
TEST_F_TIMEOUT(el2kvm, twenty_alternations, 300)
{
	struct minihv_info before, mi;
	int i;

	/* VHE: one CPU, so that each KVM turn is seen by the next minihv turn. */
	ASSERT_EQ(0, pin_cpu(0));
	/* Where the last test left EL2 (nVHE: maybe the stub's), minihv's. */
	minihv_vm_cycle(_metadata, 1);
	ASSERT_EQ(0, minihv_info(&before));
	for (i = 0; i < 20; i++) {
		minihv_vm_cycle(_metadata, 200 + i);
		expect_el2(_metadata, 0, self->cpus, false);
		/* nVHE: KVM takes EL2 from minihv on every CPU. */
		kvm_vm_cycle(_metadata, 100 + i);
		expect_el2(_metadata, 0, self->nvhe ? 0 : self->cpus, true);
		if (_metadata->passed != 1)
			break;
	}
	EXPECT_EQ(20, i);
	ASSERT_EQ(0, minihv_info(&mi));
	if (self->nvhe) {
		/* Every KVM turn took EL2 from minihv on every CPU. */
		EXPECT_EQ(before.arch_caps[6] + 20 * self->cpus,
			  mi.arch_caps[6]);
		EXPECT_EQ(before.arch_caps[7], mi.arch_caps[7]);
	} else {
		/* Every minihv turn after a KVM turn flushed once. */
		EXPECT_EQ(before.arch_caps[6] + 19, mi.arch_caps[6]);
		EXPECT_LE(before.arch_caps[7] + 2 * 20, mi.arch_caps[7]);
	}
}

#else

TEST(arm64_only)
{
	SKIP(return, "minihv beside the kernel's KVM on arm64: arm64 only");
}

#endif

TEST_HARNESS_MAIN
