/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minihv's tracepoints: `trace-cmd record -e 'minihv:*'`, perf, or
 * /sys/kernel/tracing/events/minihv/. Every event names the VM (its
 * MINIHV_GET_VM_INFO id) and the vCPU id.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM minihv

#if !defined(MINIHV_CORE_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define MINIHV_CORE_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(minihv_entry,
	TP_PROTO(u32 vm, u32 vcpu),
	TP_ARGS(vm, vcpu),
	TP_STRUCT__entry(
		__field(u32, vm)
		__field(u32, vcpu)
	),
	TP_fast_assign(
		__entry->vm = vm;
		__entry->vcpu = vcpu;
	),
	TP_printk("vm %u vcpu %u", __entry->vm, __entry->vcpu)
);

/* @reason as the hardware numbers it; @name is the architecture's. */
TRACE_EVENT(minihv_exit,
	TP_PROTO(u32 vm, u32 vcpu, u32 reason, const char *name, u64 pc),
	TP_ARGS(vm, vcpu, reason, name, pc),
	TP_STRUCT__entry(
		__field(u32, vm)
		__field(u32, vcpu)
		__field(u32, reason)
		__string(name, name)
		__field(u64, pc)
	),
	TP_fast_assign(
		__entry->vm = vm;
		__entry->vcpu = vcpu;
		__entry->reason = reason;
		__assign_str(name, name);
		__entry->pc = pc;
	),
	TP_printk("vm %u vcpu %u reason %u (%s) pc 0x%llx", __entry->vm,
		  __entry->vcpu, __entry->reason, __get_str(name), __entry->pc)
);

/* MINIHV_RUN returns with @reason (enum minihv_exit_reason). */
TRACE_EVENT(minihv_userspace_exit,
	TP_PROTO(u32 vm, u32 vcpu, u32 reason, int ret),
	TP_ARGS(vm, vcpu, reason, ret),
	TP_STRUCT__entry(
		__field(u32, vm)
		__field(u32, vcpu)
		__field(u32, reason)
		__field(int, ret)
	),
	TP_fast_assign(
		__entry->vm = vm;
		__entry->vcpu = vcpu;
		__entry->reason = reason;
		__entry->ret = ret;
	),
	TP_printk("vm %u vcpu %u exit_reason %u ret %d", __entry->vm,
		  __entry->vcpu, __entry->reason, __entry->ret)
);

/*
 * An MMIO or port access: @kernel if an in-kernel device answered it,
 * else userspace will (@val is then only meaningful for writes).
 */
DECLARE_EVENT_CLASS(minihv_io_class,
	TP_PROTO(u32 vm, u32 vcpu, u64 addr, u32 len, u64 val, bool write,
		 bool kernel),
	TP_ARGS(vm, vcpu, addr, len, val, write, kernel),
	TP_STRUCT__entry(
		__field(u32, vm)
		__field(u32, vcpu)
		__field(u64, addr)
		__field(u32, len)
		__field(u64, val)
		__field(bool, write)
		__field(bool, kernel)
	),
	TP_fast_assign(
		__entry->vm = vm;
		__entry->vcpu = vcpu;
		__entry->addr = addr;
		__entry->len = len;
		__entry->val = val;
		__entry->write = write;
		__entry->kernel = kernel;
	),
	TP_printk("vm %u vcpu %u %s 0x%llx len %u val 0x%llx %s",
		  __entry->vm, __entry->vcpu,
		  __entry->write ? "write" : "read", __entry->addr,
		  __entry->len, __entry->val,
		  __entry->kernel ? "kernel" : "user")
);

DEFINE_EVENT(minihv_io_class, minihv_mmio,
	TP_PROTO(u32 vm, u32 vcpu, u64 addr, u32 len, u64 val, bool write,
		 bool kernel),
	TP_ARGS(vm, vcpu, addr, len, val, write, kernel)
);

DEFINE_EVENT(minihv_io_class, minihv_pio,
	TP_PROTO(u32 vm, u32 vcpu, u64 addr, u32 len, u64 val, bool write,
		 bool kernel),
	TP_ARGS(vm, vcpu, addr, len, val, write, kernel)
);

TRACE_EVENT(minihv_hypercall,
	TP_PROTO(u32 vm, u32 vcpu, u64 nr, u64 arg),
	TP_ARGS(vm, vcpu, nr, arg),
	TP_STRUCT__entry(
		__field(u32, vm)
		__field(u32, vcpu)
		__field(u64, nr)
		__field(u64, arg)
	),
	TP_fast_assign(
		__entry->vm = vm;
		__entry->vcpu = vcpu;
		__entry->nr = nr;
		__entry->arg = arg;
	),
	TP_printk("vm %u vcpu %u nr 0x%llx arg 0x%llx", __entry->vm,
		  __entry->vcpu, __entry->nr, __entry->arg)
);

/* An interrupt raised for @vcpu: arm64 its INTID, x86 its vector. */
TRACE_EVENT(minihv_irq,
	TP_PROTO(u32 vm, u32 vcpu, u32 irq),
	TP_ARGS(vm, vcpu, irq),
	TP_STRUCT__entry(
		__field(u32, vm)
		__field(u32, vcpu)
		__field(u32, irq)
	),
	TP_fast_assign(
		__entry->vm = vm;
		__entry->vcpu = vcpu;
		__entry->irq = irq;
	),
	TP_printk("vm %u vcpu %u irq %u", __entry->vm, __entry->vcpu,
		  __entry->irq)
);

/*
 * A guest access to its interrupt controller that trapped: arm64 a GIC
 * distributor / redistributor offset (from the GICD base) or an ICC_*
 * system register encoding; x86 a local APIC register offset.
 */
TRACE_EVENT(minihv_irqchip_access,
	TP_PROTO(u32 vm, u32 vcpu, u32 reg, u64 val, bool write),
	TP_ARGS(vm, vcpu, reg, val, write),
	TP_STRUCT__entry(
		__field(u32, vm)
		__field(u32, vcpu)
		__field(u32, reg)
		__field(u64, val)
		__field(bool, write)
	),
	TP_fast_assign(
		__entry->vm = vm;
		__entry->vcpu = vcpu;
		__entry->reg = reg;
		__entry->val = val;
		__entry->write = write;
	),
	TP_printk("vm %u vcpu %u %s reg 0x%x val 0x%llx", __entry->vm,
		  __entry->vcpu, __entry->write ? "write" : "read",
		  __entry->reg, __entry->val)
);

#endif /* MINIHV_CORE_TRACE_H */

/* Out of the kernel tree: define_trace.h finds this file by its path. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH core
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
