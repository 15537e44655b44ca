// SPDX-License-Identifier: GPL-2.0
/*
 * `minihv run`: boots the bare-metal test guest (selftests/guests) and
 * checks what it printed through the PL011 and how the tool exited.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/minihv_util.h"

/* Where the payload is (minihv, guests/), and what the guest printed. */
static char payload[512], guest[600], out[8192];

FIXTURE(tool) {};

FIXTURE_SETUP(tool)
{
	char ko[512];

	REQUIRE_GUESTS_SETUP();
	if (!minihv_ko_path())
		SKIP(_exit(255), "MINIHV_KO is unset: no payload to find the tool");
	snprintf(ko, sizeof(ko), "%s", minihv_ko_path());
	snprintf(payload, sizeof(payload), "%.500s", dirname(ko));
	snprintf(guest, sizeof(guest), "%s/guests/hello.bin", payload);
	if (access(guest, R_OK))
		SKIP(_exit(255), "no test guest for this architecture yet");
}

FIXTURE_TEARDOWN(tool)
{
}

/* Run "<payload>/minihv run <args...>": its exit code, stdout in out[]. */
static int run_tool(const char *const *args)
{
	char tool[600];
	const char *argv[16] = { tool, "run" };
	int pipefd[2], n, i, len = 0;
	pid_t pid;

	int status;

	snprintf(tool, sizeof(tool), "%s/minihv", payload);
	for (i = 0; args[i] && i < 13; i++)
		argv[i + 2] = args[i];
	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (!pid) {
		int null = open("/dev/null", O_RDONLY);

		dup2(null, STDIN_FILENO);
		dup2(pipefd[1], STDOUT_FILENO);
		close(pipefd[0]);
		execv(tool, (char **)argv);
		_exit(127);
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += n;
	out[len] = '\0';
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(tool, boots_raw_image_one_cpu)
{
	static const char * const args[] = { "--mem", "64", guest, NULL };

	EXPECT_EQ(0, run_tool(args));
	EXPECT_STREQ("Hello from a minihv guest\nloaded at +0x0\n1 cpu\n",
		     out);
}

/* CPU 1 starts on PSCI CPU_ON from CPU 0 and signals it back. */
TEST_F_TIMEOUT(tool, boots_two_cpus, 60)
{
	static const char * const args[] = { "--cpus", "2", guest, NULL };

	EXPECT_EQ(0, run_tool(args));
	EXPECT_STREQ("Hello from a minihv guest\nloaded at +0x0\n2 cpus\n",
		     out);
}

/* PSCI SYSTEM_RESET: the tool exits with 3. */
TEST_F_TIMEOUT(tool, reset_exits_3, 60)
{
	static const char * const args[] = { "--cpus", "3", guest, NULL };

	EXPECT_EQ(3, run_tool(args));
	EXPECT_STREQ("Hello from a minihv guest\nloaded at +0x0\n2 cpus\nresetting\n",
		     out);
}

#define IMAGE	"/tmp/minihv-image.bin"

/* With a Linux Image header, the image goes to RAM + text_offset. */
TEST_F(tool, honours_image_header)
{
	static const char * const args[] = { IMAGE, NULL };
	uint64_t hdr[8] = { 0 };
	char buf[4096];
	int in, fd;
	ssize_t n;

	hdr[0] = 0x14000010;		/* code0: b +64, over the header */
	hdr[1] = 0x80000;		/* text_offset */
	hdr[2] = 0x100000;		/* image_size */
	hdr[7] = 0x644d5241;		/* magic "ARM\x64" */
	in = open(guest, O_RDONLY);
	fd = open(IMAGE, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ASSERT_LE(0, in);
	ASSERT_LE(0, fd);
	ASSERT_EQ(64, write(fd, hdr, 64));
	while ((n = read(in, buf, sizeof(buf))) > 0)
		ASSERT_EQ(n, write(fd, buf, n));
	close(in);
	close(fd);

	EXPECT_EQ(0, run_tool(args));
	/* The code sits 64 bytes into the image, at 1 GiB + 0x80000. */
	EXPECT_STREQ("Hello from a minihv guest\nloaded at +0x80040\n1 cpu\n",
		     out);
	unlink(IMAGE);
}

static bool fdt_has(const char *buf, size_t len, const char *s)
{
	return memmem(buf, len, s, strlen(s) + 1) != NULL;
}

#define INITRD	"/tmp/minihv-initrd.img"
#define INITRD_DTB	"/tmp/minihv-initrd.dtb"

static uint64_t be64(const void *p)
{
	const uint8_t *b = p;
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

/*
 * The initrd lands page-aligned below the device tree, which points at
 * it: linux,initrd-start/end are 64-bit, big-endian, right after the
 * property names' offsets in the struct block, so find them by value.
 */
TEST_F(tool, loads_initrd)
{
	static const char * const args[] = {
		"--mem", "64", "--initrd", INITRD, "--dtb-out", INITRD_DTB,
		guest, NULL
	};
	static char buf[65536];
	uint64_t start = 0, end = 0, ram = 0x40000000, size = 12345;
	uint64_t dtb = ram + (64 << 20) - (2 << 20);
	int fd, i;
	ssize_t n;

	fd = open(INITRD, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, size));
	close(fd);
	EXPECT_EQ(0, run_tool(args));
	fd = open(INITRD_DTB, O_RDONLY);
	ASSERT_LE(0, fd);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	unlink(INITRD);
	unlink(INITRD_DTB);
	ASSERT_LT(40, n);
	EXPECT_TRUE(memmem(buf, n, "linux,initrd-start", 19) != NULL);
	EXPECT_TRUE(memmem(buf, n, "linux,initrd-end", 17) != NULL);
	/* The expected placement: page-aligned, ending below the DTB. */
	for (i = 0; i + 8 <= n; i += 4) {
		if (be64(buf + i) == ((dtb - size) & ~0xfffULL))
			start = be64(buf + i);
		if (start && be64(buf + i) == start + size)
			end = be64(buf + i);
	}
	EXPECT_EQ((dtb - size) & ~0xfffULL, start);
	EXPECT_EQ(start + size, end);
}

#define DTB	"/tmp/minihv-test.dtb"

TEST_F(tool, writes_device_tree)
{
	static const char * const args[] = {
		"--append", "console=ttyAMA0 minihv-test", "--dtb-out", DTB,
		"--cpus", "2", guest, NULL
	};
	char buf[65536];
	int fd;
	ssize_t n;

	EXPECT_EQ(0, run_tool(args));
	fd = open(DTB, O_RDONLY);
	ASSERT_LE(0, fd);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	unlink(DTB);
	ASSERT_LT(40, n);
	EXPECT_EQ(0, memcmp(buf, "\xd0\x0d\xfe\xed", 4));	/* FDT magic */
	EXPECT_TRUE(fdt_has(buf, n, "console=ttyAMA0 minihv-test"));
	EXPECT_TRUE(fdt_has(buf, n, "arm,gic-v3"));
	EXPECT_TRUE(fdt_has(buf, n, "arm,armv8-timer"));
	EXPECT_TRUE(fdt_has(buf, n, "hvc"));
	EXPECT_TRUE(fdt_has(buf, n, "cpu@1"));
	EXPECT_TRUE(fdt_has(buf, n, "/pl011@9000000"));
}

TEST_F(tool, usage_errors_exit_2)
{
	static const char * const none[] = { NULL };
	static const char * const cpus[] = { "--cpus", "0", "x", NULL };
	static const char * const mem[] = { "--mem", "0", "x", NULL };

	EXPECT_EQ(2, run_tool(none));
	EXPECT_EQ(2, run_tool(cpus));
	EXPECT_EQ(2, run_tool(mem));
}

#define BIG_IMAGE	"/tmp/minihv-big.bin"

TEST_F(tool, bad_images_exit_1)
{
	static const char * const missing[] = { "/nonexistent/guest.bin", NULL };
	static const char * const big[] = { "--mem", "4", BIG_IMAGE, NULL };
	int fd = open(BIG_IMAGE, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	EXPECT_EQ(1, run_tool(missing));
	/* 5 MiB of image cannot fit below the device tree in 4 MiB. */
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 5 << 20));
	close(fd);
	EXPECT_EQ(1, run_tool(big));
	unlink(BIG_IMAGE);
}

TEST_HARNESS_MAIN
