// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection on minihv's paths (the debug kernel's failslab and
 * fail_page_alloc, filtered to calls made from minihv's code): VMs made,
 * run and closed while one allocation in ten fails. Each failure must be
 * a clean -ENOMEM from the ioctl that allocated; at the end nothing is
 * left (VMs, pinned pages), and zz_kernel_log_test finds no report.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/guest.h"
#include "lib/guest_check.h"
#include "lib/minihv_util.h"

#define FAILSLAB	"/sys/kernel/debug/failslab"
#define FAIL_PAGE	"/sys/kernel/debug/fail_page_alloc"
#define ROUNDS		200

static const char * const attrs[] = { FAILSLAB, FAIL_PAGE };

static int set_attr(const char *dir, const char *name, const char *value)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return write_file(path, value);
}

/* Fail @percent of the allocations with minihv's code on the stack. */
static int inject(unsigned int percent)
{
	unsigned long long text, size;
	char start[32], end[32], p[8];
	unsigned int i;
	int ret = 0;

	text = read_ull("/sys/module/minihv/sections/.text", 16);
	size = read_ull("/sys/module/minihv/coresize", 10);
	if (!text || !size)
		return -ENOENT;
	snprintf(start, sizeof(start), "%#llx", text);
	snprintf(end, sizeof(end), "%#llx", text + size);
	snprintf(p, sizeof(p), "%u", percent);
	for (i = 0; i < ARRAY_SIZE(attrs); i++) {
		ret |= set_attr(attrs[i], "probability", "0");
		ret |= set_attr(attrs[i], "interval", "1");
		ret |= set_attr(attrs[i], "times", "-1");
		ret |= set_attr(attrs[i], "verbose", "0");
		ret |= set_attr(attrs[i], "task-filter", "N");
		ret |= set_attr(attrs[i], "stacktrace-depth", "32");
		ret |= set_attr(attrs[i], "require-start", start);
		ret |= set_attr(attrs[i], "require-end", end);
		ret |= set_attr(attrs[i], "ignore-gfp-wait", "N");
		ret |= set_attr(attrs[i], "probability", p);
	}
	return ret;
}

static uint64_t guest_sum(uint64_t n)
{
	uint64_t i, sum = 0;

	for (i = 1; i <= n; i++)
		sum += i;
	return sum;
}

TEST(failing_allocations_give_clean_errors)
{
	struct minihv_info before, after;
	int i, made = 0, failed = 0, ret;
	struct guest g;

	REQUIRE_MINIHV();
	if (!minihv_can_run())
		SKIP(return, "guests cannot run in this mode yet (MINIHV_CAP_RUN = 0)");
	if (access(FAILSLAB, F_OK) || access(FAIL_PAGE, F_OK))
		SKIP(return, "no failslab / fail_page_alloc (make check-debug's kernel has them)");
	if (access(FAILSLAB "/require-start", F_OK))
		SKIP(return, "no stack-trace filter (x86_64 has none): failures could not be kept to minihv's calls");
	ASSERT_EQ(0, minihv_info(&before));
	ASSERT_EQ(0, inject(10));
	for (i = 0; i < ROUNDS; i++) {
		ret = guest_create(&g, 2, guest_sum, 100);
		if (ret) {
			EXPECT_EQ(-ENOMEM, ret) TH_LOG("round %d: %s", i,
						       strerror(-ret));
			guest_destroy(&g);	/* what was made before */
			failed++;
			continue;
		}
		made++;
		ret = guest_run(&g, 0);
		if (!ret && g.run[0]->exit_reason == MINIHV_EXIT_HYPERCALL &&
		    g.run[0]->hypercall.args[0] == UCALL_DONE) {
			EXPECT_EQ(5050, g.run[0]->hypercall.args[1]);
		} else if (ret) {
			EXPECT_EQ(-ENOMEM, ret) TH_LOG("round %d: RUN %s", i,
						       strerror(-ret));
		}
		guest_destroy(&g);
		if (_metadata->passed != 1)
			break;
	}
	EXPECT_EQ(0, inject(0));
	TH_LOG("%d VMs made, %d refused with ENOMEM", made, failed);
	/* Both must have happened, or the injection missed minihv. */
	EXPECT_LT(0, made);
	EXPECT_LT(0, failed);
	ASSERT_EQ(0, minihv_info(&after));
	EXPECT_EQ(before.nr_vms, after.nr_vms);
	EXPECT_EQ(before.pinned_pages, after.pinned_pages);
}

TEST_HARNESS_MAIN
