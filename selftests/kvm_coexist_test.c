// SPDX-License-Identifier: GPL-2.0
/*
 * minihv and KVM (kvm_intel) on one machine: whoever holds VMX first
 * keeps it, and the other one is refused cleanly, in both directions.
 * Uses Debian's kvm modules shipped beside minihv.ko (<dir>/kvm/).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/minihv_util.h"

static const char * const kvm_modules[] = { "irqbypass", "kvm", "kvm-intel" };

static int load_ko(const char *dir, const char *name)
{
	char path[640];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%.500s/%.100s.ko", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST)
		ret = -errno;
	close(fd);
	return ret;
}

static void unload_kvm(void)
{
	syscall(SYS_delete_module, "kvm_intel", O_NONBLOCK);
	syscall(SYS_delete_module, "kvm", O_NONBLOCK);
	syscall(SYS_delete_module, "irqbypass", O_NONBLOCK);
}

static bool kernel_log_has(const char *text)
{
	static char buf[1 << 17];
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof(buf) - 1);

	if (n <= 0)
		return false;
	buf[n] = '\0';
	return strstr(buf, text);
}

FIXTURE(kvm) {
	char dir[512];
};

/* KVM loads with minihv out of the way, then minihv comes back first. */
FIXTURE_SETUP(kvm)
{
	char ko[512];
	unsigned int i;

	REQUIRE_MINIHV_SETUP();
	if (!minihv_ko_path())
		SKIP(_exit(255), "MINIHV_KO is unset: no module to reload");
	snprintf(ko, sizeof(ko), "%s", minihv_ko_path());
	snprintf(self->dir, sizeof(self->dir), "%.500s/kvm", dirname(ko));
	if (access(self->dir, R_OK))
		SKIP(_exit(255), "no KVM modules in %s (x86 machine only)",
		     self->dir);

	ASSERT_EQ(0, minihv_rmmod());
	for (i = 0; i < ARRAY_SIZE(kvm_modules); i++) {
		const char *name = kvm_modules[i];

		ASSERT_EQ(0, load_ko(self->dir, name)) TH_LOG("%s.ko", name);
	}
	ASSERT_EQ(0, minihv_insmod());
}

FIXTURE_TEARDOWN(kvm)
{
	unload_kvm();
	if (!minihv_loaded())
		minihv_insmod();
}

/* minihv holds VMX: KVM's VM creation finds CR4.VMXE set and gives up. */
TEST_F_TIMEOUT(kvm, kvm_vm_refused_while_minihv_loaded, 120)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, kvm);
	errno = 0;
	EXPECT_EQ(-1, ioctl(kvm, KVM_CREATE_VM, 0));
	EXPECT_EQ(EBUSY, errno);
	close(kvm);

	/* minihv is unharmed: every CPU still answers. */
	struct minihv_info mi;

	ASSERT_EQ(0, minihv_info(&mi));
	EXPECT_EQ(online_cpus(), mi.nr_cpus_enabled);
}

/* A KVM VM holds VMX: minihv refuses to load, and loads once it is gone. */
TEST_F_TIMEOUT(kvm, minihv_refused_while_kvm_vm_runs, 120)
{
	struct minihv_info mi;
	int kvm, vm;

	ASSERT_EQ(0, minihv_rmmod());
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, kvm);
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	ASSERT_LE(0, vm) TH_LOG("KVM_CREATE_VM: %s", strerror(errno));

	EXPECT_EQ(-EBUSY, minihv_insmod());
	EXPECT_FALSE(minihv_loaded());
	EXPECT_TRUE(kernel_log_has("minihv: VMX is already in use"));

	close(vm);
	close(kvm);
	ASSERT_EQ(0, minihv_insmod());
	ASSERT_EQ(0, minihv_info(&mi));
	EXPECT_EQ(online_cpus(), mi.nr_cpus_enabled);
}

TEST_HARNESS_MAIN
