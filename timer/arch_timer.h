/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The arm64 generic timers of a vCPU (timer/arch_timer.c): the virtual
 * timer is the guest's own hardware (CNTV_*, offset by the VM's
 * CNTVOFF_EL2), the physical timer (CNTP_*) is trapped and emulated on
 * an hrtimer. Both drive their PPI through the vGIC.
 */
#ifndef MINIHV_TIMER_ARCH_TIMER_H
#define MINIHV_TIMER_ARCH_TIMER_H

#include <linux/hrtimer.h>
#include <linux/spinlock.h>
#include <linux/types.h>

struct minihv_vcpu;

/* Guarded by @lock: the vCPU's thread and the hrtimers both update it. */
struct arch_timer_cpu {
	struct minihv_vcpu *vcpu;
	raw_spinlock_t lock;
	/* The virtual timer's stand-in while the vCPU runs no guest code. */
	struct hrtimer vtimer_bg;
	/* The emulated physical timer: CNTP_CTL (ENABLE, IMASK), CNTP_CVAL. */
	u64 ptimer_ctl, ptimer_cval;
	struct hrtimer ptimer;
	/* The lines as last given to the vGIC. */
	bool vtimer_level, ptimer_level;
};

int minihv_arch_timer_init(void);
void minihv_arch_timer_exit(void);
void minihv_arch_timer_release_cpu(void);
void minihv_arch_timer_release_all(void);
void minihv_arch_timer_forget_cpu(void);
void minihv_arch_timer_vcpu_init(struct minihv_vcpu *vcpu);
void minihv_arch_timer_vcpu_destroy(struct minihv_vcpu *vcpu);
void minihv_arch_timer_sync(struct minihv_vcpu *vcpu);
void minihv_arch_timer_entry(struct minihv_vcpu *vcpu);
void minihv_arch_timer_put(struct minihv_vcpu *vcpu);
void minihv_arch_timer_load(struct minihv_vcpu *vcpu);
bool minihv_arch_timer_sysreg(struct minihv_vcpu *vcpu, u32 id, bool read,
			      u64 *val);
u64 minihv_arch_timer_guest_cntvct(struct minihv_vcpu *vcpu);
u64 minihv_arch_timer_read_counter(void);
u64 minihv_arch_timer_counter_hz(void);
void minihv_arch_timer_set_offset(struct minihv_vcpu *vcpu, s64 offset);

#endif /* MINIHV_TIMER_ARCH_TIMER_H */
