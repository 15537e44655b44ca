/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64 EL2: what the nVHE takeover and the VHE path share.
 */
#ifndef MINIHV_EL2_EL2_H
#define MINIHV_EL2_EL2_H

#include <linux/types.h>

#include <linux/preempt.h>

#include "core/arch.h"
#include "el2/hyp.h"
#include "el2/kvm.h"
#include "mm/pgtable.h"
#include "timer/arch_timer.h"

/* What minihv learnt about this CPU's EL2, in either mode. */
struct minihv_el2_caps {
	u64 ich_vtr;		/* 0: no GICv3 system registers */
	u32 vmid_bits;
	u32 pa_bits;		/* at most 48: no LPA descriptors */
	u32 parange;		/* ID_AA64MMFR0_EL1.PARange of pa_bits */
};

/* nVHE: the EL2 image and its translation tables. */
struct minihv_el2 {
	void *image;		/* physically contiguous copy of the image */
	size_t image_size;
	phys_addr_t vectors;	/* PA of minihv's vector table */
	phys_addr_t stub_vectors;	/* PA of the kernel's __hyp_stub_vectors */

	struct minihv_pgtable pgt;
	u64 ttbr0, tcr, mair, sctlr;
};

struct vgic_dist;
struct vgic_cpu;

/* An arm64 VM: its stage-2 table and VMID, and its vGIC. */
struct el2_vm {
	struct minihv_pgtable s2;
	atomic64_t vmid;		/* generation | VMID (el2/vmid.c) */
	u64 vtcr;
	int __percpu *last_vcpu_ran;	/* vCPU id, or -1 */
	struct vgic_dist *vgic;		/* NULL: no in-kernel GIC */
};

struct el2_vcpu_ctx;

/*
 * An arm64 vCPU: its world-switch context, what RUN owes it, its
 * redistributor (NULL without a vGIC) and timers.
 */
struct el2_vcpu {
	struct el2_vcpu_ctx *ctx;
	int pending;		/* enum el2_pending (exit.c) */
	u8 mmio_srt, mmio_len;
	bool mmio_sign, mmio_64;
	struct vgic_cpu *vgic;
	struct arch_timer_cpu timer;
	struct preempt_notifier pn;	/* the timer's put/load on (de)schedule */
	bool fp_claim;		/* the FP/SIMD registers to claim (exit.c) */
	u64 gone_reason;	/* EL2_EXIT_GONE: what answered the entry call */
	u32 gone_cpu;
};

/*
 * How the mode enters a guest, flushes a VMID and shares EL2 with other
 * hypervisors: set by its probe. Optional hooks are NULL.
 */
struct minihv_el2_world {
	u64 (*enter)(struct el2_vcpu_ctx *ctx);
	void (*flush_vmid)(u64 vttbr);
	void (*flush_guests_local)(void);	/* interrupts off */
	/*
	 * The first minihv VM comes (may fail: -EBUSY, another hypervisor
	 * holds EL2) and the last one goes; under guest.c's claim_lock.
	 */
	int (*claim)(void);
	void (*release)(void);
	/*
	 * VHE beside another hypervisor, interrupts off: before each entry
	 * (the VTTBR about to be used), and when a vCPU thread leaves a CPU
	 * (scheduled out, RUN returns).
	 */
	void (*before_entry)(u64 vttbr);
	void (*leave_cpu)(void);
	/* Another hypervisor's vCPUs may run on a CPU between our entries. */
	bool foreign_guests;
	/* GET_INFO's arch_caps[5..7] (see hyp_stub.c). */
	void (*el2_stats)(u64 caps[MINIHV_ARCH_CAPS]);
	/* For the debugfs view (el2/debugfs.c), on the CPU in question. */
	bool (*el2_regs)(u64 regs[EL2_REG_NR]);
	const char *(*el2_owner_name)(void);
	unsigned long (*stub_call)(unsigned long id);	/* nVHE only */
	u64 guest_hcr;
};

extern struct minihv_el2_world minihv_el2_world;

u64 __minihv_vhe_run(struct el2_vcpu_ctx *ctx);
/* VHE: the VTTBR_EL2 every exit leaves behind (vhe.c sets it). */
extern u64 minihv_vhe_idle_vttbr;

int minihv_el2_spectre_check(void);
int minihv_el2_vmid_init(void);
void minihv_el2_vmid_exit(void);
u16 minihv_el2_vmid_get(atomic64_t *id, bool *flush_all);
u16 minihv_el2_vmid_peek(atomic64_t *id);
void minihv_el2_vmid_stats(u64 *bits, u64 *nr_rollovers);
u64 minihv_el2_vttbr(struct el2_vm *vm, u16 vmid);

int minihv_el2_vm_init(struct minihv_vm *vm);
void minihv_el2_vm_destroy(struct minihv_vm *vm);
struct minihv_pgtable *minihv_el2_vm_pgtable(struct minihv_vm *vm);
int minihv_el2_map_slot(struct minihv_vm *vm, struct minihv_memslot *slot);
void minihv_el2_unmap_slot(struct minihv_vm *vm, struct minihv_memslot *slot);
int minihv_el2_vcpu_init(struct minihv_vcpu *vcpu);
u64 minihv_el2_addr(const void *p);
void minihv_el2_vcpu_added(struct minihv_vcpu *vcpu);
void minihv_el2_vcpu_destroy(struct minihv_vcpu *vcpu);
int minihv_el2_vcpu_run(struct minihv_vcpu *vcpu);

/*
 * The ops both arm64 modes share (guests, registers, capabilities): each
 * mode's table adds its own mode, CPU hand-over and unprobe.
 */
#define MINIHV_EL2_GUEST_OPS					\
	.ipa_bits = minihv_el2_ipa_bits,			\
	.get_caps = minihv_el2_get_caps,			\
	.check_regs = minihv_el2_check_regs,			\
	.reset_regs = minihv_el2_reset_regs,			\
	.vm_init = minihv_el2_vm_init,				\
	.vm_pgtable = minihv_el2_vm_pgtable,			\
	.vm_destroy = minihv_el2_vm_destroy,			\
	.map_slot = minihv_el2_map_slot,			\
	.unmap_slot = minihv_el2_unmap_slot,			\
	.vcpu_init = minihv_el2_vcpu_init,			\
	.vcpu_init_flags = MINIHV_VCPU_INIT_POWER_OFF,		\
	.vcpu_added = minihv_el2_vcpu_added,			\
	.vcpu_destroy = minihv_el2_vcpu_destroy,		\
	.vcpu_run = minihv_el2_vcpu_run,			\
	.irqchip_create = minihv_el2_irqchip_create,		\
	.irq_line = minihv_el2_irq_line,			\
	.irq_lines = minihv_el2_irq_lines,			\
	.vcpu_has_work = minihv_el2_vcpu_has_work,		\
	.exit_name = minihv_el2_exit_name,			\
	.read_counter = minihv_arch_timer_read_counter,		\
	.counter_hz = minihv_arch_timer_counter_hz,		\
	.set_counter_offset = minihv_arch_timer_set_offset

int minihv_el2_irqchip_create(struct minihv_vm *vm,
			      const struct minihv_irqchip *chip);
int minihv_el2_irq_line(struct minihv_vm *vm, u32 irq, bool level);
u32 minihv_el2_irq_lines(struct minihv_vm *vm);
bool minihv_el2_vcpu_has_work(struct minihv_vcpu *vcpu);
const char *minihv_el2_exit_name(u32 reason);
void minihv_el2_vcpu_preempt_init(struct minihv_vcpu *vcpu);
int minihv_el2_guest_hw_init(struct minihv_arch_ops *ops);
void minihv_el2_found_ich_vtr(struct minihv_arch_ops *ops);
void minihv_el2_guest_hw_exit(void);

int minihv_el2_psci(struct minihv_vcpu *vcpu, u64 fn);
int minihv_el2_inject_undef(struct minihv_vcpu *vcpu);
int minihv_el2_handle_sysreg(struct minihv_vcpu *vcpu);
int minihv_el2_power_wait(struct minihv_vcpu *vcpu);

int minihv_el2_mmu_init(struct minihv_el2 *el2);
void minihv_el2_mmu_exit(struct minihv_el2 *el2);
void minihv_el2_clean_poc(const void *addr, size_t size);

extern struct minihv_el2_caps minihv_el2_caps;
void minihv_el2_read_caps(void);

struct minihv_arch_ops *minihv_nvhe_probe(void);
struct minihv_arch_ops *minihv_vhe_probe(void);

/* el2/debugfs.c */
void minihv_el2_debugfs_init(void);
void minihv_el2_debugfs_exit(void);

/* The ops both modes have in common. */
u32 minihv_el2_ipa_bits(void);
void minihv_el2_get_caps(u64 caps[MINIHV_ARCH_CAPS]);
int minihv_el2_check_regs(const struct minihv_regs *regs);
void minihv_el2_reset_regs(struct minihv_regs *regs);
bool minihv_el2_has_gicv3_sysregs(void);

#endif /* MINIHV_EL2_EL2_H */
