/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest time on x86 (timer/tsc.c): the guest TSC is the VM's counter
 * (core/clock.c) through the VMCS TSC offset, the same on every vCPU
 * unless the guest writes IA32_TSC; the PM timer counts the same clock.
 */
#ifndef MINIHV_TIMER_TSC_H
#define MINIHV_TIMER_TSC_H

#include <linux/types.h>

struct minihv_vcpu;
struct minihv_vm;
struct vmx_vcpu;

u64 minihv_tsc_read(void);
u64 minihv_tsc_hz(void);
u64 minihv_tsc_guest(const struct vmx_vcpu *v);
void minihv_tsc_set_offset(struct minihv_vcpu *vcpu, s64 offset);
void minihv_tsc_write(struct vmx_vcpu *v, u64 val);
u32 minihv_tsc_khz(void);
u64 minihv_tsc_to_ns(u64 ticks);
u64 minihv_vm_clock_ns(struct minihv_vm *vm);

#endif /* MINIHV_TIMER_TSC_H */
