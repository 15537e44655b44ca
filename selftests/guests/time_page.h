/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The three clocks of minihv's time page (uapi MINIHV_HCALL_TIME_PAGE,
 * docs/time.md), for the bare-metal test guests of both architectures:
 * read as a seqlock reader does, converted without a division, printed
 * in decimal without the C library (i386 has no 64-bit divide
 * instruction, and these guests link no libgcc).
 *
 * The includer defines guest_counter() (CNTVCT_EL0, RDTSC),
 * page_barrier() (orders the reads of the page, and is a compiler
 * barrier, so each read between two of them is made) and putc().
 */
#ifndef MINIHV_GUEST_TIME_PAGE_H
#define MINIHV_GUEST_TIME_PAGE_H

#include <stdint.h>

#include "../../uapi/minihv.h"

struct clocks {
	uint64_t real_ns, virtual_ns, counter, hz;
	int64_t wall_sec;
	uint32_t wall_nsec, flags;
};

/* ((d << shift) * mul) >> 32, the product 96 bits wide. */
static uint64_t tp_scale(uint64_t d, uint32_t mul, int8_t shift)
{
	if (shift >= 0)
		d <<= shift;
	else
		d >>= -shift;
	return (uint64_t)(uint32_t)(d >> 32) * mul +
	       (((uint64_t)(uint32_t)d * mul) >> 32);
}

static void tp_read(const struct minihv_time_page *p, struct clocks *c)
{
	uint32_t v1, v2, mul;
	uint64_t base, real, virt;
	int8_t shift;

	do {
		page_barrier();
		v1 = p->version;
		page_barrier();
		base = p->counter_base;
		real = p->real_ns;
		virt = p->virtual_ns;
		mul = p->mul;
		shift = p->shift;
		c->flags = p->flags;
		c->wall_sec = p->wall_sec;
		c->wall_nsec = p->wall_nsec;
		c->hz = p->counter_hz;
		c->counter = guest_counter();
		page_barrier();
		v2 = p->version;
	} while ((v1 & 1) || v1 != v2);
	c->real_ns = real + tp_scale(c->counter - base, mul, shift);
	c->virtual_ns = virt + tp_scale(c->counter - base, mul, shift);
}

/* n / d by long division, one bit at a time. */
static uint64_t tp_div(uint64_t n, uint32_t d, uint32_t *rem)
{
	uint64_t q = 0, r = 0;
	int i;

	for (i = 63; i >= 0; i--) {
		r = r << 1 | ((n >> i) & 1);
		if (r >= d) {
			r -= d;
			q |= 1ULL << i;
		}
	}
	*rem = r;
	return q;
}

static void tp_put_dec(uint64_t v, int width)
{
	char buf[24];
	int n = 0;
	uint32_t r;

	do {
		v = tp_div(v, 10, &r);
		buf[n++] = '0' + r;
	} while (v || n < width);
	while (n)
		putc(buf[--n]);
}

static void tp_puts(const char *s)
{
	while (*s)
		putc(*s++);
}

/* ns as seconds with nine decimals. */
static void tp_put_ns(uint64_t ns)
{
	uint32_t frac;

	tp_put_dec(tp_div(ns, 1000000000, &frac), 1);
	putc('.');
	tp_put_dec(frac, 9);
}

/* One line: "clocks: real S.N virtual S.N wall S.N (real|virtual)". */
static void tp_print(const struct clocks *c)
{
	uint64_t wall_ns = c->wall_nsec + c->real_ns;
	uint32_t frac;
	uint64_t sec = tp_div(wall_ns, 1000000000, &frac);

	tp_puts("clocks: real ");
	tp_put_ns(c->real_ns);
	tp_puts(" virtual ");
	tp_put_ns(c->virtual_ns);
	tp_puts(" wall ");
	tp_put_dec(c->wall_sec + sec, 1);
	putc('.');
	tp_put_dec(frac, 9);
	tp_puts(c->flags & MINIHV_CLOCK_VIRTUAL ? " (virtual)\n" : " (real)\n");
}

/* Both prints, one second of the guest's counter apart. */
static void tp_print_twice(const struct minihv_time_page *p)
{
	struct clocks c;
	uint64_t end;

	tp_read(p, &c);
	tp_print(&c);
	end = c.counter + c.hz;
	while (guest_counter() < end)
		;
	tp_read(p, &c);
	tp_print(&c);
}

#endif /* MINIHV_GUEST_TIME_PAGE_H */
