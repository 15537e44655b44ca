/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ACPI power-management timer (timer/pm_timer.c): 3.579545 MHz,
 * 24 bits, counting the VM's clock (core/clock.c), as its TSC does.
 */
#ifndef MINIHV_TIMER_PM_TIMER_H
#define MINIHV_TIMER_PM_TIMER_H

#include "core/minihv.h"

#define PM_TIMER_HZ	3579545
#define PM_TIMER_PORTS	4

struct minihv_pm_timer {
	struct minihv_io_dev dev;
	struct minihv_vm *vm;
};

void minihv_pm_timer_init(struct minihv_pm_timer *pm, struct minihv_vm *vm,
			  u16 port);

#endif /* MINIHV_TIMER_PM_TIMER_H */
