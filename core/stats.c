// SPDX-License-Identifier: GPL-2.0
/*
 * Exit statistics in debugfs, laid out as KVM's:
 *
 *   /sys/kernel/debug/minihv/<pid>-<vm id>/stats     the VM's vCPUs summed
 *   /sys/kernel/debug/minihv/<pid>-<vm id>/vcpu<N>/stats
 *
 * Each stats file is "name value" lines: the counters of core/stats.h,
 * irqs, hyp_ns (RUN time outside the guest and not asleep), then
 * exit_<reason> for every reason seen (the architecture's names).
 * Writing to a stats file sets what it covers back to 0. The tracepoints
 * (core/trace.h) are defined here too.
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/debugfs.h>
#include <linux/sched/clock.h>
#include <linux/seq_file.h>
#include <linux/string.h>

#include "core/minihv.h"

#define CREATE_TRACE_POINTS
#include "core/trace.h"

static struct dentry *root;

static const char *const counter_names[MINIHV_NR_COUNTERS] = {
	[MINIHV_STAT_ENTRIES]		= "entries",
	[MINIHV_STAT_USER_EXITS]	= "user_exits",
	[MINIHV_STAT_MMIO_KERNEL]	= "mmio_kernel",
	[MINIHV_STAT_PIO_KERNEL]	= "pio_kernel",
	[MINIHV_STAT_IOEVENTFDS]	= "ioeventfds",
	[MINIHV_STAT_MMIO_USER]		= "mmio_user",
	[MINIHV_STAT_PIO_USER]		= "pio_user",
	[MINIHV_STAT_HYPERCALLS]	= "hypercalls",
	[MINIHV_STAT_HALT_POLLS]	= "halt_polls",
	[MINIHV_STAT_HALT_SLEEPS]	= "halt_sleeps",
	[MINIHV_STAT_HALT_WAKEUPS]	= "halt_wakeups",
	[MINIHV_STAT_VM_BARRIERS]	= "vm_barriers",
	[MINIHV_STAT_RUN_NS]		= "run_ns",
	[MINIHV_STAT_GUEST_NS]		= "guest_ns",
	[MINIHV_STAT_HALT_NS]		= "halt_ns",
	[MINIHV_STAT_FAST_IPIS]		= "fast_ipis",
};

static const char *exit_name(u32 reason)
{
	const char *name = minihv_ops->exit_name(reason);

	return name ?: "other";
}

void minihv_stat_exit(struct minihv_vcpu *vcpu, u32 reason, u64 pc)
{
	u32 bucket = min_t(u32, reason, MINIHV_STAT_EXIT_REASONS - 1);

	vcpu->stats.exits[bucket]++;
	trace_minihv_exit(vcpu->vm->id, vcpu->id, reason, exit_name(reason),
			  pc);
}

void minihv_stat_hypercall(struct minihv_vcpu *vcpu, u64 nr, u64 arg)
{
	minihv_stat_add(&vcpu->stats, MINIHV_STAT_HYPERCALLS, 1);
	trace_minihv_hypercall(vcpu->vm->id, vcpu->id, nr, arg);
}

void minihv_stat_fast_exits(struct minihv_vcpu *vcpu, u32 reason,
			    enum minihv_counter counter, u64 n)
{
	vcpu->stats.exits[min_t(u32, reason, MINIHV_STAT_EXIT_REASONS - 1)] += n;
	minihv_stat_add(&vcpu->stats, counter, n);
}

void minihv_stat_irq(struct minihv_vcpu *target, u32 irq)
{
	atomic64_inc(&target->stats.irqs);
	trace_minihv_irq(target->vm->id, target->id, irq);
}

void minihv_stat_irqchip_access(struct minihv_vcpu *vcpu, u32 reg, u64 val,
				bool write)
{
	trace_minihv_irqchip_access(vcpu->vm->id, vcpu->id, reg, val, write);
}

/* core/kick.c's entry and exit, interrupts off. */
void minihv_stats_entered(struct minihv_vcpu *vcpu)
{
	trace_minihv_entry(vcpu->vm->id, vcpu->id);
	vcpu->stats.counters[MINIHV_STAT_ENTRIES]++;
	/* The bare counter on the way in and out: cheaper than a clock. */
	vcpu->stats.entered = minihv_ops->read_counter();
}

void minihv_stats_exited(struct minihv_vcpu *vcpu)
{
	u64 ticks = minihv_ops->read_counter() - vcpu->stats.entered;

	vcpu->stats.counters[MINIHV_STAT_GUEST_NS] +=
		minihv_clock_ticks_to_ns(&vcpu->vm->clock, ticks);
}

/* core/vcpu.c: MINIHV_RUN returns to userspace after @ns in the kernel. */
void minihv_stats_run_done(struct minihv_vcpu *vcpu, u64 ns, int ret)
{
	struct minihv_vcpu_stats *s = &vcpu->stats;
	struct minihv_run *run = vcpu->run;

	s->counters[MINIHV_STAT_RUN_NS] += ns;
	s->counters[MINIHV_STAT_USER_EXITS]++;
	if (ret >= 0 && run->exit_reason == MINIHV_EXIT_MMIO) {
		u64 val = 0;

		if (run->mmio.is_write)
			memcpy(&val, run->mmio.data,
			       min_t(u32, run->mmio.len, sizeof(val)));
		s->counters[MINIHV_STAT_MMIO_USER]++;
		trace_minihv_mmio(vcpu->vm->id, vcpu->id, run->mmio.phys_addr,
				  run->mmio.len, val, run->mmio.is_write,
				  false);
	} else if (ret >= 0 && run->exit_reason == MINIHV_EXIT_IO) {
		s->counters[MINIHV_STAT_PIO_USER]++;
		trace_minihv_pio(vcpu->vm->id, vcpu->id, run->io.port,
				 run->io.size, 0,
				 run->io.direction == MINIHV_EXIT_IO_OUT,
				 false);
	}
	trace_minihv_userspace_exit(vcpu->vm->id, vcpu->id, run->exit_reason,
				    ret);
}

/* core/io.c: an in-kernel device answered. */
void minihv_stats_io(struct minihv_vcpu *vcpu, bool pio, u64 addr, u32 len,
		     u64 val, bool write)
{
	if (pio) {
		vcpu->stats.counters[MINIHV_STAT_PIO_KERNEL]++;
		trace_minihv_pio(vcpu->vm->id, vcpu->id, addr, len, val, write,
				 true);
	} else {
		vcpu->stats.counters[MINIHV_STAT_MMIO_KERNEL]++;
		trace_minihv_mmio(vcpu->vm->id, vcpu->id, addr, len, val,
				  write, true);
	}
}

/* The sum of @n vCPUs' statistics, for one stats file. */
struct stats_sum {
	u64 exits[MINIHV_STAT_EXIT_REASONS];
	u64 counters[MINIHV_NR_COUNTERS];
	u64 irqs;
};

static void sum_vcpu(struct stats_sum *sum, struct minihv_vcpu *vcpu)
{
	const struct minihv_vcpu_stats *s = &vcpu->stats;
	unsigned int i;

	for (i = 0; i < MINIHV_STAT_EXIT_REASONS; i++)
		sum->exits[i] += READ_ONCE(s->exits[i]);
	for (i = 0; i < MINIHV_NR_COUNTERS; i++)
		sum->counters[i] += READ_ONCE(s->counters[i]);
	sum->irqs += atomic64_read(&s->irqs);
}

static void reset_vcpu(struct minihv_vcpu *vcpu)
{
	struct minihv_vcpu_stats *s = &vcpu->stats;

	memset(s->exits, 0, sizeof(s->exits));
	memset(s->counters, 0, sizeof(s->counters));
	atomic64_set(&s->irqs, 0);
}

static void show_sum(struct seq_file *m, const struct stats_sum *sum)
{
	const u64 *c = sum->counters;
	u64 busy = c[MINIHV_STAT_GUEST_NS] + c[MINIHV_STAT_HALT_NS];
	unsigned int i;

	for (i = 0; i < MINIHV_NR_COUNTERS; i++)
		seq_printf(m, "%s %llu\n", counter_names[i], c[i]);
	/* Racy reads can put busy a little past run: never below 0. */
	seq_printf(m, "hyp_ns %llu\n", c[MINIHV_STAT_RUN_NS] > busy ?
		   c[MINIHV_STAT_RUN_NS] - busy : 0);
	seq_printf(m, "irqs %llu\n", sum->irqs);
	for (i = 0; i < MINIHV_STAT_EXIT_REASONS; i++)
		if (sum->exits[i])
			seq_printf(m, "exit_%s %llu\n", exit_name(i),
				   sum->exits[i]);
}

static int vm_stats_show(struct seq_file *m, void *unused)
{
	struct minihv_vm *vm = m->private;
	struct stats_sum *sum = kzalloc(sizeof(*sum), GFP_KERNEL);
	unsigned int i, n = minihv_vm_nr_vcpus(vm);

	if (!sum)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		sum_vcpu(sum, vm->vcpus[i]);
	show_sum(m, sum);
	kfree(sum);
	return 0;
}

static int vcpu_stats_show(struct seq_file *m, void *unused)
{
	struct stats_sum *sum = kzalloc(sizeof(*sum), GFP_KERNEL);

	if (!sum)
		return -ENOMEM;
	sum_vcpu(sum, m->private);
	show_sum(m, sum);
	kfree(sum);
	return 0;
}

static int vm_stats_open(struct inode *inode, struct file *file)
{
	return single_open(file, vm_stats_show, inode->i_private);
}

static int vcpu_stats_open(struct inode *inode, struct file *file)
{
	return single_open(file, vcpu_stats_show, inode->i_private);
}

/* Any write resets (the data is ignored, as for KVM's stats files). */
static ssize_t vm_stats_write(struct file *file, const char __user *buf,
			      size_t len, loff_t *ppos)
{
	struct minihv_vm *vm = file_inode(file)->i_private;
	unsigned int i, n = minihv_vm_nr_vcpus(vm);

	for (i = 0; i < n; i++)
		reset_vcpu(vm->vcpus[i]);
	return len;
}

static ssize_t vcpu_stats_write(struct file *file, const char __user *buf,
				size_t len, loff_t *ppos)
{
	reset_vcpu(file_inode(file)->i_private);
	return len;
}

static const struct file_operations vm_stats_fops = {
	.owner = THIS_MODULE,
	.open = vm_stats_open,
	.read = seq_read,
	.write = vm_stats_write,
	.llseek = seq_lseek,
	.release = single_release,
};

static const struct file_operations vcpu_stats_fops = {
	.owner = THIS_MODULE,
	.open = vcpu_stats_open,
	.read = seq_read,
	.write = vcpu_stats_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/*
 * debugfs errors are not the VM's: a VM without its directory (debugfs
 * off, or a name clash) still runs, as KVM's do.
 */
void minihv_stats_vm_add(struct minihv_vm *vm)
{
	char name[32];

	snprintf(name, sizeof(name), "%d-%u", task_tgid_nr(current), vm->id);
	vm->debugfs = debugfs_create_dir(name, root);
	debugfs_create_file("stats", 0600, vm->debugfs, vm, &vm_stats_fops);
}

/*
 * Before the VM's memory goes: debugfs waits for readers inside a file
 * operation and fails later ones, so no file outlives its VM.
 */
void minihv_stats_vm_remove(struct minihv_vm *vm)
{
	debugfs_remove(vm->debugfs);
}

void minihv_stats_vcpu_add(struct minihv_vcpu *vcpu)
{
	char name[16];

	snprintf(name, sizeof(name), "vcpu%u", vcpu->id);
	vcpu->stats.dir = debugfs_create_dir(name, vcpu->vm->debugfs);
	debugfs_create_file("stats", 0600, vcpu->stats.dir, vcpu,
			    &vcpu_stats_fops);
}

int minihv_stats_init(void)
{
	root = debugfs_create_dir("minihv", NULL);
	return 0;
}

/* /sys/kernel/debug/minihv, for the architecture's own files too. */
struct dentry *minihv_debugfs_root(void)
{
	return root;
}

void minihv_stats_exit(void)
{
	debugfs_remove(root);
}
