/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minihv core objects: the VM, its memory slots and its vCPUs.
 */
#ifndef MINIHV_CORE_MINIHV_H
#define MINIHV_CORE_MINIHV_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "core/arch.h"
#include "uapi/minihv.h"

extern const struct minihv_arch_ops *minihv_ops;
extern atomic_t minihv_nr_vms;
extern atomic64_t minihv_pinned_pages;

/* A guest-physical range backed by pinned user pages. */
struct minihv_memslot {
	u32 id;
	u64 gpa;
	u64 size;
	u64 uaddr;
	unsigned long npages;
	struct page **pages;
};

struct minihv_vcpu {
	struct minihv_vm *vm;
	u32 id;
	struct minihv_run *run;		/* one page, mmap'd by userspace */
	struct mutex lock;		/* serializes the vCPU's ioctls */
	struct minihv_regs regs;	/* guarded by @lock */
	bool has_run;			/* guarded by @lock */

	/*
	 * Power state, changed by other vCPUs (PSCI CPU_ON) while this one
	 * may sleep in RUN: guarded by @power_lock, waited on in @power_wq.
	 */
	spinlock_t power_lock;
	bool powered_off;
	bool start_pending;		/* CPU_ON: start at start_pc */
	u64 start_pc, start_arg;
	wait_queue_head_t power_wq;

	void *arch;
};

struct minihv_vm {
	struct kref ref;		/* the VM fd and each vCPU fd */
	struct mm_struct *mm;		/* the creator's, charged for pins */

	/* Guards the slot table and the vCPU table. */
	struct mutex lock;
	struct minihv_memslot *slots[MINIHV_MAX_MEMSLOTS];
	unsigned int nr_slots;
	struct minihv_vcpu *vcpus[MINIHV_MAX_VCPUS];
	unsigned int nr_vcpus;
	void *arch;
};

int minihv_vm_create(void);
void minihv_vm_put(struct minihv_vm *vm);

int minihv_memslot_set(struct minihv_vm *vm,
		       const struct minihv_userspace_memory_region *mr);
void minihv_memslot_free_all(struct minihv_vm *vm);
int minihv_guest_access(struct minihv_vm *vm, u64 gpa, void *buf, size_t len,
			bool write);

int minihv_vcpu_create(struct minihv_vm *vm, unsigned long id);
void minihv_vcpu_free(struct minihv_vcpu *vcpu);

#endif /* MINIHV_CORE_MINIHV_H */
