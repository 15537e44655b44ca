// SPDX-License-Identifier: GPL-2.0
/*
 * x86 port I/O exits dispatched to the devices the tool emulates.
 */
#include <stdio.h>
#include <string.h>

#include "vmm.h"

void vmm_add_pio(struct vmm *vmm, struct pio_dev *dev)
{
	if (vmm->nr_pio_devs < VMM_MAX_DEVS)
		vmm->pio_devs[vmm->nr_pio_devs++] = dev;
}

static struct pio_dev *find_dev(struct vmm *vmm, unsigned int port)
{
	int i;

	for (i = 0; i < vmm->nr_pio_devs; i++) {
		struct pio_dev *d = vmm->pio_devs[i];

		if (port >= d->base && port - d->base < d->size)
			return d;
	}
	return NULL;
}

/*
 * count > 1 is a REP INS/OUTS: count accesses to the same port, their
 * data one after the other. Unclaimed ports read as all ones and ignore
 * writes, as an ISA bus with nothing driving it does.
 */
int vmm_pio(struct vmm *vmm, struct minihv_run *run)
{
	unsigned int size = run->io.size, count = run->io.count, i;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	struct pio_dev *d = find_dev(vmm, run->io.port);
	static bool warned;
	uint32_t val;

	if ((size != 1 && size != 2 && size != 4) || !count ||
	    count > MINIHV_IO_DATA_MAX / size ||
	    run->io.data_offset < sizeof(*run) ||
	    run->io.data_offset > MINIHV_IO_DATA_OFFSET + MINIHV_IO_DATA_MAX -
				  count * size) {
		fprintf(stderr, "minihv: malformed port I/O exit: port 0x%x size %u count %u data at %llu\n",
			run->io.port, size, count,
			(unsigned long long)run->io.data_offset);
		return -1;
	}
	if (!d && !warned) {
		fprintf(stderr, "minihv: guest %s unclaimed port 0x%x\n",
			run->io.direction == MINIHV_EXIT_IO_OUT ? "wrote" :
			"read", run->io.port);
		warned = true;
	}
	for (i = 0; i < count; i++, data += size) {
		if (run->io.direction == MINIHV_EXIT_IO_OUT) {
			val = 0;
			memcpy(&val, data, size);
			if (d)
				d->out(d, run->io.port - d->base, size, val);
		} else {
			val = d ? d->in(d, run->io.port - d->base, size) : ~0U;
			memcpy(data, &val, size);
		}
	}
	return 0;
}
