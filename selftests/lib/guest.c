// SPDX-License-Identifier: GPL-2.0
/*
 * What the guests of both architectures share (see guest.h): the VM
 * whose RAM is a snapshot of this binary at guest-physical == host-virtual
 * addresses, its vCPUs and their run areas. lib/guest_<arch>.c sets up
 * how each vCPU starts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <link.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guest.h"
#include "minihv_util.h"

#define PAGE		4096ULL

/* Copy one loadable segment; the gaps between them stay zero. */
static int copy_segment(struct dl_phdr_info *info, size_t size, void *data)
{
	struct guest *g = data;
	int i;

	for (i = 0; i < info->dlpi_phnum; i++) {
		const Elf64_Phdr *ph = &info->dlpi_phdr[i];
		uint64_t va = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD || va < g->image_gpa ||
		    va + ph->p_memsz > g->image_gpa + g->image_size)
			continue;
		memcpy(g->image + (va - g->image_gpa), (void *)(uintptr_t)va,
		       ph->p_memsz);
	}
	return 1;	/* the executable itself comes first */
}

/* minihv's own hypervisor ops: its uapi as it is. */
static int mh_create_vm(struct guest *g)
{
	g->dev = minihv_open();
	if (g->dev < 0)
		return -errno;
	g->vm = minihv_create_vm(g->dev);
	return g->vm < 0 ? -errno : 0;
}

static int mh_set_region(struct guest *g, uint32_t slot, uint64_t gpa,
			 uint64_t size, void *mem)
{
	return minihv_set_region(g->vm, slot, gpa, size, mem) ? -errno : 0;
}

static int mh_create_irqchip(struct guest *g, const struct minihv_irqchip *chip)
{
	return ioctl(g->vm, MINIHV_CREATE_IRQCHIP, chip) ? -errno : 0;
}

static int mh_create_vcpu(struct guest *g, int i)
{
	if (g->run_size < 0) {
		g->run_size = ioctl(g->dev, MINIHV_GET_VCPU_MMAP_SIZE, 0);
		if (g->run_size < 0)
			return -errno;
	}
	g->vcpu[i] = ioctl(g->vm, MINIHV_CREATE_VCPU, i);
	if (g->vcpu[i] < 0)
		return -errno;
	g->run[i] = mmap(NULL, g->run_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, g->vcpu[i], 0);
	return g->run[i] == MAP_FAILED ? -errno : 0;
}

static int mh_get_regs(struct guest *g, int i, struct minihv_regs *r)
{
	return ioctl(g->vcpu[i], MINIHV_GET_REGS, r) ? -errno : 0;
}

static int mh_set_regs(struct guest *g, int i, const struct minihv_regs *r)
{
	return ioctl(g->vcpu[i], MINIHV_SET_REGS, r) ? -errno : 0;
}

#if defined(__x86_64__)
static int mh_get_sregs(struct guest *g, int i, struct minihv_sregs *s)
{
	return ioctl(g->vcpu[i], MINIHV_GET_SREGS, s) ? -errno : 0;
}

static int mh_set_sregs(struct guest *g, int i, const struct minihv_sregs *s)
{
	return ioctl(g->vcpu[i], MINIHV_SET_SREGS, s) ? -errno : 0;
}
#endif

static int mh_run(struct guest *g, int i)
{
	return ioctl(g->vcpu[i], MINIHV_RUN, 0) ? -errno : 0;
}

static int mh_ioeventfd(struct guest *g, uint64_t addr, uint32_t len, int fd)
{
	struct minihv_ioeventfd a = { .addr = addr, .len = len, .fd = fd };

	return ioctl(g->vm, MINIHV_IOEVENTFD, &a) ? -errno : 0;
}

static int mh_irqfd(struct guest *g, int fd, uint32_t irq)
{
	struct minihv_irqfd a = { .fd = fd, .irq = irq };

	return ioctl(g->vm, MINIHV_IRQFD, &a) ? -errno : 0;
}

static int mh_ucall(struct guest *g, int i, uint64_t *code, uint64_t *val)
{
	const struct minihv_run *run = g->run[i];

	if (run->exit_reason != MINIHV_EXIT_HYPERCALL ||
	    run->hypercall.nr != MINIHV_HCALL_EXIT)
		return -EIO;
	*code = run->hypercall.args[0];
	*val = run->hypercall.args[1];
	return 0;
}

const struct guest_hv guest_hv_minihv = {
	.name = "minihv",
	.create_vm = mh_create_vm,
	.set_region = mh_set_region,
	.create_irqchip = mh_create_irqchip,
	.create_vcpu = mh_create_vcpu,
	.get_regs = mh_get_regs,
	.set_regs = mh_set_regs,
#if defined(__x86_64__)
	.get_sregs = mh_get_sregs,
	.set_sregs = mh_set_sregs,
#endif
	.run = mh_run,
	.ioeventfd = mh_ioeventfd,
	.irqfd = mh_irqfd,
	.ucall = mh_ucall,
};

const struct guest_hv *guest_hv = &guest_hv_minihv;
uint64_t guest_ucall_mmio;

void guest_init(struct guest *g)
{
	memset(g, 0xff, sizeof(*g));
	g->image = NULL;
	g->hv = guest_hv;
}

uint64_t guest_image_end(void)
{
	return ((uintptr_t)_end + PAGE - 1) & ~(PAGE - 1);
}

int guest_create_vm(struct guest *g, int nr_vcpus)
{
	return guest_create_vm_irqchip(g, nr_vcpus, NULL);
}

int guest_create_vm_irqchip(struct guest *g, int nr_vcpus,
			    const struct minihv_irqchip *chip)
{
	uint64_t start = (uintptr_t)__executable_start & ~(PAGE - 1);
	const struct guest_hv *hv = g->hv;
	int i, ret;

	ret = hv->create_vm(g);
	if (ret)
		return ret;

	/* Snapshot the binary (code, data, the arch's tables) as RAM. */
	guest_ucall_mmio = hv->ucall_mmio;
	g->image_gpa = start;
	g->image_size = guest_image_end() - start;
	g->image = mmap(NULL, g->image_size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->image == MAP_FAILED)
		return -errno;
	dl_iterate_phdr(copy_segment, g);
	ret = hv->set_region(g, 0, g->image_gpa, g->image_size, g->image);
	if (ret)
		return ret;

	/* The interrupt controller comes before the vCPUs it serves. */
	if (chip) {
		ret = hv->create_irqchip(g, chip);
		if (ret)
			return ret;
	}
	for (i = 0; i < nr_vcpus; i++) {
		ret = hv->create_vcpu(g, i);
		if (ret)
			return ret;
	}
	return hv->vcpus_done ? hv->vcpus_done(g, nr_vcpus) : 0;
}

void *guest_mem(struct guest *g, const void *host_addr)
{
	return g->image + ((uint64_t)(uintptr_t)host_addr - g->image_gpa);
}

void guest_destroy(struct guest *g)
{
	/* The whole mapping: a part left behind would keep the VM alive. */
	long size = g->run_size > 0 ? g->run_size : getpagesize();
	int i;

	for (i = 0; i < GUEST_MAX_VCPUS; i++) {
		if (g->run[i] && g->run[i] != MAP_FAILED)
			munmap(g->run[i], size);
		if (g->vcpu[i] >= 0)
			close(g->vcpu[i]);
	}
	if (g->vm >= 0)
		close(g->vm);
	if (g->dev >= 0)
		close(g->dev);
	if (g->image && g->image != MAP_FAILED)
		munmap(g->image, g->image_size);
	guest_init(g);
}

int guest_run(struct guest *g, int vcpu)
{
	return g->hv->run(g, vcpu);
}
