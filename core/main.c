// SPDX-License-Identifier: GPL-2.0
/*
 * minihv: module load/unload, /dev/minihv, and the per-CPU hand-over of
 * the virtualization hardware (through CPU hotplug, so CPUs that come
 * online later are taken too).
 */
#define pr_fmt(fmt) "minihv: " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/reboot.h>
#include <linux/smp.h>
#include <linux/uaccess.h>

#include "core/minihv.h"

const struct minihv_arch_ops *minihv_ops;
atomic_t minihv_nr_vms = ATOMIC_INIT(0);
atomic64_t minihv_pinned_pages = ATOMIC64_INIT(0);

static DEFINE_PER_CPU(bool, cpu_enabled);
static enum cpuhp_state cpuhp_state;

static int hw_cpu_up(unsigned int cpu)
{
	int ret = minihv_ops->cpu_enable();

	if (ret)
		pr_err("cannot take the virtualization hardware of CPU %u (%d)\n",
		       cpu, ret);
	else
		this_cpu_write(cpu_enabled, true);
	return ret;
}

static int hw_cpu_down(unsigned int cpu)
{
	if (this_cpu_read(cpu_enabled)) {
		minihv_ops->cpu_disable();
		this_cpu_write(cpu_enabled, false);
	}
	return 0;
}

static void cpu_disable_ipi(void *unused)
{
	hw_cpu_down(smp_processor_id());
}

/* Kexec and reboot need the stub / VMX off, as the next kernel expects. */
static int minihv_reboot(struct notifier_block *nb, unsigned long code,
			 void *unused)
{
	on_each_cpu(cpu_disable_ipi, NULL, 1);
	return NOTIFY_OK;
}

static struct notifier_block reboot_nb = {
	.notifier_call = minihv_reboot,
};

static void cpu_check_ipi(void *info)
{
	struct minihv_info *mi = info;
	unsigned int cpu = smp_processor_id();

	if (!this_cpu_read(cpu_enabled) || !minihv_ops->cpu_check())
		return;
	/* Atomic: every CPU sets its bit of the same words at once. */
	if (cpu < MINIHV_INFO_CPU_WORDS * 64)
		set_bit(cpu, (unsigned long *)mi->cpus_enabled);
}

static int minihv_get_info(struct minihv_info __user *uinfo)
{
	struct minihv_info *mi;
	int ret = 0;

	BUILD_BUG_ON(sizeof(mi->cpus_enabled) % sizeof(unsigned long));

	mi = kzalloc(sizeof(*mi), GFP_KERNEL);
	if (!mi)
		return -ENOMEM;

	mi->api_version = MINIHV_API_VERSION;
	mi->version = MINIHV_VERSION_CODE;
	mi->counter_hz = minihv_ops->counter_hz ? minihv_ops->counter_hz() : 0;
	mi->arch = minihv_ops->arch;
	mi->mode = minihv_ops->mode;
	mi->nr_vms = atomic_read(&minihv_nr_vms);
	mi->max_vms = MINIHV_MAX_VMS;
	mi->max_vcpus = MINIHV_MAX_VCPUS;
	mi->max_vcpu_id = MINIHV_MAX_VCPU_ID;
	mi->max_memslots = MINIHV_MAX_MEMSLOTS;
	mi->max_memslot_id = MINIHV_MAX_MEMSLOT_ID;
	mi->max_memslot_bytes = MINIHV_MAX_MEMSLOT_BYTES;
	mi->ipa_bits = minihv_ops->ipa_bits();
	mi->pinned_pages = atomic64_read(&minihv_pinned_pages);
	minihv_ops->get_caps(mi->arch_caps);

	/* Ask every CPU itself rather than trusting our bookkeeping. */
	cpus_read_lock();
	mi->nr_cpus_online = num_online_cpus();
	on_each_cpu(cpu_check_ipi, mi, 1);
	cpus_read_unlock();
	mi->nr_cpus_enabled = bitmap_weight((unsigned long *)mi->cpus_enabled,
					    MINIHV_INFO_CPU_WORDS * 64);

	if (copy_to_user(uinfo, mi, sizeof(*mi)))
		ret = -EFAULT;
	kfree(mi);
	return ret;
}

static long minihv_check_extension(unsigned long cap)
{
	switch (cap) {
	case MINIHV_CAP_USER_MEMORY:
		return 1;
	case MINIHV_CAP_NR_VCPUS:
		return MINIHV_MAX_VCPUS;
	case MINIHV_CAP_MAX_VCPU_ID:
		return MINIHV_MAX_VCPU_ID;
	case MINIHV_CAP_NR_MEMSLOTS:
		return MINIHV_MAX_MEMSLOTS;
	case MINIHV_CAP_MAX_VMS:
		return MINIHV_MAX_VMS;
	case MINIHV_CAP_RUN:
		return minihv_ops->vcpu_run ? 1 : 0;
	case MINIHV_CAP_IRQCHIP:
		return minihv_ops->irqchip_types;
	case MINIHV_CAP_IOEVENTFD:
		return minihv_ops->vcpu_run ? 1 : 0;
	case MINIHV_CAP_IRQFD:
		return minihv_ops->irqchip_types ? 1 : 0;
	case MINIHV_CAP_CLOCK:
		return minihv_ops->vcpu_run ? 1 : 0;
	default:
		return 0;
	}
}

static long minihv_dev_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	switch (cmd) {
	case MINIHV_GET_API_VERSION:
		return arg ? -EINVAL : MINIHV_API_VERSION;
	case MINIHV_CHECK_EXTENSION:
		return minihv_check_extension(arg);
	case MINIHV_CREATE_VM:
		return arg ? -EINVAL : minihv_vm_create();
	case MINIHV_GET_VCPU_MMAP_SIZE:
		return arg ? -EINVAL : PAGE_SIZE;
	case MINIHV_GET_INFO:
		return minihv_get_info((struct minihv_info __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations minihv_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = minihv_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice minihv_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "minihv",
	.fops = &minihv_dev_fops,
	.mode = 0600,
};

static int __init minihv_init(void)
{
	const struct minihv_arch_ops *ops;
	int ret;

	/* First: the architecture puts its own debugfs files under it. */
	minihv_stats_init();
	ops = minihv_arch_probe();
	if (IS_ERR(ops)) {
		minihv_stats_exit();
		return PTR_ERR(ops);
	}
	minihv_ops = ops;

	/* Runs hw_cpu_up() on every online CPU now and on each new one. */
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "minihv:online",
				hw_cpu_up, hw_cpu_down);
	if (ret < 0)
		goto err_unprobe;
	cpuhp_state = ret;

	ret = register_reboot_notifier(&reboot_nb);
	if (ret)
		goto err_cpuhp;

	ret = minihv_irqfd_init();
	if (ret)
		goto err_reboot;
	ret = misc_register(&minihv_dev);
	if (ret)
		goto err_irqfd;

	pr_info("%d.%d.%d, %s mode on %u CPUs, API %d\n",
		MINIHV_VERSION_MAJOR, MINIHV_VERSION_MINOR,
		MINIHV_VERSION_PATCH, ops->mode_name, num_online_cpus(),
		MINIHV_API_VERSION);
	return 0;

err_irqfd:
	minihv_irqfd_exit();
err_reboot:
	unregister_reboot_notifier(&reboot_nb);
err_cpuhp:
	cpuhp_remove_state(cpuhp_state);
err_unprobe:
	ops->unprobe();
	minihv_stats_exit();
	return ret;
}

static void __exit minihv_exit(void)
{
	misc_deregister(&minihv_dev);
	minihv_irqfd_exit();
	unregister_reboot_notifier(&reboot_nb);
	cpuhp_remove_state(cpuhp_state);
	minihv_ops->unprobe();
	minihv_stats_exit();
	pr_info("unloaded\n");
}

module_init(minihv_init);
module_exit(minihv_exit);

MODULE_DESCRIPTION("minihv: a tiny standalone hypervisor (VT-x / arm64 EL2)");
MODULE_LICENSE("GPL");
MODULE_VERSION(__stringify(MINIHV_VERSION_MAJOR) "."
	       __stringify(MINIHV_VERSION_MINOR) "."
	       __stringify(MINIHV_VERSION_PATCH));
