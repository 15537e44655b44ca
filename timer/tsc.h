/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest time on x86 (timer/tsc.c): the guest TSC is the host's plus an
 * offset taken when the VM is created, so it starts near 0 and is the
 * same on every vCPU; real time since creation is what the PM timer
 * counts.
 */
#ifndef MINIHV_TIMER_TSC_H
#define MINIHV_TIMER_TSC_H

#include <linux/types.h>

struct vmx_vm;
struct vmx_vcpu;

void minihv_tsc_vm_init(struct vmx_vm *vm);
u64 minihv_tsc_guest(const struct vmx_vcpu *v);
u32 minihv_tsc_khz(void);
u64 minihv_tsc_to_ns(u64 ticks);
u64 minihv_vm_real_ns(const struct vmx_vm *vm);

#endif /* MINIHV_TIMER_TSC_H */
