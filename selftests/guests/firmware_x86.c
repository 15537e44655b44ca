// SPDX-License-Identifier: GPL-2.0
/*
 * A bare-metal x86 guest for `minihv run` tests: it finds what the
 * machine hands an operating system the way one would, checks it and
 * prints values for tool_test to assert on. A Multiboot v1 image (a.out
 * kludge, so its raw binary boots too, e.g. with --cpus and --entry-mode
 * protected: the vCPUs whose APIC id is not 0 halt at once), 32-bit
 * protected mode, paging off.
 *   - the memory map: the Multiboot one, else fw_cfg's "etc/e820"
 *   - fw_cfg (ports 0x510/0x511): signature, features, CPUs, RAM, files
 *   - ACPI: the RSDP by scanning 0xe0000-0xfffff on 16-byte boundaries
 *     (ACPI 6.4 5.2.5.1), every checksum, the RSDT against the XSDT, each
 *     table inside reserved memory, the MADT's entries, the FADT's
 *     blocks (32- and 64-bit forms agree), the FACS, the DSDT's \_S5,
 *     the PM timer if there is one (24 bits, counting)
 *   - the Multiboot modules: placement, size, FNV-1a hash, string
 *   - the 16550's IIR priorities in loopback (no interrupt needed)
 * Words on the command line ask for more:
 *   irq       the UART's interrupts through the I/O APIC and local APIC
 *             (needs an APIC; one line of input on the UART)
 *   poweroff  ACPI S5 with the FADT's PM1a_CNT and \_S5's SLP_TYP
 *   reset     the FADT's reset register
 *   clocks    the three clocks from a time page (minihv's hypercall),
 *             twice, a second of the TSC apart
 *   exit=N    write N to the exit port at the end (default 0)
 * A failed check prints "FAIL: ..." and the exit code is 0x40 + fails.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COM1		0x3f8
#define EXIT_PORT	0xf4
#define FW_CFG_SEL	0x510
#define FW_CFG_DATA	0x511
#define MB_BOOT_MAGIC	0x2badb002

/*
 * The image starts with a jump to _start, where a raw binary starts,
 * then the Multiboot header: page-aligned modules, memory info, a.out
 * kludge (the image loaded from its first byte).
 */
__asm__(
	".section .multiboot, \"ax\"\n"
	"image_start:\n"
	"	jmp _start\n"
	".balign 4\n"
	"mb_header:\n"
	".long 0x1badb002, 0x00010003, -(0x1badb002 + 0x00010003)\n"
	".long mb_header, image_start, image_end, _end, _start\n"
	".text\n"
	".globl _start\n"
	"_start:\n"
	"	movl %eax, %esi\n"
	"	movl %ebx, %edi\n"
	"	movl $1, %eax\n"
	"	cpuid\n"
	"	shrl $24, %ebx\n"
	"	jnz 1f\n"
	"	movl $stack_top, %esp\n"
	"	pushl %edi\n"
	"	pushl %esi\n"
	"	call guest_main\n"
	"1:	cli\n"
	"	hlt\n"
	"	jmp 1b\n");

__asm__(".bss\n.balign 16\n.skip 8192\nstack_top:\n.text\n");

/* The end of the image and its BSS (x86.ld), where modules may start. */
static uint32_t image_top(void)
{
	uint32_t end;

	__asm__("movl $_end, %0" : "=r"(end));
	return end;
}

/* Port I/O and the few library functions gcc may call. */
static inline void out8(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void out16(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void out32(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t in8(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t in16(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t in32(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

void *memset(void *d, int c, size_t n)
{
	uint8_t *p = d;

	while (n--)
		*p++ = c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	uint8_t *p = d;
	const uint8_t *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *p = a, *q = b;

	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

static size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* Output: COM1, polled (LSR.THRE), and a printf of %s %c %u %x %X. */
static void putc(char c)
{
	while (!(in8(COM1 + 5) & 0x20))
		;
	out8(COM1, c);
}

static uint64_t guest_counter(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

/* x86 keeps loads in order: only the compiler's must stay. */
static inline void page_barrier(void)
{
	__asm__ volatile("" : : : "memory");
}

#include "time_page.h"

static void put_uint(uint32_t v, unsigned int base, int digits)
{
	char buf[12];
	int i = 0;

	do {
		buf[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v || i < digits);
	while (i)
		putc(buf[--i]);
}

/* A 64-bit value in hex, without 64-bit division. */
static void put_hex64(uint64_t v)
{
	if (v >> 32) {
		put_uint(v >> 32, 16, 0);
		put_uint(v, 16, 8);
	} else {
		put_uint(v, 16, 0);
	}
}

static void pr(const char *fmt, ...)
{
	va_list ap;
	const char *s;

	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			putc(*fmt);
			continue;
		}
		switch (*++fmt) {
		case 's':
			for (s = va_arg(ap, const char *); *s; s++)
				putc(*s);
			break;
		case 'c':
			putc(va_arg(ap, int));
			break;
		case 'u':
			put_uint(va_arg(ap, uint32_t), 10, 0);
			break;
		case 'x':
			put_uint(va_arg(ap, uint32_t), 16, 0);
			break;
		case 'X':
			put_hex64(va_arg(ap, uint64_t));
			break;
		default:
			putc(*fmt);
		}
	}
	va_end(ap);
}

/* n bytes of a fixed-size name field, without its padding NULs. */
static void pr_name(const char *s, size_t n)
{
	while (n-- && *s)
		putc(*s++);
}

static uint32_t fails;

static void fail(const char *what)
{
	pr("FAIL: %s\n", what);
	fails++;
}

static void exit(uint32_t code)
{
	for (;;)
		out32(EXIT_PORT, code);
}

/* The Multiboot information (Multiboot 0.6.96 3.3). */
struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr, syms[4], mmap_length, mmap_addr;
};

struct mb_module {
	uint32_t start, end, string, reserved;
};

#define MBI_CMDLINE	(1U << 2)
#define MBI_MODS	(1U << 3)
#define MBI_MMAP	(1U << 6)

/* The memory map, from Multiboot or fw_cfg. */
struct region {
	uint32_t start, end, type;	/* below 4 GiB is all that matters */
};

static struct region map[16];
static int nr_map;
static const char *map_source = "none";

static const char *cmdline = "";

/* A word of the command line after the first (the image). */
static const char *word(const char *w)
{
	const char *p = cmdline;
	size_t n = strlen(w);

	for (; *p; p++)
		if (p[0] == ' ' && !memcmp(p + 1, w, n))
			return p + 1 + n;
	return NULL;
}

static void multiboot_map(const struct mb_info *mbi)
{
	uint32_t p = mbi->mmap_addr, end = p + mbi->mmap_length;
	const uint32_t *e;

	for (; p < end && nr_map < 16; p += e[0] + 4) {
		e = (const uint32_t *)p;
		map[nr_map].start = e[1];
		map[nr_map].end = e[2] || e[4] ? 0xffffffff : e[1] + e[3];
		map[nr_map++].type = e[5];
	}
	map_source = "multiboot";
}

static bool reserved(uint32_t start, uint32_t len)
{
	int i;

	for (i = 0; i < nr_map; i++)
		if (map[i].type == 2 && start >= map[i].start &&
		    start + len <= map[i].end && start + len >= start)
			return true;
	return false;
}

/* fw_cfg: select an item, read its bytes in order. */
static void fw_cfg_read(uint16_t key, void *buf, uint32_t len)
{
	uint8_t *p = buf;

	out16(FW_CFG_SEL, key);
	while (len--)
		*p++ = in8(FW_CFG_DATA);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* A file of the directory by name: its key and size, or key 0. */
static uint16_t fw_cfg_file(const char *name, uint32_t *size, uint32_t *count)
{
	uint8_t hdr[4], f[64];
	uint32_t i, j, n;

	out16(FW_CFG_SEL, 0x19);
	for (i = 0; i < 4; i++)
		hdr[i] = in8(FW_CFG_DATA);
	n = be32(hdr);
	*count = n;
	for (i = 0; i < n; i++) {
		for (j = 0; j < 64; j++)
			f[j] = in8(FW_CFG_DATA);
		if (!memcmp(f + 8, name, strlen(name) + 1)) {
			*size = be32(f);
			return f[4] << 8 | f[5];
		}
	}
	return 0;
}

static void read_fw_cfg(void)
{
	uint8_t e820[20 * 16];
	uint32_t id, size = 0, count, i;
	uint16_t cpus = 0, max = 0, key;
	uint64_t ram;
	char sig[4];

	fw_cfg_read(0x0000, sig, 4);
	if (memcmp(sig, "QEMU", 4)) {
		pr("fw_cfg: none\n");
		return;
	}
	fw_cfg_read(0x0001, &id, 4);
	fw_cfg_read(0x0003, &ram, 8);
	fw_cfg_read(0x0005, &cpus, 2);
	fw_cfg_read(0x000f, &max, 2);
	pr("fw_cfg: signature QEMU id 0x%x cpus %u max %u ram 0x%X\n", id,
	   cpus, max, ram);
	key = fw_cfg_file("etc/e820", &size, &count);
	pr("fw_cfg: files %u, etc/e820 key 0x%x size %u\n", count, key, size);
	if (!key || size % 20 || size > sizeof(e820))
		return;
	fw_cfg_read(key, e820, size);
	/* Beyond the end, items read as 0. */
	if (in8(FW_CFG_DATA) || in8(FW_CFG_DATA))
		fail("fw_cfg: data past the end of an item is not 0");
	/* The Multiboot map, if there is one, is the one that counts. */
	for (i = 0; i < size / 20; i++) {
		const uint32_t *e = (const uint32_t *)(e820 + 20 * i);

		pr("fw_cfg: e820 0x%x 0x%x %u\n", e[0], e[2], e[4]);
		if (nr_map < 16 && *map_source != 'm') {
			map[nr_map].start = e[0];
			map[nr_map].end = e[0] + e[2];
			map[nr_map++].type = e[4];
			map_source = "fw_cfg";
		}
	}
}

/* ACPI. */
struct acpi_header {
	char sig[4];
	uint32_t len;
	uint8_t rev, checksum;
	char oem[6], oem_table[8];
	uint32_t oem_rev, creator, creator_rev;
};

/* The address at offset 4: two halves keep the layout free of padding. */
struct acpi_gas {
	uint8_t space, bit_width, bit_offset, access;
	uint32_t addr_lo, addr_hi;
};

_Static_assert(sizeof(struct acpi_header) == 36, "ACPI header");
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS");

static uint8_t sum(const void *p, uint32_t len)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (len--)
		s += *b++;
	return s;
}

/* A table the XSDT or the FADT points at: checked, or NULL. */
static const struct acpi_header *table(uint32_t addr, const char *sig)
{
	const struct acpi_header *h = (const void *)addr;

	if (!addr || memcmp(h->sig, sig, 4)) {
		pr("FAIL: no %s at 0x%x\n", sig, addr);
		fails++;
		return NULL;
	}
	pr("acpi: %s rev %u len %u checksum %s oem ", sig, h->rev, h->len,
	   sum(h, h->len) ? "BAD" : "ok");
	pr_name(h->oem, 6);
	pr("\n");
	if (sum(h, h->len))
		fails++;
	if (!reserved(addr, h->len)) {
		pr("FAIL: %s at 0x%x is not in reserved memory\n", sig, addr);
		fails++;
	}
	return h;
}

static void walk_madt(const struct acpi_header *h)
{
	const uint8_t *p = (const uint8_t *)h + 44, *end = (const uint8_t *)h + h->len;
	const uint32_t *w = (const uint32_t *)(h + 1);
	uint32_t cpus = 0;

	pr("madt: lapic 0x%x flags 0x%x\n", w[0], w[1]);
	for (; p + 2 <= end && p[1] >= 2 && p + p[1] <= end; p += p[1]) {
		switch (p[0]) {
		case 0:
			pr("madt: cpu %u apic %u %s\n", p[2], p[3],
			   p[4] & 1 ? "enabled" : "disabled");
			cpus += p[4] & 1;
			break;
		case 1:
			pr("madt: ioapic %u at 0x%x gsi %u\n", p[2],
			   *(const uint32_t *)(p + 4), *(const uint32_t *)(p + 8));
			break;
		case 2:
			pr("madt: irq %u -> gsi %u flags 0x%x\n", p[3],
			   *(const uint32_t *)(p + 4), *(const uint16_t *)(p + 8));
			break;
		case 4:
			pr("madt: nmi cpu 0x%x lint %u flags 0x%x\n", p[2], p[5],
			   *(const uint16_t *)(p + 3));
			break;
		default:
			pr("madt: entry type %u len %u\n", p[0], p[1]);
		}
	}
	if (p != end)
		fail("madt: entries do not end at the table's end");
	pr("madt: cpus %u\n", cpus);
}

/* AML integers as \_S5's package holds them (ACPI 6.4 20.2.3). */
static const uint8_t *aml_int(const uint8_t *p, uint32_t *v)
{
	switch (*p) {
	case 0x00:
	case 0x01:
		*v = *p;
		return p + 1;
	case 0x0a:
		*v = p[1];
		return p + 2;
	default:
		*v = 0xffffffff;
		return p + 1;
	}
}

static uint32_t slp_typ_s5 = 0xffffffff;

/* Name (_S5, Package (n) { SLP_TYPa, SLP_TYPb, ... }) */
static void find_s5(const struct acpi_header *h)
{
	const uint8_t *p = (const uint8_t *)(h + 1), *end = (const uint8_t *)h + h->len;
	uint32_t b;

	for (; p + 8 < end; p++) {
		if (memcmp(p, "_S5_", 4) || (p[-1] != 0x08 && p[-1] != '\\'))
			continue;
		p += 4;
		if (*p++ != 0x12)
			break;
		p += 1 + (*p >> 6);		/* PkgLength */
		if (*p++ < 2)
			break;
		p = aml_int(p, &slp_typ_s5);
		aml_int(p, &b);
		pr("dsdt: _S5 slp_typ a %u b %u\n", slp_typ_s5, b);
		return;
	}
	fail("dsdt: no _S5 package");
}

static uint16_t pm1a_cnt, reset_port, smi_cmd;
static uint8_t reset_value, acpi_enable;

static void gas_check(const struct acpi_gas *g, uint32_t port, uint32_t len,
		      const char *what)
{
	if (!port && !g->addr_lo)
		return;
	if (g->space != 1 || g->addr_lo != port || g->addr_hi ||
	    g->bit_width != len * 8) {
		pr("FAIL: fadt: X_%s does not match %s (0x%x/%u)\n", what, what,
		   port, len);
		fails++;
	}
}

static void probe_pm_timer(uint32_t port, bool ext)
{
	uint32_t a, b, i, changes = 0, top = 0;

	if (!port) {
		pr("pm_tmr: none\n");
		return;
	}
	a = in32(port);
	for (i = 0; i < 100000 && changes < 3; i++) {
		b = in32(port);
		top |= b;
		if (b != a)
			changes++;
		a = b;
	}
	pr("pm_tmr: %u-bit, %s\n", ext ? 32 : 24,
	   changes == 3 ? "counting" : "stopped");
	if (!ext && top >> 24)
		fail("pm_tmr: a 24-bit timer read more than 24 bits");
}

static void walk_fadt(const struct acpi_header *h)
{
	const uint8_t *f = (const uint8_t *)h;
	const uint32_t *w = (const uint32_t *)f;
	const struct acpi_gas *reset = (const void *)(f + 116);
	uint32_t facs = w[9], dsdt = w[10], x_dsdt = 0, flags = w[28];
	const struct acpi_header *t;

	pr("fadt: sci %u smi_cmd 0x%x pm1a_evt 0x%x/%u pm1a_cnt 0x%x/%u pm_tmr 0x%x/%u\n",
	   *(const uint16_t *)(f + 46), w[12], w[14], f[88], w[16], f[89],
	   w[19], f[91]);
	pm1a_cnt = w[16];
	smi_cmd = w[12];
	acpi_enable = f[52];
	if (h->len < 129) {
		pr("fadt: flags 0x%x (ACPI 1.0)\n", flags);
	} else {
		pr("fadt: flags 0x%x boot 0x%x century 0x%x reset 0x%x value 0x%x\n",
		   flags, *(const uint16_t *)(f + 109), f[108], reset->addr_lo,
		   f[128]);
	}
	if (h->len >= 129 && flags & (1 << 10) && reset->space == 1) {
		reset_port = reset->addr_lo;
		reset_value = f[128];
	}
	if (h->rev >= 3 && h->len >= 244) {
		x_dsdt = *(const uint32_t *)(f + 140);
		gas_check((const void *)(f + 148), w[14], f[88], "PM1a_EVT_BLK");
		gas_check((const void *)(f + 172), w[16], f[89], "PM1a_CNT_BLK");
		gas_check((const void *)(f + 208), w[19], f[91], "PM_TMR_BLK");
		if (x_dsdt && x_dsdt != dsdt)
			fail("fadt: X_DSDT and DSDT differ");
	}
	t = (const void *)facs;
	if (!facs || memcmp(t->sig, "FACS", 4) || facs % 64) {
		fail("fadt: no FACS (64-byte aligned)");
	} else {
		pr("facs: len %u version %u\n", t->len, ((const uint8_t *)t)[32]);
		if (!reserved(facs, t->len))
			fail("facs: not in reserved memory");
	}
	t = table(x_dsdt ? x_dsdt : dsdt, "DSDT");
	if (t)
		find_s5(t);
	probe_pm_timer(w[19], flags & (1 << 8));
}

/*
 * The tables the RSDT and, from ACPI 2.0 (RSDP revision 2), the XSDT
 * list: both lists must agree; the XSDT is the one followed.
 */
static void find_acpi(void)
{
	const uint8_t *rsdp = NULL;
	const struct acpi_header *rsdt, *xsdt = NULL, *t;
	const uint32_t *r, *x;
	uint32_t a, i, n, addr;
	char sig[5] = { 0 };

	for (a = 0xe0000; a < 0x100000; a += 16) {
		if (!memcmp((const void *)a, "RSD PTR ", 8) &&
		    !sum((const void *)a, 20)) {
			rsdp = (const void *)a;
			break;
		}
	}
	if (!rsdp) {
		fail("acpi: no RSDP in 0xe0000-0xfffff");
		return;
	}
	pr("acpi: rsdp at 0x%x rev %u oem ", a, rsdp[15]);
	pr_name((const char *)rsdp + 9, 6);
	pr(", memory map from %s\n", map_source);
	rsdt = table(*(const uint32_t *)(rsdp + 16), "RSDT");
	if (rsdp[15] >= 2) {
		if (*(const uint32_t *)(rsdp + 20) < 36 ||
		    sum(rsdp, *(const uint32_t *)(rsdp + 20)) ||
		    *(const uint32_t *)(rsdp + 28))
			fail("acpi: RSDP: bad length or extended checksum, or the XSDT above 4 GiB");
		else
			xsdt = table(*(const uint32_t *)(rsdp + 24), "XSDT");
	}
	if (!rsdt)
		return;
	n = (rsdt->len - 36) / 4;
	r = (const uint32_t *)(rsdt + 1);
	x = (const uint32_t *)(xsdt + 1);
	if (xsdt && (xsdt->len - 36) / 8 != n)
		fail("acpi: the RSDT and the XSDT list different numbers of tables");
	for (i = 0; i < n; i++) {
		addr = r[i];
		if (xsdt && (x[2 * i] != r[i] || x[2 * i + 1]))
			fail("acpi: the RSDT and the XSDT differ");
		memcpy(sig, (const void *)addr, 4);
		t = table(addr, sig);
		if (t && !memcmp(t->sig, "APIC", 4))
			walk_madt(t);
		else if (t && !memcmp(t->sig, "FACP", 4))
			walk_fadt(t);
	}
}

/* FNV-1a, 32 bits: the test computes it over the file it passed. */
static uint32_t fnv1a(const uint8_t *p, uint32_t len)
{
	uint32_t h = 0x811c9dc5;

	while (len--)
		h = (h ^ *p++) * 0x01000193;
	return h;
}

static void check_modules(const struct mb_info *mbi)
{
	const struct mb_module *m = (const void *)mbi->mods_addr;
	uint32_t i, next = (image_top() + 4095) & ~4095U;

	if (!(mbi->flags & MBI_MODS)) {
		pr("mods: none (flag 3 clear)\n");
		return;
	}
	pr("mods: count %u\n", mbi->mods_count);
	for (i = 0; i < mbi->mods_count; i++, m++) {
		pr("mod %u: size %u fnv1a 0x%x %s, string %s\n", i,
		   m->end - m->start,
		   fnv1a((const uint8_t *)m->start, m->end - m->start),
		   m->start == next ? "at the next page" : "elsewhere",
		   m->string ? (const char *)m->string : "(none)");
		next = (m->end + 4095) & ~4095U;
	}
}

/*
 * The UART's IIR in loopback (the line to the bus is off there): one
 * byte received and THR empty pending, received data shows first.
 */
static void uart_priorities(void)
{
	uint8_t iir[4];

	out8(COM1 + 4, 0x10);			/* loopback */
	out8(COM1 + 1, 0x00);
	out8(COM1, 'L');
	out8(COM1 + 1, 0x03);			/* IER: RDI | THRI */
	iir[0] = in8(COM1 + 2) & 0x0f;
	iir[1] = in8(COM1);
	iir[2] = in8(COM1 + 2) & 0x0f;
	iir[3] = in8(COM1 + 2) & 0x0f;
	out8(COM1 + 1, 0x00);
	out8(COM1 + 4, 0x03);			/* DTR | RTS */
	pr("uart: iir 0x%x, rbr %c, iir 0x%x, iir 0x%x\n", iir[0], iir[1],
	   iir[2], iir[3]);
}

/*
 * Interrupts: an IDT of 32-bit interrupt gates, the UART's pin of the
 * I/O APIC to vector 0x34 on this CPU, the local APIC on.
 */
#define LAPIC		0xfee00000U
#define IOAPIC		0xfec00000U
#define UART_VECTOR	0x34
#define UART_PIN	4

struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t zero, type;
	uint16_t off_hi;
};

#pragma pack(push, 1)
struct idtr {
	uint16_t limit;
	uint32_t base;
};
#pragma pack(pop)

static struct idt_gate idt[256];
/* Written by the handlers: read with __atomic_load_n in the loops. */
static uint32_t nr_irqs, nr_other, last_iir, rx_iir, last_rx = 0xffff;

/* MMIO, with the access size the APICs need (32 bits). */
static void mmio_write(uint32_t addr, uint32_t v)
{
	__asm__ volatile("movl %0, (%1)" : : "r"(v), "r"(addr) : "memory");
}

static uint32_t mmio_read(uint32_t addr)
{
	uint32_t v;

	__asm__ volatile("movl (%1), %0" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static void ioapic_write(uint32_t reg, uint32_t v)
{
	mmio_write(IOAPIC, reg);		/* IOREGSEL */
	mmio_write(IOAPIC + 0x10, v);		/* IOWIN */
}

/* Called from the stubs' asm: not static, so that they find them. */
void uart_isr(void)
{
	uint8_t iir = in8(COM1 + 2);

	last_iir = iir & 0x0f;
	if ((iir & 0x0f) == 0x04) {
		rx_iir = iir & 0x0f;
		last_rx = in8(COM1);
	}
	nr_irqs++;
	mmio_write(LAPIC + 0xb0, 0);		/* EOI */
}

void other_isr(void)
{
	nr_other++;
	mmio_write(LAPIC + 0xb0, 0);
}

/* An exception: the end (which one needs no telling for a test). */
void exc_isr(void)
{
	pr("FAIL: exception\n");
	exit(0x7f);
}

/* The gates' entry points: all registers kept, IRET. */
static __attribute__((naked)) void uart_stub(void)
{
	__asm__("pushal; cld; call uart_isr; popal; iret");
}

static __attribute__((naked)) void other_stub(void)
{
	__asm__("pushal; cld; call other_isr; popal; iret");
}

static __attribute__((naked)) void spurious_stub(void)
{
	__asm__("iret");
}

static __attribute__((naked)) void exc_stub(void)
{
	__asm__("cld; call exc_isr");
}

static void set_gate(int v, void *handler)
{
	uint16_t cs;

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	idt[v].off_lo = (uint32_t)handler;
	idt[v].off_hi = (uint32_t)handler >> 16;
	idt[v].sel = cs;
	idt[v].type = 0x8e;			/* present, 32-bit interrupt gate */
}

/*
 * Spin for the interrupt count to reach n, a bounded while. The tool
 * drives the line before the vCPU resumes, so an interrupt a register
 * write raises comes at once; input takes the tool's input thread.
 */
static void wait_irqs(uint32_t n, uint32_t spins)
{
	while (spins-- && __atomic_load_n(&nr_irqs, __ATOMIC_RELAXED) < n)
		__asm__ volatile("pause");
}

static void uart_interrupts(void)
{
	struct idtr idtr = { sizeof(idt) - 1, (uint32_t)idt };
	uint32_t eax = 1, ebx, ecx, edx, apic_id, n[2], iir[2];
	int v;

	__asm__ volatile("cpuid" : "+a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx));
	if (!(edx & (1 << 9))) {
		pr("irq: no local APIC (CPUID.1:EDX.APIC = 0)\n");
		return;
	}
	for (v = 0; v < 256; v++)
		set_gate(v, v < 32 ? exc_stub : other_stub);
	set_gate(UART_VECTOR, uart_stub);
	set_gate(0xff, spurious_stub);
	__asm__ volatile("lidt %0" : : "m"(idtr));

	out8(0x21, 0xff);			/* 8259s masked, if any */
	out8(0xa1, 0xff);
	mmio_write(LAPIC + 0xf0, 0x1ff);		/* SVR: on, spurious 0xff */
	mmio_write(LAPIC + 0x350, 0x10000);		/* LINT0 masked */
	mmio_write(LAPIC + 0x80, 0);			/* TPR */
	apic_id = mmio_read(LAPIC + 0x20) >> 24;
	ioapic_write(0x10 + 2 * UART_PIN + 1, apic_id << 24);
	ioapic_write(0x10 + 2 * UART_PIN, UART_VECTOR);	/* edge, high, fixed */
	__asm__ volatile("sti");

	/*
	 * THR empty: without OUT2 it does not reach the bus; with OUT2 it
	 * does, once (the handler's IIR read clears it). IER goes back to 0
	 * before printing: each character written would raise it again.
	 */
	out8(COM1 + 4, 0x03);
	out8(COM1 + 1, 0x02);			/* IER: THR empty */
	wait_irqs(1, 10000);
	n[0] = nr_irqs;
	out8(COM1 + 4, 0x0b);			/* OUT2 */
	wait_irqs(n[0] + 1, 10000);
	wait_irqs(n[0] + 2, 10000);
	n[1] = nr_irqs - n[0];
	iir[1] = last_iir;
	out8(COM1 + 1, 0x00);
	pr("irq: THR empty without OUT2: interrupts %u\n", n[0]);
	pr("irq: with OUT2: interrupts %u, iir 0x%x\n", n[1], iir[1]);

	/* The test gives one byte of input: received data. */
	n[0] = nr_irqs;
	out8(COM1 + 1, 0x01);			/* IER: received data */
	wait_irqs(n[0] + 1, 100000000);
	n[1] = nr_irqs - n[0];
	out8(COM1 + 1, 0x00);
	if (n[1])
		pr("irq: received data: interrupts %u, iir 0x%x, rbr %c\n",
		   n[1], rx_iir, last_rx);
	else
		pr("irq: received data: no interrupt\n");
	__asm__ volatile("cli");
	ioapic_write(0x10 + 2 * UART_PIN, 0x10000);	/* masked */
	pr("irq: other interrupts %u\n", nr_other);
}

static void acpi_s5(void)
{
	if (!pm1a_cnt || slp_typ_s5 > 7) {
		fail("poweroff: no PM1a_CNT or \\_S5");
		return;
	}
	/* Firmware with an SMI_CMD port starts in legacy mode (ACPI 4.8.2.5). */
	if (smi_cmd && !(in16(pm1a_cnt) & 1)) {
		out8(smi_cmd, acpi_enable);
		while (!(in16(pm1a_cnt) & 1))
			__asm__ volatile("pause");
		pr("poweroff: ACPI mode on through SMI_CMD 0x%x\n", smi_cmd);
	}
	pr("poweroff: SLP_TYP %u | SLP_EN to 0x%x\n", slp_typ_s5, pm1a_cnt);
	out16(pm1a_cnt, slp_typ_s5 << 10 | 1 << 13);
	pr("poweroff: still running\n");
	exit(7);
}

static _Alignas(64) struct minihv_time_page time_page;

static void print_clocks(void)
{
	uint32_t ret;

	__asm__ volatile("vmcall"
			 : "=a"(ret)
			 : "a"(MINIHV_HCALL_TIME_PAGE), "b"((uint32_t)&time_page)
			 : "memory");
	if (ret) {
		fail("clocks: no time page");
		return;
	}
	tp_print_twice(&time_page);
}

static void acpi_reset(void)
{
	if (!reset_port) {
		fail("reset: no reset register");
		return;
	}
	pr("reset: 0x%x to 0x%x\n", reset_value, reset_port);
	out8(reset_port, reset_value);
	pr("reset: still running\n");
	exit(7);
}

void guest_main(uint32_t magic, const struct mb_info *mbi)
{
	const char *w;
	uint32_t code = 0;

	if (magic != MB_BOOT_MAGIC)
		mbi = NULL;
	if (mbi && mbi->flags & MBI_CMDLINE)
		cmdline = (const char *)mbi->cmdline;
	pr("firmware guest: %s\n", mbi ? "multiboot" : "raw");
	if (mbi && mbi->flags & MBI_MMAP)
		multiboot_map(mbi);
	read_fw_cfg();
	find_acpi();
	if (mbi)
		check_modules(mbi);
	uart_priorities();
	if (word("irq"))
		uart_interrupts();
	if (word("clocks"))
		print_clocks();
	if (word("poweroff"))
		acpi_s5();
	if (word("reset"))
		acpi_reset();
	w = word("exit=");
	while (w && *w >= '0' && *w <= '9')
		code = code * 10 + *w++ - '0';
	pr("firmware guest: failed %u\n", fails);
	exit(fails ? 0x40 + fails : code);
}
