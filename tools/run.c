// SPDX-License-Identifier: GPL-2.0
/*
 * minihv run: load a guest image and run it. Guests cannot run yet: the
 * world switch (arm64) and the VMCS run loop (x86) come next; until then
 * this says so rather than pretending.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../uapi/minihv.h"
#include "minihv.h"

int cmd_run(int argc, char **argv)
{
	int fd, can_run;

	(void)argc;
	(void)argv;
	fd = minihv_open_dev();
	if (fd < 0)
		return 1;
	can_run = ioctl(fd, MINIHV_CHECK_EXTENSION, MINIHV_CAP_RUN);
	close(fd);
	if (can_run <= 0) {
		fprintf(stderr, "minihv: running guests is not implemented yet\n");
		return 2;
	}
	fprintf(stderr, "minihv: this tool cannot load guests yet\n");
	return 2;
}
