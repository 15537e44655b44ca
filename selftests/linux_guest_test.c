// SPDX-License-Identifier: GPL-2.0
/*
 * A Linux guest: the test machine's own kernel, booted by `minihv run`
 * with the busybox initramfs of scripts/guest_linux.sh (payload/linux/),
 * 2 vCPUs. Its init (scripts/guest_init, minihv.test=1) prints what it
 * sees as LINUX-* lines: CPUs, a timed sleep, a checksum, a line typed on
 * its console, interrupt counts; the test checks them and the exit code.
 * Then a guest panic and a reboot end `minihv run` cleanly, and ten boots
 * in a row leave no memory behind. A guest that hangs fails its test
 * within a bound, not the machine's time limit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/mem_check.h"
#include "lib/minihv_util.h"

/* Where the payload is, and what the last guest printed. */
static char payload[512], out[1 << 16];

/*
 * Seconds a boot may take: 10-40 s under TCG; in Bochs (x86-vmx) ~45 s
 * of the test machine's time, more on a loaded host.
 */
#define FLAT_BOOTS	10
#if defined(__x86_64__)
#define BOOT_TIMEOUT	360
#define WARM_UP_BOOT	0	/* the three boots before warmed it up */
#else
#define BOOT_TIMEOUT	240
#define WARM_UP_BOOT	1
#endif
#define TYPED		"typed on the console"
/* The guest's date at boot (minihv run --wallclock), read from its RTC. */
#define WALLCLOCK	"2030-01-02T03:04:05Z"
#define WALLCLOCK_S	1893553445L

FIXTURE(linux_guest) {};

#if defined(__x86_64__)
#define APICV_PARAM	"/sys/module/minihv/parameters/apicv"

/* The x86-vmx test machine is Bochs (scripts/machine.sh). */
static bool on_bochs(void)
{
	const char *m = getenv("MINIHV_MACHINE");

	return m && !strcmp(m, "x86-vmx");
}

static char apicv_was[8];

/* "Y" or "N": the parameter is that now. */
static bool set_apicv(const char *v)
{
	char now[8];

	if (write_file(APICV_PARAM, v))
		return false;
	read_line(APICV_PARAM, now, sizeof(now));
	return !strcmp(now, v);
}
#endif

FIXTURE_SETUP(linux_guest)
{
	char ko[512], kernel[600];

	REQUIRE_GUESTS_SETUP();
	WAIT_NO_VMS_SETUP();	/* and their pinned guest RAM */
	if (!minihv_ko_path())
		SKIP(_exit(255), "MINIHV_KO is unset: no payload to find the guest");
	snprintf(ko, sizeof(ko), "%s", minihv_ko_path());
	snprintf(payload, sizeof(payload), "%.500s", dirname(ko));
	snprintf(kernel, sizeof(kernel), "%s/linux/kernel", payload);
	if (access(kernel, R_OK))
		SKIP(_exit(255), "no Linux guest in the payload");
	if (!minihv_irqchip_types())
		SKIP(_exit(255), "no in-kernel interrupt controller: Linux needs one");
#if defined(__x86_64__)
	/*
	 * Bochs (the x86-vmx machine) has a bug in virtual-interrupt
	 * delivery: when a host interrupt is pending while the guest runs
	 * with IF = 0 and a virtual interrupt is pending in RVI, it delivers
	 * the virtual interrupt into the guest instead of exiting for the
	 * host's (cpu/event.cc, InterruptAcknowledge, tests is_pending, not
	 * whether the event is masked). Linux then takes, say, its UART
	 * interrupt inside spin_lock_irqsave(&port->lock) and both vCPUs
	 * spin in virt_spin_lock for good. So on Bochs the Linux guest's
	 * VMs get minihv's own event injection, which honours IF, instead
	 * of APICv (the module parameter applies to VMs created later).
	 */
	if (on_bochs()) {
		read_line(APICV_PARAM, apicv_was, sizeof(apicv_was));
		ASSERT_TRUE(set_apicv("N")) TH_LOG("cannot write %s", APICV_PARAM);
	}
#endif
}

FIXTURE_TEARDOWN(linux_guest)
{
#if defined(__x86_64__)
	if (on_bochs() && apicv_was[0])
		set_apicv(apicv_was);
#endif
}

/* A file of the Linux payload (payload/linux/<name>): its first line. */
static void read_file_line(const char *name, char *buf, size_t n)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/linux/%s", payload, name);
	read_line(path, buf, n);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Boot the guest with minihv.test=<mode>; its console in out[]. When it
 * prints LINUX-READ, a line is typed. Returns minihv run's exit code, or
 * -1 if it had to be killed after BOOT_TIMEOUT; *secs: how long it ran.
 */
static int boot(const char *mode, double *secs)
{
	static char tool[600], kernel[600], initrd[600], append[700];
	static const char * const argv[] = {
		tool, "run", "--cpus", "2", "--mem", "256", "--initrd", initrd,
		"--wallclock", WALLCLOCK, "--append", append, kernel, NULL,
	};
	char cmdline[512];
	int outp[2], inp[2], status, len = 0;
	double start = now_s();
	bool typed = false, echo = getenv("MINIHV_GUEST_ECHO");
	pid_t pid;

	snprintf(tool, sizeof(tool), "%s/minihv", payload);
	snprintf(kernel, sizeof(kernel), "%s/linux/kernel", payload);
	snprintf(initrd, sizeof(initrd), "%s/linux/initrd.gz", payload);
	read_file_line("cmdline", cmdline, sizeof(cmdline));
	snprintf(append, sizeof(append), "%s minihv.test=%s", cmdline, mode);
	if (pipe(outp) || pipe(inp))
		return -2;
	pid = fork();
	if (!pid) {
		dup2(inp[0], STDIN_FILENO);
		dup2(outp[1], STDOUT_FILENO);
		dup2(outp[1], STDERR_FILENO);
		close(inp[1]);
		close(outp[0]);
		execv(tool, (char **)argv);
		_exit(127);
	}
	close(inp[0]);
	close(outp[1]);
	for (;;) {
		struct pollfd p = { .fd = outp[0], .events = POLLIN };
		int left = BOOT_TIMEOUT - (int)(now_s() - start), n;

		if (left <= 0 || poll(&p, 1, left * 1000) <= 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			*secs = now_s() - start;
			return -1;
		}
		n = read(outp[0], out + len, sizeof(out) - 1 - len);
		if (n <= 0)
			break;
		/* MINIHV_GUEST_ECHO=1: the console as it comes, to see a hang. */
		if (echo && write(STDERR_FILENO, out + len, n) != n)
			echo = false;
		len += n;
		out[len] = '\0';
		/* The guest's tty ends its lines with \r\n. */
		if (!typed && strstr(out, "LINUX-READ\r\n")) {
			typed = write(inp[1], TYPED "\n", sizeof(TYPED)) ==
				sizeof(TYPED);
		}
	}
	close(outp[0]);
	close(inp[1]);
	waitpid(pid, &status, 0);
	*secs = now_s() - start;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The rest of the line after "LINUX-<tag> ", or NULL. */
static const char *field(const char *tag, char *buf, size_t n)
{
	char key[64];
	const char *p;

	snprintf(key, sizeof(key), "LINUX-%s ", tag);
	p = strstr(out, key);
	if (!p)
		return NULL;
	p += strlen(key);
	snprintf(buf, n, "%.*s", (int)strcspn(p, "\r\n"), p);
	return buf;
}

/* "n0 n1": the counts of CPU 0 and CPU 1 (0 where missing). */
static void per_cpu(const char *v, unsigned long *cpu0, unsigned long *cpu1)
{
	char *end;

	*cpu0 = strtoul(v, &end, 10);
	*cpu1 = strtoul(end, NULL, 10);
}

TEST_F_TIMEOUT(linux_guest, boots_with_two_cpus_timers_and_console, BOOT_TIMEOUT + 30)
{
	char v[256], sum[128];
	unsigned long cpu0, cpu1;
	double secs;
	int rc;

	rc = boot("1", &secs);
	TH_LOG("minihv run: exit %d after %.1f s", rc, secs);
	ASSERT_EQ(0, rc) TH_LOG("console:\n%s", out);
	ASSERT_NE(NULL, strstr(out, "LINUX-DONE"));
	ASSERT_NE(NULL, field("NPROC", v, sizeof(v)));
	EXPECT_STREQ("2", v);
	ASSERT_NE(NULL, field("ONLINE", v, sizeof(v)));
	EXPECT_STREQ("0-1", v);
	/* sleep 1 by the guest's clock, which ticks in 10 ms steps. */
	ASSERT_NE(NULL, field("SLEEP", v, sizeof(v)));
	EXPECT_LE(990, atoi(v));
	EXPECT_GE(1500, atoi(v));
	read_file_line("data.sha256", sum, sizeof(sum));
	ASSERT_NE(NULL, field("SUM", v, sizeof(v)));
	EXPECT_STREQ(sum, v);
	/*
	 * The date the guest's kernel took from its RTC (CMOS / PL031) at
	 * boot, kept since by its clock: the VM's, which began at
	 * WALLCLOCK when minihv run started.
	 */
	ASSERT_NE(NULL, field("DATE", v, sizeof(v)));
	EXPECT_LE(WALLCLOCK_S, atol(v));
	EXPECT_GE(WALLCLOCK_S + (long)secs + 1, atol(v));
	EXPECT_NE(NULL, strstr(out, "setting system clock to 2030-01-02T03:0"));
	/* Typed input reached the guest through its UART's interrupt. */
	ASSERT_NE(NULL, field("GOT", v, sizeof(v)));
	EXPECT_STREQ(TYPED, v);
#if defined(__aarch64__)
	ASSERT_NE(NULL, field("IRQ arch_timer", v, sizeof(v)));
	per_cpu(v, &cpu0, &cpu1);
	EXPECT_LT(0, cpu0);
	EXPECT_LT(0, cpu1);
	ASSERT_NE(NULL, field("IRQ uart-pl011", v, sizeof(v)));
	EXPECT_LT(0, strtoul(v, NULL, 10));
	EXPECT_NE(NULL, strstr(out, "GICv3: CPU1: found redistributor 1"));
	EXPECT_NE(NULL, strstr(out, "arch_timer: cp15 timer(s) running"));
#else
	ASSERT_NE(NULL, field("IRQ LOC", v, sizeof(v)));
	per_cpu(v, &cpu0, &cpu1);
	EXPECT_LT(0, cpu0);
	EXPECT_LT(0, cpu1);
	/* The UART's interrupt may land on either CPU. */
	ASSERT_NE(NULL, field("IRQ ttyS0", v, sizeof(v)));
	per_cpu(v, &cpu0, &cpu1);
	EXPECT_LT(0, cpu0 + cpu1);
	EXPECT_NE(NULL, strstr(out, "IOAPIC[0]: apic_id 0, version 17, address 0xfec00000"));
	EXPECT_NE(NULL, strstr(out, "ttyS0 at I/O 0x3f8 (irq = 4"));
#endif
	EXPECT_NE(NULL, strstr(out, "smp: Brought up 1 node, 2 CPUs"));
	/* No WARN or BUG in the guest's kernel either (LINUX-WARN lines). */
	ASSERT_NE(NULL, field("TAINTED", v, sizeof(v)));
	EXPECT_STREQ("0", v) TH_LOG("the guest's kernel is tainted:\n%s", out);
}

/* panic=-1: a guest panic resets it, which ends minihv run with 3. */
TEST_F_TIMEOUT(linux_guest, guest_panic_ends_run_cleanly, BOOT_TIMEOUT + 30)
{
	double secs;
	int rc = boot("panic", &secs);

	EXPECT_EQ(3, rc) TH_LOG("console:\n%s", out);
	EXPECT_NE(NULL, strstr(out, "Kernel panic - not syncing"));
}

TEST_F_TIMEOUT(linux_guest, guest_reboot_exits_3, BOOT_TIMEOUT + 30)
{
	double secs;

	EXPECT_EQ(3, boot("reboot", &secs)) TH_LOG("console:\n%s", out);
}

/*
 * Ten boots (a guest that powers off at once), after one that warms up
 * what the first guest allocates for good (caches, per-CPU areas):
 * nothing stays behind (the memory check's bound is 1 MiB). On x86 the
 * three tests' boots before are the warm-up: a boot in Bochs is about
 * a minute of the host's time.
 */
TEST_F_TIMEOUT(linux_guest, ten_boots_leave_memory_flat,
	       (FLAT_BOOTS + WARM_UP_BOOT) * BOOT_TIMEOUT)
{
	struct mem_mark mark;
	double secs, total = 0;
	int i;

	if (WARM_UP_BOOT)
		ASSERT_EQ(0, boot("off", &secs)) TH_LOG("warm-up:\n%s", out);
	mem_mark(_metadata, &mark);
	for (i = 0; i < FLAT_BOOTS; i++) {
		ASSERT_EQ(0, boot("off", &secs)) TH_LOG("boot %d:\n%s", i, out);
		total += secs;
	}
	TH_LOG("%d boots to power-off: %.1f s each on average", FLAT_BOOTS,
	       total / FLAT_BOOTS);
	expect_mem_flat(_metadata, &mark, 1024);
}

TEST_HARNESS_MAIN
