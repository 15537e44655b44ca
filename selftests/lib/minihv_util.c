// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the minihv kselftests.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <sched.h>
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

/*
 * A test killed for its time (by the harness, which kills its process
 * group) leaves the VMs of its processes to be torn down as they exit:
 * on a slow kernel the next test would find MINIHV_MAX_VMS still taken.
 * Poll every 100 ms, at most @seconds: the seconds waited (0 at once
 * when none is left, or the module is absent), or -ETIMEDOUT.
 */
int minihv_wait_no_vms(int seconds)
{
	struct minihv_info mi;
	int i;

	for (i = 0; i < seconds * 10; i++) {
		if (minihv_info(&mi) || !mi.nr_vms)
			return i / 10;
		usleep(100 * 1000);
	}
	return -ETIMEDOUT;
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

/* MINIHV_CAP_IRQCHIP: the in-kernel interrupt controllers, 0 if none. */
int minihv_irqchip_types(void)
{
	int dev = minihv_open(), caps;

	caps = dev < 0 ? 0 : ioctl(dev, MINIHV_CHECK_EXTENSION,
				   MINIHV_CAP_IRQCHIP);
	if (dev >= 0)
		close(dev);
	return caps < 0 ? 0 : caps;
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

/* Pages on the per-CPU free lists (/proc/zoneinfo "count:"), in kB. */
static long pcp_kb(void)
{
	char line[256];
	long pages = 0;
	FILE *f = fopen("/proc/zoneinfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " ");

		if (!strncmp(p, "count:", 6))
			pages += strtol(p + 6, NULL, 10);
	}
	fclose(f);
	return pages * (sysconf(_SC_PAGESIZE) / 1024);
}

/*
 * Free memory as the buddy allocator and the per-CPU lists hold it,
 * once it has settled: MemFree alone swings by megabytes with what
 * the per-CPU lists keep, and a process's memory is still being freed
 * for a moment after it was reaped. Two readings 100 ms apart within
 * 64 kB, or the last of 20.
 */
long free_kb_settled(void)
{
	long last = -1, now;
	int i;

	for (i = 0; i < 20; i++) {
		now = meminfo_kb("MemFree") + pcp_kb();
		if (last >= 0 && labs(now - last) < 64)
			break;
		last = now;
		usleep(100 * 1000);
	}
	return now;
}

/*
 * Unreclaimable slab once every cache has been shrunk: a shrink frees a
 * cache's empty slabs and, on a KASAN kernel, the objects its quarantine
 * still holds (up to 1/32 of memory, counted as slab until then).
 */
long slab_unreclaimable_kb_settled(void)
{
	glob_t g;
	size_t i;

	if (!glob("/sys/kernel/slab/*/shrink", 0, NULL, &g)) {
		for (i = 0; i < g.gl_pathc; i++)
			write_file(g.gl_pathv[i], "1");
		globfree(&g);
	}
	return meminfo_kb("SUnreclaim");
}

/*
 * How often the interrupt whose action is @name fired, summed over the
 * CPUs (its /proc/interrupts line ends with the name); -1 if none.
 */
long long irq_count(const char *name)
{
	char line[1024], *p, *end;
	long long total = -1;
	size_t len = strlen(name);
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		size_t n = strcspn(line, "\n");

		line[n] = '\0';
		if (n < len || strcmp(line + n - len, name))
			continue;
		p = strchr(line, ':');
		if (!p)
			continue;
		total = 0;
		for (p++;; p = end) {
			long long v = strtoll(p, &end, 10);

			if (end == p)
				break;
			total += v;
		}
		break;
	}
	fclose(f);
	return total;
}

int online_cpus(void)
{
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

int pin_cpu(int cpu)
{
	cpu_set_t set;
	int i;

	CPU_ZERO(&set);
	for (i = 0; i < CPU_SETSIZE; i++)
		if (i == cpu || cpu < 0)
			CPU_SET(i, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* The first bytes of a file as a string; "" if it cannot be read. */
static void read_head(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	buf[0] = '\0';
	if (fd < 0)
		return;
	n = read(fd, buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
}

int read_line(const char *path, char *buf, size_t size)
{
	read_head(path, buf, size);
	buf[strcspn(buf, "\n")] = '\0';
	return buf[0] ? 0 : -1;
}

long read_long(const char *path)
{
	char buf[32] = "";

	read_head(path, buf, sizeof(buf));
	return buf[0] ? atol(buf) : -1;
}

unsigned long long read_ull(const char *path, int base)
{
	char buf[32] = "";

	read_head(path, buf, sizeof(buf));
	return strtoull(buf, NULL, base);
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

/*
 * Unload and load again with @params ("" for the defaults). If the load
 * with @params fails, the defaults are loaded instead, so the tests after
 * the caller still find minihv.
 */
int minihv_reload_params(const char *params)
{
	int ret = minihv_rmmod();

	if (ret)
		return ret;
	ret = minihv_insmod_params(params);
	if (ret && *params)
		minihv_insmod();
	return ret;
}
