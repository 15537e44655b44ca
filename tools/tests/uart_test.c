// SPDX-License-Identifier: GPL-2.0
/*
 * The 16550A's interrupt logic (tools/uart16550.c), natively on the
 * build host: register accesses through the device's port callbacks, the
 * IRQ line recorded where the tool would call MINIHV_IRQ_LINE, input
 * through a pipe on stdin (the UART's input thread reads it, as in a VM
 * with the in-kernel interrupt controller). What Linux's 8250 driver
 * relies on: IIR priorities, THR empty re-raised by THR writes and by
 * setting ETBEI and cleared by reading IIR, OUT2 gating, loopback (which
 * loses no input).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../vmm.h"
#include "tap.h"

static struct pio_dev *uart;
static int level = -1, raises, lowers;
static unsigned int line_irq;

void vmm_add_pio(struct vmm *vmm, struct pio_dev *dev)
{
	uart = dev;
}

void vmm_irq_line(struct vmm *vmm, unsigned int irq, bool high)
{
	line_irq = irq;
	if (high && level != 1)
		raises++;
	if (!high && level == 1)
		lowers++;
	level = high;
}

static uint8_t in(unsigned int reg)
{
	return uart->in(uart, reg, 1);
}

static void out(unsigned int reg, uint8_t val)
{
	uart->out(uart, reg, 1, val);
}

/* The input thread delivers asynchronously: wait for the line. */
static bool wait_level(int want)
{
	int i;

	for (i = 0; i < 2000 && level != want; i++)
		usleep(1000);
	return level == want;
}

static bool wait_lsr_dr(void)
{
	int i;

	for (i = 0; i < 2000 && !(in(5) & 1); i++)
		usleep(1000);
	return in(5) & 1;
}

int main(void)
{
	struct vmm vmm = { .irqchip = true };
	int p[2];

	if (pipe(p) || dup2(p[0], STDIN_FILENO) < 0)
		return 1;
	uart16550_init(&vmm, 0x3f8, 4);
	if (!uart)
		return 1;

	CHECK_EQ(0x01, in(2), "IIR after reset: no interrupt");
	out(4, 0x0b);				/* DTR | RTS | OUT2 */
	out(1, 0x02);				/* IER: THR empty */
	CHECK_EQ(1, level, "ETBEI with THR empty raises the line");
	CHECK_EQ(4, line_irq, "on IRQ 4");
	CHECK_EQ(0x02, in(2), "IIR shows THR empty");
	CHECK_EQ(0, level, "reading IIR cleared THR empty: line low");
	CHECK_EQ(0x01, in(2), "IIR then shows no interrupt");
	out(0, 'x');
	CHECK_EQ(1, level, "a THR write raises THR empty again");
	out(0, 'y');
	CHECK_EQ(2, raises, "a second write while it is pending: no new edge");
	CHECK_EQ(0x02, in(2), "IIR shows it");

	/* Linux's UART_BUG_THRE probe: IER off and on re-asserts THRE. */
	out(1, 0x00);
	out(1, 0x02);
	CHECK_EQ(0x02, in(2), "ETBEI off and on: THR empty again");
	out(1, 0x00);
	CHECK_EQ(0, level, "IER 0: line low");

	out(4, 0x03);				/* OUT2 off */
	out(1, 0x02);
	CHECK_EQ(0, level, "without OUT2 the line stays low");
	CHECK_EQ(0x02, in(2), "though IIR shows THR empty");
	out(4, 0x1b);				/* loopback, OUT2 */
	out(0, 'z');
	CHECK_EQ(0, level, "in loopback the line stays low");
	CHECK_EQ(0x02, in(2), "IIR still works in loopback");
	CHECK_EQ('z', in(0), "loopback: THR to RBR");
	out(1, 0x00);
	out(4, 0x0b);

	/* Received data outranks THR empty; reading RBR clears it. */
	out(1, 0x03);				/* RDI | THRI */
	CHECK_EQ(0x02, in(2), "THR empty first, nothing received yet");
	CHECK_EQ(0, level, "line low");
	if (write(p[1], "ab", 2) != 2)
		return 1;
	check(wait_level(1), "input raises the line by itself", level);
	CHECK_EQ(0x04, in(2), "IIR shows received data");
	CHECK_EQ(0x61, in(5) & 0x61, "LSR: data ready, THR empty");
	CHECK_EQ('a', in(0), "RBR");
	check(wait_level(1), "the next byte: the line again", level);
	CHECK_EQ('b', in(0), "RBR");
	out(0, '\n');
	CHECK_EQ(0x02, in(2), "then THR empty");
	CHECK_EQ(0x01, in(2), "then nothing");
	CHECK_EQ(0, level, "line low");
	out(1, 0x00);

	/* Input waiting while the guest runs a loopback test is not lost. */
	if (write(p[1], "q", 1) != 1)
		return 1;
	check(wait_lsr_dr(), "input arrives: LSR.DR", 0);
	out(4, 0x1b);
	CHECK_EQ(0, in(5) & 1, "loopback: RBR empty, the input waits");
	out(0, 'z');
	CHECK_EQ('z', in(0), "loopback: THR to RBR");
	out(4, 0x0b);
	CHECK_EQ(1, in(5) & 1, "out of loopback: the input is back");
	CHECK_EQ('q', in(0), "RBR");

	/* Modem status: loopback changes the inputs; MSR read clears. */
	in(6);
	out(1, 0x08);				/* IER: modem status */
	CHECK_EQ(0x01, in(2), "no modem status change yet");
	out(4, 0x1a);				/* loopback: DCD, CTS on */
	CHECK_EQ(0x00, in(2), "IIR shows modem status");
	CHECK_EQ(0x92, in(6), "MSR: DCD, CTS on, DSR changed");
	CHECK_EQ(0x01, in(2), "reading MSR cleared it");
	out(1, 0x00);
	out(4, 0x0b);
	in(6);

	out(2, 0x01);				/* FCR: FIFOs on */
	CHECK_EQ(0xc1, in(2), "IIR with FIFOs: 0xc1");

	return tap_done();
}
