/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guests for the kselftests, written as ordinary functions of the test
 * binary (as KVM's selftests do): the binary is copied into guest RAM at
 * guest-physical == host-virtual addresses, so its code, globals and
 * stacks work unchanged inside the guest. arm64 (guest_arm64.c) and
 * x86_64 (guest_x86.c, 64-bit long mode).
 *
 * Guest code must not call the C library: its string functions are
 * chosen at start-up for the host CPU (AVX on x86, which guests lack).
 */
#ifndef MINIHV_SELFTEST_GUEST_H
#define MINIHV_SELFTEST_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "../../uapi/minihv.h"

#define GUEST_MAX_VCPUS		4
/* Outside guest RAM, in the GiB the guest maps as device memory. */
#define GUEST_MMIO_BASE		0x40000000ULL

/*
 * ucall codes, the first argument of MINIHV_HCALL_EXIT (arm64 x1, x86
 * rbx); the hypercall's other arguments carry the values.
 */
#define UCALL_DONE		0x600d	/* 1: the guest function's result */
#define UCALL_SYNC		0x5c	/* 1, 2, ...: values for the host */
/*
 * 1: syndrome (arm64 ESR_EL1, x86 error code or 0), 2: the faulting PC
 * (ELR_EL1, RIP), 3: vector (arm64: offset / 0x80 in VBAR_EL1; x86: the
 * exception number), 4: x86 CR2. x86 only: a nonzero hypercall.ret
 * resumes the guest at that address, anything else halts it.
 */
#define UCALL_EXCEPTION		0xe1
/*
 * x86: an interrupt (vector 32..255) taken while the code it interrupted
 * had IF clear, which the architecture never does; 2: that code's RIP,
 * 3: the vector. The guest halts after it.
 */
#define UCALL_IRQ_IF_CLEAR	0x1fc

struct guest_hv;

struct guest {
	const struct guest_hv *hv;	/* guest_hv when it was made */
	int dev, vm;
	int vcpu[GUEST_MAX_VCPUS];
	/* The run areas: struct minihv_run under minihv's own hv. */
	struct minihv_run *run[GUEST_MAX_VCPUS];
	long run_size;
	char *image;		/* our copy of the binary: the guest's RAM */
	uint64_t image_gpa;
	uint64_t image_size;
};

/*
 * The hypervisor under which guests are made: minihv (guest_hv_minihv,
 * the default) or, for minihv bench's side-by-side figures, KVM
 * (tools/kvm.c). Its state travels in minihv's own uapi structures. The
 * tests use minihv's; each op returns 0 or -errno.
 */
struct guest_hv {
	const char *name;
	/*
	 * Where the guest's ucalls go: 0 as minihv's MINIHV_HCALL_EXIT;
	 * otherwise an 8-byte MMIO write of the value at this address
	 * (UCALL_DONE) or 8 past it (UCALL_EXCEPTION, the vector), an
	 * address no device takes, as KVM's selftests do.
	 */
	uint64_t ucall_mmio;
	int (*create_vm)(struct guest *g);		/* g->dev, g->vm */
	int (*set_region)(struct guest *g, uint32_t slot, uint64_t gpa,
			  uint64_t size, void *mem);
	/* Before the vCPUs. */
	int (*create_irqchip)(struct guest *g,
			      const struct minihv_irqchip *chip);
	int (*create_vcpu)(struct guest *g, int i);	/* vcpu[i], run[i] */
	/* After the last vCPU: NULL, or what the hypervisor needs then. */
	int (*vcpus_done)(struct guest *g, int nr_vcpus);
	int (*get_regs)(struct guest *g, int i, struct minihv_regs *r);
	int (*set_regs)(struct guest *g, int i, const struct minihv_regs *r);
#if defined(__x86_64__)
	int (*get_sregs)(struct guest *g, int i, struct minihv_sregs *s);
	int (*set_sregs)(struct guest *g, int i,
			 const struct minihv_sregs *s);
#endif
	int (*run)(struct guest *g, int i);
	/*
	 * KVM_IOEVENTFD's and KVM_IRQFD's plain forms: a guest write of
	 * @len bytes at MMIO @addr signals eventfd @fd; a signal of @fd
	 * pulses line @irq (arm64 the SPI, x86 the I/O APIC pin).
	 */
	int (*ioeventfd)(struct guest *g, uint64_t addr, uint32_t len, int fd);
	int (*irqfd)(struct guest *g, int fd, uint32_t irq);
	/*
	 * After a run: the ucall vCPU i stopped at (code UCALL_*, its first
	 * value), or -EIO if it stopped for something else.
	 */
	int (*ucall)(struct guest *g, int i, uint64_t *code, uint64_t *val);
};

extern const struct guest_hv guest_hv_minihv;
/* The hypervisor guest_create* use (default &guest_hv_minihv). */
extern const struct guest_hv *guest_hv;
/* guest_hv->ucall_mmio, as the guest's code reads it. */
extern uint64_t guest_ucall_mmio;

/*
 * A VM with the binary as RAM (slot 0) and nr_vcpus vCPUs (ids 0..), each
 * about to call fn(arg) on its own stack and report UCALL_DONE. x86: a
 * NULL fn leaves the vCPUs in their power-on state for the caller to set.
 */
int guest_create(struct guest *g, int nr_vcpus, uint64_t (*fn)(uint64_t),
		 uint64_t arg);
void guest_destroy(struct guest *g);
/* MINIHV_RUN on one vCPU: 0 or -errno. */
int guest_run(struct guest *g, int vcpu);
/* Where a global of the binary lives in the guest's RAM (host view). */
void *guest_mem(struct guest *g, const void *host_addr);

/*
 * For lib/guest_<arch>.c (lib/guest.c): an empty struct guest; the end of
 * the binary, page-aligned; the VM, its RAM and nr_vcpus vCPUs with run
 * areas, left in their power-on state (0 or -errno).
 */
void guest_init(struct guest *g);
uint64_t guest_image_end(void);
int guest_create_vm(struct guest *g, int nr_vcpus);
/* The same with an in-kernel interrupt controller, made before the vCPUs. */
int guest_create_vm_irqchip(struct guest *g, int nr_vcpus,
			    const struct minihv_irqchip *chip);

/* Bounds of the static test binary (GNU ld). */
extern char __executable_start[], _end[];

/* Inside the guest. */
uint64_t guest_hcall(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3,
		     uint64_t a4, uint64_t a5, uint64_t a6);

/* Shared-memory flags between host and guest, read or written once. */
#define LOAD_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define STORE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

/*
 * A step of busy work for a guest under interrupts: the host recomputes
 * the sum, so a register an interrupt clobbered shows.
 */
static inline uint64_t guest_work_step(uint64_t sum, uint64_t k)
{
	return sum + ((k * k) ^ (sum >> 7));
}

/* In the guest: steps of work until both flags are set; the sum in *sum. */
static inline uint64_t guest_work_until(uint64_t *a, uint64_t *b,
					uint64_t *sum)
{
	uint64_t k, s = 0;

	for (k = 0; !LOAD_ONCE(*a) || !LOAD_ONCE(*b); k++)
		s = guest_work_step(s, k);
	*sum = s;
	return k;
}

/* On the host: what @steps steps of guest_work_until() sum to. */
static inline uint64_t guest_work_sum(uint64_t steps)
{
	uint64_t k, s = 0;

	for (k = 0; k < steps; k++)
		s = guest_work_step(s, k);
	return s;
}

static inline void guest_sync(uint64_t a, uint64_t b)
{
	guest_hcall(MINIHV_HCALL_EXIT, UCALL_SYNC, a, b, 0, 0, 0);
}

#if defined(__aarch64__)

/* PSCI function ids the tests use (PSCI 1.0, SMC64 calling convention). */
#define PSCI_VERSION_FN		0x84000000
#define PSCI_CPU_OFF		0x84000002
#define PSCI_CPU_ON64		0xc4000003
#define PSCI_AFFINITY_INFO64	0xc4000004
#define PSCI_SYSTEM_OFF		0x84000008

/* How a vCPU starts (read with the MMU off): see guest_secondary_entry. */
struct guest_boot {
	uint64_t mair, tcr, ttbr0, sp, fn, vbar, arg;
};

/* Before its first run: the vCPU waits for PSCI CPU_ON. */
int guest_power_off(struct guest *g, int vcpu);

/*
 * guest_create with a GICv3 (lib/gic_arm64.h: where it is), created
 * before the vCPUs, and nr_spis SPIs (0: the default, 256).
 */
int guest_create_gic(struct guest *g, int nr_vcpus, uint64_t (*fn)(uint64_t),
		     uint64_t arg, uint32_t nr_spis);
/* guest_create with the interrupt controller @chip describes. */
int guest_create_irqchip(struct guest *g, int nr_vcpus,
			 uint64_t (*fn)(uint64_t), uint64_t arg,
			 const struct minihv_irqchip *chip);

/*
 * The guest's IRQ handler (IRQ taken at EL1 on SP_EL1), called with the
 * interrupted context saved; NULL reports the IRQ as an exception. Set
 * it before guest_create*: the guest's RAM is a copy of the binary.
 */
extern void (*guest_irq_handler)(void);

extern char guest_entry[], guest_vectors[], guest_secondary_entry[];

uint64_t guest_mpidr(void);
int64_t guest_cpu_on(int vcpu);
int64_t guest_affinity_info(int vcpu);

/* The vCPU id guest_create gave this vCPU (MPIDR Aff1:Aff0, 16 per Aff1). */
static inline uint64_t guest_vcpu_id(void)
{
	uint64_t mpidr = guest_mpidr();

	return (mpidr & 0xf) | ((mpidr >> 8) & 0xff) << 4;
}

/* The registers of a MINIHV_HCALL_EXIT: 0 the number, 1..6 arguments. */
static inline uint64_t regs_hcall(const struct minihv_regs *r, int i)
{
	return r->x[i];
}

static inline uint64_t regs_pc(const struct minihv_regs *r)
{
	return r->pc;
}

/*
 * MMIO as single loads and stores of one register (a valid syndrome for
 * the hypervisor), like the kernel's __raw_read/write accessors.
 */
#define MMIO_ACCESSORS(bits, type, w, suffix)				\
static inline void mmio_write##bits(uint64_t addr, type v)		\
{									\
	asm volatile("str" suffix " %" w "0, [%1]"			\
		     : : "r"(v), "r"(addr) : "memory");			\
}									\
static inline type mmio_read##bits(uint64_t addr)			\
{									\
	type v;								\
									\
	asm volatile("ldr" suffix " %" w "0, [%1]"			\
		     : "=r"(v) : "r"(addr) : "memory");			\
	return v;							\
}

MMIO_ACCESSORS(8, uint8_t, "w", "b")
MMIO_ACCESSORS(16, uint16_t, "w", "h")
MMIO_ACCESSORS(32, uint32_t, "w", "")
MMIO_ACCESSORS(64, uint64_t, "x", "")

/* A sign-extending byte load into a 64-bit register (LDRSB). */
static inline int64_t mmio_read8s(uint64_t addr)
{
	int64_t v;

	asm volatile("ldrsb %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

#elif defined(__x86_64__)

/* The guest's GDT (guest_x86.c): flat segments, then a TSS per vCPU. */
#define GUEST_SEL_CODE64	0x08
#define GUEST_SEL_DATA		0x10
#define GUEST_SEL_CODE32	0x18
#define GUEST_SEL_TSS		0x20	/* 16 bytes each, vCPU 0 first */

#define X86_CR0_PE		(1ULL << 0)
#define X86_CR0_ET		(1ULL << 4)
#define X86_CR0_NE		(1ULL << 5)
#define X86_CR0_WP		(1ULL << 16)
#define X86_CR0_PG		(1ULL << 31)
#define X86_CR4_PSE		(1ULL << 4)
#define X86_CR4_PAE		(1ULL << 5)
#define X86_CR4_OSFXSR		(1ULL << 9)
#define X86_EFER_LME		(1ULL << 8)
#define X86_EFER_LMA		(1ULL << 10)
#define X86_RFLAGS_FIXED	(1ULL << 1)

#define MSR_EFER		0xc0000080
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102

/* The guest's first instruction, and the RIP its UCALL_DONE exits with. */
extern char guest_entry[], guest_entry_done[];
/* The IDT's targets: exception n at guest_exception_stubs + 16 * n. */
extern char guest_exception_stubs[];
/* Interrupt n (32..255) at guest_irq_stubs + 16 * (n - 32); the NMI's. */
extern char guest_irq_stubs[], guest_nmi_stub[];

/*
 * Called in the guest for each interrupt and NMI (vector 2), interrupts
 * off, on a stack of its own; set before guest_create (the guest's RAM
 * is a copy of the binary). NULL: an interrupt is reported to the host
 * as UCALL_EXCEPTION with its vector. One taken with IF clear is not
 * handled but reported as UCALL_IRQ_IF_CLEAR.
 */
extern void (*guest_irq_handler)(uint64_t vector);

/* The PC platform of MINIHV_IRQCHIP_X86_APIC, as guest_create_apic has it. */
#define GUEST_IOAPIC_BASE	0xfec00000ULL
#define GUEST_LAPIC_BASE	0xfee00000ULL
#define GUEST_PM_TIMER_PORT	0x608

/* guest_create with the in-kernel local APICs, I/O APIC and PM timer. */
int guest_create_apic(struct guest *g, int nr_vcpus,
		      uint64_t (*fn)(uint64_t), uint64_t arg);

/*
 * Guest code the tests point at (guest_x86.c). Real mode, to be copied
 * to CS = 0x100 (0x1000), entered by the far jump of the reset vector:
 * stores 0x1234 at 0x2010 through DS = 0x200, reports UCALL_SYNC with
 * the MSW, CS and the IP of guest_real_ip, then halts.
 */
extern char guest_reset_vector[], guest_reset_vector_end[];
extern char guest_real[], guest_real_ip[], guest_real_hlt[], guest_real_end[];
/*
 * 32-bit protected mode, paging off, run in place: loads DS with
 * GUEST_SEL_DATA, stores 0x600dcafe to guest_pm_word, reports UCALL_SYNC
 * with CR0, CS and the EIP of guest_pm_eip, then halts.
 */
extern char guest_pm[], guest_pm_eip[], guest_pm_hlt[];
/*
 * Real mode to long mode by the guest itself (lib/guest_x86.c): copied
 * below 1 MiB, it jumps to guest_long_landing, which reports UCALL_SYNC
 * with CR0, CR4, EFER and CS.
 */
extern char guest_boot_long[], guest_boot_long_end[];
extern char guest_long_landing[], guest_long_landing_hlt[];
extern uint32_t guest_pm_word;
/*
 * Registers: a hypercall with rbx..r8 as set, then (at guest_regs_echo_1)
 * RFLAGS into rbp, rbx..r15 inverted, a second hypercall, and HLT at
 * guest_regs_echo_2.
 */
extern char guest_regs_echo[], guest_regs_echo_1[], guest_regs_echo_2[];
/* Single faulting instructions, and where to resume after each. */
uint64_t guest_rdmsr_raw(uint32_t msr);
void guest_wrmsr_raw(uint32_t msr, uint64_t v);
extern char guest_rdmsr_insn[], guest_rdmsr_after[];
extern char guest_wrmsr_insn[], guest_wrmsr_after[];
/*
 * Every VMX instruction in a row, one label each, page as the memory
 * operand; returns 0x6d.
 */
uint64_t guest_vmx_insns(void *page);
extern char guest_ud_vmxon[], guest_ud_vmptrld[], guest_ud_vmclear[],
	guest_ud_vmptrst[], guest_ud_vmread[], guest_ud_vmwrite[],
	guest_ud_invept[], guest_ud_invvpid[], guest_ud_vmlaunch[],
	guest_ud_vmresume[], guest_ud_vmxoff[], guest_ud_end[];
/* HLT, then return 42 from guest_hlt_after. */
uint64_t guest_hlt_once(void);
extern char guest_hlt_after[];
/* ADD to memory at addr: not a MOV, so not decoded as MMIO. */
void guest_bad_mmio(uint64_t addr);

/* The vCPU id guest_create gave this vCPU: GS points at it. */
static inline uint64_t guest_vcpu_id(void)
{
	uint64_t id;

	asm volatile("movq %%gs:0, %0" : "=r"(id));
	return id;
}

/* The registers of a MINIHV_HCALL_EXIT: 0 the number, 1..6 arguments. */
static inline uint64_t regs_hcall(const struct minihv_regs *r, int i)
{
	const uint64_t v[] = {
		r->rax, r->rbx, r->rcx, r->rdx, r->rsi, r->rdi, r->r8,
	};

	return v[i];
}

static inline uint64_t regs_pc(const struct minihv_regs *r)
{
	return r->rip;
}

/*
 * MMIO as one MOV between a register and memory, the forms minihv
 * decodes (8-bit 88/8A, 66h 16-bit, 32-bit, REX.W 64-bit).
 */
#define MMIO_ACCESSORS(bits, type, w)					\
static inline void mmio_write##bits(uint64_t addr, type v)		\
{									\
	asm volatile("mov %" w "0, (%1)"				\
		     : : "r"(v), "r"(addr) : "memory");			\
}									\
static inline type mmio_read##bits(uint64_t addr)			\
{									\
	type v;								\
									\
	asm volatile("mov (%1), %" w "0"				\
		     : "=r"(v) : "r"(addr) : "memory");			\
	return v;							\
}

MMIO_ACCESSORS(8, uint8_t, "b")
MMIO_ACCESSORS(16, uint16_t, "w")
MMIO_ACCESSORS(32, uint32_t, "k")
MMIO_ACCESSORS(64, uint64_t, "q")

/* A sign-extending byte load into a 64-bit register (REX.W MOVSX). */
static inline int64_t mmio_read8s(uint64_t addr)
{
	int64_t v;

	asm volatile("movsbq (%1), %0" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

/*
 * Port I/O, the kernel's argument order: value, then port. IN and OUT
 * take their size from the register (AL, AX, EAX).
 */
static inline void outb(uint8_t v, uint16_t port)
{
	asm volatile("out %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t v, uint16_t port)
{
	asm volatile("out %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint32_t v, uint16_t port)
{
	asm volatile("out %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("in %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	asm volatile("in %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	asm volatile("in %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	asm volatile("cpuid"
		     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
		     : "a"(leaf), "c"(sub));
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return lo | (uint64_t)hi << 32;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr"
		     : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
		     : "memory");
}

#endif /* __x86_64__ */

#endif /* MINIHV_SELFTEST_GUEST_H */
