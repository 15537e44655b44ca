/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vGICv3: a GICv3 distributor and one redistributor per vCPU emulated
 * in the kernel, delivered through the CPU's GIC virtualization (the ICH
 * list registers). The guest acknowledges and completes interrupts on its
 * virtual CPU interface without trapping; only its register accesses to
 * the distributor/redistributors (MMIO) and SGI generation (ICC_SGI*R)
 * come here.
 *
 * State model (as KVM's vgic, smaller): every interrupt has its own
 * state (struct vgic_irq); an interrupt that is pending or active sits on
 * its target vCPU's ap_list. Right before an entry the best of that list
 * goes into the list registers (vgic_flush); right after the exit the
 * list registers are read back into the interrupts (vgic_sync). In
 * between, while the guest runs, the list registers own the pending and
 * active state of what they hold. One lock per VM guards it all.
 */
#ifndef MINIHV_IRQ_VGIC_H
#define MINIHV_IRQ_VGIC_H

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "core/minihv.h"
#include "el2/hyp.h"

#define VGIC_NR_SGIS		16
#define VGIC_NR_PRIVATE		32	/* SGIs and PPIs: per vCPU */
#define VGIC_MAX_LRS		16
#define VGIC_DEFAULT_SPIS	256
#define VGIC_MAX_SPIS		960	/* INTIDs up to 991 */

#define VGIC_DIST_SIZE		0x10000
#define VGIC_REDIST_SIZE	0x20000	/* RD_base + SGI_base frames */
#define VGIC_SGI_BASE		0x10000

/* PPIs the timers use (the device tree's PPI n is INTID 16 + n). */
#define VGIC_PPI_VTIMER		27
#define VGIC_PPI_PTIMER		30

struct vgic_irq {
	struct list_head ap_node;	/* on vcpu->ap_list if pending/active */
	struct minihv_vcpu *vcpu;	/* whose ap_list, or NULL */
	struct minihv_vcpu *owner;	/* SGI/PPI: the redistributor's vCPU */
	u32 intid;
	int lr;				/* list register while loaded, or -1 */
	u64 route;			/* SPI: GICD_IROUTER */
	u8 priority;
	bool enabled;
	bool group1;
	bool edge;			/* ICFGR: edge-triggered */
	bool pending_latch;		/* an edge, a SETPEND, an SGI */
	bool line_level;		/* level-sensitive: the input line */
	bool active;
	/*
	 * Written by another vCPU while loaded in this one's list
	 * registers: the next sync keeps the written value, not the list
	 * register's (VGIC_OVR_*).
	 */
	u8 override;
};

#define VGIC_OVR_PENDING	BIT(0)
#define VGIC_OVR_ACTIVE		BIT(1)

/* A vCPU's redistributor and its list-register bookkeeping. */
struct vgic_cpu {
	struct vgic_irq private[VGIC_NR_PRIVATE];
	struct list_head ap_list;
	struct vgic_irq *loaded[VGIC_MAX_LRS];	/* what LR i holds */
	unsigned int nr_loaded;
	bool asleep;			/* GICR_WAKER.ProcessorSleep */
	struct el2_vgic_state *hw;	/* in the world-switch context */
};

/* The distributor, and the lock of everything in this file's structures. */
struct vgic_dist {
	raw_spinlock_t lock;
	struct minihv_vm *vm;
	u64 dist_base, redist_base, redist_size;
	u32 nr_spis;
	bool grp0_enabled, grp1_enabled;	/* GICD_CTLR */
	/* GICD_CTLR, TYPER, IIDR, TYPER2 as EL2 answers them (hyp.h) */
	struct el2_gicd el2;
	struct minihv_io_dev dist_dev, redist_dev;
	struct vgic_irq spis[];
};

/* What the host's GIC virtualization offers (ICH_VTR_EL2). */
struct vgic_hw {
	unsigned int nr_lrs;
	unsigned int nr_apr;		/* ICH_AP{0,1}R<n>_EL2 registers */
	unsigned int pri_bits;
	u8 pri_mask;			/* the implemented priority bits */
};

extern struct vgic_hw minihv_vgic_hw;

/* irq/vgic.c */
void minihv_vgic_init(void);
bool minihv_vgic_hw_init(u64 ich_vtr);
void minihv_vgic_exit(void);
int minihv_vgic_create(struct minihv_vm *vm, const struct minihv_irqchip *c);
void minihv_vgic_destroy(struct minihv_vm *vm);
int minihv_vgic_vcpu_init(struct minihv_vcpu *vcpu);
void minihv_vgic_vcpu_added(struct minihv_vcpu *vcpu);
void minihv_vgic_take_sgis(struct minihv_vcpu *vcpu);
void minihv_vgic_vcpu_destroy(struct minihv_vcpu *vcpu);
int minihv_vgic_irq_line(struct minihv_vm *vm, u32 spi, bool level);
void minihv_vgic_set_private_level(struct minihv_vcpu *vcpu, u32 intid,
				   bool level);
void minihv_vgic_flush(struct minihv_vcpu *vcpu);
void minihv_vgic_sync(struct minihv_vcpu *vcpu);
bool minihv_vgic_has_work(struct minihv_vcpu *vcpu);
int minihv_vgic_sgi(struct minihv_vcpu *vcpu, u64 sgir, bool group1);

/* For the register files (vgic_mmio.c, vgic_v3_dist.c, vgic_v3_redist.c). */
struct vgic_dist *minihv_vgic_dist(struct minihv_vm *vm);
/* irq/vgic_v3_dist.c */
void minihv_vgic_dist_init(struct vgic_dist *d);
void minihv_vgic_dist_vcpus_changed(struct vgic_dist *d);
struct vgic_cpu *minihv_vgic_cpu(struct minihv_vcpu *vcpu);
struct vgic_irq *minihv_vgic_irq(struct vgic_dist *d, struct minihv_vcpu *vcpu,
				 u32 intid);
bool minihv_vgic_pending(const struct vgic_irq *irq);
void minihv_vgic_update(struct vgic_dist *d, struct vgic_irq *irq,
			unsigned long *kick);
void minihv_vgic_kick_all(struct vgic_dist *d, unsigned long *kick);
struct minihv_vcpu *minihv_vgic_vcpu_by_mpidr(struct minihv_vm *vm, u64 aff);
u64 minihv_vgic_mpidr(struct minihv_vcpu *vcpu);

/*
 * Word-sized per-interrupt registers shared by the distributor (SPIs)
 * and the redistributors (SGIs, PPIs): bits_per_irq bits each, from
 * @first_intid. Under the dist lock.
 */
enum vgic_field {
	VGIC_F_GROUP,
	VGIC_F_SET_ENABLE,
	VGIC_F_CLEAR_ENABLE,
	VGIC_F_SET_PENDING,
	VGIC_F_CLEAR_PENDING,
	VGIC_F_SET_ACTIVE,
	VGIC_F_CLEAR_ACTIVE,
	VGIC_F_PRIORITY,
	VGIC_F_CONFIG,
};

u32 minihv_vgic_field_read(struct vgic_dist *d, struct minihv_vcpu *owner,
			   enum vgic_field f, u32 first_intid, u32 nr);
void minihv_vgic_field_write(struct vgic_dist *d, struct minihv_vcpu *owner,
			     enum vgic_field f, u32 first_intid, u32 nr,
			     u32 val, unsigned long *kick);
int minihv_vgic_field_decode(u64 offset, u32 len, u64 base,
			     enum vgic_field *f, u32 *first_intid, u32 *nr);

extern const struct minihv_io_ops minihv_vgic_dist_ops;
extern const struct minihv_io_ops minihv_vgic_redist_ops;

#endif /* MINIHV_IRQ_VGIC_H */
