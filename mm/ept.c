// SPDX-License-Identifier: GPL-2.0
/*
 * The Intel EPT entry format for the shared walker (mm/pgtable.c):
 * guest-physical to host-physical, 4 levels (SDM 29.3.2).
 */
#include <linux/bits.h>

#include "mm/ept.h"
#include "mm/pgtable.h"

#define EPT_R		BIT_ULL(0)
#define EPT_W		BIT_ULL(1)
#define EPT_X		BIT_ULL(2)
#define EPT_MT_WB	(6ULL << 3)	/* memory type for leaves */
#define EPT_MT_UC	(0ULL << 3)
#define EPT_IPAT	BIT_ULL(6)	/* ignore the guest's PAT */
#define EPT_LARGE	BIT_ULL(7)	/* 2 MiB / 1 GiB leaf */
#define EPT_ADDR	GENMASK_ULL(51, 12)

static u64 ept_table(phys_addr_t pa)
{
	return pa | EPT_R | EPT_W | EPT_X;
}

/*
 * RAM is write-back whatever the guest's PAT says, as the host maps it:
 * no aliasing of memory types on pages the host also touches.
 */
static u64 ept_leaf(phys_addr_t pa, int level, unsigned int prot)
{
	u64 pte = pa;

	if (prot & MINIHV_PROT_R)
		pte |= EPT_R;
	if (prot & MINIHV_PROT_W)
		pte |= EPT_W;
	if (prot & MINIHV_PROT_X)
		pte |= EPT_X;
	pte |= prot & MINIHV_PROT_DEVICE ? EPT_MT_UC : EPT_MT_WB | EPT_IPAT;
	if (level < 3)
		pte |= EPT_LARGE;
	return pte;
}

static bool ept_valid(u64 pte)
{
	return pte & (EPT_R | EPT_W | EPT_X);
}

static bool ept_is_table(u64 pte, int level)
{
	return level < 3 && !(pte & EPT_LARGE);
}

static phys_addr_t ept_addr(u64 pte)
{
	return pte & EPT_ADDR;
}

/* Block levels are set by the probe from IA32_VMX_EPT_VPID_CAP. */
struct minihv_pt_format minihv_ept_format = {
	.name = "ept",
	.table = ept_table,
	.leaf = ept_leaf,
	.valid = ept_valid,
	.is_table = ept_is_table,
	.addr = ept_addr,
};
