// SPDX-License-Identifier: GPL-2.0
/*
 * The instructions an MMIO access can be, decoded just enough to emulate
 * it: MOV between a register and memory (88, 89, 8A, 8B), MOV of an
 * immediate to memory (C6, C7), MOV with the accumulator at an absolute
 * offset (A0-A3), MOVZX and MOVSX loads (0F B6, B7, BE, BF); with
 * operand/address-size, segment, LOCK and REX prefixes. A cache-line
 * flush of a device address (0F AE /7 CLFLUSH, 66 0F AE /7 CLFLUSHOPT,
 * 66 0F AE /6 CLWB) moves no data. Anything else is left to userspace as
 * an emulation failure.
 */
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <linux/types.h>

#include "vmx/insn.h"

#define MAX_INSN_LEN	15

struct cursor {
	const u8 *b;
	u32 n, pos;
};

static int next(struct cursor *c, u8 *out)
{
	if (c->pos >= c->n || c->pos >= MAX_INSN_LEN)
		return -EINVAL;
	*out = c->b[c->pos++];
	return 0;
}

static int skip(struct cursor *c, u32 bytes)
{
	if (c->pos + bytes > c->n || c->pos + bytes > MAX_INSN_LEN)
		return -EINVAL;
	c->pos += bytes;
	return 0;
}

static int imm(struct cursor *c, u32 bytes, u64 *val)
{
	u64 v = 0;
	u32 i;

	if (c->pos + bytes > c->n || c->pos + bytes > MAX_INSN_LEN)
		return -EINVAL;
	for (i = 0; i < bytes; i++)
		v |= (u64)c->b[c->pos + i] << (8 * i);
	c->pos += bytes;
	*val = v;
	return 0;
}

/*
 * Skip ModRM's memory operand (SIB, displacement): only its length
 * matters, the hardware already gave the address. A register operand
 * (mod 3) is no memory access.
 */
static int modrm(struct cursor *c, u32 asize, u8 *reg)
{
	u8 m, mod, rm, sib;

	if (next(c, &m))
		return -EINVAL;
	mod = m >> 6;
	rm = m & 7;
	*reg = (m >> 3) & 7;
	if (mod == 3)
		return -EINVAL;
	if (asize == 2) {
		if (mod == 1)
			return skip(c, 1);
		if (mod == 2 || (mod == 0 && rm == 6))
			return skip(c, 2);
		return 0;
	}
	if (rm == 4) {
		if (next(c, &sib))
			return -EINVAL;
		if (mod == 0 && (sib & 7) == 5)
			return skip(c, 4);
	}
	if (mod == 1)
		return skip(c, 1);
	if (mod == 2 || (mod == 0 && rm == 5))
		return skip(c, 4);
	return 0;
}

/* 8-bit register operands 4-7 are AH, CH, DH, BH without a REX prefix. */
static u32 reg8(u32 reg, bool rex)
{
	return (!rex && reg >= 4 && reg < 8) ? (reg - 4) | INSN_REG_HIGH8 : reg;
}

int minihv_insn_decode(const u8 *bytes, u32 n, bool mode64, bool def32,
		       struct minihv_insn *insn)
{
	struct cursor c = { .b = bytes, .n = n };
	u32 opsize = def32 ? 4 : 2, asize = mode64 ? 8 : opsize;
	bool rex = false, rex_w = false, rex_r = false, p66 = false;
	u8 b, op, reg;

	memset(insn, 0, sizeof(*insn));
	for (;;) {
		if (next(&c, &b))
			return -EINVAL;
		if (mode64 && (b & 0xf0) == 0x40) {
			rex = true;
			rex_w = b & 8;
			rex_r = b & 4;
			continue;
		}
		if (b != 0x66 && b != 0x67 && b != 0x26 && b != 0x2e &&
		    b != 0x36 && b != 0x3e && b != 0x64 && b != 0x65 &&
		    b != 0xf0)
			break;
		/* A REX prefix counts only right before the opcode. */
		rex = rex_w = rex_r = false;
		if (b == 0x66) {
			opsize = def32 ? 2 : 4;
			p66 = true;
		} else if (b == 0x67) {
			asize = mode64 ? 4 : (def32 ? 2 : 4);
		}
		/* Segment overrides are in the address the CPU reported. */
	}
	if (rex_w)
		opsize = 8;
	op = b;

	switch (op) {
	case 0x88:	/* MOV r/m8, r8 */
	case 0x8a:	/* MOV r8, r/m8 */
	case 0x89:	/* MOV r/m, r */
	case 0x8b:	/* MOV r, r/m */
		if (modrm(&c, asize, &reg))
			return -EINVAL;
		insn->mem_len = (op & 1) ? opsize : 1;
		insn->reg = reg | (rex_r ? 8 : 0);
		if (insn->mem_len == 1)
			insn->reg = reg8(insn->reg, rex);
		insn->is_write = op == 0x88 || op == 0x89;
		insn->dst_len = insn->mem_len;
		break;
	case 0xc6:	/* MOV r/m8, imm8 */
	case 0xc7:	/* MOV r/m, imm16/32 (sign-extended to 64) */
		if (modrm(&c, asize, &reg) || reg != 0)
			return -EINVAL;
		insn->mem_len = op == 0xc6 ? 1 : opsize;
		if (imm(&c, min(insn->mem_len, 4U), &insn->imm))
			return -EINVAL;
		if (insn->mem_len == 8)
			insn->imm = (u64)(s64)(s32)insn->imm;
		insn->has_imm = true;
		insn->is_write = true;
		break;
	case 0xa0:	/* MOV AL, moffs */
	case 0xa1:	/* MOV eAX, moffs */
	case 0xa2:	/* MOV moffs, AL */
	case 0xa3:	/* MOV moffs, eAX */
		if (skip(&c, asize))
			return -EINVAL;
		insn->mem_len = (op & 1) ? opsize : 1;
		insn->dst_len = insn->mem_len;
		insn->reg = 0;
		insn->is_write = op >= 0xa2;
		break;
	case 0x0f:
		if (next(&c, &op))
			return -EINVAL;
		if (op == 0xae) {
			if (modrm(&c, asize, &reg) || (reg != 7 && !(reg == 6 && p66)))
				return -EINVAL;
			insn->flush = true;
			break;
		}
		if (op != 0xb6 && op != 0xb7 && op != 0xbe && op != 0xbf)
			return -EINVAL;
		if (modrm(&c, asize, &reg))
			return -EINVAL;
		insn->mem_len = (op & 1) ? 2 : 1;
		insn->dst_len = opsize;
		insn->reg = reg | (rex_r ? 8 : 0);
		insn->sign = op >= 0xbe;
		break;
	default:
		return -EINVAL;
	}
	insn->len = c.pos;
	return 0;
}
