// SPDX-License-Identifier: GPL-2.0
/*
 * VMIDs by generation. A VM keeps its VMID while the generation lasts;
 * when the space runs out, a new generation starts: every CPU's running
 * VMID is kept (reserved), all others are free again, and every CPU
 * invalidates all guest TLB entries before its next guest entry. A VM
 * whose VMID is from an old generation gets a new one when it next runs.
 * This is the scheme of arm64 KVM's vmid.c, written for minihv.
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/cpumask.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "el2/el2.h"

/* A smaller space than the CPU's, to exercise rollovers in tests. */
static unsigned int test_vmid_bits;
module_param(test_vmid_bits, uint, 0444);
MODULE_PARM_DESC(test_vmid_bits, "use only this many VMID bits (2..16; 0: all the CPU has)");

static unsigned int vmid_bits;
static u64 generation;			/* in units of 1 << vmid_bits */
static unsigned long *vmid_map;		/* VMIDs taken in this generation */
static unsigned long next_free = 1;
static u64 rollovers;
static cpumask_t flush_pending;		/* CPUs owing a full guest flush */
static DEFINE_RAW_SPINLOCK(vmid_lock);	/* guards all of the above */

static DEFINE_PER_CPU(atomic64_t, active_vmid);	/* running here, or 0 */
static DEFINE_PER_CPU(u64, reserved_vmid);		/* kept over a rollover */

#define NUM_VMIDS	(1UL << vmid_bits)
#define VMID_MASK	(NUM_VMIDS - 1)

static bool current_generation(u64 vmid)
{
	return (vmid & ~VMID_MASK) == generation;
}

static void new_generation(void)
{
	int cpu;

	bitmap_zero(vmid_map, NUM_VMIDS);
	__set_bit(0, vmid_map);			/* the host's */
	for_each_possible_cpu(cpu) {
		u64 vmid = atomic64_xchg_relaxed(&per_cpu(active_vmid, cpu), 0);

		/* A CPU between rollovers keeps what it reserved last time. */
		if (!vmid)
			vmid = per_cpu(reserved_vmid, cpu);
		__set_bit(vmid & VMID_MASK, vmid_map);
		per_cpu(reserved_vmid, cpu) = vmid;
	}
	generation += NUM_VMIDS;
	next_free = 1;
	rollovers++;
	cpumask_setall(&flush_pending);
}

/* A reserved VMID moves to the new generation with its VM. */
static bool keep_reserved(u64 vmid, u64 new)
{
	bool hit = false;
	int cpu;

	for_each_possible_cpu(cpu) {
		if (per_cpu(reserved_vmid, cpu) == vmid) {
			per_cpu(reserved_vmid, cpu) = new;
			hit = true;
		}
	}
	return hit;
}

static u64 new_vmid(atomic64_t *id)
{
	u64 vmid = atomic64_read(id);
	unsigned long n;

	if (vmid) {
		u64 renewed = generation | (vmid & VMID_MASK);

		if (keep_reserved(vmid, renewed) ||
		    !__test_and_set_bit(vmid & VMID_MASK, vmid_map)) {
			atomic64_set(id, renewed);
			return renewed;
		}
	}
	n = find_next_zero_bit(vmid_map, NUM_VMIDS, next_free);
	if (n == NUM_VMIDS) {
		new_generation();
		n = find_next_zero_bit(vmid_map, NUM_VMIDS, 1);
	}
	__set_bit(n, vmid_map);
	next_free = n;
	vmid = generation | n;
	atomic64_set(id, vmid);
	return vmid;
}

/*
 * With interrupts off, on the CPU about to enter a guest of the VM whose
 * VMID is *id: returns the VMID to use, and whether this CPU must first
 * drop every guest TLB entry (a rollover happened since its last entry).
 */
u16 minihv_el2_vmid_get(atomic64_t *id, bool *flush_all)
{
	atomic64_t *active = this_cpu_ptr(&active_vmid);
	u64 vmid = atomic64_read(id), old = atomic64_read(active);

	*flush_all = false;
	/* Fast path: same generation, no rollover racing with us. */
	if (old && current_generation(vmid) &&
	    atomic64_cmpxchg_relaxed(active, old, vmid))
		return vmid & VMID_MASK;

	raw_spin_lock(&vmid_lock);
	vmid = atomic64_read(id);
	if (!current_generation(vmid))
		vmid = new_vmid(id);
	atomic64_set(active, vmid);
	*flush_all = cpumask_test_and_clear_cpu(smp_processor_id(),
						&flush_pending);
	raw_spin_unlock(&vmid_lock);
	return vmid & VMID_MASK;
}

/* The VMID a VM has now, if it can still be in a TLB; 0 if not. */
u16 minihv_el2_vmid_peek(atomic64_t *id)
{
	u64 vmid;

	raw_spin_lock(&vmid_lock);
	vmid = atomic64_read(id);
	raw_spin_unlock(&vmid_lock);
	return current_generation(vmid) ? vmid & VMID_MASK : 0;
}

/* For GET_INFO: VMID bits in use, rollovers since load. */
void minihv_el2_vmid_stats(u64 *bits, u64 *nr_rollovers)
{
	raw_spin_lock(&vmid_lock);
	*bits = vmid_bits;
	*nr_rollovers = rollovers;
	raw_spin_unlock(&vmid_lock);
}

int minihv_el2_vmid_init(void)
{
	vmid_bits = minihv_el2_caps.vmid_bits;
	if (test_vmid_bits) {
		if (test_vmid_bits < 2 || test_vmid_bits > vmid_bits) {
			pr_err("test_vmid_bits must be 2..%u\n", vmid_bits);
			return -EINVAL;
		}
		vmid_bits = test_vmid_bits;
	}
	/* Each CPU may hold one reserved across a rollover, plus one to hand out. */
	if (NUM_VMIDS - 1 <= num_possible_cpus()) {
		pr_err("%u VMID bits are too few for %u CPUs\n", vmid_bits,
		       num_possible_cpus());
		return -EINVAL;
	}
	vmid_map = bitmap_zalloc(NUM_VMIDS, GFP_KERNEL);
	if (!vmid_map)
		return -ENOMEM;
	rollovers = 0;
	/* Generation 0 never matches a VM: every VM allocates on first run. */
	generation = NUM_VMIDS;
	__set_bit(0, vmid_map);
	return 0;
}

void minihv_el2_vmid_exit(void)
{
	bitmap_free(vmid_map);
}
