// SPDX-License-Identifier: GPL-2.0
/*
 * FP/SIMD register patterns for the containment test (security_test.c):
 * a guest and a VMM thread each keep all their vector registers (arm64
 * v0..v31, x86 xmm0..xmm15) full of their own values across exits and
 * MINIHV_RUN, and count the ones that changed. Assembler, so that no
 * compiled code touches the registers meanwhile.
 */
#include "fp_regs.h"
#include "guest.h"

#define FP_STR(x)	#x
#define FP_XSTR(x)	FP_STR(x)

#if defined(__aarch64__)
_Static_assert(MINIHV_HCALL_EXIT == 0xc6000101, "guest_fp_rounds' ucall");
_Static_assert(UCALL_SYNC == 0x5c, "guest_fp_rounds' ucall");

/* v<n> = { seed + n, ~(seed + n) } into all 32, and the check of them. */
#define FP_FILL							\
	".irp n, " FP_REGS "\n"					\
	"	add	x10, x9, #\\n\n"			\
	"	mvn	x11, x10\n"				\
	"	fmov	d\\n, x10\n"				\
	"	mov	v\\n\\().d[1], x11\n"			\
	".endr\n"
#define FP_CHECK						\
	".irp n, " FP_REGS "\n"					\
	"	add	x10, x9, #\\n\n"			\
	"	mvn	x11, x10\n"				\
	"	fmov	x14, d\\n\n"				\
	"	cmp	x14, x10\n"				\
	"	cinc	x13, x13, ne\n"				\
	"	mov	x14, v\\n\\().d[1]\n"			\
	"	cmp	x14, x11\n"				\
	"	cinc	x13, x13, ne\n"				\
	".endr\n"
#define FP_REGS	"0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, "	\
		"16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31"

/* fp_regs.h says what each does. */
asm(".pushsection .text\n"
	".globl guest_fp_rounds\n"
	"guest_fp_rounds:\n"
	"	mov	x9, x0\n"
	FP_FILL
	"	mov	x12, #0\n"
	"	mov	x13, #0\n"
	/* A while in the guest too, where a preemption of the host finds it. */
	"1:	mov	x17, #0x8000\n"
	"3:	subs	x17, x17, #1\n"
	"	b.ne	3b\n"
	"	movz	x0, #0x01ff\n"
	"	movk	x0, #0xc600, lsl #16\n"
	"	hvc	#0\n"
	"	tst	x12, #" FP_XSTR(FP_UCALL_EVERY) " - 1\n"
	"	b.ne	2f\n"
	"	movz	x0, #0x0101\n"
	"	movk	x0, #0xc600, lsl #16\n"
	"	mov	x1, #0x5c\n"			/* UCALL_SYNC */
	"	mov	x2, x12\n"
	"	hvc	#0\n"
	"2:\n"
	FP_CHECK
	"	add	x12, x12, #1\n"
	"	cmp	x12, #" FP_XSTR(FP_ROUNDS) "\n"
	"	b.lo	1b\n"
	"	mov	x0, x13\n"
	"	ret\n"
	".popsection\n");

/* d8..d15 are the caller's (AAPCS64): kept. */
asm(".pushsection .text\n"
	".globl host_fp_run\n"
	"host_fp_run:\n"
	"	stp	d8, d9, [sp, #-64]!\n"
	"	stp	d10, d11, [sp, #16]\n"
	"	stp	d12, d13, [sp, #32]\n"
	"	stp	d14, d15, [sp, #48]\n"
	"	mov	x9, x1\n"
	"	mov	x15, x2\n"
	"	mov	x13, #0\n"
	FP_FILL
	/* A while in userspace with them: where a preemption finds them. */
	"	mov	x17, #0x100000\n"
	"3:	subs	x17, x17, #1\n"
	"	b.ne	3b\n"
	FP_CHECK
	"	mov	x1, x3\n"
	"	mov	x2, #0\n"
	"	mov	x8, #29\n"			/* __NR_ioctl */
	"	svc	#0\n"
	"	mov	x16, x0\n"
	FP_CHECK
	"	str	w13, [x15]\n"
	"	mov	x0, x16\n"
	"	ldp	d14, d15, [sp, #48]\n"
	"	ldp	d12, d13, [sp, #32]\n"
	"	ldp	d10, d11, [sp, #16]\n"
	"	ldp	d8, d9, [sp], #64\n"
	"	ret\n"
	".popsection\n");
#else /* x86_64 */
_Static_assert(MINIHV_HCALL_EXIT == 0xc6000101, "guest_fp_rounds' ucall");
_Static_assert(UCALL_SYNC == 0x5c, "guest_fp_rounds' ucall");

/*
 * xmm<n> = { seed + n, ~(seed + n) } into all 16, through the stack
 * (SSE2 has no 64-bit insert), and the check of them, counted in %r13.
 */
#define FP_FILL							\
	".irp n, " FP_REGS "\n"					\
	"	lea	\\n(%r9), %r10\n"				\
	"	mov	%r10, %r11\n"				\
	"	not	%r11\n"					\
	"	push	%r11\n"					\
	"	push	%r10\n"					\
	"	movdqu	(%rsp), %xmm\\n\n"			\
	"	add	$16, %rsp\n"				\
	".endr\n"
#define FP_CHECK						\
	".irp n, " FP_REGS "\n"					\
	"	lea	\\n(%r9), %r10\n"				\
	"	mov	%r10, %r11\n"				\
	"	not	%r11\n"					\
	"	sub	$16, %rsp\n"				\
	"	movdqu	%xmm\\n, (%rsp)\n"			\
	"	xor	%eax, %eax\n"				\
	"	cmp	%r10, (%rsp)\n"				\
	"	setne	%al\n"					\
	"	add	%rax, %r13\n"				\
	"	cmp	%r11, 8(%rsp)\n"				\
	"	setne	%al\n"					\
	"	add	%rax, %r13\n"				\
	"	add	$16, %rsp\n"				\
	".endr\n"
#define FP_REGS	"0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15"

/* fp_regs.h says what each does. %rbx, %r12, %r13 are the caller's. */
asm(".pushsection .text\n"
	".globl guest_fp_rounds\n"
	"guest_fp_rounds:\n"
	"	push	%rbx\n"
	"	push	%r12\n"
	"	push	%r13\n"
	"	mov	%rdi, %r9\n"
	FP_FILL
	"	xor	%r12d, %r12d\n"
	"	xor	%r13d, %r13d\n"
	"1:	mov	$0x8000, %ecx\n"
	"3:	dec	%ecx\n"
	"	jnz	3b\n"
	"	mov	$0xc60001ff, %eax\n"
	"	vmcall\n"
	"	test	$" FP_XSTR(FP_UCALL_EVERY) " - 1, %r12\n"
	"	jnz	2f\n"
	"	mov	$0xc6000101, %eax\n"
	"	mov	$0x5c, %ebx\n"			/* UCALL_SYNC */
	"	mov	%r12, %rcx\n"
	"	vmcall\n"
	"2:\n"
	FP_CHECK
	"	inc	%r12\n"
	"	cmp	$" FP_XSTR(FP_ROUNDS) ", %r12\n"
	"	jb	1b\n"
	"	mov	%r13, %rax\n"
	"	pop	%r13\n"
	"	pop	%r12\n"
	"	pop	%rbx\n"
	"	ret\n"
	".popsection\n");

/* fd in %rdi, seed %rsi, bad %rdx, req %rcx; syscall keeps %r8..%r10. */
asm(".pushsection .text\n"
	".globl host_fp_run\n"
	"host_fp_run:\n"
	"	push	%r12\n"
	"	push	%r13\n"
	"	mov	%rsi, %r9\n"
	"	mov	%rdx, %r8\n"
	"	mov	%rcx, %r12\n"
	"	xor	%r13d, %r13d\n"
	FP_FILL
	/* A while in userspace with them: where a preemption finds them. */
	"	mov	$0x100000, %ecx\n"
	"3:	dec	%ecx\n"
	"	jnz	3b\n"
	FP_CHECK
	"	mov	%r12, %rsi\n"
	"	xor	%edx, %edx\n"
	"	mov	$16, %eax\n"			/* __NR_ioctl */
	"	syscall\n"
	"	mov	%rax, %r12\n"
	FP_CHECK
	"	mov	%r13d, (%r8)\n"
	"	mov	%r12, %rax\n"
	"	pop	%r13\n"
	"	pop	%r12\n"
	"	ret\n"
	".popsection\n");
#endif
