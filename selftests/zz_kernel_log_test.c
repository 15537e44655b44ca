// SPDX-License-Identifier: GPL-2.0
/*
 * The last test binary (the test machines run them in name order, hence
 * the name): everything before it, every load, unload, hotplug, KVM and
 * guest test, left no minihv error (e.g. "the hyp stub does not answer
 * after give-back") and no kernel warning in the log.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <string.h>
#include <sys/klog.h>

#include "kselftest_harness.h"
#include "lib/minihv_util.h"

/* The documented load refusals, which the tests provoke on purpose. */
static const char * const refusals[] = {
	"minihv: VMX is already in use",
	"minihv: no VT-x",
	"minihv: EL2 is not the kernel's hyp stub",
};

static bool is_refusal(const char *line)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(refusals); i++)
		if (strstr(line, refusals[i]))
			return true;
	return false;
}

TEST(kernel_log_clean)
{
	static char buf[1 << 17];
	char *line, *save = NULL;
	int n, bad = 0;

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

		/* WARN() and BUG() splats, not pr_warn() texts. */
		if (minihv_err || strstr(line, "WARNING: CPU:") ||
		    strstr(line, "BUG: ") || strstr(line, "Oops")) {
			TH_LOG("%s", line);
			bad++;
		}
	}
	EXPECT_EQ(0, bad);
}

TEST_HARNESS_MAIN
