/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * minihv userspace API: the one header a VMM includes.
 *
 * Shaped like KVM's: /dev/minihv creates VM fds, a VM fd creates vCPU fds,
 * a vCPU fd is mmap'd for its run area and driven with MINIHV_RUN.
 */
#ifndef _UAPI_MINIHV_H
#define _UAPI_MINIHV_H

#define MINIHV_API_VERSION	1

/*
 * The release: minihv.ko's modinfo, MINIHV_GET_INFO's version and the
 * minihv tool all say it (dkms.conf's PACKAGE_VERSION too, checked by
 * make check). API_VERSION changes only when the uapi breaks.
 */
#define MINIHV_VERSION_MAJOR	0
#define MINIHV_VERSION_MINOR	5
#define MINIHV_VERSION_PATCH	0
#define MINIHV_VERSION_CODE	(MINIHV_VERSION_MAJOR << 16 | \
				 MINIHV_VERSION_MINOR << 8 | \
				 MINIHV_VERSION_PATCH)

/*
 * Guest -> minihv hypercalls. arm64: "hvc #0" with the number in x0 and
 * arguments in x1..x6 (SMCCC, vendor-hypervisor owner), result in x0.
 * x86_64: "vmcall" with the number in rax and arguments in rbx, rcx, rdx,
 * rsi, rdi, r8 (from any privilege level), result in rax.
 * Unknown numbers return -1 (SMCCC NOT_SUPPORTED) to the guest.
 */
#define MINIHV_HCALL_NOP	0xc6000100	/* handled in the hypervisor */
#define MINIHV_HCALL_EXIT	0xc6000101	/* MINIHV_EXIT_HYPERCALL */
/*
 * Register this vCPU's time page (struct minihv_time_page): argument 1 is
 * its guest-physical address, 8-byte aligned, inside one page of guest
 * RAM; 0 unregisters it. Returns 0, or MINIHV_HCALL_INVALID.
 */
#define MINIHV_HCALL_TIME_PAGE	0xc6000102
#define MINIHV_HCALL_INVALID	(-3)	/* SMCCC INVALID_PARAMETER */

#ifndef __ASSEMBLY__
#include <linux/types.h>
#include <linux/ioctl.h>

/* Limits, enforced by the module and reported by MINIHV_GET_INFO. */
#define MINIHV_MAX_VMS		64
#define MINIHV_MAX_VCPUS	64	/* vCPUs per VM */
#define MINIHV_MAX_VCPU_ID	255	/* vCPU ids are 0..MAX_VCPU_ID */
#define MINIHV_MAX_MEMSLOTS	32	/* slots in use per VM */
#define MINIHV_MAX_MEMSLOT_ID	0xffff	/* slot ids are 0..MAX_MEMSLOT_ID */
#define MINIHV_MAX_MEMSLOT_BYTES (4ULL << 30)

enum minihv_arch {
	MINIHV_ARCH_ARM64 = 1,
	MINIHV_ARCH_X86_64 = 2,
};

enum minihv_mode {
	MINIHV_MODE_NVHE = 1,	/* kernel at EL1, minihv's own code at EL2 */
	MINIHV_MODE_VHE = 2,	/* kernel at EL2 (VHE), minihv runs there */
	MINIHV_MODE_VMX = 3,	/* VMX root operation on every CPU */
};

/* Extensions for MINIHV_CHECK_EXTENSION; unknown ones return 0. */
#define MINIHV_CAP_USER_MEMORY	1
#define MINIHV_CAP_NR_VCPUS	2
#define MINIHV_CAP_MAX_VCPU_ID	3
#define MINIHV_CAP_NR_MEMSLOTS	4
#define MINIHV_CAP_MAX_VMS	5
#define MINIHV_CAP_RUN		6	/* 1 once guests can run */
/* Bitmask of (1 << MINIHV_IRQCHIP_*): the controllers emulated in the kernel. */
#define MINIHV_CAP_IRQCHIP	7
#define MINIHV_CAP_IOEVENTFD	8	/* MINIHV_IOEVENTFD */
#define MINIHV_CAP_IRQFD	9	/* MINIHV_IRQFD */
#define MINIHV_CAP_CLOCK	10	/* the clock ioctls and the time page */

#define MINIHV_INFO_CPU_WORDS	16	/* bitmap of up to 1024 CPUs */

/*
 * arch_caps[] for arm64: [0] ICH_VTR_EL2 (0 without GICv3 system
 * registers), [1] the CPU's VMID bits, [2] PA bits, [3] VMID bits in use,
 * [4] VMID generation rollovers since load, and in nVHE [5] the online
 * CPUs whose EL2 minihv lent while it had no VM (to a KVM VM, or to the
 * hyp stub after one) and does not hold now (taken again at the next
 * VM), [6] EL2 hand-overs since load, [7] hand-overs refused while
 * minihv had VMs (EL2's and KVM's attempts), and in VHE [6] guest
 * entries that found another hypervisor's stage 2 loaded since minihv's
 * last exit and flushed the CPU's guest TLB entries first, [7] flushes
 * of a VM's entries as its vCPU thread left a CPU (only with the
 * kernel's KVM enabled); for x86_64: [0] IA32_VMX_BASIC,
 * [1] IA32_VMX_EPT_VPID_CAP, [2] IA32_VMX_PROCBASED_CTLS2, and the VMCS
 * controls minihv chose: [3] pin-based | primary processor-based << 32,
 * [4] secondary processor-based, [5] VM-exit | VM-entry << 32, [6] the
 * APIC-virtualization secondary controls a VM created now gets with its
 * in-kernel irqchip (0: the "apicv" module parameter is off or the CPU
 * lacks them).
 */
struct minihv_info {
	__u32 api_version;
	__u32 arch;		/* enum minihv_arch */
	__u32 mode;		/* enum minihv_mode */
	__u32 nr_cpus_online;
	__u32 nr_cpus_enabled;	/* CPUs that answered a live check */
	__u32 nr_vms;
	__u32 max_vms;
	__u32 max_vcpus;
	__u32 max_vcpu_id;
	__u32 max_memslots;
	__u32 max_memslot_id;
	__u32 ipa_bits;		/* guest physical address bits */
	__u64 max_memslot_bytes;
	__u64 pinned_pages;	/* guest pages pinned by all VMs */
	__u64 arch_caps[8];
	__u64 cpus_enabled[MINIHV_INFO_CPU_WORDS];
	__u32 version;		/* MINIHV_VERSION_CODE of the module */
	__u32 pad;
	/* The guest counter's rate (arm64 CNTFRQ_EL0, x86 the TSC's). */
	__u64 counter_hz;
	__u64 reserved[6];
};

/*
 * The VM's clocks (docs/time.md). Real time: ns since the VM was created.
 * Virtual time: ns during which the VM executed (some vCPU inside
 * MINIHV_RUN and not preempted; a vCPU asleep in WFI / HLT executes, as
 * its timers count on this clock). The guest's counter (CNTVCT_EL0, the
 * TSC) shows real time, or in virtual-time mode virtual time: "clock".
 *
 * MINIHV_GET_CLOCK fills everything, read at one instant. MINIHV_SET_CLOCK
 * takes clock and flags: it moves the counter of every vCPU at once to
 * show @clock now, and MINIHV_CLOCK_VIRTUAL chooses the mode, which only
 * a VM that has not run can change. Both need every vCPU outside
 * MINIHV_RUN (-EBUSY), as for saving and restoring a VM.
 */
#define MINIHV_CLOCK_VIRTUAL	(1U << 0)

struct minihv_clock {
	__u64 clock;		/* ns: the time the guest's counter shows */
	__u32 flags;		/* MINIHV_CLOCK_* */
	__u32 pad;
	__u64 real_ns;		/* GET only, as the rest */
	__u64 virtual_ns;
	__u64 counter;		/* the guest's counter at that instant */
	__u64 counter_hz;
	__u64 reserved[4];
};

/*
 * Wall-clock time at real time 0, as Xen's shared info keeps it: the
 * guest's date is this plus real time. It starts as the host's
 * CLOCK_REALTIME when the VM is created; setting it changes nothing else.
 */
struct minihv_wallclock {
	__s64 sec;
	__u32 nsec;		/* below 1e9 */
	__u32 flags;		/* none defined: 0 */
	__u64 reserved[2];
};

/*
 * A vCPU's time in each state since it was created, in ns (Xen's
 * runstate): running inside MINIHV_RUN, runnable (inside RUN but
 * preempted by the host), blocked (asleep in WFI / HLT or powered off
 * inside RUN), offline (outside RUN). The four add up to its age.
 */
enum minihv_runstate_state {
	MINIHV_RUNSTATE_RUNNING = 0,
	MINIHV_RUNSTATE_RUNNABLE = 1,
	MINIHV_RUNSTATE_BLOCKED = 2,
	MINIHV_RUNSTATE_OFFLINE = 3,
};

struct minihv_runstate {
	__u32 state;		/* the current one */
	__u32 pad;
	__u64 state_entry_ns;	/* when it began, in the vCPU's age */
	__u64 time[4];		/* by state, up to now */
	__u64 reserved[2];
};

/*
 * The page a vCPU registers with MINIHV_HCALL_TIME_PAGE, kept up to date
 * by minihv, read by the guest without exits (a seqlock, as kvmclock's
 * pvclock): read @version (retry while odd), the fields, then @version
 * again (retry if it changed). With c the guest's counter now and
 *	d = c - counter_base, shifted left by shift (right if negative),
 *	ns = (d * mul) >> 32 (a 64x32-bit product, 96 bits wide),
 * real time is real_ns + ns and virtual time virtual_ns + ns while the VM
 * executes (minihv rebases the page whenever one of them changes), and the
 * date is wall_sec.wall_nsec plus real time.
 */
struct minihv_time_page {
	__u32 version;
	__u32 flags;		/* MINIHV_CLOCK_VIRTUAL: the counter's mode */
	__u64 counter_base;
	__u64 real_ns;
	__u64 virtual_ns;
	__u32 mul;
	__s8 shift;
	__u8 pad[3];
	__u32 wall_nsec;
	__u32 pad2;
	__s64 wall_sec;
	__u64 counter_hz;
};

/* For MINIHV_SET_USER_MEMORY_REGION; memory_size 0 deletes the slot. */
struct minihv_userspace_memory_region {
	__u32 slot;
	__u32 flags;		/* none defined yet: must be 0 */
	__u64 guest_phys_addr;
	__u64 memory_size;
	__u64 userspace_addr;
};

/*
 * MINIHV_GET_VM_INFO: the VM's guest-physical table (stage-2 / EPT) as
 * built, by leaf size, and what it holds.
 */
struct minihv_vm_info {
	__u64 leaves_4k;
	__u64 leaves_2m;
	__u64 leaves_1g;
	__u64 table_pages;	/* pages the table itself uses */
	__u32 nr_memslots;
	__u32 nr_vcpus;
	/* Names the VM in debugfs (<pid>-<id>) and in its tracepoints. */
	__u32 id;
	__u32 pad;
	__u64 reserved[7];
};

#if defined(__aarch64__)
struct minihv_regs {
	__u64 x[31];
	__u64 sp;		/* SP_EL1 */
	__u64 pc;
	__u64 pstate;		/* SPSR layout: AArch64 EL0t, EL1t or EL1h */
};
#elif defined(__x86_64__)
struct minihv_regs {
	__u64 rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
	__u64 r8, r9, r10, r11, r12, r13, r14, r15;
	__u64 rip, rflags;
};

/* A segment register with its hidden part (SDM 3.4.5). */
struct minihv_segment {
	__u64 base;
	__u32 limit;		/* in bytes (g scales nothing here) */
	__u16 selector;
	__u8 type, present, dpl, db, s, l, g, avl;
	__u8 unusable, padding[5];
};

struct minihv_dtable {
	__u64 base;
	__u16 limit;
	__u16 padding[3];
};

/* x86 state beyond the GPRs: MINIHV_GET_SREGS / MINIHV_SET_SREGS. */
struct minihv_sregs {
	struct minihv_segment cs, ds, es, fs, gs, ss, tr, ldt;
	struct minihv_dtable gdt, idt;
	__u64 cr0, cr2, cr3, cr4, efer;
};
#endif

/*
 * MINIHV_CREATE_IRQCHIP: the VM's interrupt controller, emulated in the
 * kernel (MMIO to it never reaches userspace), created before any vCPU.
 *
 * MINIHV_IRQCHIP_GICV3 (arm64): base[0] the distributor (64 KiB, 64 KiB
 * aligned); base[1] the redistributors, size[1] bytes of them: one
 * 128 KiB frame pair (RD_base, SGI_base) per vCPU, indexed by vCPU id,
 * so a vCPU's id must have its frame inside size[1]. nr_irqs: SPIs, a
 * multiple of 32 from 32 to 988 (0: 256).
 *
 * MINIHV_IRQCHIP_X86_APIC (x86_64): a local APIC per vCPU (at the
 * address IA32_APIC_BASE gives, 0xfee00000 after reset), one I/O APIC at
 * base[0] (4 KiB, aligned; 0xfec00000 on PCs) and, with the platform's
 * timers, the ACPI PM timer at I/O port base[1] (4 ports; 0x608 as on
 * QEMU's q35; 0: none). nr_irqs: I/O APIC pins (0: 24, at most 24).
 * size[] must be 0.
 *
 * base/size slots a type does not use must be 0; so must flags and
 * reserved[].
 */
enum minihv_irqchip_type {
	MINIHV_IRQCHIP_GICV3 = 1,
	MINIHV_IRQCHIP_X86_APIC = 2,
};

struct minihv_irqchip {
	__u32 type;		/* enum minihv_irqchip_type */
	__u32 flags;
	__u64 base[4];
	__u64 size[4];
	__u32 nr_irqs;
	__u32 reserved[7];
};

/*
 * MINIHV_IRQ_LINE: drive one of the VM's device interrupt lines, as a
 * device model in userspace does (KVM_IRQ_LINE's shape). irq: arm64 the
 * SPI number (INTID 32 + irq, the number a device tree's "interrupts"
 * cell holds), x86 the I/O APIC pin. level 1 raises the line, 0 lowers
 * it: a level-triggered interrupt stays pending while the line is high;
 * an edge-triggered one is one raise (a rising edge).
 */
struct minihv_irq_level {
	__u32 irq;
	__u32 level;
};

/*
 * MINIHV_IOEVENTFD (KVM_IOEVENTFD's shape): a guest write of exactly len
 * bytes at exactly addr (guest-physical, or an x86 port with PIO: IN/OUT,
 * not string I/O) signals the eventfd fd in the kernel, and the vCPU goes
 * on with no exit to userspace. With DATAMATCH only writes of that value
 * do; others exit as before. Reads always exit. DEASSIGN removes the one
 * registered with the same eventfd, addr, len, PIO and DATAMATCH (and
 * value). Errors: EINVAL unknown flags, nonzero reserved, len not 1, 2, 4
 * or 8 (KVM's "any length" 0 is not offered), addr + len past the
 * guest-physical space or port 0xffff, a datamatch wider than len, PIO
 * where there are no ports (arm64), fd not an eventfd; EBADF fd not open;
 * EEXIST the range touches a memory slot or an in-kernel device (vGIC,
 * I/O APIC, xAPIC page, PM timer) or one already takes the same writes
 * (DATAMATCH ones with different values may share an address); ENOSPC 64
 * already; ENOENT nothing to DEASSIGN. A memory slot over an ioeventfd
 * is refused (EINVAL), as over a device. MINIHV_CAP_IOEVENTFD: 1.
 */
struct minihv_ioeventfd {
	__u64 datamatch;
	__u64 addr;
	__u32 len;		/* 1, 2, 4 or 8 */
	__s32 fd;
#define MINIHV_IOEVENTFD_DATAMATCH	(1U << 0)
#define MINIHV_IOEVENTFD_PIO		(1U << 1)
#define MINIHV_IOEVENTFD_DEASSIGN	(1U << 2)
	__u32 flags;
	__u32 reserved[9];	/* must be 0 */
};

/*
 * MINIHV_IRQFD (KVM_IRQFD's shape): each signal of the eventfd fd pulses
 * the in-kernel controller's line irq (MINIHV_IRQ_LINE's numbering: raise
 * then lower, an edge, as KVM's irqfd without a resample fd; the guest
 * should make the line edge-triggered, and userspace should not drive it
 * with MINIHV_IRQ_LINE too). Signals that come faster than the kernel
 * pulses may merge into one interrupt. DEASSIGN removes the one of that
 * eventfd and irq; when it returns, no pulse of it is left to come.
 * Closing the eventfd removes it too. Errors: ENXIO no in-kernel irqchip;
 * EINVAL unknown flags, nonzero reserved, irq past the controller's lines
 * (arm64: SPIs, x86: I/O APIC pins), fd not an eventfd; EBADF fd not
 * open; EBUSY that eventfd is already an irqfd of this VM; ENOENT nothing
 * to DEASSIGN. MINIHV_CAP_IRQFD: 1 where an irqchip can be made.
 */
struct minihv_irqfd {
	__s32 fd;
	__u32 irq;
#define MINIHV_IRQFD_DEASSIGN		(1U << 0)
	__u32 flags;
	__u32 reserved[5];	/* must be 0 */
};

/* For MINIHV_VCPU_INIT, before the vCPU first runs. */
struct minihv_vcpu_init {
/* arm64: wait for PSCI CPU_ON; x86: an AP after INIT, waiting for a SIPI */
#define MINIHV_VCPU_INIT_POWER_OFF	(1U << 0)
	__u32 flags;
	__u32 reserved[7];	/* must be 0 */
};

/* The exit reasons a vCPU reports in minihv_run.exit_reason. */
enum minihv_exit_reason {
	MINIHV_EXIT_UNKNOWN = 0,
	MINIHV_EXIT_HYPERCALL = 1,
	MINIHV_EXIT_IO = 2,
	MINIHV_EXIT_MMIO = 3,
	MINIHV_EXIT_SYSTEM_EVENT = 4,
	MINIHV_EXIT_FAIL_ENTRY = 5,
	MINIHV_EXIT_INTERNAL = 6,
	MINIHV_EXIT_SHUTDOWN = 7,
	MINIHV_EXIT_INTR = 8,
	MINIHV_EXIT_HLT = 9,	/* x86 HLT in a VM without MINIHV_CREATE_IRQCHIP */
};

/*
 * x86 port I/O: the data of MINIHV_EXIT_IO is count elements of size
 * bytes at data_offset in the run area (count > 1 for REP INS/OUTS).
 * For IN, userspace fills it before the next MINIHV_RUN.
 */
#define MINIHV_IO_DATA_OFFSET	1024
#define MINIHV_IO_DATA_MAX	3072

/* The vCPU's run area: mmap of the vCPU fd, MINIHV_GET_VCPU_MMAP_SIZE bytes. */
struct minihv_run {
	__u32 exit_reason;
	__u8 immediate_exit;
	__u8 padding[3];
	__u64 reserved[3];
	union {
		struct {
			__u64 nr;
			__u64 args[6];
			__u64 ret;
		} hypercall;
		struct {
#define MINIHV_EXIT_IO_IN	0
#define MINIHV_EXIT_IO_OUT	1
			__u8 direction;
			__u8 size;
			__u16 port;
			__u32 count;
			__u64 data_offset;	/* from the start of minihv_run */
		} io;
		struct {
			__u64 phys_addr;
			__u8 data[8];
			__u32 len;
			__u8 is_write;
		} mmio;
		struct {
#define MINIHV_SYSTEM_EVENT_SHUTDOWN	1
#define MINIHV_SYSTEM_EVENT_RESET	2
			__u32 type;
			__u32 ndata;
			__u64 data[16];
		} system_event;
		/*
		 * x86: the VM-exit reason of a failed entry (bit 31 set,
		 * e.g. 0x80000021: invalid guest state), or VM-instruction
		 * error | MINIHV_ENTRY_FAIL_VMFAIL when VMLAUNCH/VMRESUME
		 * itself failed.
		 */
		struct {
#define MINIHV_ENTRY_FAIL_VMFAIL	(1ULL << 32)
			__u64 hardware_entry_failure_reason;
			__u32 cpu;
		} fail_entry;
		struct {
#define MINIHV_INTERNAL_UNHANDLED_ABORT	1	/* data: ESR, FAR, IPA, PC */
#define MINIHV_INTERNAL_SERROR		2
/* x86: data: exit reason, qualification, RIP, then insn bytes (8 per word) */
#define MINIHV_INTERNAL_UNHANDLED_EXIT	3
#define MINIHV_INTERNAL_EMULATION	4	/* an MMIO insn not decoded */
			__u32 suberror;
			__u32 ndata;
			__u64 data[16];
		} internal;
		char padding_exit[256];
	};
};

#define MINIHVIO	0xB9

/* /dev/minihv */
#define MINIHV_GET_API_VERSION		_IO(MINIHVIO, 0x00)
#define MINIHV_CREATE_VM		_IO(MINIHVIO, 0x01)
#define MINIHV_CHECK_EXTENSION		_IO(MINIHVIO, 0x03)
#define MINIHV_GET_VCPU_MMAP_SIZE	_IO(MINIHVIO, 0x04)
#define MINIHV_GET_INFO			_IOR(MINIHVIO, 0x05, struct minihv_info)

/* VM fd */
#define MINIHV_CREATE_VCPU		_IO(MINIHVIO, 0x41)
#define MINIHV_SET_USER_MEMORY_REGION	\
	_IOW(MINIHVIO, 0x46, struct minihv_userspace_memory_region)
#define MINIHV_GET_VM_INFO		_IOR(MINIHVIO, 0x47, struct minihv_vm_info)
#define MINIHV_CREATE_IRQCHIP		_IOW(MINIHVIO, 0x60, struct minihv_irqchip)
#define MINIHV_IRQ_LINE			_IOW(MINIHVIO, 0x61, struct minihv_irq_level)
#define MINIHV_IOEVENTFD		_IOW(MINIHVIO, 0x62, struct minihv_ioeventfd)
#define MINIHV_IRQFD			_IOW(MINIHVIO, 0x63, struct minihv_irqfd)
#define MINIHV_GET_CLOCK		_IOR(MINIHVIO, 0x64, struct minihv_clock)
#define MINIHV_SET_CLOCK		_IOW(MINIHVIO, 0x65, struct minihv_clock)
#define MINIHV_GET_WALLCLOCK		_IOR(MINIHVIO, 0x66, struct minihv_wallclock)
#define MINIHV_SET_WALLCLOCK		_IOW(MINIHVIO, 0x67, struct minihv_wallclock)

/* vCPU fd */
#define MINIHV_RUN			_IO(MINIHVIO, 0x80)
#define MINIHV_GET_REGS			_IOR(MINIHVIO, 0x81, struct minihv_regs)
#define MINIHV_SET_REGS			_IOW(MINIHVIO, 0x82, struct minihv_regs)
#define MINIHV_VCPU_INIT		_IOW(MINIHVIO, 0x83, struct minihv_vcpu_init)
#define MINIHV_GET_RUNSTATE		_IOR(MINIHVIO, 0x86, struct minihv_runstate)
#if defined(__x86_64__)
#define MINIHV_GET_SREGS		_IOR(MINIHVIO, 0x84, struct minihv_sregs)
#define MINIHV_SET_SREGS		_IOW(MINIHVIO, 0x85, struct minihv_sregs)
#endif

#endif /* __ASSEMBLY__ */
#endif /* _UAPI_MINIHV_H */
