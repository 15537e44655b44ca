# SPDX-License-Identifier: GPL-2.0
#
# minihv
#   make                 minihv.ko for the running kernel, and tools/minihv
#   make check           everything, in the four emulated test machines
#   make run             boot a test machine and show minihv working
#
# Cross-build the module: make ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- KDIR=...

KDIR ?= /lib/modules/$(shell uname -r)/build
MACHINE ?= arm64-nvhe
GUEST ?=
GUEST_ARGS ?=

CFLAGS_TOOL := -O2 -Wall -Wextra -Wno-unused-parameter
TOOL_ARCH := $(if $(filter aarch64 arm64,$(shell uname -m)),arm64,x86)

.PHONY: all module tool selftests clean distclean setup lint build check run

all: module tool

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tool: tools/minihv

tools/minihv: tools/*.c tools/*.h tools/$(TOOL_ARCH)/* uapi/minihv.h
	$(CC) $(CFLAGS_TOOL) -o $@ tools/*.c tools/$(TOOL_ARCH)/*.c -lfdt -lpthread

# Native kselftests, for a real machine: run them with selftests/run.sh.
# Static and not position-independent: the guests run the binary's own
# code at its link addresses (guest-physical == host-virtual).
selftests:
	scripts/ksrc.sh
	mkdir -p build/selftests
	for t in selftests/*_test.c; do \
		$(CC) -static -no-pie -O2 -Wall \
			-I build/ksrc/tools/testing/selftests \
			-I selftests -o build/selftests/$$(basename $$t .c) \
			$$t selftests/lib/*.c -lpthread || exit 1; \
	done

# Build products; the downloaded kernels in build/ stay (see distclean).
clean:
	rm -rf tools/minihv build/mod-* build/payload-* build/selftests \
		build/arm64-* build/x86-* build/check-*
	find . -path ./build -prune -o \( -name '*.o' -o -name '*.ko' \
		-o -name '*.mod' -o -name '*.mod.c' -o -name '.*.cmd' \
		-o -name 'modules.order' -o -name 'Module.symvers' \) -print \
		| xargs rm -f

distclean: clean
	rm -rf build

setup:
	scripts/setup.sh

lint: setup
	scripts/lint.sh

build: setup
	scripts/build.sh arm64
	scripts/build.sh amd64

# The test command (README, .ci/run): build, lint, four machines, summary.
check: build lint
	scripts/check.sh

run: setup
	scripts/build.sh $(if $(filter x86-%,$(MACHINE)),amd64,arm64)
	scripts/machine.sh $(MACHINE) run $(GUEST) $(GUEST_ARGS)
