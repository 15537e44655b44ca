// SPDX-License-Identifier: GPL-2.0
/*
 * minihv run: boot a guest image the way QEMU's or kvmtool's machines
 * would, with the devices of tools/ and the memory map of tools/<arch>/.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "minihv.h"
#include "vmm.h"

static void run_usage(FILE *f)
{
	fprintf(f,
		"usage: minihv run [options] <image>\n"
		"  --mem <MiB>        guest RAM (default 128; a G suffix for GiB)\n"
		"  --cpus <n>         vCPUs (default 1, at most %d)\n"
		"  --append <args>    kernel command line\n"
		"  --no-irqchip       no in-kernel interrupt controller, even where\n"
		"                     minihv.ko has one\n"
		"  --stats            at the end, the VM's exits by reason and its\n"
		"                     other counters (as minihv stat), on stderr\n"
		"  --clock <real|virtual>\n"
		"                     what the guest's counter shows: real time (the\n"
		"                     default) or virtual time, which stands still\n"
		"                     while the VM does not run\n"
		"  --wallclock <date|now>\n"
		"                     the guest's date at boot, as YYYY-MM-DDTHH:MM:SSZ\n"
		"                     (UTC) or now (the default)\n"
		"%s",
		VMM_MAX_VCPUS, arch_usage);
}

void vmm_stop(struct vmm *vmm, int exit_code)
{
	int i;

	/* The lock also waits for main() to have started every thread. */
	pthread_mutex_lock(&vmm->lock);
	if (!vmm->done) {
		vmm->done = true;
		vmm->exit_code = exit_code;
	}
	/* Other vCPUs may sleep in RUN (powered off): interrupt them. */
	for (i = 0; i < vmm->nr_vcpus; i++)
		if (!pthread_equal(vmm->vcpus[i].thread, pthread_self()))
			pthread_kill(vmm->vcpus[i].thread, SIGUSR1);
	pthread_mutex_unlock(&vmm->lock);
}

void vmm_irq_line(struct vmm *vmm, unsigned int irq, bool level)
{
	struct minihv_irq_level l = { .irq = irq, .level = level };
	static bool warned;

	if (!vmm->irqchip || !ioctl(vmm->vm, MINIHV_IRQ_LINE, &l) || warned)
		return;
	warned = true;
	fprintf(stderr, "minihv: IRQ_LINE %u: %s\n", irq, strerror(errno));
}

static bool vmm_done(struct vmm *vmm)
{
	bool done;

	pthread_mutex_lock(&vmm->lock);
	done = vmm->done;
	pthread_mutex_unlock(&vmm->lock);
	return done;
}

void *vmm_gpa_to_hva(struct vmm *vmm, uint64_t gpa, uint64_t len)
{
	if (gpa < vmm->ram_gpa || len > vmm->ram_size ||
	    gpa - vmm->ram_gpa > vmm->ram_size - len)
		return NULL;
	return vmm->ram + (gpa - vmm->ram_gpa);
}

static void report_internal(struct vcpu *v)
{
	struct minihv_run *run = v->run;
	unsigned int i;

	fprintf(stderr, "minihv: vCPU %d: internal error %u:", v->id,
		run->internal.suberror);
	for (i = 0; i < run->internal.ndata && i < 16; i++)
		fprintf(stderr, " 0x%llx",
			(unsigned long long)run->internal.data[i]);
	fprintf(stderr, "\n");
}

/* MINIHV_ENTRY_FAIL_VMFAIL: VMLAUNCH/VMRESUME refused (SDM 30.4). */
static void report_fail_entry(struct vcpu *v)
{
	uint64_t why = v->run->fail_entry.hardware_entry_failure_reason;

	if (why & MINIHV_ENTRY_FAIL_VMFAIL)
		fprintf(stderr, "minihv: vCPU %d: VM entry failed on CPU %u: VM-instruction error %llu\n",
			v->id, v->run->fail_entry.cpu,
			(unsigned long long)(why & 0xffffffff));
	else
		fprintf(stderr, "minihv: vCPU %d: VM entry failed on CPU %u: exit reason 0x%llx%s\n",
			v->id, v->run->fail_entry.cpu, (unsigned long long)why,
			(why & 0xffff) == 33 ? " (invalid guest state)" : "");
}

/* A halted vCPU's thread ends; the guest ends when the last one halts. */
static void vcpu_halted(struct vcpu *v)
{
	struct vmm *vmm = v->vmm;
	bool all;

	pthread_mutex_lock(&vmm->lock);
	all = ++vmm->nr_halted == vmm->nr_vcpus;
	pthread_mutex_unlock(&vmm->lock);
	if (all) {
		fprintf(stderr, "minihv: %s halted (HLT) and nothing can wake %s\n",
			vmm->nr_vcpus > 1 ? "every vCPU" : "the vCPU",
			vmm->nr_vcpus > 1 ? "them" : "it");
		vmm_stop(vmm, EXIT_GUEST_HALTED);
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct vmm *vmm = v->vmm;
	struct minihv_run *run = v->run;

	while (!vmm_done(vmm)) {
		if (ioctl(v->fd, MINIHV_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "minihv: vCPU %d: RUN: %s\n", v->id,
				strerror(errno));
			vmm_stop(vmm, EXIT_GUEST_ERROR);
			break;
		}
		switch (run->exit_reason) {
		case MINIHV_EXIT_MMIO:
			vmm_mmio(vmm, run);
			break;
		case MINIHV_EXIT_IO:
			if (vmm_pio(vmm, run))
				vmm_stop(vmm, EXIT_GUEST_ERROR);
			break;
		case MINIHV_EXIT_HYPERCALL:
			run->hypercall.ret = 0;
			break;
		case MINIHV_EXIT_SYSTEM_EVENT:
			vmm_stop(vmm, run->system_event.type ==
				 MINIHV_SYSTEM_EVENT_RESET ?
				 EXIT_GUEST_RESET : EXIT_GUEST_OFF);
			break;
		case MINIHV_EXIT_HLT:
			/* No interrupt source yet: this vCPU is done. */
			vcpu_halted(v);
			return NULL;
		case MINIHV_EXIT_SHUTDOWN:
			fprintf(stderr, "minihv: vCPU %d: triple fault\n", v->id);
			arch_dump_vcpu(v);
			vmm_stop(vmm, EXIT_GUEST_ERROR);
			break;
		case MINIHV_EXIT_FAIL_ENTRY:
			report_fail_entry(v);
			arch_dump_vcpu(v);
			vmm_stop(vmm, EXIT_GUEST_ERROR);
			break;
		case MINIHV_EXIT_INTERNAL:
			report_internal(v);
			arch_dump_vcpu(v);
			vmm_stop(vmm, EXIT_GUEST_ERROR);
			break;
		default:
			fprintf(stderr, "minihv: vCPU %d: unexpected exit %u\n",
				v->id, run->exit_reason);
			arch_dump_vcpu(v);
			vmm_stop(vmm, EXIT_GUEST_ERROR);
		}
	}
	return NULL;
}

static void on_usr1(int sig)
{
}

/* The image and boot data first: their errors need no /dev/minihv. */
static int load_guest(struct vmm *vmm)
{
	vmm->ram_gpa = arch_ram_base;
	vmm->ram_size = vmm->cfg->mem;
	vmm->ram = mmap(NULL, vmm->ram_size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vmm->ram == MAP_FAILED) {
		perror("minihv: guest RAM");
		return -1;
	}
	return arch_load(vmm);
}

/* ISO 8601 in UTC, to the second, or "now". */
static int parse_date(const char *s, struct timespec *ts)
{
	struct tm tm = {};
	const char *end;

	if (!strcmp(s, "now"))
		return clock_gettime(CLOCK_REALTIME, ts);
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end || (*end && strcmp(end, "Z")))
		return -1;
	ts->tv_sec = timegm(&tm);
	ts->tv_nsec = 0;
	return ts->tv_sec == -1 ? -1 : 0;
}

/*
 * The VM's clocks (docs/time.md): the counter's mode, chosen before any
 * vCPU runs, and the date, set as the wall clock at real time 0.
 */
static int set_clocks(struct vmm *vmm)
{
	const struct vmm_config *cfg = vmm->cfg;
	struct minihv_clock clock = { .flags = MINIHV_CLOCK_VIRTUAL };
	struct minihv_wallclock wall = {};
	int64_t nsec;

	if (ioctl(vmm->dev, MINIHV_CHECK_EXTENSION, MINIHV_CAP_CLOCK) <= 0) {
		if (!cfg->virtual_clock && !cfg->wallclock_set)
			return 0;
		fprintf(stderr, "minihv: this minihv.ko has no clock ioctls\n");
		return -1;
	}
	if (cfg->virtual_clock && ioctl(vmm->vm, MINIHV_SET_CLOCK, &clock)) {
		perror("minihv: SET_CLOCK");
		return -1;
	}
	if (!cfg->wallclock_set)
		return 0;
	if (ioctl(vmm->vm, MINIHV_GET_CLOCK, &clock)) {
		perror("minihv: GET_CLOCK");
		return -1;
	}
	/* The date now, less the real time the VM already has. */
	nsec = cfg->wallclock.tv_nsec - (int64_t)(clock.real_ns % 1000000000);
	wall.sec = cfg->wallclock.tv_sec - clock.real_ns / 1000000000;
	if (nsec < 0) {
		nsec += 1000000000;
		wall.sec--;
	}
	wall.nsec = nsec;
	if (ioctl(vmm->vm, MINIHV_SET_WALLCLOCK, &wall)) {
		perror("minihv: SET_WALLCLOCK");
		return -1;
	}
	return 0;
}

static int create_vm(struct vmm *vmm)
{
	const struct vmm_config *cfg = vmm->cfg;
	struct minihv_userspace_memory_region mr = { .slot = 0 };
	long mmap_size;
	int i;

	vmm->dev = minihv_open_dev();
	if (vmm->dev < 0)
		return -1;
	if (ioctl(vmm->dev, MINIHV_CHECK_EXTENSION, MINIHV_CAP_RUN) <= 0) {
		fprintf(stderr, "minihv: running guests is not implemented yet on this machine\n");
		return -1;
	}
	vmm->vm = ioctl(vmm->dev, MINIHV_CREATE_VM, 0);
	if (vmm->vm < 0) {
		perror("minihv: CREATE_VM");
		return -1;
	}

	if (set_clocks(vmm))
		return -1;

	mr.guest_phys_addr = vmm->ram_gpa;
	mr.memory_size = vmm->ram_size;
	mr.userspace_addr = (uintptr_t)vmm->ram;
	if (ioctl(vmm->vm, MINIHV_SET_USER_MEMORY_REGION, &mr)) {
		perror("minihv: SET_USER_MEMORY_REGION");
		return -1;
	}
	if (arch_vm_setup(vmm))
		return -1;

	mmap_size = ioctl(vmm->dev, MINIHV_GET_VCPU_MMAP_SIZE, 0);
	vmm->nr_vcpus = cfg->cpus;
	for (i = 0; i < vmm->nr_vcpus; i++) {
		struct vcpu *v = &vmm->vcpus[i];

		v->vmm = vmm;
		v->id = i;
		v->fd = ioctl(vmm->vm, MINIHV_CREATE_VCPU, i);
		if (v->fd < 0) {
			perror("minihv: CREATE_VCPU");
			return -1;
		}
		v->run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE,
			      MAP_SHARED, v->fd, 0);
		if (v->run == MAP_FAILED) {
			perror("minihv: mmap run area");
			return -1;
		}
		if (arch_vcpu_setup(vmm, v))
			return -1;
	}
	arch_devices(vmm);
	return 0;
}

static int parse_mem(const char *s, uint64_t *mem)
{
	char *end;
	unsigned long long mib = strtoull(s, &end, 0);

	if (*end == 'M' || *end == 'm')
		end++;
	else if (*end == 'G' || *end == 'g')
		mib <<= 10, end++;
	if (*end || !mib || mib > (MINIHV_MAX_MEMSLOT_BYTES >> 20))
		return -1;
	*mem = mib << 20;
	return 0;
}

/* --stats: the VM's counters, read while its fd still holds it. */
static void print_stats(const struct vmm *vmm)
{
	struct minihv_vm_info info;
	char name[32];

	if (ioctl(vmm->vm, MINIHV_GET_VM_INFO, &info)) {
		fprintf(stderr, "minihv: --stats: MINIHV_GET_VM_INFO: %s\n",
			strerror(errno));
		return;
	}
	snprintf(name, sizeof(name), "%d-%u", (int)getpid(), info.id);
	if (stat_print_vm(stderr, name))
		fprintf(stderr, "minihv: --stats: no debugfs statistics for vm %s (is debugfs mounted?)\n",
			name);
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mem", required_argument, NULL, 'm' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "append", required_argument, NULL, 'a' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "dtb-out", required_argument, NULL, 'd' },
		{ "load", required_argument, NULL, 'l' },
		{ "entry-mode", required_argument, NULL, 'e' },
		{ "no-irqchip", no_argument, NULL, 'n' },
		{ "stats", no_argument, NULL, 's' },
		{ "clock", required_argument, NULL, 'k' },
		{ "wallclock", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct vmm_config cfg = { .mem = 128 << 20, .cpus = 1, .append = "" };
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct vmm vmm = { .cfg = &cfg, .dev = -1, .vm = -1 };
	char *end;
	int c, i;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (parse_mem(optarg, &cfg.mem)) {
				fprintf(stderr, "minihv: bad --mem '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'c':
			cfg.cpus = atoi(optarg);
			if (cfg.cpus < 1 || cfg.cpus > VMM_MAX_VCPUS) {
				fprintf(stderr, "minihv: --cpus must be 1..%d\n",
					VMM_MAX_VCPUS);
				return EXIT_USAGE;
			}
			break;
		case 'a':
			cfg.append = optarg;
			break;
		case 'i':
			if (cfg.nr_initrds == VMM_MAX_INITRDS) {
				fprintf(stderr, "minihv: at most %d --initrd\n",
					VMM_MAX_INITRDS);
				return EXIT_USAGE;
			}
			cfg.initrds[cfg.nr_initrds++] = optarg;
			cfg.initrd = optarg;
			break;
		case 'd':
			cfg.dtb_out = optarg;
			break;
		case 'l':
			errno = 0;
			cfg.load = strtoull(optarg, &end, 0);
			if (errno || end == optarg || *end || *optarg == '-') {
				fprintf(stderr, "minihv: bad --load '%s'\n", optarg);
				return EXIT_USAGE;
			}
			cfg.load_set = true;
			break;
		case 'e':
			cfg.entry_mode = optarg;
			break;
		case 'n':
			cfg.no_irqchip = true;
			break;
		case 's':
			cfg.stats = true;
			break;
		case 'k':
			if (!strcmp(optarg, "virtual")) {
				cfg.virtual_clock = true;
			} else if (strcmp(optarg, "real")) {
				fprintf(stderr, "minihv: --clock is real or virtual\n");
				return EXIT_USAGE;
			}
			break;
		case 'w':
			if (parse_date(optarg, &cfg.wallclock)) {
				fprintf(stderr, "minihv: bad --wallclock '%s' (YYYY-MM-DDTHH:MM:SSZ or now)\n",
					optarg);
				return EXIT_USAGE;
			}
			cfg.wallclock_set = true;
			break;
		case 'h':
			run_usage(stdout);
			return 0;
		default:
			run_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		run_usage(stderr);
		return EXIT_USAGE;
	}
	cfg.image = argv[optind];
	if (arch_check(&cfg))
		return EXIT_USAGE;

	pthread_mutex_init(&vmm.lock, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	if (load_guest(&vmm) || create_vm(&vmm))
		return EXIT_GUEST_ERROR;

	pthread_mutex_lock(&vmm.lock);
	for (i = 0; i < vmm.nr_vcpus; i++)
		pthread_create(&vmm.vcpus[i].thread, NULL, vcpu_thread,
			       &vmm.vcpus[i]);
	pthread_mutex_unlock(&vmm.lock);
	for (i = 0; i < vmm.nr_vcpus; i++)
		pthread_join(vmm.vcpus[i].thread, NULL);
	fflush(stdout);
	if (cfg.stats)
		print_stats(&vmm);
	return vmm.exit_code;
}
