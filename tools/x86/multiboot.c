// SPDX-License-Identifier: GPL-2.0
/*
 * Multiboot v1 images (Multiboot Specification 0.6.96): the header in
 * the first 8 KiB of the file; the image placed by the header's a.out
 * kludge addresses or else by its ELF program headers; the modules
 * (--initrd) page-aligned after it; the Multiboot information for the
 * kernel, in the boot data area (x86.h).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "x86.h"

#define MB_HEADER_MAGIC		0x1badb002
#define MB_BOOT_MAGIC		0x2badb002	/* EAX at the entry point */
#define MB_SEARCH		8192		/* the header is in there */

/*
 * Header flags. A loader must refuse an image with a flag of bits 0-15
 * it does not know. Page-aligned modules: minihv aligns every module.
 * Video mode: there is no display, and the info's flags say no video
 * info was set, which kernels check (QEMU and GRUB on a serial line do
 * the same).
 */
#define MB_PAGE_ALIGN		(1U << 0)
#define MB_MEMORY_INFO		(1U << 1)
#define MB_VIDEO_MODE		(1U << 2)
#define MB_AOUT_KLUDGE		(1U << 16)
#define MB_REQUIRED_KNOWN	(MB_PAGE_ALIGN | MB_MEMORY_INFO | MB_VIDEO_MODE)

/* Information flags: what minihv fills in. */
#define MBI_MEM			(1U << 0)
#define MBI_CMDLINE		(1U << 2)
#define MBI_MODS		(1U << 3)
#define MBI_MMAP		(1U << 6)
#define MBI_LOADER_NAME		(1U << 9)

#define MB_PAGE			4096ULL

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

/* A module: [mod_start, mod_end) and its command line, as GRUB gives. */
struct mb_module {
	uint32_t mod_start, mod_end;
	uint32_t string;
	uint32_t reserved;
};

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
		     size_t off, const struct mb_header *h, uint64_t *entry,
		     uint64_t *end)
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
	*end = bss_end;
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
 * higher-half kernel) it moves with the segment, as GRUB does it. A
 * caller with its own entry point (PVH's note) passes no entry.
 */
int x86_load_elf(struct vmm *vmm, const uint8_t *img, size_t size,
		 uint64_t *entry, uint64_t *end)
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
		if (ph.p_paddr + ph.p_memsz > *end)
			*end = ph.p_paddr + ph.p_memsz;
		loaded++;
		if (entry && !found && e.entry >= ph.p_vaddr &&
		    e.entry - ph.p_vaddr < ph.p_memsz) {
			*entry = ph.p_paddr + (e.entry - ph.p_vaddr);
			found = true;
		}
	}
	if (!loaded) {
		fprintf(stderr, "minihv: the ELF file has nothing to load\n");
		return -1;
	}
	if (entry && !found) {
		fprintf(stderr, "minihv: the ELF entry point 0x%llx is in no loaded segment\n",
			(unsigned long long)e.entry);
		return -1;
	}
	return 0;
}

/*
 * One module, at gpa: the whole file, which must fit in RAM there. An
 * empty file is an empty module (mod_start == mod_end).
 */
int x86_load_file(struct vmm *vmm, const char *path, uint64_t gpa,
		  uint64_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint64_t done = 0;
	struct stat st;
	uint8_t *dst;
	ssize_t n;
	int ret = -1;

	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "minihv: --initrd %s: %s\n", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "minihv: --initrd %s: not a regular file\n", path);
		goto out;
	}
	dst = vmm_gpa_to_hva(vmm, gpa, st.st_size);
	if (!dst) {
		fprintf(stderr, "minihv: --initrd %s (%lld bytes) does not fit in guest RAM at 0x%llx, after the image (RAM ends at 0x%llx; see --mem)\n",
			path, (long long)st.st_size, (unsigned long long)gpa,
			(unsigned long long)vmm->ram_size);
		goto out;
	}
	while (done < (uint64_t)st.st_size) {
		n = read(fd, dst + done, st.st_size - done);
		if (n <= 0) {
			fprintf(stderr, "minihv: reading %s failed\n", path);
			goto out;
		}
		done += n;
	}
	*size = done;
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	return ret;
}

/* Modules go page-aligned after the image, at 1 MiB at the lowest. */
static int load_modules(struct vmm *vmm, uint64_t image_end,
			struct mb_module *mods)
{
	const struct vmm_config *cfg = vmm->cfg;
	uint64_t gpa = image_end > X86_HIGH_RAM ? image_end : X86_HIGH_RAM;
	uint64_t size;
	int i;

	for (i = 0; i < cfg->nr_initrds; i++) {
		gpa = (gpa + MB_PAGE - 1) & ~(MB_PAGE - 1);
		if (x86_load_file(vmm, cfg->initrds[i], gpa, &size))
			return -1;
		mods[i].mod_start = gpa;
		mods[i].mod_end = gpa + size;
		gpa += size;
	}
	return 0;
}

/* A bump allocator over the boot data area, for the information. */
struct mb_area {
	uint8_t *base;
	size_t used;
};

static void *area_alloc(struct mb_area *a, size_t len, uint32_t *gpa)
{
	size_t room = X86_BOOT_DATA_END - X86_BOOT_DATA;
	void *p;

	if (len > room - a->used)
		return NULL;
	p = a->base + a->used;
	*gpa = X86_BOOT_DATA + a->used;
	a->used += (len + 3) & ~3UL;	/* keep the next structure aligned */
	if (a->used > room)
		a->used = room;
	return p;
}

static char *area_string(struct mb_area *a, const char *s1, const char *s2,
			 uint32_t *gpa)
{
	size_t len = strlen(s1) + (*s2 ? 1 + strlen(s2) : 0) + 1;
	char *p = area_alloc(a, len, gpa);

	if (p)
		snprintf(p, len, "%s%s%s", s1, *s2 ? " " : "", s2);
	return p;
}

/*
 * The information, in the boot data area: the structure, the memory
 * map, the module list, the loader's name, the command line ("<image>
 * <append>" as GRUB and QEMU pass it) and each module's (its path).
 */
static int write_info(struct vmm *vmm, uint64_t image_end)
{
	const struct vmm_config *cfg = vmm->cfg;
	struct mb_area a = {
		.base = vmm_gpa_to_hva(vmm, X86_BOOT_DATA,
				       X86_BOOT_DATA_END - X86_BOOT_DATA),
	};
	struct x86_e820 e820[X86_E820_MAX];
	struct mb_mmap_entry *map;
	struct mb_module *mods;
	struct mb_info *mbi;
	int i, n = x86_e820(vmm, e820);
	uint32_t gpa;

	memset(a.base, 0, X86_BOOT_DATA_END - X86_BOOT_DATA);
	mbi = area_alloc(&a, sizeof(*mbi), &gpa);
	mbi->flags = MBI_MEM | MBI_CMDLINE | MBI_MODS | MBI_MMAP |
		     MBI_LOADER_NAME;
	/* Upper memory: KiB from 1 MiB to the first hole, here RAM's end. */
	mbi->mem_lower = X86_LOW_RAM_END >> 10;
	mbi->mem_upper = (vmm->ram_size - X86_HIGH_RAM) >> 10;

	map = area_alloc(&a, n * sizeof(*map), &mbi->mmap_addr);
	mbi->mmap_length = n * sizeof(*map);
	for (i = 0; i < n; i++) {
		map[i].size = sizeof(*map) - sizeof(map->size);
		map[i].addr_lo = e820[i].addr;
		map[i].addr_hi = e820[i].addr >> 32;
		map[i].len_lo = e820[i].len;
		map[i].len_hi = e820[i].len >> 32;
		map[i].type = e820[i].type;
	}

	/* At most VMM_MAX_INITRDS: room enough, as for the map. */
	mods = area_alloc(&a, cfg->nr_initrds * sizeof(*mods), &mbi->mods_addr);
	mbi->mods_count = cfg->nr_initrds;
	if (load_modules(vmm, image_end, mods))
		return -1;

	area_string(&a, loader_name, "", &mbi->boot_loader_name);
	if (!area_string(&a, cfg->image, cfg->append, &mbi->cmdline)) {
		fprintf(stderr, "minihv: the image path and --append are %zu bytes, more than the Multiboot information has room for\n",
			strlen(cfg->image) + 1 + strlen(cfg->append));
		return -1;
	}
	for (i = 0; i < cfg->nr_initrds; i++) {
		if (!area_string(&a, cfg->initrds[i], "", &mods[i].string)) {
			fprintf(stderr, "minihv: the --initrd paths do not fit in the Multiboot information (0x%llx-0x%llx): shorten them\n",
				X86_BOOT_DATA, X86_BOOT_DATA_END - 1);
			return -1;
		}
	}
	return 0;
}

int multiboot_load(struct vmm *vmm, const uint8_t *img, size_t size,
		   int hdr_off, struct x86_boot *boot)
{
	struct mb_header h = { 0 };
	uint64_t entry = 0, end = 0;
	int ret;

	memcpy(&h, img + hdr_off, size - hdr_off < sizeof(h) ?
	       size - hdr_off : sizeof(h));
	if (h.flags & 0xffff & ~MB_REQUIRED_KNOWN) {
		fprintf(stderr, "minihv: the image needs Multiboot features minihv does not have (header flags 0x%x)\n",
			h.flags);
		return -1;
	}
	if (h.flags & MB_AOUT_KLUDGE)
		ret = load_aout(vmm, img, size, hdr_off, &h, &entry, &end);
	else
		ret = x86_load_elf(vmm, img, size, &entry, &end);
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
	return write_info(vmm, end);
}
