// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/minihv: API version, extensions, info, VM lifetimes and limits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/mem_check.h"
#include "lib/minihv_util.h"

TEST(api_version)
{
	int dev;

	REQUIRE_MINIHV();
	dev = minihv_open();
	ASSERT_LE(0, dev);
	EXPECT_EQ(MINIHV_API_VERSION, ioctl(dev, MINIHV_GET_API_VERSION, 0));
	EXPECT_EQ(-1, ioctl(dev, MINIHV_GET_API_VERSION, 1));
	EXPECT_EQ(EINVAL, errno);
	close(dev);
}

TEST(extensions)
{
	int dev;

	REQUIRE_MINIHV();
	dev = minihv_open();
	ASSERT_LE(0, dev);
	EXPECT_EQ(1, ioctl(dev, MINIHV_CHECK_EXTENSION, MINIHV_CAP_USER_MEMORY));
	EXPECT_EQ(MINIHV_MAX_VCPUS,
		  ioctl(dev, MINIHV_CHECK_EXTENSION, MINIHV_CAP_NR_VCPUS));
	EXPECT_EQ(MINIHV_MAX_VCPU_ID,
		  ioctl(dev, MINIHV_CHECK_EXTENSION, MINIHV_CAP_MAX_VCPU_ID));
	EXPECT_EQ(MINIHV_MAX_MEMSLOTS,
		  ioctl(dev, MINIHV_CHECK_EXTENSION, MINIHV_CAP_NR_MEMSLOTS));
	EXPECT_EQ(MINIHV_MAX_VMS,
		  ioctl(dev, MINIHV_CHECK_EXTENSION, MINIHV_CAP_MAX_VMS));
	/* Unknown extensions are absent, not errors. */
	EXPECT_EQ(0, ioctl(dev, MINIHV_CHECK_EXTENSION, 12345));
	EXPECT_EQ(getpagesize(), ioctl(dev, MINIHV_GET_VCPU_MMAP_SIZE, 0));
	close(dev);
}

/* The mode must be the one this test machine was booted for. */
TEST(info_mode_matches_machine)
{
	const char *machine = getenv("MINIHV_MACHINE");
	struct minihv_info mi;

	REQUIRE_MINIHV();
	ASSERT_EQ(0, minihv_info(&mi));
	EXPECT_EQ(MINIHV_API_VERSION, mi.api_version);
	if (!machine)
		SKIP(return, "MINIHV_MACHINE unset: no expected mode");
	if (!strcmp(machine, "arm64-vhe")) {
		EXPECT_EQ(MINIHV_ARCH_ARM64, mi.arch);
		EXPECT_EQ(MINIHV_MODE_VHE, mi.mode);
	} else if (!strcmp(machine, "arm64-nvhe")) {
		EXPECT_EQ(MINIHV_ARCH_ARM64, mi.arch);
		EXPECT_EQ(MINIHV_MODE_NVHE, mi.mode);
	} else if (!strcmp(machine, "x86-vmx")) {
		EXPECT_EQ(MINIHV_ARCH_X86_64, mi.arch);
		EXPECT_EQ(MINIHV_MODE_VMX, mi.mode);
	} else {
		SKIP(return, "no expected mode for machine %s", machine);
	}
}

/* Every online CPU answers a live check (EL2 host call / VMPTRST). */
TEST(info_all_cpus_enabled)
{
	struct minihv_info mi;
	int cpu, n = online_cpus();

	REQUIRE_MINIHV();
	ASSERT_EQ(0, minihv_info(&mi));
	EXPECT_EQ(n, mi.nr_cpus_online);
	EXPECT_EQ(n, mi.nr_cpus_enabled);
	for (cpu = 0; cpu < n; cpu++)
		EXPECT_TRUE(mi.cpus_enabled[cpu / 64] & (1ULL << (cpu % 64)));
}

TEST(info_caps)
{
	struct minihv_info mi;

	REQUIRE_MINIHV();
	ASSERT_EQ(0, minihv_info(&mi));
	EXPECT_EQ(MINIHV_MAX_VMS, mi.max_vms);
	EXPECT_EQ(MINIHV_MAX_MEMSLOT_BYTES, mi.max_memslot_bytes);
	EXPECT_LE(32, mi.ipa_bits);
	EXPECT_GE(48, mi.ipa_bits);
	if (mi.arch == MINIHV_ARCH_ARM64) {
		/* QEMU virt with GICv3: list registers are there. */
		EXPECT_NE(0, mi.arch_caps[0]);
		EXPECT_TRUE(mi.arch_caps[1] == 8 || mi.arch_caps[1] == 16);
		EXPECT_EQ(mi.ipa_bits, mi.arch_caps[2]);
		EXPECT_EQ(mi.arch_caps[1], mi.arch_caps[3]);	/* all in use */
		/* With GICv3 virtualization, the vGICv3 (and only it). */
		if (mi.arch_caps[0])
			EXPECT_EQ(1 << MINIHV_IRQCHIP_GICV3,
				  minihv_irqchip_types());
	} else {
		/* VMCS revision id and EPT (bit 33 of PROCBASED_CTLS2). */
		EXPECT_NE(0, mi.arch_caps[0] & 0x7fffffff);
		EXPECT_NE(0, mi.arch_caps[2] & (1ULL << 33));
		EXPECT_NE(0, mi.arch_caps[1]);
		/* Chosen: external-interrupt and NMI exiting (pin 0, 3). */
		EXPECT_EQ(0x9, mi.arch_caps[3] & 0x9);
		/* HLT (7), unconditional I/O (24), secondary controls (31). */
		EXPECT_EQ(0x81000080ULL, (mi.arch_caps[3] >> 32) & 0x81000080);
		/* EPT (1), VPID (5), unrestricted guest (7). */
		EXPECT_EQ(0xa2, mi.arch_caps[4] & 0xa2);
		/* Exit: 64-bit host (9), EFER saved and loaded (20, 21), no
		 * interrupt acknowledged (15); entry: EFER loaded (15).
		 */
		EXPECT_EQ(0x300200, mi.arch_caps[5] & 0x308200);
		EXPECT_EQ(0x8000, (mi.arch_caps[5] >> 32) & 0x8000);
		/* With EPT, CR3 loads and stores need not exit (TRUE MSRs). */
		if (mi.arch_caps[0] & (1ULL << 55))
			EXPECT_EQ(0, (mi.arch_caps[3] >> 32) & 0x18000);
	}
}

TEST(unknown_ioctls)
{
	int dev, vm, vcpu;

	REQUIRE_MINIHV();
	dev = minihv_open();
	ASSERT_LE(0, dev);
	EXPECT_EQ(-1, ioctl(dev, _IO(MINIHVIO, 0x3f), 0));
	EXPECT_EQ(ENOTTY, errno);
	/* A VM ioctl on the device fd is unknown there too. */
	EXPECT_EQ(-1, ioctl(dev, MINIHV_CREATE_VCPU, 0));
	EXPECT_EQ(ENOTTY, errno);

	vm = minihv_create_vm(dev);
	ASSERT_LE(0, vm);
	EXPECT_EQ(-1, ioctl(vm, MINIHV_RUN, 0));
	EXPECT_EQ(ENOTTY, errno);
	vcpu = ioctl(vm, MINIHV_CREATE_VCPU, 0);
	ASSERT_LE(0, vcpu);
	EXPECT_EQ(-1, ioctl(vcpu, MINIHV_CREATE_VM, 0));
	EXPECT_EQ(ENOTTY, errno);
	close(vcpu);
	close(vm);
	close(dev);
}

/* For the tests that need more than the harness's default 30 s. */
FIXTURE(slow) {};
FIXTURE_SETUP(slow) {}
FIXTURE_TEARDOWN(slow) {}

/* 1,000 VMs created and closed, each with a vCPU: nothing may stay behind. */
TEST_F_TIMEOUT(slow, vm_create_close_loop, 300)
{
	struct mem_mark mark;
	int dev, i;

	REQUIRE_MINIHV();
	dev = minihv_open();
	ASSERT_LE(0, dev);
	mem_mark(_metadata, &mark);

	for (i = 0; i < 1000; i++) {
		int vm = minihv_create_vm(dev);
		int vcpu;

		ASSERT_LE(0, vm);
		vcpu = ioctl(vm, MINIHV_CREATE_VCPU, 0);
		ASSERT_LE(0, vcpu);
		close(vcpu);
		close(vm);
	}

	/* A leak of one page per VM would be ~4 MiB; allow 2 MiB of noise. */
	expect_mem_flat(_metadata, &mark, 2048);
	close(dev);
}

TEST(vm_limit)
{
	int dev, vms[MINIHV_MAX_VMS], i, n;
	struct minihv_info mi;

	REQUIRE_MINIHV();
	dev = minihv_open();
	ASSERT_LE(0, dev);
	ASSERT_EQ(0, minihv_info(&mi));
	n = MINIHV_MAX_VMS - mi.nr_vms;
	for (i = 0; i < n; i++) {
		vms[i] = minihv_create_vm(dev);
		ASSERT_LE(0, vms[i]);
	}
	EXPECT_EQ(-1, minihv_create_vm(dev));
	EXPECT_EQ(ENOSPC, errno);
	close(vms[0]);
	vms[0] = minihv_create_vm(dev);
	EXPECT_LE(0, vms[0]);
	for (i = 0; i < n; i++)
		close(vms[i]);
	close(dev);
}

/* Closing /dev/minihv first leaves the VM fully usable. */
TEST(fd_lifetime)
{
	struct minihv_info mi;
	int dev, vm, vcpu;
	void *mem;

	REQUIRE_MINIHV();
	dev = minihv_open();
	ASSERT_LE(0, dev);
	vm = minihv_create_vm(dev);
	ASSERT_LE(0, vm);
	close(dev);

	mem = aligned_alloc(getpagesize(), 4 * getpagesize());
	ASSERT_NE(NULL, mem);
	memset(mem, 0, 4 * getpagesize());
	EXPECT_EQ(0, minihv_set_region(vm, 0, 0x40000000, 4 * getpagesize(),
				       mem));
	vcpu = ioctl(vm, MINIHV_CREATE_VCPU, 0);
	EXPECT_LE(0, vcpu);

	/* The vCPU fd alone keeps the VM (and its pinned pages) alive. */
	close(vm);
	ASSERT_EQ(0, minihv_info(&mi));
	EXPECT_LE(4, mi.pinned_pages);
	EXPECT_LE(1, mi.nr_vms);
	close(vcpu);
	ASSERT_EQ(0, minihv_info(&mi));
	EXPECT_EQ(0, mi.pinned_pages);
	free(mem);
}

TEST_HARNESS_MAIN
