/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The small VMM inside `minihv run`: one VM, its RAM, its vCPU threads
 * and the devices it emulates in userspace.
 */
#ifndef MINIHV_TOOLS_VMM_H
#define MINIHV_TOOLS_VMM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "../uapi/minihv.h"

#define VMM_MAX_VCPUS	8
#define VMM_MAX_DEVS	8

/* Exit codes of `minihv run`. */
#define EXIT_GUEST_OFF		0	/* PSCI SYSTEM_OFF */
#define EXIT_GUEST_ERROR	1	/* the guest (or minihv) failed */
#define EXIT_USAGE		2
#define EXIT_GUEST_RESET	3	/* PSCI SYSTEM_RESET */

struct vmm_config {
	const char *image;
	const char *initrd;
	const char *append;
	const char *dtb_out;
	uint64_t mem;
	int cpus;
};

struct vmm;

/* An MMIO device emulated in the tool, found by address on MMIO exits. */
struct mmio_dev {
	const char *name;
	uint64_t base, size;
	uint64_t (*read)(struct mmio_dev *dev, uint64_t off, uint32_t len);
	void (*write)(struct mmio_dev *dev, uint64_t off, uint32_t len,
		      uint64_t val);
	void *priv;
};

struct vcpu {
	struct vmm *vmm;
	int id, fd;
	struct minihv_run *run;
	pthread_t thread;
};

struct vmm {
	const struct vmm_config *cfg;
	int dev, vm;
	uint8_t *ram;
	uint64_t ram_gpa, ram_size;
	uint64_t entry, boot_arg;	/* vCPU 0 starts here, x0/... = boot_arg */
	int nr_vcpus;
	struct vcpu vcpus[VMM_MAX_VCPUS];
	struct mmio_dev *devs[VMM_MAX_DEVS];
	int nr_devs;

	pthread_mutex_t lock;		/* guards done and exit_code */
	bool done;
	int exit_code;
};

void vmm_add_device(struct vmm *vmm, struct mmio_dev *dev);
void vmm_mmio(struct vmm *vmm, struct minihv_run *run);
void vmm_stop(struct vmm *vmm, int exit_code);
void *vmm_gpa_to_hva(struct vmm *vmm, uint64_t gpa, uint64_t len);

/* Devices. */
void pl011_init(struct vmm *vmm, uint64_t base);

/* The architecture's half: memory map, image loading, boot data, vCPUs. */
extern const uint64_t arch_ram_base;
int arch_load(struct vmm *vmm);		/* image, initrd, DTB; sets entry */
int arch_vcpu_setup(struct vmm *vmm, struct vcpu *vcpu);
void arch_devices(struct vmm *vmm);

#endif /* MINIHV_TOOLS_VMM_H */
