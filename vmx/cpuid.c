// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID for guests: the host's answers filtered through allow-lists, so
 * a guest sees only what minihv runs correctly (no VMX, no XSAVE state,
 * no MTRRs), plus the hypervisor bit and minihv's signature leaf, as
 * KVM's and Xen's are found at 0x40000000.
 *
 * Time: the TSC's rate (the host's tsc_khz) in leaf 0x15, as a 1:1 ratio
 * to a "core crystal clock" of that rate, which is also the local APIC
 * timer's input (Linux takes its timer period from the crystal); and in
 * the hypervisor leaf 0x40000010 as VMware defined it (EAX TSC kHz, EBX
 * APIC timer kHz). Leaf 0x15 is all zeros on a TSC above 4.29 GHz, whose
 * rate in Hz would not fit ECX.
 *
 * With the in-kernel local APIC: leaf 1 reports the APIC (as
 * IA32_APIC_BASE enables it), x2APIC and the TSC-deadline timer; leaf 6
 * reports ARAT (the APIC timer runs in every C-state).
 */
#include <linux/bits.h>

#include <asm/processor.h>
#include <asm/vmx.h>

#include "core/minihv.h"
#include "irq/lapic.h"
#include "timer/tsc.h"
#include "vmx/vmx.h"

#define MAX_BASIC_LEAF		0x15
#define MAX_EXT_LEAF		0x80000008
#define SIGNATURE_LEAF		0x40000000
#define TIMING_LEAF		0x40000010
#define MAX_HV_LEAF		TIMING_LEAF

#define LEAF1_ECX_X2APIC	BIT(21)
#define LEAF1_ECX_TSC_DEADLINE	BIT(24)
#define LEAF1_EDX_APIC		BIT(9)
#define LEAF6_EAX_ARAT		BIT(2)

/* CPUID.1:ECX: SSE3, PCLMULQDQ, SSSE3, CX16, PCID, SSE4.1/4.2, MOVBE,
 * POPCNT, AES, RDRAND.
 */
#define LEAF1_ECX	(BIT(0) | BIT(1) | BIT(9) | BIT(13) | BIT(17) | \
			 BIT(19) | BIT(20) | BIT(22) | BIT(23) | BIT(25) | \
			 BIT(30))
#define LEAF1_ECX_HYPERVISOR	BIT(31)
/* CPUID.1:EDX: FPU, VME, DE, PSE, TSC, MSR, PAE, MCE, CX8, SEP, PGE,
 * CMOV, PAT, PSE36, CLFSH, MMX, FXSR, SSE, SSE2.
 */
#define LEAF1_EDX	(GENMASK(8, 0) | BIT(11) | BIT(13) | BIT(15) | \
			 BIT(16) | BIT(17) | BIT(19) | BIT(23) | BIT(24) | \
			 BIT(25) | BIT(26))
/* CPUID.7.0:EBX: FSGSBASE, BMI1, SMEP, BMI2, ERMS, RDSEED, ADX, SMAP,
 * CLFLUSHOPT, SHA (INVPCID when enabled).
 */
#define LEAF7_EBX	(BIT(0) | BIT(3) | BIT(7) | BIT(8) | BIT(9) | \
			 BIT(18) | BIT(19) | BIT(20) | BIT(23) | BIT(29))
#define LEAF7_EBX_INVPCID	BIT(10)
/* CPUID.80000001H: ECX LAHF, LZCNT, PREFETCHW; EDX SYSCALL, NX,
 * 1G pages, LM (RDTSCP when enabled).
 */
#define EXT1_ECX	(BIT(0) | BIT(5) | BIT(8))
#define EXT1_EDX	(BIT(11) | BIT(20) | BIT(26) | BIT(29))
#define EXT1_EDX_RDTSCP	BIT(27)

static void filter(struct vmx_vcpu *v, u32 leaf, u32 sub, u32 r[4])
{
	u32 proc2 = minihv_vmx_caps.proc2;

	struct minihv_lapic *apic = v->apic;
	u32 khz = minihv_tsc_khz();

	r[0] = r[1] = r[2] = r[3] = 0;
	switch (leaf) {
	case SIGNATURE_LEAF:
		r[0] = MAX_HV_LEAF;
		memcpy(&r[1], "minihvminihv", 12);
		return;
	case TIMING_LEAF:
		r[0] = khz;
		r[1] = khz;
		return;
	case 6:
		r[0] = LEAF6_EAX_ARAT;
		return;
	case 0x15:
		if (khz <= U32_MAX / 1000) {
			r[0] = 1;
			r[1] = 1;
			r[2] = khz * 1000;
		}
		return;
	}
	/* Past the host's own last leaf a CPU repeats that leaf: hide it. */
	if ((leaf < 0x80000000 &&
	     (leaf > MAX_BASIC_LEAF || leaf > cpuid_eax(0))) ||
	    leaf > MAX_EXT_LEAF)
		return;
	cpuid_count(leaf, sub, &r[0], &r[1], &r[2], &r[3]);
	switch (leaf) {
	case 0:
		r[0] = MAX_BASIC_LEAF;
		break;
	case 1:
		/* One logical CPU per package; the APIC id is the vCPU id. */
		r[1] = (r[1] & 0xffff) | BIT(16) | v->vcpu->id << 24;
		r[2] = (r[2] & LEAF1_ECX) | LEAF1_ECX_HYPERVISOR;
		r[3] &= LEAF1_EDX;
		if (apic) {
			r[2] |= LEAF1_ECX_X2APIC | LEAF1_ECX_TSC_DEADLINE;
			if (lapic_enabled(apic))
				r[3] |= LEAF1_EDX_APIC;
		}
		break;
	case 2:
	case 4:
		break;		/* cache descriptions */
	case 7:
		if (sub == 0) {
			r[0] = 0;
			r[1] &= LEAF7_EBX | ((proc2 & SECONDARY_EXEC_ENABLE_INVPCID) ?
					     LEAF7_EBX_INVPCID : 0);
			r[2] = r[3] = 0;
		} else {
			r[0] = r[1] = r[2] = r[3] = 0;
		}
		break;
	case 0x80000000:
		r[0] = min_t(u32, r[0], MAX_EXT_LEAF);
		r[1] = r[2] = r[3] = 0;
		break;
	case 0x80000001:
		r[0] = r[1] = 0;
		r[2] &= EXT1_ECX;
		r[3] &= EXT1_EDX | ((proc2 & SECONDARY_EXEC_ENABLE_RDTSCP) ?
				    EXT1_EDX_RDTSCP : 0);
		break;
	case 0x80000002 ... 0x80000006:
		break;		/* brand string, caches */
	case 0x80000008:
		r[1] = r[2] = r[3] = 0;	/* address sizes in EAX only */
		break;
	default:
		r[0] = r[1] = r[2] = r[3] = 0;
	}
}

int minihv_vmx_handle_cpuid(struct vmx_vcpu *v)
{
	u32 r[4];

	filter(v, v->gprs[GPR_RAX], v->gprs[GPR_RCX], r);
	/* CPUID zero-extends into the 64-bit registers. */
	v->gprs[GPR_RAX] = r[0];
	v->gprs[GPR_RBX] = r[1];
	v->gprs[GPR_RCX] = r[2];
	v->gprs[GPR_RDX] = r[3];
	minihv_vmx_skip_insn(v);
	return 1;
}
