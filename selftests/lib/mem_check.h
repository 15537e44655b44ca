/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a loop of VMs must leave as it found it: minihv's VMs and pinned
 * pages exactly, and free memory (free_kb_settled) within a bound (the
 * kernel's own caches move it a little). Include after kselftest_harness.h.
 */
#ifndef MINIHV_SELFTEST_MEM_CHECK_H
#define MINIHV_SELFTEST_MEM_CHECK_H

#include <unistd.h>

#include "minihv_util.h"

struct mem_mark {
	struct minihv_info info;
	long free_kb;
};

static inline void mem_mark(struct __test_metadata *_metadata,
			    struct mem_mark *m)
{
	ASSERT_EQ(0, minihv_info(&m->info));
	m->free_kb = free_kb_settled();
}

/* Nothing left behind since @m, and free memory down by less than @bound_kb. */
static inline void expect_mem_flat(struct __test_metadata *_metadata,
				   const struct mem_mark *m, long bound_kb)
{
	struct minihv_info now;
	long free_kb;

	ASSERT_EQ(0, minihv_info(&now));
	EXPECT_EQ(m->info.nr_vms, now.nr_vms);
	EXPECT_EQ(m->info.pinned_pages, now.pinned_pages);
	free_kb = free_kb_settled();
	/*
	 * The debug kernel (kmemleak there judges leaks) keeps freed
	 * objects in KASAN's quarantine, up to 1/32 of memory.
	 */
	if (!access("/sys/kernel/debug/kmemleak", F_OK))
		bound_kb += meminfo_kb("MemTotal") / 32;
	EXPECT_GT(bound_kb, m->free_kb - free_kb)
		TH_LOG("free memory dropped by %ld kB (%ld before, %ld after)",
		       m->free_kb - free_kb, m->free_kb, free_kb);
}

#endif /* MINIHV_SELFTEST_MEM_CHECK_H */
