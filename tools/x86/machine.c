// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 machine of `minihv run`: a PC as far as minihv has devices for
 * one (RAM at 0, ACPI tables, COM1, fw_cfg, ACPI power-off and reset, an
 * exit port; memory map in x86.h), booting Multiboot v1 images as GRUB
 * or QEMU would, or raw binaries in the mode asked for. Where minihv.ko
 * emulates the local APICs, the I/O APIC and the PM timer
 * (MINIHV_CAP_IRQCHIP), the VM gets them: HLT then waits in the kernel
 * for an interrupt, the UART raises IRQ 4, and a Multiboot image's
 * vCPUs beyond the first wait for its INIT/SIPI. Without them the tables
 * leave the PM timer out, and a Multiboot image boots one vCPU.
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
	"  --initrd <file>    Multiboot: a module; one per --initrd, in order;\n"
	"                     Linux: the initrd (one)\n"
	"  --load <addr>      raw binary: where it goes and starts (default\n"
	"                     0x7c00 in real mode, 0x100000 otherwise)\n"
	"  --entry-mode <m>   raw binary: start in real (default), protected\n"
	"                     or long mode\n"
	"<image>: a Multiboot v1 image (ELF or a.out kludge), started in\n"
	"32-bit protected mode with EAX = 0x2badb002 and EBX = the Multiboot\n"
	"info; a Linux bzImage (boot protocol 2.12+, entered at its 64-bit\n"
	"entry with the zero page in RSI); an ELF vmlinux with a PVH note\n"
	"(XEN_ELFNOTE_PHYS32_ENTRY: 32-bit protected mode, EBX = the\n"
	"hvm_start_info); or a raw binary. RAM at 0, at most 3 GiB; ACPI\n"
	"tables (RSDP at 0xe0000); a 16550 UART at port 0x3f8 on stdin/stdout; fw_cfg at\n"
	"port 0x510; an exit port at 0xf4. If minihv.ko has the in-kernel\n"
	"APIC (and no --no-irqchip): local APICs, an I/O APIC at 0xfec00000,\n"
	"the PM timer at port 0x608, UART interrupts on IRQ 4, and HLT waits\n"
	"for an interrupt. --cpus: a raw binary starts every vCPU at its\n"
	"entry, each finding its id in CPUID.1:EBX bits 31:24 (as Jailhouse\n"
	"and Bao start a cell); a Multiboot image or Linux kernel starts\n"
	"vCPU 0 and the others wait for its INIT/SIPI (this needs the\n"
	"in-kernel APIC).\n"
	"Exit code: 0 ACPI power-off (S5), 3 reset (port 0xcf9), v & 0xff\n"
	"when the guest writes v to port 0xf4, 4 every vCPU halted (HLT,\n"
	"without the in-kernel APIC), 1 error or triple fault, 2 usage.\n";

static struct x86_boot boot;
/* Multiboot and Linux: vCPUs beyond the first wait for INIT/SIPI. */
static bool aps_wait_sipi;

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
	if (cfg->dtb_out) {
		fprintf(stderr, "minihv: --dtb-out is for arm64 guests\n");
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
	if (gpa < X86_ACPI_END && gpa + len > X86_ACPI_BASE) {
		fprintf(stderr, "minihv: %s at 0x%llx-0x%llx overlaps the ACPI tables at 0x%llx-0x%llx\n",
			what, (unsigned long long)gpa,
			(unsigned long long)(gpa + len - 1), X86_ACPI_BASE,
			X86_ACPI_END - 1);
		return NULL;
	}
	return hva;
}

int x86_e820(const struct vmm *vmm, struct x86_e820 *map)
{
	int n = 0;

	map[n++] = (struct x86_e820){ 0, X86_LOW_RAM_END, X86_E820_RAM };
	map[n++] = (struct x86_e820){ X86_LOW_RAM_END,
				      X86_HIGH_RAM - X86_LOW_RAM_END,
				      X86_E820_RESERVED };
	if (vmm->ram_size > X86_HIGH_RAM)
		map[n++] = (struct x86_e820){ X86_HIGH_RAM,
					      vmm->ram_size - X86_HIGH_RAM,
					      X86_E820_RAM };
	return n;
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

/*
 * A Multiboot header decides first (a kernel may have both), then a
 * bzImage's setup header, then a PVH note; another ELF file is a
 * mistake, anything else a raw binary.
 */
int arch_load(struct vmm *vmm)
{
	const struct vmm_config *cfg = vmm->cfg;
	const char *kind = NULL;
	uint64_t pvh_entry;
	uint8_t *img;
	size_t size;
	int off, ret;

	img = read_image(cfg->image, vmm->ram_size, &size);
	if (!img)
		return -1;
	off = multiboot_find(img, size);
	if (off >= 0)
		kind = "a Multiboot image";
	else if (linux_is_bzimage(img, size))
		kind = "a Linux bzImage";
	else if (!linux_pvh_entry(img, size, &pvh_entry))
		kind = "a PVH kernel";
	if (kind && (cfg->load_set || cfg->entry_mode)) {
		fprintf(stderr, "minihv: %s is %s: --load and --entry-mode are for raw binaries\n",
			cfg->image, kind);
		ret = -1;
	} else if (off >= 0) {
		aps_wait_sipi = true;
		boot.mode = X86_MODE_PROTECTED;
		ret = multiboot_load(vmm, img, size, off, &boot);
	} else if (kind) {
		aps_wait_sipi = true;
		/* Both protocols start in protected or long mode. */
		boot.mode = X86_MODE_PROTECTED;
		if (linux_is_bzimage(img, size))
			ret = linux_load_bzimage(vmm, img, size, &boot);
		else
			ret = linux_load_pvh(vmm, img, size, pvh_entry, &boot);
	} else if (cfg->nr_initrds) {
		fprintf(stderr, "minihv: %s is not a Multiboot image or Linux kernel: --initrd is for those\n",
			cfg->image);
		ret = -1;
	} else if (size >= SELFMAG && !memcmp(img, ELFMAG, SELFMAG)) {
		fprintf(stderr, "minihv: %s is an ELF file without a Multiboot header or PVH note\n",
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

/* The in-kernel APIC if minihv.ko has it, then the tables that say so. */
int arch_vm_setup(struct vmm *vmm)
{
	const struct vmm_config *cfg = vmm->cfg;
	struct minihv_irqchip chip = {
		.type = MINIHV_IRQCHIP_X86_APIC,
		.base = { X86_IOAPIC_BASE, X86_PM_TMR },
	};
	struct x86_acpi_config acpi = {
		.nr_cpus = cfg->cpus,
		.dsdt = x86_dsdt_aml,
		.dsdt_len = x86_dsdt_aml_end - x86_dsdt_aml,
	};
	int chips = ioctl(vmm->dev, MINIHV_CHECK_EXTENSION, MINIHV_CAP_IRQCHIP);
	uint8_t *area;

	if (!cfg->no_irqchip && chips > 0 &&
	    chips & (1 << MINIHV_IRQCHIP_X86_APIC)) {
		if (ioctl(vmm->vm, MINIHV_CREATE_IRQCHIP, &chip)) {
			perror("minihv: CREATE_IRQCHIP (local APICs, I/O APIC, PM timer)");
			return -1;
		}
		vmm->irqchip = true;
		acpi.pm_tmr = X86_PM_TMR;
	}
	if (aps_wait_sipi && cfg->cpus > 1 && !vmm->irqchip) {
		fprintf(stderr, "minihv: %s is a Multiboot image or Linux kernel: its vCPUs beyond the first wait for INIT/SIPI, which needs the in-kernel APIC (%s)\n",
			cfg->image, cfg->no_irqchip ? "--no-irqchip leaves it out" :
			"this minihv.ko has none");
		return -1;
	}
	/* RAM is 1 MiB at least (--mem): the BIOS area is always there. */
	area = vmm_gpa_to_hva(vmm, X86_ACPI_BASE, X86_ACPI_END - X86_ACPI_BASE);
	if (!x86_acpi_build(area, X86_ACPI_BASE, X86_ACPI_END - X86_ACPI_BASE,
			    &acpi)) {
		fprintf(stderr, "minihv: the ACPI tables do not fit in 0x%llx-0x%llx\n",
			X86_ACPI_BASE, X86_ACPI_END - 1);
		return -1;
	}
	return 0;
}

/*
 * A Multiboot image's or Linux kernel's other vCPUs start powered off: the kernel starts
 * each on the guest's INIT/SIPI, in real mode at the SIPI vector.
 */
int arch_vcpu_setup(struct vmm *vmm, struct vcpu *v)
{
	struct minihv_vcpu_init init = { .flags = MINIHV_VCPU_INIT_POWER_OFF };

	if (!aps_wait_sipi || !v->id)
		return x86_vcpu_boot(v->fd, &boot);
	if (ioctl(v->fd, MINIHV_VCPU_INIT, &init)) {
		perror("minihv: VCPU_INIT (waiting for SIPI)");
		return -1;
	}
	return 0;
}

void arch_devices(struct vmm *vmm)
{
	uart16550_init(vmm, X86_UART_PORT, X86_UART_IRQ);
	debug_exit_init(vmm, X86_EXIT_PORT);
	pm_init(vmm);
	fw_cfg_init(vmm, X86_FW_CFG_PORT);
	rtc_init(vmm);
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
