// SPDX-License-Identifier: GPL-2.0
/*
 * Spectre and EL2. KVM hardens its EL2 vectors on CPUs the kernel finds
 * affected: a firmware call (SMCCC_ARCH_WORKAROUND_1) on every entry from
 * a guest for Spectre-v2, vectors at a hidden address for Spectre-v3a,
 * and for Spectre-BHB the CPU's CLRBHB instruction, a branch loop or a
 * firmware call. minihv's guest vectors do CLRBHB (world_switch.h) and
 * none of the rest. So it loads where EL2 is as safe as the kernel is:
 * CPUs unaffected, or affected by Spectre-BHB alone and with ECBHB or
 * CLRBHB, or with no BHB mitigation in the kernel either (the kernel
 * assumes unknown CPUs affected: QEMU's "max" is one). It refuses the
 * others, unless the user accepts the risk (allow_vulnerable=1).
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/smp.h>

#include <asm/cpufeature.h>
#include <asm/spectre.h>
#include <asm/sysreg.h>

#include "el2/el2.h"
#include "el2/kvm.h"

static bool allow_vulnerable;
module_param(allow_vulnerable, bool, 0444);
MODULE_PARM_DESC(allow_vulnerable,
		 "load on CPUs affected by Spectre-v2/v3a/BHB that minihv does not mitigate");

/* For the tests: treat this CPU as affected by Spectre-v2. */
static bool test_spectre_v2;
module_param(test_spectre_v2, bool, 0444);

struct bhb_hw {
	bool ecbhb;	/* every CPU clears the history itself */
	bool clrbhb;	/* every CPU has the CLRBHB instruction */
};

static void read_bhb_hw(void *arg)
{
	struct bhb_hw *hw = arg;
	u64 mmfr1 = read_sysreg_s(SYS_ID_AA64MMFR1_EL1);
	u64 isar2 = read_sysreg_s(SYS_ID_AA64ISAR2_EL1);

	if (!cpuid_feature_extract_unsigned_field(mmfr1,
						  ID_AA64MMFR1_EL1_ECBHB_SHIFT))
		WRITE_ONCE(hw->ecbhb, false);
	if (!cpuid_feature_extract_unsigned_field(isar2,
						  ID_AA64ISAR2_EL1_BC_SHIFT))
		WRITE_ONCE(hw->clrbhb, false);
}

/* True if minihv's EL2 leaves Spectre-BHB no worse than the kernel does. */
static bool bhb_as_safe_as_the_kernel(void)
{
	struct bhb_hw hw = { true, true };
	enum mitigation_state (*kernel_state)(void);

	on_each_cpu(read_bhb_hw, &hw, 1);
	if (hw.ecbhb) {
		pr_info("Spectre-BHB: mitigated by the CPU (ECBHB)\n");
		return true;
	}
	if (hw.clrbhb) {
		pr_info("Spectre-BHB: mitigated by CLRBHB on every exit from a guest\n");
		return true;
	}
	kernel_state = (void *)minihv_el2_lookup_symbol("arm64_get_spectre_bhb_state");
	if (kernel_state && kernel_state() == SPECTRE_VULNERABLE) {
		pr_warn("Spectre-BHB: not mitigated, by the kernel nor by minihv, on this CPU\n");
		return true;
	}
	return false;	/* a branch loop or firmware call minihv lacks */
}

int minihv_el2_spectre_check(void)
{
	bool v2 = cpus_have_cap(ARM64_SPECTRE_V2) || test_spectre_v2;
	bool v3a = cpus_have_cap(ARM64_SPECTRE_V3A);
	bool bhb = cpus_have_cap(ARM64_SPECTRE_BHB);
	char which[48];

	if (bhb && bhb_as_safe_as_the_kernel())
		bhb = false;
	if (!v2 && !v3a && !bhb)
		return 0;
	snprintf(which, sizeof(which), "%s%s%s", v2 ? " Spectre-v2" : "",
		 v3a ? " Spectre-v3a" : "", bhb ? " Spectre-BHB" : "");
	if (allow_vulnerable) {
		pr_warn("CPU affected by%s: loaded without that mitigation (allow_vulnerable=1)\n",
			which);
		return 0;
	}
	pr_err("this CPU is affected by%s, which minihv's EL2 vectors do not mitigate: not loading (allow_vulnerable=1 overrides)\n",
	       which);
	return -EOPNOTSUPP;
}
