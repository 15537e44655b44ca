// SPDX-License-Identifier: GPL-2.0
/*
 * minihv bench --scale: how a hypervisor holds up beyond one small VM,
 * measured through the same back-end ops as the micro-benchmarks (struct
 * guest_hv), so minihv and KVM run the same code. Reported figures, not
 * tests:
 *
 *   vm_cycle   VM create + destroy (the device opened, a VM and one vCPU
 *              with its run area made, everything closed): host ns per
 *              cycle, and the host's free memory before and after;
 *   fairness   64 VMs x 2 vCPUs on the host's CPUs, each vCPU making
 *              no-op hypercalls as fast as it can: the progress of the
 *              slowest vCPU against the fastest over a fixed window;
 *   big_guest  a guest of 1 GiB of RAM backed by transparent huge pages:
 *              the share its tables map with 2 MiB blocks (minihv's
 *              GET_VM_INFO; KVM's debugfs counts where it has them), and
 *              the guest's own time to write one word in every 4 KiB page
 *              once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "../selftests/lib/guest.h"
#include "bench.h"
#include "kvm.h"

#define SCALE_VMS	64
#define SCALE_VCPUS	2
#define HUGE		(2ULL << 20)

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * MemAvailable in kB, or 0 if /proc/meminfo cannot say, with the caches
 * the cycles grow and the kernel may drop (dentries of the VMs' debugfs
 * directories, slabs) dropped first, so that what is left is what stays.
 */
static unsigned long mem_available_kb(void)
{
	unsigned long kb = 0;
	char line[128];
	FILE *f = fopen("/proc/sys/vm/drop_caches", "w");

	if (f) {
		fputs("3\n", f);
		fclose(f);
	}
	f = fopen("/proc/meminfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %lu kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void report(FILE *csv, const char *machine, const char *measure,
		   double value, const char *unit, const char *detail)
{
	printf("%-12s %-8s %14.1f %-20s %s\n", measure, guest_hv->name, value,
	       unit, detail);
	if (csv)
		fprintf(csv, "%s,%s,%s,%.1f,%s,\"%s\"\n", machine, measure,
			guest_hv->name, value, unit, detail);
}

/* VM create + destroy, @n times after a warm-up of n / 10. */
static int vm_cycle(unsigned long n, FILE *csv, const char *machine)
{
	unsigned long i, warm = n / 10, before = 0;
	uint64_t *t, t0;
	struct guest g;
	char detail[160];
	long delta;
	int ret = 0;

	t = calloc(n, sizeof(*t));
	if (!t)
		return -ENOMEM;
	for (i = 0; i < warm + n && !ret; i++) {
		if (i == warm)
			before = mem_available_kb();
		guest_init(&g);
		t0 = now_ns();
		ret = guest_hv->create_vm(&g);
		if (!ret)
			ret = guest_hv->create_vcpu(&g, 0);
		guest_destroy(&g);
		if (i >= warm)
			t[i - warm] = now_ns() - t0;
	}
	if (ret) {
		fprintf(stderr, "minihv: scale: VM cycle %lu under %s: %s\n",
			i, guest_hv->name, strerror(-ret));
		free(t);
		return ret;
	}
	/* What the last VMs freed may still be on its way (RCU, workers). */
	usleep(200000);
	delta = (long)before - (long)mem_available_kb();
	qsort(t, n, sizeof(*t), bench_cmp_u64);
	snprintf(detail, sizeof(detail),
		 "median of %lu cycles (min %llu); MemAvailable %+ld kB over them",
		 n, (unsigned long long)t[0], -delta);
	report(csv, machine, "vm_cycle", t[n / 2], "host ns/cycle", detail);
	free(t);
	return 0;
}

/* fairness: each VM's own copy of these (its RAM is the binary). */
static uint64_t scale_stop;
static uint64_t scale_calls[SCALE_VCPUS];

static uint64_t guest_hypercalls(uint64_t unused)
{
	uint64_t id = guest_vcpu_id(), n = 0;

	while (!LOAD_ONCE(scale_stop)) {
		guest_hcall(MINIHV_HCALL_NOP, 0, 0, 0, 0, 0, 0);
		STORE_ONCE(scale_calls[id], ++n);
	}
	return n;
}

struct fair_vcpu {
	pthread_t thread;
	struct guest *g;
	int vcpu, ret;
	bool started;
};

static void *fair_runner(void *arg)
{
	struct fair_vcpu *v = arg;

	v->ret = guest_run(v->g, v->vcpu);
	return NULL;
}

static int fairness(unsigned int window_ms, FILE *csv, const char *machine)
{
	static uint64_t start[SCALE_VMS * SCALE_VCPUS];
	static uint64_t done[SCALE_VMS * SCALE_VCPUS];
	struct fair_vcpu v[SCALE_VMS * SCALE_VCPUS] = { };
	struct guest *g;
	unsigned int i, k, nv = SCALE_VMS * SCALE_VCPUS, zero = 0;
	uint64_t *calls, code, val;
	char detail[200];
	int ret = 0;

	g = calloc(SCALE_VMS, sizeof(*g));
	if (!g)
		return -ENOMEM;
	for (i = 0; i < SCALE_VMS; i++)
		guest_init(&g[i]);
	for (i = 0; i < SCALE_VMS && !ret; i++)
		ret = bench_guest_create(&g[i], SCALE_VCPUS, guest_hypercalls,
					 0, false);
	if (ret) {
		fprintf(stderr, "minihv: scale: VM %u of %d under %s: %s\n",
			i, SCALE_VMS, guest_hv->name, strerror(-ret));
		goto out;
	}
	for (k = 0; k < nv && !ret; k++) {
		v[k].g = &g[k / SCALE_VCPUS];
		v[k].vcpu = k % SCALE_VCPUS;
		ret = -pthread_create(&v[k].thread, NULL, fair_runner, &v[k]);
		v[k].started = !ret;
	}
	/*
	 * Start-up order must not count: the window opens once every vCPU
	 * has made a call (an emulator under load takes seconds to start
	 * 128 threads), or after ten windows, when the late ones count as
	 * starved.
	 */
	for (i = 0; i < 40; i++) {
		usleep(window_ms * 250);
		for (k = 0; k < nv; k++) {
			calls = guest_mem(v[k].g, scale_calls);
			if (!LOAD_ONCE(calls[v[k].vcpu]))
				break;
		}
		if (k == nv)
			break;
	}
	for (k = 0; k < nv; k++) {
		calls = guest_mem(v[k].g, scale_calls);
		start[k] = LOAD_ONCE(calls[v[k].vcpu]);
	}
	usleep(window_ms * 1000);
	for (k = 0; k < nv; k++) {
		calls = guest_mem(v[k].g, scale_calls);
		done[k] = LOAD_ONCE(calls[v[k].vcpu]) - start[k];
		zero += !done[k];
	}
	for (i = 0; i < SCALE_VMS; i++)
		STORE_ONCE(*(uint64_t *)guest_mem(&g[i], &scale_stop), 1);
	for (k = 0; k < nv; k++) {
		if (!v[k].started)
			continue;
		pthread_join(v[k].thread, NULL);
		if (!ret && v[k].ret)
			ret = v[k].ret;
		if (!ret && (g[0].hv->ucall(v[k].g, v[k].vcpu, &code, &val) ||
			     code != UCALL_DONE))
			ret = -EIO;
	}
	if (ret) {
		fprintf(stderr, "minihv: scale: the 64 VMs under %s: %s\n",
			guest_hv->name, strerror(-ret));
		goto out;
	}
	qsort(done, nv, sizeof(*done), bench_cmp_u64);
	snprintf(detail, sizeof(detail),
		 "%u vCPUs in %u ms: hypercalls min %llu median %llu max %llu; %u made none",
		 nv, window_ms, (unsigned long long)done[0],
		 (unsigned long long)done[nv / 2],
		 (unsigned long long)done[nv - 1], zero);
	report(csv, machine, "fairness", done[nv - 1] ?
	       100.0 * done[0] / done[nv - 1] : 0, "% slowest/fastest",
	       detail);
out:
	for (i = 0; i < SCALE_VMS; i++)
		guest_destroy(&g[i]);
	free(g);
	return ret;
}

/* big_guest: where the extra RAM is and how many pages it has. */
static uint64_t scale_base, scale_pages, scale_ticks;

static uint64_t guest_touch(uint64_t unused)
{
	uint64_t *p = (uint64_t *)(uintptr_t)scale_base;
	uint64_t i, pages = LOAD_ONCE(scale_pages), t0 = bench_counter();

	for (i = 0; i < pages; i++)
		STORE_ONCE(p[i * 512], i);
	STORE_ONCE(scale_ticks, bench_counter() - t0);
	return pages;
}

/* One number from a KVM VM's debugfs directory, or -1. */
static long long kvm_stat(const struct guest *g, const char *name)
{
	char path[96];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/kvm/%d-%d/%s",
		 getpid(), g->vm, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/*
 * The guest's leaves by size: minihv's GET_VM_INFO, or KVM's own counts
 * where it keeps them (x86's pages_4k/2m/1g; arm64 KVM has none in 6.1).
 */
static bool leaves(const struct guest *g, struct minihv_vm_info *vi)
{
	long long k4, m2, g1;

	if (g->hv == &guest_hv_minihv)
		return !ioctl(g->vm, MINIHV_GET_VM_INFO, vi);
	k4 = kvm_stat(g, "pages_4k");
	m2 = kvm_stat(g, "pages_2m");
	g1 = kvm_stat(g, "pages_1g");
	if (k4 < 0 || m2 < 0 || g1 < 0)
		return false;
	vi->leaves_4k = k4;
	vi->leaves_2m = m2;
	vi->leaves_1g = g1;
	return true;
}

/*
 * A guest of @mib MiB of RAM: slot 0 the binary, slot 1 the rest of
 * @mib from the next 2 MiB boundary on, in the GiB the guest library
 * maps as RAM. The memory is 2 MiB-aligned and THP-advised, so a host
 * with huge pages can back it with them.
 */
static int big_guest(unsigned long mib, FILE *csv, const char *machine)
{
	struct minihv_vm_info vi = { };
	uint64_t gpa, size = 0, pages, code, val, t0, set_ns, i, touch;
	char *raw = MAP_FAILED, *mem;
	struct guest g;
	char detail[200], unit[32];
	int ret;

	guest_init(&g);
	ret = bench_guest_create(&g, 1, guest_touch, 0, false);
	if (ret)
		goto out;
	gpa = (g.image_gpa + g.image_size + HUGE - 1) & ~(HUGE - 1);
	if (gpa >= (mib << 20) || (mib << 20) > (1ULL << 30)) {
		ret = -EINVAL;
		goto out;
	}
	size = (mib << 20) - gpa;
	pages = size / 4096;
	raw = mmap(NULL, size + HUGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED) {
		ret = -errno;
		goto out;
	}
	mem = (char *)(((uintptr_t)raw + HUGE - 1) & ~(HUGE - 1));
	madvise(mem, size, MADV_HUGEPAGE);
	/* minihv pins (and so faults in) the slot here; KVM maps on fault. */
	t0 = now_ns();
	ret = g.hv->set_region(&g, 1, gpa, size, mem);
	set_ns = now_ns() - t0;
	if (ret)
		goto out;
	STORE_ONCE(*(uint64_t *)guest_mem(&g, &scale_base), gpa);
	STORE_ONCE(*(uint64_t *)guest_mem(&g, &scale_pages), pages);
	ret = guest_run(&g, 0);
	if (!ret && (g.hv->ucall(&g, 0, &code, &val) ||
		     code != UCALL_DONE || val != pages))
		ret = -EIO;
	/* Every page holds its own index: the guest's writes are there. */
	for (i = 0; !ret && i < pages; i += 4099 % pages + 1)
		if (((uint64_t *)mem)[i * 512] != i)
			ret = -EIO;
	if (ret)
		goto out;
	touch = bench_to_unit(LOAD_ONCE(*(uint64_t *)guest_mem(&g,
							      &scale_ticks)));
	snprintf(detail, sizeof(detail),
		 "%llu pages of %lu MiB RAM in %llu %s; set-region %.1f host ms",
		 (unsigned long long)pages, mib, (unsigned long long)touch,
		 bench_unit, set_ns / 1e6);
	snprintf(unit, sizeof(unit), "%s/page", bench_unit);
	report(csv, machine, "big_touch", (double)touch / pages, unit,
	       detail);
	if (leaves(&g, &vi)) {
		uint64_t bytes = vi.leaves_4k * 4096 + vi.leaves_2m * HUGE +
				 vi.leaves_1g * (1ULL << 30);

		snprintf(detail, sizeof(detail),
			 "%llu 1 GiB, %llu 2 MiB and %llu 4 KiB leaves",
			 (unsigned long long)vi.leaves_1g,
			 (unsigned long long)vi.leaves_2m,
			 (unsigned long long)vi.leaves_4k);
		report(csv, machine, "big_2m_share",
		       bytes ? 100.0 * vi.leaves_2m * HUGE / bytes : 0,
		       "% of RAM mapped", detail);
	} else {
		printf("%-12s %-8s %14s %-20s %s\n", "big_2m_share",
		       guest_hv->name, "n/a", "",
		       "this kernel's KVM does not count its leaves here");
	}
out:
	if (ret)
		fprintf(stderr, "minihv: scale: the big guest under %s: %s\n",
			guest_hv->name, strerror(-ret));
	guest_destroy(&g);
	if (raw != MAP_FAILED)
		munmap(raw, size + HUGE);
	return ret;
}

int bench_scale(const struct bench_scale_opts *o, FILE *csv,
		const char *machine)
{
	int ret = 0;

	if (o->vm_cycles)
		ret |= vm_cycle(o->vm_cycles, csv, machine);
	if (o->window_ms)
		ret |= fairness(o->window_ms, csv, machine);
	if (o->big_mib)
		ret |= big_guest(o->big_mib, csv, machine);
	return ret ? -EIO : 0;
}
