// SPDX-License-Identifier: GPL-2.0
/*
 * Multiboot v1 images (Multiboot Specification 0.6.96): the header in
 * the first 8 KiB of the file; the image placed by the header's a.out
 * kludge addresses or else by its ELF program headers; the Multiboot
 * information for the kernel, in the boot data area (x86.h).
 */
#include <elf.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "x86.h"

#define MB_HEADER_MAGIC		0x1badb002
#define MB_BOOT_MAGIC		0x2badb002	/* EAX at the entry point */
#define MB_SEARCH		8192		/* the header is in there */

/*
 * Header flags. A loader must refuse an image with a flag of bits 0-15
 * it does not know. Page-aligned modules: there are none. Video mode:
 * there is no display, and the info's flags say no video info was set,
 * which kernels check (QEMU and GRUB on a serial line do the same).
 */
#define MB_PAGE_ALIGN		(1U << 0)
#define MB_MEMORY_INFO		(1U << 1)
#define MB_VIDEO_MODE		(1U << 2)
#define MB_AOUT_KLUDGE		(1U << 16)
#define MB_REQUIRED_KNOWN	(MB_PAGE_ALIGN | MB_MEMORY_INFO | MB_VIDEO_MODE)

/* Information flags: what minihv fills in. */
#define MBI_MEM			(1U << 0)
#define MBI_CMDLINE		(1U << 2)
#define MBI_MMAP		(1U << 6)
#define MBI_LOADER_NAME		(1U << 9)

#define MB_MEMORY_AVAILABLE	1
#define MB_MEMORY_RESERVED	2

struct mb_header {
	uint32_t magic, flags, checksum;
	/* With MB_AOUT_KLUDGE: */
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr;
	uint32_t entry_addr;
};

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;		/* KiB */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe[4];
	uint32_t framebuffer[7];
};

_Static_assert(offsetof(struct mb_info, mmap_addr) == 48, "mb_info layout");
_Static_assert(sizeof(struct mb_info) == 116, "mb_info size");

/*
 * size counts the bytes after itself, so the map can grow entries. The
 * 64-bit base and length sit at 4-byte offsets: kept as halves.
 */
struct mb_mmap_entry {
	uint32_t size;
	uint32_t addr_lo, addr_hi;
	uint32_t len_lo, len_hi;
	uint32_t type;
};

_Static_assert(sizeof(struct mb_mmap_entry) == 24, "mmap entry size");

static const char loader_name[] = "minihv";

int multiboot_find(const uint8_t *img, size_t size)
{
	uint32_t w[3];
	size_t off;

	for (off = 0; off + sizeof(w) <= size && off + sizeof(w) <= MB_SEARCH;
	     off += 4) {
		memcpy(w, img + off, sizeof(w));
		if (w[0] == MB_HEADER_MAGIC && w[0] + w[1] + w[2] == 0)
			return off;
	}
	return -1;
}

/*
 * The header's addresses tie the file to memory: the header sits at
 * header_addr, so the file offset of load_addr follows from the header's
 * own offset. load_end_addr 0: the rest of the file; bss_end_addr 0: no
 * BSS.
 */
static int load_aout(struct vmm *vmm, const uint8_t *img, size_t size,
		     size_t off, const struct mb_header *h, uint64_t *entry)
{
	uint64_t file_off, load_end, bss_end;
	uint8_t *dst;

	if (off + sizeof(*h) > size || off + sizeof(*h) > MB_SEARCH) {
		fprintf(stderr, "minihv: the Multiboot header's address fields are cut off\n");
		return -1;
	}
	if (h->load_addr > h->header_addr ||
	    h->header_addr - h->load_addr > off) {
		fprintf(stderr, "minihv: Multiboot load_addr 0x%x does not fit header_addr 0x%x at file offset 0x%zx\n",
			h->load_addr, h->header_addr, off);
		return -1;
	}
	file_off = off - (h->header_addr - h->load_addr);
	load_end = h->load_end_addr ? h->load_end_addr :
		   h->load_addr + (size - file_off);
	if (load_end < h->load_addr ||
	    load_end - h->load_addr > size - file_off) {
		fprintf(stderr, "minihv: Multiboot load_end_addr 0x%x is below load_addr or past the end of the file\n",
			h->load_end_addr);
		return -1;
	}
	bss_end = h->bss_end_addr ? h->bss_end_addr : load_end;
	if (bss_end < load_end) {
		fprintf(stderr, "minihv: Multiboot bss_end_addr 0x%x is below load_end_addr\n",
			h->bss_end_addr);
		return -1;
	}
	dst = x86_guest_range(vmm, h->load_addr, bss_end - h->load_addr,
			      "the image");
	if (!dst)
		return -1;
	memcpy(dst, img + file_off, load_end - h->load_addr);
	memset(dst + (load_end - h->load_addr), 0, bss_end - load_end);
	if (h->entry_addr < h->load_addr || h->entry_addr >= bss_end) {
		fprintf(stderr, "minihv: Multiboot entry_addr 0x%x is outside the image (0x%x-0x%llx)\n",
			h->entry_addr, h->load_addr,
			(unsigned long long)bss_end - 1);
		return -1;
	}
	*entry = h->entry_addr;
	return 0;
}

/* Program header i, widened to the ELF64 layout; the caller checked it. */
static void read_phdr(const uint8_t *img, int class, uint64_t off,
		      Elf64_Phdr *ph)
{
	Elf32_Phdr p;

	if (class == ELFCLASS64) {
		memcpy(ph, img + off, sizeof(*ph));
		return;
	}
	memcpy(&p, img + off, sizeof(p));
	ph->p_type = p.p_type;
	ph->p_offset = p.p_offset;
	ph->p_vaddr = p.p_vaddr;
	ph->p_paddr = p.p_paddr;
	ph->p_filesz = p.p_filesz;
	ph->p_memsz = p.p_memsz;
}

/* The ELF header fields loading needs, from an ELF32 or ELF64 file. */
struct elf_image {
	int class;
	uint64_t entry, phoff;
	unsigned int phnum, phentsize;
};

static int read_ehdr(const uint8_t *img, size_t size, struct elf_image *e)
{
	Elf32_Ehdr e32;
	Elf64_Ehdr e64;
	unsigned int machine, type;

	if (size < EI_NIDENT || memcmp(img, ELFMAG, SELFMAG)) {
		fprintf(stderr, "minihv: a Multiboot image without the a.out kludge (header flag 16) must be an ELF file\n");
		return -1;
	}
	e->class = img[EI_CLASS];
	if (img[EI_DATA] != ELFDATA2LSB ||
	    (e->class != ELFCLASS32 && e->class != ELFCLASS64)) {
		fprintf(stderr, "minihv: not a little-endian ELF32 or ELF64 file\n");
		return -1;
	}
	if (e->class == ELFCLASS32 && size >= sizeof(e32)) {
		memcpy(&e32, img, sizeof(e32));
		machine = e32.e_machine == EM_386 ? EM_386 : 0;
		type = e32.e_type;
		e->entry = e32.e_entry;
		e->phoff = e32.e_phoff;
		e->phnum = e32.e_phnum;
		e->phentsize = e32.e_phentsize == sizeof(Elf32_Phdr) ?
			       sizeof(Elf32_Phdr) : 0;
	} else if (e->class == ELFCLASS64 && size >= sizeof(e64)) {
		memcpy(&e64, img, sizeof(e64));
		machine = e64.e_machine == EM_X86_64 ? EM_X86_64 : 0;
		type = e64.e_type;
		e->entry = e64.e_entry;
		e->phoff = e64.e_phoff;
		e->phnum = e64.e_phnum;
		e->phentsize = e64.e_phentsize == sizeof(Elf64_Phdr) ?
			       sizeof(Elf64_Phdr) : 0;
	} else {
		fprintf(stderr, "minihv: the ELF header is cut off\n");
		return -1;
	}
	if (!machine || type != ET_EXEC) {
		fprintf(stderr, "minihv: not an x86 executable (ELF32 i386 or ELF64 x86-64, ET_EXEC)\n");
		return -1;
	}
	if (!e->phentsize || !e->phnum || e->phoff > size ||
	    (uint64_t)e->phnum * e->phentsize > size - e->phoff) {
		fprintf(stderr, "minihv: the ELF program headers are missing or cut off\n");
		return -1;
	}
	return 0;
}

/*
 * PT_LOAD segments go to their physical addresses. The entry point is a
 * virtual address: in a segment linked elsewhere than it is loaded (a
 * higher-half kernel) it moves with the segment, as GRUB does it.
 */
static int load_elf(struct vmm *vmm, const uint8_t *img, size_t size,
		    uint64_t *entry)
{
	struct elf_image e;
	bool found = false;
	int loaded = 0;
	Elf64_Phdr ph;
	unsigned int i;
	uint8_t *dst;

	if (read_ehdr(img, size, &e))
		return -1;
	for (i = 0; i < e.phnum; i++) {
		read_phdr(img, e.class, e.phoff + i * e.phentsize, &ph);
		if (ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		if (ph.p_filesz > ph.p_memsz || ph.p_offset > size ||
		    ph.p_filesz > size - ph.p_offset) {
			fprintf(stderr, "minihv: ELF segment %u lies outside the file\n",
				i);
			return -1;
		}
		dst = x86_guest_range(vmm, ph.p_paddr, ph.p_memsz,
				      "an ELF segment");
		if (!dst)
			return -1;
		memcpy(dst, img + ph.p_offset, ph.p_filesz);
		memset(dst + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
		loaded++;
		if (!found && e.entry >= ph.p_vaddr &&
		    e.entry - ph.p_vaddr < ph.p_memsz) {
			*entry = ph.p_paddr + (e.entry - ph.p_vaddr);
			found = true;
		}
	}
	if (!loaded) {
		fprintf(stderr, "minihv: the ELF file has nothing to load\n");
		return -1;
	}
	if (!found) {
		fprintf(stderr, "minihv: the ELF entry point 0x%llx is in no loaded segment\n",
			(unsigned long long)e.entry);
		return -1;
	}
	return 0;
}

static void add_mmap(struct mb_mmap_entry **e, uint64_t addr, uint64_t end,
		     uint32_t type)
{
	struct mb_mmap_entry *m = (*e)++;

	m->size = sizeof(*m) - sizeof(m->size);
	m->addr_lo = addr;
	m->addr_hi = addr >> 32;
	m->len_lo = end - addr;
	m->len_hi = (end - addr) >> 32;
	m->type = type;
}

/*
 * The information, in the boot data area: the structure, the memory
 * map, the loader's name and the command line, "<image> <append>" as
 * GRUB and QEMU pass it.
 */
static int write_info(struct vmm *vmm)
{
	const struct vmm_config *cfg = vmm->cfg;
	uint8_t *area = vmm_gpa_to_hva(vmm, X86_BOOT_DATA,
				       X86_BOOT_DATA_END - X86_BOOT_DATA);
	struct mb_info *mbi = (struct mb_info *)area;
	struct mb_mmap_entry *map = (struct mb_mmap_entry *)(mbi + 1);
	size_t room, len = strlen(cfg->image) + 1 + strlen(cfg->append) + 1;
	char *name, *cmdline;

	memset(area, 0, X86_BOOT_DATA_END - X86_BOOT_DATA);
	mbi->flags = MBI_MEM | MBI_CMDLINE | MBI_MMAP | MBI_LOADER_NAME;
	/* Upper memory: KiB from 1 MiB to the first hole, here RAM's end. */
	mbi->mem_lower = X86_LOW_RAM_END >> 10;
	mbi->mem_upper = (vmm->ram_size - X86_HIGH_RAM) >> 10;

	mbi->mmap_addr = X86_BOOT_DATA + ((uint8_t *)map - area);
	add_mmap(&map, 0, X86_LOW_RAM_END, MB_MEMORY_AVAILABLE);
	add_mmap(&map, X86_LOW_RAM_END, X86_HIGH_RAM, MB_MEMORY_RESERVED);
	if (vmm->ram_size > X86_HIGH_RAM)
		add_mmap(&map, X86_HIGH_RAM, vmm->ram_size,
			 MB_MEMORY_AVAILABLE);
	mbi->mmap_length = X86_BOOT_DATA + ((uint8_t *)map - area) -
			   mbi->mmap_addr;

	name = (char *)map;
	memcpy(name, loader_name, sizeof(loader_name));
	mbi->boot_loader_name = X86_BOOT_DATA + ((uint8_t *)name - area);

	cmdline = name + sizeof(loader_name);
	room = area + (X86_BOOT_DATA_END - X86_BOOT_DATA) - (uint8_t *)cmdline;
	if (len > room) {
		fprintf(stderr, "minihv: the image path and --append are %zu bytes, the Multiboot command line has room for %zu\n",
			len - 1, room - 1);
		return -1;
	}
	snprintf(cmdline, room, "%s%s%s", cfg->image, *cfg->append ? " " : "",
		 cfg->append);
	mbi->cmdline = X86_BOOT_DATA + ((uint8_t *)cmdline - area);
	return 0;
}

int multiboot_load(struct vmm *vmm, const uint8_t *img, size_t size,
		   int hdr_off, struct x86_boot *boot)
{
	struct mb_header h = { 0 };
	uint64_t entry = 0;
	int ret;

	memcpy(&h, img + hdr_off, size - hdr_off < sizeof(h) ?
	       size - hdr_off : sizeof(h));
	if (h.flags & 0xffff & ~MB_REQUIRED_KNOWN) {
		fprintf(stderr, "minihv: the image needs Multiboot features minihv does not have (header flags 0x%x)\n",
			h.flags);
		return -1;
	}
	if (h.flags & MB_AOUT_KLUDGE)
		ret = load_aout(vmm, img, size, hdr_off, &h, &entry);
	else
		ret = load_elf(vmm, img, size, &entry);
	if (ret)
		return -1;
	if (entry >> 32) {
		fprintf(stderr, "minihv: the entry point 0x%llx is not a 32-bit address\n",
			(unsigned long long)entry);
		return -1;
	}
	/* Multiboot 3.2: 32-bit protected mode, paging off. */
	boot->mode = X86_MODE_PROTECTED;
	boot->entry = entry;
	boot->eax = MB_BOOT_MAGIC;
	boot->ebx = X86_BOOT_DATA;
	return write_info(vmm);
}
