// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 machine of `minihv run`: not yet (guests do not run on x86 yet).
 */
#include <stdio.h>

#include "../vmm.h"

const uint64_t arch_ram_base;

int arch_load(struct vmm *vmm)
{
	fprintf(stderr, "minihv: running x86 guests is not implemented yet\n");
	return -1;
}

int arch_vcpu_setup(struct vmm *vmm, struct vcpu *vcpu)
{
	return -1;
}

void arch_devices(struct vmm *vmm)
{
}
