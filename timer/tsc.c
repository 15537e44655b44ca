// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's TSC and real time (DESIGN §4): one offset per VM, taken at
 * creation, so the guest TSC starts near 0 and reads the same on every
 * vCPU (the host's TSCs are synchronized; the VMCS TSC offset is the
 * only difference). Its rate is the host's tsc_khz, which CPUID reports
 * (vmx/cpuid.c), so a guest need not calibrate it.
 */
#include <linux/irqflags.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/timekeeping.h>

#include <asm/msr.h>
#include <asm/tsc.h>

#include "timer/tsc.h"
#include "vmx/vmx.h"

void minihv_tsc_vm_init(struct vmx_vm *vm)
{
	unsigned long flags;

	/* Read together: the PM timer and the TSC share the same zero. */
	local_irq_save(flags);
	vm->tsc_offset = -rdtsc();
	vm->created_ns = ktime_get_ns();
	local_irq_restore(flags);
}

u64 minihv_tsc_guest(const struct vmx_vcpu *v)
{
	return rdtsc() + READ_ONCE(v->tsc_offset);
}

u32 minihv_tsc_khz(void)
{
	return tsc_khz;
}

/* Rounded up: a timer set from it never fires before its tick. */
u64 minihv_tsc_to_ns(u64 ticks)
{
	u32 khz = max_t(u32, tsc_khz, 1);

	return mul_u64_u32_div(ticks, 1000000, khz) + 1;
}

u64 minihv_vm_real_ns(const struct vmx_vm *vm)
{
	return ktime_get_ns() - vm->created_ns;
}
