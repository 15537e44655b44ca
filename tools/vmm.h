/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The small VMM inside `minihv run`: one VM, its RAM, its vCPU threads
 * and the devices it emulates in userspace (MMIO on both architectures,
 * port I/O on x86).
 */
#ifndef MINIHV_TOOLS_VMM_H
#define MINIHV_TOOLS_VMM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "../uapi/minihv.h"

#define VMM_MAX_VCPUS	8
#define VMM_MAX_DEVS	8
#define VMM_MAX_INITRDS	16	/* x86: Multiboot modules */

/* Exit codes of `minihv run`. */
#define EXIT_GUEST_OFF		0	/* PSCI SYSTEM_OFF, ACPI S5 */
#define EXIT_GUEST_ERROR	1	/* the guest (or minihv) failed */
#define EXIT_USAGE		2
#define EXIT_GUEST_RESET	3	/* PSCI SYSTEM_RESET, x86 reset register */
#define EXIT_GUEST_HALTED	4	/* x86: every vCPU halted, none can wake */

struct vmm_config {
	const char *image;
	const char *initrd;		/* arm64: the last --initrd */
	const char *initrds[VMM_MAX_INITRDS];	/* x86: every --initrd */
	int nr_initrds;
	const char *append;
	const char *dtb_out;
	uint64_t mem;
	int cpus;
	bool no_irqchip;		/* --no-irqchip */
	bool stats;			/* --stats: exits by reason at the end */
	bool virtual_clock;		/* --clock virtual */
	bool wallclock_set;		/* --wallclock: the guest's date now */
	struct timespec wallclock;
	const char *entry_mode;		/* x86 raw binaries: --entry-mode */
	uint64_t load;			/* x86 raw binaries: --load ... */
	bool load_set;			/* ... if given */
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

/* An x86 port I/O device emulated in the tool, found by port on I/O exits. */
struct pio_dev {
	const char *name;
	unsigned int base, size;
	uint32_t (*in)(struct pio_dev *dev, unsigned int off, unsigned int len);
	void (*out)(struct pio_dev *dev, unsigned int off, unsigned int len,
		    uint32_t val);
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
	bool irqchip;			/* MINIHV_CREATE_IRQCHIP done */
	uint8_t *ram;
	uint64_t ram_gpa, ram_size;
	uint64_t entry, boot_arg;	/* vCPU 0 starts here, x0/... = boot_arg */
	int nr_vcpus;
	struct vcpu vcpus[VMM_MAX_VCPUS];
	struct mmio_dev *devs[VMM_MAX_DEVS];
	int nr_devs;
	struct pio_dev *pio_devs[VMM_MAX_DEVS];
	int nr_pio_devs;

	pthread_mutex_t lock;		/* guards done, exit_code, nr_halted */
	bool done;
	int exit_code;
	int nr_halted;			/* vCPUs stopped in HLT for good */
};

void vmm_add_device(struct vmm *vmm, struct mmio_dev *dev);
void vmm_mmio(struct vmm *vmm, struct minihv_run *run);
void vmm_add_pio(struct vmm *vmm, struct pio_dev *dev);
int vmm_pio(struct vmm *vmm, struct minihv_run *run);
void vmm_stop(struct vmm *vmm, int exit_code);
void *vmm_gpa_to_hva(struct vmm *vmm, uint64_t gpa, uint64_t len);
/* MINIHV_IRQ_LINE, for VMs with an in-kernel interrupt controller. */
void vmm_irq_line(struct vmm *vmm, unsigned int irq, bool level);

/*
 * The guest's date (tools/wallclock.c): the VM's wall clock plus its
 * real time; setting it moves the wall clock only.
 */
int vmm_date(struct vmm *vmm, struct timespec *ts);
int vmm_set_date(struct vmm *vmm, int64_t sec);

/* Devices. */
void pl011_init(struct vmm *vmm, uint64_t base, unsigned int irq);
void pl031_init(struct vmm *vmm, uint64_t base);
void uart16550_init(struct vmm *vmm, unsigned int port, unsigned int irq);

/*
 * The architecture's half: memory map, image loading, boot data, vCPUs.
 * arch_check() and arch_load() run before /dev/minihv is opened, so a bad
 * command line or image is reported the same with or without the module.
 */
extern const uint64_t arch_ram_base;
extern const char arch_usage[];		/* options, image formats, exit codes */
int arch_check(const struct vmm_config *cfg);	/* 0, or a usage error */
int arch_load(struct vmm *vmm);		/* image and boot data; sets entry */
/*
 * After CREATE_VM and the RAM slot, before any vCPU: the in-kernel
 * interrupt controller (which sets irqchip).
 */
int arch_vm_setup(struct vmm *vmm);
int arch_vcpu_setup(struct vmm *vmm, struct vcpu *vcpu);
void arch_devices(struct vmm *vmm);
void arch_dump_vcpu(struct vcpu *vcpu);	/* registers, after a failure */

#endif /* MINIHV_TOOLS_VMM_H */
