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

void guest_init(struct guest *g)
{
	memset(g, 0xff, sizeof(*g));
	g->image = NULL;
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
	long mmap_size;
	int i;

	g->dev = minihv_open();
	if (g->dev < 0)
		return -errno;
	g->vm = minihv_create_vm(g->dev);
	if (g->vm < 0)
		return -errno;

	/* Snapshot the binary (code, data, the arch's tables) as RAM. */
	g->image_gpa = start;
	g->image_size = guest_image_end() - start;
	g->image = mmap(NULL, g->image_size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->image == MAP_FAILED)
		return -errno;
	dl_iterate_phdr(copy_segment, g);
	if (minihv_set_region(g->vm, 0, g->image_gpa, g->image_size, g->image))
		return -errno;

	/* The interrupt controller comes before the vCPUs it serves. */
	if (chip && ioctl(g->vm, MINIHV_CREATE_IRQCHIP, chip))
		return -errno;

	mmap_size = ioctl(g->dev, MINIHV_GET_VCPU_MMAP_SIZE, 0);
	if (mmap_size < 0)
		return -errno;
	for (i = 0; i < nr_vcpus; i++) {
		g->vcpu[i] = ioctl(g->vm, MINIHV_CREATE_VCPU, i);
		if (g->vcpu[i] < 0)
			return -errno;
		g->run[i] = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE,
				 MAP_SHARED, g->vcpu[i], 0);
		if (g->run[i] == MAP_FAILED)
			return -errno;
	}
	return 0;
}

void *guest_mem(struct guest *g, const void *host_addr)
{
	return g->image + ((uint64_t)(uintptr_t)host_addr - g->image_gpa);
}

void guest_destroy(struct guest *g)
{
	long size = g->dev >= 0 ?
		    ioctl(g->dev, MINIHV_GET_VCPU_MMAP_SIZE, 0) : -1;
	int i;

	/* The whole mapping: a part left behind would keep the VM alive. */
	if (size <= 0)
		size = getpagesize();
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
	return ioctl(g->vcpu[vcpu], MINIHV_RUN, 0) ? -errno : 0;
}
