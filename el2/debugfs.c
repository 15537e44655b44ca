// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/minihv: EL2 as each CPU sees it, for the tests that
 * check minihv and KVM leave each other's EL2 state alone.
 *   el2        one line per online CPU: who holds EL2 and, where minihv
 *              can read them (VHE, or nVHE while EL2 is minihv's), the
 *              EL2 registers the host runs under (hyp.h EL2_REG_*);
 *              VBAR_EL2, a kernel address, as a keyed hash of it.
 *   stub_call  nVHE: write a hyp-stub function id (e.g. 2,
 *              HVC_RESET_VECTORS) to make that call on every online CPU
 *              as another kernel user of the stub would; read the
 *              answers.
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/cpu.h>
#include <linux/debugfs.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/seq_file.h>
#include <linux/siphash.h>
#include <linux/smp.h>
#include <linux/uaccess.h>

#include "core/stats.h"
#include "el2/el2.h"

static struct dentry *el2_file, *stub_file;
/* Equal addresses stay equal, for the tests; none is shown. */
static siphash_key_t vbar_key;

static const char * const reg_names[EL2_REG_NR] = {
	[EL2_REG_HCR] = "hcr",
	[EL2_REG_MDCR] = "mdcr",
	[EL2_REG_CPTR] = "cptr",
	[EL2_REG_CNTHCTL] = "cnthctl",
	[EL2_REG_VTTBR] = "vttbr",
	[EL2_REG_VTCR] = "vtcr",
	[EL2_REG_VBAR] = "vbar",
	[EL2_REG_SCTLR] = "sctlr",
	[EL2_REG_VMPIDR] = "vmpidr",
	[EL2_REG_MPIDR] = "mpidr",
	[EL2_REG_CNTVOFF] = "cntvoff",
	[EL2_REG_HSTR] = "hstr",
	[EL2_REG_ICH_HCR] = "ich_hcr",
	[EL2_REG_ICH_VMCR] = "ich_vmcr",
};

struct cpu_view {
	const char *owner;
	bool have_regs;
	u64 regs[EL2_REG_NR];
};

static void view_ipi(void *data)
{
	struct cpu_view *v = data;
	unsigned long flags;

	local_irq_save(flags);
	v->owner = minihv_el2_world.el2_owner_name();
	v->have_regs = minihv_el2_world.el2_regs(v->regs);
	local_irq_restore(flags);
}

static int el2_show(struct seq_file *m, void *unused)
{
	struct cpu_view v;
	int cpu, i;

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		memset(&v, 0, sizeof(v));
		smp_call_function_single(cpu, view_ipi, &v, 1);
		seq_printf(m, "cpu %d owner %s", cpu, v.owner);
		if (v.have_regs)
			v.regs[EL2_REG_VBAR] = siphash_1u64(v.regs[EL2_REG_VBAR],
							    &vbar_key);
		for (i = 0; v.have_regs && i < EL2_REG_NR; i++)
			seq_printf(m, " %s 0x%llx", reg_names[i], v.regs[i]);
		seq_putc(m, '\n');
	}
	cpus_read_unlock();
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(el2);

/* The last stub call's answers, guarded by @stub_lock. */
static DEFINE_MUTEX(stub_lock);
static unsigned long stub_id;
static DEFINE_PER_CPU(unsigned long, stub_answer);
static cpumask_t stub_cpus;

static void stub_ipi(void *unused)
{
	unsigned long flags;

	local_irq_save(flags);
	this_cpu_write(stub_answer, minihv_el2_world.stub_call(stub_id));
	local_irq_restore(flags);
	cpumask_set_cpu(smp_processor_id(), &stub_cpus);
}

static ssize_t stub_write(struct file *file, const char __user *ubuf,
			  size_t len, loff_t *ppos)
{
	unsigned long id;
	int ret;

	ret = kstrtoul_from_user(ubuf, len, 0, &id);
	if (ret)
		return ret;
	/* Only the calls that hand EL2 over: the others never return. */
	if (id != HVC_SET_VECTORS && id != HVC_RESET_VECTORS)
		return -EINVAL;
	mutex_lock(&stub_lock);
	stub_id = id;
	cpumask_clear(&stub_cpus);
	on_each_cpu(stub_ipi, NULL, 1);
	mutex_unlock(&stub_lock);
	return len;
}

static int stub_show(struct seq_file *m, void *unused)
{
	int cpu;

	mutex_lock(&stub_lock);
	for_each_cpu(cpu, &stub_cpus)
		seq_printf(m, "cpu %d id %lu answer 0x%lx\n", cpu, stub_id,
			   per_cpu(stub_answer, cpu));
	mutex_unlock(&stub_lock);
	return 0;
}

static int stub_open(struct inode *inode, struct file *file)
{
	return single_open(file, stub_show, NULL);
}

static const struct file_operations stub_fops = {
	.owner = THIS_MODULE,
	.open = stub_open,
	.read = seq_read,
	.write = stub_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/* Nothing here is needed to run guests: failures are ignored. */
void minihv_el2_debugfs_init(void)
{
	struct dentry *root = minihv_debugfs_root();

	get_random_bytes(&vbar_key, sizeof(vbar_key));
	el2_file = debugfs_create_file("el2", 0400, root, NULL, &el2_fops);
	if (minihv_el2_world.stub_call)
		stub_file = debugfs_create_file("stub_call", 0600, root, NULL,
						&stub_fops);
}

void minihv_el2_debugfs_exit(void)
{
	debugfs_remove(stub_file);
	debugfs_remove(el2_file);
	stub_file = NULL;
	el2_file = NULL;
}
