// SPDX-License-Identifier: GPL-2.0
/*
 * minihv info: what the module found and what it allows.
 */
#include <stdint.h>
#include <stdio.h>
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

int cmd_info(int argc, char **argv)
{
	struct minihv_info mi;
	int fd, ret = 0;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: minihv info\n");
		return 2;
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
	print_caps(&mi);
	if (mi.nr_cpus_enabled != mi.nr_cpus_online) {
		fprintf(stderr, "minihv: not every online CPU is enabled\n");
		ret = 1;
	}
	close(fd);
	return ret;
}
