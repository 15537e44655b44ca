// SPDX-License-Identifier: GPL-2.0
/*
 * `minihv run`: boots the bare-metal test guest (selftests/guests) and
 * checks what it printed through the UART (PL011 on arm64, 16550 on x86)
 * and how the tool exited.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/minihv_util.h"

/* Where the payload is (minihv, guests/), and what the guest printed. */
static char payload[512], guest[600], out[8192];

FIXTURE(tool) {};

FIXTURE_SETUP(tool)
{
	char ko[512];

	REQUIRE_GUESTS_SETUP();
	WAIT_NO_VMS_SETUP();	/* the tool takes up to 64 VMs */
	if (!minihv_ko_path())
		SKIP(_exit(255), "MINIHV_KO is unset: no payload to find the tool");
	snprintf(ko, sizeof(ko), "%s", minihv_ko_path());
	snprintf(payload, sizeof(payload), "%.500s", dirname(ko));
	snprintf(guest, sizeof(guest), "%s/guests/hello.bin", payload);
	if (access(guest, R_OK))
		SKIP(_exit(255), "no test guest for this architecture yet");
}

FIXTURE_TEARDOWN(tool)
{
}

/* The subcommand run_tool_input runs. */
static const char *tool_cmd = "run";

/*
 * Run "<payload>/minihv run <args...>" with input (or nothing) on its
 * stdin: its exit code, stdout in out[].
 */
/* The tool's stderr into out[] too (minihv run --stats). */
static bool with_stderr;

static int run_tool_input(const char *const *args, const char *input)
{
	char tool[600];
	const char *argv[48] = { tool, tool_cmd };
	int pipefd[2], infd[2], n, i, len = 0;
	pid_t pid;

	int status;

	snprintf(tool, sizeof(tool), "%s/minihv", payload);
	for (i = 0; args[i] && i < 45; i++)
		argv[i + 2] = args[i];
	if (pipe(pipefd) || pipe(infd))
		return -1;
	/* Small enough for the pipe buffer: written before the tool runs. */
	if (input && write(infd[1], input, strlen(input)) != (ssize_t)strlen(input))
		return -1;
	close(infd[1]);
	pid = fork();
	if (!pid) {
		int null = open("/dev/null", O_RDONLY);

		dup2(input ? infd[0] : null, STDIN_FILENO);
		dup2(pipefd[1], STDOUT_FILENO);
		if (with_stderr)
			dup2(pipefd[1], STDERR_FILENO);
		close(pipefd[0]);
		execv(tool, (char **)argv);
		_exit(127);
	}
	close(infd[0]);
	close(pipefd[1]);
	while ((n = read(pipefd[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += n;
	out[len] = '\0';
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int run_tool(const char *const *args)
{
	return run_tool_input(args, NULL);
}

/* "minihv bench <args...>" */
static int run_bench(const char *const *args)
{
	int ret;

	tool_cmd = "bench";
	ret = run_tool_input(args, NULL);
	tool_cmd = "run";
	return ret;
}

#define BENCH_CSV	"/tmp/minihv-bench.csv"

/*
 * A short functional run of every benchmark (performance is make
 * bench's): each computes a cost above 0, in order min <= median, and
 * writes its CSV row. Under minihv all seven are built on both
 * architectures.
 */
TEST_F_TIMEOUT(tool, bench_runs_each_benchmark, 300)
{
	static const char * const args[] = {
		"--iterations", "20", "--csv", BENCH_CSV, "--machine", "test",
		NULL
	};
	static const char * const both[] = { "--backend", "both", NULL };
	static const char * const bad[] = { "--iterations", "0", NULL };
	static const char * const none[] = { "--only", "nosuch", NULL };
	char line[256], name[64], backend[16], csv[4096] = "";
	double min, median, mean;
	int rows = 0, n;
	FILE *f;
	char *p;

	EXPECT_EQ(2, run_bench(both));	/* without --module */
	EXPECT_EQ(2, run_bench(bad));
	EXPECT_EQ(2, run_bench(none));
	ASSERT_EQ(0, run_bench(args)) TH_LOG("output:\n%s", out);
	TH_LOG("minihv bench:\n%s", out);
	for (p = strchr(out, '\n'); p && p[1]; p = strchr(p + 1, '\n')) {
		n = sscanf(p + 1, "%63s %15s %lf %lf %lf", name, backend, &min,
			   &median, &mean);
		ASSERT_EQ(5, n) TH_LOG("row: %.80s", p + 1);
		EXPECT_STREQ("minihv", backend);
		EXPECT_LT(0, min) TH_LOG("%s", name);
		EXPECT_LE(min, median) TH_LOG("%s", name);
		EXPECT_LE(min, mean) TH_LOG("%s", name);
		rows++;
	}
	EXPECT_EQ(7, rows);
	f = fopen(BENCH_CSV, "r");
	ASSERT_TRUE(f != NULL);
	n = 0;
	while (fgets(line, sizeof(line), f)) {
		if (n++)
			EXPECT_EQ(0, strncmp(line, "test,", 5)) TH_LOG("%s", line);
		strncat(csv, line, sizeof(csv) - strlen(csv) - 1);
	}
	fclose(f);
	unlink(BENCH_CSV);
	EXPECT_EQ(rows + 1, n) TH_LOG("csv:\n%s", csv);
	EXPECT_EQ(0, strncmp(csv, "machine,benchmark,backend,min,median,mean,iterations\n", 52));
}

/* --only takes a comma list: those benchmarks' rows, in the tool's order. */
TEST_F_TIMEOUT(tool, bench_only_takes_a_list, 300)
{
	static const char * const args[] = {
		"--only", "irq_completion,hypercall", "--iterations", "4",
		"--machine", "test", NULL
	};
	static const char * const bad[] = { "--only", "hypercall,nosuch", NULL };
	static const char * const empty[] = { "--only", "hypercall,", NULL };
	char names[128] = "", name[64];
	char *p;
	int n;

	with_stderr = true;
	EXPECT_EQ(2, run_bench(bad));
	with_stderr = false;
	EXPECT_TRUE(strstr(out, "no benchmark 'nosuch'") != NULL) TH_LOG("%s", out);
	EXPECT_EQ(2, run_bench(empty));
	ASSERT_EQ(0, run_bench(args)) TH_LOG("output:\n%s", out);
	for (p = strchr(out, '\n'); p && p[1]; p = strchr(p + 1, '\n')) {
		n = sscanf(p + 1, "%63s", name);
		ASSERT_EQ(1, n);
		strncat(names, name, sizeof(names) - strlen(names) - 2);
		strcat(names, " ");
	}
	EXPECT_STREQ("hypercall irq_completion ", names) TH_LOG("%s", out);
}

#define SCALE_CSV	"/tmp/minihv-scale.csv"

/*
 * --scale, small: 20 VM cycles, the 64 x 2 vCPUs for a second, a 64 MiB
 * guest. Each measure writes its row with a figure that adds up: the
 * fairness share is the slowest vCPU's over the fastest's, every page of
 * the big guest was touched and its leaves cover its RAM.
 */
TEST_F_TIMEOUT(tool, bench_scale_reports_each_measure, 300)
{
	static const char * const args[] = {
		"--only", "hypercall", "--iterations", "4", "--machine", "test",
		"--scale", "--scale-vms", "20", "--scale-ms", "1000",
		"--scale-mib", "64", "--scale-csv", SCALE_CSV, NULL
	};
	static const char * const big[] = {
		"--only", "hypercall", "--scale", "--scale-mib", "1025", NULL
	};
	unsigned long long pages = 0, g1, m2, k4, lo, med, hi, none;
	char line[512], measure[32], backend[16], *detail;
	double value;
	int seen = 0, ms, n;
	FILE *f;

	EXPECT_EQ(2, run_bench(big));
	ASSERT_EQ(0, run_bench(args)) TH_LOG("output:\n%s", out);
	TH_LOG("minihv bench --scale:\n%s", out);
	f = fopen(SCALE_CSV, "r");
	ASSERT_TRUE(f != NULL);
	ASSERT_TRUE(fgets(line, sizeof(line), f) != NULL);
	EXPECT_STREQ("machine,measure,backend,value,unit,detail\n", line);
	while (fgets(line, sizeof(line), f)) {
		n = sscanf(line, "test,%31[^,],%15[^,],%lf", measure,
			   backend, &value);
		ASSERT_EQ(3, n) TH_LOG("%s", line);
		EXPECT_STREQ("minihv", backend);
		detail = strchr(line, '"');
		ASSERT_TRUE(detail != NULL) TH_LOG("%s", line);
		if (!strcmp(measure, "vm_cycle")) {
			EXPECT_LT(0, value);
			EXPECT_EQ(0, strncmp(detail, "\"median of 20 cycles", 20));
			seen |= 1;
		} else if (!strcmp(measure, "fairness")) {
			n = sscanf(detail,
				   "\"128 vCPUs in %d ms: hypercalls min %llu median %llu max %llu; %llu made none",
				   &ms, &lo, &med, &hi, &none);
			ASSERT_EQ(5, n) TH_LOG("%s", detail);
			/*
			 * Whether every vCPU progressed is make bench's
			 * figure, in deterministic time: here, in real time
			 * on a loaded emulator, a few of the 128 can make no
			 * call in the window, under KVM as under minihv.
			 * What must hold is that the figure adds up.
			 */
			EXPECT_EQ(1000, ms);
			EXPECT_GE(128, none);
			EXPECT_EQ(none > 0, lo == 0);
			EXPECT_LE(lo, med);
			EXPECT_LE(med, hi);
			EXPECT_LT(0, hi);
			/* The share, as printed to one decimal. */
			EXPECT_TRUE(value > 100.0 * lo / hi - 0.06 &&
				    value < 100.0 * lo / hi + 0.06);
			seen |= 2;
		} else if (!strcmp(measure, "big_touch")) {
			n = sscanf(detail, "\"%llu pages of 64 MiB", &pages);
			ASSERT_EQ(1, n) TH_LOG("%s", detail);
			/* 64 MiB but the image's (the tool's) first MiBs. */
			EXPECT_LT(8 * 1024, pages);
			EXPECT_GT(16 * 1024, pages);
			EXPECT_LT(0, value);
			seen |= 4;
		} else if (!strcmp(measure, "big_2m_share")) {
			n = sscanf(detail,
				   "\"%llu 1 GiB, %llu 2 MiB and %llu 4 KiB",
				   &g1, &m2, &k4);
			ASSERT_EQ(3, n) TH_LOG("%s", detail);
			EXPECT_LE(pages, g1 * 262144 + m2 * 512 + k4);
			EXPECT_LE(0, value);
			EXPECT_GE(100, value);
			seen |= 8;
		} else {
			TH_LOG("unknown measure %s", measure);
			seen |= 16;
		}
	}
	fclose(f);
	unlink(SCALE_CSV);
	EXPECT_EQ(15, seen);
}

/*
 * minihv and KVM side by side (where KVM is there: the arm64 *-kvm
 * machines): two rounds each of benchmark @only, minihv unloaded for
 * KVM's and loaded again at the end; both rows have figures, minihv's its
 * ratio to KVM's.
 */
static void bench_beside_kvm(struct __test_metadata *_metadata,
			     const char *only)
{
	static char ko[512];
	const char * const args[] = {
		"--backend", "both", "--module", ko,
		"--rounds", "2", "--iterations", "8", "--only", only,
		NULL
	};
	double min, median, mean, ratio;
	char name[64], backend[16];
	int kvm = 0, minihv = 0;
	char *p;

	if (access("/dev/kvm", R_OK | W_OK))
		SKIP(return, "no /dev/kvm: KVM is off in this machine");
	snprintf(ko, sizeof(ko), "%s", minihv_ko_path());
	ASSERT_EQ(0, run_bench(args)) TH_LOG("output:\n%s", out);
	TH_LOG("minihv bench:\n%s", out);
	EXPECT_EQ(0, access("/sys/module/minihv", F_OK));
	EXPECT_EQ(0, access("/dev/minihv", F_OK));
	for (p = strchr(out, '\n'); p && p[1]; p = strchr(p + 1, '\n')) {
		int n = sscanf(p + 1, "%63s %15s %lf %lf %lf %lfx", name,
			       backend, &min, &median, &mean, &ratio);

		ASSERT_LE(5, n) TH_LOG("row: %.80s", p + 1);
		EXPECT_STREQ(only, name);
		EXPECT_LT(0, min);
		EXPECT_LE(min, median);
		if (!strcmp(backend, "kvm")) {
			EXPECT_EQ(5, n);
			kvm++;
		} else {
			EXPECT_STREQ("minihv", backend);
			ASSERT_EQ(6, n) TH_LOG("no ratio: %.80s", p + 1);
			EXPECT_LT(0, ratio);
			minihv++;
		}
	}
	EXPECT_EQ(1, kvm);
	EXPECT_EQ(1, minihv);
}

TEST_F_TIMEOUT(tool, bench_alternates_with_kvm, 300)
{
	bench_beside_kvm(_metadata, "hypercall");
}

/* VM Switch's two VMs at once under each back end, the same guest code. */
TEST_F_TIMEOUT(tool, bench_vm_switch_beside_kvm, 300)
{
	bench_beside_kvm(_metadata, "vm_switch");
}

TEST_F(tool, usage_errors_exit_2)
{
	static const char * const none[] = { NULL };
	static const char * const cpus[] = { "--cpus", "0", "x", NULL };
	static const char * const mem[] = { "--mem", "0", "x", NULL };
	static const char * const clock[] = { "--clock", "cpu", "x", NULL };
	static const char * const wall[] = {
		"--wallclock", "2000-01-01 00:00", "x", NULL
	};

	EXPECT_EQ(2, run_tool(none));
	EXPECT_EQ(2, run_tool(cpus));
	EXPECT_EQ(2, run_tool(mem));
	EXPECT_EQ(2, run_tool(clock));
	EXPECT_EQ(2, run_tool(wall));
}

/*
 * The two lines a clocks guest prints (selftests/guests/time_page.h), a
 * second of its counter apart: the counter's mode, a second of the
 * counter's clock between them, virtual time never ahead of real time,
 * the date moving with real time, and starting at @wall0 (seconds) give
 * or take the guest's boot.
 */
#define NO_CLOCKS	"this minihv.ko has no clock ioctls (MINIHV_CAP_CLOCK)"

static bool have_clocks(void)
{
	int dev = minihv_open(), ret;

	ret = dev < 0 ? 0 : ioctl(dev, MINIHV_CHECK_EXTENSION, MINIHV_CAP_CLOCK);
	if (dev >= 0)
		close(dev);
	return ret > 0;
}

static void expect_clocks(struct __test_metadata *_metadata, bool virtual,
			  double wall0)
{
	double r[2], v[2], w[2];
	char mode[2][16];
	const char *p = out;
	int i, n;

	for (i = 0; i < 2; i++) {
		p = strstr(p, "clocks: ");
		ASSERT_TRUE(p != NULL) TH_LOG("output:\n%s", out);
		n = sscanf(p, "clocks: real %lf virtual %lf wall %lf (%15[a-z])",
			   &r[i], &v[i], &w[i], mode[i]);
		ASSERT_EQ(4, n) TH_LOG("output:\n%s", out);
		p++;
	}
	EXPECT_STREQ(virtual ? "virtual" : "real", mode[0]);
	EXPECT_STREQ(mode[0], mode[1]);
	EXPECT_LE(1.0, virtual ? v[1] - v[0] : r[1] - r[0]);
	EXPECT_LE(v[1] - v[0], r[1] - r[0] + 1e-6);
	EXPECT_LE(v[0], r[0] + 1e-6);
	EXPECT_GT(0.001, (w[1] - w[0]) - (r[1] - r[0]));
	EXPECT_LT(-0.001, (w[1] - w[0]) - (r[1] - r[0]));
	EXPECT_LE(wall0 - 1, w[0]);
	EXPECT_GT(wall0 + 120, w[0]);
	TH_LOG("clocks guest: real %.6f -> %.6f s, virtual %.6f -> %.6f s, wall %.3f",
	       r[0], r[1], v[0], v[1], w[0]);
}

#define BIG_IMAGE	"/tmp/minihv-big.bin"

TEST_F(tool, bad_images_exit_1)
{
	static const char * const missing[] = { "/nonexistent/guest.bin", NULL };
	static const char * const big[] = { "--mem", "4", BIG_IMAGE, NULL };
	int fd = open(BIG_IMAGE, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	EXPECT_EQ(1, run_tool(missing));
	/* 5 MiB of image cannot fit in 4 MiB of RAM. */
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 5 << 20));
	close(fd);
	EXPECT_EQ(1, run_tool(big));
	unlink(BIG_IMAGE);
}

#if defined(__aarch64__)

TEST_F(tool, boots_raw_image_one_cpu)
{
	static const char * const args[] = { "--mem", "64", guest, NULL };

	EXPECT_EQ(0, run_tool(args));
	EXPECT_STREQ("Hello from a minihv guest\nloaded at +0x0\n1 cpu\n",
		     out);
}

/*
 * The clocks guest: the date from --wallclock, real time by default,
 * virtual time with --clock virtual.
 */
TEST_F_TIMEOUT(tool, guest_clocks, 120)
{
	static char g[640];
	static const char * const real[] = {
		"--mem", "64", "--wallclock", "2000-01-01T00:00:00Z", g, NULL
	};
	static const char * const virt[] = {
		"--mem", "64", "--clock", "virtual", g, NULL
	};
	time_t now;

	if (!have_clocks())
		SKIP(return, NO_CLOCKS);
	snprintf(g, sizeof(g), "%s/guests/clocks.bin", payload);
	EXPECT_EQ(0, run_tool(real));
	expect_clocks(_metadata, false, 946684800);
	/* The date is the host's when the VM is made, after this. */
	now = time(NULL);
	EXPECT_EQ(0, run_tool(virt));
	expect_clocks(_metadata, true, now);
}

/*
 * --stats: the VM's counters on stderr at the end. The hello guest
 * writes its lines to the PL011 a byte at a time, each a data abort.
 */
TEST_F(tool, run_stats_count_the_guests_exits)
{
	static const char * const args[] = { "--mem", "64", "--stats", guest,
					     NULL };
	const char *p;
	size_t text;

	with_stderr = true;
	EXPECT_EQ(0, run_tool(args));
	with_stderr = false;
	text = strlen("Hello from a minihv guest\nloaded at +0x0\n1 cpu\n");
	ASSERT_NE(NULL, strstr(out, "minihv: vm ")) TH_LOG("%s", out);
	p = strstr(out, "  exit_DABT_LOW ");
	ASSERT_NE(NULL, p) TH_LOG("%s", out);
	EXPECT_LE(text, strtoull(p + strlen("  exit_DABT_LOW "), NULL, 10));
	p = strstr(out, "  entries ");
	ASSERT_NE(NULL, p) TH_LOG("%s", out);
	EXPECT_LE(text, strtoull(p + strlen("  entries "), NULL, 10));
}

/* CPU 1 starts on PSCI CPU_ON from CPU 0 and signals it back. */
TEST_F_TIMEOUT(tool, boots_two_cpus, 60)
{
	static const char * const args[] = { "--cpus", "2", guest, NULL };

	EXPECT_EQ(0, run_tool(args));
	EXPECT_STREQ("Hello from a minihv guest\nloaded at +0x0\n2 cpus\n",
		     out);
}

/* PSCI SYSTEM_RESET: the tool exits with 3. */
TEST_F_TIMEOUT(tool, reset_exits_3, 60)
{
	static const char * const args[] = { "--cpus", "3", guest, NULL };

	EXPECT_EQ(3, run_tool(args));
	EXPECT_STREQ("Hello from a minihv guest\nloaded at +0x0\n2 cpus\nresetting\n",
		     out);
}

/*
 * The PL011's interrupt reaches the guest through the in-kernel GIC
 * (MINIHV_IRQ_LINE): the transmit one when unmasked, the receive one
 * for a byte on the tool's stdin.
 */
TEST_F_TIMEOUT(tool, uart_interrupts_through_the_gic, 60)
{
	static char g[640];
	static const char * const args[] = { "--mem", "64", g, NULL };

	if (!(minihv_irqchip_types() & (1 << MINIHV_IRQCHIP_GICV3)))
		SKIP(return, "no vGICv3 (MINIHV_CAP_IRQCHIP)");
	snprintf(g, sizeof(g), "%s/guests/uart_irq.bin", payload);
	EXPECT_EQ(0, run_tool_input(args, "k"));
	EXPECT_STREQ("tx irq 33 (MIS)\nrx irq 33 (MIS) k\n", out);
}

#define IMAGE	"/tmp/minihv-image.bin"

/* With a Linux Image header, the image goes to RAM + text_offset. */
TEST_F(tool, honours_image_header)
{
	static const char * const args[] = { IMAGE, NULL };
	uint64_t hdr[8] = { 0 };
	char buf[4096];
	int in, fd;
	ssize_t n;

	hdr[0] = 0x14000010;		/* code0: b +64, over the header */
	hdr[1] = 0x80000;		/* text_offset */
	hdr[2] = 0x100000;		/* image_size */
	hdr[7] = 0x644d5241;		/* magic "ARM\x64" */
	in = open(guest, O_RDONLY);
	fd = open(IMAGE, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ASSERT_LE(0, in);
	ASSERT_LE(0, fd);
	ASSERT_EQ(64, write(fd, hdr, 64));
	while ((n = read(in, buf, sizeof(buf))) > 0)
		ASSERT_EQ(n, write(fd, buf, n));
	close(in);
	close(fd);

	EXPECT_EQ(0, run_tool(args));
	/* The code sits 64 bytes into the image, at 1 GiB + 0x80000. */
	EXPECT_STREQ("Hello from a minihv guest\nloaded at +0x80040\n1 cpu\n",
		     out);
	unlink(IMAGE);
}

static bool fdt_has(const char *buf, size_t len, const char *s)
{
	return memmem(buf, len, s, strlen(s) + 1) != NULL;
}

#define INITRD	"/tmp/minihv-initrd.img"
#define INITRD_DTB	"/tmp/minihv-initrd.dtb"

static uint64_t be64(const void *p)
{
	const uint8_t *b = p;
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

/*
 * The initrd lands page-aligned below the device tree, which points at
 * it: linux,initrd-start/end are 64-bit, big-endian, right after the
 * property names' offsets in the struct block, so find them by value.
 */
TEST_F(tool, loads_initrd)
{
	static const char * const args[] = {
		"--mem", "64", "--initrd", INITRD, "--dtb-out", INITRD_DTB,
		guest, NULL
	};
	static char buf[65536];
	uint64_t start = 0, end = 0, ram = 0x40000000, size = 12345;
	uint64_t dtb = ram + (64 << 20) - (2 << 20);
	int fd, i;
	ssize_t n;

	fd = open(INITRD, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, size));
	close(fd);
	EXPECT_EQ(0, run_tool(args));
	fd = open(INITRD_DTB, O_RDONLY);
	ASSERT_LE(0, fd);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	unlink(INITRD);
	unlink(INITRD_DTB);
	ASSERT_LT(40, n);
	EXPECT_TRUE(memmem(buf, n, "linux,initrd-start", 19) != NULL);
	EXPECT_TRUE(memmem(buf, n, "linux,initrd-end", 17) != NULL);
	/* The expected placement: page-aligned, ending below the DTB. */
	for (i = 0; i + 8 <= n; i += 4) {
		if (be64(buf + i) == ((dtb - size) & ~0xfffULL))
			start = be64(buf + i);
		if (start && be64(buf + i) == start + size)
			end = be64(buf + i);
	}
	EXPECT_EQ((dtb - size) & ~0xfffULL, start);
	EXPECT_EQ(start + size, end);
}

#define DTB	"/tmp/minihv-test.dtb"

TEST_F(tool, writes_device_tree)
{
	static const char * const args[] = {
		"--append", "console=ttyAMA0 minihv-test", "--dtb-out", DTB,
		"--cpus", "2", guest, NULL
	};
	char buf[65536];
	int fd;
	ssize_t n;

	EXPECT_EQ(0, run_tool(args));
	fd = open(DTB, O_RDONLY);
	ASSERT_LE(0, fd);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	unlink(DTB);
	ASSERT_LT(40, n);
	EXPECT_EQ(0, memcmp(buf, "\xd0\x0d\xfe\xed", 4));	/* FDT magic */
	EXPECT_TRUE(fdt_has(buf, n, "console=ttyAMA0 minihv-test"));
	EXPECT_TRUE(fdt_has(buf, n, "arm,gic-v3"));
	EXPECT_TRUE(fdt_has(buf, n, "arm,armv8-timer"));
	EXPECT_TRUE(fdt_has(buf, n, "hvc"));
	EXPECT_TRUE(fdt_has(buf, n, "cpu@1"));
	EXPECT_TRUE(fdt_has(buf, n, "/pl011@9000000"));
	/* The RTC, as on QEMU's virt (tools/pl031.c). */
	EXPECT_TRUE(fdt_has(buf, n, "pl031@9010000"));
	EXPECT_TRUE(fdt_has(buf, n, "arm,pl031"));
}

#elif defined(__x86_64__)

/* What hello_x86.S prints before its command line, with --mem 64. */
#define HELLO_X86_64M							\
	"hello from x86 guest\n"					\
	"uart: ok\n"							\
	"loader: minihv\n"						\
	"mem: lower 0x280 upper 0xfc00\n"				\
	"mmap: 0x0 0xa0000 0x1\n"					\
	"mmap: 0xa0000 0x60000 0x2\n"					\
	"mmap: 0x100000 0x3f00000 0x1\n"

/* The Multiboot command line is "<image> <append>", as GRUB passes it. */
static const char *hello_x86(const char *image, const char *append)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf), HELLO_X86_64M "cmdline: %s%s%s\n", image,
		 *append ? " " : "", append);
	return buf;
}

static int write_bytes(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, buf, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

/* The ELF file of the test guest, beside its raw binary. */
static const char *guest_elf(void)
{
	static char elf[600];

	snprintf(elf, sizeof(elf), "%s/guests/hello.elf", payload);
	return elf;
}

/*
 * A copy of the ELF guest with its Multiboot header flags changed (and
 * the checksum fixed, or not): the header is 4-byte aligned in the
 * first 8 KiB.
 */
static int patch_header(const char *path, uint32_t clear, bool checksum)
{
	static uint8_t buf[65536];
	uint32_t w[3];
	size_t off;
	ssize_t n;
	int fd;

	fd = open(guest_elf(), O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	for (off = 0; off + sizeof(w) <= 8192 && off + sizeof(w) <= (size_t)n;
	     off += 4) {
		memcpy(w, buf + off, sizeof(w));
		if (w[0] != 0x1badb002 || w[0] + w[1] + w[2])
			continue;
		w[1] &= ~clear;
		if (checksum)
			w[2] = -(w[0] + w[1]);
		memcpy(buf + off, w, sizeof(w));
		return write_bytes(path, buf, n);
	}
	return -1;
}

/* The raw binary: a Multiboot image with the a.out kludge. */
TEST_F(tool, x86_multiboot_aout)
{
	static const char * const args[] = { "--mem", "64", guest, NULL };

	EXPECT_EQ(0, run_tool(args));
	EXPECT_STREQ(hello_x86(guest, ""), out);
}

/* An ELF file whose Multiboot header has the a.out kludge: that wins. */
TEST_F(tool, x86_multiboot_elf_aout)
{
	const char * const args[] = { "--mem", "64", guest_elf(), NULL };

	EXPECT_EQ(0, run_tool(args));
	EXPECT_STREQ(hello_x86(guest_elf(), ""), out);
}

#define NOAOUT	"/tmp/minihv-noaout.elf"

/* Without the kludge: the ELF program headers place the image. */
TEST_F(tool, x86_multiboot_elf_segments)
{
	static const char * const args[] = {
		"--mem", "64", "--append", "exit=5", NOAOUT, NULL
	};

	ASSERT_EQ(0, patch_header(NOAOUT, 1 << 16, true));
	EXPECT_EQ(5, run_tool(args));
	EXPECT_STREQ(hello_x86(NOAOUT, "exit=5"), out);
	unlink(NOAOUT);
}

/* --append reaches the guest; 300 written to the exit port exits 44. */
TEST_F(tool, x86_exit_port_and_append)
{
	static const char * const args[] = {
		"--mem", "64", "--append", "minihv-test exit=300", guest, NULL
	};

	EXPECT_EQ(44, run_tool(args));
	EXPECT_STREQ(hello_x86(guest, "minihv-test exit=300"), out);
}

/*
 * HLT with nothing that could wake the vCPU ends the run with 4: in a
 * VM without the in-kernel APIC (with one, cli; hlt sleeps for ever).
 */
TEST_F(tool, x86_halt_exits_4)
{
	static const char * const args[] = {
		"--mem", "64", "--no-irqchip", "--append", "halt", guest, NULL
	};

	EXPECT_EQ(4, run_tool(args));
	EXPECT_STREQ(hello_x86(guest, "halt"), out);
}

/* An exception without an IDT: a triple fault, an error. */
TEST_F(tool, x86_triple_fault_exits_1)
{
	static const char * const args[] = {
		"--mem", "64", "--append", "triple", guest, NULL
	};

	EXPECT_EQ(1, run_tool(args));
	EXPECT_STREQ(hello_x86(guest, "triple"), out);
}

/* The guest reads a line from the UART: the tool's stdin. */
TEST_F(tool, x86_uart_input)
{
	static const char * const args[] = {
		"--mem", "64", "--append", "echo", guest, NULL
	};
	char want[1100];

	EXPECT_EQ(0, run_tool_input(args, "typed at the console\n"));
	snprintf(want, sizeof(want), "%secho: typed at the console\n",
		 hello_x86(guest, "echo"));
	EXPECT_STREQ(want, out);
}

#define RAW	"/tmp/minihv-raw.bin"

/*
 * Real mode: print "R\n" on COM1, exit with (CS >> 8) | 0x40.
 *	mov $0x3f8, %dx; mov $'R', %al; out %al, %dx; mov $'\n', %al;
 *	out %al, %dx; mov %cs, %ax; mov %ah, %al; or $0x40, %al;
 *	out %al, $0xf4; hlt
 */
static const uint8_t real_code[] = {
	0xba, 0xf8, 0x03, 0xb0, 0x52, 0xee, 0xb0, 0x0a, 0xee, 0x8c, 0xc8,
	0x88, 0xe0, 0x0c, 0x40, 0xe6, 0xf4, 0xf4,
};

/* CS:IP is the image's 64 KiB segment and the offset in it. */
TEST_F_TIMEOUT(tool, x86_raw_real_mode, 60)
{
	static const char * const dflt[] = { RAW, NULL };
	static const char * const at[] = {
		"--entry-mode", "real", "--load", "0x12345", RAW, NULL
	};

	ASSERT_EQ(0, write_bytes(RAW, real_code, sizeof(real_code)));
	EXPECT_EQ(0x40, run_tool(dflt));	/* 0000:7c00 */
	EXPECT_STREQ("R\n", out);
	EXPECT_EQ(0x50, run_tool(at));		/* 1000:2345 */
	EXPECT_STREQ("R\n", out);
	unlink(RAW);
}

/*
 * 32-bit code: print "P\n", exit 33. Decoded as 16-bit code it would
 * not print that.
 *	mov $0x3f8, %edx; mov $'P', %al; out %al, %dx; mov $'\n', %al;
 *	out %al, %dx; mov $0x21, %al; out %al, $0xf4; hlt
 */
static const uint8_t protected_code[] = {
	0xba, 0xf8, 0x03, 0x00, 0x00, 0xb0, 0x50, 0xee, 0xb0, 0x0a, 0xee,
	0xb0, 0x21, 0xe6, 0xf4, 0xf4,
};

TEST_F(tool, x86_raw_protected_mode)
{
	static const char * const args[] = {
		"--entry-mode", "protected", "--load", "0x200000", RAW, NULL
	};

	ASSERT_EQ(0, write_bytes(RAW, protected_code, sizeof(protected_code)));
	EXPECT_EQ(33, run_tool(args));
	EXPECT_STREQ("P\n", out);
	unlink(RAW);
}

/*
 * 64-bit code: a RIP-relative load of 'L' (32-bit code would read
 * address 0x19 instead), stored and read back at 64 MiB - 16 through
 * the tool's identity map; print it and "\n", exit 44.
 *	mov $0x3f8, %edx; mov msg(%rip), %al; mov %al, 0x3fffff0;
 *	xor %eax, %eax; mov 0x3fffff0, %al; out %al, %dx; mov $'\n', %al;
 *	out %al, %dx; mov $0x2c, %al; out %al, $0xf4; hlt; msg: 'L'
 */
static const uint8_t long_code[] = {
	0xba, 0xf8, 0x03, 0x00, 0x00, 0x8a, 0x05, 0x19, 0x00, 0x00, 0x00,
	0x88, 0x04, 0x25, 0xf0, 0xff, 0xff, 0x03, 0x31, 0xc0, 0x8a, 0x04,
	0x25, 0xf0, 0xff, 0xff, 0x03, 0xee, 0xb0, 0x0a, 0xee, 0xb0, 0x2c,
	0xe6, 0xf4, 0xf4, 0x4c,
};

TEST_F(tool, x86_raw_long_mode)
{
	static const char * const args[] = {
		"--mem", "64", "--entry-mode", "long", RAW, NULL
	};

	ASSERT_EQ(0, write_bytes(RAW, long_code, sizeof(long_code)));
	EXPECT_EQ(44, run_tool(args));
	EXPECT_STREQ("L\n", out);
	unlink(RAW);
}

/*
 * Three vCPUs started at a raw image's entry, each reading its id from
 * CPUID.1:EBX[31:24]: all count themselves in with a locked increment,
 * the others halt, vCPU 0 waits for the count and exits with 0x40 | 3.
 *	mov $1, %eax; cpuid; shr $24, %ebx; lock incl 0x300000;
 *	test %ebx, %ebx; jnz 2f; 1: pause; mov 0x300000, %eax;
 *	cmp $3, %eax; jne 1b; or $0x40, %al; out %al, $0xf4; 2: hlt; jmp 2b
 */
static const uint8_t smp_code[] = {
	0xb8, 0x01, 0x00, 0x00, 0x00, 0x0f, 0xa2, 0xc1, 0xeb, 0x18, 0xf0, 0xff,
	0x05, 0x00, 0x00, 0x30, 0x00, 0x85, 0xdb, 0x75, 0x10, 0xf3, 0x90, 0xa1,
	0x00, 0x00, 0x30, 0x00, 0x83, 0xf8, 0x03, 0x75, 0xf4, 0x0c, 0x40, 0xe6,
	0xf4, 0xf4, 0xeb, 0xfd,
};

TEST_F_TIMEOUT(tool, x86_raw_three_cpus, 60)
{
	static const char * const args[] = {
		"--cpus", "3", "--mem", "16", "--entry-mode", "protected", RAW,
		NULL
	};
	static const char * const no_apic[] = {
		"--no-irqchip", "--cpus", "3", "--mem", "16", "--entry-mode",
		"protected", RAW, NULL
	};
	static const uint8_t hlt_loop[] = { 0xf4, 0xeb, 0xfd };	/* 1: hlt; jmp 1b */
	static const char * const multiboot[] = {
		"--no-irqchip", "--cpus", "2", guest, NULL
	};

	ASSERT_EQ(0, write_bytes(RAW, smp_code, sizeof(smp_code)));
	EXPECT_EQ(0x43, run_tool(args));
	/* All three halt: without the in-kernel APIC the run ends with 4. */
	ASSERT_EQ(0, write_bytes(RAW, hlt_loop, sizeof(hlt_loop)));
	EXPECT_EQ(4, run_tool(no_apic));
	unlink(RAW);
	/* A Multiboot image's other vCPUs wait for INIT/SIPI: no APIC, no. */
	EXPECT_EQ(1, run_tool(multiboot));
}

TEST_F(tool, x86_usage_errors_exit_2)
{
	static const char * const mem[] = { "--mem", "4096", guest, NULL };
	static const char * const mode[] = {
		"--entry-mode", "virtual8086", guest, NULL
	};
	static const char * const load[] = { "--load", "1MiB", guest, NULL };
	static const char * const real[] = {
		"--entry-mode", "real", "--load", "0x100000", guest, NULL
	};
	static const char * const dtb[] = { "--dtb-out", "/tmp/x.dtb", guest, NULL };
	const char *initrds[2 * 17 + 2];
	int i;

	EXPECT_EQ(2, run_tool(mem));	/* at most 3 GiB */
	EXPECT_EQ(2, run_tool(mode));
	EXPECT_EQ(2, run_tool(load));
	EXPECT_EQ(2, run_tool(real));
	EXPECT_EQ(2, run_tool(dtb));
	/* At most 16 modules. */
	for (i = 0; i < 17; i++) {
		initrds[2 * i] = "--initrd";
		initrds[2 * i + 1] = guest;
	}
	initrds[2 * i] = guest;
	initrds[2 * i + 1] = NULL;
	EXPECT_EQ(2, run_tool(initrds));
}

#define BAD	"/tmp/minihv-bad.bin"

TEST_F_TIMEOUT(tool, x86_bad_images_exit_1, 60)
{
	static const char * const bad[] = { "--mem", "64", BAD, NULL };
	static const char * const load[] = { "--load", "0x8000", guest, NULL };
	static const char * const low[] = {
		"--entry-mode", "protected", "--load", "0x1000", RAW, NULL
	};
	static const char * const acpi[] = {
		"--entry-mode", "real", "--load", "0xdfff8", RAW, NULL
	};
	static const char * const raw_initrd[] = {
		"--entry-mode", "protected", "--initrd", RAW, RAW, NULL
	};
	/* a.out kludge: 256 MiB of BSS. */
	uint32_t mb[8] = {
		0x1badb002, 1 << 16, 0, 0x100000, 0x100000, 0, 0x10000000,
		0x100000,
	};
	static const uint8_t elf[64] = { 0x7f, 'E', 'L', 'F', 1, 1, 1 };

	mb[2] = -(mb[0] + mb[1]);
	ASSERT_EQ(0, write_bytes(BAD, mb, sizeof(mb)));
	EXPECT_EQ(1, run_tool(bad));
	EXPECT_STREQ("", out);

	/* A flag of bits 0-15 minihv does not know: refused. */
	mb[1] = 1 << 3;
	mb[2] = -(mb[0] + mb[1]);
	ASSERT_EQ(0, write_bytes(BAD, mb, sizeof(mb)));
	EXPECT_EQ(1, run_tool(bad));

	/* ELF without a Multiboot header, or with a bad checksum. */
	ASSERT_EQ(0, write_bytes(BAD, elf, sizeof(elf)));
	EXPECT_EQ(1, run_tool(bad));
	ASSERT_EQ(0, patch_header(BAD, 1 << 16, false));
	EXPECT_EQ(1, run_tool(bad));
	unlink(BAD);

	/* --load is for raw binaries, which stay clear of the boot data. */
	EXPECT_EQ(1, run_tool(load));
	ASSERT_EQ(0, write_bytes(RAW, protected_code, sizeof(protected_code)));
	EXPECT_EQ(1, run_tool(low));
	/* ... and of the ACPI tables at 0xe0000-0xeffff, in every mode. */
	EXPECT_EQ(1, run_tool(acpi));
	/* Modules are for Multiboot images. */
	EXPECT_EQ(1, run_tool(raw_initrd));
	unlink(RAW);
}

/*
 * The firmware guest (guests/firmware_x86.c) reports what it found: the
 * memory map, fw_cfg, the ACPI tables it reached from the RSDP it found
 * by scanning, the modules, the UART's IIR. An in-kernel APIC adds the
 * PM timer, the I/O APIC and the local APICs behind the tables.
 */
static bool x86_apic(void)
{
	int dev = minihv_open(), chips;

	if (dev < 0)
		return false;
	chips = ioctl(dev, MINIHV_CHECK_EXTENSION, MINIHV_CAP_IRQCHIP);
	close(dev);
	return chips > 0 && chips & (1 << MINIHV_IRQCHIP_X86_APIC);
}

#define NO_APIC_REASON \
	"this minihv.ko has no in-kernel x86 APIC (MINIHV_CAP_IRQCHIP): the kernel side of issue 9"

static const char *fw_guest(const char *name)
{
	static char path[600];

	snprintf(path, sizeof(path), "%s/guests/firmware.%s", payload, name);
	return path;
}

/*
 * The expected output for cpus vCPUs and --mem 64, with the PM timer or
 * not; mods is what follows the ACPI part (the modules, Multiboot only).
 * '#' in it stands for a number: the DSDT's length, iasl's to decide.
 */
static const char *firmware_out(bool multiboot, int cpus, bool pm_tmr,
				const char *mods)
{
	static char buf[4096];
	int i, n = 0;

#define OUT(...) (n += snprintf(buf + n, sizeof(buf) - n, __VA_ARGS__))
	OUT("firmware guest: %s\n", multiboot ? "multiboot" : "raw");
	OUT("fw_cfg: signature QEMU id 0x1 cpus %d max %d ram 0x4000000\n",
	    cpus, cpus);
	OUT("fw_cfg: files 1, etc/e820 key 0x20 size 60\n"
	    "fw_cfg: e820 0x0 0xa0000 1\n"
	    "fw_cfg: e820 0xa0000 0x60000 2\n"
	    "fw_cfg: e820 0x100000 0x3f00000 1\n");
	OUT("acpi: rsdp at 0xe0000 rev 2 oem MINIHV, memory map from %s\n",
	    multiboot ? "multiboot" : "fw_cfg");
	OUT("acpi: RSDT rev 1 len 44 checksum ok oem MINIHV\n"
	    "acpi: XSDT rev 1 len 52 checksum ok oem MINIHV\n"
	    "acpi: FACP rev 6 len 276 checksum ok oem MINIHV\n");
	OUT("fadt: sci 9 smi_cmd 0x0 pm1a_evt 0x600/4 pm1a_cnt 0x604/2 pm_tmr %s\n",
	    pm_tmr ? "0x608/4" : "0x0/0");
	/* boot: legacy devices, no VGA, no MSI; century: the CMOS RTC's. */
	OUT("fadt: flags 0x1475 boot 0xd century 0x32 reset 0xcf9 value 0x6\n"
	    "facs: len 64 version 2\n"
	    "acpi: DSDT rev 2 len # checksum ok oem MINIHV\n"
	    "dsdt: _S5 slp_typ a 0 b 0\n");
	OUT("pm_tmr: %s\n", pm_tmr ? "24-bit, counting" : "none");
	OUT("acpi: APIC rev 3 len %d checksum ok oem MINIHV\n"
	    "madt: lapic 0xfee00000 flags 0x0\n", 82 + 8 * cpus);
	for (i = 0; i < cpus; i++)
		OUT("madt: cpu %d apic %d enabled\n", i, i);
	OUT("madt: ioapic 0 at 0xfec00000 gsi 0\n"
	    "madt: irq 0 -> gsi 2 flags 0x0\n"
	    "madt: irq 9 -> gsi 9 flags 0xd\n"
	    "madt: nmi cpu 0xff lint 1 flags 0x0\n"
	    "madt: cpus %d\n", cpus);
	OUT("%s", mods);
	OUT("uart: iir 0x4, rbr L, iir 0x2, iir 0x1\n");
#undef OUT
	return buf;
}

/* want, where '#' matches one or more digits; the tail is the end. */
static bool output_is(const char *want, const char *tail, const char *got)
{
	for (; *want; want++, got++) {
		if (*want == '#' && *got >= '0' && *got <= '9') {
			while (got[1] >= '0' && got[1] <= '9')
				got++;
			continue;
		}
		if (*want != *got)
			return false;
	}
	return !strcmp(got, tail);
}

#define EXPECT_OUTPUT(want, tail) do {					\
	if (!output_is(want, tail, out))				\
		TH_LOG("want:\n%s%s-- got:\n%s--", want, tail, out);	\
	EXPECT_TRUE(output_is(want, tail, out));			\
} while (0)

#define END_OK	"firmware guest: failed 0\n"

/* A Multiboot image, 1 vCPU: with the default irqchip and without. */
TEST_F_TIMEOUT(tool, x86_firmware_multiboot, 90)
{
	const char * const args[] = {
		"--mem", "64", "--append", "exit=9", fw_guest("bin"), NULL
	};
	const char * const elf[] = {
		"--mem", "64", "--no-irqchip", fw_guest("elf"), NULL
	};

	EXPECT_EQ(9, run_tool(args));
	EXPECT_OUTPUT(firmware_out(true, 1, x86_apic(), "mods: count 0\n"),
		      END_OK);
	EXPECT_EQ(0, run_tool(elf));
	EXPECT_OUTPUT(firmware_out(true, 1, false, "mods: count 0\n"), END_OK);
}

#define RAW_FW	"/tmp/minihv-firmware.bin"

/*
 * Three vCPUs, all started at a raw image's entry (the Multiboot magic
 * broken, so the tool sees a raw binary): the MADT and fw_cfg count them;
 * vCPUs 1 and 2 halt, vCPU 0 reports and exits.
 */
TEST_F_TIMEOUT(tool, x86_firmware_raw_three_cpus, 60)
{
	static const char * const args[] = {
		"--mem", "64", "--cpus", "3", "--entry-mode", "protected",
		RAW_FW, NULL
	};
	static uint8_t buf[65536];
	int fd = open(fw_guest("bin"), O_RDONLY);
	uint32_t magic = 0x1badb002;
	uint8_t *hdr;
	ssize_t n;

	ASSERT_LE(0, fd);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	ASSERT_LT(64, n);
	/* The image starts with a jump over the header to its entry. */
	hdr = memmem(buf, 64, &magic, 4);
	ASSERT_TRUE(hdr != NULL);
	*hdr ^= 0xff;
	ASSERT_EQ(0, write_bytes(RAW_FW, buf, n));
	EXPECT_EQ(0, run_tool(args));
	EXPECT_OUTPUT(firmware_out(false, 3, x86_apic(), ""), END_OK);
	unlink(RAW_FW);
}

/* The firmware's "clocks": as the arm64 clocks guest. */
TEST_F_TIMEOUT(tool, x86_firmware_clocks, 120)
{
	const char * const real[] = {
		"--mem", "64", "--wallclock", "2000-01-01T00:00:00Z",
		"--append", "clocks", fw_guest("elf"), NULL
	};
	const char * const virt[] = {
		"--mem", "64", "--clock", "virtual", "--append", "clocks",
		fw_guest("elf"), NULL
	};
	time_t now;

	if (!have_clocks())
		SKIP(return, NO_CLOCKS);
	EXPECT_EQ(0, run_tool(real));
	expect_clocks(_metadata, false, 946684800);
	/* The date is the host's when the VM is made, after this. */
	now = time(NULL);
	EXPECT_EQ(0, run_tool(virt));
	expect_clocks(_metadata, true, now);
}

/* FNV-1a, 32 bits, as the guest hashes each module. */
static uint32_t fnv1a(const uint8_t *p, size_t len)
{
	uint32_t h = 0x811c9dc5;

	while (len--)
		h = (h ^ *p++) * 0x01000193;
	return h;
}

#define MOD1	"/tmp/minihv-mod1"
#define MOD2	"/tmp/minihv-module-two.bin"
#define MOD3	"/tmp/minihv-empty"

/*
 * Three modules, in --initrd order, each page-aligned after the image
 * or the module before, with its path as its string; the contents come
 * through (their hashes); an empty file is an empty module.
 */
TEST_F_TIMEOUT(tool, x86_multiboot_modules, 60)
{
	const char *fw = fw_guest("bin");
	const char * const args[] = {
		"--mem", "64", "--no-irqchip", "--initrd", MOD1,
		"--initrd", MOD2, "--initrd", MOD3, "--append", "exit=3",
		fw, NULL
	};
	const char * const big[] = {
		"--mem", "2", "--initrd", MOD2, "--initrd", BIG_IMAGE, fw, NULL
	};
	static const char one[] = "module one\n";
	static uint8_t two[5000];
	char mods[1024];
	size_t i;
	int fd;

	for (i = 0; i < sizeof(two); i++)
		two[i] = i * 7 + (i >> 8);
	ASSERT_EQ(0, write_bytes(MOD1, one, sizeof(one) - 1));
	ASSERT_EQ(0, write_bytes(MOD2, two, sizeof(two)));
	ASSERT_EQ(0, write_bytes(MOD3, "", 0));
	snprintf(mods, sizeof(mods),
		 "mods: count 3\n"
		 "mod 0: size 11 fnv1a 0x%x at the next page, string %s\n"
		 "mod 1: size 5000 fnv1a 0x%x at the next page, string %s\n"
		 "mod 2: size 0 fnv1a 0x811c9dc5 at the next page, string %s\n",
		 fnv1a((const uint8_t *)one, sizeof(one) - 1), MOD1,
		 fnv1a(two, sizeof(two)), MOD2, MOD3);
	EXPECT_EQ(3, run_tool(args));
	EXPECT_OUTPUT(firmware_out(true, 1, false, mods), END_OK);

	/* 2 MiB of RAM: the second module (1 MiB) does not fit after it. */
	fd = open(BIG_IMAGE, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 1 << 20));
	close(fd);
	EXPECT_EQ(1, run_tool(big));
	EXPECT_STREQ("", out);
	unlink(BIG_IMAGE);
	unlink(MOD1);
	unlink(MOD2);
	unlink(MOD3);
}

/*
 * ACPI S5 with the FADT's PM1a_CNT and the DSDT's \_S5 powers off (exit
 * 0); the FADT's reset register resets (exit 3). The guest would go on
 * with "still running" and exit 7.
 */
TEST_F_TIMEOUT(tool, x86_acpi_poweroff_and_reset, 60)
{
	const char * const off[] = {
		"--mem", "64", "--no-irqchip", "--append", "poweroff exit=9",
		fw_guest("bin"), NULL
	};
	const char * const reset[] = {
		"--mem", "64", "--no-irqchip", "--append", "reset exit=9",
		fw_guest("elf"), NULL
	};

	EXPECT_EQ(0, run_tool(off));
	EXPECT_OUTPUT(firmware_out(true, 1, false, "mods: count 0\n"),
		      "poweroff: SLP_TYP 0 | SLP_EN to 0x604\n");
	EXPECT_EQ(3, run_tool(reset));
	EXPECT_OUTPUT(firmware_out(true, 1, false, "mods: count 0\n"),
		      "reset: 0x6 to 0xcf9\n");
}

/*
 * With the in-kernel APIC: the UART's interrupt through the I/O APIC
 * (pin 4) and the local APIC. THR empty does not reach the bus without
 * OUT2, does once with it; the one byte of input interrupts.
 */
TEST_F_TIMEOUT(tool, x86_uart_interrupts, 60)
{
	const char * const args[] = {
		"--mem", "64", "--append", "irq", fw_guest("bin"), NULL
	};

	if (!x86_apic())
		SKIP(return, NO_APIC_REASON);
	EXPECT_EQ(0, run_tool_input(args, "k"));
	EXPECT_OUTPUT(firmware_out(true, 1, true, "mods: count 0\n"),
		      "irq: THR empty without OUT2: interrupts 0\n"
		      "irq: with OUT2: interrupts 1, iir 0x2\n"
		      "irq: received data: interrupts 1, iir 0x4, rbr k\n"
		      "irq: other interrupts 0\n" END_OK);
}

/*
 * With the in-kernel APIC a Multiboot image boots with --cpus: vCPU 0
 * runs, the others wait for INIT/SIPI (this guest sends none), and the
 * MADT lists them all.
 */
TEST_F_TIMEOUT(tool, x86_multiboot_cpus_wait_for_sipi, 60)
{
	const char * const args[] = {
		"--mem", "64", "--cpus", "4", fw_guest("bin"), NULL
	};

	if (!x86_apic())
		SKIP(return, NO_APIC_REASON);
	EXPECT_EQ(0, run_tool(args));
	EXPECT_OUTPUT(firmware_out(true, 4, true, "mods: count 0\n"), END_OK);
}

#endif

TEST_HARNESS_MAIN
