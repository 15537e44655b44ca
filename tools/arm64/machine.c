// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 machine of `minihv run`, laid out like QEMU's "virt" so
 * existing guests run unchanged: RAM at 1 GiB, GICv3 at 0x08000000, a
 * PL011 at 0x09000000, a PL031 RTC at 0x09010000, PSCI over HVC, a device
 * tree in x0.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../vmm.h"
#include "arm64.h"

const uint64_t arch_ram_base = ARM64_RAM_BASE;

const char arch_usage[] =
	"  --initrd <file>    initial ramdisk\n"
	"  --dtb-out <file>   also write the generated device tree there\n"
	"<image>: a Linux arm64 Image (its header is honoured) or a raw\n"
	"binary loaded at the start of RAM.\n"
	"Exit code: 0 guest powered off, 3 guest reset, 1 error, 2 usage.\n";

int arch_check(const struct vmm_config *cfg)
{
	if (cfg->load_set || cfg->entry_mode) {
		fprintf(stderr, "minihv: --load and --entry-mode are for x86 guests\n");
		return -1;
	}
	if (cfg->nr_initrds > 1) {
		fprintf(stderr, "minihv: one --initrd for an arm64 guest\n");
		return -1;
	}
	return 0;
}

/* The Linux arm64 Image header (Documentation/arm64/booting.rst). */
struct image_header {
	uint32_t code0, code1;
	uint64_t text_offset;
	uint64_t image_size;
	uint64_t flags;
	uint64_t res2, res3, res4;
	uint32_t magic;			/* "ARM\x64" */
	uint32_t res5;
};

#define IMAGE_MAGIC	0x644d5241

static int load_file(const char *path, void *dst, uint64_t room,
		     uint64_t *size)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	uint64_t done = 0;

	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "minihv: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if ((uint64_t)st.st_size > room) {
		fprintf(stderr, "minihv: %s does not fit in guest RAM (use --mem)\n",
			path);
		close(fd);
		return -1;
	}
	while (done < (uint64_t)st.st_size) {
		n = read(fd, (char *)dst + done, st.st_size - done);
		if (n <= 0) {
			fprintf(stderr, "minihv: reading %s failed\n", path);
			close(fd);
			return -1;
		}
		done += n;
	}
	close(fd);
	*size = done;
	return 0;
}

/*
 * RAM: the image at its offset from the bottom; the device tree in the
 * top 2 MiB (booting.rst: 8-byte aligned, within one 2 MiB region); the
 * initrd just below it.
 */
int arch_load(struct vmm *vmm)
{
	const struct vmm_config *cfg = vmm->cfg;
	uint64_t dtb_off = vmm->ram_size - ARM64_DTB_MAX;
	uint64_t size, off = 0, initrd_off = 0, initrd_size = 0;
	struct image_header hdr;

	if (vmm->ram_size < 2 * ARM64_DTB_MAX) {
		fprintf(stderr, "minihv: --mem is too small\n");
		return -1;
	}
	if (load_file(cfg->image, vmm->ram, dtb_off, &size))
		return -1;
	memcpy(&hdr, vmm->ram, sizeof(hdr) < size ? sizeof(hdr) : size);
	if (size >= sizeof(hdr) && hdr.magic == IMAGE_MAGIC) {
		/* Before 3.17 image_size was 0 and the offset was 0x80000. */
		off = hdr.image_size ? hdr.text_offset : 0x80000;
		if (off + (hdr.image_size ? hdr.image_size : size) > dtb_off) {
			fprintf(stderr, "minihv: the kernel does not fit in guest RAM\n");
			return -1;
		}
		memmove(vmm->ram + off, vmm->ram, size);
		memset(vmm->ram, 0, off);
	}
	vmm->entry = vmm->ram_gpa + off;

	if (cfg->initrd) {
		uint64_t room = dtb_off - ((off + size + 0xfff) & ~0xfffULL);

		if (load_file(cfg->initrd, vmm->ram + dtb_off - room, room,
			      &initrd_size))
			return -1;
		initrd_off = (dtb_off - initrd_size) & ~0xfffULL;
		memmove(vmm->ram + initrd_off, vmm->ram + dtb_off - room,
			initrd_size);
	}

	vmm->boot_arg = vmm->ram_gpa + dtb_off;
	return arm64_fdt(vmm, vmm->ram + dtb_off, ARM64_DTB_MAX,
			 initrd_size ? vmm->ram_gpa + initrd_off : 0,
			 initrd_size);
}

/* vCPU 0 boots the image; the others wait for PSCI CPU_ON. */
int arch_vcpu_setup(struct vmm *vmm, struct vcpu *v)
{
	struct minihv_vcpu_init init = { .flags = MINIHV_VCPU_INIT_POWER_OFF };
	struct minihv_regs regs;

	if (v->id) {
		if (ioctl(v->fd, MINIHV_VCPU_INIT, &init)) {
			perror("minihv: VCPU_INIT");
			return -1;
		}
		return 0;
	}
	if (ioctl(v->fd, MINIHV_GET_REGS, &regs)) {
		perror("minihv: GET_REGS");
		return -1;
	}
	/* booting.rst: x0 = the device tree, x1..x3 = 0, EL1h, DAIF masked. */
	memset(regs.x, 0, sizeof(regs.x));
	regs.x[0] = vmm->boot_arg;
	regs.pc = vmm->entry;
	if (ioctl(v->fd, MINIHV_SET_REGS, &regs)) {
		perror("minihv: SET_REGS");
		return -1;
	}
	return 0;
}

/*
 * The GICv3 the device tree describes, emulated in the kernel; without
 * one (no GIC virtualization) the guest runs with no interrupts.
 */
int arch_vm_setup(struct vmm *vmm)
{
	struct minihv_irqchip chip = {
		.type = MINIHV_IRQCHIP_GICV3,
		.base = { ARM64_GICD_BASE, ARM64_GICR_BASE },
		.size = { 0, ARM64_GICR_SIZE * vmm->cfg->cpus },
	};
	long caps = ioctl(vmm->dev, MINIHV_CHECK_EXTENSION, MINIHV_CAP_IRQCHIP);

	if (vmm->cfg->no_irqchip)
		return 0;
	if (caps <= 0 || !(caps & (1 << MINIHV_IRQCHIP_GICV3))) {
		fprintf(stderr, "minihv: no in-kernel GICv3 here: the guest gets no interrupts\n");
		return 0;
	}
	if (ioctl(vmm->vm, MINIHV_CREATE_IRQCHIP, &chip)) {
		perror("minihv: CREATE_IRQCHIP");
		return -1;
	}
	vmm->irqchip = true;
	return 0;
}

void arch_devices(struct vmm *vmm)
{
	pl011_init(vmm, ARM64_PL011_BASE, ARM64_PL011_IRQ);
	pl031_init(vmm, ARM64_PL031_BASE);
}

void arch_dump_vcpu(struct vcpu *v)
{
	struct minihv_regs regs;

	if (ioctl(v->fd, MINIHV_GET_REGS, &regs))
		return;
	fprintf(stderr, "minihv: vCPU %d: pc 0x%llx pstate 0x%llx sp 0x%llx x0 0x%llx\n",
		v->id, (unsigned long long)regs.pc,
		(unsigned long long)regs.pstate, (unsigned long long)regs.sp,
		(unsigned long long)regs.x[0]);
}
