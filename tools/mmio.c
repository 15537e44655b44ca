// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO exits dispatched to the devices the tool emulates.
 */
#include <stdio.h>
#include <string.h>

#include "vmm.h"

void vmm_add_device(struct vmm *vmm, struct mmio_dev *dev)
{
	if (vmm->nr_devs < VMM_MAX_DEVS)
		vmm->devs[vmm->nr_devs++] = dev;
}

/* Unclaimed addresses read as 0 and ignore writes, as on a bus. */
void vmm_mmio(struct vmm *vmm, struct minihv_run *run)
{
	uint64_t addr = run->mmio.phys_addr, val = 0;
	static bool warned;
	int i;

	for (i = 0; i < vmm->nr_devs; i++) {
		struct mmio_dev *d = vmm->devs[i];

		if (addr < d->base || addr - d->base >= d->size)
			continue;
		if (run->mmio.is_write) {
			memcpy(&val, run->mmio.data, run->mmio.len);
			d->write(d, addr - d->base, run->mmio.len, val);
		} else {
			val = d->read(d, addr - d->base, run->mmio.len);
			memcpy(run->mmio.data, &val, run->mmio.len);
		}
		return;
	}
	if (!warned) {
		fprintf(stderr, "minihv: guest %s unclaimed MMIO at 0x%llx\n",
			run->mmio.is_write ? "wrote" : "read",
			(unsigned long long)addr);
		warned = true;
	}
	if (!run->mmio.is_write)
		memset(run->mmio.data, 0, sizeof(run->mmio.data));
}
