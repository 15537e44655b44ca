// SPDX-License-Identifier: GPL-2.0
/*
 * Devices the kernel emulates for a VM (the interrupt controllers, timers):
 * a small table of MMIO and port ranges the exit handlers look up before
 * anything goes to userspace, then the ioeventfds (core/ioeventfd.c).
 * Devices are added under vm->lock and never removed before the VM is
 * freed, so lookups need no lock: the count is
 * published after the entry it covers.
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/overflow.h>

#include "core/minihv.h"

static bool ranges_overlap(u64 a, u64 a_size, u64 b, u64 b_size)
{
	return a < b + b_size && b < a + a_size;
}

/* Does [base, base + size) touch a device of @space? Under vm->lock. */
bool minihv_io_overlaps(struct minihv_vm *vm, enum minihv_io_space space,
			u64 base, u64 size)
{
	unsigned int i;

	for (i = 0; i < vm->nr_io_devs; i++) {
		struct minihv_io_dev *d = vm->io_devs[i];

		if (d->space == space &&
		    ranges_overlap(base, size, d->base, d->size))
			return true;
	}
	return false;
}

static int check(struct minihv_vm *vm, const struct minihv_io_dev *dev)
{
	unsigned int i;
	u64 end;

	if (!dev->size || check_add_overflow(dev->base, dev->size, &end))
		return -EINVAL;
	if (dev->space == MINIHV_IO_MMIO) {
		if (end > BIT_ULL(minihv_ops->ipa_bits()))
			return -EINVAL;
		for (i = 0; i < vm->nr_slots; i++)
			if (ranges_overlap(dev->base, dev->size,
					   vm->slots[i]->gpa,
					   vm->slots[i]->size))
				return -EEXIST;
	} else if (end > 0x10000) {
		return -EINVAL;
	}
	if (minihv_ioeventfd_overlaps(vm, dev->space, dev->base, dev->size))
		return -EEXIST;
	return minihv_io_overlaps(vm, dev->space, dev->base, dev->size) ?
	       -EEXIST : 0;
}

/*
 * Under vm->lock: all of @devs or none. MMIO must not overlap guest RAM
 * (the stage-2 / EPT mapping would hide the device) nor another device.
 */
int minihv_io_register(struct minihv_vm *vm, struct minihv_io_dev **devs,
		       unsigned int n)
{
	unsigned int i, j;
	int ret;

	lockdep_assert_held(&vm->lock);
	if (n > MINIHV_MAX_IO_DEVS - vm->nr_io_devs)
		return -ENOSPC;
	for (i = 0; i < n; i++) {
		ret = check(vm, devs[i]);
		if (ret)
			return ret;
		for (j = 0; j < i; j++)
			if (devs[j]->space == devs[i]->space &&
			    ranges_overlap(devs[i]->base, devs[i]->size,
					   devs[j]->base, devs[j]->size))
				return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		vm->io_devs[vm->nr_io_devs] = devs[i];
		/* Pairs with find(): the entry is seen before its count. */
		smp_store_release(&vm->nr_io_devs, vm->nr_io_devs + 1);
	}
	return 0;
}

static struct minihv_io_dev *find(struct minihv_vm *vm,
				  enum minihv_io_space space, u64 addr)
{
	/* Pairs with minihv_io_register(): entries below n are complete. */
	unsigned int i, n = smp_load_acquire(&vm->nr_io_devs);

	for (i = 0; i < n; i++) {
		struct minihv_io_dev *d = vm->io_devs[i];

		if (d->space == space && addr - d->base < d->size)
			return d;
	}
	return NULL;
}

/* Is @addr a kernel device's? (Lockless, as the accesses below.) */
bool minihv_io_covers(struct minihv_vm *vm, enum minihv_io_space space,
		      u64 addr)
{
	return find(vm, space, addr);
}

/*
 * 1: the kernel's device or an ioeventfd (never both: they may not
 * overlap) answered; 0: nothing there (the exit goes to userspace);
 * -EINVAL: the device refused the access, or it runs past its end.
 */
static int access(struct minihv_vcpu *vcpu, enum minihv_io_space space,
		  u64 addr, u32 len, u64 *val, bool write)
{
	struct minihv_io_dev *d = find(vcpu->vm, space, addr);
	u64 off;
	int ret;

	if (!d)
		return write && minihv_ioeventfd_write(vcpu, space, addr, len,
						       *val);
	off = addr - d->base;
	if (len > d->size - off)
		return -EINVAL;
	ret = write ? d->ops->write(d, vcpu, off, len, *val) :
		      d->ops->read(d, vcpu, off, len, val);
	if (ret)
		return ret;
	minihv_stats_io(vcpu, space == MINIHV_IO_PIO, addr, len, *val, write);
	if (d->irqchip)
		minihv_stat_irqchip_access(vcpu, off, *val, write);
	return 1;
}

int minihv_io_read(struct minihv_vcpu *vcpu, enum minihv_io_space space,
		   u64 addr, u32 len, u64 *val)
{
	return access(vcpu, space, addr, len, val, false);
}

int minihv_io_write(struct minihv_vcpu *vcpu, enum minihv_io_space space,
		    u64 addr, u32 len, u64 val)
{
	return access(vcpu, space, addr, len, &val, true);
}
