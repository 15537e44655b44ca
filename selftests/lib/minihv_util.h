/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the minihv kselftests.
 */
#ifndef MINIHV_SELFTEST_UTIL_H
#define MINIHV_SELFTEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "../../uapi/minihv.h"

#define MINIHV_DEV	"/dev/minihv"

/* Skip (not fail) when the module is absent, saying why. */
#define REQUIRE_MINIHV() do {						\
	if (!minihv_loaded())						\
		SKIP(return, "%s", minihv_absent_reason());		\
} while (0)

/*
 * The same from a FIXTURE_SETUP: 6.1's harness would still run the test
 * body after a SKIP there, so end the test child the way the harness
 * reports a skip (exit status 255; the reason is in shared memory).
 */
#define REQUIRE_MINIHV_SETUP() do {					\
	if (!minihv_loaded())						\
		SKIP(_exit(255), "%s", minihv_absent_reason());		\
} while (0)

/* The same for tests that run guests: minihv must be able to here. */
#define REQUIRE_GUESTS_SETUP() do {					\
	REQUIRE_MINIHV_SETUP();						\
	if (!minihv_can_run())						\
		SKIP(_exit(255), "guests cannot run in this mode yet (MINIHV_CAP_RUN = 0)"); \
} while (0)

/*
 * For tests that run the tool, which takes VMs of its own: first those
 * of a test killed before (minihv_wait_no_vms) must be gone.
 */
#define WAIT_NO_VMS_SETUP() do {					\
	int waited_ = minihv_wait_no_vms(600);				\
									\
	ASSERT_LE(0, waited_)						\
		TH_LOG("the VMs of an earlier test still live after 600 s"); \
	if (waited_)							\
		TH_LOG("waited %d s for an earlier test's VMs to go", waited_); \
} while (0)

bool minihv_loaded(void);
bool minihv_can_run(void);
const char *minihv_absent_reason(void);

int minihv_open(void);				/* /dev/minihv or -1 */
int minihv_create_vm(int dev);			/* VM fd or -1 */
int minihv_info(struct minihv_info *mi);	/* 0 or -errno */
int minihv_irqchip_types(void);			/* MINIHV_CAP_IRQCHIP */
int minihv_wait_no_vms(int seconds);	/* seconds waited, -ETIMEDOUT */
int minihv_set_region(int vm, unsigned int slot, unsigned long long gpa,
		      unsigned long long size, void *uaddr);

long meminfo_kb(const char *field);		/* e.g. "MemFree" */
long free_kb_settled(void);	/* MemFree + per-CPU lists, settled */
long slab_unreclaimable_kb_settled(void);	/* SUnreclaim, caches shrunk */
long long irq_count(const char *name);		/* /proc/interrupts */
int online_cpus(void);
int pin_cpu(int cpu);	/* this thread to @cpu, or to every CPU for -1 */
int write_file(const char *path, const char *s);
/* A number at the start of a file: -1 / 0 if it cannot be read. */
long read_long(const char *path);
unsigned long long read_ull(const char *path, int base);
/* The first line of a file, without its newline: 0, or -1 if empty. */
int read_line(const char *path, char *buf, size_t size);

/* The path of minihv.ko, from $MINIHV_KO; NULL if unset. */
const char *minihv_ko_path(void);
int minihv_insmod(void);			/* 0 or -errno */
int minihv_insmod_params(const char *params);
int minihv_rmmod(void);				/* 0 or -errno */
int minihv_reload_params(const char *params);	/* 0 or -errno */

#endif /* MINIHV_SELFTEST_UTIL_H */
