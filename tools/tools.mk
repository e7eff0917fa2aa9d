# Host side: the `armvmm` command and the library of host-testable code shared with the tests.
# common/ (the instruction decoder, boot-info layout) is compiled here *and* into the VMM.

HOST_CFLAGS  := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -g -Icommon -Itools/armvmm -MMD -MP
HOST_LDLIBS  := -lelf -lfdt
HOST_OBJDIR  := $(BUILD)/host
ARMVMM       := $(BUILD)/armvmm

HOST_LIB_SRCS := $(wildcard common/*.c) $(filter-out tools/armvmm/main.c,$(wildcard tools/armvmm/*.c))
# The pure parts of the VMM core (no hardware access), unit-tested on the host.
HOST_LIB_SRCS += vmm/core/vdomain.c vmm/core/ldst_emulate.c vmm/core/guest_ptw.c $(wildcard vmm/vdev/*.c)
HOST_LIB_SRCS += vmm/core/vcpu.c vmm/core/vcp15.c vmm/core/emulate.c vmm/core/cache_batch.c
HOST_LIB_OBJS := $(patsubst %.c,$(HOST_OBJDIR)/%.o,$(HOST_LIB_SRCS))
# -iquote, not -I: vmm/core/sched.h must not shadow the system <sched.h>.
VMM_QUOTE_INCLUDES := -iquote vmm/core -iquote vmm/arch/arm -iquote vmm/vdev -iquote vmm/lib
$(HOST_OBJDIR)/vmm/%.o: HOST_EXTRA_CFLAGS += $(VMM_QUOTE_INCLUDES)
HOST_LIB      := $(HOST_OBJDIR)/libarmvmm.a

$(HOST_OBJDIR)/%.o: %.c $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $(HOST_EXTRA_CFLAGS) -c $< -o $@

$(HOST_LIB): $(HOST_LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(ARMVMM): $(HOST_OBJDIR)/tools/armvmm/main.o $(HOST_LIB)
	$(HOSTCC) $(HOST_EXTRA_LDFLAGS) -o $@ $^ $(HOST_LDLIBS)

-include $(HOST_LIB_OBJS:.o=.d) $(HOST_OBJDIR)/tools/armvmm/main.d
