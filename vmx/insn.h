/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decoding the MOV forms of an MMIO access (vmx/insn.c).
 */
#ifndef MINIHV_VMX_INSN_H
#define MINIHV_VMX_INSN_H

#include <linux/types.h>

#define INSN_REG_HIGH8	0x100	/* AH, CH, DH, BH: bits 15:8 of reg & 3 */

struct minihv_insn {
	u32 len;		/* instruction bytes */
	u32 mem_len;		/* bytes accessed in memory */
	u32 dst_len;		/* loads: register bytes written */
	u32 reg;		/* register operand: x86 number | HIGH8 */
	bool is_write;
	bool sign;		/* loads: sign-extend (MOVSX) */
	bool has_imm;		/* stores: imm instead of reg */
	bool flush;		/* CLFLUSH, CLFLUSHOPT, CLWB: no data moves */
	u64 imm;
};

int minihv_insn_decode(const u8 *bytes, u32 n, bool mode64, bool def32,
		       struct minihv_insn *insn);

#endif /* MINIHV_VMX_INSN_H */
