// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 machine of `minihv run`: a PC as far as minihv has devices for
 * one (RAM at 0, COM1, an exit port; memory map in x86.h), booting
 * Multiboot v1 images as GRUB or QEMU would, or raw binaries in the mode
 * asked for.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../minihv.h"
#include "../vmm.h"
#include "x86.h"

const uint64_t arch_ram_base;

const char arch_usage[] =
	"  --load <addr>      raw binary: where it goes and starts (default\n"
	"                     0x7c00 in real mode, 0x100000 otherwise)\n"
	"  --entry-mode <m>   raw binary: start in real (default), protected\n"
	"                     or long mode\n"
	"<image>: a Multiboot v1 image (ELF or a.out kludge), started in\n"
	"32-bit protected mode with EAX = 0x2badb002 and EBX = the Multiboot\n"
	"info; or a raw binary. RAM at 0, at most 3 GiB; a 16550 UART at port\n"
	"0x3f8 on stdin/stdout; an exit port at 0xf4. --cpus: a raw binary\n"
	"starts every vCPU at its entry, each finding its id in CPUID.1:EBX\n"
	"bits 31:24 (as Jailhouse and Bao start a cell); a Multiboot image\n"
	"gets one (more need the local APIC's INIT/SIPI: not yet).\n"
	"Exit code: v & 0xff when the guest writes v to port 0xf4, 4 guest\n"
	"halted (HLT), 1 error or triple fault, 2 usage.\n";

static struct x86_boot boot;

static const char *const mode_names[] = {
	[X86_MODE_REAL] = "real",
	[X86_MODE_PROTECTED] = "protected",
	[X86_MODE_LONG] = "long",
};

static int parse_mode(const char *s, enum x86_mode *mode)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mode_names); i++) {
		if (!strcmp(s, mode_names[i])) {
			*mode = i;
			return 0;
		}
	}
	return -1;
}

int arch_check(const struct vmm_config *cfg)
{
	enum x86_mode mode = X86_MODE_REAL;

	if (cfg->mem > X86_RAM_MAX) {
		fprintf(stderr, "minihv: --mem: at most %llu MiB on x86 (the top GiB below 4 GiB is for devices)\n",
			X86_RAM_MAX >> 20);
		return -1;
	}
	if (cfg->initrd || cfg->dtb_out) {
		fprintf(stderr, "minihv: --initrd and --dtb-out are for arm64 guests\n");
		return -1;
	}
	if (cfg->entry_mode && parse_mode(cfg->entry_mode, &mode)) {
		fprintf(stderr, "minihv: --entry-mode must be real, protected or long\n");
		return -1;
	}
	if (cfg->load_set && mode == X86_MODE_REAL &&
	    cfg->load >= X86_HIGH_RAM) {
		fprintf(stderr, "minihv: --load: real mode starts below 1 MiB\n");
		return -1;
	}
	return 0;
}

void *x86_guest_range(struct vmm *vmm, uint64_t gpa, uint64_t len,
		      const char *what)
{
	void *hva = vmm_gpa_to_hva(vmm, gpa, len);

	if (!hva) {
		fprintf(stderr, "minihv: %s at 0x%llx-0x%llx is outside guest RAM (0-0x%llx; see --mem)\n",
			what, (unsigned long long)gpa,
			(unsigned long long)(gpa + len - 1),
			(unsigned long long)vmm->ram_size - 1);
		return NULL;
	}
	if (boot.mode != X86_MODE_REAL && gpa < X86_BOOT_DATA_END &&
	    gpa + len > X86_GDT) {
		fprintf(stderr, "minihv: %s at 0x%llx-0x%llx overlaps minihv's boot data at 0x%llx-0x%llx\n",
			what, (unsigned long long)gpa,
			(unsigned long long)(gpa + len - 1), X86_GDT,
			X86_BOOT_DATA_END - 1);
		return NULL;
	}
	return hva;
}

/* The whole file, if it can fit in RAM at all. */
static uint8_t *read_image(const char *path, uint64_t room, size_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint8_t *img = NULL;
	struct stat st;
	size_t done = 0;
	ssize_t n;

	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "minihv: %s: %s\n", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || !st.st_size) {
		fprintf(stderr, "minihv: %s: not a regular file with contents\n",
			path);
		goto out;
	}
	if ((uint64_t)st.st_size > room) {
		fprintf(stderr, "minihv: %s does not fit in guest RAM (use --mem)\n",
			path);
		goto out;
	}
	img = malloc(st.st_size);
	if (!img) {
		fprintf(stderr, "minihv: %s: out of memory\n", path);
		goto out;
	}
	while (done < (size_t)st.st_size) {
		n = read(fd, img + done, st.st_size - done);
		if (n <= 0) {
			fprintf(stderr, "minihv: reading %s failed\n", path);
			free(img);
			img = NULL;
			goto out;
		}
		done += n;
	}
	*size = done;
out:
	if (fd >= 0)
		close(fd);
	return img;
}

static int load_raw(struct vmm *vmm, const uint8_t *img, size_t size)
{
	const struct vmm_config *cfg = vmm->cfg;
	uint8_t *dst;

	boot.mode = X86_MODE_REAL;
	if (cfg->entry_mode)
		parse_mode(cfg->entry_mode, &boot.mode);	/* checked */
	if (cfg->load_set)
		boot.entry = cfg->load;
	else
		boot.entry = boot.mode == X86_MODE_REAL ? 0x7c00 : X86_HIGH_RAM;
	dst = x86_guest_range(vmm, boot.entry, size, "the image");
	if (!dst)
		return -1;
	memcpy(dst, img, size);
	return 0;
}

/* A Multiboot header decides; an ELF file without one is a mistake. */
int arch_load(struct vmm *vmm)
{
	const struct vmm_config *cfg = vmm->cfg;
	uint8_t *img;
	size_t size;
	int off, ret;

	img = read_image(cfg->image, vmm->ram_size, &size);
	if (!img)
		return -1;
	off = multiboot_find(img, size);
	if (off >= 0 && (cfg->load_set || cfg->entry_mode)) {
		fprintf(stderr, "minihv: %s is a Multiboot image: --load and --entry-mode are for raw binaries\n",
			cfg->image);
		ret = -1;
	} else if (off >= 0 && cfg->cpus > 1) {
		fprintf(stderr, "minihv: %s is a Multiboot image, which boots one CPU: starting more needs the local APIC (INIT/SIPI), not yet\n",
			cfg->image);
		ret = -1;
	} else if (off >= 0) {
		boot.mode = X86_MODE_PROTECTED;
		ret = multiboot_load(vmm, img, size, off, &boot);
	} else if (size >= SELFMAG && !memcmp(img, ELFMAG, SELFMAG)) {
		fprintf(stderr, "minihv: %s is an ELF file without a Multiboot header\n",
			cfg->image);
		ret = -1;
	} else {
		ret = load_raw(vmm, img, size);
	}
	free(img);
	if (ret)
		return -1;

	if (boot.mode != X86_MODE_REAL)
		x86_write_gdt(vmm);
	if (boot.mode == X86_MODE_LONG)
		x86_write_identity_map(vmm);
	vmm->entry = boot.entry;
	vmm->boot_arg = boot.ebx;
	return 0;
}

int arch_vcpu_setup(struct vmm *vmm, struct vcpu *v)
{
	return x86_vcpu_boot(v->fd, &boot);
}

void arch_devices(struct vmm *vmm)
{
	uart16550_init(vmm, X86_UART_PORT);
	debug_exit_init(vmm, X86_EXIT_PORT);
}

void arch_dump_vcpu(struct vcpu *v)
{
	struct minihv_regs r;
	struct minihv_sregs sr;

	if (ioctl(v->fd, MINIHV_GET_REGS, &r) ||
	    ioctl(v->fd, MINIHV_GET_SREGS, &sr))
		return;
	fprintf(stderr, "minihv: vCPU %d: rip 0x%llx rsp 0x%llx rflags 0x%llx rax 0x%llx rbx 0x%llx\n",
		v->id, (unsigned long long)r.rip, (unsigned long long)r.rsp,
		(unsigned long long)r.rflags, (unsigned long long)r.rax,
		(unsigned long long)r.rbx);
	fprintf(stderr, "minihv: vCPU %d: cs 0x%x base 0x%llx cr0 0x%llx cr2 0x%llx cr3 0x%llx cr4 0x%llx efer 0x%llx\n",
		v->id, sr.cs.selector, (unsigned long long)sr.cs.base,
		(unsigned long long)sr.cr0, (unsigned long long)sr.cr2,
		(unsigned long long)sr.cr3, (unsigned long long)sr.cr4,
		(unsigned long long)sr.efer);
}
