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
	/*
	 * Also right after a mapping of the run area, where the kernel
	 * would extend that mapping instead of asking minihv (the fuzzer
	 * found it: the page past the run area, then touched, was SIGBUS).
	 */
	again = mmap(NULL, 2 * size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		     -1, 0);
	ASSERT_NE(MAP_FAILED, again);
	EXPECT_EQ(again, mmap(again, size, PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_FIXED, vcpu, 0));
	EXPECT_EQ(MAP_FAILED, mmap((char *)again + size, size,
				   PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_FIXED, vcpu, size));
	EXPECT_EQ(EINVAL, errno);
	munmap(again, 2 * size);

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

#if defined(__x86_64__)
/* The state of SDM 10.1.1 after power-on: real mode at f000:fff0. */
TEST_F(vm, x86_sregs_reset_state)
{
	struct minihv_sregs sr;
	int vcpu = ioctl(self->vm, MINIHV_CREATE_VCPU, 0);

	ASSERT_LE(0, vcpu);
	ASSERT_EQ(0, ioctl(vcpu, MINIHV_GET_SREGS, &sr));
	EXPECT_EQ(0xf000, sr.cs.selector);
	EXPECT_EQ(0xffff0000, sr.cs.base);
	EXPECT_EQ(0xffff, sr.cs.limit);
	EXPECT_EQ(0xb, sr.cs.type);
	EXPECT_EQ(1, sr.cs.s);
	EXPECT_EQ(1, sr.cs.present);
	EXPECT_EQ(0, sr.ds.base);
	EXPECT_EQ(0x3, sr.ss.type);
	EXPECT_EQ(0, sr.tr.s);
	EXPECT_EQ(0, sr.ldt.s);
	EXPECT_EQ(0x60000010, sr.cr0);		/* CD, NW, ET */
	EXPECT_EQ(0, sr.cr3);
	EXPECT_EQ(0, sr.cr4);
	EXPECT_EQ(0, sr.efer);
	EXPECT_EQ(0xffff, sr.idt.limit);
	close(vcpu);
}

/* 64-bit long mode state goes in and comes back unchanged. */
TEST_F(vm, x86_sregs_round_trip)
{
	struct minihv_sregs sr, back;
	int vcpu = ioctl(self->vm, MINIHV_CREATE_VCPU, 0);

	ASSERT_LE(0, vcpu);
	ASSERT_EQ(0, ioctl(vcpu, MINIHV_GET_SREGS, &sr));
	sr.cs.selector = 0x8;
	sr.cs.base = 0;
	sr.cs.limit = 0xffffffff;
	sr.cs.l = 1;
	sr.cs.g = 1;
	sr.gdt.base = 0x1000;
	sr.gdt.limit = 0x17;
	sr.cr0 = 0x80050033;			/* PG, AM, WP, NE, ET, MP, PE */
	sr.cr3 = 0x2000;
	sr.cr4 = 0x20;				/* PAE */
	sr.efer = 0x500;			/* LME, LMA */
	ASSERT_EQ(0, ioctl(vcpu, MINIHV_SET_SREGS, &sr));
	memset(&back, 0xee, sizeof(back));
	ASSERT_EQ(0, ioctl(vcpu, MINIHV_GET_SREGS, &back));
	EXPECT_EQ(0, memcmp(&sr, &back, sizeof(sr)));
	close(vcpu);
}

/* State a VM entry would refuse is refused here, leaving the old state. */
TEST_F(vm, x86_sregs_invalid)
{
	struct minihv_sregs good, sr, back;
	int vcpu = ioctl(self->vm, MINIHV_CREATE_VCPU, 0);

	ASSERT_LE(0, vcpu);
	ASSERT_EQ(0, ioctl(vcpu, MINIHV_GET_SREGS, &good));

	sr = good;
	sr.cr0 = 0x80000000;			/* PG without PE */
	EXPECT_EQ(-1, ioctl(vcpu, MINIHV_SET_SREGS, &sr));
	EXPECT_EQ(EINVAL, errno);
	sr = good;
	sr.cr0 = 0x20000000;			/* NW without CD */
	EXPECT_EQ(-1, ioctl(vcpu, MINIHV_SET_SREGS, &sr));
	EXPECT_EQ(EINVAL, errno);
	sr = good;
	sr.cr4 = 0x2000;			/* VMXE: no nesting */
	EXPECT_EQ(-1, ioctl(vcpu, MINIHV_SET_SREGS, &sr));
	EXPECT_EQ(EINVAL, errno);
	sr = good;
	sr.efer = 0x400;			/* LMA without LME and paging */
	EXPECT_EQ(-1, ioctl(vcpu, MINIHV_SET_SREGS, &sr));
	EXPECT_EQ(EINVAL, errno);
	sr = good;
	sr.efer = 1ULL << 20;			/* reserved */
	EXPECT_EQ(-1, ioctl(vcpu, MINIHV_SET_SREGS, &sr));
	EXPECT_EQ(EINVAL, errno);
	sr = good;
	sr.cr3 = 1ULL << 60;			/* beyond MAXPHYADDR */
	EXPECT_EQ(-1, ioctl(vcpu, MINIHV_SET_SREGS, &sr));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(vcpu, MINIHV_SET_SREGS, 8));
	EXPECT_EQ(EFAULT, errno);

	ASSERT_EQ(0, ioctl(vcpu, MINIHV_GET_SREGS, &back));
	EXPECT_EQ(0, memcmp(&good, &back, sizeof(good)));
	close(vcpu);
}
#endif

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
