// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU object and its fd: the mmap'd run area, registers, and RUN.
 * A vCPU is freed with its VM; its fd holds a reference on the VM.
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/anon_inodes.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "core/minihv.h"

static int vcpu_release(struct inode *inode, struct file *file)
{
	struct minihv_vcpu *vcpu = file->private_data;

	minihv_vm_put(vcpu->vm);
	return 0;
}

static long vcpu_run(struct minihv_vcpu *vcpu)
{
	u64 start;
	int ret;

	if (!minihv_ops->vcpu_run) {
		pr_info_once("running guests is not implemented yet\n");
		vcpu->run->exit_reason = MINIHV_EXIT_UNKNOWN;
		return -EOPNOTSUPP;
	}
	vcpu->has_run = true;
	start = local_clock();
	minihv_clock_run_begin(vcpu);
	ret = minihv_ops->vcpu_run(vcpu);
	minihv_clock_run_end(vcpu);
	minihv_stats_run_done(vcpu, local_clock() - start, ret);
	return ret;
}

static long vcpu_init(struct minihv_vcpu *vcpu, void __user *uinit)
{
	struct minihv_vcpu_init init;

	if (copy_from_user(&init, uinit, sizeof(init)))
		return -EFAULT;
	if (init.flags & ~minihv_ops->vcpu_init_flags)
		return -EINVAL;
	if (memchr_inv(init.reserved, 0, sizeof(init.reserved)))
		return -EINVAL;
	/* How a vCPU starts is settled before it first runs. */
	if (vcpu->has_run)
		return -EBUSY;
	spin_lock(&vcpu->power_lock);
	vcpu->powered_off = init.flags & MINIHV_VCPU_INIT_POWER_OFF;
	spin_unlock(&vcpu->power_lock);
	return 0;
}

static long vcpu_set_regs(struct minihv_vcpu *vcpu, void __user *uregs)
{
	struct minihv_regs regs;
	int ret;

	if (copy_from_user(&regs, uregs, sizeof(regs)))
		return -EFAULT;
	ret = minihv_ops->check_regs(&regs);
	if (!ret)
		vcpu->regs = regs;
	return ret;
}

static long vcpu_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct minihv_vcpu *vcpu = file->private_data;
	void __user *argp = (void __user *)arg;
	long ret;

	if (vcpu->vm->mm != current->mm)
		return -EIO;
	/* Without the vCPU's lock: readable while another thread runs it. */
	if (cmd == MINIHV_GET_RUNSTATE)
		return minihv_clock_get_runstate(vcpu, argp);

	/*
	 * Killable, as KVM's vcpu_load: a second thread may wait here as
	 * long as another's RUN lasts, and the hung-task detector reports
	 * uninterruptible sleeps longer than its timeout (it skips
	 * killable ones).
	 */
	if (mutex_lock_killable(&vcpu->lock))
		return -EINTR;
	switch (cmd) {
	case MINIHV_RUN:
		ret = arg ? -EINVAL : vcpu_run(vcpu);
		break;
	case MINIHV_GET_REGS:
		ret = copy_to_user(argp, &vcpu->regs, sizeof(vcpu->regs)) ?
			-EFAULT : 0;
		break;
	case MINIHV_SET_REGS:
		ret = vcpu_set_regs(vcpu, argp);
		break;
	case MINIHV_VCPU_INIT:
		ret = vcpu_init(vcpu, argp);
		break;
	default:
		ret = minihv_ops->vcpu_ioctl ?
		      minihv_ops->vcpu_ioctl(vcpu, cmd, argp) : -ENOTTY;
	}
	mutex_unlock(&vcpu->lock);
	return ret;
}

static vm_fault_t vcpu_fault(struct vm_fault *vmf)
{
	struct minihv_vcpu *vcpu = vmf->vma->vm_file->private_data;

	if (vmf->pgoff)
		return VM_FAULT_SIGBUS;
	vmf->page = virt_to_page(vcpu->run);
	get_page(vmf->page);
	return 0;
}

static const struct vm_operations_struct vcpu_vm_ops = {
	.fault = vcpu_fault,
};

static int vcpu_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff || vma_pages(vma) != 1)
		return -EINVAL;
	/*
	 * Not mergeable: a mapping at offset 4096 right after this one
	 * would otherwise extend it without asking us, and SIGBUS when
	 * touched (the fuzzer found it).
	 */
	vma->vm_flags |= VM_DONTEXPAND;
	vma->vm_ops = &vcpu_vm_ops;
	return 0;
}

static const struct file_operations vcpu_fops = {
	.owner = THIS_MODULE,
	.release = vcpu_release,
	.unlocked_ioctl = vcpu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = vcpu_mmap,
	.llseek = noop_llseek,
};

void minihv_vcpu_free(struct minihv_vcpu *vcpu)
{
	if (vcpu->arch && minihv_ops->vcpu_destroy)
		minihv_ops->vcpu_destroy(vcpu);
	free_page((unsigned long)vcpu->run);
	kfree(vcpu);
}

int minihv_vcpu_create(struct minihv_vm *vm, unsigned long id)
{
	struct minihv_vcpu *vcpu;
	unsigned int i;
	u32 irqchip;
	int fd;

	if (id > MINIHV_MAX_VCPU_ID)
		return -EINVAL;
	/*
	 * The architecture builds the vCPU's part of the interrupt
	 * controller in vcpu_init: a controller created meanwhile (by
	 * another thread) would lack it, so that vCPU is refused below.
	 */
	irqchip = smp_load_acquire(&vm->irqchip_type);

	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return -ENOMEM;
	vcpu->run = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vcpu->run) {
		kfree(vcpu);
		return -ENOMEM;
	}
	vcpu->vm = vm;
	vcpu->id = id;
	mutex_init(&vcpu->lock);
	spin_lock_init(&vcpu->power_lock);
	minihv_vcpu_kick_init(vcpu);
	minihv_clock_vcpu_init(vcpu);
	minihv_ops->reset_regs(&vcpu->regs);
	if (minihv_ops->vcpu_init) {
		int ret = minihv_ops->vcpu_init(vcpu);

		if (ret) {
			minihv_vcpu_free(vcpu);
			return ret;
		}
	}

	mutex_lock(&vm->lock);
	fd = -EBUSY;
	if (vm->irqchip_type != irqchip)
		goto err_unlock;
	for (i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i]->id == id) {
			fd = -EEXIST;
			goto err_unlock;
		}
	}
	fd = -ENOSPC;
	if (vm->nr_vcpus == MINIHV_MAX_VCPUS)
		goto err_unlock;

	/* The fd's reference; taken first since the fd is live at once. */
	kref_get(&vm->ref);
	fd = anon_inode_getfd("minihv-vcpu", &vcpu_fops, vcpu,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		mutex_unlock(&vm->lock);
		/* Not the last reference: our caller holds the VM fd. */
		minihv_vm_put(vm);
		minihv_vcpu_free(vcpu);
		return fd;
	}
	vm->vcpus[vm->nr_vcpus] = vcpu;
	/* Pairs with minihv_vm_nr_vcpus(): the entry before its count. */
	smp_store_release(&vm->nr_vcpus, vm->nr_vcpus + 1);
	if (minihv_ops->vcpu_added)
		minihv_ops->vcpu_added(vcpu);
	minihv_stats_vcpu_add(vcpu);
	mutex_unlock(&vm->lock);
	return fd;

err_unlock:
	mutex_unlock(&vm->lock);
	minihv_vcpu_free(vcpu);
	return fd;
}
