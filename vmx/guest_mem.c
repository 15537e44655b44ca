// SPDX-License-Identifier: GPL-2.0
/*
 * Guest linear addresses, translated the way the guest's own paging
 * does (SDM 4.3-4.5), for the instructions minihv emulates: fetching an
 * MMIO instruction, the memory side of INS/OUTS. A translation the guest
 * could not do itself becomes a page fault in the guest.
 */
#include <asm/processor-flags.h>
#include <asm/traps.h>
#include <asm/vmx.h>

#include "core/minihv.h"
#include "vmx/vmx.h"

#define PTE_P		BIT_ULL(0)
#define PTE_W		BIT_ULL(1)
#define PTE_U		BIT_ULL(2)
#define PTE_PS		BIT_ULL(7)
#define PTE_ADDR	GENMASK_ULL(51, 12)

#define PFERR_P		BIT(0)
#define PFERR_W		BIT(1)
#define PFERR_U		BIT(2)

/* seg: 0..5 for ES, CS, SS, DS, FS, GS (the VMCS order). */
u64 minihv_vmx_seg_base(int seg)
{
	return vmcs_read(GUEST_ES_BASE + 2 * seg);
}

static int read_entry(struct vmx_vcpu *v, u64 gpa, u32 size, u64 *pte)
{
	*pte = 0;
	return minihv_guest_access(v->vcpu->vm, gpa, pte, size, false);
}

/* The guest's own walk would fault: *pf is the #PF error code. */
static int page_fault(u32 *pf, u32 error)
{
	*pf = error;
	return -EFAULT;
}

/*
 * 0 with *gpa set; -EFAULT for a page fault (error code in *pf);
 * -ENOENT when the tables themselves are outside guest RAM.
 */
static int walk(struct vmx_vcpu *v, u64 gva, bool write, u64 *gpa, u32 *pf)
{
	u64 cr0 = minihv_vmx_guest_cr0(), cr4 = minihv_vmx_guest_cr4();
	u64 efer = vmcs_read(GUEST_IA32_EFER);
	bool user = ((vmcs_read(GUEST_SS_AR_BYTES) >> 5) & 3) == 3;
	u32 error = (write ? PFERR_W : 0) | (user ? PFERR_U : 0);
	u64 table = vmcs_read(GUEST_CR3), pte = 0, allowed = PTE_W | PTE_U;
	int level, levels, shift;
	u32 size = 8;

	if (!(cr0 & X86_CR0_PG)) {
		*gpa = (u32)gva;
		return 0;
	}
	if (efer & EFER_LMA) {
		levels = 4;
	} else if (cr4 & X86_CR4_PAE) {
		/* The PDPTEs were loaded at the last CR3 write (the VMCS). */
		gva = (u32)gva;
		pte = vmcs_read(GUEST_PDPTR0 + 2 * (gva >> 30));
		if (!(pte & PTE_P))
			return page_fault(pf, error);
		table = pte;
		levels = 2;
	} else {
		gva = (u32)gva;
		size = 4;
		levels = 2;
	}

	for (level = levels; level >= 1; level--) {
		if (size == 4)
			shift = 12 + 10 * (level - 1);
		else
			shift = 12 + 9 * (level - 1);
		if (read_entry(v, (table & PTE_ADDR) +
			       ((gva >> shift) & (size == 4 ? 1023 : 511)) * size,
			       size, &pte))
			return -ENOENT;
		if (!(pte & PTE_P))
			return page_fault(pf, error);
		allowed &= pte;
		/* Large pages: 1G (L3) and 2M (L2) in 64-bit tables, 4M (PSE). */
		if (level > 1 && (pte & PTE_PS) &&
		    (size == 8 || (cr4 & X86_CR4_PSE))) {
			u64 base = pte & PTE_ADDR & ~(BIT_ULL(shift) - 1);

			if (size == 4)	/* PSE-36: bits 20:13 are PA 39:32 */
				base = (pte & 0xffc00000) |
				       ((pte >> 13) & 0xff) << 32;
			*gpa = base | (gva & (BIT_ULL(shift) - 1));
			goto check;
		}
		table = pte;
	}
	*gpa = (pte & PTE_ADDR) | (gva & 0xfff);
check:
	if ((user && !(allowed & PTE_U)) ||
	    (write && !(allowed & PTE_W) && (user || (cr0 & X86_CR0_WP))))
		return page_fault(pf, error | PFERR_P);
	return 0;
}

/*
 * As the guest would translate; a page fault is injected into the guest
 * (-EFAULT: the caller re-enters without completing the instruction).
 */
int minihv_vmx_gva_to_gpa(struct vmx_vcpu *v, u64 gva, bool write, u64 *gpa)
{
	u32 pf;
	int ret = walk(v, gva, write, gpa, &pf);

	if (ret == -EFAULT) {
		v->cr2 = gva;
		minihv_vmx_inject(v, X86_TRAP_PF, true, pf);
	}
	return ret;
}

static int access_gva(struct vmx_vcpu *v, u64 gva, void *buf, u32 len,
		      bool write, bool inject)
{
	while (len) {
		u32 chunk = min_t(u32, len, PAGE_SIZE - (gva & ~PAGE_MASK));
		u32 pf;
		u64 gpa;
		int ret;

		if (inject)
			ret = minihv_vmx_gva_to_gpa(v, gva, write, &gpa);
		else
			ret = walk(v, gva, write, &gpa, &pf);
		if (ret)
			return ret;
		if (minihv_guest_access(v->vcpu->vm, gpa, buf, chunk, write))
			return -ENOENT;
		gva += chunk;
		buf += chunk;
		len -= chunk;
	}
	return 0;
}

/*
 * Whether the guest could write [gva, gva + len) now, page by page: a
 * #PF is injected if not (-EFAULT), before anything is done.
 */
int minihv_vmx_check_write_gva(struct vmx_vcpu *v, u64 gva, u32 len)
{
	u64 end = gva + len, gpa;
	int ret;

	for (gva &= PAGE_MASK; gva < end; gva += PAGE_SIZE) {
		ret = minihv_vmx_gva_to_gpa(v, gva, true, &gpa);
		if (ret)
			return ret;
	}
	return 0;
}

int minihv_vmx_read_gva(struct vmx_vcpu *v, u64 gva, void *buf, u32 len)
{
	return access_gva(v, gva, buf, len, false, true);
}

int minihv_vmx_write_gva(struct vmx_vcpu *v, u64 gva, const void *buf,
			 u32 len)
{
	return access_gva(v, gva, (void *)buf, len, true, true);
}

/* For reports only: never changes the guest. */
int minihv_vmx_peek_gva(struct vmx_vcpu *v, u64 gva, void *buf, u32 len)
{
	return access_gva(v, gva, buf, len, false, false);
}
