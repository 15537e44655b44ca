// SPDX-License-Identifier: GPL-2.0
/*
 * minihv bench's KVM back end: the guest library's hypervisor ops
 * (selftests/lib/guest.h) over /dev/kvm, so that the same guest code,
 * memory layout and host threads run under KVM for the side-by-side
 * figures. This file holds what both architectures share; the vCPU's
 * registers and the interrupt controller are in tools/<arch>/kvm.c.
 *
 * KVM has no exit for an unknown hypercall (it answers it itself), so
 * the guests' ucalls are MMIO writes to an address no device takes.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../selftests/lib/guest.h"
#include "kvm.h"

#define KVM_DEV		"/dev/kvm"

static int kvm_create_vm(struct guest *g)
{
	g->dev = open(KVM_DEV, O_RDWR | O_CLOEXEC);
	if (g->dev < 0)
		return -errno;
	g->vm = ioctl(g->dev, KVM_CREATE_VM, 0);
	return g->vm < 0 ? -errno : 0;
}

static int kvm_set_region(struct guest *g, uint32_t slot, uint64_t gpa,
			  uint64_t size, void *mem)
{
	struct kvm_userspace_memory_region mr = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)mem,
	};

	return ioctl(g->vm, KVM_SET_USER_MEMORY_REGION, &mr) ? -errno : 0;
}

static int kvm_create_vcpu(struct guest *g, int i)
{
	if (g->run_size < 0) {
		g->run_size = ioctl(g->dev, KVM_GET_VCPU_MMAP_SIZE, 0);
		if (g->run_size < 0)
			return -errno;
	}
	g->vcpu[i] = ioctl(g->vm, KVM_CREATE_VCPU, i);
	if (g->vcpu[i] < 0)
		return -errno;
	g->run[i] = mmap(NULL, g->run_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, g->vcpu[i], 0);
	if (g->run[i] == MAP_FAILED)
		return -errno;
	return kvm_arch_vcpu_init(g, i);
}

/* Runs to the next exit userspace must answer (a ucall) or a signal. */
static int kvm_run_vcpu(struct guest *g, int i)
{
	return ioctl(g->vcpu[i], KVM_RUN, 0) ? -errno : 0;
}

static int kvm_ioeventfd(struct guest *g, uint64_t addr, uint32_t len, int fd)
{
	struct kvm_ioeventfd a = { .addr = addr, .len = len, .fd = fd };

	return ioctl(g->vm, KVM_IOEVENTFD, &a) ? -errno : 0;
}

/* KVM's default routing: GSI n is SPI n on arm64, I/O APIC pin n on x86. */
static int kvm_irqfd(struct guest *g, int fd, uint32_t irq)
{
	struct kvm_irqfd a = { .fd = fd, .gsi = irq };

	return ioctl(g->vm, KVM_IRQFD, &a) ? -errno : 0;
}

static int kvm_ucall(struct guest *g, int i, uint64_t *code, uint64_t *val)
{
	const struct kvm_run *run = (const void *)g->run[i];
	uint64_t addr = run->mmio.phys_addr;

	if (run->exit_reason != KVM_EXIT_MMIO || !run->mmio.is_write ||
	    run->mmio.len != 8 ||
	    (addr != KVM_UCALL_MMIO && addr != KVM_UCALL_MMIO + 8))
		return -EIO;
	*code = addr == KVM_UCALL_MMIO ? UCALL_DONE : UCALL_EXCEPTION;
	*val = *(const uint64_t *)run->mmio.data;
	return 0;
}

const struct guest_hv guest_hv_kvm = {
	.name = "kvm",
	.ucall_mmio = KVM_UCALL_MMIO,
	.create_vm = kvm_create_vm,
	.set_region = kvm_set_region,
	.create_irqchip = kvm_arch_create_irqchip,
	.create_vcpu = kvm_create_vcpu,
	.vcpus_done = kvm_arch_vcpus_done,
	.get_regs = kvm_arch_get_regs,
	.set_regs = kvm_arch_set_regs,
#if defined(__x86_64__)
	.get_sregs = kvm_arch_get_sregs,
	.set_sregs = kvm_arch_set_sregs,
#endif
	.run = kvm_run_vcpu,
	.ioeventfd = kvm_ioeventfd,
	.irqfd = kvm_irqfd,
	.ucall = kvm_ucall,
};
