// SPDX-License-Identifier: GPL-2.0
/*
 * minihv: drive the minihv hypervisor module from the shell.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../uapi/minihv.h"
#include "minihv.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} cmds[] = {
	{ "bench", cmd_bench, "the micro-benchmarks (see minihv bench --help)" },
	{ "info", cmd_info, "show the architecture, mode, limits and CPUs" },
	{ "run", cmd_run, "run a guest image (see minihv run --help)" },
	{ "stat", cmd_stat, "exits and events of the running VMs, live" },
	{ "version", cmd_version, "the tool's and the module's versions" },
};

int minihv_open_dev(void)
{
	int fd = open(MINIHV_DEV, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		fprintf(stderr, "minihv: %s: %s%s\n", MINIHV_DEV,
			strerror(errno),
			errno == ENOENT ? " (is minihv.ko loaded?)" : "");
	return fd;
}

static int print_usage(FILE *f)
{
	unsigned int i;

	fprintf(f, "usage: minihv <command> [args]\n\ncommands:\n");
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].help);
	fprintf(f, "\n'minihv <command> --help' describes each; man minihv.\n");
	return f == stderr ? 2 : 0;
}

int main(int argc, char **argv)
{
	unsigned int i;

	if (argc < 2)
		return print_usage(stderr);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help"))
		return print_usage(stdout);
	if (!strcmp(argv[1], "--version"))
		return cmd_version(1, argv + 1);
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "minihv: unknown command '%s'\n", argv[1]);
	return print_usage(stderr);
}
