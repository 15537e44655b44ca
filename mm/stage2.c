// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 stage-2 entry format for the shared walker (mm/pgtable.c):
 * guest-physical to host-physical, 4 KiB granule.
 */
#include <linux/bits.h>

#include <asm/pgtable-hwdef.h>
#include <asm/pgtable-types.h>

#include "mm/pgtable.h"
#include "mm/stage2.h"

#define S2_MEMATTR_NORMAL_WB	(0xfULL << 2)	/* outer and inner write-back */
#define S2_MEMATTR_DEVICE	(0x1ULL << 2)	/* Device-nGnRE */
#define S2_AP_R			BIT_ULL(6)
#define S2_AP_W			BIT_ULL(7)
#define S2_XN			(3ULL << 53)

static u64 s2_table(phys_addr_t pa)
{
	return pa | PMD_TYPE_TABLE;
}

static u64 s2_leaf(phys_addr_t pa, int level, unsigned int prot)
{
	u64 pte = pa | PTE_AF | PTE_SHARED |
		  (level == 3 ? PTE_TYPE_PAGE : PMD_TYPE_SECT);

	pte |= prot & MINIHV_PROT_DEVICE ? S2_MEMATTR_DEVICE :
					   S2_MEMATTR_NORMAL_WB;
	if (prot & MINIHV_PROT_R)
		pte |= S2_AP_R;
	if (prot & MINIHV_PROT_W)
		pte |= S2_AP_W;
	if (!(prot & MINIHV_PROT_X))
		pte |= S2_XN;
	return pte;
}

static bool s2_valid(u64 pte)
{
	return pte & PTE_VALID;
}

static bool s2_is_table(u64 pte, int level)
{
	return level < 3 && (pte & PTE_TABLE_BIT);
}

static phys_addr_t s2_addr(u64 pte)
{
	return pte & PTE_ADDR_LOW;
}

const struct minihv_pt_format minihv_stage2_format = {
	.name = "stage2",
	.block_levels = BIT(1) | BIT(2),
	.table = s2_table,
	.leaf = s2_leaf,
	.valid = s2_valid,
	.is_table = s2_is_table,
	.addr = s2_addr,
};
