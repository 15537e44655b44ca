// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the minihv kselftests.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "minihv_util.h"

bool minihv_loaded(void)
{
	return access(MINIHV_DEV, F_OK) == 0;
}

const char *minihv_absent_reason(void)
{
	return MINIHV_DEV " is absent: minihv.ko is not loaded (no VT-x or EL2 here? see dmesg)";
}

bool minihv_can_run(void)
{
	int dev = minihv_open(), ret;

	if (dev < 0)
		return false;
	ret = ioctl(dev, MINIHV_CHECK_EXTENSION, MINIHV_CAP_RUN);
	close(dev);
	return ret > 0;
}

int minihv_open(void)
{
	return open(MINIHV_DEV, O_RDWR | O_CLOEXEC);
}

int minihv_create_vm(int dev)
{
	return ioctl(dev, MINIHV_CREATE_VM, 0);
}

int minihv_info(struct minihv_info *mi)
{
	int dev = minihv_open(), ret = 0;

	if (dev < 0)
		return -errno;
	if (ioctl(dev, MINIHV_GET_INFO, mi) < 0)
		ret = -errno;
	close(dev);
	return ret;
}

int minihv_set_region(int vm, unsigned int slot, unsigned long long gpa,
		      unsigned long long size, void *uaddr)
{
	struct minihv_userspace_memory_region mr = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (unsigned long)uaddr,
	};

	return ioctl(vm, MINIHV_SET_USER_MEMORY_REGION, &mr);
}

long meminfo_kb(const char *field)
{
	char line[256];
	size_t len = strlen(field);
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, len) && line[len] == ':') {
			kb = strtol(line + len + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return kb;
}

int online_cpus(void)
{
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

const char *minihv_ko_path(void)
{
	const char *p = getenv("MINIHV_KO");

	return p && *p ? p : NULL;
}

int minihv_insmod(void)
{
	return minihv_insmod_params("");
}

int minihv_insmod_params(const char *params)
{
	const char *path = minihv_ko_path();
	int fd, ret = 0;

	if (!path)
		return -ENOENT;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, params, 0) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int minihv_rmmod(void)
{
	if (syscall(SYS_delete_module, "minihv", O_NONBLOCK) < 0)
		return -errno;
	return 0;
}
