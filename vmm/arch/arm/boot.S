/* VMM entry.  QEMU loads the VMM ELF at VMM_PHYS_BASE and jumps to _start in SVC mode, MMU off.
 * This section is linked at its physical address; everything else runs in the VMM window.
 * Boot maps the VMM's megabyte twice (identity, for the jump, and at VMM_VIRT_BASE), turns the
 * MMU on, jumps high, sets a stack per exception mode, clears .bss and calls vmm_main(), which
 * builds the real tables (mmu.c). */
#include "asm.h"
#include "cpu.h"
#include "pte.h"
#include "cp15.h"
#include "memlayout.h"

#define BOOT_SECTION  ((VMM_PHYS_BASE & L1_SECT_BASE_MASK) | (AP_PRIV_ONLY << 10) | L1_SECT_BIT4 | L1_TYPE_SECTION)

    .section .text.boot, "ax"
    .arm
    .global _start
_start:
    msr     cpsr_c, #(PSR_MODE_SVC | PSR_I | PSR_F)
    ldr     r0, =__boot_l1_phys
    mov     r1, #0
    add     r2, r0, #L1_TABLE_SIZE
1:  str     r1, [r0], #4
    cmp     r0, r2
    blo     1b
    ldr     r0, =__boot_l1_phys
    ldr     r1, =BOOT_SECTION
    str     r1, [r0, #((VMM_PHYS_BASE >> 20) * 4)]
    ldr     r2, =((VMM_VIRT_BASE >> 20) * 4)
    str     r1, [r0, r2]
    mov     r1, #0
    mcr     p15, 0, r1, c7, c7, 0       @ invalidate I and D caches
    mcr     p15, 0, r1, c7, c10, 4      @ drain write buffer
    mcr     p15, 0, r1, c8, c7, 0       @ invalidate TLBs
    mcr     p15, 0, r0, c2, c0, 0       @ TTBR0 = boot table
    ldr     r1, =(DACR_DOMAIN(0, DACR_CLIENT) | DACR_DOMAIN(15, DACR_CLIENT))
    mcr     p15, 0, r1, c3, c0, 0       @ boot map (domain 0), VMM window (domain 15)
    mrc     p15, 0, r1, c1, c0, 0
    orr     r1, r1, #SCTLR_M
    mcr     p15, 0, r1, c1, c0, 0
    ldr     pc, =vmm_start_high
    .ltorg

    .text
vmm_start_high:
    /* One stack per exception mode; UND/ABT/IRQ/FIQ keep their scratch words at the top. */
    msr     cpsr_c, #(PSR_MODE_UND | PSR_I | PSR_F)
    ldr     sp, =(und_stack + EXC_STACK_SIZE - EXC_SCRATCH)
    msr     cpsr_c, #(PSR_MODE_ABT | PSR_I | PSR_F)
    ldr     sp, =(abt_stack + EXC_STACK_SIZE - EXC_SCRATCH)
    msr     cpsr_c, #(PSR_MODE_IRQ | PSR_I | PSR_F)
    ldr     sp, =(irq_stack + EXC_STACK_SIZE - EXC_SCRATCH)
    msr     cpsr_c, #(PSR_MODE_FIQ | PSR_I | PSR_F)
    ldr     sp, =(fiq_stack + EXC_STACK_SIZE - EXC_SCRATCH)
    msr     cpsr_c, #(PSR_MODE_SVC | PSR_I | PSR_F)
    ldr     sp, =(svc_stack + SVC_STACK_SIZE)
    ldr     r0, =__bss_start
    ldr     r1, =__bss_end
    mov     r2, #0
1:  cmp     r0, r1
    strlo   r2, [r0], #4
    blo     1b
    bl      vmm_main
2:  b       2b

    .section .stacks, "aw", %nobits
    .balign 8
    .global svc_stack
svc_stack:  .space SVC_STACK_SIZE
und_stack:  .space EXC_STACK_SIZE
abt_stack:  .space EXC_STACK_SIZE
irq_stack:  .space EXC_STACK_SIZE
fiq_stack:  .space EXC_STACK_SIZE
