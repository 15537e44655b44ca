/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host-side checks the guest tests share. Include after
 * kselftest_harness.h: they report through the running test.
 */
#ifndef MINIHV_SELFTEST_GUEST_CHECK_H
#define MINIHV_SELFTEST_GUEST_CHECK_H

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "guest.h"

/* One line saying what a vCPU's last exit was, for failure messages. */
static inline const char *exit_str(const struct minihv_run *run, char *buf,
				   size_t n)
{
	switch (run->exit_reason) {
	case MINIHV_EXIT_HYPERCALL:
		snprintf(buf, n, "hypercall %#llx (%#llx %#llx %#llx %#llx)",
			 run->hypercall.nr, run->hypercall.args[0],
			 run->hypercall.args[1], run->hypercall.args[2],
			 run->hypercall.args[3]);
		break;
	case MINIHV_EXIT_IO:
		snprintf(buf, n, "io %s port %#x size %u count %u",
			 run->io.direction == MINIHV_EXIT_IO_OUT ? "out" : "in",
			 run->io.port, run->io.size, run->io.count);
		break;
	case MINIHV_EXIT_MMIO:
		snprintf(buf, n, "mmio %s %#llx len %u",
			 run->mmio.is_write ? "write" : "read",
			 run->mmio.phys_addr, run->mmio.len);
		break;
	case MINIHV_EXIT_FAIL_ENTRY:
		snprintf(buf, n, "failed entry %#llx on CPU %u",
			 run->fail_entry.hardware_entry_failure_reason,
			 run->fail_entry.cpu);
		break;
	case MINIHV_EXIT_INTERNAL:
		snprintf(buf, n, "internal %u: %#llx %#llx %#llx %#llx",
			 run->internal.suberror, run->internal.data[0],
			 run->internal.data[1], run->internal.data[2],
			 run->internal.data[3]);
		break;
	default:
		snprintf(buf, n, "exit reason %u", run->exit_reason);
	}
	return buf;
}

/*
 * Run a vCPU and expect a MINIHV_HCALL_EXIT ucall; returns its code
 * (~0 for any other exit, which fails the test).
 */
static inline uint64_t run_vcpu_to_ucall(struct __test_metadata *_metadata,
					 struct guest *g, int vcpu)
{
	struct minihv_run *run = g->run[vcpu];
	char why[160];

	EXPECT_EQ(0, guest_run(g, vcpu))
		TH_LOG("RUN failed: %s", strerror(errno));
	EXPECT_EQ(MINIHV_EXIT_HYPERCALL, run->exit_reason)
		TH_LOG("vCPU %d: %s", vcpu, exit_str(run, why, sizeof(why)));
	if (run->exit_reason != MINIHV_EXIT_HYPERCALL)
		return ~0ULL;
	EXPECT_EQ(MINIHV_HCALL_EXIT, run->hypercall.nr);
	if (run->hypercall.args[0] == UCALL_EXCEPTION)
		TH_LOG("guest exception: vector %llu, syndrome %#llx at %#llx",
		       run->hypercall.args[3], run->hypercall.args[1],
		       run->hypercall.args[2]);
	if (run->hypercall.args[0] == UCALL_IRQ_IF_CLEAR)
		TH_LOG("interrupt %llu taken with IF clear at %#llx",
		       run->hypercall.args[3], run->hypercall.args[2]);
	return run->hypercall.args[0];
}

static inline uint64_t run_to_ucall(struct __test_metadata *_metadata,
				    struct guest *g)
{
	return run_vcpu_to_ucall(_metadata, g, 0);
}

/*
 * Run vCPU 0 to its next MMIO exit and check it; for a write compare the
 * data, for a read answer with data.
 */
static inline void expect_mmio(struct __test_metadata *_metadata,
			       struct guest *g, uint64_t addr, uint32_t len,
			       bool write, uint64_t data)
{
	struct minihv_run *run = g->run[0];
	uint64_t seen = 0;
	char why[160];

	ASSERT_EQ(0, guest_run(g, 0));
	ASSERT_EQ(MINIHV_EXIT_MMIO, run->exit_reason)
		TH_LOG("expected mmio at %#llx: %s", (unsigned long long)addr,
		       exit_str(run, why, sizeof(why)));
	EXPECT_EQ(addr, run->mmio.phys_addr);
	EXPECT_EQ(len, run->mmio.len);
	EXPECT_EQ(write, run->mmio.is_write);
	if (write) {
		memcpy(&seen, run->mmio.data, len);
		EXPECT_EQ(data, seen) TH_LOG("data written at %#llx",
					     (unsigned long long)addr);
	} else {
		memcpy(run->mmio.data, &data, len);
	}
}

/* One RUN of a vCPU in a thread of its own, and what it exited with. */
struct vcpu_thread {
	pthread_t thread;
	struct guest *g;
	int vcpu;
	int ret;			/* of the RUN */
	uint32_t exit_reason;
	uint64_t ucall, value;		/* hypercall args[0] and [1] */
	uint64_t rip, vector;		/* and [2], [3] (UCALL_EXCEPTION's) */
};

static inline void *vcpu_thread_fn(void *arg)
{
	struct vcpu_thread *t = arg;
	struct minihv_run *run = t->g->run[t->vcpu];

	t->ret = guest_run(t->g, t->vcpu);
	t->exit_reason = run->exit_reason;
	t->ucall = run->hypercall.args[0];
	t->value = run->hypercall.args[1];
	t->rip = run->hypercall.args[2];
	t->vector = run->hypercall.args[3];
	return NULL;
}

/* 0, or pthread_create's error. */
static inline int start_vcpu(struct vcpu_thread *t, struct guest *g, int vcpu)
{
	t->g = g;
	t->vcpu = vcpu;
	return pthread_create(&t->thread, NULL, vcpu_thread_fn, t);
}

/*
 * Run vCPUs 0..n-1 in threads of their own until each reports
 * UCALL_DONE; values[i] gets vCPU i's result.
 */
static inline void run_vcpus_to_done(struct __test_metadata *_metadata,
				     struct guest *g, int n, uint64_t *values)
{
	struct vcpu_thread t[GUEST_MAX_VCPUS];
	int i;

	for (i = 0; i < n; i++)
		ASSERT_EQ(0, start_vcpu(&t[i], g, i));
	for (i = 0; i < n; i++) {
		pthread_join(t[i].thread, NULL);
		EXPECT_EQ(0, t[i].ret) TH_LOG("vCPU %d: RUN %d", i, t[i].ret);
		EXPECT_EQ(MINIHV_EXIT_HYPERCALL, t[i].exit_reason);
		EXPECT_EQ(UCALL_DONE, t[i].ucall)
			TH_LOG("vCPU %d: ucall %#llx", i,
			       (unsigned long long)t[i].ucall);
		values[i] = t[i].value;
	}
}

#endif /* MINIHV_SELFTEST_GUEST_CHECK_H */
