// SPDX-License-Identifier: GPL-2.0
/*
 * Linux kernels in their own x86 boot protocols, as QEMU, kvmtool,
 * Firecracker and Cloud Hypervisor load them:
 *
 * - a bzImage through Linux's boot protocol (Documentation/x86/boot.rst,
 *   2.12 and later): the protected-mode part at the header's
 *   pref_address, the zero page (struct boot_params) with the setup
 *   header copied in, an e820 map, the command line, the initrd and the
 *   RSDP; entered at its 64-bit entry (load address + 0x200) in long
 *   mode on an identity map, RSI = the zero page.
 * - an uncompressed vmlinux (ELF) through the PVH entry point the
 *   XEN_ELFNOTE_PHYS32_ENTRY note gives (Xen's arch-x86/hvm/start_info.h,
 *   docs/misc/pvh.pandoc): the segments at their physical addresses, an
 *   hvm_start_info (version 1: with the memory map) whose first module is
 *   the initrd; entered in 32-bit protected mode, paging off, EBX = the
 *   start info. This skips the decompressor.
 *
 * Both put their boot data at X86_LINUX_BOOT, the command line at
 * X86_LINUX_CMDLINE and the initrd at the top of RAM, page aligned, as
 * QEMU does; the e820 map is the one every guest gets (x86_e820()).
 */
#include <elf.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "x86.h"

/* Offsets in the zero page (arch/x86/include/uapi/asm/bootparam.h). */
#define BP_ACPI_RSDP		0x070	/* u64, protocol 2.14 */
#define BP_E820_ENTRIES		0x1e8	/* u8 */
#define BP_HDR			0x1f1	/* the setup header starts here */
#define BP_E820_TABLE		0x2d0	/* 20-byte entries */
#define BP_E820_MAX		128
#define BP_SIZE			4096

/* The setup header, at the same offsets in the file and the zero page. */
#define HDR_SETUP_SECTS		0x1f1	/* u8, 0 means 4 */
#define HDR_BOOT_FLAG		0x1fe	/* u16, 0xaa55 */
#define HDR_JUMP		0x200	/* u8 at +1: the header's end - 0x202 */
#define HDR_MAGIC		0x202	/* "HdrS" */
#define HDR_VERSION		0x206	/* u16 */
#define HDR_TYPE_OF_LOADER	0x210	/* u8 */
#define HDR_RAMDISK_IMAGE	0x218	/* u32 */
#define HDR_RAMDISK_SIZE	0x21c	/* u32 */
#define HDR_CMD_LINE_PTR	0x228	/* u32 */
#define HDR_INITRD_ADDR_MAX	0x22c	/* u32 */
#define HDR_KERNEL_ALIGNMENT	0x230	/* u32 */
#define HDR_RELOCATABLE		0x234	/* u8 */
#define HDR_XLOADFLAGS		0x236	/* u16 */
#define HDR_CMDLINE_SIZE	0x238	/* u32, protocol 2.06 */
#define HDR_PREF_ADDRESS	0x258	/* u64, protocol 2.10 */
#define HDR_INIT_SIZE		0x260	/* u32 */

#define HDR_MAGIC_VALUE		0x53726448	/* "HdrS" */
#define BOOT_FLAG_VALUE		0xaa55
#define XLF_KERNEL_64		(1U << 0)	/* the 64-bit entry exists */
/* boot.rst: 0xff is "undefined", for a loader without an assigned id. */
#define LOADER_UNDEFINED	0xff
#define ENTRY_64_OFFSET		0x200

#define XEN_ELFNOTE_PHYS32_ENTRY	18
#define HVM_START_MAGIC		0x336ec578

struct hvm_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr;
	uint64_t memmap_paddr;		/* version 1 */
	uint32_t memmap_entries, reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr, size, cmdline_paddr, reserved;
};

struct hvm_memmap_table_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};

_Static_assert(sizeof(struct hvm_start_info) == 56, "start info layout");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "modlist layout");
_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24, "memmap layout");

#define PAGE_SIZE_4K		4096ULL

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint16_t rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void wr64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

bool linux_is_bzimage(const uint8_t *img, size_t size)
{
	return size >= BP_SIZE && rd16(img + HDR_BOOT_FLAG) == BOOT_FLAG_VALUE &&
	       rd32(img + HDR_MAGIC) == HDR_MAGIC_VALUE;
}

/* The command line, at most max bytes with its NUL, at X86_LINUX_CMDLINE. */
static int write_cmdline(struct vmm *vmm, size_t max)
{
	const char *s = vmm->cfg->append;
	size_t len = strlen(s) + 1;
	char *dst;

	if (max > X86_BOOT_DATA_END - X86_LINUX_CMDLINE)
		max = X86_BOOT_DATA_END - X86_LINUX_CMDLINE;
	if (len > max) {
		fprintf(stderr, "minihv: --append is %zu bytes; this kernel takes at most %zu\n",
			len - 1, max - 1);
		return -1;
	}
	dst = vmm_gpa_to_hva(vmm, X86_LINUX_CMDLINE, len);
	memcpy(dst, s, len);
	return 0;
}

/*
 * The initrd (one --initrd at most: both protocols pass one) at the top
 * of RAM below limit, page aligned, clear of the kernel's [0, kernel_end).
 */
static int load_initrd(struct vmm *vmm, uint64_t kernel_end, uint64_t limit,
		       uint64_t *gpa, uint64_t *size)
{
	const struct vmm_config *cfg = vmm->cfg;
	uint64_t top = vmm->ram_size < limit ? vmm->ram_size : limit;
	struct stat st;

	*gpa = *size = 0;
	if (!cfg->nr_initrds)
		return 0;
	if (cfg->nr_initrds > 1) {
		fprintf(stderr, "minihv: a Linux kernel takes one --initrd (concatenate cpio archives into one)\n");
		return -1;
	}
	if (stat(cfg->initrds[0], &st)) {
		perror(cfg->initrds[0]);
		return -1;
	}
	if ((uint64_t)st.st_size > top ||
	    ((top - st.st_size) & ~(PAGE_SIZE_4K - 1)) < kernel_end) {
		fprintf(stderr, "minihv: --initrd %s (%lld bytes) does not fit in RAM above the kernel (which ends at 0x%llx; see --mem)\n",
			cfg->initrds[0], (long long)st.st_size,
			(unsigned long long)kernel_end);
		return -1;
	}
	*gpa = (top - st.st_size) & ~(PAGE_SIZE_4K - 1);
	return x86_load_file(vmm, cfg->initrds[0], *gpa, size);
}

int linux_load_bzimage(struct vmm *vmm, const uint8_t *img, size_t size,
		       struct x86_boot *boot)
{
	unsigned int sects = img[HDR_SETUP_SECTS] ? img[HDR_SETUP_SECTS] : 4;
	unsigned int version = rd16(img + HDR_VERSION);
	size_t setup = (sects + 1) * 512ULL, hdr_end;
	uint64_t load, align, init_size, initrd, initrd_size;
	struct x86_e820 e820[X86_E820_MAX];
	uint8_t *bp, *dst;
	int i, n;

	/* 2.12: the 64-bit entry, xloadflags and pref_address. */
	if (version < 0x20c || !(rd16(img + HDR_XLOADFLAGS) & XLF_KERNEL_64)) {
		fprintf(stderr, "minihv: this bzImage (boot protocol %u.%02u) has no 64-bit entry point (protocol 2.12 and XLF_KERNEL_64 needed)\n",
			version >> 8, version & 0xff);
		return -1;
	}
	hdr_end = HDR_MAGIC + img[HDR_JUMP + 1];
	if (setup >= size || hdr_end > setup || hdr_end > BP_SIZE) {
		fprintf(stderr, "minihv: the bzImage's setup code (%zu bytes) is cut off\n",
			setup);
		return -1;
	}
	/*
	 * A relocatable kernel goes where it prefers, else at the 1 MiB
	 * it is linked for; it needs init_size bytes there to decompress.
	 */
	align = rd32(img + HDR_KERNEL_ALIGNMENT);
	load = X86_HIGH_RAM;
	if (img[HDR_RELOCATABLE] && align && !(align & (align - 1)))
		load = (rd32(img + HDR_PREF_ADDRESS) +
			((uint64_t)rd32(img + HDR_PREF_ADDRESS + 4) << 32) +
			align - 1) & ~(align - 1);
	init_size = rd32(img + HDR_INIT_SIZE);
	if (init_size < size - setup)
		init_size = size - setup;
	if (load + init_size > vmm->ram_size)
		load = X86_HIGH_RAM;
	dst = x86_guest_range(vmm, load, init_size,
			      "the kernel (with room to decompress)");
	if (!dst)
		return -1;
	memcpy(dst, img + setup, size - setup);

	bp = vmm_gpa_to_hva(vmm, X86_LINUX_BOOT, BP_SIZE);
	memset(bp, 0, BP_SIZE);
	memcpy(bp + BP_HDR, img + BP_HDR, hdr_end - BP_HDR);
	bp[HDR_TYPE_OF_LOADER] = LOADER_UNDEFINED;
	wr32(bp + HDR_CMD_LINE_PTR, X86_LINUX_CMDLINE);
	if (write_cmdline(vmm, rd32(img + HDR_CMDLINE_SIZE) + 1))
		return -1;
	if (load_initrd(vmm, load + init_size,
			(uint64_t)rd32(img + HDR_INITRD_ADDR_MAX) + 1,
			&initrd, &initrd_size))
		return -1;
	wr32(bp + HDR_RAMDISK_IMAGE, initrd);
	wr32(bp + HDR_RAMDISK_SIZE, initrd_size);
	wr64(bp + BP_ACPI_RSDP, X86_ACPI_BASE);
	n = x86_e820(vmm, e820);
	for (i = 0; i < n && i < BP_E820_MAX; i++) {
		uint8_t *e = bp + BP_E820_TABLE + i * 20;

		wr64(e, e820[i].addr);
		wr64(e + 8, e820[i].len);
		wr32(e + 16, e820[i].type);
	}
	bp[BP_E820_ENTRIES] = i;

	boot->mode = X86_MODE_LONG;
	boot->entry = load + ENTRY_64_OFFSET;
	boot->rsi = X86_LINUX_BOOT;
	return 0;
}

/*
 * The XEN_ELFNOTE_PHYS32_ENTRY note of an ELF64 file: 0 and the entry,
 * or -1 if the file has none (or is no ELF64 file).
 */
int linux_pvh_entry(const uint8_t *img, size_t size, uint64_t *entry)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	unsigned int i;

	if (size < sizeof(eh) || memcmp(img, ELFMAG, SELFMAG) ||
	    img[EI_CLASS] != ELFCLASS64)
		return -1;
	memcpy(&eh, img, sizeof(eh));
	if (eh.e_phentsize != sizeof(ph) || eh.e_phoff > size ||
	    (uint64_t)eh.e_phnum * sizeof(ph) > size - eh.e_phoff)
		return -1;
	for (i = 0; i < eh.e_phnum; i++) {
		uint64_t off, end;

		memcpy(&ph, img + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_NOTE || ph.p_offset > size ||
		    ph.p_filesz > size - ph.p_offset)
			continue;
		off = ph.p_offset;
		end = off + ph.p_filesz;
		/* Elf64_Nhdr, then name and desc, each padded to 4 bytes. */
		while (end - off >= sizeof(Elf64_Nhdr)) {
			Elf64_Nhdr nh;
			uint64_t name, desc, next;

			memcpy(&nh, img + off, sizeof(nh));
			name = off + sizeof(nh);
			desc = name + ((nh.n_namesz + 3ULL) & ~3ULL);
			next = desc + ((nh.n_descsz + 3ULL) & ~3ULL);
			if (next > end)
				break;
			/* Its desc is a 32-bit address, stored as 4 or 8 bytes. */
			if (nh.n_type == XEN_ELFNOTE_PHYS32_ENTRY &&
			    nh.n_namesz == 4 && !memcmp(img + name, "Xen", 4) &&
			    (nh.n_descsz == 4 || nh.n_descsz == 8)) {
				*entry = rd32(img + desc);
				return 0;
			}
			off = next;
		}
	}
	return -1;
}

int linux_load_pvh(struct vmm *vmm, const uint8_t *img, size_t size,
		   uint64_t entry, struct x86_boot *boot)
{
	struct hvm_memmap_table_entry *map;
	struct x86_e820 e820[X86_E820_MAX];
	struct hvm_modlist_entry *mod;
	struct hvm_start_info *si;
	uint64_t end = 0, initrd, initrd_size;
	uint8_t *area;
	int i, n;

	if (x86_load_elf(vmm, img, size, NULL, &end))
		return -1;
	if (write_cmdline(vmm, X86_BOOT_DATA_END - X86_LINUX_CMDLINE))
		return -1;
	if (load_initrd(vmm, end, X86_RAM_MAX, &initrd, &initrd_size))
		return -1;

	/* The start info, the memory map, the module: in this order. */
	area = vmm_gpa_to_hva(vmm, X86_LINUX_BOOT,
			      X86_LINUX_CMDLINE - X86_LINUX_BOOT);
	memset(area, 0, X86_LINUX_CMDLINE - X86_LINUX_BOOT);
	si = (struct hvm_start_info *)area;
	map = (struct hvm_memmap_table_entry *)(si + 1);
	n = x86_e820(vmm, e820);
	for (i = 0; i < n; i++) {
		map[i].addr = e820[i].addr;
		map[i].size = e820[i].len;
		map[i].type = e820[i].type;	/* e820 types, as Xen's */
	}
	mod = (struct hvm_modlist_entry *)(map + n);
	si->magic = HVM_START_MAGIC;
	si->version = 1;
	si->cmdline_paddr = X86_LINUX_CMDLINE;
	si->rsdp_paddr = X86_ACPI_BASE;
	si->memmap_paddr = X86_LINUX_BOOT + sizeof(*si);
	si->memmap_entries = n;
	if (initrd_size) {
		mod->paddr = initrd;
		mod->size = initrd_size;
		si->nr_modules = 1;
		si->modlist_paddr = X86_LINUX_BOOT + ((uint8_t *)mod - area);
	}

	boot->mode = X86_MODE_PROTECTED;
	boot->entry = entry;
	boot->ebx = X86_LINUX_BOOT;
	return 0;
}
