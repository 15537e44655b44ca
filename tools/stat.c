// SPDX-License-Identifier: GPL-2.0
/*
 * minihv stat: what the guests are doing, from the module's debugfs
 * statistics (<debugfs>/minihv/<pid>-<vm>/stats, see core/stats.c), as
 * kvm_stat shows KVM's: per VM, every counter's total and its rate over
 * the last interval, the busiest first.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "minihv.h"

#define MAX_VMS		64
#define MAX_FIELDS	128

struct field {
	char name[48];
	unsigned long long value;
};

struct vm_sample {
	char name[64];		/* <pid>-<vm id> */
	unsigned int nr;
	struct field f[MAX_FIELDS];
};

struct sample {
	unsigned int nr;
	struct vm_sample vm[MAX_VMS];
	double t;
};

static const char *stats_root(void)
{
	const char *r = getenv("MINIHV_DEBUGFS");

	return r ? r : "/sys/kernel/debug/minihv";
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int read_vm(const char *dir, struct vm_sample *vs)
{
	char path[512], line[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/stats", stats_root(), dir);
	f = fopen(path, "r");
	if (!f)
		return -1;	/* the VM went away meanwhile */
	snprintf(vs->name, sizeof(vs->name), "%s", dir);
	vs->nr = 0;
	while (vs->nr < MAX_FIELDS && fgets(line, sizeof(line), f)) {
		struct field *fd = &vs->f[vs->nr];

		if (sscanf(line, "%47s %llu", fd->name, &fd->value) == 2)
			vs->nr++;
	}
	fclose(f);
	return 0;
}

static int take(struct sample *s)
{
	struct dirent *de;
	DIR *d = opendir(stats_root());

	if (!d) {
		fprintf(stderr, "minihv stat: %s: %s%s\n", stats_root(),
			strerror(errno), errno == ENOENT ?
			" (is minihv.ko loaded and debugfs mounted?)" : "");
		return -1;
	}
	s->nr = 0;
	s->t = now_s();
	while ((de = readdir(d)) && s->nr < MAX_VMS) {
		if (de->d_name[0] == '.')
			continue;
		if (!read_vm(de->d_name, &s->vm[s->nr]))
			s->nr++;
	}
	closedir(d);
	return 0;
}

static const struct vm_sample *find_vm(const struct sample *s, const char *n)
{
	unsigned int i;

	for (i = 0; i < s->nr; i++)
		if (!strcmp(s->vm[i].name, n))
			return &s->vm[i];
	return NULL;
}

static unsigned long long old_value(const struct vm_sample *old,
				    const char *name)
{
	unsigned int i;

	for (i = 0; old && i < old->nr; i++)
		if (!strcmp(old->f[i].name, name))
			return old->f[i].value;
	return 0;
}

struct row {
	const char *name;
	unsigned long long total;
	double rate;
};

static int by_rate(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->rate != y->rate)
		return x->rate < y->rate ? 1 : -1;
	return x->total < y->total ? 1 : x->total > y->total ? -1 : 0;
}

static void show(const struct sample *old, const struct sample *cur,
		 int csv, int all)
{
	double dt = cur->t - old->t;
	unsigned int i, j;

	if (!csv)
		printf("%-28s %16s %12s\n", "VM / event", "total", "per second");
	for (i = 0; i < cur->nr; i++) {
		const struct vm_sample *vs = &cur->vm[i];
		const struct vm_sample *ov = find_vm(old, vs->name);
		struct row rows[MAX_FIELDS];

		for (j = 0; j < vs->nr; j++) {
			unsigned long long o = ov ? old_value(ov, vs->f[j].name) :
						   0;

			rows[j].name = vs->f[j].name;
			rows[j].total = vs->f[j].value;
			/* A reset in between: rate from 0. */
			rows[j].rate = dt > 0 ? (double)(vs->f[j].value -
				       (o <= vs->f[j].value ? o : 0)) / dt : 0;
		}
		qsort(rows, vs->nr, sizeof(rows[0]), by_rate);
		if (!csv)
			printf("vm %s\n", vs->name);
		for (j = 0; j < vs->nr; j++) {
			if (!all && !rows[j].total)
				continue;
			if (csv)
				printf("%.3f,%s,%s,%llu,%.1f\n", cur->t,
				       vs->name, rows[j].name, rows[j].total,
				       rows[j].rate);
			else
				printf("  %-26s %16llu %12.1f\n", rows[j].name,
				       rows[j].total, rows[j].rate);
		}
	}
	if (!csv && !cur->nr)
		printf("(no VMs)\n");
	fflush(stdout);
}

static int by_total(const void *a, const void *b)
{
	const struct field *x = a, *y = b;

	return x->value < y->value ? 1 : x->value > y->value ? -1 :
	       strcmp(x->name, y->name);
}

/* One VM's counters that are not 0, the biggest first (minihv run --stats). */
int stat_print_vm(FILE *f, const char *vm)
{
	static struct vm_sample vs;
	unsigned int i;

	if (read_vm(vm, &vs))
		return -1;
	qsort(vs.f, vs.nr, sizeof(vs.f[0]), by_total);
	fprintf(f, "minihv: vm %s:\n", vm);
	for (i = 0; i < vs.nr; i++)
		if (vs.f[i].value)
			fprintf(f, "  %-26s %16llu\n", vs.f[i].name,
				vs.f[i].value);
	return 0;
}

static void print_help(FILE *f)
{
	fprintf(f,
		"usage: minihv stat [--once] [--csv] [--all] [--interval SECONDS]\n"
		"\n"
		"Exits by reason and the other counters of every minihv VM,\n"
		"with their totals and rates, refreshed every interval\n"
		"(default 1 s) until Ctrl-C, like kvm_stat.\n"
		"  --once      one interval, one report, then exit\n"
		"  --csv       time,vm,event,total,per_second lines (for scripts)\n"
		"  --all       also the counters that are still 0\n"
		"  --interval  seconds between samples (a decimal, > 0)\n"
		"Reads $MINIHV_DEBUGFS (default /sys/kernel/debug/minihv).\n");
}

int cmd_stat(int argc, char **argv)
{
	static struct sample a, b;
	struct sample *old = &a, *cur = &b, *t;
	int once = 0, csv = 0, all = 0, i;
	double interval = 1.0;
	sigset_t stop;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--once")) {
			once = 1;
		} else if (!strcmp(argv[i], "--csv")) {
			csv = 1;
		} else if (!strcmp(argv[i], "--all")) {
			all = 1;
		} else if (!strcmp(argv[i], "--interval") && i + 1 < argc) {
			char *end;

			interval = strtod(argv[++i], &end);
			if (*end || !(interval > 0) || interval > 3600) {
				fprintf(stderr, "minihv stat: bad interval '%s'\n",
					argv[i]);
				return 2;
			}
		} else {
			int help = !strcmp(argv[i], "-h") ||
				   !strcmp(argv[i], "--help");

			print_help(help ? stdout : stderr);
			return help ? 0 : 2;
		}
	}
	/* Ctrl-C ends the wait between samples, and the loop. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop, NULL);
	if (take(old))
		return 1;
	if (csv)
		printf("time,vm,event,total,per_second\n");
	for (;;) {
		struct timespec ts = {
			.tv_sec = (time_t)interval,
			.tv_nsec = (long)((interval - (time_t)interval) * 1e9),
		};

		if (sigtimedwait(&stop, NULL, &ts) >= 0)
			break;
		if (take(cur))
			return 1;
		if (!once && !csv)
			printf("\033[H\033[2J");	/* refresh in place */
		show(old, cur, csv, all);
		if (once)
			break;
		t = old;
		old = cur;
		cur = t;
	}
	return 0;
}
