/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAP lines for the tool's host tests (the *_test.c beside it): one "ok" or
 * "not ok" per check, the value got on a failure, the plan at the end.
 */
#ifndef MINIHV_TOOLS_TESTS_TAP_H
#define MINIHV_TOOLS_TESTS_TAP_H

#include <stdbool.h>
#include <stdio.h>

static int tap_failed, tap_n;

static void check(bool ok, const char *what, long got)
{
	tap_n++;
	printf("%sok %d - %s", ok ? "" : "not ", tap_n, what);
	if (!ok) {
		printf(" (got 0x%lx)", got);
		tap_failed++;
	}
	printf("\n");
}

#define CHECK_EQ(want, expr, what) do {					\
	long got_ = (long)(expr);					\
	check(got_ == (long)(want), what, got_);			\
} while (0)

/* The plan, and main()'s exit code. */
static int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif /* MINIHV_TOOLS_TESTS_TAP_H */
