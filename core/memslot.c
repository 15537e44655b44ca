// SPDX-License-Identifier: GPL-2.0
/*
 * Memory slots: guest-physical ranges backed by user memory, pinned for
 * the slot's lifetime (FOLL_LONGTERM, charged to the creator's locked_vm).
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "core/minihv.h"

static int find_slot(struct minihv_vm *vm, u32 id)
{
	unsigned int i;

	for (i = 0; i < vm->nr_slots; i++)
		if (vm->slots[i]->id == id)
			return i;
	return -1;
}

/* Out of the guest's tables (and TLBs) first, then unpinned. */
static void slot_free(struct minihv_vm *vm, struct minihv_memslot *slot)
{
	if (minihv_ops->unmap_slot)
		minihv_ops->unmap_slot(vm, slot);
	unpin_user_pages(slot->pages, slot->npages);
	account_locked_vm(vm->mm, slot->npages, false);
	atomic64_sub(slot->npages, &minihv_pinned_pages);
	kvfree(slot->pages);
	kfree(slot);
}

static int slot_pin(struct minihv_vm *vm, struct minihv_memslot *slot)
{
	unsigned long done;
	long pinned = 0;
	int ret;

	slot->pages = kvcalloc(slot->npages, sizeof(*slot->pages),
			       GFP_KERNEL_ACCOUNT);
	if (!slot->pages)
		return -ENOMEM;

	ret = account_locked_vm(vm->mm, slot->npages, true);
	if (ret)
		goto err_free;

	/*
	 * FOLL_WRITE: the guest writes its RAM, so read-only memory is
	 * -EFAULT. A short pin is pinned on from where it stopped, so the
	 * caller learns why it stopped: -EFAULT for a hole, -ENOMEM for a
	 * memory cgroup at its limit.
	 */
	for (done = 0; done < slot->npages; done += pinned) {
		pinned = pin_user_pages_fast(slot->uaddr + done * PAGE_SIZE,
					     slot->npages - done,
					     FOLL_WRITE | FOLL_LONGTERM,
					     slot->pages + done);
		if (pinned <= 0)
			break;
	}
	if (done == slot->npages) {
		atomic64_add(done, &minihv_pinned_pages);
		return 0;
	}
	unpin_user_pages(slot->pages, done);
	ret = pinned < 0 ? pinned : -EFAULT;
	account_locked_vm(vm->mm, slot->npages, false);
err_free:
	kvfree(slot->pages);
	return ret;
}

/* Everything about a new region that can be checked without pinning. */
static int check_region(struct minihv_vm *vm,
			const struct minihv_userspace_memory_region *mr)
{
	u64 gpa_end, uaddr_end;
	unsigned int i;

	if (mr->flags)
		return -EINVAL;
	if (!PAGE_ALIGNED(mr->guest_phys_addr) ||
	    !PAGE_ALIGNED(mr->memory_size) ||
	    !PAGE_ALIGNED(mr->userspace_addr))
		return -EINVAL;
	if (mr->memory_size > MINIHV_MAX_MEMSLOT_BYTES)
		return -EINVAL;
	if (check_add_overflow(mr->guest_phys_addr, mr->memory_size, &gpa_end) ||
	    check_add_overflow(mr->userspace_addr, mr->memory_size, &uaddr_end))
		return -EINVAL;
	if (gpa_end > BIT_ULL(minihv_ops->ipa_bits()))
		return -EINVAL;
	if (!access_ok((void __user *)(unsigned long)mr->userspace_addr,
		       mr->memory_size))
		return -EFAULT;

	for (i = 0; i < vm->nr_slots; i++) {
		struct minihv_memslot *s = vm->slots[i];

		if (mr->guest_phys_addr < s->gpa + s->size &&
		    s->gpa < gpa_end)
			return -EINVAL;
	}
	/* RAM over an in-kernel device would hide it from the guest. */
	if (minihv_io_overlaps(vm, MINIHV_IO_MMIO, mr->guest_phys_addr,
			       mr->memory_size))
		return -EINVAL;
	/* ... and hide an ioeventfd's doorbell: writes would never exit. */
	if (minihv_ioeventfd_overlaps(vm, MINIHV_IO_MMIO, mr->guest_phys_addr,
				      mr->memory_size))
		return -EINVAL;
	if (vm->nr_slots == MINIHV_MAX_MEMSLOTS)
		return -ENOSPC;
	return 0;
}

int minihv_memslot_set(struct minihv_vm *vm,
		       const struct minihv_userspace_memory_region *mr)
{
	struct minihv_memslot *slot;
	int idx, ret;

	if (mr->slot > MINIHV_MAX_MEMSLOT_ID)
		return -EINVAL;

	mutex_lock(&vm->lock);
	idx = find_slot(vm, mr->slot);

	if (!mr->memory_size) {
		ret = -EINVAL;
		if (idx < 0)
			goto out;
		slot_free(vm, vm->slots[idx]);
		vm->slots[idx] = vm->slots[--vm->nr_slots];
		vm->slots[vm->nr_slots] = NULL;
		ret = 0;
		goto out;
	}

	/* A slot is not resized or moved in place: delete it first. */
	ret = -EEXIST;
	if (idx >= 0)
		goto out;
	ret = check_region(vm, mr);
	if (ret)
		goto out;

	ret = -ENOMEM;
	slot = kzalloc(sizeof(*slot), GFP_KERNEL_ACCOUNT);
	if (!slot)
		goto out;
	slot->id = mr->slot;
	slot->gpa = mr->guest_phys_addr;
	slot->size = mr->memory_size;
	slot->uaddr = mr->userspace_addr;
	slot->npages = mr->memory_size >> PAGE_SHIFT;

	ret = slot_pin(vm, slot);
	if (ret) {
		kfree(slot);
		goto out;
	}
	if (minihv_ops->map_slot) {
		ret = minihv_ops->map_slot(vm, slot);
		if (ret) {
			/* unmap_slot copes with a partial map. */
			slot_free(vm, slot);
			goto out;
		}
	}
	vm->slots[vm->nr_slots++] = slot;
out:
	mutex_unlock(&vm->lock);
	return ret;
}

void minihv_memslot_free_all(struct minihv_vm *vm)
{
	while (vm->nr_slots)
		slot_free(vm, vm->slots[--vm->nr_slots]);
}

/*
 * Copies between a kernel buffer and guest RAM (for instruction fetch and
 * emulation), page by page. -EFAULT if any byte is outside every slot.
 */
int minihv_guest_access(struct minihv_vm *vm, u64 gpa, void *buf, size_t len,
			bool write)
{
	int ret = 0;

	mutex_lock(&vm->lock);
	while (len) {
		size_t chunk = min_t(size_t, len, PAGE_SIZE - (gpa & ~PAGE_MASK));
		struct minihv_memslot *slot = NULL;
		unsigned int i;
		void *va;

		for (i = 0; i < vm->nr_slots; i++) {
			if (gpa >= vm->slots[i]->gpa &&
			    gpa - vm->slots[i]->gpa < vm->slots[i]->size) {
				slot = vm->slots[i];
				break;
			}
		}
		if (!slot) {
			ret = -EFAULT;
			break;
		}
		va = kmap_local_page(slot->pages[(gpa - slot->gpa) >> PAGE_SHIFT]);
		if (write)
			memcpy(va + (gpa & ~PAGE_MASK), buf, chunk);
		else
			memcpy(buf, va + (gpa & ~PAGE_MASK), chunk);
		kunmap_local(va);
		gpa += chunk;
		buf += chunk;
		len -= chunk;
	}
	mutex_unlock(&vm->lock);
	return ret;
}
