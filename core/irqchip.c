// SPDX-License-Identifier: GPL-2.0
/*
 * The VM fd's interrupt ioctls: MINIHV_CREATE_IRQCHIP creates the VM's
 * in-kernel interrupt controller (the architecture builds it), and
 * MINIHV_IRQ_LINE drives one of its device lines from userspace.
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/uaccess.h>

#include "core/minihv.h"

long minihv_irqchip_create(struct minihv_vm *vm, void __user *uchip)
{
	struct minihv_irqchip chip;
	long ret;

	if (copy_from_user(&chip, uchip, sizeof(chip)))
		return -EFAULT;
	if (chip.flags)
		return -EINVAL;
	if (memchr_inv(chip.reserved, 0, sizeof(chip.reserved)))
		return -EINVAL;
	if (chip.type >= 32 || !(minihv_ops->irqchip_types & BIT(chip.type)))
		return -ENODEV;

	mutex_lock(&vm->lock);
	if (vm->irqchip_type)
		ret = -EEXIST;
	else if (vm->nr_vcpus)
		ret = -EBUSY;	/* each vCPU gets its part at creation */
	else
		ret = minihv_ops->irqchip_create(vm, &chip);
	if (!ret)	/* after the controller: vCPU creation reads it unlocked */
		smp_store_release(&vm->irqchip_type, chip.type);
	mutex_unlock(&vm->lock);
	return ret;
}

long minihv_irq_line(struct minihv_vm *vm, void __user *ulevel)
{
	struct minihv_irq_level l;

	if (copy_from_user(&l, ulevel, sizeof(l)))
		return -EFAULT;
	if (l.level > 1)
		return -EINVAL;
	/* Set once before any vCPU; a VM without one has no lines. */
	if (!smp_load_acquire(&vm->irqchip_type))
		return -ENXIO;
	return minihv_ops->irq_line(vm, l.irq, l.level);
}
