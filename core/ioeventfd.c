// SPDX-License-Identifier: GPL-2.0
/*
 * MINIHV_IOEVENTFD: guest writes that signal an eventfd in the kernel.
 *
 * A VM's ioeventfds are a short list, changed under vm->lock and read by
 * the vCPUs' exit paths under RCU (core/io.c asks here once no in-kernel
 * device claims the address). A write matches an entry only exactly:
 * same space, address and width, and the same value for a DATAMATCH one.
 * Removal waits for every reader before it drops the eventfd.
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/eventfd.h>
#include <linux/overflow.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "core/minihv.h"

struct ioeventfd {
	struct list_head node;		/* vm->ioeventfds */
	struct eventfd_ctx *ctx;
	u64 addr;
	u64 data;
	u32 len;
	bool pio;
	bool datamatch;
};

#define IOEVENTFD_FLAGS	(MINIHV_IOEVENTFD_DATAMATCH | MINIHV_IOEVENTFD_PIO | \
			 MINIHV_IOEVENTFD_DEASSIGN)

static bool ranges_overlap(u64 a, u64 a_size, u64 b, u64 b_size)
{
	return a < b + b_size && b < a + a_size;
}

/* Does [base, base + size) of @space touch an ioeventfd? Under vm->lock. */
bool minihv_ioeventfd_overlaps(struct minihv_vm *vm,
			       enum minihv_io_space space, u64 base, u64 size)
{
	struct ioeventfd *p;

	lockdep_assert_held(&vm->lock);
	list_for_each_entry(p, &vm->ioeventfds, node)
		if (p->pio == (space == MINIHV_IO_PIO) &&
		    ranges_overlap(base, size, p->addr, p->len))
			return true;
	return false;
}

/*
 * The exit path: a guest write of @len bytes of @val at @addr. True when
 * an ioeventfd took it (the guest resumes at once), false to go on to
 * userspace.
 */
bool minihv_ioeventfd_write(struct minihv_vcpu *vcpu,
			    enum minihv_io_space space, u64 addr, u32 len,
			    u64 val)
{
	struct minihv_vm *vm = vcpu->vm;
	bool pio = space == MINIHV_IO_PIO;
	struct ioeventfd *p;
	bool hit = false;

	/* Most VMs have none: skip the walk and the RCU section. */
	if (list_empty(&vm->ioeventfds))
		return false;
	rcu_read_lock();
	list_for_each_entry_rcu(p, &vm->ioeventfds, node) {
		if (p->pio != pio || p->addr != addr || p->len != len ||
		    (p->datamatch && p->data != val))
			continue;
		eventfd_signal(p->ctx, 1);
		hit = true;
		break;
	}
	rcu_read_unlock();
	if (hit) {
		minihv_stats_io(vcpu, pio, addr, len, val, true);
		minihv_stat_add(&vcpu->stats, MINIHV_STAT_IOEVENTFDS, 1);
	}
	return hit;
}

static bool same(const struct ioeventfd *p, const struct minihv_ioeventfd *a,
		 bool pio)
{
	bool datamatch = a->flags & MINIHV_IOEVENTFD_DATAMATCH;

	return p->pio == pio && p->addr == a->addr && p->len == a->len &&
	       p->datamatch == datamatch &&
	       (!datamatch || p->data == a->datamatch);
}

/*
 * Would @a take writes @p already takes? As KVM's: the same place and
 * width, unless both match on data and the values differ.
 */
static bool collides(const struct ioeventfd *p,
		     const struct minihv_ioeventfd *a, bool pio)
{
	if (p->pio != pio || p->addr != a->addr || p->len != a->len)
		return false;
	return !p->datamatch || !(a->flags & MINIHV_IOEVENTFD_DATAMATCH) ||
	       p->data == a->datamatch;
}

/* Under vm->lock: anything else of the VM's at [addr, addr + len)? */
static int check_place(struct minihv_vm *vm, const struct minihv_ioeventfd *a,
		       bool pio)
{
	enum minihv_io_space space = pio ? MINIHV_IO_PIO : MINIHV_IO_MMIO;
	struct ioeventfd *p;
	unsigned int i;

	/* RAM is mapped for the guest: its writes would never exit. */
	if (!pio)
		for (i = 0; i < vm->nr_slots; i++)
			if (ranges_overlap(a->addr, a->len, vm->slots[i]->gpa,
					   vm->slots[i]->size))
				return -EEXIST;
	/* An in-kernel device answers first: the eventfd would never fire. */
	if (minihv_io_overlaps(vm, space, a->addr, a->len))
		return -EEXIST;
	list_for_each_entry(p, &vm->ioeventfds, node)
		if (collides(p, a, pio))
			return -EEXIST;
	if (vm->nr_ioeventfds >= MINIHV_MAX_IOEVENTFDS)
		return -ENOSPC;
	return 0;
}

static int assign(struct minihv_vm *vm, const struct minihv_ioeventfd *a,
		  bool pio)
{
	struct eventfd_ctx *ctx;
	struct ioeventfd *p;
	int ret;

	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return -ENOMEM;
	ctx = eventfd_ctx_fdget(a->fd);
	if (IS_ERR(ctx)) {
		kfree(p);
		return PTR_ERR(ctx);	/* -EBADF, or -EINVAL: not an eventfd */
	}
	p->ctx = ctx;
	p->addr = a->addr;
	p->len = a->len;
	p->pio = pio;
	p->datamatch = a->flags & MINIHV_IOEVENTFD_DATAMATCH;
	p->data = p->datamatch ? a->datamatch : 0;

	mutex_lock(&vm->lock);
	ret = check_place(vm, a, pio);
	if (!ret) {
		list_add_tail_rcu(&p->node, &vm->ioeventfds);
		vm->nr_ioeventfds++;
	}
	mutex_unlock(&vm->lock);
	if (ret) {
		eventfd_ctx_put(ctx);
		kfree(p);
	}
	return ret;
}

static int deassign(struct minihv_vm *vm, const struct minihv_ioeventfd *a,
		    bool pio)
{
	struct eventfd_ctx *ctx;
	struct ioeventfd *p, *found = NULL;

	ctx = eventfd_ctx_fdget(a->fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);

	mutex_lock(&vm->lock);
	list_for_each_entry(p, &vm->ioeventfds, node) {
		if (p->ctx == ctx && same(p, a, pio)) {
			found = p;
			list_del_rcu(&p->node);
			vm->nr_ioeventfds--;
			break;
		}
	}
	mutex_unlock(&vm->lock);
	eventfd_ctx_put(ctx);
	if (!found)
		return -ENOENT;
	/* A vCPU may be signalling it right now: let every reader leave. */
	synchronize_rcu();
	eventfd_ctx_put(found->ctx);
	kfree(found);
	return 0;
}

long minihv_ioeventfd(struct minihv_vm *vm, void __user *uarg)
{
	struct minihv_ioeventfd a;
	bool pio, datamatch;
	u64 end;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (a.flags & ~IOEVENTFD_FLAGS)
		return -EINVAL;
	if (memchr_inv(a.reserved, 0, sizeof(a.reserved)))
		return -EINVAL;
	pio = a.flags & MINIHV_IOEVENTFD_PIO;
	datamatch = a.flags & MINIHV_IOEVENTFD_DATAMATCH;
	/* No "any width" 0 as KVM has: every exit here knows its width. */
	if (a.len != 1 && a.len != 2 && a.len != 4 && a.len != 8)
		return -EINVAL;
	if (check_add_overflow(a.addr, (u64)a.len, &end))
		return -EINVAL;
	/* A value wider than the write could never match. */
	if (datamatch && a.len < 8 && a.datamatch >> (8 * a.len))
		return -EINVAL;
	if (pio) {
		if (!minihv_ops->has_ports || end > 0x10000)
			return -EINVAL;
	} else if (end > BIT_ULL(minihv_ops->ipa_bits())) {
		return -EINVAL;
	}

	if (a.flags & MINIHV_IOEVENTFD_DEASSIGN)
		return deassign(vm, &a, pio);
	return assign(vm, &a, pio);
}

/* VM teardown: no vCPU runs any more, so no reader is left. */
void minihv_ioeventfd_free_all(struct minihv_vm *vm)
{
	struct ioeventfd *p, *tmp;

	list_for_each_entry_safe(p, tmp, &vm->ioeventfds, node) {
		list_del(&p->node);
		eventfd_ctx_put(p->ctx);
		kfree(p);
	}
	vm->nr_ioeventfds = 0;
}
