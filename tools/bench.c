// SPDX-License-Identifier: GPL-2.0
/*
 * minihv bench: run the micro-benchmarks (tools/bench.h) and report, per
 * benchmark and back end, the minimum, median and mean cost of one
 * operation over the samples, as a table and optionally a CSV file.
 *
 * Back ends: minihv (/dev/minihv). The KVM back end, which runs the same
 * guest code under /dev/kvm for the side-by-side ratio, is not built yet:
 * --backend kvm|both says so and exits 2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "../selftests/lib/guest.h"
#include "bench.h"
#include "minihv.h"

struct vcpu_runner {
	pthread_t thread;
	struct guest *g;
	int vcpu, ret;
};

static void pin(int vcpu)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	if (n < 2)
		return;
	CPU_ZERO(&set);
	CPU_SET(vcpu % n, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* vCPU 0's UCALL_DONE must report @iters; then the guest's samples. */
static int collect(struct guest *g, uint64_t iters,
		   const uint64_t *guest_samples, uint64_t *samples)
{
	struct minihv_run *run = g->run[0];

	/* Everything but the end is handled in the kernel. */
	if (run->exit_reason != MINIHV_EXIT_HYPERCALL ||
	    run->hypercall.args[0] != UCALL_DONE ||
	    run->hypercall.args[1] != iters) {
		fprintf(stderr, "minihv: bench guest: exit %u, ucall %#llx %#llx\n",
			run->exit_reason,
			(unsigned long long)run->hypercall.args[0],
			(unsigned long long)run->hypercall.args[1]);
		return -EIO;
	}
	memcpy(samples, guest_mem(g, guest_samples), iters * sizeof(*samples));
	return 0;
}

static void *vcpu_runner(void *arg)
{
	struct vcpu_runner *r = arg;

	pin(r->vcpu);
	r->ret = guest_run(r->g, r->vcpu);
	return NULL;
}

int bench_run_guest_smp(uint64_t (*fn)(uint64_t), bool irqchip,
			int nr_vcpus, uint64_t iters,
			const uint64_t *guest_samples, uint64_t *samples)
{
	struct vcpu_runner others[GUEST_MAX_VCPUS];
	struct guest g;
	int i, ret;

	memset(&g, 0xff, sizeof(g));
	g.image = NULL;
	ret = bench_guest_create(&g, nr_vcpus, fn, iters, irqchip);
	if (ret)
		goto out;
	for (i = 1; i < nr_vcpus; i++) {
		others[i].g = &g;
		others[i].vcpu = i;
		pthread_create(&others[i].thread, NULL, vcpu_runner, &others[i]);
	}
	pin(0);
	ret = guest_run(&g, 0);
	for (i = 1; i < nr_vcpus; i++) {
		pthread_join(others[i].thread, NULL);
		ret = ret ? ret : others[i].ret;
	}
	if (!ret)
		ret = collect(&g, iters, guest_samples, samples);
out:
	guest_destroy(&g);
	return ret;
}

int bench_run_guest(uint64_t (*fn)(uint64_t), bool irqchip, uint64_t iters,
		    const uint64_t *guest_samples, uint64_t *samples)
{
	return bench_run_guest_smp(fn, irqchip, 1, iters, guest_samples,
				   samples);
}

int bench_ioeventfd(struct guest *g, uint64_t addr, uint32_t len, int fd)
{
	struct minihv_ioeventfd a = { .addr = addr, .len = len, .fd = fd };

	return ioctl(g->vm, MINIHV_IOEVENTFD, &a) ? -errno : 0;
}

int bench_irqfd(struct guest *g, int fd, uint32_t gsi)
{
	struct minihv_irqfd a = { .fd = fd, .irq = gsi };

	return ioctl(g->vm, MINIHV_IRQFD, &a) ? -errno : 0;
}

/*
 * The device side of io_in and io_out, a host thread on a CPU of its own
 * (CPU 1 where there is one; the vCPU is on CPU 0). @word is the host's
 * view of a guest global (guest_mem), read or written once per sample.
 */
struct io_device {
	pthread_t thread;
	int efd;
	uint64_t *word;
	uint64_t iters;
	int stop;		/* LOAD_ONCE / STORE_ONCE */
};

/*
 * io_in: blocked in read() on the ioeventfd's eventfd; on each wake, the
 * number of doorbell writes seen so far into the guest's @word, which the
 * guest spins on.
 */
static void *io_in_device(void *arg)
{
	struct io_device *d = arg;
	uint64_t n = 0, v;

	pin(1);
	while (n < d->iters) {
		if (read(d->efd, &v, sizeof(v)) != sizeof(v) ||
		    LOAD_ONCE(d->stop))
			break;
		n += v;
		__atomic_store_n(d->word, n, __ATOMIC_RELEASE);
	}
	return NULL;
}

/*
 * io_out: polls the guest's @word (its request count) until it moves,
 * then writes the irqfd's eventfd once per request. It yields between
 * polls: the irqfd's injection runs in a worker bound to this CPU, which
 * a thread spinning here would hold off for a whole time slice.
 */
static void *io_out_device(void *arg)
{
	struct io_device *d = arg;
	uint64_t n = 0, one = 1;

	pin(1);
	while (n < d->iters && !LOAD_ONCE(d->stop)) {
		if (__atomic_load_n(d->word, __ATOMIC_ACQUIRE) == n) {
			sched_yield();
			continue;
		}
		n++;
		if (write(d->efd, &one, sizeof(one)) != sizeof(one))
			break;
	}
	return NULL;
}

int bench_run_io(uint64_t (*fn)(uint64_t), bool out, uint64_t addr,
		 uint64_t iters, uint64_t *word,
		 const uint64_t *guest_samples, uint64_t *samples)
{
	struct io_device d = { .iters = iters };
	bool started = false;
	uint64_t one = 1;
	struct guest g;
	int ret;

	memset(&g, 0xff, sizeof(g));
	g.image = NULL;
	d.efd = eventfd(0, 0);
	if (d.efd < 0)
		return -errno;
	ret = bench_guest_create(&g, 1, fn, iters, true);
	if (ret)
		goto out;
	d.word = guest_mem(&g, word);
	ret = out ? bench_irqfd(&g, d.efd, addr) :
		    bench_ioeventfd(&g, addr, 4, d.efd);
	if (ret)
		goto out;
	ret = -pthread_create(&d.thread, NULL,
			      out ? io_out_device : io_in_device, &d);
	if (ret)
		goto out;
	started = true;
	pin(0);
	ret = guest_run(&g, 0);
	if (!ret)
		ret = collect(&g, iters, guest_samples, samples);
out:
	if (started) {
		/* A guest that stopped early: wake the device to end it. */
		STORE_ONCE(d.stop, 1);
		if (!out && write(d.efd, &one, sizeof(one)) != sizeof(one))
			ret = ret ? ret : -errno;
		pthread_join(d.thread, NULL);
	}
	guest_destroy(&g);
	close(d.efd);
	return ret;
}

static void bench_usage(FILE *f)
{
	unsigned int i;

	fprintf(f,
		"usage: minihv bench [options]\n"
		"  --backend <minihv|kvm|both>  the hypervisor (default minihv;\n"
		"                     the KVM back end is not built yet)\n"
		"  --iterations <n>   samples per benchmark (default 1000, at most %d)\n"
		"  --only <name>      one benchmark\n"
		"  --csv <file>       also write machine,benchmark,backend,min,\n"
		"                     median,mean,iterations rows there\n"
		"  --machine <name>   the CSV's machine column (default: uname -m)\n"
		"benchmarks (one operation, timed in batches, in %s):\n",
		BENCH_MAX_ITERS, bench_unit);
	for (i = 0; i < bench_count; i++)
		fprintf(f, "  %-16s %s: %s\n", bench_list[i].name,
			bench_list[i].title, bench_list[i].what);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct stats {
	double min, median, mean;
};

/* Per operation: each sample is one batch. */
static void summarize(uint64_t *s, uint64_t n, unsigned int batch,
		      struct stats *st)
{
	double sum = 0;
	uint64_t i;

	qsort(s, n, sizeof(*s), cmp_u64);
	for (i = 0; i < n; i++)
		sum += s[i];
	st->min = (double)s[0] / batch;
	st->median = (n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0) /
		     batch;
	st->mean = sum / n / batch;
}

int cmd_bench(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "only", required_argument, NULL, 'o' },
		{ "csv", required_argument, NULL, 'c' },
		{ "machine", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const char *backend = "minihv", *only = NULL, *csv = NULL;
	const char *machine = NULL;
	unsigned long iters = 1000;
	struct utsname u;
	uint64_t *samples;
	FILE *out = NULL;
	unsigned int i, ran = 0;
	int c, ret = 0;
	char *end;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			backend = optarg;
			break;
		case 'n':
			errno = 0;
			iters = strtoul(optarg, &end, 0);
			if (errno || *end || !iters || iters > BENCH_MAX_ITERS) {
				fprintf(stderr, "minihv: --iterations must be 1..%d\n",
					BENCH_MAX_ITERS);
				return 2;
			}
			break;
		case 'o':
			only = optarg;
			break;
		case 'c':
			csv = optarg;
			break;
		case 'm':
			machine = optarg;
			break;
		case 'h':
			bench_usage(stdout);
			return 0;
		default:
			bench_usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		bench_usage(stderr);
		return 2;
	}
	if (!strcmp(backend, "kvm") || !strcmp(backend, "both")) {
		fprintf(stderr, "minihv: the KVM back end of minihv bench is not built yet: --backend minihv only\n");
		return 2;
	}
	if (strcmp(backend, "minihv")) {
		fprintf(stderr, "minihv: --backend is minihv, kvm or both\n");
		return 2;
	}
	for (i = 0; i < bench_count; i++)
		if (!only || !strcmp(only, bench_list[i].name))
			break;
	if (i == bench_count) {
		fprintf(stderr, "minihv: no benchmark '%s' (minihv bench --help)\n",
			only);
		return 2;
	}
	if (!machine)
		machine = uname(&u) ? "unknown" : u.machine;
	samples = calloc(iters, sizeof(*samples));
	if (!samples)
		return 1;
	if (csv) {
		out = fopen(csv, "w");
		if (!out) {
			perror(csv);
			free(samples);
			return 1;
		}
		fprintf(out, "machine,benchmark,backend,min,median,mean,iterations\n");
	}

	printf("%-16s %-8s %12s %12s %12s  (%s per operation, %lu samples)\n",
	       "benchmark", "backend", "min", "median", "mean", bench_unit,
	       iters);
	for (i = 0; i < bench_count; i++) {
		const struct bench *b = &bench_list[i];
		struct stats st;
		int r;

		if (only && strcmp(only, b->name))
			continue;
		r = b->run(iters, samples);
		if (r == BENCH_NOT_YET) {
			printf("%-16s %-8s %12s\n", b->name, backend, "not yet");
			continue;
		}
		if (r) {
			fprintf(stderr, "minihv: bench %s: %s\n", b->name,
				strerror(-r));
			ret = 1;
			continue;
		}
		summarize(samples, iters, b->batch, &st);
		printf("%-16s %-8s %12.1f %12.1f %12.1f\n", b->name, backend,
		       st.min, st.median, st.mean);
		if (out)
			fprintf(out, "%s,%s,%s,%.1f,%.1f,%.1f,%lu\n", machine,
				b->name, backend, st.min, st.median, st.mean,
				iters);
		ran++;
	}
	if (out && fclose(out)) {
		perror(csv);
		ret = 1;
	}
	free(samples);
	return ret ? ret : ran ? 0 : 1;
}
