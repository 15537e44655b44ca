// SPDX-License-Identifier: GPL-2.0
/*
 * EL2's own stage-1 translation (nVHE): an identity map of System RAM, so
 * the host can hand EL2 the physical address of anything it allocated
 * and both sides see the same bytes with the same (write-back) attributes.
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/ioport.h>
#include <linux/mm.h>

#include <asm/cacheflush.h>
#include <asm/cpufeature.h>
#include <asm/cputype.h>
#include <asm/kvm_arm.h>
#include <asm/pgtable-hwdef.h>
#include <asm/sysreg.h>

#include "el2/el2.h"
#include "mm/pgtable.h"

#define MAIR_NORMAL_IDX		0
#define MAIR_DEVICE_IDX		1

/*
 * AP[1] is RES1 in the EL2 regime; AP[2] = 0 keeps it writable. RAM is
 * mapped executable because the EL2 image sits somewhere inside it.
 */
static u64 s1_attrs(unsigned int prot)
{
	u64 attrs = PTE_AF | PTE_USER | PTE_SHARED;

	if (prot & MINIHV_PROT_DEVICE)
		attrs |= PTE_ATTRINDX(MAIR_DEVICE_IDX);
	else
		attrs |= PTE_ATTRINDX(MAIR_NORMAL_IDX);
	if (!(prot & MINIHV_PROT_X))
		attrs |= PTE_UXN;
	if (!(prot & MINIHV_PROT_W))
		attrs |= PTE_RDONLY;
	return attrs;
}

static u64 s1_table(phys_addr_t pa)
{
	return pa | PMD_TYPE_TABLE;
}

static u64 s1_leaf(phys_addr_t pa, int level, unsigned int prot)
{
	return pa | s1_attrs(prot) | (level == 3 ? PTE_TYPE_PAGE : PMD_TYPE_SECT);
}

static bool s1_valid(u64 pte)
{
	return pte & PTE_VALID;
}

static bool s1_is_table(u64 pte, int level)
{
	return level < 3 && (pte & PTE_TABLE_BIT);
}

static phys_addr_t s1_addr(u64 pte)
{
	return pte & PTE_ADDR_LOW;
}

static const struct minihv_pt_format el2_s1_format = {
	.name = "el2-stage1",
	.block_levels = BIT(1) | BIT(2),
	.table = s1_table,
	.leaf = s1_leaf,
	.valid = s1_valid,
	.is_table = s1_is_table,
	.addr = s1_addr,
};

/*
 * Clean (and invalidate) to the PoC: EL2 reads these with its MMU off,
 * i.e. as non-cacheable, and would miss lines still dirty in the cache.
 * dcache_clean_inval_poc() is not exported to modules.
 */
void minihv_el2_clean_poc(const void *addr, size_t size)
{
	unsigned long line = 4UL << ((read_cpuid_cachetype() >> 16) & 0xf);
	unsigned long p = (unsigned long)addr & ~(line - 1);
	unsigned long end = (unsigned long)addr + size;

	for (; p < end; p += line)
		asm volatile("dc civac, %0" : : "r"(p) : "memory");
	dsb(sy);
}

static void clean_table(u64 *table, void *unused)
{
	minihv_el2_clean_poc(table, PAGE_SIZE);
}

static int map_ram(struct resource *res, void *arg)
{
	struct minihv_pgtable *pt = arg;
	u64 start = PAGE_ALIGN(res->start);
	u64 end = (res->end + 1) & PAGE_MASK;

	if (end <= start)
		return 0;
	return minihv_pt_map(pt, start, start, end - start,
			     MINIHV_PROT_R | MINIHV_PROT_W | MINIHV_PROT_X);
}

int minihv_el2_mmu_init(struct minihv_el2 *el2)
{
	u32 pa_bits = minihv_el2_caps.pa_bits;
	int ret;

	ret = minihv_pt_init(&el2->pgt, &el2_s1_format, pa_bits);
	if (ret)
		return ret;
	ret = walk_iomem_res_desc(IORES_DESC_NONE,
				  IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY,
				  0, -1, &el2->pgt, map_ram);
	if (ret) {
		pr_err("cannot build the EL2 identity map (%d)\n", ret);
		minihv_pt_destroy(&el2->pgt);
		return ret;
	}
	minihv_pt_visit_tables(&el2->pgt, clean_table, NULL);

	el2->ttbr0 = virt_to_phys(el2->pgt.root);
	el2->tcr = TCR_EL2_RES1 | TCR_T0SZ(pa_bits) | TCR_TG0_4K |
		   TCR_SH0_INNER | TCR_ORGN0_WBWA | TCR_IRGN0_WBWA |
		   ((u64)minihv_el2_caps.parange << TCR_EL2_PS_SHIFT);
	el2->mair = MAIR_ATTRIDX(MAIR_ATTR_NORMAL, MAIR_NORMAL_IDX) |
		    MAIR_ATTRIDX(MAIR_ATTR_DEVICE_nGnRE, MAIR_DEVICE_IDX);
	el2->sctlr = SCTLR_EL2_RES1 | SCTLR_ELx_M | SCTLR_ELx_C |
		     SCTLR_ELx_I | SCTLR_ELx_SA | ENDIAN_SET_EL2;
	return 0;
}

void minihv_el2_mmu_exit(struct minihv_el2 *el2)
{
	minihv_pt_destroy(&el2->pgt);
}
