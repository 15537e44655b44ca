// SPDX-License-Identifier: GPL-2.0
/*
 * The guest-escape suite: guests that try to get out of their VM, each
 * contained, with the host checked afterwards. A guest points its own
 * page tables at host memory and at another VM's RAM, sweeps the
 * guest-physical space outside its slot, makes the host's and the hyp
 * stub's calls, and runs instructions only EL2 / VMX root may run. Every
 * attempt must end as an ordinary exit or a fault inside the guest, with
 * the target untouched; zz_kernel_log_test checks the log at the end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/guest.h"
#include "lib/guest_check.h"
#include "lib/mem_check.h"
#include "lib/minihv_util.h"

#define PAGE		4096ULL
#define GIB		(1ULL << 30)
#define READ_TAG	0x5eadULL	/* the host's answer: address ^ tag */
#define WRITE_TAG	0x3717eULL	/* what the guest writes: address ^ tag */
#define SECRET		0x5ec2e75ec2e75ec2ULL
#define MAX_TARGETS	520	/* every GiB of 39 bits, and more */

/* Where the guest goes, set before guest_create (RAM is a copy). */
static uint64_t targets[MAX_TARGETS];
static uint64_t nr_targets;

#if defined(__aarch64__)
/* The guest's stage-1 block for device memory (lib/guest_arm64.c). */
#define BLOCK_DEVICE	(1ULL | (1ULL << 2) | (1ULL << 10) | (3ULL << 53))

/*
 * Point the guest's own stage-1 at @gpa: the level-1 block of GiB 1 (a
 * device block) now maps @gpa's GiB. Returns the VA that reaches it.
 */
static uint64_t map_gpa(uint64_t gpa)
{
	uint64_t ttbr, *pgd;

	asm volatile("mrs %0, ttbr0_el1" : "=r"(ttbr));
	pgd = (uint64_t *)(uintptr_t)(ttbr & 0xfffffffff000ULL);
	pgd[1] = (gpa & ~(GIB - 1)) | BLOCK_DEVICE;
	asm volatile("dsb ishst; tlbi vmalle1; dsb ish; isb" ::: "memory");
	return GIB + (gpa & (GIB - 1));
}

/*
 * By VA, on a page no slot backs. Hardware gives the hypervisor a
 * stage-2 fault with ESR.CM set, which minihv skips as KVM does; QEMU
 * makes it a no-op without a fault. Either way the guest goes on.
 */
static void clean_by_va(uint64_t va)
{
	asm volatile("dc civac, %0; dsb sy" : : "r"(va) : "memory");
}
#else
#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_PWT		(1ULL << 3)
#define PTE_PCD		(1ULL << 4)
#define PTE_PS		(1ULL << 7)
#define TWO_MIB		(1ULL << 21)
#define PTE_ADDR	0x000ffffffffff000ULL

/*
 * Point the guest's own paging at @gpa: the first 2 MiB page of GiB 1
 * (uncached, lib/guest_x86.c) now maps @gpa's 2 MiB frame.
 */
static uint64_t map_gpa(uint64_t gpa)
{
	uint64_t cr3, *pml4, *pdpt, *pd;

	asm volatile("mov %%cr3, %0" : "=r"(cr3));
	pml4 = (uint64_t *)(uintptr_t)(cr3 & PTE_ADDR);
	pdpt = (uint64_t *)(uintptr_t)(pml4[0] & PTE_ADDR);
	pd = (uint64_t *)(uintptr_t)(pdpt[1] & PTE_ADDR);
	pd[0] = (gpa & ~(TWO_MIB - 1)) | PTE_P | PTE_RW | PTE_PS | PTE_PCD |
		PTE_PWT;
	asm volatile("invlpg (%0)" : : "r"(GUEST_MMIO_BASE) : "memory");
	return GUEST_MMIO_BASE + (gpa & (TWO_MIB - 1));
}

/* A flush of a device address is no access: minihv skips it, as KVM. */
static void clean_by_va(uint64_t va)
{
	asm volatile("clflush (%0); mfence" : : "r"(va) : "memory");
}
#endif

/*
 * Each target: a read, a write and a clean by VA through the guest's
 * own map. Returns the sum of what it read.
 */
static uint64_t guest_reach(uint64_t unused)
{
	uint64_t i, va, sum = 0;

	for (i = 0; i < LOAD_ONCE(nr_targets); i++) {
		va = map_gpa(targets[i]);
		sum += mmio_read64(va);
		mmio_write64(va, targets[i] ^ WRITE_TAG);
		clean_by_va(va);
	}
	return sum;
}

/* The physical address of @p, from /proc/self/pagemap (root only). */
static uint64_t host_pa(void *p)
{
	uint64_t e = 0, va = (uintptr_t)p;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, 8, (va / PAGE) * 8) != 8)
		e = 0;
	close(fd);
	if (!(e & (1ULL << 63)) || !(e & ((1ULL << 55) - 1)))
		return 0;
	return (e & ((1ULL << 55) - 1)) * PAGE + (va & (PAGE - 1));
}

/* The highest guest-physical address the guest's own map can reach. */
static uint64_t reach_limit(struct __test_metadata *_metadata)
{
	struct minihv_info mi;

	ASSERT_EQ(0, minihv_info(&mi));
#if defined(__aarch64__)
	/* The guest's TCR_EL1.IPS is 36 bits (lib/guest_arm64.c). */
	return 1ULL << (mi.ipa_bits < 36 ? mi.ipa_bits : 36);
#else
	return 1ULL << (mi.ipa_bits < 39 ? mi.ipa_bits : 39);
#endif
}

/* Run the guest through every target's exits, then to its result. */
static void expect_targets_are_mmio(struct __test_metadata *_metadata,
				    struct guest *g)
{
	uint64_t i, sum = 0;

	for (i = 0; i < nr_targets; i++) {
		expect_mmio(_metadata, g, targets[i], 8, false,
			    targets[i] ^ READ_TAG);
		expect_mmio(_metadata, g, targets[i], 8, true,
			    targets[i] ^ WRITE_TAG);
		sum += targets[i] ^ READ_TAG;
		if (_metadata->passed != 1)
			return;
	}
	ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, g));
	EXPECT_EQ(sum, g->run[0]->hypercall.args[1]);
}

static bool in_slot(const struct guest *g, uint64_t gpa)
{
	return gpa >= g->image_gpa && gpa < g->image_gpa + g->image_size;
}

FIXTURE(escape) {
	struct guest g, other;
	struct mem_mark mark;
};

FIXTURE_SETUP(escape)
{
	REQUIRE_GUESTS_SETUP();
	memset(&self->g, 0, sizeof(self->g));
	memset(&self->other, 0, sizeof(self->other));
	self->g.vm = self->other.vm = -1;
	nr_targets = 0;
	mem_mark(_metadata, &self->mark);
}

FIXTURE_TEARDOWN(escape)
{
	if (self->g.vm >= 0)
		guest_destroy(&self->g);
	if (self->other.vm >= 0)
		guest_destroy(&self->other);
}

/*
 * The guest points its page tables at a host page and at a page of
 * another VM's RAM, by their physical addresses: each access is an MMIO
 * exit at that guest-physical address (guest-physical is not host
 * physical), the guest reads what the VMM answers, and neither page
 * changes.
 */
TEST_F(escape, own_page_tables_cannot_reach_host_or_other_vm_memory)
{
	uint64_t *secret = NULL, *other_ram, pa_secret, pa_other;
	int tries;

	/* The other VM: its RAM's first page carries the pattern. */
	ASSERT_EQ(0, guest_create(&self->other, 1, guest_reach, 0));
	other_ram = (uint64_t *)self->other.image;
	other_ram[0] = SECRET + 1;
	pa_other = host_pa(other_ram);
	if (!pa_other)
		SKIP(return, "no physical addresses in /proc/self/pagemap");

	/* A host page outside the slot range (same binary, same slot). */
	for (tries = 0; tries < 64; tries++) {
		secret = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
		ASSERT_NE(MAP_FAILED, secret);
		secret[0] = SECRET;
		pa_secret = host_pa(secret);
		if (pa_secret && !in_slot(&self->other, pa_secret))
			break;
		munmap(secret, PAGE);
		secret = NULL;
	}
	ASSERT_NE(NULL, secret);
	if (in_slot(&self->other, pa_other))
		SKIP(return, "the other VM's RAM is at its own guest address");

	targets[0] = pa_secret;
	targets[1] = pa_other;
	nr_targets = 2;
	ASSERT_GT(reach_limit(_metadata), pa_secret);
	ASSERT_GT(reach_limit(_metadata), pa_other);
	ASSERT_EQ(0, guest_create(&self->g, 1, guest_reach, 0));
	expect_targets_are_mmio(_metadata, &self->g);
	EXPECT_EQ(SECRET, secret[0]);
	EXPECT_EQ(SECRET + 1, other_ram[0]);
	EXPECT_EQ(pa_secret, host_pa(secret));	/* the same page all along */
	munmap(secret, PAGE);
}

/*
 * Guest-physical space outside the slot: the page below it, the page
 * past it, and every GiB up to what the guest's map reaches. Each read
 * and write is an MMIO exit at exactly its address.
 */
TEST_F(escape, every_gib_outside_the_slot_is_mmio)
{
	uint64_t limit = reach_limit(_metadata), gpa, start;
	struct guest probe;

	/* Where the slot lands, from a first VM of the same binary. */
	ASSERT_EQ(0, guest_create(&probe, 1, guest_reach, 0));
	start = probe.image_gpa;
	if (start >= PAGE)
		targets[nr_targets++] = start - 8;
	targets[nr_targets++] = start + probe.image_size;
	guest_destroy(&probe);
	for (gpa = GIB; gpa < limit && nr_targets < MAX_TARGETS - 1;
	     gpa += GIB)
		targets[nr_targets++] = gpa;
	targets[nr_targets++] = limit - 8;
	ASSERT_EQ(0, guest_create(&self->g, 1, guest_reach, 0));
	ASSERT_EQ(start, self->g.image_gpa);
	expect_targets_are_mmio(_metadata, &self->g);
	guest_destroy(&self->g);
	self->g.vm = -1;
	expect_mem_flat(_metadata, &self->mark, 4096);
}

/* Hypercall numbers that are not the guest's: minihv's, KVM's, the stub's. */
static const uint64_t foreign_calls[] = {
	0, 1, 2, 3, 4, 5,		/* the hyp stub's HVC_* */
	0xc6004d00, 0xc6004d01, 0xc6004d02, 0xc6004d03,	/* minihv's EL2 */
	0xc6004d04, 0xc6004d05, 0xc6004d06, 0xc6004d07, 0xc6004dff,
	0xc6000000, 0xc6000001, 0xc6000002, 0xc600000f, /* KVM's host calls */
	0xc60000ff, 0xc6000103, 0xc60001ff,		/* around the guest's */
	0x86000000, 0xc6ffffff, 0xffffffff, ~0ULL,
	MINIHV_HCALL_NOP | (1ULL << 32),	/* the whole register counts */
};
#define NR_FOREIGN	ARRAY_SIZE(foreign_calls)

static uint64_t call_results[NR_FOREIGN + 4];

#if defined(__aarch64__)
static uint64_t smc_call(uint64_t fn)
{
	register uint64_t x0 asm("x0") = fn;

	asm volatile("smc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
	return x0;
}
#endif

/*
 * Each foreign number answered NOT_SUPPORTED (-1) as an unknown call,
 * over HVC and SMC on arm64 and VMCALL on x86; then a time page at bad
 * addresses is refused, and a NOP still answers 0: the hypervisor behind
 * the guest is still minihv's.
 */
static uint64_t guest_foreign_calls(uint64_t ram_end)
{
	uint64_t i, bad = 0;

	for (i = 0; i < NR_FOREIGN; i++) {
		STORE_ONCE(call_results[i],
			   guest_hcall(foreign_calls[i], 1, 2, 3, 4, 5, 6));
#if defined(__aarch64__)
		bad += smc_call(foreign_calls[i]) != -1ULL;
#endif
	}
	i = NR_FOREIGN;
	STORE_ONCE(call_results[i++],
		   guest_hcall(MINIHV_HCALL_TIME_PAGE, ~0ULL, 0, 0, 0, 0, 0));
	STORE_ONCE(call_results[i++],
		   guest_hcall(MINIHV_HCALL_TIME_PAGE, 1ULL << 63, 0, 0, 0, 0,
			       0));
	STORE_ONCE(call_results[i++],
		   guest_hcall(MINIHV_HCALL_TIME_PAGE, ram_end - 8, 0, 0, 0, 0,
			       0));
	STORE_ONCE(call_results[i++],
		   guest_hcall(MINIHV_HCALL_NOP, 0, 0, 0, 0, 0, 0));
	return bad;
}

TEST_F(escape, foreign_call_numbers_are_refused)
{
	uint64_t *r, i;
	struct guest probe;

	ASSERT_EQ(0, guest_create(&probe, 1, guest_reach, 0));
	i = probe.image_gpa + probe.image_size;
	guest_destroy(&probe);
	ASSERT_EQ(0, guest_create(&self->g, 1, guest_foreign_calls, i));
	ASSERT_EQ(UCALL_DONE, run_to_ucall(_metadata, &self->g));
	EXPECT_EQ(0, self->g.run[0]->hypercall.args[1]);	/* SMCs */
	r = guest_mem(&self->g, call_results);
	for (i = 0; i < NR_FOREIGN; i++) {
		EXPECT_EQ(-1ULL, r[i]) TH_LOG("call %#llx",
					     (unsigned long long)foreign_calls[i]);
	}
	EXPECT_EQ((uint64_t)MINIHV_HCALL_INVALID, r[NR_FOREIGN]);
	EXPECT_EQ((uint64_t)MINIHV_HCALL_INVALID, r[NR_FOREIGN + 1]);
	EXPECT_EQ((uint64_t)MINIHV_HCALL_INVALID, r[NR_FOREIGN + 2]);
	EXPECT_EQ(0, r[NR_FOREIGN + 3]);
}

#if defined(__aarch64__)
/* An atomic has no syndrome to emulate it by (ESR.ISV 0). */
static uint64_t guest_atomic(uint64_t gpa)
{
	uint64_t va = map_gpa(gpa), old, one = 1;

	asm volatile(".arch_extension lse\n\tldadd %1, %0, [%2]"
		     : "=r"(old) : "r"(one), "r"(va) : "memory");
	return old;
}

/*
 * An atomic at a host page's physical address: not RAM and not
 * decodable, so the run ends with MINIHV_EXIT_INTERNAL naming the IPA,
 * and the page is untouched.
 */
TEST_F(escape, atomic_outside_ram_ends_the_run)
{
	struct minihv_run *run;
	uint64_t *secret, pa;
	char why[160];

	secret = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
	ASSERT_NE(MAP_FAILED, secret);
	secret[0] = SECRET;
	pa = host_pa(secret);
	if (!pa)
		SKIP(return, "no physical addresses in /proc/self/pagemap");
	ASSERT_EQ(0, guest_create(&self->g, 1, guest_atomic, pa));
	if (in_slot(&self->g, pa))
		SKIP(return, "the page is at a guest RAM address");
	run = self->g.run[0];
	ASSERT_EQ(0, guest_run(&self->g, 0));
	ASSERT_EQ(MINIHV_EXIT_INTERNAL, run->exit_reason)
		TH_LOG("%s", exit_str(run, why, sizeof(why)));
	EXPECT_EQ(MINIHV_INTERNAL_UNHANDLED_ABORT, run->internal.suberror);
	EXPECT_EQ(pa, run->internal.data[2]);
	EXPECT_EQ(SECRET, secret[0]);
	munmap(secret, PAGE);
}

/* Instructions of EL2 that a guest at EL1 might try. */
static uint64_t guest_el2_insn(uint64_t which)
{
	uint64_t v = 0;

	switch (which) {
	case 0:
		asm volatile("mrs %0, hcr_el2" : "=r"(v));
		break;
	case 1:
		asm volatile("msr vbar_el2, %0" : : "r"(v));
		break;
	case 2:
		asm volatile("mrs %0, vttbr_el2" : "=r"(v));
		break;
	case 3:
		asm volatile("tlbi alle2");
		break;
	case 4:
		asm volatile("at s1e2r, %0" : : "r"(v));
		break;
	case 5:
		asm volatile("msr sp_el1, %0" : : "r"(v));
		break;
	}
	return 0x600d;
}
#define NR_EL2_INSNS	6

/* Each is UNDEFINED at EL1 (no nested virtualization): the guest's own. */
TEST_F(escape, el2_instructions_undefined_in_the_guest)
{
	struct minihv_run *run;
	uint64_t i;

	for (i = 0; i < NR_EL2_INSNS; i++) {
		ASSERT_EQ(0, guest_create(&self->g, 1, guest_el2_insn, i));
		run = self->g.run[0];
		ASSERT_EQ(UCALL_EXCEPTION, run_to_ucall(_metadata, &self->g))
			TH_LOG("instruction %llu", (unsigned long long)i);
		EXPECT_EQ(0, run->hypercall.args[1] >> 26)	/* EC UNKNOWN */
			TH_LOG("instruction %llu", (unsigned long long)i);
		guest_destroy(&self->g);
		self->g.vm = -1;
	}
	expect_mem_flat(_metadata, &self->mark, 4096);
}
#endif /* __aarch64__ */

TEST_HARNESS_MAIN
