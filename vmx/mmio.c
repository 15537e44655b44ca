// SPDX-License-Identifier: GPL-2.0
/*
 * EPT violations: every memory slot is mapped whole, so a guest access
 * that faults is outside guest RAM, i.e. MMIO. The faulting instruction
 * is fetched from guest memory and decoded (vmx/insn.c) to learn the
 * width, direction and register. The vCPU's own xAPIC window and the
 * devices the kernel emulates (core/io.c: the I/O APIC) answer at once;
 * anything else goes to userspace. APIC-access exits (irq/vapic.c) take
 * the same path.
 */
#include <asm/vmx.h>

#include "core/minihv.h"
#include "irq/lapic.h"
#include "vmx/insn.h"
#include "vmx/vmx.h"

/* A load's destination: AH..BH are bits 15:8, the rest sized writes. */
static void set_gpr(struct vmx_vcpu *v, u32 reg, u32 len, u64 val)
{
	u64 *r;

	if (reg & INSN_REG_HIGH8) {
		r = vmx_gpr(v->gprs, reg & 3);
		*r = (*r & ~0xff00ULL) | (val & 0xff) << 8;
		return;
	}
	vmx_write_sized(vmx_gpr(v->gprs, reg), val, len);
}

static u64 get_gpr(struct vmx_vcpu *v, u32 reg)
{
	if (reg & INSN_REG_HIGH8)
		return *vmx_gpr(v->gprs, reg & 3) >> 8;
	return *vmx_gpr(v->gprs, reg);
}

/* Up to 15 bytes at CS:RIP; fewer when the rest is not mapped. */
static int fetch(struct vmx_vcpu *v, u8 *buf, u32 *n)
{
	u64 rip = minihv_vmx_seg_base(1) + v->exit.rip;
	u32 first = min_t(u32, 15, PAGE_SIZE - (rip & ~PAGE_MASK));
	int ret;

	ret = minihv_vmx_read_gva(v, rip, buf, first);
	if (ret)
		return ret;
	*n = first;
	if (first < 15 && !minihv_vmx_peek_gva(v, rip + first, buf + first,
					       15 - first))
		*n = 15;
	return 0;
}

/* The kernel's own devices: 1 answered, 0 not theirs. */
static int kernel_device(struct vmx_vcpu *v, u64 gpa,
			 const struct minihv_insn *insn, u64 *val)
{
	struct minihv_lapic *apic = v->apic;
	int ret;

	if (apic && lapic_xapic(apic) &&
	    (gpa & PAGE_MASK) == lapic_mmio_base(apic)) {
		if (insn->is_write)
			minihv_lapic_mmio_write(apic, gpa & ~PAGE_MASK,
						insn->mem_len, *val);
		else
			minihv_lapic_mmio_read(apic, gpa & ~PAGE_MASK,
					       insn->mem_len, val);
		return 1;
	}
	if (insn->is_write)
		ret = minihv_io_write(v->vcpu, MINIHV_IO_MMIO, gpa,
				      insn->mem_len, *val);
	else
		ret = minihv_io_read(v->vcpu, MINIHV_IO_MMIO, gpa,
				     insn->mem_len, val);
	/* A refused access is what a bus gives: ones read, writes lost. */
	if (ret < 0) {
		*val = ~0ULL;
		ret = 1;
	}
	return ret;
}

/*
 * Emulate the instruction at RIP as a @write (as the exit said) to @gpa:
 * 1 done in the kernel, 0 an MMIO exit for userspace.
 */
int minihv_vmx_emulate_mmio(struct vmx_vcpu *v, u64 gpa, bool write)
{
	struct minihv_run *run = v->vcpu->run;
	bool mode64 = minihv_vmx_mode64();
	/* 64-bit mode defaults to 32-bit operands whatever CS.D says. */
	bool def32 = mode64 || (vmcs_read(GUEST_CS_AR_BYTES) & BIT(14));
	struct minihv_insn insn;
	u8 bytes[15];
	u32 n = 0;
	u64 val = 0;
	int ret;

	ret = fetch(v, bytes, &n);
	if (ret == -EFAULT)
		return 1;		/* #PF injected */
	if (ret || minihv_insn_decode(bytes, n, mode64, def32, &insn))
		return minihv_vmx_exit_internal(v, MINIHV_INTERNAL_EMULATION);
	/* Nothing cached to write back where no RAM is (as KVM does). */
	if (insn.flush) {
		v->exit.insn_len = insn.len;
		minihv_vmx_skip_insn(v);
		return 1;
	}
	if (insn.is_write != write)
		return minihv_vmx_exit_internal(v, MINIHV_INTERNAL_EMULATION);

	if (insn.is_write)
		val = insn.has_imm ? insn.imm : get_gpr(v, insn.reg);
	if (insn.mem_len < 8)
		val &= BIT_ULL(8 * insn.mem_len) - 1;
	if (kernel_device(v, gpa, &insn, &val)) {
		if (!insn.is_write) {
			if (insn.mem_len < 8)
				val &= BIT_ULL(8 * insn.mem_len) - 1;
			if (insn.sign)
				val = sign_extend64(val, insn.mem_len * 8 - 1);
			set_gpr(v, insn.reg, insn.dst_len, val);
		}
		v->exit.insn_len = insn.len;
		minihv_vmx_skip_insn(v);
		return 1;
	}

	run->exit_reason = MINIHV_EXIT_MMIO;
	run->mmio.phys_addr = v->exit.gpa;
	run->mmio.len = insn.mem_len;
	run->mmio.is_write = insn.is_write;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (insn.is_write) {
		memcpy(run->mmio.data, &val, insn.mem_len);	/* LE */
	} else {
		v->pending = PENDING_MMIO_READ;
		v->pending_reg = insn.reg;
		v->pending_len = insn.mem_len;
		v->pending_dst_len = insn.dst_len;
		v->pending_sign = insn.sign;
	}
	v->exit.insn_len = insn.len;
	minihv_vmx_skip_insn(v);
	return 0;
}

int minihv_vmx_handle_ept_violation(struct vmx_vcpu *v)
{
	/*
	 * Code outside RAM, or an access made while delivering an event
	 * (an IDT or stack outside RAM) cannot be emulated by an insn.
	 */
	if ((v->exit.qual & EPT_VIOLATION_ACC_INSTR) ||
	    (v->exit.idt_vectoring & INTR_INFO_VALID_MASK))
		return minihv_vmx_exit_internal(v,
						MINIHV_INTERNAL_UNHANDLED_EXIT);
	return minihv_vmx_emulate_mmio(v, v->exit.gpa,
				       v->exit.qual & EPT_VIOLATION_ACC_WRITE);
}

void minihv_vmx_complete_mmio(struct vmx_vcpu *v)
{
	u64 val = 0;

	memcpy(&val, v->vcpu->run->mmio.data, v->pending_len);
	if (v->pending_sign)
		val = sign_extend64(val, v->pending_len * 8 - 1);
	set_gpr(v, v->pending_reg, v->pending_dst_len, val);
}
