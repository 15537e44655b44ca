// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's date, for the real-time clocks the tool emulates (the x86
 * CMOS RTC, the arm64 PL031): the VM's wall clock (its date at real
 * time 0) plus its real time, both from minihv.ko (docs/time.md), so an
 * RTC shows what the guest's time page shows. A guest that sets its RTC
 * moves the VM's wall clock; real time, and so every counter and timer,
 * stays as it was.
 */
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm.h"

#define NSEC_PER_SEC	1000000000LL

/* The VM's real time, in ns. */
static int real_ns(struct vmm *vmm, int64_t *ns)
{
	struct minihv_clock c;

	if (ioctl(vmm->vm, MINIHV_GET_CLOCK, &c))
		return -1;
	*ns = (int64_t)c.real_ns;
	return 0;
}

int vmm_date(struct vmm *vmm, struct timespec *ts)
{
	struct minihv_wallclock w;
	int64_t ns;

	if (ioctl(vmm->vm, MINIHV_GET_WALLCLOCK, &w) || real_ns(vmm, &ns))
		return -1;
	ns += w.nsec;
	ts->tv_sec = w.sec + ns / NSEC_PER_SEC;
	ts->tv_nsec = ns % NSEC_PER_SEC;
	return 0;
}

int vmm_set_date(struct vmm *vmm, int64_t sec)
{
	struct minihv_wallclock w = {};
	int64_t ns;

	if (real_ns(vmm, &ns))
		return -1;
	/* The date at real time 0 that makes now exactly @sec. */
	w.sec = sec - ns / NSEC_PER_SEC;
	w.nsec = 0;
	if (ns % NSEC_PER_SEC) {
		w.sec--;
		w.nsec = NSEC_PER_SEC - ns % NSEC_PER_SEC;
	}
	return ioctl(vmm->vm, MINIHV_SET_WALLCLOCK, &w);
}
