/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A bare-metal arm64 guest for `minihv run` tests, as a raw binary loaded
 * at the start of RAM: checks the device tree in x0, prints through the
 * PL011, brings up CPU 1 with PSCI CPU_ON if there is one, and powers off
 * with PSCI SYSTEM_OFF; it resets instead (PSCI SYSTEM_RESET) if there is
 * a CPU 2 too, or if the device tree is missing.
 * Position independent; runs with the MMU off.
 */
#define UART		0x09000000
#define PSCI_CPU_ON64	0xc4000003
#define PSCI_SYS_OFF	0x84000008
#define PSCI_SYS_RESET	0x84000009

	.text
	.globl	_start
_start:
	/* The DTB header's magic 0xd00dfeed, big-endian in memory. */
	ldr	w1, [x0]
	ldr	w2, =0xedfe0dd0
	cmp	w1, w2
	b.ne	bad_dtb

	adr	x1, hello
	bl	puts
	/* Where we were loaded, as an offset from the start of RAM. */
	adr	x1, at
	bl	puts
	adr	x6, _start
	ldr	x7, =0x40000000
	sub	x6, x6, x7
	bl	puthex
	adr	x1, nl
	bl	puts

	ldr	x0, =PSCI_CPU_ON64
	mov	x1, #1			/* MPIDR of CPU 1 */
	adr	x2, secondary
	mov	x3, #0
	hvc	#0
	cbnz	x0, one_cpu		/* INVALID_PARAMETERS: no CPU 1 */
	adr	x4, flag
1:	ldr	w5, [x4]
	cbz	w5, 1b
	adr	x1, two
	bl	puts
	ldr	x0, =PSCI_CPU_ON64
	mov	x1, #2			/* a third CPU: reset */
	adr	x2, secondary
	mov	x3, #0
	hvc	#0
	cbnz	x0, off
	adr	x1, reset
	bl	puts
	ldr	x0, =PSCI_SYS_RESET
	hvc	#0
	b	.
one_cpu:
	adr	x1, one
	bl	puts
off:
	ldr	x0, =PSCI_SYS_OFF
	hvc	#0
	b	.

bad_dtb:
	adr	x1, nodtb
	bl	puts
	ldr	x0, =PSCI_SYS_RESET
	hvc	#0
	b	.

secondary:
	adr	x4, flag
	mov	w5, #1
	str	w5, [x4]
	b	.

/* puthex(x6): lowercase hex without leading zeros. */
puthex:
	ldr	x2, =UART
	mov	x8, #60
	mov	x9, #0			/* printed a digit yet */
4:	lsr	x3, x6, x8
	and	x3, x3, #0xf
	orr	x9, x9, x3
	cmp	x8, #0
	ccmp	x9, #0, #0, ne		/* skip leading zeros, not the last */
	b.eq	5f
	cmp	x3, #10
	add	x4, x3, #'0'
	add	x5, x3, #('a' - 10)
	csel	x3, x4, x5, lo
	strb	w3, [x2]
5:	subs	x8, x8, #4
	b.pl	4b
	ret

/* puts(x1): one byte at a time into UARTDR. */
puts:
	ldr	x2, =UART
2:	ldrb	w3, [x1], #1
	cbz	w3, 3f
	strb	w3, [x2]
	b	2b
3:	ret

	.balign	8
flag:	.word	0
hello:	.asciz	"Hello from a minihv guest\n"
at:	.asciz	"loaded at +0x"
nl:	.asciz	"\n"
one:	.asciz	"1 cpu\n"
two:	.asciz	"2 cpus\n"
nodtb:	.asciz	"no device tree in x0\n"
reset:	.asciz	"resetting\n"
	.balign	8
	.ltorg
