// SPDX-License-Identifier: GPL-2.0
/*
 * MINIHV_IRQCHIP_X86_APIC: the PC's interrupt controllers and platform
 * timer, emulated in the kernel for one VM (uapi/minihv.h): an I/O APIC
 * at base[0] with nr_irqs pins, the ACPI PM timer at port base[1], and
 * a local APIC per vCPU (made with each vCPU, irq/lapic.c). The default
 * xAPIC window (0xfee00000) is kept free of RAM and, where the CPU has
 * the control, backed by the VM's APIC-access page (irq/vapic.c).
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include <asm/apicdef.h>
#include <asm/io.h>
#include <asm/processor-flags.h>
#include <asm/vmx.h>

#include "core/minihv.h"
#include "irq/lapic.h"
#include "irq/x86_irqchip.h"
#include "mm/pgtable.h"
#include "vmx/vmx.h"

/*
 * The window as seen by a vCPU whose xAPIC is not there (moved, x2APIC
 * or disabled) when the access exits at all: nothing answers.
 */
static int xapic_none_read(struct minihv_io_dev *dev,
			   struct minihv_vcpu *vcpu, u64 offset, u32 len,
			   u64 *val)
{
	*val = ~0ULL;
	return 0;
}

static int xapic_none_write(struct minihv_io_dev *dev,
			    struct minihv_vcpu *vcpu, u64 offset, u32 len,
			    u64 val)
{
	return 0;
}

static const struct minihv_io_ops xapic_none_ops = {
	.read = xapic_none_read,
	.write = xapic_none_write,
};

static int check_chip(const struct minihv_irqchip *c)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c->size); i++)
		if (c->size[i])
			return -EINVAL;
	if (c->base[2] || c->base[3] || (c->base[0] & ~PAGE_MASK) ||
	    c->base[1] > 0x10000 - PM_TIMER_PORTS ||
	    c->nr_irqs > IOAPIC_MAX_PINS)
		return -EINVAL;
	/* The xAPIC window is there already, as RAM would be: taken. */
	if (c->base[0] == APIC_DEFAULT_PHYS_BASE)
		return -EEXIST;
	return 0;
}

/* Under vm->lock, before any vCPU (core/irqchip.c). */
int minihv_vmx_irqchip_create(struct minihv_vm *vm,
			      const struct minihv_irqchip *c)
{
	struct vmx_vm *xvm = vm->arch;
	struct minihv_io_dev *devs[3];
	struct x86_irqchip *chip;
	unsigned int n = 0;
	int ret;

	ret = check_chip(c);
	if (ret)
		return ret;
	chip = kzalloc(sizeof(*chip), GFP_KERNEL_ACCOUNT);
	if (!chip)
		return -ENOMEM;
	ret = minihv_ioapic_init(&chip->ioapic, vm, c->base[0],
				 c->nr_irqs ? c->nr_irqs : IOAPIC_MAX_PINS);
	if (ret)
		goto err;
	devs[n++] = &chip->ioapic.dev;
	chip->xapic_dev.space = MINIHV_IO_MMIO;
	chip->xapic_dev.base = APIC_DEFAULT_PHYS_BASE;
	chip->xapic_dev.size = PAGE_SIZE;
	chip->xapic_dev.ops = &xapic_none_ops;
	devs[n++] = &chip->xapic_dev;
	if (c->base[1]) {
		minihv_pm_timer_init(&chip->pm_timer, vm, c->base[1]);
		devs[n++] = &chip->pm_timer.dev;
	}
	chip->apicv = minihv_vapic_enabled();

	if (minihv_vmx_caps.apic_access) {
		ret = -ENOMEM;
		chip->apic_access = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!chip->apic_access)
			goto err;
	}
	ret = minihv_io_register(vm, devs, n);
	if (ret)
		goto err;
	/*
	 * Nothing can fail after the devices are in: they live with the VM.
	 * The page's mapping needs no flush: nothing was mapped there.
	 */
	if (chip->apic_access &&
	    minihv_pt_map(&xvm->ept, APIC_DEFAULT_PHYS_BASE,
			  page_to_phys(chip->apic_access), PAGE_SIZE,
			  MINIHV_PROT_R | MINIHV_PROT_W)) {
		/* No tables for it: accesses exit as EPT violations instead. */
		__free_page(chip->apic_access);
		chip->apic_access = NULL;
	}
	xvm->chip = chip;
	return 0;
err:
	if (chip->apic_access)
		__free_page(chip->apic_access);
	kfree(chip);
	return ret;
}

/* After the EPT is gone (vmx/ept.c): its mapping of the page with it. */
void minihv_vmx_irqchip_destroy(struct minihv_vm *vm)
{
	struct vmx_vm *xvm = vm->arch;
	struct x86_irqchip *chip = xvm->chip;

	if (!chip)
		return;
	if (chip->apic_access)
		__free_page(chip->apic_access);
	kfree(chip);
	xvm->chip = NULL;
}

int minihv_vmx_irq_line(struct minihv_vm *vm, u32 irq, bool level)
{
	struct vmx_vm *xvm = vm->arch;

	return minihv_ioapic_set_line(&xvm->chip->ioapic, irq, level);
}

/* Device lines are the I/O APIC's pins. */
u32 minihv_vmx_irq_lines(struct minihv_vm *vm)
{
	struct vmx_vm *xvm = vm->arch;

	return xvm->chip->ioapic.nr_pins;
}

/*
 * HLT, or waiting for a start-up IPI (core/kick.c), on the vCPU's thread
 * with its VMCS current: what would end the wait.
 */
bool minihv_vmx_vcpu_has_work(struct minihv_vcpu *vcpu)
{
	struct vmx_vcpu *v = vcpu->arch;
	struct minihv_lapic *apic = v->apic;

	if (!apic)
		return false;
	if (test_bit(LAPIC_EV_INIT, &apic->events))
		return true;
	if (v->wait_sipi)
		return test_bit(LAPIC_EV_SIPI, &apic->events);
	if (test_bit(LAPIC_EV_NMI, &apic->events))
		return true;
	return minihv_lapic_deliverable(apic) >= 0 &&
	       (vmcs_read(GUEST_RFLAGS) & X86_EFLAGS_IF);
}
