// SPDX-License-Identifier: GPL-2.0
/*
 * The module's own lifetime: refusal where there is no hardware, rmmod
 * refused while a VM lives, reloads that prove the hardware is handed
 * back each time, and CPU hotplug.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/minihv_util.h"

#define REQUIRE_KO() do {						\
	if (!minihv_ko_path())						\
		SKIP(return, "MINIHV_KO is unset: no module to load");	\
} while (0)

/* The last kernel log line that mentions minihv, or "". */
static void last_minihv_log(char *out, size_t len)
{
	static char buf[1 << 17];
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof(buf) - 1);
	char *line, *save = NULL;

	out[0] = '\0';
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (strstr(line, "minihv: "))
			snprintf(out, len, "%s", line);
}

/* Where the hardware is missing, insmod fails with ENODEV and says why. */
TEST(load_refused_without_hardware)
{
	char line[512];
	int ret;

	REQUIRE_KO();
	if (minihv_loaded())
		SKIP(return, "minihv is loaded here: nothing to refuse");
	ret = minihv_insmod();
	if (!ret)
		minihv_rmmod();
	EXPECT_EQ(-ENODEV, ret);
	last_minihv_log(line, sizeof(line));
	TH_LOG("dmesg: %s", line);
	EXPECT_NE(NULL, strstr(line, "minihv: no VT-x") ?:
			strstr(line, "minihv: this CPU has no EL2"));
}

TEST(rmmod_refused_while_vm_lives)
{
	int dev, vm, vcpu;

	REQUIRE_KO();
	REQUIRE_MINIHV();
	dev = minihv_open();
	ASSERT_LE(0, dev);
	vm = minihv_create_vm(dev);
	ASSERT_LE(0, vm);
	close(dev);

	/* delete_module(O_NONBLOCK) on a module in use: EWOULDBLOCK. */
	EXPECT_EQ(-EWOULDBLOCK, minihv_rmmod());
	EXPECT_TRUE(minihv_loaded());
	vcpu = ioctl(vm, MINIHV_CREATE_VCPU, 0);
	EXPECT_LE(0, vcpu);
	close(vcpu);
	close(vm);

	ASSERT_EQ(0, minihv_rmmod());
	EXPECT_FALSE(minihv_loaded());
	ASSERT_EQ(0, minihv_insmod());
	EXPECT_TRUE(minihv_loaded());
}

FIXTURE(slow) {};
FIXTURE_SETUP(slow) {}
FIXTURE_TEARDOWN(slow) {}

/*
 * GET_INFO asks every CPU at once, and each sets its own bit of one
 * word: asked many times, the count is every online CPU every time. (A
 * non-atomic bit set could lose a CPU; that race shows where the CPUs
 * run the check in step, e.g. right after a load, not in a warm loop.)
 */
#define INFO_ASKS 2000

TEST_F_TIMEOUT(slow, info_counts_every_cpu_every_time, 300)
{
	struct minihv_info mi;
	int i, n = online_cpus(), short_counts = 0, first = -1;

	REQUIRE_MINIHV();
	for (i = 0; i < INFO_ASKS; i++) {
		ASSERT_EQ(0, minihv_info(&mi));
		if (mi.nr_cpus_enabled == (uint32_t)n)
			continue;
		if (first < 0)
			first = mi.nr_cpus_enabled;
		short_counts++;
	}
	EXPECT_EQ(0, short_counts)
		TH_LOG("%d of %d asks counted fewer than %d CPUs (first: %d)",
		       short_counts, INFO_ASKS, n, first);
}

/*
 * Each load probes for free hardware (the hyp stub answering its own
 * "unknown call" error; CR4.VMXE clear), so 20 clean reloads prove that
 * every unload handed EL2 / VMX back on every CPU.
 */
TEST_F_TIMEOUT(slow, reload_20_times, 600)
{
	struct minihv_info mi;
	int i;

	REQUIRE_KO();
	REQUIRE_MINIHV();
	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, minihv_rmmod()) TH_LOG("rmmod #%d", i);
		ASSERT_EQ(0, minihv_insmod()) TH_LOG("insmod #%d", i);
		ASSERT_EQ(0, minihv_info(&mi));
		ASSERT_EQ(online_cpus(), mi.nr_cpus_enabled)
			TH_LOG("reload #%d", i);
	}
}

static int info_has_cpu(const struct minihv_info *mi, int cpu)
{
	return !!(mi->cpus_enabled[cpu / 64] & (1ULL << (cpu % 64)));
}

/* A CPU going offline is given back; coming online, it is taken again. */
TEST_F_TIMEOUT(slow, cpu_hotplug, 120)
{
	const char *ctl = "/sys/devices/system/cpu/cpu1/online";
	struct minihv_info mi;
	int n = online_cpus();

	REQUIRE_KO();
	REQUIRE_MINIHV();
	if (n < 2 || access(ctl, W_OK))
		SKIP(return, "CPU 1 cannot be taken offline here");

	ASSERT_EQ(0, write_file(ctl, "0"));
	ASSERT_EQ(0, minihv_info(&mi));
	EXPECT_EQ(n - 1, mi.nr_cpus_online);
	EXPECT_EQ(n - 1, mi.nr_cpus_enabled);
	EXPECT_FALSE(info_has_cpu(&mi, 1));

	ASSERT_EQ(0, write_file(ctl, "1"));
	ASSERT_EQ(0, minihv_info(&mi));
	EXPECT_EQ(n, mi.nr_cpus_online);
	EXPECT_EQ(n, mi.nr_cpus_enabled);
	EXPECT_TRUE(info_has_cpu(&mi, 1));

	/* A reload with a CPU offline, then that CPU back: still taken. */
	ASSERT_EQ(0, write_file(ctl, "0"));
	ASSERT_EQ(0, minihv_rmmod());
	ASSERT_EQ(0, minihv_insmod());
	ASSERT_EQ(0, write_file(ctl, "1"));
	ASSERT_EQ(0, minihv_info(&mi));
	EXPECT_EQ(n, mi.nr_cpus_enabled);
}

TEST_HARNESS_MAIN
