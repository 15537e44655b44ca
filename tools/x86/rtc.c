// SPDX-License-Identifier: GPL-2.0
/*
 * The PC's CMOS real-time clock (a Motorola MC146818 at ports 0x70 and
 * 0x71): where Linux, GRUB and every PC guest read the date at boot.
 * The date is the VM's (tools/wallclock.c), turned into the chip's
 * registers on each read: BCD or binary, 24- or 12-hour as register B
 * says, the century in byte 0x32 (the FADT names it). No update is ever
 * in progress (register A's UIP reads 0): the registers are computed,
 * not counted, so a read never sees one half-way.
 *
 * Setting the clock works as on the chip: with B's SET bit on, writes go
 * to a stopped copy, and clearing SET starts it at the new date (which
 * moves the VM's wall clock); a write with SET off changes that field at
 * once. The rest of the 128 bytes is plain CMOS memory.
 *
 * No interrupt: the chip's IRQ 8 is not wired (the DSDT's RTC device
 * has none), so Linux's rtc_cmos runs without alarms and says so, and
 * register C never has a flag set.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "x86.h"

#define RTC_SEC		0x00
#define RTC_MIN		0x02
#define RTC_HOUR	0x04
#define RTC_WDAY	0x06
#define RTC_MDAY	0x07
#define RTC_MON		0x08
#define RTC_YEAR	0x09
#define RTC_REG_A	0x0a
#define RTC_REG_B	0x0b
#define RTC_REG_C	0x0c
#define RTC_REG_D	0x0d
#define RTC_CENTURY	X86_RTC_CENTURY

#define A_UIP		0x80
#define B_SET		0x80
#define B_BINARY	0x04
#define B_24H		0x02
#define D_VRT		0x80		/* the battery is fine */
#define HOUR_PM		0x80		/* 12-hour mode */
#define NMI_OFF		0x80		/* in the index: NMI mask, ignored */

struct rtc {
	struct pio_dev pio;
	struct vmm *vmm;
	pthread_mutex_t lock;
	uint8_t index;
	uint8_t cmos[128];		/* A, B and the memory bytes */
	struct tm set;			/* the stopped copy while SET is on */
};

/* The date's bytes (not the alarm's, 1, 3 and 5: plain memory here). */
static bool is_date_reg(unsigned int r)
{
	return r == RTC_SEC || r == RTC_MIN || r == RTC_HOUR ||
	       (r >= RTC_WDAY && r <= RTC_YEAR) || r == RTC_CENTURY;
}

static uint8_t to_chip(const struct rtc *rtc, unsigned int v)
{
	return rtc->cmos[RTC_REG_B] & B_BINARY ? v : (v / 10) << 4 | v % 10;
}

static unsigned int from_chip(const struct rtc *rtc, uint8_t v)
{
	return rtc->cmos[RTC_REG_B] & B_BINARY ? v : (v >> 4) * 10 + (v & 15);
}

static void now_tm(struct rtc *rtc, struct tm *tm)
{
	struct timespec ts = { 0 };

	if (vmm_date(rtc->vmm, &ts))
		perror("minihv: rtc: the VM's date");
	gmtime_r(&ts.tv_sec, tm);
}

static uint8_t hour_reg(const struct rtc *rtc, int hour)
{
	int h12;

	if (rtc->cmos[RTC_REG_B] & B_24H)
		return to_chip(rtc, hour);
	h12 = hour % 12 ? hour % 12 : 12;
	return to_chip(rtc, h12) | (hour >= 12 ? HOUR_PM : 0);
}

static int hour_from_reg(const struct rtc *rtc, uint8_t v)
{
	int h;

	if (rtc->cmos[RTC_REG_B] & B_24H)
		return from_chip(rtc, v);
	h = from_chip(rtc, v & ~HOUR_PM) % 12;
	return v & HOUR_PM ? h + 12 : h;
}

static uint8_t time_reg(const struct rtc *rtc, const struct tm *tm,
			unsigned int r)
{
	switch (r) {
	case RTC_SEC:
		return to_chip(rtc, tm->tm_sec);
	case RTC_MIN:
		return to_chip(rtc, tm->tm_min);
	case RTC_HOUR:
		return hour_reg(rtc, tm->tm_hour);
	case RTC_WDAY:
		return to_chip(rtc, tm->tm_wday + 1);	/* Sunday is 1 */
	case RTC_MDAY:
		return to_chip(rtc, tm->tm_mday);
	case RTC_MON:
		return to_chip(rtc, tm->tm_mon + 1);
	case RTC_YEAR:
		return to_chip(rtc, (tm->tm_year + 1900) % 100);
	default:	/* RTC_CENTURY */
		return to_chip(rtc, (tm->tm_year + 1900) / 100);
	}
}

static void set_time_reg(struct rtc *rtc, struct tm *tm, unsigned int r,
			 uint8_t v)
{
	int year = tm->tm_year + 1900;

	switch (r) {
	case RTC_SEC:
		tm->tm_sec = from_chip(rtc, v);
		break;
	case RTC_MIN:
		tm->tm_min = from_chip(rtc, v);
		break;
	case RTC_HOUR:
		tm->tm_hour = hour_from_reg(rtc, v);
		break;
	case RTC_MDAY:
		tm->tm_mday = from_chip(rtc, v);
		break;
	case RTC_MON:
		tm->tm_mon = from_chip(rtc, v) - 1;
		break;
	case RTC_YEAR:
		tm->tm_year = year / 100 * 100 + from_chip(rtc, v) - 1900;
		break;
	case RTC_CENTURY:
		tm->tm_year = from_chip(rtc, v) * 100 + year % 100 - 1900;
		break;
	default:
		break;		/* the day of the week follows from the date */
	}
}

/* The chip runs again from @tm: the VM's date becomes it. */
static void start_at(struct rtc *rtc, struct tm *tm)
{
	time_t t = timegm(tm);

	if (t == (time_t)-1 || vmm_set_date(rtc->vmm, t))
		fprintf(stderr, "minihv: rtc: the guest set a date the VM cannot take: %04d-%02d-%02d %02d:%02d:%02d\n",
			tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday,
			tm->tm_hour, tm->tm_min, tm->tm_sec);
}

static uint8_t rtc_read(struct rtc *rtc, unsigned int r)
{
	struct tm tm;

	if (is_date_reg(r)) {
		if (rtc->cmos[RTC_REG_B] & B_SET)
			return time_reg(rtc, &rtc->set, r);
		now_tm(rtc, &tm);
		return time_reg(rtc, &tm, r);
	}
	switch (r) {
	case RTC_REG_A:
		return rtc->cmos[r] & ~A_UIP;
	case RTC_REG_C:
		return 0;		/* no interrupt flags, ever */
	case RTC_REG_D:
		return D_VRT;
	default:
		return rtc->cmos[r];
	}
}

static void rtc_write(struct rtc *rtc, unsigned int r, uint8_t v)
{
	struct tm tm;
	uint8_t old;

	if (is_date_reg(r)) {
		if (rtc->cmos[RTC_REG_B] & B_SET) {
			set_time_reg(rtc, &rtc->set, r, v);
		} else {
			now_tm(rtc, &tm);
			set_time_reg(rtc, &tm, r, v);
			start_at(rtc, &tm);
		}
		return;
	}
	switch (r) {
	case RTC_REG_A:
		rtc->cmos[r] = v & ~A_UIP;
		break;
	case RTC_REG_B:
		if ((v & B_SET) && !(rtc->cmos[r] & B_SET))
			now_tm(rtc, &rtc->set);		/* stop the chip */
		old = rtc->cmos[r];
		rtc->cmos[r] = v;
		if ((old & B_SET) && !(v & B_SET))
			start_at(rtc, &rtc->set);	/* and start it again */
		break;
	case RTC_REG_C:
	case RTC_REG_D:
		break;			/* read-only */
	default:
		rtc->cmos[r] = v;
		break;
	}
}

static uint32_t rtc_in(struct pio_dev *dev, unsigned int off, unsigned int len)
{
	struct rtc *rtc = dev->priv;
	uint8_t v;

	pthread_mutex_lock(&rtc->lock);
	v = off ? rtc_read(rtc, rtc->index) : rtc->index;
	pthread_mutex_unlock(&rtc->lock);
	return v;
}

static void rtc_out(struct pio_dev *dev, unsigned int off, unsigned int len,
		    uint32_t val)
{
	struct rtc *rtc = dev->priv;

	pthread_mutex_lock(&rtc->lock);
	if (off)
		rtc_write(rtc, rtc->index, val);
	else
		rtc->index = val & ~NMI_OFF;
	pthread_mutex_unlock(&rtc->lock);
}

static struct rtc rtc = {
	.pio = {
		.name = "cmos-rtc",
		.base = X86_RTC_PORT,
		.size = 2,
		.in = rtc_in,
		.out = rtc_out,
		.priv = &rtc,
	},
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

void rtc_init(struct vmm *vmm)
{
	rtc.vmm = vmm;
	memset(rtc.cmos, 0, sizeof(rtc.cmos));
	/* As a PC's firmware leaves it: 32.768 kHz, 1024 Hz; BCD, 24-hour. */
	rtc.cmos[RTC_REG_A] = 0x26;
	rtc.cmos[RTC_REG_B] = B_24H;
	vmm_add_pio(vmm, &rtc.pio);
}
