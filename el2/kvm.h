/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's own KVM, beside minihv (el2/kvm.c). Apart from el2.h:
 * kvm.c needs KVM's asm/kvm_host.h, whose timer structures clash with
 * minihv's own.
 */
#ifndef MINIHV_EL2_KVM_H
#define MINIHV_EL2_KVM_H

#include <linux/types.h>

void minihv_el2_kvm_init(bool (*cpu_pinned)(void));
void minihv_el2_kvm_exit(void);
bool minihv_el2_kvm_enabled(void);
u64 minihv_el2_kvm_refusals(void);

unsigned long minihv_el2_lookup_symbol(const char *name);

#endif /* MINIHV_EL2_KVM_H */
