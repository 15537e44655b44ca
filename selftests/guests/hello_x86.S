/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A bare-metal x86 guest for `minihv run` tests: a Multiboot v1 image
 * linked at 1 MiB, with the a.out kludge so that its raw binary boots as
 * well as its ELF file. It checks the boot magic in EAX, probes the 16550
 * UART at 0x3f8 as a driver would, prints what the Multiboot info at EBX
 * says, and then obeys words on its command line:
 *   echo     first copy one line of UART input to the output
 *   triple   fault with no IDT: a triple fault
 *   halt     cli; hlt
 *   exit=N   write N (decimal, 4 bytes) to the exit port; without it, 0
 * 32-bit protected mode, flat segments, paging off (Multiboot 3.2).
 */
#define COM1		0x3f8
#define EXIT_PORT	0xf4
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	0x00010003	/* page align, memory info, a.out kludge */
#define MB_BOOT_MAGIC	0x2badb002

/* Multiboot info: flags and the offsets of the fields printed. */
#define MBI_MEM		(1 << 0)
#define MBI_CMDLINE	(1 << 2)
#define MBI_MMAP	(1 << 6)
#define MBI_LOADER	(1 << 9)

	.text
	.code32
	.globl	_start
mb_header:
	.long	MB_MAGIC
	.long	MB_FLAGS
	.long	-(MB_MAGIC + MB_FLAGS)
	.long	mb_header		/* header_addr */
	.long	mb_header		/* load_addr: the image starts here */
	.long	image_end		/* load_end_addr */
	.long	_end			/* bss_end_addr: the stack */
	.long	_start			/* entry_addr */

_start:
	movl	$stack_top, %esp
	movl	%ebx, %ebp
	cmpl	$MB_BOOT_MAGIC, %eax
	je	1f
	movl	$bad_magic, %esi
	call	puts
	movl	$99, %eax
	jmp	exit

1:	call	uart_probe
	movl	%eax, %edi
	movl	$hello, %esi
	call	puts
	movl	$uart_ok, %esi
	testl	%edi, %edi
	jz	2f
	movl	$uart_bad, %esi
	call	puts
	movl	%edi, %esi
2:	call	puts
	call	newline

	testl	$MBI_LOADER, (%ebp)
	jz	3f
	movl	$loader, %esi
	call	puts
	movl	64(%ebp), %esi		/* boot_loader_name */
	call	puts
	call	newline

3:	testl	$MBI_MEM, (%ebp)
	jz	4f
	movl	$mem_lower, %esi
	call	puts
	movl	4(%ebp), %eax
	call	puthex
	movl	$mem_upper, %esi
	call	puts
	movl	8(%ebp), %eax
	call	puthex
	call	newline

	/* Each entry: size, base (64-bit), length (64-bit), type. */
4:	testl	$MBI_MMAP, (%ebp)
	jz	6f
	movl	48(%ebp), %ebx		/* mmap_addr */
	movl	44(%ebp), %edi		/* mmap_length */
	addl	%ebx, %edi
5:	cmpl	%edi, %ebx
	jae	6f
	movl	$mmap, %esi
	call	puts
	movl	4(%ebx), %eax
	call	puthex
	call	space
	movl	12(%ebx), %eax
	call	puthex
	call	space
	movl	20(%ebx), %eax
	call	puthex
	call	newline
	movl	(%ebx), %eax
	leal	4(%ebx, %eax), %ebx
	jmp	5b

6:	xorl	%eax, %eax		/* no command line: exit 0 */
	testl	$MBI_CMDLINE, (%ebp)
	jz	exit
	movl	16(%ebp), %edi		/* cmdline */
	movl	$cmdline, %esi
	call	puts
	movl	%edi, %esi
	call	puts
	call	newline

	/* The first word is the image: the words that matter follow a space. */
	movl	$w_echo, %esi
	call	find
	testl	%eax, %eax
	jz	7f
	call	echo_line
7:	movl	$w_triple, %esi
	call	find
	testl	%eax, %eax
	jz	8f
	lidt	null_idt
	int3
8:	movl	$w_halt, %esi
	call	find
	testl	%eax, %eax
	jz	9f
	cli
	hlt
9:	movl	$w_exit, %esi
	call	find
	testl	%eax, %eax
	jz	exit
	/* Decimal digits up to the first non-digit. */
	xorl	%ebx, %ebx
10:	movzbl	(%eax), %ecx
	subl	$'0', %ecx
	cmpl	$9, %ecx
	ja	11f
	imull	$10, %ebx
	addl	%ecx, %ebx
	incl	%eax
	jmp	10b
11:	movl	%ebx, %eax

exit:	movw	$EXIT_PORT, %dx
	outl	%eax, %dx
	/* Not reached while the exit port works. */
	cli
	hlt
	jmp	exit

/*
 * uart_probe: scratch register, divisor latch (DLAB) against IER,
 * loopback (MCR.LOOP wires RTS/OUT2 to CTS/DCD and THR to RBR), FIFO
 * bits in IIR. Returns 0 in %eax, or the name of what failed.
 */
uart_probe:
	movl	$uart_scr, %eax
	movw	$COM1 + 7, %dx
	movb	$0x5a, %cl
	call	out_in
	cmpb	$0x5a, %cl
	jne	1f

	movl	$uart_dlab, %eax
	movw	$COM1 + 3, %dx
	movb	$0x03, %cl		/* 8N1, DLAB off */
	call	out_in
	movw	$COM1 + 1, %dx
	movb	$0x01, %cl		/* IER: receive interrupt */
	call	out_in
	movw	$COM1 + 3, %dx
	movb	$0x83, %cl		/* DLAB on */
	call	out_in
	movw	$COM1, %dx
	movb	$0x01, %cl		/* DLL: 115200 baud */
	call	out_in
	cmpb	$0x01, %cl
	jne	1f
	movw	$COM1 + 1, %dx
	movb	$0x00, %cl		/* DLM */
	call	out_in
	cmpb	$0x00, %cl
	jne	1f
	movw	$COM1 + 3, %dx
	movb	$0x03, %cl
	call	out_in
	movw	$COM1 + 1, %dx		/* IER again, as it was left */
	inb	%dx, %al
	cmpb	$0x01, %al
	movl	$uart_dlab, %eax
	jne	1f
	movb	$0x00, %cl
	call	out_in

	movl	$uart_loop, %eax
	movw	$COM1 + 4, %dx
	movb	$0x1a, %cl		/* LOOP | OUT2 | RTS */
	call	out_in
	movw	$COM1 + 6, %dx
	inb	%dx, %al
	andb	$0xf0, %al
	cmpb	$0x90, %al		/* DCD | CTS */
	movl	$uart_loop, %eax
	jne	1f
	movw	$COM1, %dx
	movb	$'x', %al
	outb	%al, %dx
	movw	$COM1 + 5, %dx
	inb	%dx, %al
	testb	$0x01, %al		/* LSR.DR */
	movl	$uart_loop, %eax
	jz	1f
	movw	$COM1, %dx
	inb	%dx, %al
	cmpb	$'x', %al
	movl	$uart_loop, %eax
	jne	1f
	movw	$COM1 + 4, %dx
	movb	$0x0b, %cl		/* out of loopback: OUT2 | RTS | DTR */
	call	out_in

	movl	$uart_fifo, %eax
	movw	$COM1 + 2, %dx
	movb	$0x01, %al		/* FCR: enable the FIFOs, keep input */
	outb	%al, %dx
	inb	%dx, %al		/* IIR */
	cmpb	$0xc1, %al		/* FIFOs on, no interrupt pending */
	movl	$uart_fifo, %eax
	jne	1f
	xorl	%eax, %eax
1:	ret

/* out_in: write %cl to port %dx and read it back into %cl. */
out_in:
	pushl	%eax
	movb	%cl, %al
	outb	%al, %dx
	inb	%dx, %al
	movb	%al, %cl
	popl	%eax
	ret

/* echo_line: "echo: " and UART input up to and including a newline. */
echo_line:
	movl	$echo, %esi
	call	puts
1:	movw	$COM1 + 5, %dx
	inb	%dx, %al
	testb	$0x01, %al		/* LSR.DR */
	jz	1b
	movw	$COM1, %dx
	inb	%dx, %al
	call	putc
	cmpb	$'\n', %al
	jne	1b
	ret

/* find: the word at %esi in the string at %edi; %eax = just past it, or 0. */
find:
	pushl	%ebx
	movl	%edi, %ebx
1:	movl	%ebx, %ecx
	movl	%esi, %edx
2:	movb	(%edx), %al
	testb	%al, %al
	jz	4f
	cmpb	(%ecx), %al
	jne	3f
	incl	%ecx
	incl	%edx
	jmp	2b
3:	cmpb	$0, (%ebx)
	je	5f
	incl	%ebx
	jmp	1b
4:	movl	%ecx, %eax
	popl	%ebx
	ret
5:	xorl	%eax, %eax
	popl	%ebx
	ret

/* puthex: %eax as 0x and lowercase hex without leading zeros. */
puthex:
	pushl	%ebx
	pushl	%ecx
	movl	%eax, %ebx
	movb	$'0', %al
	call	putc
	movb	$'x', %al
	call	putc
	movl	$28, %ecx
1:	movl	%ebx, %eax
	shrl	%cl, %eax
	andl	$0xf, %eax
	jnz	2f
	subl	$4, %ecx
	jns	1b
	movb	$'0', %al		/* the value is 0 */
	call	putc
	jmp	4f
2:	movl	%ebx, %eax
	shrl	%cl, %eax
	andl	$0xf, %eax
	cmpb	$10, %al
	jb	3f
	addb	$('a' - '0' - 10), %al
3:	addb	$'0', %al
	call	putc
	subl	$4, %ecx
	jns	2b
4:	popl	%ecx
	popl	%ebx
	ret

newline:
	movb	$'\n', %al
	jmp	putc

space:
	movb	$' ', %al
	jmp	putc

/* puts: the string at %esi. */
puts:
	lodsb
	testb	%al, %al
	jz	1f
	call	putc
	jmp	puts
1:	ret

/* putc: %al, once the transmitter holding register is empty (LSR.THRE). */
putc:
	pushl	%eax
	movw	$COM1 + 5, %dx
1:	inb	%dx, %al
	testb	$0x20, %al
	jz	1b
	popl	%eax
	movw	$COM1, %dx
	outb	%al, %dx
	ret

	.balign	4
null_idt:
	.word	0
	.long	0
hello:		.asciz	"hello from x86 guest\n"
bad_magic:	.asciz	"bad Multiboot magic in EAX\n"
uart_ok:	.asciz	"uart: ok"
uart_bad:	.asciz	"uart: bad "
uart_scr:	.asciz	"scratch"
uart_dlab:	.asciz	"divisor latch"
uart_loop:	.asciz	"loopback"
uart_fifo:	.asciz	"fifo"
loader:		.asciz	"loader: "
mem_lower:	.asciz	"mem: lower "
mem_upper:	.asciz	" upper "
mmap:		.asciz	"mmap: "
cmdline:	.asciz	"cmdline: "
echo:		.asciz	"echo: "
w_echo:		.asciz	" echo"
w_triple:	.asciz	" triple"
w_halt:		.asciz	" halt"
w_exit:		.asciz	" exit="
	.balign	4
image_end:

	.bss
	.balign	16
	.skip	4096
stack_top:
