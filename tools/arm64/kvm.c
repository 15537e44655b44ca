// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 half of minihv bench's KVM back end (tools/kvm.h): vCPUs
 * with PSCI 0.2 in KVM's preferred target, core registers through
 * KVM_{GET,SET}_ONE_REG, and the GICv3 as KVM's vgic-v3 device at the
 * guest library's addresses.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../../selftests/lib/gic_arm64.h"
#include "../kvm.h"

/* A 64-bit core register's ONE_REG id: its offset in struct kvm_regs. */
#define CORE_REG(field)	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | \
			 KVM_REG_ARM_CORE | \
			 (offsetof(struct kvm_regs, field) / sizeof(__u32)))

/*
 * The vGIC's fd, from its creation to its initialisation: the device
 * lives on with the VM, and an fd kept open would keep the VM alive.
 */
static int vgic_fd = -1;

int kvm_arch_vcpu_init(struct guest *g, int i)
{
	struct kvm_vcpu_init init;

	if (ioctl(g->vm, KVM_ARM_PREFERRED_TARGET, &init))
		return -errno;
	init.features[0] |= 1U << KVM_ARM_VCPU_PSCI_0_2;
	return ioctl(g->vcpu[i], KVM_ARM_VCPU_INIT, &init) ? -errno : 0;
}

static int vgic_attr(uint32_t group, uint64_t attr, void *val)
{
	struct kvm_device_attr a = {
		.group = group,
		.attr = attr,
		.addr = (uintptr_t)val,
	};

	return ioctl(vgic_fd, KVM_SET_DEVICE_ATTR, &a) ? -errno : 0;
}

int kvm_arch_create_irqchip(struct guest *g, const struct minihv_irqchip *chip)
{
	struct kvm_create_device dev = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	uint64_t dist = chip->base[0], redist = chip->base[1];
	uint32_t nr_irqs = 32 + (chip->nr_irqs ? chip->nr_irqs : 256);
	int ret;

	if (chip->type != MINIHV_IRQCHIP_GICV3)
		return -EINVAL;
	if (ioctl(g->vm, KVM_CREATE_DEVICE, &dev))
		return -errno;
	vgic_fd = dev.fd;
	ret = vgic_attr(KVM_DEV_ARM_VGIC_GRP_ADDR,
			KVM_VGIC_V3_ADDR_TYPE_DIST, &dist);
	if (!ret)
		ret = vgic_attr(KVM_DEV_ARM_VGIC_GRP_ADDR,
				KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist);
	if (!ret)
		ret = vgic_attr(KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs);
	if (ret) {
		close(vgic_fd);
		vgic_fd = -1;
	}
	return ret;
}

/* KVM's vGIC is initialised once every vCPU exists. */
int kvm_arch_vcpus_done(struct guest *g, int nr_vcpus)
{
	int ret;

	if (vgic_fd < 0)
		return 0;
	ret = vgic_attr(KVM_DEV_ARM_VGIC_GRP_CTRL,
			KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);
	close(vgic_fd);
	vgic_fd = -1;
	return ret;
}

static int one_reg(struct guest *g, int i, unsigned long req, uint64_t id,
		   uint64_t *val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)val };

	return ioctl(g->vcpu[i], req, &r) ? -errno : 0;
}

/* x0..x30, SP_EL1, PC and PSTATE: struct minihv_regs's order. */
static uint64_t reg_id(int n)
{
	if (n < 31)
		return CORE_REG(regs.regs[0]) + 2 * n;
	if (n == 31)
		return CORE_REG(sp_el1);
	return n == 32 ? CORE_REG(regs.pc) : CORE_REG(regs.pstate);
}

#define NR_REGS		34

int kvm_arch_get_regs(struct guest *g, int i, struct minihv_regs *r)
{
	uint64_t *v = (uint64_t *)r;
	int n, ret = 0;

	_Static_assert(sizeof(*r) == NR_REGS * 8, "minihv_regs layout");
	for (n = 0; !ret && n < NR_REGS; n++)
		ret = one_reg(g, i, KVM_GET_ONE_REG, reg_id(n), &v[n]);
	return ret;
}

int kvm_arch_set_regs(struct guest *g, int i, const struct minihv_regs *r)
{
	uint64_t v[NR_REGS];
	int n, ret = 0;

	memcpy(v, r, sizeof(v));
	for (n = 0; !ret && n < NR_REGS; n++)
		ret = one_reg(g, i, KVM_SET_ONE_REG, reg_id(n), &v[n]);
	return ret;
}
