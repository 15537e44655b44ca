// SPDX-License-Identifier: GPL-2.0
/*
 * The x86_64 half of minihv bench's KVM back end (tools/kvm.h): vCPUs
 * with the CPUID KVM supports, registers translated between minihv's
 * and KVM's structures, and KVM's in-kernel PIC, I/O APIC and local
 * APICs (KVM_CREATE_IRQCHIP) for minihv's. KVM has no in-kernel PM
 * timer: a guest that reads one under KVM stops at a port exit.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>

#include "../kvm.h"
#include "../minihv.h"

#define MAX_CPUID	256

/*
 * With KVM's local APICs an AP waits for INIT and SIPI; the guest
 * library starts every vCPU in long mode at once, as minihv does.
 */
static int kvm_arch_vcpu_runnable(struct guest *g, int i)
{
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };

	return ioctl(g->vcpu[i], KVM_SET_MP_STATE, &mp) ? -errno : 0;
}

int kvm_arch_vcpu_init(struct guest *g, int i)
{
	struct kvm_cpuid2 *cpuid;
	int ret = 0;

	cpuid = calloc(1, sizeof(*cpuid) +
			  MAX_CPUID * sizeof(struct kvm_cpuid_entry2));
	if (!cpuid)
		return -ENOMEM;
	cpuid->nent = MAX_CPUID;
	if (ioctl(g->dev, KVM_GET_SUPPORTED_CPUID, cpuid) ||
	    ioctl(g->vcpu[i], KVM_SET_CPUID2, cpuid))
		ret = -errno;
	free(cpuid);
	return ret ? ret : kvm_arch_vcpu_runnable(g, i);
}

int kvm_arch_create_irqchip(struct guest *g, const struct minihv_irqchip *chip)
{
	/* KVM's I/O APIC sits where PCs have it. */
	if (chip->type != MINIHV_IRQCHIP_X86_APIC ||
	    chip->base[0] != GUEST_IOAPIC_BASE)
		return -EINVAL;
	return ioctl(g->vm, KVM_CREATE_IRQCHIP, 0) ? -errno : 0;
}

int kvm_arch_vcpus_done(struct guest *g, int nr_vcpus)
{
	return 0;
}

/* The two have the same general registers in the same order. */
_Static_assert(sizeof(struct minihv_regs) == sizeof(struct kvm_regs),
	       "minihv_regs is kvm_regs' layout");

int kvm_arch_get_regs(struct guest *g, int i, struct minihv_regs *r)
{
	struct kvm_regs kr;

	if (ioctl(g->vcpu[i], KVM_GET_REGS, &kr))
		return -errno;
	memcpy(r, &kr, sizeof(kr));
	return 0;
}

int kvm_arch_set_regs(struct guest *g, int i, const struct minihv_regs *r)
{
	struct kvm_regs kr;

	memcpy(&kr, r, sizeof(kr));
	return ioctl(g->vcpu[i], KVM_SET_REGS, &kr) ? -errno : 0;
}

static void seg_from_kvm(struct minihv_segment *m, const struct kvm_segment *k)
{
	memset(m, 0, sizeof(*m));
	m->base = k->base;
	m->limit = k->limit;
	m->selector = k->selector;
	m->type = k->type;
	m->present = k->present;
	m->dpl = k->dpl;
	m->db = k->db;
	m->s = k->s;
	m->l = k->l;
	m->g = k->g;
	m->avl = k->avl;
	m->unusable = k->unusable;
}

static void seg_to_kvm(struct kvm_segment *k, const struct minihv_segment *m)
{
	memset(k, 0, sizeof(*k));
	k->base = m->base;
	k->limit = m->limit;
	k->selector = m->selector;
	k->type = m->type;
	k->present = m->present;
	k->dpl = m->dpl;
	k->db = m->db;
	k->s = m->s;
	k->l = m->l;
	k->g = m->g;
	k->avl = m->avl;
	k->unusable = m->unusable;
}

/* The eight segment registers, in both structures' order. */
#define SEGS(x)	{ &(x)->cs, &(x)->ds, &(x)->es, &(x)->fs, &(x)->gs, \
		  &(x)->ss, &(x)->tr, &(x)->ldt }

int kvm_arch_get_sregs(struct guest *g, int i, struct minihv_sregs *s)
{
	struct kvm_sregs ks;
	struct minihv_segment *ms[] = SEGS(s);
	struct kvm_segment *kseg[] = SEGS(&ks);
	unsigned int n;

	if (ioctl(g->vcpu[i], KVM_GET_SREGS, &ks))
		return -errno;
	memset(s, 0, sizeof(*s));
	for (n = 0; n < ARRAY_SIZE(ms); n++)
		seg_from_kvm(ms[n], kseg[n]);
	s->gdt.base = ks.gdt.base;
	s->gdt.limit = ks.gdt.limit;
	s->idt.base = ks.idt.base;
	s->idt.limit = ks.idt.limit;
	s->cr0 = ks.cr0;
	s->cr2 = ks.cr2;
	s->cr3 = ks.cr3;
	s->cr4 = ks.cr4;
	s->efer = ks.efer;
	return 0;
}

/* Over KVM's own, so that what minihv's lacks (APIC base, CR8) stays. */
int kvm_arch_set_sregs(struct guest *g, int i, const struct minihv_sregs *s)
{
	struct kvm_sregs ks;
	const struct minihv_segment *ms[] = SEGS(s);
	struct kvm_segment *kseg[] = SEGS(&ks);
	unsigned int n;

	if (ioctl(g->vcpu[i], KVM_GET_SREGS, &ks))
		return -errno;
	for (n = 0; n < ARRAY_SIZE(ms); n++)
		seg_to_kvm(kseg[n], ms[n]);
	ks.gdt.base = s->gdt.base;
	ks.gdt.limit = s->gdt.limit;
	ks.idt.base = s->idt.base;
	ks.idt.limit = s->idt.limit;
	ks.cr0 = s->cr0;
	ks.cr2 = s->cr2;
	ks.cr3 = s->cr3;
	ks.cr4 = s->cr4;
	ks.efer = s->efer;
	return ioctl(g->vcpu[i], KVM_SET_SREGS, &ks) ? -errno : 0;
}
