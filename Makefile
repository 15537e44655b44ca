# SPDX-License-Identifier: GPL-2.0
#
# minihv: `make help` lists the targets.
#
# Cross-build the module: make ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- KDIR=...

KDIR ?= /lib/modules/$(shell uname -r)/build
MACHINE ?= arm64-nvhe
GUEST ?=
GUEST_ARGS ?=
GUEST_INPUT ?=

CFLAGS_TOOL := -O2 -Wall -Wextra -Wno-unused-parameter
TOOL_ARCH := $(if $(filter aarch64 arm64,$(shell uname -m)),arm64,x86)

PREFIX ?= /usr/local
DESTDIR ?=
# The release of the kernel KDIR builds for (where make install puts the
# module): its utsrelease.h, as Debian's headers print another release.
KREL = $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null)
VERSION := $(shell awk '/define MINIHV_VERSION_(MAJOR|MINOR|PATCH)/ \
	{ v = v (v == "" ? "" : ".") $$3 } END { print v }' uapi/minihv.h)

.PHONY: all module tool selftests clean distclean setup lint build check check-debug run bench fuzz fuzz-debug \
	help install uninstall dkms-install dkms-uninstall docs

all: module tool

help:
	@echo "minihv $(VERSION): make targets"
	@echo "  all (default)   minihv.ko for KDIR (the running kernel) and tools/minihv"
	@echo "  module, tool    one of the two"
	@echo "  selftests       the kselftests, for selftests/run.sh on a real machine"
	@echo "  install         module (updates/), tool, man page, udev rule, minihv group"
	@echo "                  (PREFIX=$(PREFIX), DESTDIR= for staging)"
	@echo "  uninstall       undoes install (the group stays)"
	@echo "  dkms-install    register with DKMS and build for KDIR's kernel"
	@echo "  dkms-uninstall  remove from DKMS"
	@echo "  setup           install the packages the test machines need (root)"
	@echo "  build           both architectures' payloads (W=1, sparse)"
	@echo "  lint            checkpatch over the tracked sources"
	@echo "  check           build, lint, host and docs checks, the six test machines"
	@echo "  fuzz            the ioctl fuzzer, 1,000,000 calls per VT/EL2 machine"
	@echo "                  (MINIHV_FUZZ_CALLS, MINIHV_FUZZ_SEED, MINIHV_FUZZ_THREADS)"
	@echo "  fuzz-debug      the same on the arm64 debug kernel, guided by KCOV coverage"
	@echo "  check-debug     the suite on a debug kernel (KASAN, lockdep, kmemleak, UBSAN),"
	@echo "                  arm64 nVHE and VHE; the kernel is built once (~30 min)"
	@echo "  bench           minihv bench beside KVM on arm64-nvhe-kvm, arm64-vhe-kvm"
	@echo "                  and x86-vmx, in emulated cycles: bench/results.csv, a"
	@echo "                  table, the chart bench/results.png"
	@echo "                  (MINIHV_BENCH_ITERATIONS=1000, MINIHV_BENCH_ROUNDS=3)"
	@echo "  docs            check the guide's code references (docs/) and render"
	@echo "                  its figures to build/docs/figures/ (graphviz)"
	@echo "  run             boot MACHINE=$(MACHINE) and show minihv working"
	@echo "                  (GUEST=linux: its own kernel as a guest, to a shell;"
	@echo "                  GUEST_INPUT=FILE: its console input, by default on"
	@echo "                  x86-vmx scripts/guest_commands)"
	@echo "  clean           build products; distclean also the downloads"

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tool: tools/minihv

# x86: the DSDT is ASL, compiled by acpica-tools' iasl (warnings fail)
# and embedded by tools/x86/dsdt.S.
TOOL_AML := $(if $(filter x86,$(TOOL_ARCH)),build/tool/dsdt.aml)
# minihv bench's guests come from the kselftests' guest library, which
# makes the tool's own binary the guest's RAM: static, not PIE.
TOOL_SRC := tools/*.c tools/$(TOOL_ARCH)/*.c $(wildcard tools/$(TOOL_ARCH)/*.S) \
	    selftests/lib/*.c

tools/minihv: tools/*.c tools/*.h tools/$(TOOL_ARCH)/* uapi/minihv.h \
	      selftests/lib/* $(TOOL_AML)
	$(CC) $(CFLAGS_TOOL) -static -no-pie \
		$(if $(TOOL_AML),-DMINIHV_DSDT_AML='"$(CURDIR)/$(TOOL_AML)"') \
		-o $@ $(TOOL_SRC) -lfdt -lpthread

build/tool/dsdt.aml: tools/x86/dsdt.asl
	mkdir -p $(@D)
	iasl -vs -we -p $(basename $@) $<

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

# As distributions ship /dev/kvm: the module under updates/, the tool,
# its manual, and /dev/minihv for the minihv group.
install: all
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=updates CONFIG_MODULE_SIG_ALL= modules_install
	install -D -m 0755 tools/minihv $(DESTDIR)$(PREFIX)/bin/minihv
	install -D -m 0644 tools/minihv.1 $(DESTDIR)$(PREFIX)/share/man/man1/minihv.1
	install -D -m 0644 dist/60-minihv.rules \
		$(DESTDIR)/etc/udev/rules.d/60-minihv.rules
	if [ -z "$(DESTDIR)" ]; then \
		getent group minihv >/dev/null || groupadd --system minihv; \
		depmod -a $(KREL); \
		udevadm control --reload-rules 2>/dev/null || true; \
	fi

uninstall:
	rm -f $(DESTDIR)/lib/modules/$(KREL)/updates/minihv.ko \
		$(DESTDIR)$(PREFIX)/bin/minihv \
		$(DESTDIR)$(PREFIX)/share/man/man1/minihv.1 \
		$(DESTDIR)/etc/udev/rules.d/60-minihv.rules
	[ -n "$(DESTDIR)" ] || depmod -a $(KREL)

# DKMS builds from /usr/src/minihv-<version>: only the module's sources
# go there (never build/, which holds the test machines' downloads).
DKMS_SRC := Kbuild dkms.conf core el2 irq mm timer uapi vmx
dkms-install:
	rm -rf /usr/src/minihv-$(VERSION)
	mkdir -p /usr/src/minihv-$(VERSION)
	cp -r $(DKMS_SRC) /usr/src/minihv-$(VERSION)/
	dkms add minihv/$(VERSION)
	dkms install minihv/$(VERSION) -k $(KREL)

dkms-uninstall:
	dkms remove minihv/$(VERSION) --all
	rm -rf /usr/src/minihv-$(VERSION)

# Build products; the downloaded kernels in build/ stay (see distclean).
clean:
	rm -rf tools/minihv build/mod-* build/payload-* build/selftests build/tool \
		build/arm64-* build/x86-* build/check-* build/docs
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
	scripts/hostcheck.sh
	scripts/package_check.sh
	scripts/docs_check.sh
	scripts/check.sh

# The guide: every file:function reference checked against the code,
# the graphviz figures rendered (generated, so under build/, not in git).
DOCS_SVG := $(patsubst docs/figures/%.dot,build/docs/figures/%.svg, \
	$(wildcard docs/figures/*.dot))

bench: build
	scripts/bench.sh

# The ioctl fuzzer's long run (selftests/fuzz_test.c) on the VT/EL2 machines.
fuzz: build
	scripts/fuzz.sh

# The same, coverage-guided, on the debug kernel (arm64, KCOV).
fuzz-debug: build
	MINIHV_FUZZ_DEBUG=1 scripts/fuzz.sh

# The suite on the debug kernel (KASAN, lockdep, kmemleak, UBSAN, ...).
check-debug: build
	scripts/check_debug.sh

docs: $(DOCS_SVG)
	scripts/docs_check.sh

build/docs/figures/%.svg: docs/figures/%.dot
	@command -v dot >/dev/null || \
		{ echo "docs: graphviz's dot is missing (make setup)" >&2; exit 1; }
	@mkdir -p $(@D)
	dot -Tsvg -o $@ $<

run: setup
	scripts/build.sh $(if $(filter x86-%,$(MACHINE)),amd64,arm64)
	MINIHV_GUEST_INPUT=$(GUEST_INPUT) \
		scripts/machine.sh $(MACHINE) run $(GUEST) $(GUEST_ARGS)
