// SPDX-License-Identifier: GPL-2.0
/*
 * An ioctl fuzzer for /dev/minihv: random and mutated, structure-aware
 * call sequences over the whole uapi (system, VM and vCPU fds, the run
 * area), from several threads, with random guest state and short random
 * guest code run under a per-thread timer so every MINIHV_RUN ends.
 *
 * It lives here, as a kselftest binary, and not as a `minihv` subcommand:
 * it is a test of the module, not a VMM feature, it shares the selftests'
 * helpers, and the test machines already carry it. Without environment it
 * is the short fixed-seed run of `make check`; the same binary is the
 * long fuzzer of `make fuzz` and of a reproduction:
 *	MINIHV_FUZZ_SEED=<n>      the seed (default 1)
 *	MINIHV_FUZZ_CALLS=<n>     calls in all (default 30000)
 *	MINIHV_FUZZ_THREADS=<n>   threads (default 1: an exact replay)
 * A report (a call that hangs, a kernel WARN/BUG/Oops during the run, the
 * module's VM count or pinned pages not back to their baseline) prints
 * the seed and each thread's last calls.
 *
 * On a kernel with KCOV (the debug kernel of `make check-debug`) it is
 * coverage-guided, the syzkaller idea made small: every random word a
 * call draws is kept on a tape; a call that reaches a PC in minihv.ko no
 * call reached before puts its tape in a corpus, and half the calls then
 * replay a corpus tape with a few words mutated. It reports the distinct
 * PCs of the module it reached. Without KCOV the sequence is unchanged.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>
#include <linux/kcov.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/minihv_util.h"

#define NR_FDS		16	/* per thread, of each kind */
#define NR_LAST		16	/* calls kept for a report */
#define MAX_THREADS	8
#define MEM_BYTES	(2UL << 20)
#define HANG_SECONDS	60
#define TAPE_WORDS	48	/* random words a corpus entry keeps */
#define CORPUS_MAX	1024
#define COVER_WORDS	(1UL << 16)	/* one thread's KCOV buffer */
#define SEEN_BITS	15	/* the set of PCs: 32768 slots */

/* The random words one call drew: replayed and mutated from the corpus. */
struct tape {
	unsigned int n;
	uint64_t w[TAPE_WORDS];
};

struct call {
	unsigned int op;
	int fd;
	unsigned long req;
	long ret;
	int err;
	uint64_t a, b, c;
};

struct fuzzer {
	uint64_t rng;
	int tid;
	int dev[NR_FDS];
	int vm[NR_FDS];
	int vcpu[NR_FDS];
	int evfd[NR_FDS];
	struct minihv_run *run[NR_FDS];
	size_t run_size;
	unsigned char *mem;
	timer_t timer;
	unsigned long calls, limit;
	bool done;
	unsigned long progress;	/* read by the watchdog: atomics */
	struct call last[NR_LAST];
	unsigned int nlast;
	unsigned long *cover;	/* KCOV's buffer, or NULL */
	struct tape tape, replay;
	unsigned int rpos;
};

static struct fuzzer fuzzers[MAX_THREADS];
static int nr_threads;
static uint64_t seed;

/* Coverage, shared by the threads: minihv's text and the PCs seen in it. */
static unsigned long mod_lo, mod_hi;
static unsigned long seen_pc[1UL << SEEN_BITS];
static unsigned long nr_seen;
static struct tape corpus[CORPUS_MAX];
static unsigned int nr_corpus;
static pthread_mutex_t corpus_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t rnd(struct fuzzer *f)
{
	uint64_t v;

	if (f->rpos < f->replay.n) {
		v = f->replay.w[f->rpos++];
	} else {
		/* xorshift64*: small, and the same sequence everywhere. */
		f->rng ^= f->rng >> 12;
		f->rng ^= f->rng << 25;
		f->rng ^= f->rng >> 27;
		v = f->rng * 0x2545f4914f6cdd1dULL;
	}
	if (f->tape.n < TAPE_WORDS)
		f->tape.w[f->tape.n++] = v;
	return v;
}

static uint64_t below(struct fuzzer *f, uint64_t n)
{
	return n ? rnd(f) % n : 0;
}

/* Boundary values a field is most likely to get wrong. */
static uint64_t value(struct fuzzer *f)
{
	static const uint64_t interesting[] = {
		0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 255, 256,
		0xfff, 0x1000, 0x1001, 0x1fffff, 0x200000, 0x3fffffff,
		0x40000000, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL,
		0xfee00000, 0xfec00000, 0x8000000, 0x80a0000,
		1ULL << 40, 1ULL << 48, 1ULL << 52, 0x7fffffffffffffffULL,
		0x8000000000000000ULL, ~0ULL, ~0ULL - 0xfff, -4096ULL,
	};

	switch (below(f, 4)) {
	case 0:
		return interesting[below(f, ARRAY_SIZE(interesting))];
	case 1:
		return below(f, 64);
	case 2:
		return interesting[below(f, ARRAY_SIZE(interesting))] +
		       below(f, 3) - 1;
	default:
		return rnd(f);
	}
}

static int pick(struct fuzzer *f, int *fds)
{
	/* Now and then a number that is closed, reused or not ours. */
	switch (below(f, 16)) {
	case 0:
		return (int)below(f, 64);
	case 1:
		return -1;
	default:
		return fds[below(f, NR_FDS)];
	}
}

static void slot_put(int *fds, int fd, struct fuzzer *f)
{
	unsigned int i = below(f, NR_FDS);

	if (fds[i] >= 0)
		close(fds[i]);
	fds[i] = fd;
}

/* A user pointer: ours, near ours, unmapped, kernel or garbage. */
static void *pointer(struct fuzzer *f, void *good)
{
	switch (below(f, 10)) {
	case 0:
		return NULL;
	case 1:
		return (void *)(uintptr_t)value(f);
	case 2:
		return f->mem + MEM_BYTES - below(f, 64);
	default:
		return good;
	}
}

static void fill(struct fuzzer *f, void *p, size_t n)
{
	unsigned char *b = p;
	size_t i;

	switch (below(f, 4)) {
	case 0:
		memset(p, 0, n);
		break;
	case 1:
		for (i = 0; i < n; i++)
			b[i] = rnd(f);
		break;
	default:
		/* Mostly zero, a few fields boundary values. */
		memset(p, 0, n);
		for (i = below(f, 4); i; i--) {
			uint64_t v = value(f);
			size_t at = below(f, n) & ~7UL;

			memcpy(b + at, &v, n - at < 8 ? n - at : 8);
		}
	}
}

static long record(struct fuzzer *f, unsigned int op, int fd,
		   unsigned long req, long ret, uint64_t a, uint64_t b,
		   uint64_t c)
{
	struct call *cl = &f->last[f->nlast++ % NR_LAST];

	cl->op = op;
	cl->fd = fd;
	cl->req = req;
	cl->ret = ret;
	cl->err = ret < 0 ? errno : 0;
	cl->a = a;
	cl->b = b;
	cl->c = c;
	f->calls++;
	__atomic_fetch_add(&f->progress, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&f->done, f->calls >= f->limit, __ATOMIC_RELEASE);
	return ret;
}

static long fz_ioctl(struct fuzzer *f, unsigned int op, int fd,
		     unsigned long req, void *arg, uint64_t b, uint64_t c)
{
	long r;

	f->last[f->nlast % NR_LAST].fd = fd;
	f->last[f->nlast % NR_LAST].req = req;
	f->last[f->nlast % NR_LAST].op = op;
	f->last[f->nlast % NR_LAST].ret = -999;	/* still inside */
	r = ioctl(fd, req, arg);
	return record(f, op, fd, req, r, (uintptr_t)arg, b, c);
}

/* Random guest code at the start of the memory, its registers random. */
static void guest_code(struct fuzzer *f, int vcpu)
{
	struct minihv_regs regs;
	uint32_t *w = (uint32_t *)f->mem;
	unsigned int i;

	for (i = 0; i < 64; i++)
		w[i] = below(f, 4) ? (uint32_t)rnd(f) : 0;
#if defined(__aarch64__)
	w[64] = 0xd4000002;		/* hvc #0 */
#else
	w[64] = 0xf4f4f4f4;		/* hlt */
#endif
	fill(f, &regs, sizeof(regs));
#if defined(__aarch64__)
	regs.pc = below(f, 2) ? 0 : below(f, 256) * 4;
	if (below(f, 2))
		regs.pstate = 0x3c5;	/* EL1h, DAIF masked */
#else
	regs.rip = below(f, 2) ? 0 : below(f, 256);
	if (below(f, 2))
		regs.rflags = 2;
#endif
	fz_ioctl(f, 90, vcpu, MINIHV_SET_REGS, &regs, 0, 0);
}

/*
 * The backstop of every call that may be a RUN: a signal within 20 ms,
 * then every 10 ms, so one that lands before the RUN starts does not
 * leave it to spin.
 */
static void backstop(struct fuzzer *f, bool on)
{
	struct itimerspec its = { };

	if (on) {
		its.it_value.tv_nsec = (1 + below(f, 20)) * 1000000L;
		its.it_interval.tv_nsec = 10000000L;
	}
	timer_settime(f->timer, 0, &its, NULL);
}

static void run_once(struct fuzzer *f, unsigned int i)
{
	int vcpu = pick(f, f->vcpu);

	if (f->run[i] && below(f, 8) == 0)
		f->run[i]->immediate_exit = 1;
	else if (f->run[i])
		f->run[i]->immediate_exit = 0;
	backstop(f, true);
	fz_ioctl(f, 91, vcpu, MINIHV_RUN, NULL, 0, 0);
	backstop(f, false);
}

static void one_call(struct fuzzer *f)
{
	union {
		struct minihv_info info;
		struct minihv_vm_info vm_info;
		struct minihv_userspace_memory_region mr;
		struct minihv_irqchip chip;
		struct minihv_irq_level irq;
		struct minihv_ioeventfd ioev;
		struct minihv_irqfd irqfd;
		struct minihv_clock clock;
		struct minihv_wallclock wall;
		struct minihv_regs regs;
		struct minihv_vcpu_init init;
		struct minihv_runstate rs;
#if defined(__x86_64__)
		struct minihv_sregs sregs;
#endif
		unsigned char raw[4096];
	} u;
	unsigned int op = below(f, 34), i = below(f, NR_FDS);
	int fd, vm = pick(f, f->vm), vcpu = pick(f, f->vcpu);
	uint64_t a;
	long r;

	fill(f, &u, 512);
	switch (op) {
	case 0:
		fd = open(MINIHV_DEV, O_RDWR | O_CLOEXEC);
		record(f, op, fd, 0, fd, 0, 0, 0);
		slot_put(f->dev, fd, f);
		break;
	case 1:
	case 2:
		fd = pick(f, f->dev);
		a = below(f, 4) ? 0 : value(f);
		r = fz_ioctl(f, op, fd, MINIHV_CREATE_VM, (void *)(uintptr_t)a,
			     0, 0);
		if (r >= 0)
			slot_put(f->vm, r, f);
		break;
	case 3:
		fd = pick(f, f->dev);
		a = value(f);
		fz_ioctl(f, op, fd, below(f, 2) ? MINIHV_CHECK_EXTENSION :
			 MINIHV_GET_API_VERSION, (void *)(uintptr_t)a, 0, 0);
		break;
	case 4:
		fd = pick(f, f->dev);
		fz_ioctl(f, op, fd, below(f, 2) ? MINIHV_GET_INFO :
			 MINIHV_GET_VCPU_MMAP_SIZE, pointer(f, &u), 0, 0);
		break;
	case 5:
	case 6:
	case 7:
		a = below(f, 4) ? below(f, 4) : value(f);
		r = fz_ioctl(f, op, vm, MINIHV_CREATE_VCPU,
			     (void *)(uintptr_t)a, 0, 0);
		if (r >= 0)
			slot_put(f->vcpu, r, f);
		break;
	case 8:
	case 9:
	case 10:
		/* Memory slots: mostly plausible, overlapping, odd. */
		u.mr.slot = below(f, 4) ? below(f, 4) : value(f);
		u.mr.flags = below(f, 8) ? 0 : value(f);
		u.mr.guest_phys_addr = below(f, 3) ? below(f, 8) << 20 :
				       value(f);
		u.mr.memory_size = below(f, 3) ? (below(f, 3) ?
				   (below(f, 512) + 1) << 12 : 0) : value(f);
		u.mr.userspace_addr = below(f, 4) ?
			(uintptr_t)f->mem + (below(f, 256) << 12) : value(f);
		if (below(f, 8) == 0)
			u.mr.userspace_addr += below(f, 4096);
		fz_ioctl(f, op, vm, MINIHV_SET_USER_MEMORY_REGION,
			 pointer(f, &u.mr), u.mr.guest_phys_addr,
			 u.mr.memory_size);
		break;
	case 11:
		fz_ioctl(f, op, vm, MINIHV_GET_VM_INFO, pointer(f, &u), 0, 0);
		break;
	case 12:
		if (below(f, 2)) {
			memset(&u.chip, 0, sizeof(u.chip));
			u.chip.type = 1 + below(f, 2);
#if defined(__aarch64__)
			u.chip.base[0] = 0x8000000;
			u.chip.base[1] = 0x80a0000;
			u.chip.size[1] = 0x20000 << below(f, 3);
#else
			u.chip.base[0] = 0xfec00000;
			u.chip.base[1] = below(f, 2) ? 0x608 : 0;
#endif
			if (below(f, 4) == 0)
				u.chip.nr_irqs = value(f);
		}
		fz_ioctl(f, op, vm, MINIHV_CREATE_IRQCHIP, pointer(f, &u.chip),
			 0, 0);
		break;
	case 13:
		u.irq.irq = below(f, 2) ? below(f, 64) : value(f);
		u.irq.level = below(f, 4) ? below(f, 2) : value(f);
		fz_ioctl(f, op, vm, MINIHV_IRQ_LINE, pointer(f, &u.irq), 0, 0);
		break;
	case 14:
		fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		record(f, op, fd, 0, fd, 0, 0, 0);
		slot_put(f->evfd, fd, f);
		break;
	case 15:
		if (below(f, 2)) {
			memset(&u.ioev, 0, sizeof(u.ioev));
			u.ioev.addr = below(f, 2) ? 0x9000000 + below(f, 64) :
				      value(f);
			u.ioev.len = 1U << below(f, 4);
			u.ioev.flags = below(f, 8);
			u.ioev.datamatch = value(f);
		}
		u.ioev.fd = pick(f, f->evfd);
		fz_ioctl(f, op, vm, MINIHV_IOEVENTFD, pointer(f, &u.ioev),
			 u.ioev.addr, u.ioev.flags);
		break;
	case 16:
		if (below(f, 2)) {
			memset(&u.irqfd, 0, sizeof(u.irqfd));
			u.irqfd.irq = below(f, 64);
			u.irqfd.flags = below(f, 3);
		}
		u.irqfd.fd = pick(f, f->evfd);
		fz_ioctl(f, op, vm, MINIHV_IRQFD, pointer(f, &u.irqfd),
			 u.irqfd.irq, u.irqfd.flags);
		break;
	case 17:
		fd = f->evfd[i];
		a = 1;
		r = write(fd, &a, sizeof(a));
		record(f, op, fd, 0, r, 0, 0, 0);
		break;
	case 18:
		fz_ioctl(f, op, vm, below(f, 2) ? MINIHV_GET_CLOCK :
			 MINIHV_GET_WALLCLOCK, pointer(f, &u), 0, 0);
		break;
	case 19:
		if (below(f, 2))
			u.clock.flags = below(f, 2);
		fz_ioctl(f, op, vm, MINIHV_SET_CLOCK, pointer(f, &u.clock),
			 0, 0);
		break;
	case 20:
		if (below(f, 2)) {
			memset(&u.wall, 0, sizeof(u.wall));
			u.wall.sec = value(f);
			u.wall.nsec = below(f, 2) ? below(f, 1000000000) :
				      value(f);
		}
		fz_ioctl(f, op, vm, MINIHV_SET_WALLCLOCK, pointer(f, &u.wall),
			 0, 0);
		break;
	case 21:
		fz_ioctl(f, op, vcpu, below(f, 2) ? MINIHV_GET_REGS :
			 MINIHV_GET_RUNSTATE, pointer(f, &u), 0, 0);
		break;
	case 22:
		fz_ioctl(f, op, vcpu, MINIHV_SET_REGS, pointer(f, &u.regs),
			 0, 0);
		break;
	case 23:
		if (below(f, 2)) {
			memset(&u.init, 0, sizeof(u.init));
			u.init.flags = below(f, 2);
		}
		fz_ioctl(f, op, vcpu, MINIHV_VCPU_INIT, pointer(f, &u.init),
			 0, 0);
		break;
	case 24:
#if defined(__x86_64__)
		if (below(f, 2)) {
			fz_ioctl(f, op, vcpu, MINIHV_GET_SREGS, pointer(f, &u),
				 0, 0);
			break;
		}
		fz_ioctl(f, op, vcpu, MINIHV_GET_SREGS, &u.sregs, 0, 0);
		for (a = below(f, 3); a; a--) {
			uint64_t v = value(f);
			size_t at = below(f, sizeof(u.sregs)) & ~7UL;

			memcpy((char *)&u.sregs + at, &v, 8);
		}
		fz_ioctl(f, op, vcpu, MINIHV_SET_SREGS, pointer(f, &u.sregs),
			 0, 0);
#else
		fz_ioctl(f, op, vcpu, MINIHV_GET_REGS, &u.regs, 0, 0);
#endif
		break;
	case 25:
		/* The run area: map, poke the exit union, unmap. */
		if (f->run[i]) {
			munmap(f->run[i], f->run_size);
			f->run[i] = NULL;
			record(f, op, -1, 0, 0, i, 0, 0);
			break;
		}
		f->run[i] = mmap(NULL, f->run_size, PROT_READ | PROT_WRITE,
				 MAP_SHARED, vcpu, below(f, 8) ? 0 :
				 value(f) & ~0xfffUL);
		record(f, op, vcpu, 0, f->run[i] == MAP_FAILED ? -1 : 0, i,
		       0, 0);
		if (f->run[i] == MAP_FAILED)
			f->run[i] = NULL;
		else if (below(f, 2))
			fill(f, f->run[i], 512);
		break;
	case 26:
	case 27:
		guest_code(f, vcpu);
		run_once(f, i);
		break;
	case 28:
		run_once(f, i);
		break;
	case 29:
		/* Close something in the middle of it all. */
		switch (below(f, 4)) {
		case 0:
			slot_put(f->dev, -1, f);
			break;
		case 1:
			slot_put(f->vm, -1, f);
			break;
		case 2:
			slot_put(f->vcpu, -1, f);
			break;
		default:
			slot_put(f->evfd, -1, f);
		}
		record(f, op, -1, 0, 0, 0, 0, 0);
		break;
	case 30:
		/*
		 * Pinned memory replaced under a slot, in one MAP_FIXED:
		 * with munmap first, another thread's mmap could take the
		 * hole in between.
		 */
		a = below(f, MEM_BYTES >> 12) << 12;
		r = mmap(f->mem + a, 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
			MAP_FAILED ? -1 : 0;
		record(f, op, -1, 0, r, a, 0, 0);
		break;
	case 31:
		/* Any other request number on any of our fds. */
		fd = below(f, 3) == 0 ? pick(f, f->dev) :
		     below(f, 2) ? vm : vcpu;
		a = _IOC(below(f, 4), MINIHVIO, below(f, 2) ?
			 below(f, 0x100) : below(f, 0x100) | 0x80,
			 below(f, 2) ? below(f, 512) : value(f) & 0x3fff);
		/* It may come out as MINIHV_RUN: seed 7 spun for good. */
		if (a == MINIHV_RUN)
			backstop(f, true);
		r = fz_ioctl(f, op, fd, a, pointer(f, &u), 0, 0);
		if (a == MINIHV_RUN)
			backstop(f, false);
		/* Or as a CREATE: its fd is ours to close at the end. */
		if (r >= 0 && a == MINIHV_CREATE_VM)
			slot_put(f->vm, r, f);
		else if (r >= 0 && a == MINIHV_CREATE_VCPU)
			slot_put(f->vcpu, r, f);
		break;
	default:
		/* A duplicate: the same object through two numbers. */
		fd = dup(below(f, 2) ? vm : vcpu);
		record(f, op, fd, 0, fd, 0, 0, 0);
		slot_put(below(f, 2) ? f->vm : f->vcpu, fd, f);
		break;
	}
}

static void report(const char *why)
{
	int t;
	unsigned int k;

	fprintf(stderr, "minihv-fuzz: REPORT %s: seed %llu threads %d\n",
		why, (unsigned long long)seed, nr_threads);
	for (t = 0; t < nr_threads; t++) {
		struct fuzzer *f = &fuzzers[t];

		fprintf(stderr, "minihv-fuzz: thread %d, %lu calls, last:\n",
			t, f->calls);
		for (k = 0; k < NR_LAST; k++) {
			struct call *c = &f->last[(f->nlast + k) % NR_LAST];

			if (!c->req && !c->op && !c->fd)
				continue;
			fprintf(stderr,
				"  op %2u fd %3d req %#10lx ret %ld errno %d a %#llx b %#llx c %#llx\n",
				c->op, c->fd, c->req, c->ret, c->err,
				(unsigned long long)c->a,
				(unsigned long long)c->b,
				(unsigned long long)c->c);
		}
	}
}

static void close_all(struct fuzzer *f)
{
	unsigned int i;

	for (i = 0; i < NR_FDS; i++) {
		if (f->run[i])
			munmap(f->run[i], f->run_size);
		if (f->vcpu[i] >= 0)
			close(f->vcpu[i]);
		if (f->vm[i] >= 0)
			close(f->vm[i]);
		if (f->dev[i] >= 0)
			close(f->dev[i]);
		if (f->evfd[i] >= 0)
			close(f->evfd[i]);
	}
	munmap(f->mem, MEM_BYTES);
}

/* True if @pc was not in the set: a lock-free open-addressed insert. */
static bool seen_insert(unsigned long pc)
{
	unsigned long h = (pc * 0x9e3779b97f4a7c15ULL) >> (64 - SEEN_BITS);
	unsigned long k, old;

	for (k = 0; k < ARRAY_SIZE(seen_pc); k++) {
		unsigned long *slot = &seen_pc[(h + k) & (ARRAY_SIZE(seen_pc) - 1)];

		old = 0;
		if (__atomic_compare_exchange_n(slot, &old, pc, false,
						__ATOMIC_RELAXED,
						__ATOMIC_RELAXED)) {
			__atomic_fetch_add(&nr_seen, 1, __ATOMIC_RELAXED);
			return true;
		}
		if (old == pc)
			return false;
	}
	return false;	/* full: more PCs than the module has points */
}

/*
 * A corpus tape with one to four words changed, or cut short. The edits
 * draw fresh words (replay is empty meanwhile), then the tape replays.
 */
static void mutate(struct fuzzer *f)
{
	struct tape r;
	unsigned int k, at;

	pthread_mutex_lock(&corpus_lock);
	r = corpus[below(f, nr_corpus)];
	pthread_mutex_unlock(&corpus_lock);
	for (k = 1 + below(f, 4); k && r.n; k--) {
		at = below(f, r.n);
		switch (below(f, 4)) {
		case 0:
			r.w[at] = rnd(f);
			break;
		case 1:
			r.w[at] ^= 1ULL << below(f, 64);
			break;
		case 2:
			r.w[at] = r.w[at] + below(f, 5) - 2;
			break;
		default:
			r.n = at;
		}
	}
	f->replay = r;
	f->rpos = 0;
}

/* One call; under KCOV, kept in the corpus if it reached new code. */
static void guided_call(struct fuzzer *f)
{
	unsigned long n, i, fresh = 0;

	if (!f->cover) {
		f->tape.n = 0;
		one_call(f);
		return;
	}
	f->replay.n = 0;
	f->rpos = 0;
	if (__atomic_load_n(&nr_corpus, __ATOMIC_ACQUIRE) && below(f, 2))
		mutate(f);
	f->tape.n = 0;
	__atomic_store_n(&f->cover[0], 0, __ATOMIC_RELAXED);
	one_call(f);
	n = __atomic_load_n(&f->cover[0], __ATOMIC_RELAXED);
	for (i = 0; i < n && i < COVER_WORDS - 1; i++)
		if (f->cover[i + 1] >= mod_lo && f->cover[i + 1] < mod_hi)
			fresh += seen_insert(f->cover[i + 1]);
	if (!fresh)
		return;
	pthread_mutex_lock(&corpus_lock);
	if (nr_corpus < CORPUS_MAX)
		corpus[nr_corpus++] = f->tape;
	else
		corpus[below(f, CORPUS_MAX)] = f->tape;
	pthread_mutex_unlock(&corpus_lock);
}

/* minihv's text from /proc/modules (root sees the address); 0 if absent. */
static int module_range(void)
{
	char line[256], name[64];
	unsigned long size, base;
	FILE *m = fopen("/proc/modules", "r");
	int ok = 0;

	if (!m)
		return 0;
	while (fgets(line, sizeof(line), m))
		if (sscanf(line, "%63s %lu %*s %*s %*s %lx", name, &size,
			   &base) == 3 && !strcmp(name, "minihv") && base) {
			mod_lo = base;
			mod_hi = base + size;
			ok = 1;
		}
	fclose(m);
	return ok;
}

/* This thread's KCOV buffer, tracing PCs; NULL without KCOV. */
static unsigned long *kcov_start(void)
{
	int fd = open("/sys/kernel/debug/kcov", O_RDWR | O_CLOEXEC);
	unsigned long *cover;

	if (fd < 0)
		return NULL;
	if (ioctl(fd, KCOV_INIT_TRACE, COVER_WORDS))
		goto fail;
	cover = mmap(NULL, COVER_WORDS * sizeof(long), PROT_READ | PROT_WRITE,
		     MAP_SHARED, fd, 0);
	if (cover == MAP_FAILED)
		goto fail;
	if (ioctl(fd, KCOV_ENABLE, KCOV_TRACE_PC)) {
		munmap(cover, COVER_WORDS * sizeof(long));
		goto fail;
	}
	/* The mapping keeps KCOV alive; the number must not be fuzzed. */
	close(fd);
	return cover;
fail:
	close(fd);
	return NULL;
}

static void *fuzz_thread(void *arg)
{
	struct fuzzer *f = arg;
	struct sigevent sev = { };

	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGUSR1;
	sev._sigev_un._tid = syscall(SYS_gettid);
	if (timer_create(CLOCK_MONOTONIC, &sev, &f->timer))
		return (void *)1L;
	if (mod_hi)
		f->cover = kcov_start();
	while (f->calls < f->limit)
		guided_call(f);
	timer_delete(f->timer);
	close_all(f);
	return NULL;
}

/*
 * A VM left over with the fuzzer's fds closed: is it the fuzzer's (an fd
 * or run-area mapping it lost track of) or minihv's (a reference leak)?
 */
static void report_holders(const char *why)
{
	char path[64], target[128], line[256];
	int fd, fds = 0, maps = 0;
	ssize_t n;
	FILE *m;

	report(why);
	for (fd = 0; fd < 4096; fd++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (strstr(target, "minihv")) {
			fprintf(stderr, "minihv-fuzz: still open: fd %d %s\n",
				fd, target);
			fds++;
		}
	}
	m = fopen("/proc/self/maps", "r");
	while (m && fgets(line, sizeof(line), m))
		if (strstr(line, "minihv")) {
			fprintf(stderr, "minihv-fuzz: still mapped: %s", line);
			maps++;
		}
	if (m)
		fclose(m);
	fprintf(stderr, "minihv-fuzz: %d minihv fds and %d mappings left in the fuzzer\n",
		fds, maps);
}

static void on_signal(int sig)
{
}

/*
 * The fuzzer itself faulting is a finding too (a host register minihv
 * left wrong, a mapping that faults): where, then the calls before it.
 */
static void on_fault(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	unsigned long pc;
	char why[160];

#if defined(__aarch64__)
	pc = uc->uc_mcontext.pc;
#else
	pc = uc->uc_mcontext.gregs[REG_RIP];
#endif
	snprintf(why, sizeof(why),
		 "signal %d (si_code %d) in thread %ld at %p, pc %#lx", sig,
		 si->si_code, (long)syscall(SYS_gettid), si->si_addr, pc);
	report(why);
	signal(sig, SIG_DFL);
	raise(sig);
}

static unsigned long env_ul(const char *name, unsigned long def)
{
	const char *s = getenv(name);

	return s && *s ? strtoul(s, NULL, 0) : def;
}

/* WARN/BUG/Oops lines in the kernel log. */
static int kernel_splats(void)
{
	static char buf[1 << 17];
	int n = klogctl(3, buf, sizeof(buf) - 1), bad = 0;
	char *p, *save = NULL;

	if (n < 0)
		return 0;
	buf[n] = '\0';
	for (p = strtok_r(buf, "\n", &save); p; p = strtok_r(NULL, "\n", &save))
		if (strstr(p, "WARNING: CPU:") || strstr(p, "BUG: ") ||
		    strstr(p, "Oops"))
			bad++;
	return bad;
}

static int settled_info(struct minihv_info *mi, uint64_t vms, uint64_t pinned)
{
	int i;

	/* VMs die as their last fd does; give deferred work a moment. */
	for (i = 0; i < 50; i++) {
		if (minihv_info(mi))
			return -1;
		if (mi->nr_vms == vms && mi->pinned_pages == pinned)
			return 0;
		usleep(100000);
	}
	return 0;
}

FIXTURE(fuzz) {
	int unused;
};

FIXTURE_SETUP(fuzz)
{
	REQUIRE_MINIHV_SETUP();
}

FIXTURE_TEARDOWN(fuzz)
{
}

/*
 * The harness's limit only backs up the watchdog (a call stuck for a
 * minute is a report): 4 hours, as make fuzz gives a machine, since a
 * 3,000,000-call run under emulation passed 1200 s.
 */
TEST_F_TIMEOUT(fuzz, ioctls, 14400)
{
	struct minihv_info before, after;
	pthread_t th[MAX_THREADS];
	struct sigaction sa = { };
	unsigned long total, calls = 0, k, shown = 0;
	struct timespec t0, t1;
	long run_size;
	int splats0, t, dev;

	seed = env_ul("MINIHV_FUZZ_SEED", 1);
	total = env_ul("MINIHV_FUZZ_CALLS", 30000);
	nr_threads = env_ul("MINIHV_FUZZ_THREADS", 1);
	if (nr_threads < 1 || nr_threads > MAX_THREADS)
		nr_threads = 1;
	ASSERT_EQ(0, minihv_info(&before));
	dev = minihv_open();
	ASSERT_LE(0, dev);
	run_size = ioctl(dev, MINIHV_GET_VCPU_MMAP_SIZE, 0);
	ASSERT_LT(0, run_size);
	close(dev);
	splats0 = kernel_splats();

	sa.sa_handler = on_signal;
	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART: RUN returns */
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);

	if (!access("/sys/kernel/debug/kcov", F_OK) && module_range())
		TH_LOG("KCOV: guided by minihv's PCs, %#lx-%#lx", mod_lo,
		       mod_hi);
	TH_LOG("seed %llu, %lu calls, %d threads", (unsigned long long)seed,
	       total, nr_threads);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (t = 0; t < nr_threads; t++) {
		struct fuzzer *f = &fuzzers[t];

		memset(f, 0, sizeof(*f));
		memset(f->dev, -1, sizeof(f->dev));
		memset(f->vm, -1, sizeof(f->vm));
		memset(f->vcpu, -1, sizeof(f->vcpu));
		memset(f->evfd, -1, sizeof(f->evfd));
		f->rng = (seed + 1) * 0x9e3779b97f4a7c15ULL + t;
		f->tid = t;
		f->run_size = run_size;
		f->limit = total / nr_threads ? total / nr_threads : 1;
		f->mem = mmap(NULL, MEM_BYTES, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, f->mem);
		ASSERT_EQ(0, pthread_create(&th[t], NULL, fuzz_thread, f));
	}

	/*
	 * A watchdog: a thread with no call done for a minute hangs. It
	 * also shows progress, each tenth of a long run.
	 */
	for (;;) {
		unsigned long seen[MAX_THREADS], sum = 0;
		int busy = 0;

		for (t = 0; t < nr_threads; t++) {
			seen[t] = __atomic_load_n(&fuzzers[t].progress,
						  __ATOMIC_RELAXED);
			sum += seen[t];
		}
		if (total >= 100000 && sum * 10 / total > shown) {
			shown = sum * 10 / total;
			clock_gettime(CLOCK_MONOTONIC, &t1);
			fprintf(stderr, "minihv-fuzz: %lu calls, %ld s, %lu PCs\n",
				sum, (long)(t1.tv_sec - t0.tv_sec),
				__atomic_load_n(&nr_seen, __ATOMIC_RELAXED));
		}
		for (k = 0; k < HANG_SECONDS * 10; k++) {
			busy = 0;
			for (t = 0; t < nr_threads; t++)
				busy += !__atomic_load_n(&fuzzers[t].done,
							  __ATOMIC_ACQUIRE);
			if (!busy)
				break;
			usleep(100000);
		}
		if (!busy)
			break;
		for (t = 0; t < nr_threads; t++)
			if (!__atomic_load_n(&fuzzers[t].done, __ATOMIC_ACQUIRE) &&
			    __atomic_load_n(&fuzzers[t].progress,
					    __ATOMIC_RELAXED) == seen[t]) {
				report("a call hangs");
				ASSERT_TRUE(0);
			}
	}
	for (t = 0; t < nr_threads; t++) {
		ASSERT_EQ(NULL, pthread_join(th[t], NULL) ? (void *)1 : NULL);
		calls += fuzzers[t].calls;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);

	settled_info(&after, before.nr_vms, before.pinned_pages);
	TH_LOG("MINIHV-FUZZ calls=%lu seconds=%.1f seed=%llu threads=%d pcs=%lu corpus=%u",
	       calls, (t1.tv_sec - t0.tv_sec) +
	       (t1.tv_nsec - t0.tv_nsec) / 1e9, (unsigned long long)seed,
	       nr_threads, nr_seen, nr_corpus);
	if (kernel_splats() != splats0)
		report("the kernel log has a new WARN/BUG/Oops");
	EXPECT_EQ(splats0, kernel_splats());
	if (after.nr_vms != before.nr_vms ||
	    after.pinned_pages != before.pinned_pages)
		report_holders("the module is not back to its baseline");
	EXPECT_EQ(before.nr_vms, after.nr_vms);
	EXPECT_EQ(before.pinned_pages, after.pinned_pages);
}

TEST_HARNESS_MAIN
