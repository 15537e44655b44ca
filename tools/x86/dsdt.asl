/*
 * SPDX-License-Identifier: GPL-2.0
 *
 * The DSDT of `minihv run`'s x86 machine, compiled by acpica-tools' iasl
 * at build time (tools/x86/dsdt.S embeds the AML). What it says must
 * match tools/x86/acpi.c, pm.c and fw_cfg.c:
 *   \_S5    soft-off: SLP_TYP 0 in PM1a_CNT (port 0x604), as on QEMU's
 *           pc and q35 machines, so the well-known "outw 0x2000 to 0x604"
 *           powers off here too
 *   COM1    the 16550A at 0x3f8, ISA IRQ 4 (Linux's 8250_pnp finds it)
 *   RTC     the CMOS clock at 0x70 (rtc.c), without its IRQ 8: no alarms
 *   FWCF    QEMU's fw_cfg I/O interface at 0x510, by its ACPI id
 * The processors are in the MADT, built per run; nothing here depends on
 * the number of vCPUs.
 */
DefinitionBlock ("", "DSDT", 2, "MINIHV", "MINIHV", 1)
{
    Name (\_S5, Package (0x04)
    {
        Zero,               /* PM1a_CNT.SLP_TYP */
        Zero,               /* PM1b_CNT.SLP_TYP: no PM1b block */
        Zero,
        Zero
    })

    Scope (\_SB)
    {
        Device (COM1)
        {
            Name (_HID, EisaId ("PNP0501"))     /* 16550A-compatible */
            Name (_UID, One)
            Name (_STA, 0x0F)
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x03F8, 0x03F8, 0x01, 0x08)
                IRQNoFlags () {4}
            })
        }

        Device (RTC)
        {
            Name (_HID, EisaId ("PNP0B00"))     /* AT real-time clock */
            Name (_STA, 0x0F)
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x0070, 0x0070, 0x01, 0x02)
            })
        }

        Device (FWCF)
        {
            Name (_HID, "QEMU0002")
            Name (_STA, 0x0B)                   /* present, not shown */
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x0510, 0x0510, 0x01, 0x02)
            })
        }
    }
}
