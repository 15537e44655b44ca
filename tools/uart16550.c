// SPDX-License-Identifier: GPL-2.0
/*
 * A 16550A UART on x86 ports (COM1): transmit to stdout, unbuffered;
 * receive from stdin, polled and non-blocking. No interrupt line until
 * minihv emulates an interrupt controller, but IIR reports what would be
 * pending, so polling drivers and Linux's 8250 probe see a 16550A.
 * Registers as in the PC16550D data sheet; the loopback mode of MCR is
 * there because the 8250 probe tests the UART with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "vmm.h"

/* Offsets from the base port; DLL/DLM replace RBR/THR/IER when LCR.DLAB. */
#define UART_RX		0	/* RBR (read), THR (write), DLL */
#define UART_IER	1	/* or DLM */
#define UART_IIR	2	/* IIR (read), FCR (write) */
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define IER_RDI		0x01	/* received data available */
#define IER_THRI	0x02	/* THR empty */
#define IIR_NO_INT	0x01
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_FIFO	0xc0	/* FIFOs enabled (a 16550A, not a 16550) */
#define FCR_FIFO	0x01
#define FCR_CLEAR_RX	0x02
#define LCR_DLAB	0x80
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80

struct uart {
	struct pio_dev pio;
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thri;	/* THR-empty interrupt pending, until IIR shows it */
	int rx;		/* the byte waiting in RBR, or -1 */
};

/* Output goes out at once: the transmitter is always empty. */
static void tx_byte(uint8_t c)
{
	while (write(STDOUT_FILENO, &c, 1) < 0 && errno == EINTR)
		;
}

/* In loopback the serial input is disconnected from the outside. */
static bool rx_ready(struct uart *u)
{
	unsigned char c;

	if (u->rx < 0 && !(u->mcr & MCR_LOOP) &&
	    read(STDIN_FILENO, &c, 1) == 1)
		u->rx = c;
	return u->rx >= 0;
}

static uint8_t read_iir(struct uart *u)
{
	uint8_t fifo = u->fcr & FCR_FIFO ? IIR_FIFO : 0;

	if (u->ier & IER_RDI && rx_ready(u))
		return fifo | IIR_RDI;
	/* Reading IIR while it shows THR empty clears that interrupt. */
	if (u->ier & IER_THRI && u->thri) {
		u->thri = false;
		return fifo | IIR_THRI;
	}
	return fifo | IIR_NO_INT;
}

/* Loopback wires DTR, RTS, OUT1, OUT2 to DSR, CTS, RI, DCD. */
static uint8_t read_msr(struct uart *u)
{
	uint8_t msr = 0;

	if (!(u->mcr & MCR_LOOP))
		return MSR_DCD | MSR_DSR | MSR_CTS;
	if (u->mcr & 0x01)
		msr |= MSR_DSR;
	if (u->mcr & 0x02)
		msr |= MSR_CTS;
	if (u->mcr & 0x04)
		msr |= MSR_RI;
	if (u->mcr & 0x08)
		msr |= MSR_DCD;
	return msr;
}

static uint32_t uart_in(struct pio_dev *dev, unsigned int off,
			unsigned int len)
{
	struct uart *u = dev->priv;
	bool dlab = u->lcr & LCR_DLAB;
	int c;

	switch (off) {
	case UART_RX:
		if (dlab)
			return u->dll;
		c = rx_ready(u) ? u->rx : 0;
		u->rx = -1;
		return c;
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR:
		return read_iir(u);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		return LSR_THRE | LSR_TEMT | (rx_ready(u) ? LSR_DR : 0);
	case UART_MSR:
		return read_msr(u);
	default:
		return u->scr;
	}
}

static void uart_out(struct pio_dev *dev, unsigned int off, unsigned int len,
		     uint32_t val)
{
	struct uart *u = dev->priv;
	bool dlab = u->lcr & LCR_DLAB;

	switch (off) {
	case UART_RX:
		if (dlab)
			u->dll = val;
		else if (u->mcr & MCR_LOOP)
			u->rx = val & 0xff;
		else
			tx_byte(val);
		if (!dlab)
			u->thri = true;
		break;
	case UART_IER:
		if (dlab) {
			u->dlm = val;
			break;
		}
		/* Enabling the THR-empty interrupt with THR empty raises it. */
		if (val & IER_THRI && !(u->ier & IER_THRI))
			u->thri = true;
		u->ier = val & 0x0f;
		break;
	case UART_IIR:
		u->fcr = val & 0xc9;
		if (val & FCR_CLEAR_RX)
			u->rx = -1;
		break;
	case UART_LCR:
		u->lcr = val;
		break;
	case UART_MCR:
		u->mcr = val & 0x1f;
		break;
	case UART_SCR:
		u->scr = val;
		break;
	default:
		break;		/* LSR, MSR: factory test registers */
	}
}

static struct uart com1 = {
	.pio = {
		.name = "uart16550",
		.size = 8,
		.in = uart_in,
		.out = uart_out,
		.priv = &com1,
	},
	.lcr = 0x03,		/* 8N1 */
	.dll = 12,		/* 9600 baud from the 1.8432 MHz clock */
	.rx = -1,
};

static int stdin_flags = -1;

/* The flag is on the open file, which the shell shares: give it back. */
static void restore_stdin(void)
{
	fcntl(STDIN_FILENO, F_SETFL, stdin_flags);
}

void uart16550_init(struct vmm *vmm, unsigned int port)
{
	/* Non-blocking stdin: a poll of LSR must not stall the vCPU. */
	stdin_flags = fcntl(STDIN_FILENO, F_GETFL);
	if (stdin_flags >= 0 &&
	    !fcntl(STDIN_FILENO, F_SETFL, stdin_flags | O_NONBLOCK))
		atexit(restore_stdin);
	com1.pio.base = port;
	vmm_add_pio(vmm, &com1.pio);
}
