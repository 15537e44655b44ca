// SPDX-License-Identifier: GPL-2.0
/*
 * A 16550A UART on x86 ports (COM1): transmit to stdout, unbuffered;
 * receive from stdin, non-blocking. Registers as in the PC16550D data
 * sheet; the loopback mode of MCR is there because Linux's 8250 probe
 * tests the UART with it.
 *
 * The interrupt: IIR shows the highest-priority condition IER enables
 * (received data, then THR empty, then modem status; no line errors
 * happen), and the UART drives its IRQ line (MINIHV_IRQ_LINE) whenever
 * that output changes, in a VM with the in-kernel interrupt controller.
 * As on a PC's serial port, the output reaches the bus only while MCR's
 * OUT2 is set and loopback is off; Linux's 8250 driver sets OUT2 for
 * that. The transmitter is always empty (output goes out at once), so
 * THR empty is raised again by each THR write and by setting ETBEI, and
 * cleared by reading IIR while IIR shows it. With interrupts a thread
 * waits for input, so received data interrupts a guest that sleeps;
 * without, a register read polls stdin.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
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
#define IER_MSI		0x08	/* modem status */
#define IIR_NO_INT	0x01
#define IIR_MSI		0x00
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_FIFO	0xc0	/* FIFOs enabled (a 16550A, not a 16550) */
#define FCR_FIFO	0x01
#define FCR_CLEAR_RX	0x02
#define LCR_DLAB	0x80
#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define MSR_DCTS	0x01
#define MSR_DDSR	0x02
#define MSR_TERI	0x04
#define MSR_DDCD	0x08
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80

struct uart {
	struct pio_dev pio;
	struct vmm *vmm;
	unsigned int irq;
	/* Guards everything below: vCPU threads and the input thread. */
	pthread_mutex_t lock;
	pthread_cond_t rx_free;	/* rx taken: the input thread reads on */
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	uint8_t msr_delta;	/* MSR bits 3:0, until MSR is read */
	bool thri;		/* THR-empty interrupt pending, until IIR shows it */
	int rx;			/* the byte from stdin in RBR, or -1 */
	int loop_rx;		/* in loopback, the byte THR sent to RBR, or -1 */
	bool eof;		/* stdin has no more to give */
	bool rx_thread;		/* the input thread reads stdin, not RBR reads */
	bool line;		/* the interrupt output as last driven */
};

/* Output goes out at once: the transmitter is always empty. */
static void tx_byte(uint8_t c)
{
	while (write(STDOUT_FILENO, &c, 1) < 0 && errno == EINTR)
		;
}

static void rx_fetch(struct uart *u)
{
	unsigned char c;
	ssize_t n;

	if (u->rx >= 0 || u->eof)
		return;
	n = read(STDIN_FILENO, &c, 1);
	if (n == 1)
		u->rx = c;
	else if (!n || (errno != EAGAIN && errno != EINTR))
		u->eof = true;
}

/*
 * Loopback disconnects the serial input: RBR then holds what THR sent,
 * and input from stdin waits (none is lost) until loopback ends.
 */
static bool rx_ready(struct uart *u)
{
	if (u->mcr & MCR_LOOP)
		return u->loop_rx >= 0;
	if (!u->rx_thread)
		rx_fetch(u);
	return u->rx >= 0;
}

static int rx_take(struct uart *u)
{
	int c = rx_ready(u) ? (u->mcr & MCR_LOOP ? u->loop_rx : u->rx) : 0;

	if (u->mcr & MCR_LOOP) {
		u->loop_rx = -1;
	} else {
		u->rx = -1;
		pthread_cond_signal(&u->rx_free);
	}
	return c;
}

/* The highest-priority interrupt IER enables, as IIR bits 3:0. */
static uint8_t pending(struct uart *u)
{
	if (u->ier & IER_RDI && rx_ready(u))
		return IIR_RDI;
	if (u->ier & IER_THRI && u->thri)
		return IIR_THRI;
	if (u->ier & IER_MSI && u->msr_delta)
		return IIR_MSI;
	return IIR_NO_INT;
}

static void update_irq(struct uart *u)
{
	bool level = pending(u) != IIR_NO_INT &&
		     (u->mcr & (MCR_OUT2 | MCR_LOOP)) == MCR_OUT2;

	if (level != u->line) {
		u->line = level;
		vmm_irq_line(u->vmm, u->irq, level);
	}
}

static uint8_t read_iir(struct uart *u)
{
	uint8_t fifo = u->fcr & FCR_FIFO ? IIR_FIFO : 0;
	uint8_t id = pending(u);

	/* Reading IIR while it shows THR empty clears that interrupt. */
	if (id == IIR_THRI)
		u->thri = false;
	return fifo | id;
}

/* Loopback wires DTR, RTS, OUT1, OUT2 to DSR, CTS, RI, DCD. */
static uint8_t modem_inputs(uint8_t mcr)
{
	uint8_t msr = 0;

	if (!(mcr & MCR_LOOP))
		return MSR_DCD | MSR_DSR | MSR_CTS;
	if (mcr & MCR_DTR)
		msr |= MSR_DSR;
	if (mcr & MCR_RTS)
		msr |= MSR_CTS;
	if (mcr & MCR_OUT1)
		msr |= MSR_RI;
	if (mcr & MCR_OUT2)
		msr |= MSR_DCD;
	return msr;
}

/* The delta bits: CTS, DSR, DCD changed; RI went from on to off. */
static void write_mcr(struct uart *u, uint8_t val)
{
	uint8_t old = modem_inputs(u->mcr), new = modem_inputs(val);
	uint8_t changed = old ^ new;

	if (changed & MSR_CTS)
		u->msr_delta |= MSR_DCTS;
	if (changed & MSR_DSR)
		u->msr_delta |= MSR_DDSR;
	if (old & ~new & MSR_RI)
		u->msr_delta |= MSR_TERI;
	if (changed & MSR_DCD)
		u->msr_delta |= MSR_DDCD;
	if (!(val & MCR_LOOP))
		u->loop_rx = -1;
	u->mcr = val;
}

static uint32_t reg_in(struct uart *u, unsigned int off)
{
	bool dlab = u->lcr & LCR_DLAB;
	uint8_t msr;

	switch (off) {
	case UART_RX:
		return dlab ? u->dll : rx_take(u);
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
		msr = modem_inputs(u->mcr) | u->msr_delta;
		u->msr_delta = 0;
		return msr;
	default:
		return u->scr;
	}
}

static void reg_out(struct uart *u, unsigned int off, uint8_t val)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (off) {
	case UART_RX:
		if (dlab) {
			u->dll = val;
			break;
		}
		if (u->mcr & MCR_LOOP)
			u->loop_rx = val;
		else
			tx_byte(val);
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
		if (val & FCR_CLEAR_RX) {
			u->loop_rx = -1;
			u->rx = -1;
			pthread_cond_signal(&u->rx_free);
		}
		break;
	case UART_LCR:
		u->lcr = val;
		break;
	case UART_MCR:
		write_mcr(u, val & 0x1f);
		break;
	case UART_SCR:
		u->scr = val;
		break;
	default:
		break;		/* LSR, MSR: factory test registers */
	}
}

static uint32_t uart_in(struct pio_dev *dev, unsigned int off,
			unsigned int len)
{
	struct uart *u = dev->priv;
	uint32_t val;

	pthread_mutex_lock(&u->lock);
	val = reg_in(u, off);
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
	return val;
}

static void uart_out(struct pio_dev *dev, unsigned int off, unsigned int len,
		     uint32_t val)
{
	struct uart *u = dev->priv;

	pthread_mutex_lock(&u->lock);
	reg_out(u, off, val);
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

/*
 * With an interrupt line: wait for input while RBR is empty, so that
 * data arriving interrupts the guest even while no vCPU touches the UART.
 */
static void *rx_thread(void *arg)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	struct uart *u = arg;

	pthread_mutex_lock(&u->lock);
	while (!u->eof) {
		if (u->rx >= 0) {
			pthread_cond_wait(&u->rx_free, &u->lock);
			continue;
		}
		pthread_mutex_unlock(&u->lock);
		poll(&p, 1, -1);
		pthread_mutex_lock(&u->lock);
		rx_fetch(u);
		update_irq(u);
	}
	pthread_mutex_unlock(&u->lock);
	return NULL;
}

static struct uart com1 = {
	.pio = {
		.name = "uart16550",
		.size = 8,
		.in = uart_in,
		.out = uart_out,
		.priv = &com1,
	},
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.rx_free = PTHREAD_COND_INITIALIZER,
	.lcr = 0x03,		/* 8N1 */
	.dll = 12,		/* 9600 baud from the 1.8432 MHz clock */
	.rx = -1,
	.loop_rx = -1,
};

static int stdin_flags = -1;

/* The flag is on the open file, which the shell shares: give it back. */
static void restore_stdin(void)
{
	fcntl(STDIN_FILENO, F_SETFL, stdin_flags);
}

void uart16550_init(struct vmm *vmm, unsigned int port, unsigned int irq)
{
	pthread_t t;

	/* Non-blocking stdin: a poll of LSR must not stall the vCPU. */
	stdin_flags = fcntl(STDIN_FILENO, F_GETFL);
	if (stdin_flags >= 0 &&
	    !fcntl(STDIN_FILENO, F_SETFL, stdin_flags | O_NONBLOCK))
		atexit(restore_stdin);
	com1.vmm = vmm;
	com1.irq = irq;
	com1.pio.base = port;
	/* Before any vCPU runs: nothing else touches the UART yet. */
	if (vmm->irqchip) {
		com1.rx_thread = !pthread_create(&t, NULL, rx_thread, &com1);
		if (!com1.rx_thread)
			fprintf(stderr, "minihv: no UART input thread: input interrupts only when the guest polls\n");
	}
	vmm_add_pio(vmm, &com1.pio);
}
