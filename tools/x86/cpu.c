// SPDX-License-Identifier: GPL-2.0
/*
 * How vCPU 0 starts: real mode at the image, 32-bit protected mode with
 * flat 4 GiB segments (Multiboot 3.2), or 64-bit long mode on an identity
 * map of the low 4 GiB. The tool's GDT holds the same descriptors the
 * segment registers start with, so a guest reloading them gets no
 * surprise.
 */
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include <asm/processor-flags.h>

#include "../minihv.h"
#include "x86.h"

#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)

#define PTE_PRESENT	0x001ULL
#define PTE_RW		0x002ULL
#define PTE_PS		0x080ULL	/* a 2 MiB page in a PD */

/* Type: execute/read and read/write, both accessed (VM entry wants A). */
static const struct minihv_segment code32 = {
	.limit = 0xffffffff, .selector = X86_SEL_CODE32, .type = 0xb,
	.present = 1, .s = 1, .db = 1, .g = 1,
};

static const struct minihv_segment code64 = {
	.limit = 0xffffffff, .selector = X86_SEL_CODE64, .type = 0xb,
	.present = 1, .s = 1, .l = 1, .g = 1,
};

static const struct minihv_segment data32 = {
	.limit = 0xffffffff, .selector = X86_SEL_DATA, .type = 0x3,
	.present = 1, .s = 1, .db = 1, .g = 1,
};

/* A segment register's hidden part as a GDT descriptor (SDM 3.4.5). */
static uint64_t descriptor(const struct minihv_segment *s)
{
	uint64_t limit = s->g ? s->limit >> 12 : s->limit;

	return (limit & 0xffff) | (s->base & 0xffffff) << 16 |
	       (uint64_t)s->type << 40 | (uint64_t)s->s << 44 |
	       (uint64_t)s->dpl << 45 | (uint64_t)s->present << 47 |
	       (limit >> 16 & 0xf) << 48 | (uint64_t)s->avl << 52 |
	       (uint64_t)s->l << 53 | (uint64_t)s->db << 54 |
	       (uint64_t)s->g << 55 | (s->base >> 24 & 0xff) << 56;
}

void x86_write_gdt(struct vmm *vmm)
{
	uint64_t *gdt = vmm_gpa_to_hva(vmm, X86_GDT, 4 * sizeof(*gdt));

	gdt[0] = 0;
	gdt[X86_SEL_CODE64 / 8] = descriptor(&code64);
	gdt[X86_SEL_CODE32 / 8] = descriptor(&code32);
	gdt[X86_SEL_DATA / 8] = descriptor(&data32);
}

/* PML4 -> one PDPT -> four PDs of 2 MiB pages: 0-4 GiB, read/write. */
void x86_write_identity_map(struct vmm *vmm)
{
	uint64_t *pt = vmm_gpa_to_hva(vmm, X86_PML4, 6 * 4096);
	uint64_t pdpt = X86_PML4 + 4096, pd = pdpt + 4096;
	int i;

	memset(pt, 0, 6 * 4096);
	pt[0] = pdpt | PTE_PRESENT | PTE_RW;
	for (i = 0; i < 4; i++)
		pt[512 + i] = (pd + i * 4096) | PTE_PRESENT | PTE_RW;
	for (i = 0; i < 4 * 512; i++)
		pt[1024 + i] = (uint64_t)i << 21 | PTE_PRESENT | PTE_RW | PTE_PS;
}

/*
 * Real mode: CS:IP = the image's 64 KiB segment and the offset in it
 * (0000:7c00 for a boot sector, as a BIOS jumps there); the data
 * segments the same. Caches on, unlike at reset: nothing needs them off.
 */
static void real_mode(struct minihv_sregs *sr, struct minihv_regs *regs,
		      uint64_t entry)
{
	uint16_t sel = (entry >> 4) & 0xf000;
	struct minihv_segment *segs[] = {
		&sr->cs, &sr->ds, &sr->es, &sr->fs, &sr->gs, &sr->ss,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(segs); i++) {
		segs[i]->selector = sel;
		segs[i]->base = (uint64_t)sel << 4;
		segs[i]->limit = 0xffff;
	}
	sr->cr0 = X86_CR0_ET;
	regs->rip = entry & 0xffff;
}

/*
 * Protected or long mode on the tool's GDT. IDTR limit 0: an exception
 * before the guest loads its own IDT triple-faults (a clean exit)
 * instead of vectoring through whatever is at address 0.
 */
static void flat_mode(struct minihv_sregs *sr, struct minihv_regs *regs,
		      const struct x86_boot *boot)
{
	bool lm = boot->mode == X86_MODE_LONG;

	sr->cs = lm ? code64 : code32;
	sr->ds = sr->es = sr->fs = sr->gs = sr->ss = data32;
	sr->gdt.base = X86_GDT;
	sr->gdt.limit = 4 * 8 - 1;
	sr->idt.base = 0;
	sr->idt.limit = 0;
	sr->cr0 = X86_CR0_PE | X86_CR0_ET;
	sr->cr4 = 0;
	sr->efer = 0;
	if (lm) {
		sr->cr0 |= X86_CR0_PG;
		sr->cr3 = X86_PML4;
		sr->cr4 = X86_CR4_PAE;
		sr->efer = EFER_LME | EFER_LMA;
	}
	regs->rip = boot->entry;
	regs->rax = boot->eax;
	regs->rbx = boot->ebx;
	regs->rsi = boot->rsi;
}

/* From the reset state the module gives a new vCPU (SDM 10.1.1). */
int x86_vcpu_boot(int fd, const struct x86_boot *boot)
{
	struct minihv_sregs sr;
	struct minihv_regs regs;

	if (ioctl(fd, MINIHV_GET_SREGS, &sr)) {
		perror("minihv: GET_SREGS");
		return -1;
	}
	memset(&regs, 0, sizeof(regs));
	regs.rflags = X86_EFLAGS_FIXED;
	if (boot->mode == X86_MODE_REAL)
		real_mode(&sr, &regs, boot->entry);
	else
		flat_mode(&sr, &regs, boot);
	if (ioctl(fd, MINIHV_SET_SREGS, &sr)) {
		perror("minihv: SET_SREGS");
		return -1;
	}
	if (ioctl(fd, MINIHV_SET_REGS, &regs)) {
		perror("minihv: SET_REGS");
		return -1;
	}
	return 0;
}
