# The VMM image: freestanding ARMv5TE code for the ARM926EJ-S, loaded by QEMU as -kernel.

CROSS_CC      := $(CROSS)gcc
VMM_OBJDIR    := $(BUILD)/vmm
VMM_ELF       := $(VMM_OBJDIR)/armvmm.elf
VMM_LDS       := $(VMM_OBJDIR)/vmm.ld
VMM_INCLUDES  := -Icommon -Ivmm/arch/arm -Ivmm/core -Ivmm/board -Ivmm/vdev -Ivmm/lib
ARM_CFLAGS    := -mcpu=arm926ej-s -marm -mno-unaligned-access -mfloat-abi=soft
VMM_CFLAGS    := -std=c11 $(ARM_CFLAGS) -ffreestanding -nostdlib -fno-builtin -O2 -g \
                 -Wall -Wextra -Werror -MMD -MP $(VMM_INCLUDES) -I$(VMM_OBJDIR)/gen
VMM_OFFSETS_C := vmm/arch/arm/asm_offsets.c
VMM_OFFSETS_H := $(VMM_OBJDIR)/gen/asm_offsets.h
VMM_SRCS      := $(filter-out $(VMM_OFFSETS_C), \
                   $(wildcard vmm/arch/arm/*.S vmm/arch/arm/*.c vmm/core/*.c vmm/board/*.c \
                              vmm/vdev/*.c vmm/lib/*.c) $(wildcard common/*.c))
VMM_OBJS      := $(patsubst %,$(VMM_OBJDIR)/%.o,$(basename $(VMM_SRCS)))

$(VMM_OBJDIR)/%.o: %.c $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(CROSS_CC) $(VMM_CFLAGS) -c $< -o $@

$(VMM_OBJDIR)/%.o: %.S $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(CROSS_CC) $(VMM_CFLAGS) -c $< -o $@

# Structure offsets for the assembly (asm_offsets.c): its "->NAME value" lines become #defines.
$(VMM_OFFSETS_H): $(VMM_OFFSETS_C) $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(CROSS_CC) $(VMM_CFLAGS) -MT $@ -MF $@.d -S $< -o $@.s
	{ echo "/* Generated from $< by vmm/vmm.mk: do not edit. */"; \
	  sed -n 's/.*->\([A-Z_0-9]*\) #\?\(-\?[0-9][0-9]*\).*/#define \1 \2/p' $@.s; } >$@

$(patsubst %,$(VMM_OBJDIR)/%.o,$(basename $(wildcard vmm/arch/arm/*.S))): $(VMM_OFFSETS_H)

$(VMM_LDS): vmm/vmm.ld.S common/memlayout.h $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(CROSS_CC) -E -P -x c -Icommon $< -o $@

$(VMM_ELF): $(VMM_OBJS) $(VMM_LDS)
	$(CROSS_CC) $(ARM_CFLAGS) -nostdlib -T $(VMM_LDS) -Wl,--no-warn-rwx-segments -o $@ $(VMM_OBJS) -lgcc
	@$(CROSS)size $@ | tail -1 | awk '{ printf "VMM image: text %d data %d bss %d bytes\n", $$1, $$2, $$3 }'

-include $(VMM_OBJS:.o=.d) $(VMM_OFFSETS_H).d
