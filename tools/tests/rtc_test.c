// SPDX-License-Identifier: GPL-2.0
/*
 * The real-time clocks (tools/x86/rtc.c, tools/pl031.c), natively on the
 * build host, against a VM date this test keeps: the CMOS registers as
 * Linux's mc146818 code reads them (BCD and binary, 24- and 12-hour, the
 * century byte, UIP never set), setting the date with B's SET bit and
 * without it, and the PL031's count, load and match status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../vmm.h"
#include "tap.h"
#include "../x86/x86.h"

static struct pio_dev *cmos;
static struct mmio_dev *pl031;
static int64_t date;		/* the VM's date, in s */
static int sets;

int vmm_date(struct vmm *vmm, struct timespec *ts)
{
	ts->tv_sec = date;
	ts->tv_nsec = 0;
	return 0;
}

int vmm_set_date(struct vmm *vmm, int64_t sec)
{
	date = sec;
	sets++;
	return 0;
}

void vmm_add_pio(struct vmm *vmm, struct pio_dev *dev)
{
	cmos = dev;
}

void vmm_add_device(struct vmm *vmm, struct mmio_dev *dev)
{
	pl031 = dev;
}

static uint8_t rd(unsigned int reg)
{
	cmos->out(cmos, 0, 1, reg | 0x80);	/* NMI mask bit: ignored */
	return cmos->in(cmos, 1, 1);
}

static void wr(unsigned int reg, uint8_t v)
{
	cmos->out(cmos, 0, 1, reg);
	cmos->out(cmos, 1, 1, v);
}

int main(void)
{
	struct vmm vmm = { 0 };

	rtc_init(&vmm);
	pl031_init(&vmm, 0x09010000);

	/* 2031-12-31 23:59:58 UTC, a Wednesday. */
	date = 1956527998;
	CHECK_EQ(0x26, rd(0x0a), "register A: 32.768 kHz, UIP clear");
	CHECK_EQ(0x02, rd(0x0b), "register B: BCD, 24-hour");
	CHECK_EQ(0x80, rd(0x0d), "register D: valid RAM and time");
	CHECK_EQ(0x58, rd(0x00), "seconds in BCD");
	CHECK_EQ(0x59, rd(0x02), "minutes in BCD");
	CHECK_EQ(0x23, rd(0x04), "hours in BCD, 24-hour");
	CHECK_EQ(0x04, rd(0x06), "day of the week: Wednesday is 4");
	CHECK_EQ(0x31, rd(0x07), "day of the month");
	CHECK_EQ(0x12, rd(0x08), "month");
	CHECK_EQ(0x31, rd(0x09), "year in the century");
	CHECK_EQ(0x20, rd(0x32), "century byte");
	date += 2;
	CHECK_EQ(0x32, rd(0x09), "the count goes on: a new year");
	CHECK_EQ(0x01, rd(0x08), "and January");

	wr(0x0b, 0x06);			/* binary, 24-hour */
	CHECK_EQ(32, rd(0x09), "binary year");
	CHECK_EQ(0, rd(0x04), "binary hour 0");
	wr(0x0b, 0x04);			/* binary, 12-hour */
	CHECK_EQ(12, rd(0x04), "12-hour mode: midnight is 12 AM");
	date += 13 * 3600;
	CHECK_EQ(0x80 | 1, rd(0x04), "12-hour mode: 1 PM");

	/* Setting it as Linux's mc146818_set_time does: SET, fields, clear. */
	wr(0x0b, 0x82);			/* SET, BCD, 24-hour */
	date += 100;			/* stopped: reads do not move */
	CHECK_EQ(0x00, rd(0x00), "SET stops the registers");
	wr(0x00, 0x05);
	wr(0x02, 0x04);
	wr(0x04, 0x03);
	wr(0x07, 0x02);
	wr(0x08, 0x01);
	wr(0x09, 0x30);
	wr(0x32, 0x20);
	CHECK_EQ(0, sets, "nothing set while SET is on");
	wr(0x0b, 0x02);
	CHECK_EQ(1, sets, "clearing SET sets the date");
	CHECK_EQ(1893553445, date, "to 2030-01-02 03:04:05");
	/* A field written with SET off takes at once. */
	wr(0x02, 0x10);
	CHECK_EQ(1893553445 + 6 * 60, date, "minutes set alone");

	wr(0x0c, 0xff);
	CHECK_EQ(0, rd(0x0c), "register C: no interrupt flags");
	wr(0x40, 0xa5);
	CHECK_EQ(0xa5, rd(0x40), "CMOS memory keeps a byte");

	/* PL031: the count is the date, the load register sets it. */
	CHECK_EQ((uint32_t)date, pl031->read(pl031, 0x000, 4), "PL031 count");
	CHECK_EQ(0x31, pl031->read(pl031, 0xfe0, 4), "PL031 part number");
	CHECK_EQ(0xb1, pl031->read(pl031, 0xffc, 4), "PrimeCell id");
	pl031->write(pl031, 0x008, 4, 2000000000);
	CHECK_EQ(2000000000, date, "PL031 load sets the date");
	CHECK_EQ(2000000000, pl031->read(pl031, 0x000, 4), "and the count");
	pl031->write(pl031, 0x004, 4, 2000000010);
	CHECK_EQ(0, pl031->read(pl031, 0x014, 4), "match ahead: not reached");
	date += 10;
	CHECK_EQ(1, pl031->read(pl031, 0x014, 4), "match reached");
	CHECK_EQ(0, pl031->read(pl031, 0x018, 4), "masked: no interrupt");
	pl031->write(pl031, 0x01c, 4, 1);
	CHECK_EQ(0, pl031->read(pl031, 0x014, 4), "cleared");

	return tap_done();
}
