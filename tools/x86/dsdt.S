/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The DSDT's AML, as iasl compiled it from dsdt.asl at build time (the
 * build passes its path as MINIHV_DSDT_AML), kept as read-only data.
 */
	.section .rodata
	.globl	x86_dsdt_aml, x86_dsdt_aml_end
	.balign	16
x86_dsdt_aml:
	.incbin	MINIHV_DSDT_AML
x86_dsdt_aml_end:

	.section .note.GNU-stack, "", %progbits
