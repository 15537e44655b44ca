// SPDX-License-Identifier: GPL-2.0
/*
 * The page-table walker shared by all of minihv's translation tables.
 */
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/string.h>

#include "mm/pgtable.h"

#define PTES_PER_TABLE	512

static unsigned int level_shift(int level)
{
	return PAGE_SHIFT + 9 * (3 - level);
}

static unsigned int entry_index(u64 va, int level)
{
	return (va >> level_shift(level)) & (PTES_PER_TABLE - 1);
}

int minihv_pt_init(struct minihv_pgtable *pt,
		   const struct minihv_pt_format *fmt, unsigned int va_bits)
{
	/* One root page: each level resolves 9 bits above the 12-bit offset. */
	if (va_bits < 30 || va_bits > 48)
		return -EINVAL;
	pt->fmt = fmt;
	pt->va_bits = va_bits;
	pt->start_level = 3 - (va_bits - PAGE_SHIFT - 1) / 9;
	pt->root = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!pt->root)
		return -ENOMEM;
	pt->nr_tables = 1;
	return 0;
}

/* The table under @ptep, allocated on first use. */
static u64 *next_table(struct minihv_pgtable *pt, u64 *ptep, int level)
{
	u64 *table;

	if (pt->fmt->valid(*ptep)) {
		/* A block here would have to be split: not supported. */
		if (!pt->fmt->is_table(*ptep, level))
			return ERR_PTR(-EEXIST);
		return phys_to_virt(pt->fmt->addr(*ptep));
	}
	table = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!table)
		return ERR_PTR(-ENOMEM);
	pt->nr_tables++;
	/* Publish the zeroed table before the entry pointing at it. */
	smp_wmb();
	WRITE_ONCE(*ptep, pt->fmt->table(virt_to_phys(table)));
	return table;
}

static int map_one(struct minihv_pgtable *pt, u64 va, phys_addr_t pa,
		   u64 size, unsigned int prot, u64 *mapped)
{
	u64 *table = pt->root;
	int level;

	for (level = pt->start_level; level < MINIHV_PT_LEVELS; level++) {
		u64 block = BIT_ULL(level_shift(level));
		u64 *ptep = &table[entry_index(va, level)];

		/* The largest leaf that fits the alignment of va, pa and size. */
		if ((level == 3 || (pt->fmt->block_levels & BIT(level))) &&
		    IS_ALIGNED(va | pa, block) && size >= block) {
			if (pt->fmt->valid(*ptep))
				return -EEXIST;
			WRITE_ONCE(*ptep, pt->fmt->leaf(pa, level, prot));
			pt->nr_leaves[level]++;
			*mapped = block;
			return 0;
		}
		table = next_table(pt, ptep, level);
		if (IS_ERR(table))
			return PTR_ERR(table);
	}
	return -EINVAL;
}

int minihv_pt_map(struct minihv_pgtable *pt, u64 va, phys_addr_t pa,
		  u64 size, unsigned int prot)
{
	u64 mapped;
	int ret;

	if (!PAGE_ALIGNED(va) || !PAGE_ALIGNED(pa) || !PAGE_ALIGNED(size))
		return -EINVAL;
	if (va + size < va || va + size > BIT_ULL(pt->va_bits))
		return -EINVAL;

	while (size) {
		ret = map_one(pt, va, pa, size, prot, &mapped);
		if (ret)
			return ret;
		va += mapped;
		pa += mapped;
		size -= mapped;
	}
	return 0;
}

/*
 * Maps pinned pages at va, in runs of physically contiguous pages so the
 * walker can use blocks. On failure nothing stays mapped; the caller
 * invalidates the TLBs for what was.
 */
int minihv_pt_map_pages(struct minihv_pgtable *pt, u64 va, struct page **pages,
			unsigned long npages, unsigned int prot)
{
	unsigned long i, start = 0;
	int ret;

	for (i = 1; i <= npages; i++) {
		phys_addr_t pa = page_to_phys(pages[start]);

		if (i < npages &&
		    page_to_phys(pages[i]) == pa + (i - start) * PAGE_SIZE)
			continue;
		ret = minihv_pt_map(pt, va + start * PAGE_SIZE, pa,
				    (i - start) * PAGE_SIZE, prot);
		if (ret) {
			minihv_pt_unmap(pt, va, start * PAGE_SIZE);
			return ret;
		}
		start = i;
	}
	return 0;
}

/*
 * Clears the leaves covering [va, va + size), which must be exactly the
 * leaves a map of that range made. Tables stay until destroy; the caller
 * invalidates the TLBs.
 */
void minihv_pt_unmap(struct minihv_pgtable *pt, u64 va, u64 size)
{
	u64 end = va + size;

	while (va < end) {
		u64 *table = pt->root, *ptep = NULL;
		int level;

		for (level = pt->start_level; level < MINIHV_PT_LEVELS; level++) {
			ptep = &table[entry_index(va, level)];
			if (!pt->fmt->valid(*ptep) ||
			    !pt->fmt->is_table(*ptep, level))
				break;
			table = phys_to_virt(pt->fmt->addr(*ptep));
		}
		/* A leaf, or a hole whose whole span is skipped. */
		if (pt->fmt->valid(*ptep))
			pt->nr_leaves[level]--;
		WRITE_ONCE(*ptep, 0);
		va = (va | (BIT_ULL(level_shift(level)) - 1)) + 1;
	}
}

static void walk_tables(struct minihv_pgtable *pt, u64 *table, int level,
			void (*fn)(u64 *table, void *arg), void *arg, bool free)
{
	unsigned int i;

	for (i = 0; level < 3 && i < PTES_PER_TABLE; i++) {
		u64 pte = table[i];

		if (pt->fmt->valid(pte) && pt->fmt->is_table(pte, level))
			walk_tables(pt, phys_to_virt(pt->fmt->addr(pte)),
				    level + 1, fn, arg, free);
	}
	if (fn)
		fn(table, arg);
	if (free)
		free_page((unsigned long)table);
}

void minihv_pt_visit_tables(struct minihv_pgtable *pt,
			    void (*fn)(u64 *table, void *arg), void *arg)
{
	walk_tables(pt, pt->root, pt->start_level, fn, arg, false);
}

void minihv_pt_destroy(struct minihv_pgtable *pt)
{
	if (!pt->root)
		return;
	walk_tables(pt, pt->root, pt->start_level, NULL, NULL, true);
	pt->root = NULL;
	pt->nr_tables = 0;
	memset(pt->nr_leaves, 0, sizeof(pt->nr_leaves));
}
