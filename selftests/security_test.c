// SPDX-License-Identifier: GPL-2.0
/*
 * The security basics, each checked: the device node's mode, what an
 * unprivileged user with access may pin, answers copied to userspace
 * fully initialised (padding included), and no kernel address in any
 * answer, debugfs file or kernel-log line of minihv's.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/guest.h"
#include "lib/fp_regs.h"
#include "lib/guest_check.h"
#include "lib/minihv_util.h"

#define DEV		"/dev/minihv"
#define DEBUGFS		"/sys/kernel/debug/minihv"
#define NOBODY		65534
#define KIB		1024UL

/* /dev/minihv is root's alone, as /dev/kvm is before udev widens it. */
TEST(device_node_is_root_only)
{
	struct stat st;

	REQUIRE_MINIHV();
	ASSERT_EQ(0, stat(DEV, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0, st.st_gid);
}

/*
 * A user given the device through its group (as a udev rule would)
 * pins no more than RLIMIT_MEMLOCK: 32 KiB, then 64 KiB more is
 * -ENOMEM, then the 32 KiB that fits. Exit code: the first step that
 * went wrong, 0 for none.
 */
static int unprivileged_pins(void)
{
	struct rlimit lim = { 64 * KIB, 64 * KIB };
	char *mem;
	int dev, vm;

	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
		return 10;
	if (setrlimit(RLIMIT_MEMLOCK, &lim))
		return 11;
	mem = mmap(NULL, 256 * KIB, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return 12;
	memset(mem, 1, 256 * KIB);
	dev = open(DEV, O_RDWR);
	if (dev < 0)
		return 13;
	vm = minihv_create_vm(dev);
	if (vm < 0)
		return 14;
	if (minihv_set_region(vm, 0, 0, 32 * KIB, mem))
		return 15;
	if (minihv_set_region(vm, 1, 1UL << 20, 64 * KIB, mem + 64 * KIB) !=
	    -1 || errno != ENOMEM)
		return 16;
	if (minihv_set_region(vm, 1, 1UL << 20, 32 * KIB, mem + 64 * KIB))
		return 17;
	if (minihv_set_region(vm, 2, 2UL << 20, 4 * KIB, mem + 128 * KIB) !=
	    -1 || errno != ENOMEM)
		return 18;
	return 0;
}

TEST(unprivileged_user_pins_within_memlock)
{
	struct minihv_info before, after;
	int status;
	pid_t pid;

	REQUIRE_MINIHV();
	ASSERT_EQ(0, minihv_info(&before));
	ASSERT_EQ(0, chown(DEV, 0, NOBODY));
	ASSERT_EQ(0, chmod(DEV, 0660));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(unprivileged_pins());
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, chmod(DEV, 0600));
	EXPECT_EQ(0, chown(DEV, 0, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, minihv_info(&after));
	EXPECT_EQ(before.pinned_pages, after.pinned_pages);
	EXPECT_EQ(before.nr_vms, after.nr_vms);
}

/*
 * Call a GET ioctl into a buffer filled with 0x00 and then 0xff: every
 * byte the kernel leaves alone differs between the two answers.
 */
static int same_either_fill(int fd, unsigned long req, size_t size,
			    void *answer)
{
	char a[4096], b[4096];

	if (size > sizeof(a))
		return -E2BIG;
	memset(a, 0, size);
	memset(b, 0xff, size);
	if (ioctl(fd, req, a) < 0 || ioctl(fd, req, b) < 0)
		return -errno;
	memcpy(answer, b, size);
	return memcmp(a, b, size) ? -EFAULT : 0;
}

/* A word that looks like a kernel address (arm64's and x86's halves). */
static bool kernel_word(uint64_t w)
{
	return w >= 0xffff000000000000ULL && w != ~0ULL;
}

static void expect_no_kernel_words(struct __test_metadata *_metadata,
				   const void *p, size_t size, const char *what)
{
	const uint64_t *w = p;
	size_t i;

	for (i = 0; i < size / 8; i++) {
		EXPECT_FALSE(kernel_word(w[i]))
			TH_LOG("%s word %zu: %#llx", what, i,
			       (unsigned long long)w[i]);
	}
}

FIXTURE(answers) {
	struct guest g;
};

static uint64_t guest_nothing(uint64_t arg)
{
	return arg;
}

FIXTURE_SETUP(answers)
{
	REQUIRE_GUESTS_SETUP();
	ASSERT_EQ(0, guest_create(&self->g, 1, guest_nothing, 0));
}

FIXTURE_TEARDOWN(answers)
{
	guest_destroy(&self->g);
}

/* The answers that do not change between two calls: byte for byte. */
TEST_F(answers, fully_initialised_and_free_of_kernel_addresses)
{
	union {
		struct minihv_info info;
		struct minihv_vm_info vm;
		struct minihv_regs regs;
#if defined(__x86_64__)
		struct minihv_sregs sregs;
#endif
	} u;

	EXPECT_EQ(0, same_either_fill(self->g.dev, MINIHV_GET_INFO,
				      sizeof(u.info), &u));
	expect_no_kernel_words(_metadata, &u, sizeof(u.info), "GET_INFO");
	EXPECT_EQ(0, same_either_fill(self->g.vm, MINIHV_GET_VM_INFO,
				      sizeof(u.vm), &u));
	expect_no_kernel_words(_metadata, &u, sizeof(u.vm), "GET_VM_INFO");
	EXPECT_EQ(0, same_either_fill(self->g.vcpu[0], MINIHV_GET_REGS,
				      sizeof(u.regs), &u));
	expect_no_kernel_words(_metadata, &u, sizeof(u.regs), "GET_REGS");
#if defined(__x86_64__)
	EXPECT_EQ(0, same_either_fill(self->g.vcpu[0], MINIHV_GET_SREGS,
				      sizeof(u.sregs), &u));
	expect_no_kernel_words(_metadata, &u, sizeof(u.sregs), "GET_SREGS");
#endif
}

/* The answers that move with time: their padding and reserved words. */
TEST_F(answers, clock_answers_pad_and_reserved_zero)
{
	struct minihv_clock c;
	struct minihv_wallclock w;
	struct minihv_runstate r;
	int i;

	memset(&c, 0xff, sizeof(c));
	ASSERT_EQ(0, ioctl(self->g.vm, MINIHV_GET_CLOCK, &c));
	EXPECT_EQ(0, c.pad);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, c.reserved[i]);
	memset(&w, 0xff, sizeof(w));
	ASSERT_EQ(0, ioctl(self->g.vm, MINIHV_GET_WALLCLOCK, &w));
	EXPECT_EQ(0, w.flags);
	EXPECT_EQ(0, w.reserved[0]);
	EXPECT_EQ(0, w.reserved[1]);
	memset(&r, 0xff, sizeof(r));
	ASSERT_EQ(0, ioctl(self->g.vcpu[0], MINIHV_GET_RUNSTATE, &r));
	EXPECT_EQ(0, r.pad);
	EXPECT_EQ(0, r.reserved[0]);
	EXPECT_EQ(0, r.reserved[1]);
}

/* "ffff" and 12 more hex digits, not all f: a kernel address in text. */
static const char *kernel_text(const char *s)
{
	const char *p;
	int n;

	for (p = s; (p = strstr(p, "ffff")); p++) {
		if (p > s && isxdigit((unsigned char)p[-1]))
			continue;
		for (n = 0; isxdigit((unsigned char)p[n]); n++)
			;
		if (n == 16 && strncmp(p, "ffffffffffffffff", 16))
			return p;
	}
	return NULL;
}

static int debugfs_bad;
static char debugfs_first[256];

static int scan_file(const char *path, const struct stat *st, int type,
		     struct FTW *ftw)
{
	char line[4096];
	const char *hit;
	FILE *f;

	if (type != FTW_F || !(st->st_mode & 0444))
		return 0;
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		hit = kernel_text(line);
		if (hit && !debugfs_bad++)
			snprintf(debugfs_first, sizeof(debugfs_first),
				 "%s: %.40s", path, hit);
	}
	fclose(f);
	return 0;
}

/* With a VM alive and run: its stats files, the EL2 view, all of it. */
TEST_F(answers, no_kernel_address_in_debugfs)
{
	struct stat st;

	if (stat(DEBUGFS, &st))
		SKIP(return, "no debugfs at " DEBUGFS);
	ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, &self->g));
	debugfs_bad = 0;
	ASSERT_EQ(0, nftw(DEBUGFS, scan_file, 16, FTW_PHYS));
	EXPECT_EQ(0, debugfs_bad) TH_LOG("%s", debugfs_first);
}

/* Every kernel-log line of minihv's since boot. */
TEST(no_kernel_address_in_the_log)
{
	int size = klogctl(10, NULL, 0), n, bad = 0;	/* SIZE_BUFFER */
	char *buf, *line, *save = NULL;
	const char *hit;

	ASSERT_LT(0, size);
	buf = calloc(1, size + 1);
	ASSERT_NE(NULL, buf);
	n = klogctl(3, buf, size);			/* READ_ALL */
	ASSERT_LE(0, n);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strstr(line, "minihv"))
			continue;
		hit = kernel_text(line);
		EXPECT_EQ(NULL, hit) TH_LOG("%s", line);
		bad += !!hit;
	}
	EXPECT_EQ(0, bad);
	free(buf);
}

#if defined(__aarch64__)
/* How many kernel-log lines hold @what. */
static int log_lines(const char *what)
{
	int size = klogctl(10, NULL, 0), n, count = 0;	/* SIZE_BUFFER */
	char *buf, *line, *save = NULL;

	if (size <= 0)
		return -1;
	buf = calloc(1, size + 1);
	if (!buf)
		return -1;
	n = klogctl(3, buf, size);			/* READ_ALL */
	if (n < 0)
		n = 0;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		count += !!strstr(line, what);
	free(buf);
	return count;
}

/*
 * minihv's guest vectors mitigate Spectre-BHB with CLRBHB and nothing
 * else (el2/spectre.c): loaded means the kernel finds this CPU unaffected
 * by Spectre-v2 (CSV2), and BHB unaffected, mitigated by the CPU or by
 * CLRBHB, or left unmitigated by the kernel too; or the user said
 * allow_vulnerable=1. An affected CPU (test_spectre_v2=1 plays one) is
 * refused with one line, unless allowed.
 */
TEST(arm64_spectre_affected_cpus_are_refused)
{
	const char *refusal = "minihv: this CPU is affected by Spectre-v2";
	const char *allowed = "minihv: CPU affected by Spectre-v2";
	char verdict[128] = "", allow = 'N';
	int before, ret;
	bool ok;
	FILE *f;

	REQUIRE_MINIHV();
	ASSERT_EQ(0, read_line("/sys/devices/system/cpu/vulnerabilities/spectre_v2",
			       verdict, sizeof(verdict)));
	f = fopen("/sys/module/minihv/parameters/allow_vulnerable", "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, fscanf(f, " %c", &allow));
	fclose(f);
	TH_LOG("spectre_v2: %s, allow_vulnerable=%c", verdict, allow);
	if (!strcmp(verdict, "Mitigation: CSV2, BHB"))
		ok = log_lines("minihv: Spectre-BHB: mitigated by") > 0;
	else if (!strcmp(verdict, "Mitigation: CSV2, but not BHB"))
		ok = log_lines("minihv: Spectre-BHB: not mitigated, by the kernel") > 0;
	else
		ok = !strcmp(verdict, "Not affected");
	EXPECT_TRUE(ok || allow == 'Y');

	if (!minihv_ko_path())
		SKIP(return, "MINIHV_KO is unset: cannot reload");
	ASSERT_EQ(0, minihv_rmmod());
	before = log_lines(refusal);
	ret = minihv_insmod_params("test_spectre_v2=1");
	EXPECT_EQ(-EOPNOTSUPP, ret);
	EXPECT_EQ(before + 1, log_lines(refusal));
	if (!ret)
		minihv_rmmod();
	before = log_lines(allowed);
	ret = minihv_insmod_params("test_spectre_v2=1 allow_vulnerable=1");
	EXPECT_EQ(0, ret);
	EXPECT_EQ(before + 1, log_lines(allowed));
	EXPECT_EQ(0, access(DEV, F_OK));
	if (!ret)
		ASSERT_EQ(0, minihv_rmmod());
	ASSERT_EQ(0, minihv_insmod());
}
#endif

/*
 * FP/SIMD registers stay with their owner: a guest's vector registers
 * (arm64 v0..v31, x86 xmm0..xmm15) survive its exits (to the host kernel
 * and to userspace), its VMM thread's survive MINIHV_RUN, and neither
 * reaches the other, nor another VM's guest or thread, while two of them
 * share one CPU and preempt each other. Each side fills all of them with
 * its own pattern and checks them after every exit / RUN.
 */
struct fp_side {
	struct guest g;
	uint64_t seed;
	uint64_t guest_bad, ucall;
	uint32_t host_bad;
	int runs, err;
	long switches;
};

static void *fp_side_fn(void *arg)
{
	struct fp_side *s = arg;
	struct minihv_run *run = s->g.run[0];
	struct rusage ru;
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(0, &one);
	s->err = pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
	while (!s->err) {
		uint32_t bad = 0;

		if (host_fp_run(s->g.vcpu[0], s->seed, &bad, MINIHV_RUN)) {
			s->err = -1;
			break;
		}
		s->host_bad += bad;
		s->runs++;
		if (run->exit_reason != MINIHV_EXIT_HYPERCALL ||
		    run->hypercall.nr != MINIHV_HCALL_EXIT) {
			s->err = -2;
			break;
		}
		s->ucall = run->hypercall.args[0];
		if (s->ucall != UCALL_SYNC) {
			s->guest_bad = run->hypercall.args[1];
			break;
		}
	}
	getrusage(RUSAGE_THREAD, &ru);
	s->switches = ru.ru_nivcsw + ru.ru_nvcsw;
	return NULL;
}

FIXTURE(fp) {
	int unused;
};

FIXTURE_SETUP(fp)
{
}

FIXTURE_TEARDOWN(fp)
{
}

TEST_F_TIMEOUT(fp, simd_registers_stay_with_their_owner, 300)
{
	static struct fp_side side[2];
	pthread_t t[2];
	int i;

	REQUIRE_MINIHV();
	for (i = 0; i < 2; i++) {
		memset(&side[i], 0, sizeof(side[i]));
		ASSERT_EQ(0, guest_create(&side[i].g, 1, guest_fp_rounds,
					  0x1000 * (i + 1)));
		side[i].seed = 0x5000 * (i + 1);
	}
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, fp_side_fn, &side[i]));
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < 2; i++) {
		TH_LOG("side %d: %d RUNs, %ld context switches", i,
		       side[i].runs, side[i].switches);
		EXPECT_EQ(0, side[i].err);
		EXPECT_EQ(UCALL_DONE, side[i].ucall);
		EXPECT_EQ(0, side[i].guest_bad);
		EXPECT_EQ(0, side[i].host_bad);
		EXPECT_EQ(FP_ROUNDS / FP_UCALL_EVERY + 1, side[i].runs);
		guest_destroy(&side[i].g);
	}
	/* Sharing one CPU, they took turns: the case that could leak. */
	EXPECT_LT(2, side[0].switches + side[1].switches);
}

TEST_HARNESS_MAIN
