// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64 guests for the kselftests: see guest.h. Each vCPU starts in
 * 64-bit long mode (no firmware, no mode switches: SET_SREGS puts it
 * there) on an identity map of the first two GiB and of the last one
 * below 4 GiB (the APICs), with a GDT, an IDT whose handlers report
 * exceptions to the host and pass interrupts and NMIs to the test's
 * guest_irq_handler, and a stack of its own.
 */
#if defined(__x86_64__)
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guest.h"
#include "minihv_util.h"

#define STACK_SIZE	(16 * 1024)
#define IST_SIZE	4096
#define IRQ_STACK_SIZE	8192		/* the handler's C code, FXSAVE area */
#define NR_VECTORS	256
#define NR_EXCEPTIONS	32

/* Page-table entry bits (SDM 4.5). */
#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_PWT		(1ULL << 3)
#define PTE_PCD		(1ULL << 4)
#define PTE_PS		(1ULL << 7)

#define X86_CR0_MP	(1ULL << 1)
#define X86_CR4_OSXMMEXCPT (1ULL << 10)

/*
 * The 64-bit TSS (SDM 8.7): only IST1 is used, for exceptions. Its
 * 64-bit fields are only 4-byte aligned, so they are kept as halves.
 */
struct tss64 {
	uint32_t reserved0;
	uint32_t rsp[3][2];
	uint32_t reserved1[2];
	uint32_t ist[7][2];
	uint32_t reserved2[2];
	uint16_t reserved3;
	uint16_t iomap_base;
};

_Static_assert(sizeof(struct tss64) == 104, "TSS layout");

/* What GS points at in each vCPU: guest_vcpu_id() reads id. */
struct guest_percpu {
	uint64_t id;
};

/*
 * All of these live in the binary, so in the guest at the same address;
 * guest_create fills them before the binary is copied.
 */
static _Alignas(4096) uint64_t guest_pml4[512];
static _Alignas(4096) uint64_t guest_pdpt[512];
static _Alignas(4096) uint64_t guest_pd[3][512];
static _Alignas(4096) uint64_t guest_idt[NR_VECTORS][2];
static _Alignas(16) uint64_t guest_gdt[GUEST_SEL_TSS / 8 + 2 * GUEST_MAX_VCPUS];
static _Alignas(16) struct tss64 guest_tss[GUEST_MAX_VCPUS];
static struct guest_percpu guest_percpu[GUEST_MAX_VCPUS];
static _Alignas(16) char guest_stacks[GUEST_MAX_VCPUS][STACK_SIZE];
/*
 * Exceptions switch to a stack of their own (IST1): the interrupted code
 * is built with a red zone below RSP, which the exception frame would
 * overwrite on its stack, and a resumed function must find it intact.
 */
static _Alignas(16) char guest_ist_stacks[GUEST_MAX_VCPUS][IST_SIZE];
/* Interrupts (IST2) and NMIs (IST3), so that neither lands on the other. */
static _Alignas(16) char guest_irq_stacks[GUEST_MAX_VCPUS][IRQ_STACK_SIZE];
static _Alignas(16) char guest_nmi_stacks[GUEST_MAX_VCPUS][IRQ_STACK_SIZE];

void (*guest_irq_handler)(uint64_t vector);

/*
 * The guest's first instructions: RDI the argument, RSI the function, on
 * a 16-byte aligned stack. Report the result; a later RUN only halts.
 *
 * The exception stubs are 16 bytes apart (IDT entry n points at
 * guest_exception_stubs + 16 * n) and give guest_exception a uniform
 * frame: vector, error code (0 if the CPU pushes none), then the CPU's
 * RIP, CS, RFLAGS, RSP, SS.
 */
asm(".pushsection .text\n"
	".globl guest_entry, guest_entry_done\n"
	".balign 16\n"
	"guest_entry:\n"
	"	call	*%rsi\n"
	"	mov	guest_ucall_mmio(%rip), %rdx\n"
	"	test	%rdx, %rdx\n"
	"	jz	1f\n"
	"	mov	%rax, (%rdx)\n"		/* UCALL_DONE as MMIO */
	"	jmp	guest_entry_done\n"
	"1:	mov	%rax, %rcx\n"
	"	mov	$0x600d, %ebx\n"		/* UCALL_DONE */
	"	mov	$0xc6000101, %eax\n"		/* MINIHV_HCALL_EXIT */
	"	vmcall\n"
	"guest_entry_done:\n"
	"	hlt\n"
	"	jmp	guest_entry_done\n"

	".globl guest_exception_stubs\n"
	".balign 16\n"
	"guest_exception_stubs:\n"
	".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
	".balign 16\n"
	".if (\\n != 8) && (\\n < 10 || \\n > 14) && (\\n != 17) && (\\n != 21) && (\\n != 29) && (\\n != 30)\n"
	"	pushq	$0\n"
	".endif\n"
	"	pushq	$\\n\n"
	"	jmp	guest_exception\n"
	".endr\n"

	/*
	 * Report vector, error code, RIP and CR2; resume at the host's
	 * answer if it gave one (an iretq with every register intact).
	 */
	"guest_exception:\n"
	"	push	%rax\n"
	"	push	%rbx\n"
	"	push	%rcx\n"
	"	push	%rdx\n"
	"	push	%rsi\n"
	"	push	%rdi\n"
	"	mov	%cr2, %rdi\n"
	"	mov	48(%rsp), %rsi\n"		/* vector */
	"	mov	56(%rsp), %rcx\n"		/* error code */
	"	mov	64(%rsp), %rdx\n"		/* RIP */
	"	mov	guest_ucall_mmio(%rip), %rax\n"
	"	test	%rax, %rax\n"
	"	jz	1f\n"
	"	mov	%rsi, 8(%rax)\n"		/* UCALL_EXCEPTION as MMIO */
	"	jmp	2f\n"
	"1:	mov	$0xe1, %ebx\n"			/* UCALL_EXCEPTION */
	"	mov	$0xc6000101, %eax\n"
	"	vmcall\n"
	"	test	%rax, %rax\n"
	"	jz	2f\n"
	"	mov	%rax, 64(%rsp)\n"
	"	pop	%rdi\n"
	"	pop	%rsi\n"
	"	pop	%rdx\n"
	"	pop	%rcx\n"
	"	pop	%rbx\n"
	"	pop	%rax\n"
	"	add	$16, %rsp\n"
	"	iretq\n"
	"2:	hlt\n"
	"	jmp	2b\n"

	/*
	 * Interrupts (vectors 32..255, 16 bytes apart from
	 * guest_irq_stubs) and NMIs: guest_irq_handler(vector) with every
	 * caller-saved register and the SSE state kept, then IRETQ. The
	 * CPU left RSP 8 mod 16: after the vector and nine registers, 520
	 * bytes keep the FXSAVE area and the call aligned.
	 */
	".globl guest_irq_stubs, guest_nmi_stub\n"
	".balign 16\n"
	"guest_irq_stubs:\n"
	".set vec, 32\n"
	".rept 224\n"
	".balign 16\n"
	"	pushq	$vec\n"
	"	jmp	guest_irq_common\n"
	".set vec, vec + 1\n"
	".endr\n"
	"guest_nmi_stub:\n"
	"	pushq	$2\n"
	"guest_irq_common:\n"
	".irp r, rax, rcx, rdx, rsi, rdi, r8, r9, r10, r11\n"
	"	push	%\\r\n"
	".endr\n"
	"	mov	72(%rsp), %rdi\n"
	/*
	 * A maskable interrupt never comes while IF is clear; if it does
	 * (Bochs' virtual-interrupt delivery after a virtualized EOI),
	 * IST2 was reset under the handler it interrupted, whose frame is
	 * gone: report it rather than loop there for good.
	 */
	"	cmp	$2, %edi\n"
	"	je	5f\n"
	"	testl	$0x200, 96(%rsp)\n"		/* the frame's RFLAGS.IF */
	"	jz	6f\n"
	"5:	sub	$520, %rsp\n"
	"	fxsaveq	(%rsp)\n"
	"	mov	guest_irq_handler(%rip), %rax\n"
	"	test	%rax, %rax\n"
	"	jz	3f\n"
	"	call	*%rax\n"
	"	fxrstorq (%rsp)\n"
	"	add	$520, %rsp\n"
	".irp r, r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax\n"
	"	pop	%\\r\n"
	".endr\n"
	"	add	$8, %rsp\n"
	"	iretq\n"
	/* No handler: an unexpected interrupt, reported as an exception. */
	"3:	mov	%rdi, %rsi\n"
	"	xor	%ecx, %ecx\n"
	"	mov	600(%rsp), %rdx\n"		/* RIP */
	"	xor	%edi, %edi\n"
	"	mov	$0xe1, %ebx\n"			/* UCALL_EXCEPTION */
	"	mov	$0xc6000101, %eax\n"
	"	vmcall\n"
	"4:	hlt\n"
	"	jmp	4b\n"
	"6:	mov	%rdi, %rsi\n"
	"	xor	%ecx, %ecx\n"
	"	mov	80(%rsp), %rdx\n"		/* RIP */
	"	xor	%edi, %edi\n"
	"	mov	$0x1fc, %ebx\n"			/* UCALL_IRQ_IF_CLEAR */
	"	mov	$0xc6000101, %eax\n"
	"	vmcall\n"
	"	jmp	4b\n"
	".popsection\n");

/* Stored by the protected-mode blob through its 32-bit address. */
uint32_t guest_pm_word;

/*
 * Guest code the tests point at: see guest.h for what each does. The
 * real-mode blob is copied below 1 MiB, so it uses relative jumps only;
 * the others run in place.
 */
asm(".pushsection .text\n"
	".code16\n"
	".globl guest_reset_vector, guest_reset_vector_end\n"
	"guest_reset_vector:\n"
	"	ljmp	$0x100, $0\n"
	"guest_reset_vector_end:\n"
	".globl guest_real, guest_real_ip, guest_real_hlt, guest_real_end\n"
	"guest_real:\n"
	"	mov	$0x200, %ax\n"
	"	mov	%ax, %ds\n"
	"	movw	$0x1234, 0x10\n"
	"	xor	%ecx, %ecx\n"
	"	smsw	%cx\n"
	"	xor	%edx, %edx\n"
	"	mov	%cs, %dx\n"
	"	xor	%esi, %esi\n"
	"	call	1f\n"
	"guest_real_ip:\n"
	"1:	pop	%si\n"
	"	mov	$0x5c, %ebx\n"			/* UCALL_SYNC */
	"	mov	$0xc6000101, %eax\n"
	"	vmcall\n"
	"guest_real_hlt:\n"
	"	hlt\n"
	"	jmp	guest_real_hlt\n"
	"guest_real_end:\n"

	/*
	 * From real mode to long mode as a boot loader does, every step a
	 * trapped CR0/CR4/EFER write: EBX holds CR3, EDI the 64-bit entry,
	 * the GDT pseudo-descriptor is at linear 0x800.
	 */
	".globl guest_boot_long, guest_boot_long_end\n"
	"guest_boot_long:\n"
	"	cli\n"
	"	xor	%ax, %ax\n"
	"	mov	%ax, %ds\n"
	"	lgdtl	0x800\n"
	"	mov	%cr0, %eax\n"
	"	or	$1, %eax\n"			/* PE */
	"	mov	%eax, %cr0\n"
	/* CS:EIP of the 32-bit part: 0x18, linear address of 1f. */
	"	xor	%eax, %eax\n"
	"	mov	%cs, %ax\n"
	"	shl	$4, %eax\n"
	"	add	$(1f - guest_boot_long), %eax\n"
	"	pushl	$0x18\n"			/* GUEST_SEL_CODE32 */
	"	pushl	%eax\n"
	"	lretl\n"
	".code32\n"
	"1:	mov	$0x10, %eax\n"			/* GUEST_SEL_DATA */
	"	mov	%eax, %ds\n"
	"	mov	%eax, %es\n"
	"	mov	%eax, %ss\n"
	"	mov	%cr4, %eax\n"
	"	or	$0x20, %eax\n"			/* PAE */
	"	mov	%eax, %cr4\n"
	"	mov	%ebx, %cr3\n"
	"	mov	$0xc0000080, %ecx\n"		/* EFER */
	"	rdmsr\n"
	"	or	$0x100, %eax\n"		/* LME */
	"	wrmsr\n"
	"	mov	%cr0, %eax\n"
	"	or	$0x80000000, %eax\n"		/* PG: long mode */
	"	mov	%eax, %cr0\n"
	"	pushl	$0x08\n"			/* GUEST_SEL_CODE64 */
	"	pushl	%edi\n"
	"	lretl\n"
	"guest_boot_long_end:\n"

	".code64\n"
	".globl guest_long_landing, guest_long_landing_hlt\n"
	"guest_long_landing:\n"
	"	mov	$0xc0000080, %ecx\n"
	"	rdmsr\n"
	"	shl	$32, %rdx\n"
	"	or	%rax, %rdx\n"
	"	mov	%rdx, %rsi\n"			/* EFER */
	"	mov	%cr0, %rcx\n"
	"	mov	%cr4, %rdx\n"
	"	xor	%edi, %edi\n"
	"	mov	%cs, %di\n"
	"	mov	$0x5c, %ebx\n"			/* UCALL_SYNC */
	"	mov	$0xc6000101, %eax\n"
	"	vmcall\n"
	"guest_long_landing_hlt:\n"
	"	hlt\n"
	"	jmp	guest_long_landing_hlt\n"

	".code32\n"
	".globl guest_pm, guest_pm_eip, guest_pm_hlt\n"
	"guest_pm:\n"
	"	mov	$0x10, %eax\n"			/* GUEST_SEL_DATA */
	"	mov	%eax, %ds\n"
	"	mov	%cr0, %ecx\n"
	"	movl	$0x600dcafe, guest_pm_word\n"
	"	xor	%edx, %edx\n"
	"	mov	%cs, %dx\n"
	"	call	1f\n"
	"guest_pm_eip:\n"
	"1:	pop	%esi\n"
	"	mov	$0x5c, %ebx\n"
	"	mov	$0xc6000101, %eax\n"
	"	vmcall\n"
	"guest_pm_hlt:\n"
	"	hlt\n"
	"	jmp	guest_pm_hlt\n"

	".code64\n"
	".globl guest_regs_echo, guest_regs_echo_1, guest_regs_echo_2\n"
	"guest_regs_echo:\n"
	"	mov	$0xc6000101, %eax\n"
	"	vmcall\n"
	"guest_regs_echo_1:\n"
	"	pushfq\n"
	"	pop	%rbp\n"
	".irp r, rbx, rcx, rdx, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15\n"
	"	not	%\\r\n"
	".endr\n"
	"	mov	$0xc6000101, %eax\n"
	"	vmcall\n"
	"guest_regs_echo_2:\n"
	"	hlt\n"
	"	jmp	guest_regs_echo_2\n"

	".globl guest_rdmsr_raw, guest_rdmsr_insn, guest_rdmsr_after\n"
	"guest_rdmsr_raw:\n"
	"	mov	%edi, %ecx\n"
	"guest_rdmsr_insn:\n"
	"	rdmsr\n"
	"guest_rdmsr_after:\n"
	"	shl	$32, %rdx\n"
	"	or	%rdx, %rax\n"
	"	ret\n"
	".globl guest_wrmsr_raw, guest_wrmsr_insn, guest_wrmsr_after\n"
	"guest_wrmsr_raw:\n"
	"	mov	%edi, %ecx\n"
	"	mov	%rsi, %rax\n"
	"	mov	%rsi, %rdx\n"
	"	shr	$32, %rdx\n"
	"guest_wrmsr_insn:\n"
	"	wrmsr\n"
	"guest_wrmsr_after:\n"
	"	ret\n"

	".globl guest_vmx_insns, guest_ud_vmxon, guest_ud_vmptrld\n"
	".globl guest_ud_vmclear, guest_ud_vmptrst, guest_ud_vmread\n"
	".globl guest_ud_vmwrite, guest_ud_invept, guest_ud_invvpid\n"
	".globl guest_ud_vmlaunch, guest_ud_vmresume, guest_ud_vmxoff\n"
	".globl guest_ud_end\n"
	"guest_vmx_insns:\n"
	"	mov	%rdi, %rax\n"
	"	xor	%ecx, %ecx\n"
	"guest_ud_vmxon:\n"
	"	vmxon	(%rax)\n"
	"guest_ud_vmptrld:\n"
	"	vmptrld	(%rax)\n"
	"guest_ud_vmclear:\n"
	"	vmclear	(%rax)\n"
	"guest_ud_vmptrst:\n"
	"	vmptrst	(%rax)\n"
	"guest_ud_vmread:\n"
	"	vmread	%rcx, %rdx\n"
	"guest_ud_vmwrite:\n"
	"	vmwrite	%rdx, %rcx\n"
	"guest_ud_invept:\n"
	"	invept	(%rax), %rcx\n"
	"guest_ud_invvpid:\n"
	"	invvpid	(%rax), %rcx\n"
	"guest_ud_vmlaunch:\n"
	"	vmlaunch\n"
	"guest_ud_vmresume:\n"
	"	vmresume\n"
	"guest_ud_vmxoff:\n"
	"	vmxoff\n"
	"guest_ud_end:\n"
	"	mov	$0x6d, %eax\n"
	"	ret\n"

	".globl guest_hlt_once, guest_hlt_after\n"
	"guest_hlt_once:\n"
	"	hlt\n"
	"guest_hlt_after:\n"
	"	mov	$42, %eax\n"
	"	ret\n"

	".globl guest_bad_mmio\n"
	"guest_bad_mmio:\n"
	"	addl	$1, (%rdi)\n"
	"	ret\n"
	".popsection\n");

uint64_t guest_hcall(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3,
		     uint64_t a4, uint64_t a5, uint64_t a6)
{
	register uint64_t r8 asm("r8") = a6;
	uint64_t ret;

	asm volatile("vmcall"
		     : "=a"(ret)
		     : "a"(nr), "b"(a1), "c"(a2), "d"(a3), "S"(a4), "D"(a5),
		       "r"(r8)
		     : "memory");
	return ret;
}

/* A code or data descriptor (SDM 3.4.5) with the accessed bit set. */
static uint64_t gdt_entry(uint8_t type, bool l, bool db)
{
	return 0xffffULL | (uint64_t)(type | 1) << 40 | 1ULL << 44 |
	       1ULL << 47 | 0xfULL << 48 | (uint64_t)l << 53 |
	       (uint64_t)db << 54 | 1ULL << 55;
}

static void build_tables(void)
{
	uint64_t stub = (uintptr_t)guest_exception_stubs;
	int i;

	/*
	 * GiB 0 (the binary, any extra RAM) write-back; GiB 1 uncached for
	 * MMIO, so the device sees each access, and GiB 3 (the I/O APIC and
	 * local APIC) the same. 2 MiB pages throughout.
	 */
	guest_pml4[0] = (uintptr_t)guest_pdpt | PTE_P | PTE_RW;
	for (i = 0; i < 2; i++)
		guest_pdpt[i] = (uintptr_t)guest_pd[i] | PTE_P | PTE_RW;
	guest_pdpt[3] = (uintptr_t)guest_pd[2] | PTE_P | PTE_RW;
	for (i = 0; i < 512; i++) {
		guest_pd[0][i] = ((uint64_t)i << 21) | PTE_P | PTE_RW | PTE_PS;
		guest_pd[1][i] = (GUEST_MMIO_BASE + ((uint64_t)i << 21)) |
				 PTE_P | PTE_RW | PTE_PS | PTE_PCD | PTE_PWT;
		guest_pd[2][i] = ((3ULL << 30) + ((uint64_t)i << 21)) |
				 PTE_P | PTE_RW | PTE_PS | PTE_PCD | PTE_PWT;
	}

	guest_gdt[GUEST_SEL_CODE64 / 8] = gdt_entry(0xa, true, false);
	guest_gdt[GUEST_SEL_DATA / 8] = gdt_entry(0x2, false, true);
	guest_gdt[GUEST_SEL_CODE32 / 8] = gdt_entry(0xa, false, true);
	for (i = 0; i < GUEST_MAX_VCPUS; i++) {
		uint64_t base = (uintptr_t)&guest_tss[i], top;
		uint64_t *d = &guest_gdt[GUEST_SEL_TSS / 8 + 2 * i];

		/* A busy 64-bit TSS, as TR holds it (SDM 8.2.3). */
		d[0] = (sizeof(struct tss64) - 1) | (base & 0xffffff) << 16 |
		       0xbULL << 40 | 1ULL << 47 | (base >> 24 & 0xff) << 56;
		d[1] = base >> 32;
		memset(&guest_tss[i], 0, sizeof(guest_tss[i]));
		top = (uintptr_t)guest_ist_stacks[i + 1];
		guest_tss[i].ist[0][0] = top;
		guest_tss[i].ist[0][1] = top >> 32;
		top = (uintptr_t)guest_irq_stacks[i + 1];
		guest_tss[i].ist[1][0] = top;
		guest_tss[i].ist[1][1] = top >> 32;
		top = (uintptr_t)guest_nmi_stacks[i + 1];
		guest_tss[i].ist[2][0] = top;
		guest_tss[i].ist[2][1] = top >> 32;
		guest_tss[i].iomap_base = sizeof(struct tss64);
		guest_percpu[i].id = i;
	}

	/*
	 * 64-bit interrupt gates (type 0xe): exceptions on IST1, the NMI on
	 * IST3, interrupts on IST2.
	 */
	for (i = 0; i < NR_VECTORS; i++) {
		uint64_t off = stub + 16 * i, ist = 1;

		if (i == 2) {
			off = (uintptr_t)guest_nmi_stub;
			ist = 3;
		} else if (i >= NR_EXCEPTIONS) {
			off = (uintptr_t)guest_irq_stubs +
			      16 * (i - NR_EXCEPTIONS);
			ist = 2;
		}
		guest_idt[i][0] = (off & 0xffff) | GUEST_SEL_CODE64 << 16 |
				  ist << 32 | 0x8eULL << 40 |
				  (off >> 16 & 0xffff) << 48;
		guest_idt[i][1] = off >> 32;
	}
}

static void flat_segment(struct minihv_segment *s, uint16_t sel, uint8_t type,
			 bool l)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->l = l;
	s->db = !l;
	s->g = 1;
}

/* Straight into 64-bit long mode at guest_entry, calling fn(arg). */
static int start_long_mode(struct guest *g, int i,
			   uint64_t (*fn)(uint64_t), uint64_t arg)
{
	struct minihv_sregs sr;
	struct minihv_regs regs;

	int ret = g->hv->get_sregs(g, i, &sr);

	if (ret)
		return ret;
	flat_segment(&sr.cs, GUEST_SEL_CODE64, 0xb, true);
	flat_segment(&sr.ds, GUEST_SEL_DATA, 0x3, false);
	sr.es = sr.ds;
	sr.fs = sr.ds;
	sr.gs = sr.ds;
	sr.ss = sr.ds;
	sr.gs.base = (uintptr_t)&guest_percpu[i];
	sr.tr.selector = GUEST_SEL_TSS + 16 * i;
	sr.tr.base = (uintptr_t)&guest_tss[i];
	sr.tr.limit = sizeof(struct tss64) - 1;
	sr.tr.type = 0xb;
	sr.tr.present = 1;
	sr.tr.s = 0;
	sr.tr.g = 0;
	sr.tr.unusable = 0;
	sr.gdt.base = (uintptr_t)guest_gdt;
	sr.gdt.limit = sizeof(guest_gdt) - 1;
	sr.idt.base = (uintptr_t)guest_idt;
	sr.idt.limit = sizeof(guest_idt) - 1;
	/* SSE on (OSFXSR): the compiler uses it in ordinary C code. */
	sr.cr0 = X86_CR0_PG | X86_CR0_WP | X86_CR0_NE | X86_CR0_ET |
		 X86_CR0_MP | X86_CR0_PE;
	sr.cr3 = (uintptr_t)guest_pml4;
	sr.cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	sr.efer = X86_EFER_LME | X86_EFER_LMA;
	ret = g->hv->set_sregs(g, i, &sr);
	if (ret)
		return ret;

	memset(&regs, 0, sizeof(regs));
	regs.rip = (uintptr_t)guest_entry;
	regs.rsp = (uintptr_t)guest_stacks[i + 1];
	regs.rdi = arg;
	regs.rsi = (uintptr_t)fn;
	regs.rflags = X86_RFLAGS_FIXED;
	return g->hv->set_regs(g, i, &regs);
}

static int create(struct guest *g, int nr_vcpus, uint64_t (*fn)(uint64_t),
		  uint64_t arg, const struct minihv_irqchip *chip)
{
	int i, ret;

	guest_init(g);
	/* The identity map covers GiB 0 only as RAM. */
	if (nr_vcpus > GUEST_MAX_VCPUS || guest_image_end() > GUEST_MMIO_BASE)
		return -EINVAL;
	build_tables();
	ret = guest_create_vm_irqchip(g, nr_vcpus, chip);
	for (i = 0; !ret && fn && i < nr_vcpus; i++)
		ret = start_long_mode(g, i, fn, arg);
	return ret;
}

int guest_create(struct guest *g, int nr_vcpus, uint64_t (*fn)(uint64_t),
		 uint64_t arg)
{
	return create(g, nr_vcpus, fn, arg, NULL);
}

int guest_create_apic(struct guest *g, int nr_vcpus,
		      uint64_t (*fn)(uint64_t), uint64_t arg)
{
	struct minihv_irqchip chip = {
		.type = MINIHV_IRQCHIP_X86_APIC,
		.base = { GUEST_IOAPIC_BASE, GUEST_PM_TIMER_PORT },
	};

	return create(g, nr_vcpus, fn, arg, &chip);
}
#endif /* __x86_64__ */
