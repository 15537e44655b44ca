// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's device tree, written with libfdt: what a Linux guest needs
 * to find its RAM, CPUs, PSCI, GICv3, timers, console and initrd.
 */
#include <fcntl.h>
#include <libfdt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "arm64.h"

#define PHANDLE_GIC	1
#define PHANDLE_CLK	2

/* GIC interrupt specifiers: type, number, flags. */
#define GIC_SPI		0
#define GIC_PPI		1
#define IRQ_LEVEL_HIGH	4

static int reg64(void *fdt, const char *name, uint64_t a, uint64_t b,
		 uint64_t c, uint64_t d, int n)
{
	fdt64_t cells[4] = {
		cpu_to_fdt64(a), cpu_to_fdt64(b),
		cpu_to_fdt64(c), cpu_to_fdt64(d),
	};

	return fdt_property(fdt, name, cells, n * sizeof(cells[0]));
}

static int irq3(void *fdt, const char *name, const uint32_t *v, int n)
{
	fdt32_t cells[12];
	int i;

	for (i = 0; i < n && i < 12; i++)
		cells[i] = cpu_to_fdt32(v[i]);
	return fdt_property(fdt, name, cells, n * sizeof(cells[0]));
}

static int write_out(const char *path, const void *fdt)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0) {
		perror(path);
		return -1;
	}
	n = write(fd, fdt, fdt_totalsize(fdt));
	close(fd);
	return n == (ssize_t)fdt_totalsize(fdt) ? 0 : -1;
}

int arm64_fdt(struct vmm *vmm, void *fdt, uint64_t size, uint64_t initrd,
	      uint64_t initrd_size)
{
	/* PPIs of the generic timer: secure, non-secure phys, virt, hyp. */
	/* Level-high, as the GICv3 binding (and QEMU's virt) has them. */
	const uint32_t timer_irqs[] = {
		GIC_PPI, 13, IRQ_LEVEL_HIGH, GIC_PPI, 14, IRQ_LEVEL_HIGH,
		GIC_PPI, 11, IRQ_LEVEL_HIGH, GIC_PPI, 10, IRQ_LEVEL_HIGH,
	};
	const uint32_t uart_irq[] = { GIC_SPI, ARM64_PL011_IRQ, IRQ_LEVEL_HIGH };
	static const char psci_compat[] = "arm,psci-1.0\0arm,psci-0.2";
	static const char uart_compat[] = "arm,pl011\0arm,primecell";
	static const char rtc_compat[] = "arm,pl031\0arm,primecell";
	static const char clock_names[] = "uartclk\0apb_pclk";
	fdt32_t clocks[2] = { cpu_to_fdt32(PHANDLE_CLK), cpu_to_fdt32(PHANDLE_CLK) };
	char name[64];
	int err = 0, i;

	err |= fdt_create(fdt, size);
	err |= fdt_finish_reservemap(fdt);
	err |= fdt_begin_node(fdt, "");
	err |= fdt_property_string(fdt, "compatible", "linux,dummy-virt");
	err |= fdt_property_string(fdt, "model", "minihv");
	err |= fdt_property_u32(fdt, "#address-cells", 2);
	err |= fdt_property_u32(fdt, "#size-cells", 2);
	err |= fdt_property_u32(fdt, "interrupt-parent", PHANDLE_GIC);

	err |= fdt_begin_node(fdt, "chosen");
	err |= fdt_property_string(fdt, "bootargs", vmm->cfg->append);
	snprintf(name, sizeof(name), "/pl011@%llx",
		 (unsigned long long)ARM64_PL011_BASE);
	err |= fdt_property_string(fdt, "stdout-path", name);
	if (initrd_size) {
		err |= fdt_property_u64(fdt, "linux,initrd-start", initrd);
		err |= fdt_property_u64(fdt, "linux,initrd-end",
					initrd + initrd_size);
	}
	err |= fdt_end_node(fdt);

	snprintf(name, sizeof(name), "memory@%llx",
		 (unsigned long long)vmm->ram_gpa);
	err |= fdt_begin_node(fdt, name);
	err |= fdt_property_string(fdt, "device_type", "memory");
	err |= reg64(fdt, "reg", vmm->ram_gpa, vmm->ram_size, 0, 0, 2);
	err |= fdt_end_node(fdt);

	err |= fdt_begin_node(fdt, "cpus");
	err |= fdt_property_u32(fdt, "#address-cells", 1);
	err |= fdt_property_u32(fdt, "#size-cells", 0);
	for (i = 0; i < vmm->cfg->cpus; i++) {
		/* MPIDR as minihv sets it: 16 CPUs per Aff0 cluster. */
		uint32_t mpidr = (i & 0xf) | ((i >> 4) << 8);

		snprintf(name, sizeof(name), "cpu@%x", mpidr);
		err |= fdt_begin_node(fdt, name);
		err |= fdt_property_string(fdt, "device_type", "cpu");
		err |= fdt_property_string(fdt, "compatible", "arm,armv8");
		err |= fdt_property_u32(fdt, "reg", mpidr);
		err |= fdt_property_string(fdt, "enable-method", "psci");
		err |= fdt_end_node(fdt);
	}
	err |= fdt_end_node(fdt);

	err |= fdt_begin_node(fdt, "psci");
	err |= fdt_property(fdt, "compatible", psci_compat, sizeof(psci_compat));
	err |= fdt_property_string(fdt, "method", "hvc");
	err |= fdt_end_node(fdt);

	snprintf(name, sizeof(name), "intc@%llx",
		 (unsigned long long)ARM64_GICD_BASE);
	err |= fdt_begin_node(fdt, name);
	err |= fdt_property_string(fdt, "compatible", "arm,gic-v3");
	err |= fdt_property_u32(fdt, "#interrupt-cells", 3);
	err |= fdt_property(fdt, "interrupt-controller", NULL, 0);
	err |= reg64(fdt, "reg", ARM64_GICD_BASE, ARM64_GICD_SIZE,
		     ARM64_GICR_BASE, ARM64_GICR_SIZE * vmm->cfg->cpus, 4);
	err |= fdt_property_u32(fdt, "phandle", PHANDLE_GIC);
	err |= fdt_end_node(fdt);

	err |= fdt_begin_node(fdt, "timer");
	err |= fdt_property_string(fdt, "compatible", "arm,armv8-timer");
	err |= irq3(fdt, "interrupts", timer_irqs, 12);
	err |= fdt_property(fdt, "always-on", NULL, 0);
	err |= fdt_end_node(fdt);

	err |= fdt_begin_node(fdt, "apb-pclk");
	err |= fdt_property_string(fdt, "compatible", "fixed-clock");
	err |= fdt_property_u32(fdt, "#clock-cells", 0);
	err |= fdt_property_u32(fdt, "clock-frequency", 24000000);
	err |= fdt_property_string(fdt, "clock-output-names", "clk24mhz");
	err |= fdt_property_u32(fdt, "phandle", PHANDLE_CLK);
	err |= fdt_end_node(fdt);

	snprintf(name, sizeof(name), "pl011@%llx",
		 (unsigned long long)ARM64_PL011_BASE);
	err |= fdt_begin_node(fdt, name);
	err |= fdt_property(fdt, "compatible", uart_compat, sizeof(uart_compat));
	err |= reg64(fdt, "reg", ARM64_PL011_BASE, 0x1000, 0, 0, 2);
	err |= irq3(fdt, "interrupts", uart_irq, 3);
	err |= fdt_property(fdt, "clocks", clocks, sizeof(clocks));
	err |= fdt_property(fdt, "clock-names", clock_names,
			    sizeof(clock_names));
	err |= fdt_end_node(fdt);

	/* The RTC, without its interrupt (tools/pl031.c): no alarms. */
	snprintf(name, sizeof(name), "pl031@%llx",
		 (unsigned long long)ARM64_PL031_BASE);
	err |= fdt_begin_node(fdt, name);
	err |= fdt_property(fdt, "compatible", rtc_compat, sizeof(rtc_compat));
	err |= reg64(fdt, "reg", ARM64_PL031_BASE, 0x1000, 0, 0, 2);
	err |= fdt_property(fdt, "clocks", clocks, sizeof(clocks[0]));
	err |= fdt_property_string(fdt, "clock-names", "apb_pclk");
	err |= fdt_end_node(fdt);

	err |= fdt_end_node(fdt);
	err |= fdt_finish(fdt);
	if (err) {
		fprintf(stderr, "minihv: building the device tree failed\n");
		return -1;
	}
	if (vmm->cfg->dtb_out && write_out(vmm->cfg->dtb_out, fdt))
		return -1;
	return 0;
}
