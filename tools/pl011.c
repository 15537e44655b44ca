// SPDX-License-Identifier: GPL-2.0
/*
 * An ARM PL011 UART (PrimeCell TRM, DDI 0183): transmit to stdout,
 * receive from stdin. Its PrimeCell ids let Linux's AMBA bus probe it.
 *
 * With the VM's in-kernel GIC the UART has its interrupt (SPI 1 in the
 * device tree), driven through MINIHV_IRQ_LINE: a thread reads stdin
 * into a receive FIFO, so a guest waiting for input sleeps until it
 * comes. Transmission is instant: the transmit FIFO is always empty, so
 * the transmit interrupt is asserted whenever the guest unmasks it.
 * Without a GIC, the guest polls and the tool reads stdin as it does.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "vmm.h"

#define UARTDR		0x000
#define UARTFR		0x018
#define UARTIBRD	0x024
#define UARTFBRD	0x028
#define UARTLCR_H	0x02c
#define UARTCR		0x030
#define UARTIFLS	0x034
#define UARTIMSC	0x038
#define UARTRIS		0x03c
#define UARTMIS		0x040
#define UARTICR		0x044
#define UARTPERIPHID0	0xfe0

#define FR_RXFE		(1 << 4)	/* receive FIFO empty */
#define FR_TXFE		(1 << 7)	/* transmit FIFO empty */

#define INT_RX		(1 << 4)
#define INT_TX		(1 << 5)
#define INT_RT		(1 << 6)	/* receive timeout */

#define RX_FIFO		32

static const uint8_t primecell_ids[8] = {
	0x11, 0x10, 0x14, 0x00,		/* PL011, revision r1p5 */
	0x0d, 0xf0, 0x05, 0xb1,		/* PrimeCell */
};

struct pl011 {
	struct mmio_dev dev;
	struct vmm *vmm;
	uint32_t irq;			/* SPI, or -1: no interrupt */
	pthread_mutex_t lock;		/* guards everything below */
	pthread_cond_t room;		/* the input thread waits for space */
	uint8_t rx[RX_FIFO];
	unsigned int rx_head, rx_count;
	int rx_pending;			/* polled mode: a byte read ahead */
	uint32_t imsc, ibrd, fbrd, lcr_h, cr, ifls;
	int line;			/* as last driven */
};

static struct pl011 uart = { .rx_pending = -1, .line = -1 };

/* Raw status: receive while data waits, transmit always (instant). */
static uint32_t ris(const struct pl011 *u)
{
	return INT_TX | (u->rx_count ? INT_RX | INT_RT : 0);
}

/* Under the lock, after any change: the interrupt line follows MIS. */
static void update_line(struct pl011 *u)
{
	int level = !!(ris(u) & u->imsc);

	if (u->irq == (uint32_t)-1 || level == u->line)
		return;
	u->line = level;
	vmm_irq_line(u->vmm, u->irq, level);
}

static int rx_poll(void)
{
	unsigned char c;

	return read(STDIN_FILENO, &c, 1) == 1 ? c : -1;
}

/* The next received byte, or -1. Under the lock. */
static int rx_take(struct pl011 *u)
{
	int c;

	if (u->irq == (uint32_t)-1) {
		c = u->rx_pending >= 0 ? u->rx_pending : rx_poll();
		u->rx_pending = -1;
		return c;
	}
	if (!u->rx_count)
		return -1;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % RX_FIFO;
	u->rx_count--;
	pthread_cond_signal(&u->room);
	update_line(u);
	return c;
}

static int rx_empty(struct pl011 *u)
{
	if (u->irq == (uint32_t)-1) {
		if (u->rx_pending < 0)
			u->rx_pending = rx_poll();
		return u->rx_pending < 0;
	}
	return !u->rx_count;
}

static uint64_t pl011_read(struct mmio_dev *dev, uint64_t off, uint32_t len)
{
	struct pl011 *u = dev->priv;
	uint64_t v = 0;
	int c;

	pthread_mutex_lock(&u->lock);
	switch (off) {
	case UARTDR:
		c = rx_take(u);
		v = c < 0 ? 0 : c;
		break;
	case UARTFR:
		v = FR_TXFE | (rx_empty(u) ? FR_RXFE : 0);
		break;
	case UARTIBRD:
		v = u->ibrd;
		break;
	case UARTFBRD:
		v = u->fbrd;
		break;
	case UARTLCR_H:
		v = u->lcr_h;
		break;
	case UARTCR:
		v = u->cr;
		break;
	case UARTIFLS:
		v = u->ifls;
		break;
	case UARTIMSC:
		v = u->imsc;
		break;
	case UARTRIS:
		v = ris(u);
		break;
	case UARTMIS:
		v = ris(u) & u->imsc;
		break;
	default:
		if (off >= UARTPERIPHID0 && off < UARTPERIPHID0 + 32 &&
		    !(off & 3))
			v = primecell_ids[(off - UARTPERIPHID0) / 4];
	}
	pthread_mutex_unlock(&u->lock);
	return v;
}

static void pl011_write(struct mmio_dev *dev, uint64_t off, uint32_t len,
			uint64_t val)
{
	struct pl011 *u = dev->priv;

	pthread_mutex_lock(&u->lock);
	switch (off) {
	case UARTDR:
		putchar(val & 0xff);
		if ((val & 0xff) == '\n')
			fflush(stdout);
		break;
	case UARTIBRD:
		u->ibrd = val & 0xffff;
		break;
	case UARTFBRD:
		u->fbrd = val & 0x3f;
		break;
	case UARTLCR_H:
		u->lcr_h = val & 0xff;
		break;
	case UARTCR:
		u->cr = val & 0xffff;
		break;
	case UARTIFLS:
		u->ifls = val & 0x3f;
		break;
	case UARTIMSC:
		u->imsc = val & 0x7ff;
		update_line(u);
		break;
	case UARTICR:
		/* Both conditions are levels here: nothing latched to clear. */
		break;
	}
	pthread_mutex_unlock(&u->lock);
}

/* Blocking reads of stdin into the receive FIFO, as bytes come. */
static void *rx_thread(void *arg)
{
	struct pl011 *u = arg;
	unsigned char c;

	for (;;) {
		ssize_t n = read(STDIN_FILENO, &c, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return NULL;		/* end of input */
		pthread_mutex_lock(&u->lock);
		while (u->rx_count == RX_FIFO)
			pthread_cond_wait(&u->room, &u->lock);
		u->rx[(u->rx_head + u->rx_count) % RX_FIFO] = c;
		u->rx_count++;
		update_line(u);
		pthread_mutex_unlock(&u->lock);
	}
}

void pl011_init(struct vmm *vmm, uint64_t base, unsigned int irq)
{
	struct pl011 *u = &uart;
	pthread_t t;

	pthread_mutex_init(&u->lock, NULL);
	pthread_cond_init(&u->room, NULL);
	u->vmm = vmm;
	u->irq = vmm->irqchip ? irq : (uint32_t)-1;
	u->dev = (struct mmio_dev) {
		.name = "pl011", .base = base, .size = 0x1000,
		.read = pl011_read, .write = pl011_write, .priv = u,
	};
	/* Polled: FR reads must not stall the vCPU on an empty stdin. */
	if (u->irq == (uint32_t)-1 ||
	    pthread_create(&t, NULL, rx_thread, u)) {
		u->irq = (uint32_t)-1;
		fcntl(STDIN_FILENO, F_SETFL,
		      fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
	} else {
		pthread_detach(t);
	}
	vmm_add_device(vmm, &u->dev);
}
