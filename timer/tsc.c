// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's TSC: the VM's counter (core/clock.c: real or virtual time,
 * one offset for every vCPU, near 0 at creation), plus what this vCPU's
 * own IA32_TSC writes added, through the VMCS TSC offset. Its rate is the
 * host's tsc_khz, which CPUID reports (vmx/cpuid.c), so a guest need not
 * calibrate it; the host's TSCs are synchronized.
 */
#include <linux/math64.h>

#include <asm/msr.h>
#include <asm/tsc.h>

#include "core/minihv.h"
#include "irq/lapic.h"
#include "timer/tsc.h"
#include "vmx/vmx.h"

u64 minihv_tsc_read(void)
{
	return rdtsc();
}

u64 minihv_tsc_hz(void)
{
	return (u64)tsc_khz * 1000;
}

/*
 * The guest TSC now, as the timers compare it (standing still while a
 * virtual-time VM is stopped).
 */
u64 minihv_tsc_guest(const struct vmx_vcpu *v)
{
	return minihv_clock_counter(v->vcpu->vm) + READ_ONCE(v->tsc_adjust);
}

/* The VM's counter moved (core/clock.c): before the next entry. */
void minihv_tsc_set_offset(struct minihv_vcpu *vcpu, s64 offset)
{
	struct vmx_vcpu *v = vcpu->arch;

	v->tsc_offset = offset + v->tsc_adjust;
	v->tsc_dirty = true;
	/* Its hrtimer was a host-time estimate on the old offset. */
	if (v->apic)
		minihv_apic_timer_rearm(v->apic);
}

/* A guest write of IA32_TSC: this vCPU's TSC only, as on hardware. */
void minihv_tsc_write(struct vmx_vcpu *v, u64 val)
{
	WRITE_ONCE(v->tsc_adjust, val - minihv_clock_counter(v->vcpu->vm));
	v->tsc_offset = minihv_clock_offset(v->vcpu->vm) + v->tsc_adjust;
	vmcs_write(TSC_OFFSET, v->tsc_offset);
	if (v->apic)
		minihv_apic_timer_rearm(v->apic);
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

/* The VM's clock in ns: what the PM timer counts. */
u64 minihv_vm_clock_ns(struct minihv_vm *vm)
{
	return minihv_clock_ticks_to_ns(&vm->clock, minihv_clock_counter(vm));
}
