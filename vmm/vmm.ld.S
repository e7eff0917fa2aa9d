/* VMM link map: .boot at its physical address (runs with the MMU off), the rest in the VMM
 * window at VMM_VIRT_BASE, loaded right after .boot in the same physical megabyte, so that
 * virtual = physical - VMM_PHYS_BASE + VMM_VIRT_BASE for every VMM byte. */
#include "memlayout.h"

OUTPUT_ARCH(arm)
ENTRY(_start)

SECTIONS
{
    . = VMM_PHYS_BASE;
    .boot : { *(.text.boot) }

    . = . - VMM_PHYS_BASE + VMM_VIRT_BASE;
    __vmm_start = VMM_VIRT_BASE;
    .vectors ALIGN(4096) : AT(ADDR(.vectors) - VMM_VIRT_BASE + VMM_PHYS_BASE) {
        *(.vectors)
        . = ALIGN(4096);
    }
    .text : AT(ADDR(.text) - VMM_VIRT_BASE + VMM_PHYS_BASE) { *(.text .text.*) }
    .rodata ALIGN(8) : AT(ADDR(.rodata) - VMM_VIRT_BASE + VMM_PHYS_BASE) { *(.rodata .rodata.*) }
    .data ALIGN(8) : AT(ADDR(.data) - VMM_VIRT_BASE + VMM_PHYS_BASE) { *(.data .data.*) }
    .bss (NOLOAD) : ALIGN(8) {
        __bss_start = .;
        *(.bss .bss.* COMMON)
        . = ALIGN(4);
        __bss_end = .;
    }
    /* Not cleared by boot: the boot table lives here while .bss is being cleared. */
    .pagetables (NOLOAD) : ALIGN(16384) { *(.pagetables.boot) *(.pagetables) }
    .stacks (NOLOAD) : ALIGN(8) { *(.stacks) }
    /* Mapped uncached (mmu_init): pages the VMM shares with guests that read them uncached. */
    .uncached (NOLOAD) : ALIGN(4096) {
        __uncached_start = .;
        *(.uncached)
        . = ALIGN(4096);
        __uncached_end = .;
    }
    __vmm_end = ALIGN(4096);

    __boot_l1_phys = ADDR(.pagetables) - VMM_VIRT_BASE + VMM_PHYS_BASE;

    /DISCARD/ : { *(.ARM.exidx*) *(.ARM.attributes) *(.comment) }
}

ASSERT(__vmm_end <= VMM_DEVICE_VA, "VMM image overflows its window")
