# The VMM image: freestanding ARMv5TE code for the ARM926EJ-S, loaded by QEMU as -kernel.

CROSS_CC      := $(CROSS)gcc
VMM_OBJDIR    := $(BUILD)/vmm
VMM_ELF       := $(VMM_OBJDIR)/armvmm.elf
VMM_LDS       := $(VMM_OBJDIR)/vmm.ld
VMM_INCLUDES  := -Icommon -Ivmm/arch/arm -Ivmm/core -Ivmm/board -Ivmm/vdev -Ivmm/lib
ARM_CFLAGS    := -mcpu=arm926ej-s -marm -mno-unaligned-access -mfloat-abi=soft
VMM_CFLAGS    := -std=c11 $(ARM_CFLAGS) -ffreestanding -nostdlib -fno-builtin -O2 -g \
                 -Wall -Wextra -Werror -MMD -MP $(VMM_INCLUDES)
VMM_SRCS      := $(wildcard vmm/arch/arm/*.S vmm/arch/arm/*.c vmm/core/*.c vmm/board/*.c \
                            vmm/vdev/*.c vmm/lib/*.c) $(wildcard common/*.c)
VMM_OBJS      := $(patsubst %,$(VMM_OBJDIR)/%.o,$(basename $(VMM_SRCS)))

$(VMM_OBJDIR)/%.o: %.c $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(CROSS_CC) $(VMM_CFLAGS) -c $< -o $@

$(VMM_OBJDIR)/%.o: %.S $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(CROSS_CC) $(VMM_CFLAGS) -c $< -o $@

$(VMM_LDS): vmm/vmm.ld.S common/memlayout.h $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(CROSS_CC) -E -P -x c -Icommon $< -o $@

$(VMM_ELF): $(VMM_OBJS) $(VMM_LDS)
	$(CROSS_CC) $(ARM_CFLAGS) -nostdlib -T $(VMM_LDS) -Wl,--no-warn-rwx-segments -o $@ $(VMM_OBJS) -lgcc
	@$(CROSS)size $@ | tail -1 | awk '{ printf "VMM image: text %d data %d bss %d bytes\n", $$1, $$2, $$3 }'

-include $(VMM_OBJS:.o=.d)
