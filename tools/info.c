// SPDX-License-Identifier: GPL-2.0
/*
 * minihv info: what the module found and what it allows.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../uapi/minihv.h"
#include "minihv.h"

static const char *arch_name(uint32_t arch)
{
	switch (arch) {
	case MINIHV_ARCH_ARM64:
		return "arm64";
	case MINIHV_ARCH_X86_64:
		return "x86_64";
	default:
		return "unknown";
	}
}

static const char *mode_name(uint32_t mode)
{
	switch (mode) {
	case MINIHV_MODE_NVHE:
		return "nVHE (kernel at EL1, minihv owns EL2)";
	case MINIHV_MODE_VHE:
		return "VHE (kernel at EL2)";
	case MINIHV_MODE_VMX:
		return "VMX (VMX root on every CPU)";
	default:
		return "unknown";
	}
}

static void print_cpus(const struct minihv_info *mi)
{
	const char *sep = "";
	unsigned int cpu;

	for (cpu = 0; cpu < MINIHV_INFO_CPU_WORDS * 64; cpu++) {
		if (mi->cpus_enabled[cpu / 64] & (1ULL << (cpu % 64))) {
			printf("%s%u", sep, cpu);
			sep = ",";
		}
	}
}

static void print_caps(const struct minihv_info *mi)
{
	if (mi->arch == MINIHV_ARCH_ARM64) {
		printf("ich_vtr_el2:    0x%llx (%llu list registers)\n",
		       (unsigned long long)mi->arch_caps[0],
		       mi->arch_caps[0] ?
		       (unsigned long long)(mi->arch_caps[0] & 0x1f) + 1 : 0);
		printf("vmid_bits:      %llu (%llu in use, %llu rollovers)\n",
		       (unsigned long long)mi->arch_caps[1],
		       (unsigned long long)mi->arch_caps[3],
		       (unsigned long long)mi->arch_caps[4]);
		printf("pa_bits:        %llu\n",
		       (unsigned long long)mi->arch_caps[2]);
		if (mi->mode == MINIHV_MODE_NVHE)
			printf("el2 lent:       %llu CPUs (%llu hand-overs, %llu refused since load)\n",
			       (unsigned long long)mi->arch_caps[5],
			       (unsigned long long)mi->arch_caps[6],
			       (unsigned long long)mi->arch_caps[7]);
		else
			printf("tlb flushes:    %llu after another hypervisor's guest, %llu as vCPUs left a CPU\n",
			       (unsigned long long)mi->arch_caps[6],
			       (unsigned long long)mi->arch_caps[7]);
	} else if (mi->arch == MINIHV_ARCH_X86_64) {
		printf("vmx_basic:      0x%016llx (VMCS revision 0x%llx)\n",
		       (unsigned long long)mi->arch_caps[0],
		       (unsigned long long)(mi->arch_caps[0] & 0x7fffffff));
		printf("ept_vpid_cap:   0x%016llx\n",
		       (unsigned long long)mi->arch_caps[1]);
		printf("procbased2:     0x%016llx\n",
		       (unsigned long long)mi->arch_caps[2]);
		printf("controls:       pin 0x%08llx proc 0x%08llx proc2 0x%08llx\n",
		       (unsigned long long)(mi->arch_caps[3] & 0xffffffff),
		       (unsigned long long)(mi->arch_caps[3] >> 32),
		       (unsigned long long)mi->arch_caps[4]);
		printf("                exit 0x%08llx entry 0x%08llx\n",
		       (unsigned long long)(mi->arch_caps[5] & 0xffffffff),
		       (unsigned long long)(mi->arch_caps[5] >> 32));
	}
}

static void print_version(const char *what, unsigned int code)
{
	printf("%s%u.%u.%u\n", what, code >> 16, (code >> 8) & 0xff,
	       code & 0xff);
}

/*
 * The tool's own version, and the module's if one is loaded: 1 if they
 * differ (the uapi they share may then not mean the same).
 */
int cmd_version(int argc, char **argv)
{
	struct minihv_info mi;
	int fd, ret = 0;

	if (argc > 1) {
		fprintf(stderr, "usage: minihv version\n");
		return 2;
	}
	(void)argv;
	print_version("minihv tool    ", MINIHV_VERSION_CODE);
	fd = open(MINIHV_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		printf("minihv.ko      not loaded\n");
		return 0;
	}
	if (ioctl(fd, MINIHV_GET_INFO, &mi) == 0) {
		print_version("minihv.ko      ", mi.version);
		if (mi.version != MINIHV_VERSION_CODE) {
			fprintf(stderr, "minihv: the tool and the module differ\n");
			ret = 1;
		}
	}
	close(fd);
	return ret;
}

/*
 * Where guests' time comes from (docs/time.md): the counter every VM's
 * clock derives from, and the host's own clock source beside it.
 */
static void print_clocks(const struct minihv_info *mi)
{
	const char *counter = mi->arch == MINIHV_ARCH_ARM64 ?
			      "CNTPCT_EL0 (guests: CNTVCT_EL0)" : "TSC";
	char src[64] = "unknown";
	FILE *f;

	f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		  "r");
	if (f) {
		if (fgets(src, sizeof(src), f))
			src[strcspn(src, "\n")] = 0;
		fclose(f);
	}
	if (mi->counter_hz)
		printf("guest counter:  %s at %llu Hz\n", counter,
		       (unsigned long long)mi->counter_hz);
	printf("host clock:     %s\n", src);
}

int cmd_info(int argc, char **argv)
{
	struct minihv_info mi;
	int fd, ret = 0;
	uint64_t lent;

	if (argc > 1) {
		FILE *f = strcmp(argv[1], "--help") ? stderr : stdout;

		fprintf(f, "usage: minihv info\n\n"
			"What minihv.ko found and allows: the architecture and\n"
			"mode, its version, the CPUs it owns (each asked live),\n"
			"VM limits, the clock sources guests' time comes from, and\n"
			"the hardware's virtualization features.\n"
			"Exit code 1 if an online CPU is not minihv's.\n");
		return f == stdout ? 0 : 2;
	}
	fd = minihv_open_dev();
	if (fd < 0)
		return 1;
	if (ioctl(fd, MINIHV_GET_INFO, &mi) < 0) {
		perror("minihv: MINIHV_GET_INFO");
		close(fd);
		return 1;
	}
	printf("arch:           %s\n", arch_name(mi.arch));
	printf("mode:           %s\n", mode_name(mi.mode));
	printf("api:            %u\n", mi.api_version);
	print_version("version:        ", mi.version);
	printf("cpus:           %u of %u online CPUs enabled (",
	       mi.nr_cpus_enabled, mi.nr_cpus_online);
	print_cpus(&mi);
	printf(")\n");
	printf("vms:            %u running, at most %u\n", mi.nr_vms,
	       mi.max_vms);
	printf("vcpus per vm:   %u (ids 0..%u)\n", mi.max_vcpus,
	       mi.max_vcpu_id);
	printf("memory slots:   %u per vm (ids 0..%u), %llu MiB each at most\n",
	       mi.max_memslots, mi.max_memslot_id,
	       (unsigned long long)(mi.max_memslot_bytes >> 20));
	printf("guest phys:     %u bits\n", mi.ipa_bits);
	printf("pinned pages:   %llu\n", (unsigned long long)mi.pinned_pages);
	print_clocks(&mi);
	print_caps(&mi);
	/*
	 * arm64 nVHE: CPUs whose EL2 minihv lent while it had no VM (to a
	 * KVM VM, or back to the stub after one) are accounted for; it takes
	 * them again at its next VM.
	 */
	lent = mi.arch == MINIHV_ARCH_ARM64 && mi.mode == MINIHV_MODE_NVHE ?
	       mi.arch_caps[5] : 0;
	if (mi.nr_cpus_enabled + lent != mi.nr_cpus_online) {
		fprintf(stderr, "minihv: not every online CPU is enabled\n");
		ret = 1;
	}
	close(fd);
	return ret;
}
