/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minihv bench's KVM back end (tools/kvm.c): guest_hv_kvm, and what each
 * architecture provides it (tools/<arch>/kvm.c).
 */
#ifndef MINIHV_TOOLS_KVM_H
#define MINIHV_TOOLS_KVM_H

#include "../selftests/lib/guest.h"

/* The guests' ucall address under KVM: in their device GiB, no device's. */
#define KVM_UCALL_MMIO		(GUEST_MMIO_BASE + 0x0fff0000ULL)

extern const struct guest_hv guest_hv_kvm;

int kvm_arch_vcpu_init(struct guest *g, int i);
int kvm_arch_create_irqchip(struct guest *g, const struct minihv_irqchip *chip);
int kvm_arch_vcpus_done(struct guest *g, int nr_vcpus);
int kvm_arch_get_regs(struct guest *g, int i, struct minihv_regs *r);
int kvm_arch_set_regs(struct guest *g, int i, const struct minihv_regs *r);
#if defined(__x86_64__)
int kvm_arch_get_sregs(struct guest *g, int i, struct minihv_sregs *s);
int kvm_arch_set_sregs(struct guest *g, int i, const struct minihv_sregs *s);
#endif

#endif /* MINIHV_TOOLS_KVM_H */
