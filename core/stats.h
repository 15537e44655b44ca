/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What each vCPU did, counted where it happens and read through debugfs
 * (core/stats.c), as KVM's /sys/kernel/debug/kvm: exits by the
 * architecture's own reason, exits to userspace, in-kernel devices,
 * hypercalls, interrupts raised, WFI/HLT sleeps, and where the time of
 * MINIHV_RUN went. Each tracepoint of core/trace.h fires beside the
 * counter it matches.
 */
#ifndef MINIHV_CORE_STATS_H
#define MINIHV_CORE_STATS_H

#include <linux/atomic.h>
#include <linux/types.h>

struct dentry;
struct minihv_vcpu;
struct minihv_vm;

/*
 * Exit reasons as the hardware numbers them: arm64 the exception class
 * (0..63) and 64.. for IRQ, FIQ and SError; x86 the basic VM-exit reason
 * (0..75 in the SDM of 2024). Larger ones count in the last bucket.
 */
#define MINIHV_STAT_EXIT_REASONS	80

/* Counters, in the order the stats file lists them. */
enum minihv_counter {
	MINIHV_STAT_ENTRIES,		/* guest entries that ran */
	MINIHV_STAT_USER_EXITS,		/* MINIHV_RUN returns */
	MINIHV_STAT_MMIO_KERNEL,	/* in-kernel devices (core/io.c) */
	MINIHV_STAT_PIO_KERNEL,
	MINIHV_STAT_IOEVENTFDS,		/* of those, ioeventfds signalled */
	MINIHV_STAT_MMIO_USER,		/* MINIHV_EXIT_MMIO */
	MINIHV_STAT_PIO_USER,		/* MINIHV_EXIT_IO */
	MINIHV_STAT_HYPERCALLS,		/* every minihv hypercall */
	MINIHV_STAT_HALT_POLLS,		/* WFI/HLT with an interrupt ready */
	MINIHV_STAT_HALT_SLEEPS,	/* WFI/HLT that slept */
	MINIHV_STAT_HALT_WAKEUPS,	/* ... and woke for an interrupt */
	MINIHV_STAT_VM_BARRIERS,	/* branch-predictor barriers before it */
	MINIHV_STAT_RUN_NS,		/* inside MINIHV_RUN */
	MINIHV_STAT_GUEST_NS,		/* of which in the guest */
	MINIHV_STAT_HALT_NS,		/* of which asleep in WFI/HLT */
	MINIHV_STAT_FAST_IPIS,		/* IPIs sent without the host */
	MINIHV_NR_COUNTERS
};

struct minihv_vcpu_stats {
	/* Written by the vCPU's own thread only (reads may race, as KVM's). */
	u64 exits[MINIHV_STAT_EXIT_REASONS];
	u64 counters[MINIHV_NR_COUNTERS];
	/* Raised by devices and other vCPUs, from any context. */
	atomic64_t irqs;
	u64 entered;			/* read_counter() at the last entry */
	struct dentry *dir;		/* vcpu<N>/ in the VM's directory */
};

static inline void minihv_stat_add(struct minihv_vcpu_stats *s,
				   enum minihv_counter c, u64 n)
{
	s->counters[c] += n;
}

int minihv_stats_init(void);
void minihv_stats_exit(void);
struct dentry *minihv_debugfs_root(void);
void minihv_stats_vm_add(struct minihv_vm *vm);
void minihv_stats_vm_remove(struct minihv_vm *vm);
void minihv_stats_vcpu_add(struct minihv_vcpu *vcpu);

/* The core's own hooks: entry and exit (interrupts off), RUN, devices. */
void minihv_stats_entered(struct minihv_vcpu *vcpu);
void minihv_stats_exited(struct minihv_vcpu *vcpu);
void minihv_stats_run_done(struct minihv_vcpu *vcpu, u64 ns, int ret);
void minihv_stats_io(struct minihv_vcpu *vcpu, bool pio, u64 addr, u32 len,
		     u64 val, bool write);

/* The exit hooks the architectures call; each also fires a tracepoint. */
void minihv_stat_exit(struct minihv_vcpu *vcpu, u32 reason, u64 pc);
void minihv_stat_hypercall(struct minihv_vcpu *vcpu, u64 nr, u64 arg);
/*
 * @n exits the hypervisor answered before the host saw them (arm64's EL2
 * fast paths, x86's right after the VM exit): counted as exits of
 * @reason and in @counter (the hypercalls, the in-kernel MMIO), not
 * traced.
 */
void minihv_stat_fast_exits(struct minihv_vcpu *vcpu, u32 reason,
			    enum minihv_counter counter, u64 n);
void minihv_stat_irq(struct minihv_vcpu *target, u32 irq);
void minihv_stat_irqchip_access(struct minihv_vcpu *vcpu, u32 reg, u64 val,
				bool write);

#endif /* MINIHV_CORE_STATS_H */
