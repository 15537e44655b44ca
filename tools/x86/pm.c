// SPDX-License-Identifier: GPL-2.0
/*
 * The ACPI fixed hardware the tool emulates (ACPI 6.4 4.8): the PM1a
 * event block (PM1_STS, PM1_EN) and control block (PM1_CNT), and the
 * reset register the FADT points at. A guest powers off by setting
 * SLP_EN with SLP_TYP = \_S5's value in PM1_CNT: `minihv run` exits 0;
 * writing RST_CPU to the reset register exits 3 (a reset). Any byte of
 * a block can be accessed on its own, as on a chipset.
 *
 * Nothing in the machine sets a PM1_STS bit (no power button, no RTC alarm, no
 * wake), so the SCI never fires; the PM timer's TMR_STS is not there
 * either. SCI_EN reads as 1: without an SMI_CMD port in the FADT the
 * machine is always in ACPI mode.
 */
#include <stdio.h>

#include "x86.h"

#define PM1_EN_MASK	0x4721	/* TMR, GBL, PWRBTN, SLPBTN, RTC, PCIEXP */
#define CNT_SCI_EN	0x01
#define CNT_BM_RLD	0x02
#define CNT_HI_SLP_EN	0x20	/* bit 13: bit 5 of PM1_CNT's high byte */
#define RCR_SYS_RST	0x02
#define RCR_RST_CPU	0x04
#define RCR_FULL_RST	0x08

struct pm {
	struct pio_dev pio, reset;
	struct vmm *vmm;
	uint16_t en;
	uint8_t cnt_lo, slp_typ, rcr;
};

/* The block's bytes: PM1_STS at 0, PM1_EN at 2, PM1_CNT at 4. */
static uint8_t pm_read_byte(struct pm *pm, unsigned int off)
{
	switch (off) {
	case 2:
		return pm->en;
	case 3:
		return pm->en >> 8;
	case 4:
		return pm->cnt_lo | CNT_SCI_EN;
	case 5:
		return pm->slp_typ << 2;	/* SLP_EN reads as 0 */
	default:
		return 0;			/* PM1_STS: nothing set */
	}
}

static void sleep_state(struct pm *pm, unsigned int typ)
{
	static bool warned;

	if (typ == X86_SLP_TYP_S5) {
		vmm_stop(pm->vmm, EXIT_GUEST_OFF);
		return;
	}
	if (!warned)
		fprintf(stderr, "minihv: the guest asked for sleep type %u, which is not in the DSDT: ignored\n",
			typ);
	warned = true;
}

static void pm_write_byte(struct pm *pm, unsigned int off, uint8_t val)
{
	switch (off) {
	case 2:
		pm->en = (pm->en & 0xff00) | (val & PM1_EN_MASK);
		break;
	case 3:
		pm->en = (pm->en & 0xff) | ((val << 8) & PM1_EN_MASK);
		break;
	case 4:
		pm->cnt_lo = val & CNT_BM_RLD;
		break;
	case 5:
		pm->slp_typ = (val >> 2) & 7;
		if (val & CNT_HI_SLP_EN)
			sleep_state(pm, pm->slp_typ);
		break;
	default:
		break;		/* PM1_STS is write-1-to-clear: none set */
	}
}

static uint32_t pm_in(struct pio_dev *dev, unsigned int off, unsigned int len)
{
	uint32_t val = 0;
	unsigned int i;

	for (i = 0; i < len; i++)
		val |= (uint32_t)pm_read_byte(dev->priv, off + i) << (8 * i);
	return val;
}

static void pm_out(struct pio_dev *dev, unsigned int off, unsigned int len,
		   uint32_t val)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		pm_write_byte(dev->priv, off + i, val >> (8 * i));
}

/* The PIIX/ICH reset control register: RST_CPU going to 1 resets. */
static uint32_t reset_in(struct pio_dev *dev, unsigned int off,
			 unsigned int len)
{
	struct pm *pm = dev->priv;

	return pm->rcr;
}

static void reset_out(struct pio_dev *dev, unsigned int off, unsigned int len,
		      uint32_t val)
{
	struct pm *pm = dev->priv;

	if (val & RCR_RST_CPU)
		vmm_stop(pm->vmm, EXIT_GUEST_RESET);
	pm->rcr = val & (RCR_SYS_RST | RCR_FULL_RST);
}

static struct pm pm = {
	.pio = {
		.name = "acpi-pm1a",
		.base = X86_PM1A_EVT,
		.size = X86_PM1A_CNT + 2 - X86_PM1A_EVT,
		.in = pm_in,
		.out = pm_out,
		.priv = &pm,
	},
	.reset = {
		.name = "reset",
		.base = X86_RESET_PORT,
		.size = 1,
		.in = reset_in,
		.out = reset_out,
		.priv = &pm,
	},
};

void pm_init(struct vmm *vmm)
{
	pm.vmm = vmm;
	vmm_add_pio(vmm, &pm.pio);
	vmm_add_pio(vmm, &pm.reset);
}
