# Tests: host unit tests (cmocka, tests/unit/test_*.c, one binary per file, linked with the host
# library) and system tests (cmocka driving QEMU through build/armvmm, tests/system/).

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
TEST_LDLIBS := -lcmocka -lelf -lfdt -lcapstone

$(BUILD)/tests/%: tests/unit/%.c $(HOST_LIB) $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $(HOST_EXTRA_CFLAGS) -Itests/unit $(VMM_QUOTE_INCLUDES) -o $@ $< $(HOST_LIB) $(TEST_LDLIBS)

SYSTEM_BIN := $(BUILD)/tests/system_tests
$(SYSTEM_BIN): $(wildcard tests/system/*.c) $(wildcard tests/system/*.h) $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -Itests/system -o $@ $(wildcard tests/system/*.c) -lcmocka

# LINUX_OUT lets the patcher's test patch and check a real vmlinux (skipped, saying so, without).
unit-test: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; LINUX_OUT=$(LINUX_OUT) $$t; done

system-test: all linux linux-alt $(SYSTEM_BIN)
	$(SYSTEM_BIN)

# Unit tests first (fast feedback), then everything that boots QEMU; the last line printed is
# the cmocka summary of the system suite.
test: linux unit-test system-test
