# `make coverage`: the unit tests rebuilt with gcov instrumentation in a tree of their own
# ($(BUILD)/coverage: the ordinary build is untouched), run, and the line coverage of the
# decoder and of the vCPU emulation core printed by gcovr.  Include after tools.mk and tests.mk.

COV_DIR      := $(BUILD)/coverage
COV_FLAGS    := -O0 --coverage
COV_LIB_OBJS := $(patsubst %.c,$(COV_DIR)/%.o,$(HOST_LIB_SRCS))
COV_LIB      := $(COV_DIR)/libarmvmm.a
COV_BINS     := $(patsubst tests/unit/%.c,$(COV_DIR)/tests/%,$(UNIT_SRCS))
# The files whose coverage is reported.
COV_REPORT   := common/decode.c vmm/core/vcpu.c vmm/core/vcp15.c vmm/core/emulate.c

$(COV_DIR)/vmm/%.o: HOST_EXTRA_CFLAGS += $(VMM_QUOTE_INCLUDES)

$(COV_DIR)/%.o: %.c $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $(HOST_EXTRA_CFLAGS) $(COV_FLAGS) -c $< -o $@

$(COV_LIB): $(COV_LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(COV_DIR)/tests/%: tests/unit/%.c $(COV_LIB) $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $(HOST_EXTRA_CFLAGS) $(COV_FLAGS) -Itests/unit $(VMM_QUOTE_INCLUDES) \
	    -o $@ $< $(COV_LIB) $(TEST_LDLIBS)

# Counters from an earlier run are deleted first, so the figures are those of this run.
coverage: $(COV_BINS)
	@find $(COV_DIR) -name '*.gcda' -delete
	@set -e; for t in $(COV_BINS); do \
	    $$t > $$t.log 2>&1 || { cat $$t.log; echo "coverage: $$t failed"; exit 1; }; \
	    printf '%-40s %s\n' "$$(basename $$t)" "$$(grep -E 'PASSED|FAILED' $$t.log | head -n 1)"; \
	done
	@echo "== line coverage"
	@gcovr --root . --object-directory $(COV_DIR) $(foreach f,$(COV_REPORT),--filter '$(f)')
	@echo "== branch coverage"
	@gcovr --root . --object-directory $(COV_DIR) $(foreach f,$(COV_REPORT),--filter '$(f)') --branches

-include $(COV_LIB_OBJS:.o=.d)
