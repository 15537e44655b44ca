// SPDX-License-Identifier: GPL-2.0
/*
 * The exit port: a guest ends the run by writing v (1, 2 or 4 bytes) to
 * it, and `minihv run` exits with v & 0xff. Like QEMU's isa-debug-exit,
 * except that the code is v itself (QEMU's is v << 1 | 1), so a test
 * guest can report success as 0.
 */
#include "x86.h"

static uint32_t exit_in(struct pio_dev *dev, unsigned int off,
			unsigned int len)
{
	return ~0U;
}

static void exit_out(struct pio_dev *dev, unsigned int off, unsigned int len,
		     uint32_t val)
{
	vmm_stop(dev->priv, val & 0xff);
}

static struct pio_dev debug_exit = {
	.name = "debug-exit",
	.size = 1,
	.in = exit_in,
	.out = exit_out,
};

void debug_exit_init(struct vmm *vmm, unsigned int port)
{
	debug_exit.base = port;
	debug_exit.priv = vmm;
	vmm_add_pio(vmm, &debug_exit);
}
