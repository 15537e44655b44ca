// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O exits (IN, OUT, INS, OUTS, with REP): every port but the
 * kernel's own devices' (IN and OUT only) goes to userspace as
 * MINIHV_EXIT_IO with its data in the run area. A REP string
 * moves at most MINIHV_IO_DATA_MAX bytes per exit; the instruction is
 * re-executed (RIP unchanged) until RCX reaches 0, as hardware would
 * after an interrupt in the middle.
 */
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/vmx.h>

#include "core/minihv.h"
#include "vmx/vmx.h"

#define IO_SIZE(q)	(((q) & 7) + 1)
#define IO_IN		BIT(3)
#define IO_STRING	BIT(4)
#define IO_REP		BIT(5)
#define IO_PORT(q)	((q) >> 16)

static void *io_data(struct minihv_run *run)
{
	return (void *)run + MINIHV_IO_DATA_OFFSET;
}

/* Address size of a string instruction: its VMX information, or the mode. */
static u32 string_asize(struct vmx_vcpu *v)
{
	if (minihv_vmx_caps.basic & VMX_BASIC_INOUT)
		return 2U << ((v->exit.insn_info >> 7) & 7);
	if (minihv_vmx_mode64())
		return 8;
	return vmcs_read(GUEST_CS_AR_BYTES) & BIT(14) ? 4 : 2;
}

static void reverse_elements(u8 *data, u32 n, u32 size)
{
	u32 i, j;

	for (i = 0; i < n / 2; i++)
		for (j = 0; j < size; j++)
			swap(data[i * size + j], data[(n - 1 - i) * size + j]);
}

static int handle_string(struct vmx_vcpu *v, struct minihv_run *run, u32 size,
			 bool in, bool rep)
{
	u32 asize = string_asize(v);
	u64 amask = asize == 8 ? ~0ULL : (1ULL << (asize * 8)) - 1;
	bool down = vmcs_read(GUEST_RFLAGS) & X86_EFLAGS_DF;
	u64 *index = &v->gprs[in ? GPR_RDI : GPR_RSI];
	u64 count = rep ? v->gprs[GPR_RCX] & amask : 1;
	/* INS writes ES:rDI; OUTS reads DS:rSI or its segment override. */
	int seg = in ? 0 : (minihv_vmx_caps.basic & VMX_BASIC_INOUT) ?
		  (v->exit.insn_info >> 15) & 7 : 3;
	u64 gva, start;
	u32 n, bytes;
	int ret;

	if (!count) {
		minihv_vmx_skip_insn(v);
		return 1;
	}
	n = min_t(u64, count, MINIHV_IO_DATA_MAX / size);
	bytes = n * size;
	gva = (*index & amask) + minihv_vmx_seg_base(seg);
	if (asize != 8)
		gva = (u32)gva;
	start = down ? gva - (n - 1) * size : gva;

	if (!in) {
		ret = minihv_vmx_read_gva(v, start, io_data(run), bytes);
		if (ret == -EFAULT)
			return 1;	/* #PF injected, nothing done */
		if (ret)
			return minihv_vmx_exit_internal(v,
					MINIHV_INTERNAL_UNHANDLED_EXIT);
		if (down)
			reverse_elements(io_data(run), n, size);
	} else {
		/* A fault is the guest's before the port is read, not after. */
		ret = minihv_vmx_check_write_gva(v, start, bytes);
		if (ret == -EFAULT)
			return 1;
		if (ret)
			return minihv_vmx_exit_internal(v,
					MINIHV_INTERNAL_UNHANDLED_EXIT);
		v->pending = PENDING_INS;
		v->pending_gva = start;
		v->pending_len = bytes;
		v->pending_size = size;
		v->pending_down = down;
	}

	vmx_write_sized(index, *index + (down ? -(u64)bytes : bytes), asize);
	if (rep)
		vmx_write_sized(&v->gprs[GPR_RCX], count - n, asize);
	if (!rep || count == n)
		minihv_vmx_skip_insn(v);
	run->io.count = n;
	return 0;
}

/*
 * IN or OUT (not strings) to a device in core/io.c: 1 when one answered
 * (a refused access reads all ones, as an unclaimed port does).
 */
static bool kernel_port(struct vmx_vcpu *v, u16 port, u32 size, bool in)
{
	u64 val = v->gprs[GPR_RAX] & (BIT_ULL(8 * size) - 1);
	int ret;

	if (in)
		ret = minihv_io_read(v->vcpu, MINIHV_IO_PIO, port, size, &val);
	else
		ret = minihv_io_write(v->vcpu, MINIHV_IO_PIO, port, size, val);
	if (!ret)
		return false;
	if (in)
		vmx_write_sized(&v->gprs[GPR_RAX], ret < 0 ? ~0ULL : val, size);
	return true;
}

int minihv_vmx_handle_io(struct vmx_vcpu *v)
{
	struct minihv_run *run = v->vcpu->run;
	u64 q = v->exit.qual;
	u32 size = IO_SIZE(q);
	bool in = q & IO_IN;

	run->exit_reason = MINIHV_EXIT_IO;
	run->io.direction = in ? MINIHV_EXIT_IO_IN : MINIHV_EXIT_IO_OUT;
	run->io.size = size;
	run->io.port = IO_PORT(q);
	run->io.data_offset = MINIHV_IO_DATA_OFFSET;
	if (q & IO_STRING)
		return handle_string(v, run, size, in, q & IO_REP);

	/* A port of the kernel's own (the PM timer) answers at once. */
	if (kernel_port(v, IO_PORT(q), size, in)) {
		minihv_vmx_skip_insn(v);
		return 1;
	}
	run->io.count = 1;
	if (in) {
		v->pending = PENDING_IO_IN;
		v->pending_len = size;
	} else {
		memcpy(io_data(run), &v->gprs[GPR_RAX], size);
	}
	minihv_vmx_skip_insn(v);
	return 0;
}

/* Userspace has filled the data of an IN or INS. */
void minihv_vmx_complete_io(struct vmx_vcpu *v)
{
	struct minihv_run *run = v->vcpu->run;
	u64 val = 0;

	if (v->pending == PENDING_IO_IN) {
		memcpy(&val, io_data(run), v->pending_len);
		/* IN AL/AX keeps the rest of RAX; IN EAX zero-extends. */
		vmx_write_sized(&v->gprs[GPR_RAX], val, v->pending_len);
		return;
	}
	/* The guest memory of an INS; a fault here only loses the data. */
	if (v->pending_down)
		reverse_elements(io_data(run), v->pending_len / v->pending_size,
				 v->pending_size);
	minihv_vmx_write_gva(v, v->pending_gva, io_data(run), v->pending_len);
}
