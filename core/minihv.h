/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minihv core objects: the VM, its memory slots and its vCPUs.
 */
#ifndef MINIHV_CORE_MINIHV_H
#define MINIHV_CORE_MINIHV_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/kref.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/seqlock.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "core/arch.h"
#include "core/stats.h"
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

/*
 * A device the kernel emulates for a VM (core/io.c): an MMIO range or, on
 * x86, a range of I/O ports. Handlers run in the vCPU's thread, on the
 * exit path; an access the device refuses (size, alignment) returns
 * -EINVAL and the guest gets the architecture's bus error.
 */
enum minihv_io_space {
	MINIHV_IO_MMIO,
	MINIHV_IO_PIO,
};

struct minihv_io_dev;

struct minihv_io_ops {
	int (*read)(struct minihv_io_dev *dev, struct minihv_vcpu *vcpu,
		    u64 offset, u32 len, u64 *val);
	int (*write)(struct minihv_io_dev *dev, struct minihv_vcpu *vcpu,
		     u64 offset, u32 len, u64 val);
};

struct minihv_io_dev {
	enum minihv_io_space space;
	u64 base, size;
	const struct minihv_io_ops *ops;
	bool irqchip;		/* traced as an interrupt controller access */
};

#define MINIHV_MAX_IO_DEVS	8
/* MINIHV_IOEVENTFD registrations per VM: a doorbell or two per device. */
#define MINIHV_MAX_IOEVENTFDS	64

/* minihv_vcpu.mode: may a kick find the vCPU in the guest? (core/kick.c) */
enum minihv_vcpu_mode {
	MINIHV_OUTSIDE_GUEST,
	MINIHV_IN_GUEST,
};

/* minihv_vcpu.requests: what the vCPU must look at before its next entry. */
#define MINIHV_REQ_EVENT	0	/* an interrupt may be ready for it */

/*
 * A vCPU's part of the VM's clock (core/clock.c): its runstate, written
 * by its own thread under @seq, and its time page.
 */
struct minihv_vcpu_clock {
	u32 gen;			/* the VM clock's, last loaded */
	bool in_run;			/* the vCPU's thread only */
	bool preempted;
	u32 preempted_from;
	seqcount_t seq;
	u32 state;			/* enum minihv_runstate_state */
	u64 born;			/* host counter at creation */
	u64 state_entry;		/* ns since @born */
	u64 time[4];
	u64 page_gpa;			/* 0: none; under the page_lock */
	u32 page_version;
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
	 * may sleep in RUN: guarded by @power_lock, waited on in @wq.
	 */
	spinlock_t power_lock;
	bool powered_off;
	bool start_pending;		/* CPU_ON: start at start_pc */
	u64 start_pc, start_arg;

	/*
	 * Kicks (core/kick.c): the vCPU's thread sleeps in @wq (powered off,
	 * WFI, HLT); @mode and @task say whether and which task runs guest
	 * code, written by that task with interrupts off; @requests are set
	 * by anyone.
	 */
	wait_queue_head_t wq;
	int mode;			/* enum minihv_vcpu_mode */
	struct task_struct *task;
	unsigned long requests;

	struct minihv_vcpu_stats stats;	/* core/stats.c */
	struct minihv_vcpu_clock clock;
	void *arch;
};

/* The VM's real, virtual and wall-clock time (core/clock.c). */
struct minihv_vm_clock {
	raw_spinlock_t lock;		/* scheduler hooks take it */
	seqcount_raw_spinlock_t seq;	/* lockless readers: the timers */
	bool virtual;			/* the counter shows virtual time */
	bool started;			/* a vCPU has run: the mode is fixed */
	u64 hz;				/* the counter's rate */
	u32 mul;			/* ticks to ns, as in the time page */
	s8 shift;
	u64 created;			/* host counter at creation */
	u64 stopped;			/* ticks stopped, before @stop_start */
	u64 stop_start;			/* while !@executing */
	unsigned int executing;		/* vCPUs in RUN, not preempted */
	unsigned int in_run;		/* vCPUs inside RUN */
	s64 adjust;			/* SET_CLOCK's, on the counter's clock */
	s64 offset;			/* guest counter = host counter + this */
	u32 gen;			/* bumped when vCPUs must reload */
	struct mutex page_lock;		/* the pages, the wall clock */
	unsigned int nr_pages;
	s64 wall_sec;			/* the date at real time 0 */
	u32 wall_nsec;
};

struct minihv_vm {
	struct kref ref;		/* the VM fd and each vCPU fd */
	struct mm_struct *mm;		/* the creator's, charged for pins */
	u32 id;				/* unique while loaded; traces, debugfs */
	struct dentry *debugfs;		/* core/stats.c */

	/*
	 * Guards the slot table and the vCPU table. A vCPU is published by
	 * @nr_vcpus (release) after its entry, and freed only with the VM,
	 * so an interrupt controller may walk vcpus[0 .. acquire of
	 * @nr_vcpus) without the lock.
	 */
	struct mutex lock;
	struct minihv_memslot *slots[MINIHV_MAX_MEMSLOTS];
	unsigned int nr_slots;
	struct minihv_vcpu *vcpus[MINIHV_MAX_VCPUS];
	unsigned int nr_vcpus;

	/*
	 * The in-kernel interrupt controller (0: none; set under @lock
	 * with release, after the controller it names, before any vCPU,
	 * never changed), and the devices the kernel
	 * emulates: added under @lock, published by @nr_io_devs (release),
	 * read without a lock, freed only with the VM.
	 */
	u32 irqchip_type;
	struct minihv_io_dev *io_devs[MINIHV_MAX_IO_DEVS];
	unsigned int nr_io_devs;

	/*
	 * core/ioeventfd.c: changed under @lock, read by the exit paths
	 * under RCU. core/irqfd.c: @irqfds guarded by @irqfds_lock (taken
	 * from eventfd wake-ups: interrupts off), changed also under @lock.
	 */
	struct list_head ioeventfds;
	unsigned int nr_ioeventfds;
	spinlock_t irqfds_lock;
	struct list_head irqfds;
	struct minihv_vm_clock clock;
	void *arch;
};

/*
 * The VM's vCPUs without vm->lock (interrupt routing, kicks): they are
 * only ever appended, the count published after the entry, and freed
 * with the VM.
 */
static inline unsigned int minihv_vm_nr_vcpus(struct minihv_vm *vm)
{
	/* Pairs with minihv_vcpu_create(). */
	return smp_load_acquire(&vm->nr_vcpus);
}

int minihv_vm_create(void);
void minihv_vm_put(struct minihv_vm *vm);

int minihv_memslot_set(struct minihv_vm *vm,
		       const struct minihv_userspace_memory_region *mr);
void minihv_memslot_free_all(struct minihv_vm *vm);
int minihv_guest_access(struct minihv_vm *vm, u64 gpa, void *buf, size_t len,
			bool write);

int minihv_vcpu_create(struct minihv_vm *vm, unsigned long id);
void minihv_vcpu_free(struct minihv_vcpu *vcpu);

/* core/irqchip.c: the VM fd's interrupt ioctls. */
long minihv_irqchip_create(struct minihv_vm *vm, void __user *uchip);
long minihv_irq_line(struct minihv_vm *vm, void __user *ulevel);

/* core/ioeventfd.c and core/irqfd.c: the VM fd's eventfd ioctls. */
long minihv_ioeventfd(struct minihv_vm *vm, void __user *uarg);
bool minihv_ioeventfd_overlaps(struct minihv_vm *vm,
			       enum minihv_io_space space, u64 base, u64 size);
bool minihv_ioeventfd_write(struct minihv_vcpu *vcpu,
			    enum minihv_io_space space, u64 addr, u32 len,
			    u64 val);
void minihv_ioeventfd_free_all(struct minihv_vm *vm);
long minihv_irqfd(struct minihv_vm *vm, void __user *uarg);
void minihv_irqfd_release_all(struct minihv_vm *vm);
int minihv_irqfd_init(void);
void minihv_irqfd_exit(void);

/* core/io.c: devices the kernel emulates. */
int minihv_io_register(struct minihv_vm *vm, struct minihv_io_dev **devs,
		       unsigned int n);
bool minihv_io_overlaps(struct minihv_vm *vm, enum minihv_io_space space,
			u64 base, u64 size);
bool minihv_io_covers(struct minihv_vm *vm, enum minihv_io_space space,
		      u64 addr);
int minihv_io_read(struct minihv_vcpu *vcpu, enum minihv_io_space space,
		   u64 addr, u32 len, u64 *val);
int minihv_io_write(struct minihv_vcpu *vcpu, enum minihv_io_space space,
		    u64 addr, u32 len, u64 val);

/* core/kick.c: waking and interrupting vCPUs. */
void minihv_vcpu_kick_init(struct minihv_vcpu *vcpu);
void minihv_vcpu_kick(struct minihv_vcpu *vcpu);
int minihv_vcpu_block(struct minihv_vcpu *vcpu);
void minihv_vcpu_take_kicks(struct minihv_vcpu *vcpu);
bool minihv_vcpu_enter_guest_mode(struct minihv_vcpu *vcpu);
void minihv_vcpu_exit_guest_mode(struct minihv_vcpu *vcpu);

/* core/clock.c: the VM's clocks, the runstate and the time page. */
void minihv_clock_vm_init(struct minihv_vm *vm);
void minihv_clock_vcpu_init(struct minihv_vcpu *vcpu);
s64 minihv_clock_offset(struct minihv_vm *vm);
u64 minihv_clock_counter(struct minihv_vm *vm);
u64 minihv_clock_ticks_to_ns(const struct minihv_vm_clock *c, u64 ticks);
void minihv_clock_run_begin(struct minihv_vcpu *vcpu);
void minihv_clock_run_end(struct minihv_vcpu *vcpu);
void minihv_clock_sched_out(struct minihv_vcpu *vcpu);
void minihv_clock_sched_in(struct minihv_vcpu *vcpu);
void minihv_clock_blocked(struct minihv_vcpu *vcpu, bool blocked);
void minihv_clock_sync(struct minihv_vcpu *vcpu);
u64 minihv_clock_hcall_time_page(struct minihv_vcpu *vcpu, u64 gpa);
long minihv_clock_get_runstate(struct minihv_vcpu *vcpu, void __user *uarg);
long minihv_clock_get(struct minihv_vm *vm, void __user *uarg);
long minihv_clock_set(struct minihv_vm *vm, void __user *uarg);
long minihv_clock_get_wall(struct minihv_vm *vm, void __user *uarg);
long minihv_clock_set_wall(struct minihv_vm *vm, void __user *uarg);

#endif /* MINIHV_CORE_MINIHV_H */
