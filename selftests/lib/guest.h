/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guests for the kselftests, written as ordinary functions of the test
 * binary (as KVM's selftests do): the binary is copied into guest RAM at
 * guest-physical == host-virtual addresses, so its code, globals and
 * stacks work unchanged inside the guest. arm64 only for now.
 */
#ifndef MINIHV_SELFTEST_GUEST_H
#define MINIHV_SELFTEST_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "../../uapi/minihv.h"

#define GUEST_MAX_VCPUS		4
/* Outside guest RAM, in the GiB the guest maps as device memory. */
#define GUEST_MMIO_BASE		0x40000000ULL

/* ucall codes, in x1 of MINIHV_HCALL_EXIT (the rest in x2..x6). */
#define UCALL_DONE		0x600d	/* x2: the guest function's result */
#define UCALL_SYNC		0x5c	/* x2..: values for the host to check */
#define UCALL_EXCEPTION		0xe1	/* x2: ESR_EL1, x3: ELR_EL1, x4: vector */

/* PSCI function ids the tests use (PSCI 1.0, SMC64 calling convention). */
#define PSCI_VERSION_FN		0x84000000
#define PSCI_CPU_OFF		0x84000002
#define PSCI_CPU_ON64		0xc4000003
#define PSCI_AFFINITY_INFO64	0xc4000004
#define PSCI_SYSTEM_OFF		0x84000008

/* How a vCPU starts (read with the MMU off): see guest_secondary_entry. */
struct guest_boot {
	uint64_t mair, tcr, ttbr0, sp, fn, vbar, arg;
};

struct guest {
	int dev, vm;
	int vcpu[GUEST_MAX_VCPUS];
	struct minihv_run *run[GUEST_MAX_VCPUS];
	char *image;		/* our copy of the binary: the guest's RAM */
	uint64_t image_gpa;
	uint64_t image_size;
};

/* A VM with the binary as RAM and nr_vcpus vCPUs, each about to call fn(arg). */
int guest_create(struct guest *g, int nr_vcpus, uint64_t (*fn)(uint64_t),
		 uint64_t arg);
void guest_destroy(struct guest *g);
/* MINIHV_RUN on one vCPU: 0 or -errno. */
int guest_run(struct guest *g, int vcpu);
/* Before its first run: the vCPU waits for PSCI CPU_ON. */
int guest_power_off(struct guest *g, int vcpu);
/* Where a global of the binary lives in the guest's RAM (host view). */
void *guest_mem(struct guest *g, const void *host_addr);

/* Bounds of the static test binary (GNU ld), and the guest's entry stub. */
extern char __executable_start[], _end[];
extern char guest_entry[], guest_vectors[], guest_secondary_entry[];

/* Inside the guest. */
uint64_t guest_mpidr(void);
int64_t guest_cpu_on(int vcpu);
int64_t guest_affinity_info(int vcpu);
uint64_t guest_hcall(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3,
		     uint64_t a4, uint64_t a5, uint64_t a6);

/*
 * MMIO as single loads and stores of one register (a valid syndrome for
 * the hypervisor), like the kernel's __raw_read/write accessors.
 */
#define MMIO_ACCESSORS(bits, type, w, suffix)				\
static inline void mmio_write##bits(uint64_t addr, type v)		\
{									\
	asm volatile("str" suffix " %" w "0, [%1]"			\
		     : : "r"(v), "r"(addr) : "memory");			\
}									\
static inline type mmio_read##bits(uint64_t addr)			\
{									\
	type v;								\
									\
	asm volatile("ldr" suffix " %" w "0, [%1]"			\
		     : "=r"(v) : "r"(addr) : "memory");			\
	return v;							\
}

MMIO_ACCESSORS(8, uint8_t, "w", "b")
MMIO_ACCESSORS(16, uint16_t, "w", "h")
MMIO_ACCESSORS(32, uint32_t, "w", "")
MMIO_ACCESSORS(64, uint64_t, "x", "")

/* A sign-extending byte load into a 64-bit register (LDRSB). */
static inline int64_t mmio_read8s(uint64_t addr)
{
	int64_t v;

	asm volatile("ldrsb %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

/* Shared-memory flags between host and guest, read or written once. */
#define LOAD_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define STORE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

static inline void guest_sync(uint64_t a, uint64_t b)
{
	guest_hcall(MINIHV_HCALL_EXIT, UCALL_SYNC, a, b, 0, 0, 0);
}

#endif /* MINIHV_SELFTEST_GUEST_H */
