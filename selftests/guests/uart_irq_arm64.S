/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A bare-metal arm64 guest for `minihv run`: the PL011's interrupt
 * through the GICv3 of the machine's device tree. It unmasks the UART's
 * transmit interrupt and waits for it (WFI with IRQs masked, then an
 * acknowledge: ICC_IAR1_EL1), then its receive interrupt for a byte on
 * stdin, printing each INTID it acknowledged and the byte, and powers
 * off. Raw binary at the start of RAM, MMU off.
 */
#define UART		0x09000000
#define UARTDR		0x000
#define UARTIMSC	0x038
#define UARTMIS		0x040
#define IM_RX		(1 << 4)
#define IM_TX		(1 << 5)
#define GICD		0x08000000
#define GICD_CTLR	0x0000
#define GICD_ISENABLER1	0x0104
#define GICR_WAKER	0x080a0014
#define UART_INTID	33			/* SPI 1 */
#define PSCI_SYS_OFF	0x84000008
#define ICC_PMR_EL1	S3_0_C4_C6_0
#define ICC_IAR1_EL1	S3_0_C12_C12_0
#define ICC_EOIR1_EL1	S3_0_C12_C12_1
#define ICC_IGRPEN1_EL1	S3_0_C12_C12_7

	.text
	.globl	_start
_start:
	/* Distributor: affinity routing, group 1; SPI 1 enabled. */
	ldr	x1, =GICD
	mov	w2, #0x12
	str	w2, [x1, #GICD_CTLR]
	mov	w2, #(1 << (UART_INTID - 32))
	str	w2, [x1, #GICD_ISENABLER1]
	ldr	x1, =GICR_WAKER
	str	wzr, [x1]
	mov	x2, #0xff
	msr	ICC_PMR_EL1, x2
	mov	x2, #1
	msr	ICC_IGRPEN1_EL1, x2
	isb

	adr	x1, tx
	bl	puts
	mov	w6, #IM_TX
	bl	wait_irq
	bl	putintid
	adr	x1, nl
	bl	puts

	adr	x1, rx
	bl	puts
	mov	w6, #IM_RX
	bl	wait_irq
	bl	putintid
	ldr	x1, =UART
	ldr	w7, [x1, #UARTDR]
	mov	w2, #' '
	strb	w2, [x1, #UARTDR]
	strb	w7, [x1, #UARTDR]
	adr	x1, nl
	bl	puts

	ldr	x0, =PSCI_SYS_OFF
	hvc	#0
	b	.

/*
 * Unmask the UART interrupts in w6, sleep until one is acknowledged,
 * mask them again and complete it: its INTID in x0, the UART's MIS in x5.
 */
wait_irq:
	ldr	x1, =UART
	str	w6, [x1, #UARTIMSC]
1:	wfi
	mrs	x0, ICC_IAR1_EL1
	cmp	x0, #1023			/* spurious: nothing yet */
	b.eq	1b
	ldr	w5, [x1, #UARTMIS]
	str	wzr, [x1, #UARTIMSC]
	msr	ICC_EOIR1_EL1, x0
	isb
	ret

/* The INTID in x0, and whether the UART said why (MIS), in decimal. */
putintid:
	mov	x8, x30
	ldr	x1, =UART
	mov	x3, #10
	udiv	x4, x0, x3
	msub	x2, x4, x3, x0
	add	x4, x4, #'0'
	add	x2, x2, #'0'
	strb	w4, [x1, #UARTDR]
	strb	w2, [x1, #UARTDR]
	tst	w5, w6
	adr	x1, why
	adr	x2, nowhy
	csel	x1, x1, x2, ne
	bl	puts
	mov	x30, x8
	ret

/* puts(x1): one byte at a time into UARTDR. */
puts:
	ldr	x2, =UART
2:	ldrb	w3, [x1], #1
	cbz	w3, 3f
	strb	w3, [x2]
	b	2b
3:	ret

tx:	.asciz	"tx irq "
rx:	.asciz	"rx irq "
why:	.asciz	" (MIS)"
nowhy:	.asciz	" (not the UART's)"
nl:	.asciz	"\n"
	.balign	8
	.ltorg
