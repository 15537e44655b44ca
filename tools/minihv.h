/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The minihv command-line tool: one file per subcommand, one main.
 */
#ifndef MINIHV_TOOLS_MINIHV_H
#define MINIHV_TOOLS_MINIHV_H

#include <stdio.h>

#define MINIHV_DEV "/dev/minihv"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

int minihv_open_dev(void);

int cmd_bench(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_stat(int argc, char **argv);
int stat_print_vm(FILE *f, const char *vm);
int cmd_version(int argc, char **argv);

#endif /* MINIHV_TOOLS_MINIHV_H */
