// SPDX-License-Identifier: GPL-2.0
/*
 * MINIHV_IRQFD: an eventfd whose every signal pulses an interrupt line of
 * the VM's in-kernel controller (raise, then lower: an edge).
 *
 * The eventfd's wake-up calls irqfd_wakeup() with the eventfd's wait
 * queue lock held, interrupts off, maybe in hard interrupt context: it
 * consumes the count and pulses the line right there, as KVM's irqfd
 * injects (both controllers' lines take any context: arch.h's irq_line).
 * No worker: one cost a wake-up and a context switch on the signalling
 * CPU per pulse, about half of I/O Latency Out.
 *
 * Lifetime: an irqfd is on vm->irqfds from assignment until one of three
 * takes it off, under vm->irqfds_lock: DEASSIGN, the eventfd's last close
 * (EPOLLHUP, seen in the wake-up), or the VM's teardown. Whoever takes it
 * off queues @shutdown, which leaves the wait queue (after that no
 * wake-up can pulse through it) and frees it. The
 * ioctl and teardown then wait for the workqueue, so no irqfd outlives
 * the call that ended it, nor any the VM it points at.
 *
 * Locks: the eventfd's wait queue lock, then vm->irqfds_lock (taken with
 * interrupts off: the wake-up may come from an interrupt). Assignment
 * and DEASSIGN hold vm->lock, so one cannot undo the other half done.
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "core/minihv.h"

struct irqfd {
	struct minihv_vm *vm;
	struct eventfd_ctx *ctx;
	u32 irq;
	struct list_head node;		/* vm->irqfds; empty once taken off */
	wait_queue_entry_t wait;
	poll_table pt;
	struct work_struct shutdown;
};

static struct workqueue_struct *irqfd_wq;

/* In the wake-up (any context) or the assignment. */
static void pulse(struct irqfd *f)
{
	/* The line was checked at assignment and the controller never goes. */
	minihv_ops->irq_line(f->vm, f->irq, true);
	minihv_ops->irq_line(f->vm, f->irq, false);
}

static void irqfd_shutdown(struct work_struct *work)
{
	struct irqfd *f = container_of(work, struct irqfd, shutdown);
	u64 cnt;

	/* Waits out a wake-up running on another CPU (the queue's lock). */
	eventfd_ctx_remove_wait_queue(f->ctx, &f->wait, &cnt);
	eventfd_ctx_put(f->ctx);
	kfree(f);
}

/* Under vm->irqfds_lock: off the list, once, and to the shutdown. */
static void deactivate(struct irqfd *f)
{
	if (list_empty(&f->node))
		return;
	list_del_init(&f->node);
	queue_work(irqfd_wq, &f->shutdown);
}

static int irqfd_wakeup(wait_queue_entry_t *wait, unsigned int mode,
			int sync, void *key)
{
	struct irqfd *f = container_of(wait, struct irqfd, wait);
	__poll_t flags = key_to_poll(key);
	struct minihv_vm *vm = f->vm;
	unsigned long irqflags;
	u64 cnt;

	if (flags & EPOLLIN) {
		/* Consumed here so the next write wakes us again. */
		eventfd_ctx_do_read(f->ctx, &cnt);
		pulse(f);
	}
	if (flags & EPOLLHUP) {
		/* The eventfd's file is going: @f must not wait on it. */
		spin_lock_irqsave(&vm->irqfds_lock, irqflags);
		deactivate(f);
		spin_unlock_irqrestore(&vm->irqfds_lock, irqflags);
	}
	return 0;
}

static void irqfd_queue_proc(struct file *file, wait_queue_head_t *wqh,
			     poll_table *pt)
{
	struct irqfd *f = container_of(pt, struct irqfd, pt);

	add_wait_queue(wqh, &f->wait);
}

/* Under vm->lock. */
static int assign(struct minihv_vm *vm, const struct minihv_irqfd *a)
{
	struct eventfd_ctx *ctx;
	struct irqfd *f, *o;
	struct fd file;
	__poll_t events;
	int ret;

	file = fdget(a->fd);
	if (!file.file)
		return -EBADF;
	ctx = eventfd_ctx_fileget(file.file);
	if (IS_ERR(ctx)) {
		ret = PTR_ERR(ctx);	/* -EINVAL: not an eventfd */
		goto out_fd;
	}
	ret = -ENOMEM;
	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		goto out_ctx;
	f->vm = vm;
	f->ctx = ctx;
	f->irq = a->irq;
	INIT_WORK(&f->shutdown, irqfd_shutdown);
	init_waitqueue_func_entry(&f->wait, irqfd_wakeup);
	init_poll_funcptr(&f->pt, irqfd_queue_proc);

	spin_lock_irq(&vm->irqfds_lock);
	list_for_each_entry(o, &vm->irqfds, node) {
		if (o->ctx == ctx) {
			spin_unlock_irq(&vm->irqfds_lock);
			ret = -EBUSY;
			goto out_free;
		}
	}
	list_add_tail(&f->node, &vm->irqfds);
	spin_unlock_irq(&vm->irqfds_lock);

	/*
	 * Outside irqfds_lock (the wake-up takes it inside the wait queue's
	 * lock). Nothing can take @f off meanwhile: DEASSIGN waits for
	 * vm->lock, and our file reference keeps EPOLLHUP away. Signals
	 * before now count: pulse once for them.
	 */
	events = vfs_poll(file.file, &f->pt);
	if (events & EPOLLIN)
		pulse(f);
	fdput(file);
	return 0;

out_free:
	kfree(f);
out_ctx:
	eventfd_ctx_put(ctx);
out_fd:
	fdput(file);
	return ret;
}

/* Under vm->lock. */
static int deassign(struct minihv_vm *vm, const struct minihv_irqfd *a)
{
	struct eventfd_ctx *ctx;
	struct irqfd *f;
	int ret = -ENOENT;

	ctx = eventfd_ctx_fdget(a->fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	spin_lock_irq(&vm->irqfds_lock);
	list_for_each_entry(f, &vm->irqfds, node) {
		if (f->ctx == ctx && f->irq == a->irq) {
			deactivate(f);
			ret = 0;
			break;
		}
	}
	spin_unlock_irq(&vm->irqfds_lock);
	eventfd_ctx_put(ctx);
	/* Gone, with its last pulse, when the ioctl returns. */
	if (!ret)
		flush_workqueue(irqfd_wq);
	return ret;
}

long minihv_irqfd(struct minihv_vm *vm, void __user *uarg)
{
	struct minihv_irqfd a;
	long ret;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (a.flags & ~MINIHV_IRQFD_DEASSIGN)
		return -EINVAL;
	if (memchr_inv(a.reserved, 0, sizeof(a.reserved)))
		return -EINVAL;

	mutex_lock(&vm->lock);
	if (a.flags & MINIHV_IRQFD_DEASSIGN)
		ret = deassign(vm, &a);
	else if (!vm->irqchip_type)
		ret = -ENXIO;	/* as MINIHV_IRQ_LINE: no controller, no lines */
	else if (a.irq >= minihv_ops->irq_lines(vm))
		ret = -EINVAL;
	else
		ret = assign(vm, &a);
	mutex_unlock(&vm->lock);
	return ret;
}

/*
 * The first step of the VM's teardown, while its controller and vCPUs
 * are all there: no irqfd may pulse a line after this returns.
 */
void minihv_irqfd_release_all(struct minihv_vm *vm)
{
	struct irqfd *f, *tmp;

	spin_lock_irq(&vm->irqfds_lock);
	list_for_each_entry_safe(f, tmp, &vm->irqfds, node)
		deactivate(f);
	spin_unlock_irq(&vm->irqfds_lock);
	/* Also any an EPOLLHUP queued: they point at this VM too. */
	flush_workqueue(irqfd_wq);
}

int minihv_irqfd_init(void)
{
	irqfd_wq = alloc_workqueue("minihv-irqfd", 0, 0);
	return irqfd_wq ? 0 : -ENOMEM;
}

void minihv_irqfd_exit(void)
{
	destroy_workqueue(irqfd_wq);
}
