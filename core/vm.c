// SPDX-License-Identifier: GPL-2.0
/*
 * The VM object and its fd. A VM lives while its fd or any of its vCPU
 * fds is open; every fd also pins the module, so rmmod fails with EBUSY
 * while a VM exists.
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/anon_inodes.h>
#include <linux/fs.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "core/minihv.h"
#include "mm/pgtable.h"

static void vm_free(struct kref *ref)
{
	struct minihv_vm *vm = container_of(ref, struct minihv_vm, ref);
	unsigned int i;

	/* First: an irqfd pulses the controller, which kicks the vCPUs. */
	minihv_irqfd_release_all(vm);
	minihv_stats_vm_remove(vm);

	for (i = 0; i < vm->nr_vcpus; i++)
		minihv_vcpu_free(vm->vcpus[i]);
	minihv_memslot_free_all(vm);
	minihv_ioeventfd_free_all(vm);
	if (minihv_ops->vm_destroy)
		minihv_ops->vm_destroy(vm);
	mmdrop(vm->mm);
	kfree(vm);
	atomic_dec(&minihv_nr_vms);
}

void minihv_vm_put(struct minihv_vm *vm)
{
	kref_put(&vm->ref, vm_free);
}

static int vm_release(struct inode *inode, struct file *file)
{
	minihv_vm_put(file->private_data);
	return 0;
}

static long vm_get_info(struct minihv_vm *vm, void __user *uinfo)
{
	struct minihv_vm_info info = { };
	struct minihv_pgtable *pt;

	mutex_lock(&vm->lock);
	pt = minihv_ops->vm_pgtable ? minihv_ops->vm_pgtable(vm) : NULL;
	if (pt) {
		info.leaves_4k = pt->nr_leaves[3];
		info.leaves_2m = pt->nr_leaves[2];
		info.leaves_1g = pt->nr_leaves[1];
		info.table_pages = pt->nr_tables;
	}
	info.nr_memslots = vm->nr_slots;
	info.nr_vcpus = vm->nr_vcpus;
	info.id = vm->id;
	mutex_unlock(&vm->lock);
	return copy_to_user(uinfo, &info, sizeof(info)) ? -EFAULT : 0;
}

static long vm_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct minihv_vm *vm = file->private_data;
	struct minihv_userspace_memory_region mr;

	/* Only the creating process's mm can back this VM's memory. */
	if (vm->mm != current->mm)
		return -EIO;

	switch (cmd) {
	case MINIHV_SET_USER_MEMORY_REGION:
		if (copy_from_user(&mr, (void __user *)arg, sizeof(mr)))
			return -EFAULT;
		return minihv_memslot_set(vm, &mr);
	case MINIHV_CREATE_VCPU:
		return minihv_vcpu_create(vm, arg);
	case MINIHV_GET_VM_INFO:
		return vm_get_info(vm, (void __user *)arg);
	case MINIHV_CREATE_IRQCHIP:
		return minihv_irqchip_create(vm, (void __user *)arg);
	case MINIHV_IRQ_LINE:
		return minihv_irq_line(vm, (void __user *)arg);
	case MINIHV_IOEVENTFD:
		return minihv_ioeventfd(vm, (void __user *)arg);
	case MINIHV_IRQFD:
		return minihv_irqfd(vm, (void __user *)arg);
	case MINIHV_GET_CLOCK:
		return minihv_clock_get(vm, (void __user *)arg);
	case MINIHV_SET_CLOCK:
		return minihv_clock_set(vm, (void __user *)arg);
	case MINIHV_GET_WALLCLOCK:
		return minihv_clock_get_wall(vm, (void __user *)arg);
	case MINIHV_SET_WALLCLOCK:
		return minihv_clock_set_wall(vm, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations vm_fops = {
	.owner = THIS_MODULE,
	.release = vm_release,
	.unlocked_ioctl = vm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

int minihv_vm_create(void)
{
	static atomic_t last_id = ATOMIC_INIT(0);
	struct minihv_vm *vm;
	int fd;

	if (atomic_inc_return(&minihv_nr_vms) > MINIHV_MAX_VMS) {
		atomic_dec(&minihv_nr_vms);
		return -ENOSPC;
	}

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm) {
		atomic_dec(&minihv_nr_vms);
		return -ENOMEM;
	}
	kref_init(&vm->ref);
	mutex_init(&vm->lock);
	INIT_LIST_HEAD(&vm->ioeventfds);
	spin_lock_init(&vm->irqfds_lock);
	INIT_LIST_HEAD(&vm->irqfds);
	/* Before the architecture's part, which loads the counter offset. */
	minihv_clock_vm_init(vm);
	if (minihv_ops->vm_init) {
		int ret = minihv_ops->vm_init(vm);

		if (ret) {
			kfree(vm);
			atomic_dec(&minihv_nr_vms);
			return ret;
		}
	}
	mmgrab(current->mm);
	vm->mm = current->mm;
	vm->id = atomic_inc_return(&last_id);
	minihv_stats_vm_add(vm);

	fd = anon_inode_getfd("minihv-vm", &vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		minihv_vm_put(vm);
	return fd;
}
