/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one door between the arch-neutral core and an architecture.
 *
 * Exactly one architecture is linked into minihv.ko (el2/ or vmx/, chosen
 * by Kbuild); it provides minihv_arch_probe(), which checks the hardware
 * and returns its ops table. The core never tests the architecture itself.
 */
#ifndef MINIHV_CORE_ARCH_H
#define MINIHV_CORE_ARCH_H

#include <linux/types.h>

#include "uapi/minihv.h"

struct minihv_memslot;
struct minihv_pgtable;
struct minihv_vm;
struct minihv_vcpu;

#define MINIHV_ARCH_CAPS 8

struct minihv_arch_ops {
	u32 arch;		/* enum minihv_arch */
	u32 mode;		/* enum minihv_mode */
	const char *mode_name;

	/* Guest-physical address bits a memory slot may reach. */
	u32 (*ipa_bits)(void);

	/* Global teardown: undoes minihv_arch_probe(). */
	void (*unprobe)(void);

	/*
	 * Take / give back the virtualization hardware of the calling CPU.
	 * Called from CPU hotplug (pinned to the CPU) and, for disable, from
	 * the reboot path with interrupts off.
	 */
	int (*cpu_enable)(void);
	void (*cpu_disable)(void);
	/* Runs on a CPU: does minihv own that CPU's hardware right now? */
	bool (*cpu_check)(void);

	void (*get_caps)(u64 caps[MINIHV_ARCH_CAPS]);

	/*
	 * The name of a hardware exit reason as minihv_stat_exit() counts
	 * it (core/stats.h), NULL for one it has no name for.
	 */
	const char *(*exit_name)(u32 reason);

	/*
	 * MINIHV_VCPU_INIT flags the architecture can honour (POWER_OFF needs
	 * a way to power the vCPU on from the guest: PSCI on arm64, INIT and
	 * start-up IPIs on x86).
	 */
	u32 vcpu_init_flags;

	/* An I/O port space (x86), for MINIHV_IOEVENTFD_PIO. */
	bool has_ports;

	/* The architecture's own vCPU ioctls (-ENOTTY for unknown ones). */
	long (*vcpu_ioctl)(struct minihv_vcpu *vcpu, unsigned int cmd,
			   void __user *arg);

	/* Regs are validated here; the core stores them. */
	int (*check_regs)(const struct minihv_regs *regs);
	void (*reset_regs)(struct minihv_regs *regs);

	/*
	 * Guests. All NULL until the architecture (or mode) can run them;
	 * then MINIHV_CAP_RUN is 1. Slot hooks run under vm->lock.
	 */
	int (*vm_init)(struct minihv_vm *vm);
	/* The VM's guest-physical table, for MINIHV_GET_VM_INFO. */
	struct minihv_pgtable *(*vm_pgtable)(struct minihv_vm *vm);
	void (*vm_destroy)(struct minihv_vm *vm);
	int (*map_slot)(struct minihv_vm *vm, struct minihv_memslot *slot);
	void (*unmap_slot)(struct minihv_vm *vm, struct minihv_memslot *slot);
	int (*vcpu_init)(struct minihv_vcpu *vcpu);
	/* Optional, under vm->lock: the vCPU now counts in nr_vcpus. */
	void (*vcpu_added)(struct minihv_vcpu *vcpu);
	void (*vcpu_destroy)(struct minihv_vcpu *vcpu);
	int (*vcpu_run)(struct minihv_vcpu *vcpu);

	/*
	 * The in-kernel interrupt controller (core/irqchip.c): the types
	 * this architecture emulates, as (1 << MINIHV_IRQCHIP_*), 0 for
	 * none. irqchip_create runs under vm->lock before any vCPU exists
	 * and registers its MMIO with minihv_io_register(); the VM's
	 * vm_destroy frees it. irq_line drives a device line (-EINVAL for
	 * a line the controller does not have); it may run with interrupts
	 * off, in any context (an irqfd's wake-up: raw, irqsave locks).
	 */
	u32 irqchip_types;
	int (*irqchip_create)(struct minihv_vm *vm,
			      const struct minihv_irqchip *chip);
	int (*irq_line)(struct minihv_vm *vm, u32 irq, bool level);
	/* The VM's controller's device lines: irq_line's 0 .. n - 1. */
	u32 (*irq_lines)(struct minihv_vm *vm);
	/*
	 * A vCPU waiting for an interrupt (WFI, HLT): is one ready for it?
	 * Called by the vCPU's own thread, preemptible (core/kick.c).
	 */
	bool (*vcpu_has_work)(struct minihv_vcpu *vcpu);
	/*
	 * The clocks (core/clock.c): the host counter the guest's counter
	 * derives from (CNTPCT_EL0, the TSC), from any context; its rate;
	 * and the vCPU's new offset (guest counter = host counter + offset),
	 * set by its own thread, preemptible, before an entry.
	 */
	u64 (*read_counter)(void);
	u64 (*counter_hz)(void);
	void (*set_counter_offset)(struct minihv_vcpu *vcpu, s64 offset);
};

/* Provided by the architecture linked in; ERR_PTR() with a dmesg line. */
const struct minihv_arch_ops *minihv_arch_probe(void);

#endif /* MINIHV_CORE_ARCH_H */
