// SPDX-License-Identifier: GPL-2.0
/*
 * The last test binary (the test machines run them in name order, hence
 * the name): everything before it, every load, unload, hotplug, KVM and
 * guest test, left no minihv error (e.g. "the hyp stub does not answer
 * after give-back") and no kernel warning in the log, from minihv's
 * first load on: a report of the boot before it (the x86 debug kernel's
 * UBSAN on Bochs' CPU topology) is shown, not counted, as no minihv
 * code had run.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/klog.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/minihv_util.h"

/* The documented load refusals, which the tests provoke on purpose. */
static const char * const refusals[] = {
	"minihv: VMX is already in use",
	"minihv: no VT-x",
	"minihv: EL2 is not the kernel's hyp stub",
	"minihv: this CPU is affected by Spectre",
};

static bool is_refusal(const char *line)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(refusals); i++)
		if (strstr(line, refusals[i]))
			return true;
	return false;
}

/* A log line's text: past its "<level>" and "[ seconds]" prefixes. */
static const char *text_of(const char *line)
{
	const char *end = *line == '<' ? strchr(line, '>') : NULL;

	if (end)
		line = end + 1;
	end = *line == '[' ? strchr(line, ']') : NULL;
	if (end)
		line = end + 1;
	while (*line == ' ')
		line++;
	return line;
}

TEST(kernel_log_clean)
{
	static char buf[1 << 17];
	char *line, *save = NULL;
	int n, bad = 0, before = 0;
	bool loaded = false;

	if (!minihv_loaded())
		SKIP(return, "minihv is not loaded: its refusal is an error line");
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof(buf) - 1);
	ASSERT_LT(0, n);
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		/* "<3>" and above: error, critical, alert, emergency. */
		bool minihv_err = line[0] == '<' && line[1] <= '3' &&
				  strstr(line, "minihv: ") && !is_refusal(line);

		/* The kernel's "minihv: loading ..." line comes first. */
		loaded |= strstr(line, "minihv: ") != NULL;

		/*
		 * WARN() and BUG() splats, not pr_warn() texts; the debug
		 * kernel's checkers: KASAN and KFENCE ("BUG: KASAN: ..."),
		 * lockdep ("WARNING: possible circular locking ..." as the
		 * whole text, unlike "RETBleed: WARNING: ..."), UBSAN.
		 */
		if (minihv_err || strstr(line, "WARNING: CPU:") ||
		    !strncmp(text_of(line), "WARNING: ", 9) ||
		    strstr(line, "BUG: ") || strstr(line, "Oops") ||
		    strstr(line, "UBSAN: ")) {
			TH_LOG("%s%s", loaded ? "" : "(before minihv) ", line);
			if (loaded)
				bad++;
			else
				before++;
		}
	}
	if (before)
		TH_LOG("%d report(s) of the boot, before minihv's first load", before);
	EXPECT_EQ(0, bad);
}

/*
 * Every test before has ended, so every VM with it: none is left and no
 * guest page is still pinned. The wait is for the VMs of a test killed
 * for its time, whose processes may still be tearing them down.
 */
FIXTURE(vms) {};
FIXTURE_SETUP(vms) {}
FIXTURE_TEARDOWN(vms) {}

TEST_F_TIMEOUT(vms, none_left, 400)
{
	struct minihv_info mi;
	int waited;

	if (!minihv_loaded())
		SKIP(return, "%s", minihv_absent_reason());
	waited = minihv_wait_no_vms(300);
	ASSERT_EQ(0, minihv_info(&mi));
	EXPECT_LE(0, waited) TH_LOG("%u VM(s) still alive after 300 s", mi.nr_vms);
	EXPECT_EQ(0, mi.nr_vms);
	EXPECT_EQ(0, mi.pinned_pages);
}

#define KMEMLEAK	"/sys/kernel/debug/kmemleak"

FIXTURE(scan) {};
FIXTURE_SETUP(scan) {}
FIXTURE_TEARDOWN(scan) {}

/*
 * The debug kernel's kmemleak, scanned now: no unreferenced object. Its
 * reports name objects at least 5 s old, hence a second scan after 6 s.
 * A scan reads all of RAM: seconds under QEMU, minutes under Bochs.
 */
TEST_F_TIMEOUT(scan, kmemleak_clean, 900)
{
	char line[512];
	int objects = 0;
	FILE *f;

	if (access(KMEMLEAK, F_OK))
		SKIP(return, "no kmemleak in this kernel (make check-debug's has it)");
	ASSERT_EQ(0, write_file(KMEMLEAK, "scan"));
	sleep(6);
	ASSERT_EQ(0, write_file(KMEMLEAK, "scan"));
	f = fopen(KMEMLEAK, "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		objects += !strncmp(line, "unreferenced object", 19);
		line[strcspn(line, "\n")] = '\0';
		if (objects && objects <= 4)
			TH_LOG("%s", line);
	}
	fclose(f);
	EXPECT_EQ(0, objects);
}

TEST_HARNESS_MAIN
