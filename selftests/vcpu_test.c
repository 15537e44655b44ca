// SPDX-License-Identifier: GPL-2.0
/*
 * vCPUs: ids and limits, the mmap'd run area, registers, and RUN.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/minihv_util.h"

FIXTURE(vm) {
	int dev, vm;
};

FIXTURE_SETUP(vm)
{
	REQUIRE_MINIHV_SETUP();
	self->dev = minihv_open();
	ASSERT_LE(0, self->dev);
	self->vm = minihv_create_vm(self->dev);
	ASSERT_LE(0, self->vm);
}

FIXTURE_TEARDOWN(vm)
{
	close(self->vm);
	close(self->dev);
}

TEST_F(vm, create_up_to_limit_and_one_past)
{
	int fds[MINIHV_MAX_VCPUS], i;

	/* Ids need not be dense: use every fourth one. */
	for (i = 0; i < MINIHV_MAX_VCPUS; i++) {
		fds[i] = ioctl(self->vm, MINIHV_CREATE_VCPU, i * 4 % 256);
		ASSERT_LE(0, fds[i]) TH_LOG("vCPU %d: %s", i, strerror(errno));
	}
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->vm, MINIHV_CREATE_VCPU, 1));
	EXPECT_EQ(ENOSPC, errno);
	for (i = 0; i < MINIHV_MAX_VCPUS; i++)
		close(fds[i]);
	/* vCPUs live as long as their VM: the limit still holds. */
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->vm, MINIHV_CREATE_VCPU, 1));
	EXPECT_EQ(ENOSPC, errno);
}

TEST_F(vm, duplicate_id)
{
	int a = ioctl(self->vm, MINIHV_CREATE_VCPU, 7);

	ASSERT_LE(0, a);
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->vm, MINIHV_CREATE_VCPU, 7));
	EXPECT_EQ(EEXIST, errno);
	close(a);
}

TEST_F(vm, id_too_big)
{
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->vm, MINIHV_CREATE_VCPU, MINIHV_MAX_VCPU_ID + 1));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->vm, MINIHV_CREATE_VCPU, -1UL));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(vm, run_area_mmap)
{
	long size = ioctl(self->dev, MINIHV_GET_VCPU_MMAP_SIZE, 0);
	int vcpu = ioctl(self->vm, MINIHV_CREATE_VCPU, 0);
	struct minihv_run *run, *again;

	ASSERT_LE(0, vcpu);
	ASSERT_LE((long)sizeof(struct minihv_run), size);
	run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	ASSERT_NE(MAP_FAILED, run);
	EXPECT_EQ(0, run->exit_reason);

	/* Two mappings see the same page. */
	again = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	ASSERT_NE(MAP_FAILED, again);
	run->immediate_exit = 0x5a;
	EXPECT_EQ(0x5a, again->immediate_exit);
	munmap(again, size);

	/* Past the run area, or at an offset: refused. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 2 * size, PROT_READ, MAP_SHARED,
				   vcpu, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, size, PROT_READ, MAP_SHARED, vcpu,
				   size));
	EXPECT_EQ(EINVAL, errno);

	/* The mapping keeps the vCPU (and VM) alive after close. */
	close(vcpu);
	close(self->vm);
	self->vm = -1;
	run->immediate_exit = 1;
	EXPECT_EQ(1, run->immediate_exit);
	munmap(run, size);
}

TEST_F(vm, regs_round_trip)
{
	struct minihv_regs regs, back;
	int vcpu = ioctl(self->vm, MINIHV_CREATE_VCPU, 0);

	ASSERT_LE(0, vcpu);
	ASSERT_EQ(0, ioctl(vcpu, MINIHV_GET_REGS, &regs));
#if defined(__aarch64__)
	/* Reset state: EL1h with DAIF masked, as after PSCI CPU_ON. */
	EXPECT_EQ(0x3c5, regs.pstate);
	EXPECT_EQ(0, regs.pc);
	for (int i = 0; i < 31; i++)
		regs.x[i] = 0x1000 + i;
	regs.pc = 0x40080000;
	regs.sp = 0x40100000;
#else
	/* Reset state: the architectural one (SDM 10.1.1). */
	EXPECT_EQ(0xfff0, regs.rip);
	EXPECT_EQ(0x2, regs.rflags);
	regs.rax = 0x1111;
	regs.r15 = 0xffff;
	regs.rip = 0x7c00;
	regs.rflags = 0x202;
#endif
	ASSERT_EQ(0, ioctl(vcpu, MINIHV_SET_REGS, &regs));
	memset(&back, 0xee, sizeof(back));
	ASSERT_EQ(0, ioctl(vcpu, MINIHV_GET_REGS, &back));
	EXPECT_EQ(0, memcmp(&regs, &back, sizeof(regs)));
	close(vcpu);
}

TEST_F(vm, bad_regs)
{
	struct minihv_regs regs, back;
	int vcpu = ioctl(self->vm, MINIHV_CREATE_VCPU, 0);

	ASSERT_LE(0, vcpu);
	ASSERT_EQ(0, ioctl(vcpu, MINIHV_GET_REGS, &regs));
	back = regs;
#if defined(__aarch64__)
	regs.pstate = 0x10;		/* AArch32 user mode */
	errno = 0;
	EXPECT_EQ(-1, ioctl(vcpu, MINIHV_SET_REGS, &regs));
	EXPECT_EQ(EINVAL, errno);
	regs.pstate = 0x9;		/* EL2h: not for a guest */
#else
	regs.rflags = 0;		/* bit 1 is fixed to 1 */
	errno = 0;
	EXPECT_EQ(-1, ioctl(vcpu, MINIHV_SET_REGS, &regs));
	EXPECT_EQ(EINVAL, errno);
	regs.rflags = 0x2 | (1ULL << 40);	/* reserved bit */
#endif
	errno = 0;
	EXPECT_EQ(-1, ioctl(vcpu, MINIHV_SET_REGS, &regs));
	EXPECT_EQ(EINVAL, errno);
	/* Refused regs leave the old ones in place. */
	ASSERT_EQ(0, ioctl(vcpu, MINIHV_GET_REGS, &regs));
	EXPECT_EQ(0, memcmp(&regs, &back, sizeof(regs)));
	errno = 0;
	EXPECT_EQ(-1, ioctl(vcpu, MINIHV_SET_REGS, 8));
	EXPECT_EQ(EFAULT, errno);
	close(vcpu);
}

/* Until guests can run, RUN says so plainly instead of faking an exit. */
TEST_F(vm, run_not_yet)
{
	int vcpu = ioctl(self->vm, MINIHV_CREATE_VCPU, 0);

	ASSERT_LE(0, vcpu);
	if (ioctl(self->dev, MINIHV_CHECK_EXTENSION, MINIHV_CAP_RUN) > 0)
		SKIP(return, "guests can run: covered by the guest tests");
	errno = 0;
	EXPECT_EQ(-1, ioctl(vcpu, MINIHV_RUN, 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
	close(vcpu);
}

TEST_HARNESS_MAIN
