// SPDX-License-Identifier: GPL-2.0
/*
 * A bare-metal arm64 guest for `minihv run` tests: registers a time page
 * with minihv's hypercall, prints the three clocks twice, a second of
 * the virtual counter apart (selftests/guests/time_page.h), and powers
 * off with PSCI SYSTEM_OFF. A raw binary at the start of RAM, MMU off.
 *
 * With the MMU off every access is Device memory, which bypasses the
 * caches: each read of the page first cleans and invalidates its line to
 * the point of coherency (DC CIVAC), where minihv's cacheable writes are
 * then visible.
 */
#include <stdint.h>

#define UART		0x09000000UL
#define UART_FR		0x18
#define UART_FR_TXFF	(1U << 5)
#define PSCI_SYS_OFF	0x84000008UL

__asm__(".section .text.start, \"ax\"\n"
	".globl _start\n"
	"_start:\n"
	"	ldr	x1, =stack_top\n"
	"	mov	sp, x1\n"
	"	bl	guest_main\n"
	"1:	wfi\n"
	"	b	1b\n"
	".bss\n"
	".balign 16\n"
	".skip 8192\n"
	"stack_top:\n"
	".text\n");

/* Single loads and stores: a syndrome the hypervisor can decode. */
static uint32_t mmio_read32(uint64_t addr)
{
	uint32_t v;

	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static void mmio_write32(uint64_t addr, uint32_t v)
{
	__asm__ volatile("str %w0, [%1]" : : "r"(v), "r"(addr) : "memory");
}

static void putc(char c)
{
	while (mmio_read32(UART + UART_FR) & UART_FR_TXFF)
		;
	mmio_write32(UART, c);
}

static uint64_t guest_counter(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0; isb" : "=r"(v) : : "memory");
	return v;
}

/* The page, in one cache line of its own. */
static _Alignas(64) char time_page_line[64];

static inline void page_barrier(void)
{
	__asm__ volatile("dmb sy; dc civac, %0; dsb sy"
			 : : "r"(time_page_line) : "memory");
}

#include "time_page.h"

static uint64_t smccc(uint64_t fn, uint64_t a1)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;

	__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1) : : "memory");
	return x0;
}

void guest_main(void);

void guest_main(void)
{
	const struct minihv_time_page *p = (const void *)time_page_line;

	_Static_assert(sizeof(struct minihv_time_page) <= 64, "one line");
	if (smccc(MINIHV_HCALL_TIME_PAGE, (uint64_t)p))
		tp_puts("clocks: no time page\n");
	else
		tp_print_twice(p);
	smccc(PSCI_SYS_OFF, 0);
}
