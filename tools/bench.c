// SPDX-License-Identifier: GPL-2.0
/*
 * minihv bench: run the micro-benchmarks (tools/bench.h) and report, per
 * benchmark and back end, the minimum, median and mean cost of one
 * operation over the samples, as a table and optionally a CSV file.
 *
 * Back ends: minihv (/dev/minihv) and KVM (/dev/kvm, tools/kvm.c), the
 * same guest code under each. Both at once alternate in rounds (minihv,
 * KVM, minihv, ...) so that the machine's noise hits both alike; the two
 * cannot hold the hardware at once, so with --module the tool loads
 * minihv for its rounds and unloads it for KVM's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "../selftests/lib/guest.h"
#include "bench.h"
#include "kvm.h"
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

/* Stops the other vCPUs' RUN (EINTR) once vCPU 0 is done. */
static void stop_signal(int sig)
{
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
	uint64_t code = 0, val = 0;
	struct sigaction sa = { .sa_handler = stop_signal };
	struct guest g;
	int i, ret, uc;

	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART: RUN returns */
	guest_init(&g);
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
	/* Everything but the end is handled in the kernel. */
	uc = ret ? ret : g.hv->ucall(&g, 0, &code, &val);
	/*
	 * The others end by themselves once vCPU 0 is done; if it failed,
	 * a signal ends their RUN, so that the error is seen, not a hang.
	 */
	if (!uc && (code != UCALL_DONE || val != iters)) {
		fprintf(stderr, "minihv: bench guest under %s: ucall %#llx %#llx\n",
			g.hv->name, (unsigned long long)code,
			(unsigned long long)val);
		uc = -EIO;
	}
	for (i = 1; i < nr_vcpus; i++) {
		struct minihv_regs regs;

		if (uc)
			pthread_kill(others[i].thread, SIGUSR1);
		pthread_join(others[i].thread, NULL);
		if (!uc && others[i].ret)
			uc = others[i].ret;
		/* Where a vCPU stood when its run failed: a first clue. */
		if (uc && !g.hv->get_regs(&g, i, &regs))
			fprintf(stderr, "minihv: bench: vCPU %d at pc %#llx (run: %s)\n",
				i, (unsigned long long)regs_pc(&regs),
				strerror(-others[i].ret));
	}
	ret = uc;
	if (ret)
		goto out;
	memcpy(samples, guest_mem(&g, guest_samples), iters * sizeof(*samples));
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

/* vCPU 0's UCALL_DONE must report @iters; then the guest's samples. */
static int collect(struct guest *g, uint64_t iters,
		   const uint64_t *guest_samples, uint64_t *samples)
{
	uint64_t code = 0, val = 0;
	int ret = g->hv->ucall(g, 0, &code, &val);

	/* Everything but the end is handled in the kernel. */
	if (ret || code != UCALL_DONE || val != iters) {
		fprintf(stderr, "minihv: bench guest under %s: %s %#llx %#llx\n",
			g->hv->name, ret ? "no ucall" : "ucall",
			(unsigned long long)code, (unsigned long long)val);
		return -EIO;
	}
	memcpy(samples, guest_mem(g, guest_samples), iters * sizeof(*samples));
	return 0;
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
			bench_relax();
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

	guest_init(&g);
	d.efd = eventfd(0, 0);
	if (d.efd < 0)
		return -errno;
	ret = bench_guest_create(&g, 1, fn, iters, true);
	if (ret)
		goto out;
	d.word = guest_mem(&g, word);
	ret = out ? g.hv->irqfd(&g, d.efd, addr) :
		    g.hv->ioeventfd(&g, addr, 4, d.efd);
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

/*
 * VM Switch. Two one-vCPU VMs, each with its own copy of the binary as
 * RAM (slot 0) and one region of the same host pages in both (slot 1,
 * below), their vCPU threads pinned to one CPU: the host's scheduler
 * (CFS, the threads' policy and nice left as they are) switches between
 * them at its tick once a thread has had its slice, and nothing else in
 * the guests exits. Each guest spins reading its counter and stamps the
 * read into the shared region.
 *
 * The VMs' counters have offsets of their own (arm64 CNTVOFF_EL2, x86
 * the VMCS TSC offset: the time since each VM was made, under minihv
 * and KVM alike), so no stamp of one VM is compared with the other's.
 * At a switch back in, a VM takes its own gap, from its last read
 * before it was switched out to its first after, and subtracts the other
 * VM's run, from the other's first read after its switch in to its last
 * before its switch out, both differences on one counter each. What is
 * left is two switches, out of this VM into the other and back, each
 * from one VM's last read to the other's first: one sample, batch 2.
 * Only the offsets' difference cancels; both counters tick at the host
 * counter's rate and keep their offsets while the VMs run (real time).
 */
#define VMS_SIZE	(1ULL << 20)
/* The top MiB of the guests' RAM GiB, above any test binary's image. */
#define VMS_GPA		(GUEST_MMIO_BASE - VMS_SIZE)

struct vms_shared {
	uint64_t last[2];	/* each VM's latest read */
	uint64_t first[2];	/* its first read of its current run */
	uint64_t runs[2];	/* its start, then one per switch in */
	uint64_t n;		/* samples taken, by both VMs */
	uint64_t samples[BENCH_MAX_ITERS];
};

_Static_assert(sizeof(struct vms_shared) <= VMS_SIZE, "VM Switch's region");

/* Set before each VM is made: its RAM is a snapshot of the binary. */
static uint64_t vms_self, vms_timeout;

/*
 * The other VM runs only while this one is out (one CPU), so its stamp
 * moving says it ran since this VM's previous look, which came just
 * before the previous read or just after it: the switch gap is on one
 * side of the read before the look or the other, and a read after the
 * look gives both sides; the switch's is the longer (it holds the other
 * VM's whole run, the other at most an interrupt). Other gaps (the
 * host's interrupts, a host thread between two runs) lie inside a run
 * and are subtracted with it. A VM's first run, begun by its thread and
 * not by a switch, gives no sample; nor does a gap in which the other
 * VM was seen to start more than one run. Both VMs' samples are pooled.
 */
uint64_t bench_vm_switch_guest(uint64_t iters)
{
	struct vms_shared *s = (struct vms_shared *)(uintptr_t)VMS_GPA;
	uint64_t self = vms_self, other = !vms_self;
	uint64_t t, prev, next, out, in, progress, seen, runs, o, r, n, busy;

	prev = progress = bench_counter();
	STORE_ONCE(s->first[self], prev);
	STORE_ONCE(s->last[self], prev);
	STORE_ONCE(s->runs[self], LOAD_ONCE(s->runs[self]) + 1);
	seen = LOAD_ONCE(s->last[other]);
	runs = LOAD_ONCE(s->runs[other]);
	for (;;) {
		t = bench_counter();
		STORE_ONCE(s->last[self], t);
		o = LOAD_ONCE(s->last[other]);
		if (o != seen) {
			next = bench_counter();
			STORE_ONCE(s->last[self], next);
			if (next - t > t - prev) {
				out = t;
				in = next;
			} else {
				out = prev;
				in = t;
			}
			n = LOAD_ONCE(s->n);
			if (n >= iters)
				return iters;	/* the other VM finished */
			r = LOAD_ONCE(s->runs[other]);
			busy = o - LOAD_ONCE(s->first[other]);
			if (r == runs + 1 && r > 1) {
				/* Counters that disagree: no figure. */
				if (in - out < busy)
					return iters + 1;
				s->samples[n] = in - out - busy;
				STORE_ONCE(s->n, ++n);
				progress = in;
				if (n == iters)
					return iters;
			}
			seen = o;
			runs = r;
			STORE_ONCE(s->first[self], in);
			STORE_ONCE(s->runs[self], LOAD_ONCE(s->runs[self]) + 1);
			t = next;
		}
		if (t - progress > vms_timeout)
			return 0;	/* no switches: one CPU each? */
		prev = t;
	}
}

struct vms_runner {
	pthread_t thread;
	struct guest *g;
	uint64_t iters;
	sem_t *ended;
	int ret, done;		/* done: LOAD_ONCE / STORE_ONCE */
};

static void *vms_runner(void *arg)
{
	struct vms_runner *r = arg;
	uint64_t code = 0, val = 0;

	pin(0);		/* both VMs on CPU 0, from their first instruction */
	r->ret = guest_run(r->g, 0);
	if (!r->ret)
		r->ret = r->g->hv->ucall(r->g, 0, &code, &val);
	if (!r->ret && (code != UCALL_DONE || val != r->iters)) {
		fprintf(stderr, "minihv: bench vm_switch under %s: ucall %#llx %#llx%s\n",
			r->g->hv->name, (unsigned long long)code,
			(unsigned long long)val,
			code != UCALL_DONE ? "" : !val ?
			" (no switch between the VMs in time)" :
			val == r->iters + 1 ? " (the VMs' counters disagree)" : "");
		r->ret = -EIO;
	}
	STORE_ONCE(r->done, 1);
	sem_post(r->ended);
	return NULL;
}

int bench_run_vm_switch(uint64_t (*fn)(uint64_t), uint64_t iters,
			uint64_t timeout, uint64_t *samples)
{
	struct sigaction sa = { .sa_handler = stop_signal };
	struct vms_runner r[2] = { };
	struct vms_shared *s;
	struct guest g[2];
	int i, ret, started = 0;
	sem_t ended;

	if (guest_image_end() > VMS_GPA)
		return -E2BIG;
	guest_init(&g[0]);
	guest_init(&g[1]);
	s = mmap(NULL, VMS_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED)
		return -errno;
	vms_timeout = timeout;
	for (i = 0; i < 2; i++) {
		vms_self = i;
		ret = bench_guest_create(&g[i], 1, fn, iters, false);
		if (!ret)
			ret = g[i].hv->set_region(&g[i], 1, VMS_GPA, VMS_SIZE, s);
		if (ret)
			goto out;
	}

	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART: RUN returns */
	sem_init(&ended, 0, 0);
	for (i = 0; !ret && i < 2; i++) {
		r[i].g = &g[i];
		r[i].iters = iters;
		r[i].ended = &ended;
		ret = -pthread_create(&r[i].thread, NULL, vms_runner, &r[i]);
		if (!ret)
			started++;
	}
	/*
	 * The first to end, if it failed (or its peer could not start),
	 * ends the other's RUN with a signal: an error, not a hang.
	 */
	if (!ret)
		sem_wait(&ended);
	for (i = 0; i < started; i++)
		if ((ret || r[0].ret || r[1].ret) && !LOAD_ONCE(r[i].done))
			pthread_kill(r[i].thread, SIGUSR1);
	for (i = 0; i < started; i++) {
		pthread_join(r[i].thread, NULL);
		if (!ret)
			ret = r[i].ret;
	}
	sem_destroy(&ended);
	if (!ret)
		memcpy(samples, s->samples, iters * sizeof(*samples));
out:
	guest_destroy(&g[0]);
	guest_destroy(&g[1]);
	munmap(s, VMS_SIZE);
	return ret;
}

static void bench_usage(FILE *f)
{
	unsigned int i;

	fprintf(f,
		"usage: minihv bench [options]\n"
		"  --backend <minihv|kvm|both>  the hypervisor (default minihv);\n"
		"                     both alternates them in rounds\n"
		"  --module <file>    minihv.ko: loaded for minihv's rounds and\n"
		"                     unloaded for KVM's (needed for both)\n"
		"  --rounds <n>       rounds per back end (default 3 for both, else 1)\n"
		"  --iterations <n>   samples per benchmark and back end, spread over\n"
		"                     the rounds (default 1000, at most %d)\n"
		"  --only <names>     those benchmarks (a comma list)\n"
		"  --csv <file>       also write machine,benchmark,backend,min,\n"
		"                     median,mean,iterations rows there\n"
		"  --machine <name>   the CSV's machine column (default: uname -m)\n"
		"  --scale            then, under each back end: VM create + destroy,\n"
		"                     64 VMs x 2 vCPUs sharing the CPUs, a 1 GiB guest\n"
		"  --scale-vms <n>    VM create + destroy cycles (default 10000, 0: skip)\n"
		"  --scale-ms <n>     the 64-VM window in ms (default 2000, 0: skip)\n"
		"  --scale-mib <n>    the big guest's RAM in MiB (default 1024, at\n"
		"                     most 1024, 0: skip)\n"
		"  --scale-csv <file> also write machine,measure,backend,value,unit,\n"
		"                     detail rows there\n"
		"benchmarks (one operation, timed in batches, in %s):\n",
		BENCH_MAX_ITERS, bench_unit);
	for (i = 0; i < bench_count; i++)
		fprintf(f, "  %-16s %s: %s\n", bench_list[i].name,
			bench_list[i].title, bench_list[i].what);
}

int bench_cmp_u64(const void *a, const void *b)
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

	qsort(s, n, sizeof(*s), bench_cmp_u64);
	for (i = 0; i < n; i++)
		sum += s[i];
	st->min = (double)s[0] / batch;
	st->median = (n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0) /
		     batch;
	st->mean = sum / n / batch;
}

enum { BACKEND_MINIHV, BACKEND_KVM, NR_BACKENDS };

static const struct guest_hv *const backends[NR_BACKENDS] = {
	[BACKEND_MINIHV] = &guest_hv_minihv,
	[BACKEND_KVM] = &guest_hv_kvm,
};

/* One benchmark under one back end, over every round. */
struct result {
	uint64_t *samples;
	uint64_t n;
	int status;		/* 0, BENCH_NOT_YET or -errno (the first) */
};

static bool minihv_loaded(void)
{
	return !access("/sys/module/minihv", F_OK);
}

/*
 * minihv loaded (@load) or not, as the next round's back end needs it:
 * KVM cannot run a VM while minihv holds VMX / EL2.
 */
static int module_state(const char *module, bool load)
{
	int fd, ret;

	if (load == minihv_loaded())
		return 0;
	if (!load) {
		if (syscall(SYS_delete_module, "minihv", O_NONBLOCK)) {
			fprintf(stderr, "minihv: bench: unloading minihv: %s\n",
				strerror(errno));
			return -1;
		}
		return 0;
	}
	fd = open(module, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(module);
		return -1;
	}
	ret = syscall(SYS_finit_module, fd, "", 0);
	if (ret)
		fprintf(stderr, "minihv: bench: loading %s: %s\n", module,
			strerror(errno));
	close(fd);
	return ret ? -1 : 0;
}

/* Round @r's share of @iters samples. */
static uint64_t round_share(uint64_t iters, unsigned int rounds,
			    unsigned int r)
{
	return iters / rounds + (r < iters % rounds);
}

/* --only: a comma list of names; none means every benchmark. */
static bool selected(const char *only, const char *name)
{
	size_t len = strlen(name);
	const char *p = only;

	if (!only)
		return true;
	for (; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, name, len) && (p[len] == ',' || !p[len]))
			return true;
	return false;
}

/* Every name in the list is a benchmark's. */
static const char *unknown_name(const char *only)
{
	static char name[64];
	const char *p = only;
	unsigned int i;

	for (; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
		size_t len = strcspn(p, ",");

		for (i = 0; i < bench_count; i++)
			if (strlen(bench_list[i].name) == len &&
			    !strncmp(p, bench_list[i].name, len))
				break;
		if (i == bench_count) {
			snprintf(name, sizeof(name), "%.*s", (int)len, p);
			return name;
		}
	}
	return NULL;
}

static void run_round(unsigned int round, unsigned int rounds, int be,
		      const char *only, uint64_t iters,
		      struct result res[][NR_BACKENDS], uint64_t *tmp)
{
	uint64_t n = round_share(iters, rounds, round);
	unsigned int i;

	guest_hv = backends[be];
	for (i = 0; i < bench_count && n; i++) {
		const struct bench *b = &bench_list[i];
		struct result *r = &res[i][be];
		int ret;

		if (!selected(only, b->name) || r->status)
			continue;
		fprintf(stderr, "bench: round %u of %u, %s: %s\n", round + 1,
			rounds, guest_hv->name, b->name);
		ret = b->run(n, tmp);
		if (ret) {
			r->status = ret;
			continue;
		}
		memcpy(r->samples + r->n, tmp, n * sizeof(*tmp));
		r->n += n;
	}
	guest_hv = &guest_hv_minihv;
}

/* --scale: each back end in turn, after the micro-benchmarks. */
static int run_scale(const struct bench_scale_opts *so, const bool *use,
		     const char *module, const char *csv, const char *machine)
{
	FILE *f = NULL;
	int be, ret = 0;

	if (csv) {
		f = fopen(csv, "w");
		if (!f) {
			perror(csv);
			return 1;
		}
		fprintf(f, "machine,measure,backend,value,unit,detail\n");
	}
	printf("%-12s %-8s %14s %-20s %s\n", "measure", "backend", "value",
	       "unit", "detail");
	for (be = 0; be < NR_BACKENDS && !ret; be++) {
		if (!use[be])
			continue;
		if (module && module_state(module, be == BACKEND_MINIHV)) {
			ret = 1;
			break;
		}
		guest_hv = backends[be];
		fprintf(stderr, "bench: scale, %s\n", guest_hv->name);
		if (bench_scale(so, f, machine))
			ret = 1;
		guest_hv = &guest_hv_minihv;
	}
	if (f && fclose(f)) {
		perror(csv);
		ret = 1;
	}
	return ret;
}

/* @s as a number in [min, max], into *v; false if it is not one. */
static bool parse_ulong(const char *s, unsigned long min, unsigned long max,
			unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 0);
	return !errno && !*end && *v >= min && *v <= max;
}

int cmd_bench(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "module", required_argument, NULL, 'M' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "only", required_argument, NULL, 'o' },
		{ "csv", required_argument, NULL, 'c' },
		{ "machine", required_argument, NULL, 'm' },
		{ "scale", no_argument, NULL, 's' },
		{ "scale-vms", required_argument, NULL, 'V' },
		{ "scale-ms", required_argument, NULL, 'W' },
		{ "scale-mib", required_argument, NULL, 'G' },
		{ "scale-csv", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const char *backend = "minihv", *only = NULL, *csv = NULL;
	const char *machine = NULL, *module = NULL, *scale_csv = NULL;
	struct bench_scale_opts so = { 10000, 2000, 1024 };
	bool scale = false;
	unsigned long v;
	struct result (*res)[NR_BACKENDS];
	unsigned long iters = 1000, rounds = 0;
	bool use[NR_BACKENDS] = { false }, was_loaded;
	uint64_t *tmp = NULL;
	unsigned int i, r, ran = 0;
	struct utsname u;
	FILE *out = NULL;
	int c, be, ret = 0;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			backend = optarg;
			break;
		case 'M':
			module = optarg;
			break;
		case 'r':
			if (!parse_ulong(optarg, 1, 100, &rounds)) {
				fprintf(stderr, "minihv: --rounds must be 1..100\n");
				return 2;
			}
			break;
		case 'n':
			if (!parse_ulong(optarg, 1, BENCH_MAX_ITERS, &iters)) {
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
		case 's':
			scale = true;
			break;
		case 'V':
			if (!parse_ulong(optarg, 0, 1000000, &so.vm_cycles)) {
				fprintf(stderr, "minihv: --scale-vms out of range\n");
				return 2;
			}
			break;
		case 'W':
			if (!parse_ulong(optarg, 0, 60000, &v)) {
				fprintf(stderr, "minihv: --scale-ms out of range\n");
				return 2;
			}
			so.window_ms = v;
			break;
		case 'G':
			if (!parse_ulong(optarg, 0, 1024, &so.big_mib)) {
				fprintf(stderr, "minihv: --scale-mib out of range\n");
				return 2;
			}
			break;
		case 'S':
			scale_csv = optarg;
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
	if (!strcmp(backend, "minihv") || !strcmp(backend, "both"))
		use[BACKEND_MINIHV] = true;
	if (!strcmp(backend, "kvm") || !strcmp(backend, "both"))
		use[BACKEND_KVM] = true;
	if (!use[BACKEND_MINIHV] && !use[BACKEND_KVM]) {
		fprintf(stderr, "minihv: --backend is minihv, kvm or both\n");
		return 2;
	}
	if (use[BACKEND_MINIHV] && use[BACKEND_KVM] && !module) {
		fprintf(stderr, "minihv: --backend both needs --module <minihv.ko>: minihv and KVM take turns with the hardware\n");
		return 2;
	}
	if (!rounds)
		rounds = use[BACKEND_MINIHV] && use[BACKEND_KVM] ? 3 : 1;
	if (rounds > iters) {
		fprintf(stderr, "minihv: --rounds cannot exceed --iterations\n");
		return 2;
	}
	if (only && unknown_name(only)) {
		fprintf(stderr, "minihv: no benchmark '%s' (minihv bench --help)\n",
			unknown_name(only));
		return 2;
	}
	if (!machine)
		machine = uname(&u) ? "unknown" : u.machine;

	res = calloc(bench_count, sizeof(*res));
	tmp = calloc(iters, sizeof(*tmp));
	if (!res || !tmp)
		goto nomem;
	for (i = 0; i < bench_count; i++)
		for (be = 0; be < NR_BACKENDS; be++) {
			res[i][be].samples = calloc(iters, sizeof(uint64_t));
			if (!res[i][be].samples)
				goto nomem;
		}
	if (csv) {
		out = fopen(csv, "w");
		if (!out) {
			perror(csv);
			ret = 1;
			goto free;
		}
		fprintf(out, "machine,benchmark,backend,min,median,mean,iterations\n");
	}

	was_loaded = minihv_loaded();
	for (r = 0; r < rounds && !ret; r++)
		for (be = 0; be < NR_BACKENDS && !ret; be++) {
			if (!use[be])
				continue;
			if (module && module_state(module, be == BACKEND_MINIHV)) {
				ret = 1;
				break;
			}
			run_round(r, rounds, be, only, iters, res, tmp);
		}
	printf("%-16s %-8s %12s %12s %12s %8s  (%s per operation, %lu samples)\n",
	       "benchmark", "backend", "min", "median", "mean", "vs KVM",
	       bench_unit, iters);
	for (i = 0; i < bench_count; i++) {
		const struct bench *b = &bench_list[i];
		double kvm_median = 0;

		if (!selected(only, b->name))
			continue;
		/* KVM first, so that minihv's row can give the ratio. */
		for (be = NR_BACKENDS - 1; be >= 0; be--) {
			struct result *x = &res[i][be];
			const char *name = backends[be]->name;
			struct stats st;

			if (!use[be])
				continue;
			if (x->status == BENCH_NOT_YET) {
				printf("%-16s %-8s %12s\n", b->name, name, "not yet");
				continue;
			}
			if (x->status || !x->n) {
				fprintf(stderr, "minihv: bench %s under %s: %s\n",
					b->name, name, x->status ?
					strerror(-x->status) : "not run");
				ret = 1;
				continue;
			}
			summarize(x->samples, x->n, b->batch, &st);
			if (be == BACKEND_KVM)
				kvm_median = st.median;
			printf("%-16s %-8s %12.1f %12.1f %12.1f", b->name, name,
			       st.min, st.median, st.mean);
			/* Three digits: a ratio far below 1 is not shown as 0. */
			if (be == BACKEND_MINIHV && kvm_median > 0)
				printf(" %7.3gx", st.median / kvm_median);
			printf("\n");
			if (out)
				fprintf(out, "%s,%s,%s,%.1f,%.1f,%.1f,%llu\n",
					machine, b->name, name, st.min,
					st.median, st.mean,
					(unsigned long long)x->n);
			ran++;
		}
	}
	if (scale && !ret)
		ret = run_scale(&so, use, module, scale_csv, machine);
	if (module && module_state(module, was_loaded))
		ret = 1;
	if (out && fclose(out)) {
		perror(csv);
		ret = 1;
	}
free:
	for (i = 0; res && i < bench_count; i++)
		for (be = 0; be < NR_BACKENDS; be++)
			free(res[i][be].samples);
	free(res);
	free(tmp);
	return ret ? ret : ran ? 0 : 1;
nomem:
	fprintf(stderr, "minihv: bench: out of memory\n");
	ret = 1;
	goto free;
}
