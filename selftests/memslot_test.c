// SPDX-License-Identifier: GPL-2.0
/*
 * MINIHV_SET_USER_MEMORY_REGION: every bad input gets its exact errno,
 * good ones pin exactly their pages, and every path unpins.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/minihv_util.h"

#define GPA	0x40000000ULL
#define NPAGES	16

FIXTURE(slot) {
	int dev, vm;
	size_t page, size;
	char *mem;
	uint64_t pinned_before;
};

FIXTURE_SETUP(slot)
{
	struct minihv_info mi;

	self->vm = -1;
	self->mem = MAP_FAILED;
	REQUIRE_MINIHV_SETUP();
	self->page = getpagesize();
	self->size = NPAGES * self->page;
	self->dev = minihv_open();
	ASSERT_LE(0, self->dev);
	self->vm = minihv_create_vm(self->dev);
	ASSERT_LE(0, self->vm);
	self->mem = mmap(NULL, self->size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	ASSERT_EQ(0, minihv_info(&mi));
	self->pinned_before = mi.pinned_pages;
}

FIXTURE_TEARDOWN(slot)
{
	if (self->vm >= 0)
		close(self->vm);
	if (self->mem != MAP_FAILED)
		munmap(self->mem, self->size);
}

static uint64_t pinned(void)
{
	struct minihv_info mi;

	return minihv_info(&mi) ? ~0ULL : mi.pinned_pages;
}

static int set(int vm, unsigned int slot, uint64_t gpa, uint64_t size,
	       uint64_t uaddr, unsigned int flags)
{
	struct minihv_userspace_memory_region mr = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = uaddr,
	};

	return ioctl(vm, MINIHV_SET_USER_MEMORY_REGION, &mr);
}

#define EXPECT_ERRNO(err, call) do {		\
	errno = 0;				\
	EXPECT_EQ(-1, (call));			\
	EXPECT_EQ(err, errno);			\
} while (0)

static int vm_info(int vm, struct minihv_vm_info *info)
{
	return ioctl(vm, MINIHV_GET_VM_INFO, info);
}

/* Host-physical frame of a resident page (root reads PFNs), or 0. */
static uint64_t pfn_of(int pagemap, const void *addr)
{
	uint64_t e;
	off_t off = (uintptr_t)addr / getpagesize() * sizeof(e);

	if (pread(pagemap, &e, sizeof(e), off) != sizeof(e) ||
	    !(e & (1ULL << 63)))
		return 0;
	return e & ((1ULL << 55) - 1);
}

/* 4 KiB leaves exactly cover a slot the kernel backs with small pages. */
TEST_F(slot, vm_info_counts_leaves)
{
	struct minihv_vm_info info;

	ASSERT_EQ(0, vm_info(self->vm, &info));
	EXPECT_EQ(0, info.leaves_4k + info.leaves_2m + info.leaves_1g);
	EXPECT_EQ(0, info.nr_memslots);
	ASSERT_EQ(0, minihv_set_region(self->vm, 0, GPA, self->size, self->mem));
	ASSERT_EQ(0, vm_info(self->vm, &info));
	EXPECT_EQ(self->size, info.leaves_4k * 4096 + (info.leaves_2m << 21) +
			      (info.leaves_1g << 30));
	EXPECT_EQ(NPAGES, info.leaves_4k);	/* 64 KiB: no block fits */
	EXPECT_EQ(1, info.nr_memslots);
	EXPECT_LE(1, info.table_pages);
	ASSERT_EQ(0, minihv_set_region(self->vm, 0, GPA, 0, self->mem));
	ASSERT_EQ(0, vm_info(self->vm, &info));
	EXPECT_EQ(0, info.leaves_4k + info.leaves_2m + info.leaves_1g);
	EXPECT_EQ(0, info.nr_memslots);
}

#define HUGE	(2UL << 20)
#define NR_HUGEPAGES	"/proc/sys/vm/nr_hugepages"

/* A failed write shows as a failed MAP_HUGETLB: THP is tried then. */
static int write_long(const char *path, long v)
{
	char buf[32];
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return -1;
	snprintf(buf, sizeof(buf), "%ld", v);
	ok = write(fd, buf, strlen(buf)) == (ssize_t)strlen(buf);
	close(fd);
	return ok ? 0 : -1;
}

/*
 * Backing that is physically contiguous and 2 MiB aligned (a hugetlb
 * page, or a transparent huge page where the kernel gives one) gets one
 * 2 MiB leaf, the rest 4 KiB leaves. What to expect is read from
 * /proc/self/pagemap, the same rule the walker applies.
 */
TEST_F(slot, huge_backing_gets_2m_leaves)
{
	size_t len = 4 * HUGE, i, j, want_2m = 0;
	long old_huge = read_long(NR_HUGEPAGES);
	struct minihv_vm_info info;
	char *raw, *mem;
	int pagemap;

	/* hugetlb pages reserved for this test; transparent ones otherwise */
	if (old_huge >= 0)
		write_long(NR_HUGEPAGES, old_huge + 4);
	raw = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (raw != MAP_FAILED) {
		mem = raw;
	} else {
		raw = mmap(NULL, len + HUGE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, raw);
		mem = (char *)(((uintptr_t)raw + HUGE - 1) & ~(HUGE - 1));
		madvise(mem, len, MADV_HUGEPAGE);
	}
	memset(mem, 1, len);
	ASSERT_EQ(0, minihv_set_region(self->vm, 0, GPA, len, mem));

	pagemap = open("/proc/self/pagemap", O_RDONLY);
	ASSERT_LE(0, pagemap);
	for (i = 0; i < len; i += HUGE) {
		uint64_t first = pfn_of(pagemap, mem + i);
		bool contiguous = first && !(first % (HUGE / 4096));

		for (j = 4096; contiguous && j < HUGE; j += 4096)
			contiguous = pfn_of(pagemap, mem + i + j) ==
				     first + j / 4096;
		want_2m += contiguous;
	}
	close(pagemap);

	ASSERT_EQ(0, vm_info(self->vm, &info));
	EXPECT_EQ(want_2m, info.leaves_2m);
	EXPECT_EQ((len - want_2m * HUGE) / 4096, info.leaves_4k);
	EXPECT_EQ(0, info.leaves_1g);
	ASSERT_EQ(0, minihv_set_region(self->vm, 0, GPA, 0, mem));
	munmap(raw, mem == raw ? len : len + HUGE);
	if (old_huge >= 0)
		write_long(NR_HUGEPAGES, old_huge);
	if (!want_2m)
		SKIP(return, "no huge page here: 4 KiB leaves only");
}

TEST_F(slot, add_pins_and_delete_unpins)
{
	ASSERT_EQ(0, minihv_set_region(self->vm, 0, GPA, self->size, self->mem));
	EXPECT_EQ(self->pinned_before + NPAGES, pinned());
	ASSERT_EQ(0, minihv_set_region(self->vm, 0, GPA, 0, self->mem));
	EXPECT_EQ(self->pinned_before, pinned());
	/* The slot id is free again. */
	EXPECT_EQ(0, minihv_set_region(self->vm, 0, GPA, self->size, self->mem));
}

TEST_F(slot, close_unpins)
{
	ASSERT_EQ(0, minihv_set_region(self->vm, 3, GPA, self->size, self->mem));
	EXPECT_EQ(self->pinned_before + NPAGES, pinned());
	close(self->vm);
	self->vm = -1;
	EXPECT_EQ(self->pinned_before, pinned());
}

TEST_F(slot, misaligned_gpa)
{
	EXPECT_ERRNO(EINVAL, minihv_set_region(self->vm, 0, GPA + 8,
					       self->size, self->mem));
}

TEST_F(slot, misaligned_size)
{
	EXPECT_ERRNO(EINVAL, minihv_set_region(self->vm, 0, GPA,
					       self->size - 8, self->mem));
}

TEST_F(slot, misaligned_uaddr)
{
	EXPECT_ERRNO(EINVAL, minihv_set_region(self->vm, 0, GPA,
					       self->page, self->mem + 8));
}

TEST_F(slot, zero_size_unknown_slot)
{
	EXPECT_ERRNO(EINVAL, minihv_set_region(self->vm, 7, GPA, 0, self->mem));
}

TEST_F(slot, unknown_flags)
{
	EXPECT_ERRNO(EINVAL, set(self->vm, 0, GPA, self->size,
				 (uintptr_t)self->mem, 1));
}

TEST_F(slot, slot_id_too_big)
{
	EXPECT_ERRNO(EINVAL, minihv_set_region(self->vm,
					       MINIHV_MAX_MEMSLOT_ID + 1, GPA,
					       self->size, self->mem));
}

TEST_F(slot, overlap)
{
	ASSERT_EQ(0, minihv_set_region(self->vm, 0, GPA, self->size, self->mem));
	/* Same start, inside, straddling the end: all overlap slot 0. */
	EXPECT_ERRNO(EINVAL, minihv_set_region(self->vm, 1, GPA,
					       self->page, self->mem));
	EXPECT_ERRNO(EINVAL, minihv_set_region(self->vm, 1, GPA + self->page,
					       self->page, self->mem));
	EXPECT_ERRNO(EINVAL, minihv_set_region(self->vm, 1,
					       GPA + self->size - self->page,
					       2 * self->page, self->mem));
	EXPECT_ERRNO(EINVAL, minihv_set_region(self->vm, 1, GPA - self->page,
					       2 * self->page, self->mem));
	/* Adjacent is fine. */
	EXPECT_EQ(0, minihv_set_region(self->vm, 1, GPA + self->size,
				       self->page, self->mem));
	EXPECT_EQ(self->pinned_before + NPAGES + 1, pinned());
}

TEST_F(slot, gpa_wraps)
{
	EXPECT_ERRNO(EINVAL, set(self->vm, 0, -(uint64_t)self->page,
				 2 * self->page, (uintptr_t)self->mem, 0));
}

TEST_F(slot, uaddr_wraps)
{
	EXPECT_ERRNO(EINVAL, set(self->vm, 0, GPA, 2 * self->page,
				 -(uint64_t)self->page, 0));
}

TEST_F(slot, gpa_beyond_ipa)
{
	struct minihv_info mi;

	ASSERT_EQ(0, minihv_info(&mi));
	EXPECT_ERRNO(EINVAL, minihv_set_region(self->vm, 0,
					       1ULL << mi.ipa_bits,
					       self->page, self->mem));
	/* The last page below the limit is fine. */
	EXPECT_EQ(0, minihv_set_region(self->vm, 0,
				       (1ULL << mi.ipa_bits) - self->page,
				       self->page, self->mem));
}

TEST_F(slot, too_large)
{
	EXPECT_ERRNO(EINVAL, minihv_set_region(self->vm, 0, GPA,
					       MINIHV_MAX_MEMSLOT_BYTES + self->page,
					       self->mem));
}

TEST_F(slot, kernel_address)
{
	EXPECT_ERRNO(EFAULT, set(self->vm, 0, GPA, self->page,
				 0xffff800000000000ULL, 0));
}

TEST_F(slot, unmapped_memory)
{
	/* Map then unmap, so the range is surely a hole. */
	char *hole = mmap(NULL, self->size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, hole);
	munmap(hole, self->size);
	EXPECT_ERRNO(EFAULT, minihv_set_region(self->vm, 0, GPA, self->size,
					       hole));
	EXPECT_EQ(self->pinned_before, pinned());
}

TEST_F(slot, partly_unmapped_memory)
{
	/* The last page missing: the first ones must be unpinned again. */
	munmap(self->mem + self->size - self->page, self->page);
	EXPECT_ERRNO(EFAULT, minihv_set_region(self->vm, 0, GPA, self->size,
					       self->mem));
	EXPECT_EQ(self->pinned_before, pinned());
}

TEST_F(slot, read_only_memory)
{
	ASSERT_EQ(0, mprotect(self->mem, self->size, PROT_READ));
	EXPECT_ERRNO(EFAULT, minihv_set_region(self->vm, 0, GPA, self->size,
					       self->mem));
	EXPECT_EQ(self->pinned_before, pinned());
}

TEST_F(slot, duplicate_slot)
{
	ASSERT_EQ(0, minihv_set_region(self->vm, 5, GPA, self->page, self->mem));
	EXPECT_ERRNO(EEXIST, minihv_set_region(self->vm, 5, GPA + self->size,
					       self->page, self->mem));
}

TEST_F(slot, too_many_slots)
{
	unsigned int i;

	/* Sparse ids: the limit is on slots in use, not on the id. */
	for (i = 0; i < MINIHV_MAX_MEMSLOTS; i++)
		ASSERT_EQ(0, minihv_set_region(self->vm, i * 100,
					       GPA + i * self->page,
					       self->page, self->mem));
	EXPECT_ERRNO(ENOSPC, minihv_set_region(self->vm, 9999,
					       GPA + i * self->page,
					       self->page, self->mem));
	EXPECT_EQ(self->pinned_before + MINIHV_MAX_MEMSLOTS, pinned());
	/* Deleting one makes room again. */
	EXPECT_EQ(0, minihv_set_region(self->vm, 0, GPA, 0, self->mem));
	EXPECT_EQ(0, minihv_set_region(self->vm, 9999, GPA + i * self->page,
				       self->page, self->mem));
}

TEST_F(slot, bad_pointer)
{
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->vm, MINIHV_SET_USER_MEMORY_REGION, 8));
	EXPECT_EQ(EFAULT, errno);
}

/* 100 VMs, each with a 1 MiB slot, created and closed: pins return to 0. */
TEST_F_TIMEOUT(slot, create_pin_close_loop, 300)
{
	size_t sz = 1 << 20;
	long free_before, free_after;
	char *buf = mmap(NULL, sz, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int i;

	ASSERT_NE(MAP_FAILED, buf);
	memset(buf, 1, sz);
	free_before = free_kb_settled();
	for (i = 0; i < 100; i++) {
		int vm = minihv_create_vm(self->dev);

		ASSERT_LE(0, vm);
		ASSERT_EQ(0, minihv_set_region(vm, 0, GPA, sz, buf));
		close(vm);
	}
	EXPECT_EQ(self->pinned_before, pinned());
	free_after = free_kb_settled();
	EXPECT_GT(2048, free_before - free_after)
		TH_LOG("free memory dropped by %ld kB", free_before - free_after);
	munmap(buf, sz);
}

TEST_HARNESS_MAIN
