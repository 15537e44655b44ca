// SPDX-License-Identifier: GPL-2.0
/*
 * An ARM PL031 real-time clock (PrimeCell TRM, DDI 0224), where QEMU's
 * virt machine has it: a seconds counter that Linux's rtc-pl031 reads at
 * boot for the date. The count is the VM's date (tools/wallclock.c);
 * writing the load register sets it, which moves the VM's wall clock.
 *
 * The match register and its status bit work (RIS is set once the count
 * has reached a match written ahead of it), but the interrupt is not
 * wired: the device tree gives none, so Linux runs the clock without
 * alarms. The PrimeCell ids let the AMBA bus probe it.
 */
#include <pthread.h>
#include <stdio.h>

#include "vmm.h"

#define RTCDR		0x000	/* data: the count */
#define RTCMR		0x004	/* match */
#define RTCLR		0x008	/* load */
#define RTCCR		0x00c	/* control: bit 0 starts the counter */
#define RTCIMSC		0x010
#define RTCRIS		0x014
#define RTCMIS		0x018
#define RTCICR		0x01c
#define RTCPERIPHID0	0xfe0

#define RTC_INT		1	/* the one interrupt: the match */

static const uint8_t primecell_ids[8] = {
	0x31, 0x10, 0x14, 0x00,		/* PL031 */
	0x0d, 0xf0, 0x05, 0xb1,		/* PrimeCell */
};

struct pl031 {
	struct mmio_dev dev;
	struct vmm *vmm;
	pthread_mutex_t lock;
	uint32_t mr, lr, imsc;
	bool armed, ris;	/* a match ahead of the count; reached */
};

static uint32_t count(struct pl031 *r)
{
	struct timespec ts = { 0 };

	if (vmm_date(r->vmm, &ts))
		perror("minihv: pl031: the VM's date");
	return (uint32_t)ts.tv_sec;
}

static bool ris(struct pl031 *r)
{
	if (r->armed && count(r) >= r->mr) {
		r->armed = false;
		r->ris = true;
	}
	return r->ris;
}

static uint64_t pl031_read(struct mmio_dev *dev, uint64_t off, uint32_t len)
{
	struct pl031 *r = dev->priv;
	uint64_t v = 0;

	pthread_mutex_lock(&r->lock);
	switch (off) {
	case RTCDR:
		v = count(r);
		break;
	case RTCMR:
		v = r->mr;
		break;
	case RTCLR:
		v = r->lr;
		break;
	case RTCCR:
		v = 1;		/* always counting */
		break;
	case RTCIMSC:
		v = r->imsc;
		break;
	case RTCRIS:
		v = ris(r);
		break;
	case RTCMIS:
		v = ris(r) & r->imsc;
		break;
	default:
		if (off >= RTCPERIPHID0 && off < RTCPERIPHID0 + 32 &&
		    !(off & 3))
			v = primecell_ids[(off - RTCPERIPHID0) / 4];
	}
	pthread_mutex_unlock(&r->lock);
	return v;
}

static void pl031_write(struct mmio_dev *dev, uint64_t off, uint32_t len,
			uint64_t val)
{
	struct pl031 *r = dev->priv;

	pthread_mutex_lock(&r->lock);
	switch (off) {
	case RTCMR:
		r->mr = val;
		r->armed = r->mr > count(r);
		break;
	case RTCLR:
		r->lr = val;
		if (vmm_set_date(r->vmm, r->lr))
			perror("minihv: pl031: setting the VM's date");
		r->armed = r->mr > r->lr;
		break;
	case RTCIMSC:
		r->imsc = val & RTC_INT;
		break;
	case RTCICR:
		if (val & RTC_INT)
			r->ris = false;
		break;
	default:
		break;		/* RTCCR: the counter cannot be stopped */
	}
	pthread_mutex_unlock(&r->lock);
}

static struct pl031 rtc = { .lock = PTHREAD_MUTEX_INITIALIZER };

void pl031_init(struct vmm *vmm, uint64_t base)
{
	rtc.vmm = vmm;
	rtc.dev = (struct mmio_dev) {
		.name = "pl031", .base = base, .size = 0x1000,
		.read = pl031_read, .write = pl031_write, .priv = &rtc,
	};
	vmm_add_device(vmm, &rtc.dev);
}
