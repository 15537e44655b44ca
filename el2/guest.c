// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 VMs and vCPUs: a VM is a stage-2 table tagged with a VMID, a vCPU
 * is the context the world switch loads and saves (struct el2_vcpu_ctx).
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/irqchip/arm-gic-v3.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/slab.h>

#include <asm/arch_timer.h>
#include <asm/cacheflush.h>
#include <asm/kvm_arm.h>
#include <asm/pgtable-hwdef.h>
#include <asm/sysreg.h>

#include "core/minihv.h"
#include "el2/el2.h"
#include "irq/vgic.h"
#include "mm/stage2.h"
#include "timer/arch_timer.h"

struct minihv_el2_world minihv_el2_world;

/*
 * minihv holds the hardware for its guests while it has VMs (nVHE: EL2
 * is pinned; see hyp_stub.c). claim_lock guards nr_vms and the claim.
 */
static DEFINE_MUTEX(claim_lock);
static unsigned int nr_vms;

static int claim_hw(void)
{
	int ret = 0;

	mutex_lock(&claim_lock);
	if (!nr_vms && minihv_el2_world.claim)
		ret = minihv_el2_world.claim();
	if (!ret)
		nr_vms++;
	mutex_unlock(&claim_lock);
	return ret;
}

static void release_hw(void)
{
	mutex_lock(&claim_lock);
	if (!--nr_vms) {
		if (minihv_el2_world.release)
			minihv_el2_world.release();
		/* The timer PPI as its owner expects it with no guest of ours. */
		minihv_arch_timer_release_all();
	}
	mutex_unlock(&claim_lock);
}

static u64 vtcr_of(const struct minihv_pgtable *s2)
{
	u64 vtcr = VTCR_EL2_RES1 | VTCR_EL2_T0SZ(s2->va_bits) |
		   VTCR_EL2_IRGN0_WBWA | VTCR_EL2_ORGN0_WBWA |
		   VTCR_EL2_SH0_INNER | VTCR_EL2_TG0_4K |
		   ((u64)minihv_el2_caps.parange << VTCR_EL2_PS_SHIFT);

	/* 4 KiB granule: SL0 = 2 starts the walk at level 0, 1 at level 1. */
	vtcr |= (u64)(2 - s2->start_level) << VTCR_EL2_SL0_SHIFT;
	if (minihv_el2_caps.vmid_bits == 16)
		vtcr |= VTCR_EL2_VS_16BIT;
	return vtcr;
}

int minihv_el2_vm_init(struct minihv_vm *vm)
{
	struct el2_vm *v;
	int ret, cpu;

	ret = claim_hw();
	if (ret)
		return ret;
	v = kzalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);
	if (!v) {
		release_hw();
		return -ENOMEM;
	}
	/* The VMID comes at the first entry (el2/vmid.c). */
	atomic64_set(&v->vmid, 0);
	ret = minihv_pt_init(&v->s2, &minihv_stage2_format,
			     minihv_el2_caps.pa_bits);
	if (ret)
		goto err_free;
	v->last_vcpu_ran = alloc_percpu(int);
	if (!v->last_vcpu_ran) {
		ret = -ENOMEM;
		goto err_pt;
	}
	for_each_possible_cpu(cpu)
		*per_cpu_ptr(v->last_vcpu_ran, cpu) = -1;
	v->vtcr = vtcr_of(&v->s2);
	vm->arch = v;
	return 0;

err_pt:
	minihv_pt_destroy(&v->s2);
err_free:
	kfree(v);
	release_hw();
	return ret;
}

u64 minihv_el2_vttbr(struct el2_vm *vm, u16 vmid)
{
	return virt_to_phys(vm->s2.root) | ((u64)vmid << VTTBR_VMID_SHIFT);
}

/*
 * Drop the VM's translations on every CPU. A VMID from an older
 * generation was flushed everywhere by the rollover; none yet, nothing
 * cached.
 */
static void flush_vm(struct el2_vm *v)
{
	u16 vmid = minihv_el2_vmid_peek(&v->vmid);

	if (vmid)
		minihv_el2_world.flush_vmid(minihv_el2_vttbr(v, vmid));
}

struct minihv_pgtable *minihv_el2_vm_pgtable(struct minihv_vm *vm)
{
	return &((struct el2_vm *)vm->arch)->s2;
}

void minihv_el2_vm_destroy(struct minihv_vm *vm)
{
	struct el2_vm *v = vm->arch;

	/*
	 * The tables go: nothing may walk them again. (The VMID itself is
	 * handed out again only after a rollover, which flushes everything.)
	 */
	flush_vm(v);
	minihv_pt_destroy(&v->s2);
	free_percpu(v->last_vcpu_ran);
	minihv_vgic_destroy(vm);
	kfree(v);
	release_hw();
}

/* MINIHV_CREATE_IRQCHIP: the GICv3 is the one arm64 controller. */
int minihv_el2_irqchip_create(struct minihv_vm *vm,
			      const struct minihv_irqchip *chip)
{
	return minihv_vgic_create(vm, chip);
}

int minihv_el2_irq_line(struct minihv_vm *vm, u32 irq, bool level)
{
	return minihv_vgic_irq_line(vm, irq, level);
}

/* Device lines are the vGIC's SPIs, numbered from 0 as irq_line has them. */
u32 minihv_el2_irq_lines(struct minihv_vm *vm)
{
	return minihv_vgic_dist(vm)->nr_spis;
}

/*
 * A guest with its MMU off reads memory as non-cacheable, and fetches
 * through an I-cache that may hold older contents of these pages: clean
 * the D-cache to the PoC (which is beyond the PoU, so instruction fetches
 * see the data too) and then invalidate the whole I-cache once, as KVM
 * does for large ranges, rather than line by line (a third of the cost
 * of mapping 1 GiB, minihv bench --scale's big_touch).
 */
int minihv_el2_map_slot(struct minihv_vm *vm, struct minihv_memslot *slot)
{
	struct el2_vm *v = vm->arch;
	unsigned long i;
	int ret;

	for (i = 0; i < slot->npages; i++)
		minihv_el2_clean_poc(page_address(slot->pages[i]), PAGE_SIZE);
	icache_inval_all_pou();
	ret = minihv_pt_map_pages(&v->s2, slot->gpa, slot->pages, slot->npages,
				  MINIHV_PROT_R | MINIHV_PROT_W | MINIHV_PROT_X);
	if (ret)
		flush_vm(v);
	return ret;
}

/* Other vCPUs may be running: clear, flush everywhere, then unpin. */
void minihv_el2_unmap_slot(struct minihv_vm *vm, struct minihv_memslot *slot)
{
	struct el2_vm *v = vm->arch;

	minihv_pt_unmap(&v->s2, slot->gpa, slot->size);
	flush_vm(v);
}

/* EL2's own mapping of RAM: the kernel's in VHE, identity in nVHE. */
u64 minihv_el2_addr(const void *p)
{
	return is_kernel_in_hyp_mode() ? (u64)p : virt_to_phys(p);
}

int minihv_el2_vcpu_init(struct minihv_vcpu *vcpu)
{
	struct el2_vm *vm = vcpu->vm->arch;
	struct el2_vcpu *v;
	struct el2_vcpu_ctx *ctx;

	BUILD_BUG_ON(offsetof(struct el2_vcpu_ctx, pc) != CTX_PC);
	BUILD_BUG_ON(offsetof(struct el2_vcpu_ctx, sys) != CTX_SYS);
	BUILD_BUG_ON(offsetof(struct el2_vcpu_ctx, fp) != CTX_FP);
	BUILD_BUG_ON(offsetof(struct el2_vcpu_ctx, fpsr) != CTX_FPSR);
	BUILD_BUG_ON(offsetof(struct el2_vcpu_ctx, hcr) != CTX_HCR);
	BUILD_BUG_ON(offsetof(struct el2_vcpu_ctx, vmpidr) != CTX_VMPIDR);
	BUILD_BUG_ON(offsetof(struct el2_vcpu_ctx, cptr) != CTX_CPTR);
	BUILD_BUG_ON(offsetof(struct el2_vcpu_ctx, esr) != CTX_ESR);
	BUILD_BUG_ON(offsetof(struct el2_vcpu_ctx, hpfar) != CTX_HPFAR);
	BUILD_BUG_ON(offsetof(struct el2_vcpu_ctx, flush) != CTX_FLUSH);
	BUILD_BUG_ON(offsetof(struct el2_vcpu_ctx, cntvoff) != CTX_CNTVOFF);
	BUILD_BUG_ON(offsetof(struct el2_vcpu_ctx, fast_hcalls) !=
		     CTX_FAST_HCALLS);
	BUILD_BUG_ON(offsetof(struct el2_vcpu_ctx, gicd) != CTX_GICD);
	BUILD_BUG_ON(offsetof(struct el2_vcpu_ctx, fast_gicd) != CTX_FAST_GICD);
	BUILD_BUG_ON(offsetof(struct el2_vcpu_ctx, sgi_pending) !=
		     CTX_SGI_PENDING);
	BUILD_BUG_ON(offsetof(struct el2_vcpu_ctx, sgi_kick) != CTX_SGI_KICK);
	BUILD_BUG_ON(offsetof(struct el2_vcpu_ctx, mode) != CTX_MODE);
	BUILD_BUG_ON(offsetof(struct el2_vcpu_ctx, requests) != CTX_REQUESTS);
	BUILD_BUG_ON(offsetof(struct el2_vcpu_ctx, sgi_self) != CTX_SGI_SELF);
	BUILD_BUG_ON(offsetof(struct el2_vcpu_ctx, sgi_wake) != CTX_SGI_WAKE);
	BUILD_BUG_ON(offsetof(struct el2_vcpu_ctx, fast_sgis) != CTX_FAST_SGIS);
	BUILD_BUG_ON(offsetof(struct el2_vcpu_ctx, vgic) != CTX_VGIC);
	BUILD_BUG_ON(offsetof(struct el2_gicd, sgi_valid) != GICD_EL2_SGI_VALID);
	BUILD_BUG_ON(offsetof(struct el2_gicd, sgi_ctx) != GICD_EL2_SGI_CTX);
	/* What EL2 reads of the kick handshake and of ICC_SGI1R_EL1. */
	BUILD_BUG_ON(EL2_MODE_IN_GUEST != MINIHV_IN_GUEST);
	BUILD_BUG_ON(EL2_REQ_EVENT != MINIHV_REQ_EVENT);
	BUILD_BUG_ON(sizeof(((struct minihv_vcpu *)0)->mode) != 4);
	BUILD_BUG_ON(SGI_FAST_SLOW != (ICC_SGI1R_AFFINITY_1_MASK |
				       ICC_SGI1R_AFFINITY_2_MASK |
				       ICC_SGI1R_AFFINITY_3_MASK |
				       ICC_SGI1R_RS_MASK |
				       BIT(ICC_SGI1R_IRQ_ROUTING_MODE_BIT)));
	BUILD_BUG_ON(SGI_FAST_TARGETS != ICC_SGI1R_TARGET_LIST_MASK);
	BUILD_BUG_ON(SGI_FAST_ID_SHIFT != ICC_SGI1R_SGI_ID_SHIFT);
	BUILD_BUG_ON(offsetof(struct el2_gicd, ipa) != GICD_EL2_IPA);
	BUILD_BUG_ON(offsetof(struct el2_gicd, regs) != GICD_EL2_REGS);
	BUILD_BUG_ON(offsetof(struct el2_vgic_state, vmcr) != VGIC_VMCR);
	BUILD_BUG_ON(offsetof(struct el2_vgic_state, used_lrs) != VGIC_USED_LRS);
	BUILD_BUG_ON(offsetof(struct el2_vgic_state, nr_apr) != VGIC_NR_APR);
	BUILD_BUG_ON(offsetof(struct el2_vgic_state, ap0r) != VGIC_AP0R);
	BUILD_BUG_ON(offsetof(struct el2_vgic_state, ap1r) != VGIC_AP1R);
	BUILD_BUG_ON(offsetof(struct el2_vgic_state, lr) != VGIC_LR);
	BUILD_BUG_ON(sizeof(struct el2_vcpu_ctx) != CTX_SIZE);

	v = kzalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);
	if (!v)
		return -ENOMEM;
	/* EL2 reaches the context through its identity map of RAM. */
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx) {
		kfree(v);
		return -ENOMEM;
	}

	/* The EL1 reset state: MMU off, FP/SIMD usable without trapping. */
	ctx->sys[SR_SCTLR] = INIT_SCTLR_EL1_MMU_OFF;
	ctx->sys[SR_CPACR] = CPACR_EL1_FPEN_EL1EN | CPACR_EL1_FPEN_EL0EN;

	/* Trap what would touch host state or needs emulation. */
	ctx->hcr = minihv_el2_world.guest_hcr;
	ctx->vtcr = vm->vtcr;
	/* Aff0 holds 16 CPUs, as GICv3 targets them; bit 31 is RES1. */
	ctx->vmpidr = BIT(31) | ((vcpu->id & 0xf) << MPIDR_LEVEL_SHIFT(0)) |
		      ((u64)(vcpu->id >> 4) << MPIDR_LEVEL_SHIFT(1));
	ctx->mdcr = MDCR_EL2_TDA | MDCR_EL2_TDOSA | MDCR_EL2_TDRA |
		    MDCR_EL2_TPM | MDCR_EL2_TPMCR;
	ctx->cptr = CPTR_EL2_TZ;
	/* The counter is readable; the physical timer traps (emulated). */
	ctx->cnthctl = CNTHCTL_EL1PCTEN;
	/* The VM's counter (core/clock.c): near 0 at creation, as KVM's. */
	ctx->cntvoff = -minihv_clock_offset(vcpu->vm);
	/* Where EL2 takes the kick handshake of SGIs to it (sgi_fast.S). */
	ctx->mode = minihv_el2_addr(&vcpu->mode);
	ctx->requests = minihv_el2_addr(&vcpu->requests);
	ctx->sgi_self = vcpu->id < GICD_EL2_NR_SGI_CTX ? BIT(vcpu->id) : 0;

	v->ctx = ctx;
	vcpu->arch = v;
	minihv_arch_timer_vcpu_init(vcpu);
	minihv_el2_vcpu_preempt_init(vcpu);
	if (vm->vgic) {
		int ret = minihv_vgic_vcpu_init(vcpu);

		if (ret) {
			minihv_el2_vcpu_destroy(vcpu);
			return ret;
		}
	}
	return 0;
}

void minihv_el2_vcpu_added(struct minihv_vcpu *vcpu)
{
	if (minihv_vgic_dist(vcpu->vm))
		minihv_vgic_vcpu_added(vcpu);
}

void minihv_el2_vcpu_destroy(struct minihv_vcpu *vcpu)
{
	struct el2_vcpu *v = vcpu->arch;

	minihv_arch_timer_vcpu_destroy(vcpu);
	minihv_vgic_vcpu_destroy(vcpu);
	kfree(v->ctx);
	kfree(v);
	vcpu->arch = NULL;
}
