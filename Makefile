# armvmm top-level build.  `make` builds the VMM image, the host command build/armvmm and the
# bare-metal test guests; `make test` runs every test level; `make run` boots the demo.
# Every target that needs Debian packages first runs scripts/setup.sh (a no-op when all are present).

BUILD   ?= build
SETUP   := scripts/setup.sh
CROSS   ?= arm-none-eabi-
HOSTCC  ?= cc

.DEFAULT_GOAL := all
.PHONY: all setup run test unit-test system-test coverage clean
.DELETE_ON_ERROR:

# The stamp records that the base package set was checked; it is rebuilt when setup.sh changes.
SETUP_STAMP := $(BUILD)/.setup-done
$(SETUP_STAMP): $(SETUP)
	@bash $(SETUP)
	@mkdir -p $(@D) && touch $@
setup: $(SETUP_STAMP)

include vmm/vmm.mk
include tools/tools.mk
include guests/baremetal/guests.mk
include tests/tests.mk
-include guests/linux/linux.mk
include tests/coverage.mk

all: $(ARMVMM) $(VMM_ELF) $(GUESTS)

# The demo: Linux 6.1 under the VMM, to an interactive busybox shell (`reboot -f` ends it).
run: all run-linux

clean:
	rm -rf $(BUILD)
