/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One page-table walker for every table minihv builds (EL2 stage-1,
 * stage-2, EPT). All of them are radix trees of 4 KiB tables
 * with 512 64-bit entries and 4 KiB / 2 MiB / 1 GiB leaves; only the
 * entry encoding differs, so that is what a format supplies.
 */
#ifndef MINIHV_MM_PGTABLE_H
#define MINIHV_MM_PGTABLE_H

#include <linux/types.h>

#define MINIHV_PT_LEVELS	4	/* levels 0 (512 GiB) .. 3 (4 KiB) */

/* Permissions and memory type for a leaf. */
#define MINIHV_PROT_R		BIT(0)
#define MINIHV_PROT_W		BIT(1)
#define MINIHV_PROT_X		BIT(2)
#define MINIHV_PROT_DEVICE	BIT(3)

struct minihv_pt_format {
	const char *name;
	/* Levels that may hold a block (bit n: level n), e.g. 2 MiB = level 2. */
	unsigned int block_levels;
	u64 (*table)(phys_addr_t pa);
	u64 (*leaf)(phys_addr_t pa, int level, unsigned int prot);
	bool (*valid)(u64 pte);
	bool (*is_table)(u64 pte, int level);
	phys_addr_t (*addr)(u64 pte);
};

struct minihv_pgtable {
	const struct minihv_pt_format *fmt;
	int start_level;
	unsigned int va_bits;
	u64 *root;
	unsigned long nr_tables;	/* pages used by tables */
	/* Leaves in use by level: [1] 1 GiB, [2] 2 MiB, [3] 4 KiB. */
	unsigned long nr_leaves[MINIHV_PT_LEVELS];
};

int minihv_pt_init(struct minihv_pgtable *pt,
		   const struct minihv_pt_format *fmt, unsigned int va_bits);
int minihv_pt_map(struct minihv_pgtable *pt, u64 va, phys_addr_t pa,
		  u64 size, unsigned int prot);
struct page;
int minihv_pt_map_pages(struct minihv_pgtable *pt, u64 va, struct page **pages,
			unsigned long npages, unsigned int prot);
void minihv_pt_unmap(struct minihv_pgtable *pt, u64 va, u64 size);
void minihv_pt_destroy(struct minihv_pgtable *pt);
/* Calls @fn for every table page (e.g. to clean it to the PoC). */
void minihv_pt_visit_tables(struct minihv_pgtable *pt,
			    void (*fn)(u64 *table, void *arg), void *arg);

#endif /* MINIHV_MM_PGTABLE_H */
