// SPDX-License-Identifier: GPL-2.0
/*
 * An ARM PL011 UART: transmit to stdout, receive from stdin (polled; no
 * interrupt until minihv emulates the GIC). Registers as in the PL011
 * TRM (DDI 0183); the PrimeCell ids let Linux's AMBA bus probe it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "vmm.h"

#define UARTDR		0x000
#define UARTFR		0x018
#define UARTPERIPHID0	0xfe0

#define FR_RXFE		(1 << 4)	/* receive FIFO empty */
#define FR_TXFE		(1 << 7)	/* transmit FIFO empty */

static const uint8_t primecell_ids[8] = {
	0x11, 0x10, 0x14, 0x00,		/* PL011, revision r1p5 */
	0x0d, 0xf0, 0x05, 0xb1,		/* PrimeCell */
};

static int rx_byte(void)
{
	unsigned char c;

	return read(STDIN_FILENO, &c, 1) == 1 ? c : -1;
}

static int rx_pending = -1;

static uint64_t pl011_read(struct mmio_dev *dev, uint64_t off, uint32_t len)
{
	int c;

	if (off == UARTDR) {
		c = rx_pending >= 0 ? rx_pending : rx_byte();
		rx_pending = -1;
		return c < 0 ? 0 : c;
	}
	if (off == UARTFR) {
		if (rx_pending < 0)
			rx_pending = rx_byte();
		return FR_TXFE | (rx_pending < 0 ? FR_RXFE : 0);
	}
	if (off >= UARTPERIPHID0 && off < UARTPERIPHID0 + 32 && !(off & 3))
		return primecell_ids[(off - UARTPERIPHID0) / 4];
	return 0;
}

static void pl011_write(struct mmio_dev *dev, uint64_t off, uint32_t len,
			uint64_t val)
{
	if (off == UARTDR) {
		putchar(val & 0xff);
		if ((val & 0xff) == '\n')
			fflush(stdout);
	}
}

static struct mmio_dev pl011 = {
	.name = "pl011",
	.size = 0x1000,
	.read = pl011_read,
	.write = pl011_write,
};

void pl011_init(struct vmm *vmm, uint64_t base)
{
	/* Non-blocking stdin: a poll of FR must not stall the vCPU. */
	fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
	pl011.base = base;
	vmm_add_device(vmm, &pl011);
}
