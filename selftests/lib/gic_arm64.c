// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 test guests' side of the GICv3 (gic_arm64.h): an IRQ handler
 * that logs what each vCPU took, and waits on that log.
 */
#if defined(__aarch64__)
#include "gic_arm64.h"

struct gic_irq_log gic_irq_logs[GUEST_MAX_VCPUS];
int (*gic_irq_hook)(uint32_t intid, uint32_t n);

void gic_record_irq(void)
{
	struct gic_irq_log *l = &gic_irq_logs[guest_vcpu_id()];
	uint32_t intid = gic_ack(), n;

	if (intid == INTID_SPURIOUS)
		return;
	n = LOAD_ONCE(l->n);
	if (n < GIC_LOG_MAX) {
		l->intid[n] = intid;
		l->stamp[n] = gic_counter();
	}
	STORE_ONCE(l->n, n + 1);
	if (!gic_irq_hook || gic_irq_hook(intid, n))
		gic_eoi(intid);
}

uint32_t gic_nr_irqs(int vcpu)
{
	return LOAD_ONCE(gic_irq_logs[vcpu].n);
}

uint32_t gic_wait_irqs(uint32_t n, uint64_t ms)
{
	uint64_t end = gic_counter() + ms * gic_counter_freq() / 1000;
	uint32_t id = guest_vcpu_id();

	while (gic_nr_irqs(id) < n && gic_counter() < end)
		;
	return gic_nr_irqs(id);
}

struct gic_irq_log *gic_host_log(struct guest *g, int vcpu)
{
	return guest_mem(g, &gic_irq_logs[vcpu]);
}
#endif /* __aarch64__ */
