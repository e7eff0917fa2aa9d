# The project's bare-metal test guests: plain C built by the cross compiler (no hand-written proxy
# instructions), run under QEMU natively and under the VMM.

GUEST_DIR     := $(BUILD)/guests
GUEST_CFLAGS  := -std=c11 $(ARM_CFLAGS) -ffreestanding -nostdlib -O2 -g -Wall -Wextra -Werror \
                 -Icommon -Iguests/baremetal/lib
GUEST_LDS     := guests/baremetal/lib/guest.ld
GUEST_RT      := guests/baremetal/lib/crt0.S guests/baremetal/lib/vectors.S guests/baremetal/lib/guest.c \
                 guests/baremetal/lib/access.S guests/baremetal/lib/access.c \
                 common/fmt.c

# Every guests/baremetal/NAME.c is a guest, plus build-time variants of exit_status.c.
GUEST_NAMES   := $(filter-out exit_status,$(basename $(notdir $(wildcard guests/baremetal/*.c))))
GUESTS        := $(patsubst %,$(GUEST_DIR)/%.elf,$(GUEST_NAMES)) \
                 $(GUEST_DIR)/exit_status_0.elf $(GUEST_DIR)/exit_status_3.elf \
                 $(GUEST_DIR)/exit_reason_error.elf

GUEST_DEPS := $(GUEST_RT) $(GUEST_LDS) guests/baremetal/lib/guest.h guests/baremetal/lib/access.h \
              common/fmt.h common/bootinfo.h

define guest_link
	@mkdir -p $(@D)
	$(CROSS_CC) $(GUEST_CFLAGS) $(2) -T $(GUEST_LDS) -Wl,--no-warn-rwx-segments -o $@ $(1) $(GUEST_RT) -lgcc
endef

$(GUEST_DIR)/%.elf: guests/baremetal/%.c $(GUEST_DEPS) $(SETUP_STAMP)
	$(call guest_link,$<,)
$(GUEST_DIR)/exit_status_%.elf: guests/baremetal/exit_status.c $(GUEST_DEPS) $(SETUP_STAMP)
	$(call guest_link,$<,-DEXIT_STATUS=$*)
# Trampoline room over whole megabytes (1 and 2), as a Linux guest has it.
GUEST_COMMA := ,
$(GUEST_DIR)/mmu_region.elf: guests/baremetal/mmu_region.c $(GUEST_DEPS) $(SETUP_STAMP)
	$(call guest_link,$<,-Wl$(GUEST_COMMA)--defsym=__armvmm_fastpath_size=0x300000)
# ADP_Stopped_RunTimeErrorUnknown: QEMU ends with status 1 for any reason but ApplicationExit.
$(GUEST_DIR)/exit_reason_error.elf: guests/baremetal/exit_status.c $(GUEST_DEPS) $(SETUP_STAMP)
	$(call guest_link,$<,-DEXIT_REASON=0x20023)

guests: $(GUESTS)
.PHONY: guests
