// SPDX-License-Identifier: GPL-2.0
/*
 * The ACPI PM timer (ACPI 6.x, 4.8.3.3): a free-running 24-bit counter
 * at 3.579545 MHz in a 4-port block (FADT PM_TMR_BLK, PM_TMR_LEN 4;
 * TMR_VAL_EXT clear), counting the VM's clock (core/clock.c: real time
 * since the VM was created, or virtual time), as the guest TSC does, and
 * wrapping from 0xffffff to 0. Guests read it as the reference against
 * which they calibrate the TSC and the APIC timer. Writes are ignored.
 */
#include <linux/math64.h>

#include "timer/pm_timer.h"
#include "timer/tsc.h"
#include "vmx/vmx.h"

#define PM_TIMER_MASK	0xffffff

static int pm_read(struct minihv_io_dev *dev, struct minihv_vcpu *vcpu,
		   u64 offset, u32 len, u64 *val)
{
	struct minihv_pm_timer *pm = container_of(dev, struct minihv_pm_timer,
						  dev);
	u64 ticks = mul_u64_u32_div(minihv_vm_clock_ns(pm->vm), PM_TIMER_HZ,
				    NSEC_PER_SEC);
	u32 count = ticks & PM_TIMER_MASK;

	/* Any byte of the 32-bit register, bits 31:24 reading 0. */
	*val = (count >> (8 * offset)) & (len >= 4 ? ~0U : BIT(8 * len) - 1);
	return 0;
}

static int pm_write(struct minihv_io_dev *dev, struct minihv_vcpu *vcpu,
		    u64 offset, u32 len, u64 val)
{
	return 0;
}

static const struct minihv_io_ops pm_ops = {
	.read = pm_read,
	.write = pm_write,
};

void minihv_pm_timer_init(struct minihv_pm_timer *pm, struct minihv_vm *vm,
			  u16 port)
{
	pm->vm = vm;
	pm->dev.space = MINIHV_IO_PIO;
	pm->dev.base = port;
	pm->dev.size = PM_TIMER_PORTS;
	pm->dev.ops = &pm_ops;
}
