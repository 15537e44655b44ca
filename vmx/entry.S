/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VM entry and VM exit: the only code that runs with guest registers.
 *
 * int minihv_vmx_enter(u64 *gprs, bool launched)
 * loads the guest GPRs (struct minihv_regs order, rsp is in the VMCS),
 * then VMRESUMEs (or VMLAUNCHes a clear VMCS). A VM exit lands on
 * minihv_vmx_exit_entry with the stack as it was at entry (HOST_RSP),
 * stores the guest GPRs and returns 0; a failed VMLAUNCH/VMRESUME
 * returns 1 (the caller reads VM_INSTRUCTION_ERROR).
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>
#include <asm/segment.h>
#include <asm/unwind_hints.h>

#define HOST_RSP	0x6c14

#define G_RAX	0
#define G_RBX	8
#define G_RCX	16
#define G_RDX	24
#define G_RSI	32
#define G_RDI	40
#define G_RBP	56
#define G_R8	64
#define G_R9	72
#define G_R10	80
#define G_R11	88
#define G_R12	96
#define G_R13	104
#define G_R14	112
#define G_R15	120

	.text

SYM_FUNC_START(minihv_vmx_enter)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	/* The exit path finds the GPR array here. */
	push	%rdi

	mov	$HOST_RSP, %rax
	vmwrite	%rsp, %rax

	/* MOVs and VERW keep CF: it says which instruction to use. */
	bt	$0, %esi

	mov	G_RAX(%rdi), %rax
	mov	G_RBX(%rdi), %rbx
	mov	G_RCX(%rdi), %rcx
	mov	G_RDX(%rdi), %rdx
	mov	G_RSI(%rdi), %rsi
	mov	G_RBP(%rdi), %rbp
	mov	G_R8(%rdi), %r8
	mov	G_R9(%rdi), %r9
	mov	G_R10(%rdi), %r10
	mov	G_R11(%rdi), %r11
	mov	G_R12(%rdi), %r12
	mov	G_R13(%rdi), %r13
	mov	G_R14(%rdi), %r14
	mov	G_R15(%rdi), %r15
	mov	G_RDI(%rdi), %rdi

	/* No host data left in CPU buffers for the guest to sample (MDS). */
	VM_CLEAR_CPU_BUFFERS

	UNWIND_HINT_SAVE
	jc	.Lresume
	vmlaunch
	jmp	.Lfailed
.Lresume:
	vmresume
.Lfailed:
	UNWIND_HINT_RESTORE
	/* Still our stack: the guest never ran. */
	mov	$1, %eax
	jmp	.Lout

SYM_INNER_LABEL(minihv_vmx_exit_entry, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	ANNOTATE_NOENDBR
	push	%rax
	mov	8(%rsp), %rax
	mov	%rbx, G_RBX(%rax)
	mov	%rcx, G_RCX(%rax)
	mov	%rdx, G_RDX(%rax)
	mov	%rsi, G_RSI(%rax)
	mov	%rdi, G_RDI(%rax)
	mov	%rbp, G_RBP(%rax)
	mov	%r8, G_R8(%rax)
	mov	%r9, G_R9(%rax)
	mov	%r10, G_R10(%rax)
	mov	%r11, G_R11(%rax)
	mov	%r12, G_R12(%rax)
	mov	%r13, G_R13(%rax)
	mov	%r14, G_R14(%rax)
	mov	%r15, G_R15(%rax)
	pop	%rbx
	mov	%rbx, G_RAX(%rax)

	/*
	 * The guest may have trained the return stack buffer and branch
	 * history: refill one, clear the other (where the kernel's
	 * mitigations ask for it, as KVM does).
	 */
	FILL_RETURN_BUFFER %rbx, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT, \
			   X86_FEATURE_RSB_VMEXIT_LITE
	CLEAR_BRANCH_HISTORY_VMEXIT

	xor	%eax, %eax
.Lout:
	add	$8, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(minihv_vmx_enter)

/*
 * An NMI that caused a VM exit is the host's: call its handler with the
 * interrupt frame it expects (SS, RSP, RFLAGS, CS, RIP) on an aligned stack.
 */
SYM_FUNC_START(minihv_vmx_do_nmi)
	push	%rbp
	mov	%rsp, %rbp
	and	$-16, %rsp
	push	$__KERNEL_DS
	push	%rbp
	pushf
	push	$__KERNEL_CS
	call	asm_exc_nmi_noist
	leave
	RET
SYM_FUNC_END(minihv_vmx_do_nmi)
