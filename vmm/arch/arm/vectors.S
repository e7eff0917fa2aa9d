/* The VMM's real exception vectors and the trap entry/exit paths.
 *
 * The guest always runs in the real User mode.  Every exception taken from User mode saves the
 * guest's registers into a struct trap_frame at the top of the SVC stack (the same address every
 * time, since the VMM's SVC stack is empty while the guest runs), calls
 * trap_entry(frame, kind) in SVC mode with IRQ/FIQ masked, and resumes the guest from the frame.
 *
 * frame.pc after entry (the "resume" convention, see trap.h):
 *   UND, SWI: the instruction after the trapping one;   PABT, DABT: the faulting instruction;
 *   IRQ, FIQ: the interrupted instruction.
 *
 * An exception taken from a privileged mode is a fault of the VMM itself: it goes to
 * vmm_panic_trap() on that mode's own stack and never returns. */
#include "asm.h"
#include "cpu.h"

    .section .vectors, "ax"
    .arm
    .balign 4096
    .global vmm_vectors
vmm_vectors:
    ldr     pc, =vector_reset
    ldr     pc, =vector_und
    ldr     pc, =vector_swi
    ldr     pc, =vector_pabt
    ldr     pc, =vector_dabt
    ldr     pc, =vector_reset          @ reserved vector
    ldr     pc, =vector_irq
    ldr     pc, =vector_fiq
    .ltorg

    .text
/* In exception mode X with lr already adjusted to the frame.pc convention: hand r0, lr and spsr
 * to SVC mode through X's scratch words (r0, pc, spsr, kind) and build the frame there. */
.macro EXC_ENTRY kind
    stmia   sp, {r0, lr}
    mrs     r0, spsr
    str     r0, [sp, #8]
    tst     r0, #0xf                   @ User mode is the only mode with low nibble 0
    movne   r0, #\kind
    strne   r0, [sp, #12]
    bne     trap_from_vmm
    mov     r0, sp
    msr     cpsr_c, #(PSR_MODE_SVC | PSR_I | PSR_F)
    sub     sp, sp, #FRAME_SIZE
    stmib   sp, {r1-r12}
    ldmia   r0, {r1-r3}                @ r0, pc, cpsr of the guest
    str     r1, [sp, #FRAME_R0]
    str     r2, [sp, #FRAME_PC]
    str     r3, [sp, #FRAME_CPSR]
    add     r1, sp, #FRAME_SP
    stmia   r1, {sp, lr}^
    nop
    mov     r0, sp
    mov     r1, #\kind
    bl      trap_entry
    b       trap_return
.endm

/* Undefined instruction, SWI, data abort: first the short paths (trap_fast.S), which come back to the
 * *_general labels, with r0-r12 as the guest left them stored below sp, when they do not
 * apply. */
vector_und:
    stmdb   sp, {r0-r12}               @ below the scratch words: this stack is otherwise idle
    b       trap_fast_und
    .global vector_und_general
vector_und_general:
    ldmdb   sp, {r0-r12}
    EXC_ENTRY TRAP_UND

vector_pabt:
    sub     lr, lr, #4
    EXC_ENTRY TRAP_PABT
vector_dabt:
    sub     lr, lr, #8
    stmdb   sp, {r0-r12}
    b       trap_fast_dabt
    .global vector_dabt_general
vector_dabt_general:
    ldmdb   sp, {r0-r12}
    EXC_ENTRY TRAP_DABT
vector_irq:
    sub     lr, lr, #4
    EXC_ENTRY TRAP_IRQ
vector_fiq:
    sub     lr, lr, #4
    EXC_ENTRY TRAP_FIQ

vector_swi:
    stmdb   sp, {r0-r12}               @ where the frame goes: the stack is empty
    b       trap_fast_swi
    .global vector_swi_general
vector_swi_general:
    ldmdb   sp, {r0-r12}
    sub     sp, sp, #FRAME_SIZE
    stmia   sp, {r0-r12}
    str     lr, [sp, #FRAME_PC]
    mrs     r0, spsr
    str     r0, [sp, #FRAME_CPSR]
    add     r1, sp, #FRAME_SP
    stmia   r1, {sp, lr}^
    nop
    tst     r0, #0xf
    bne     swi_from_vmm
    mov     r0, sp
    mov     r1, #TRAP_SWI
    bl      trap_entry
    /* fall through */

/* sp = the frame; restores the guest from it.  C guarantees frame.cpsr is a User-mode CPSR. */
    .global trap_return
trap_return:
    ldr     r0, [sp, #FRAME_CPSR]
    msr     spsr_cxsf, r0
    ldr     lr, [sp, #FRAME_PC]
    add     r0, sp, #FRAME_SP
    ldmia   r0, {sp, lr}^
    nop
    ldmia   sp, {r0-r12}
    add     sp, sp, #FRAME_SIZE
    movs    pc, lr

/* void arch_enter_guest(const struct trap_frame *regs): the live frame := regs, then run it. */
    .global arch_enter_guest
arch_enter_guest:
    ldr     sp, =(svc_stack + SVC_STACK_SIZE - FRAME_SIZE)
    mov     r1, sp
    mov     r2, #(FRAME_SIZE / 4)
1:  ldr     r3, [r0], #4
    str     r3, [r1], #4
    subs    r2, r2, #1
    bne     1b
    b       trap_return

/* A SWI from the VMM itself (semihosting SWIs never get here: QEMU handles them). */
swi_from_vmm:
    mov     r0, sp
    mov     r1, #TRAP_SWI
    bl      vmm_panic_trap

/* An exception from a privileged mode, sp = scratch (r0, pc, spsr, kind).  Builds a frame
 * on this mode's stack, with sp/lr of the interrupted mode.  An abort at one of the VMM's
 * guarded guest accesses (guarded_access.S) resumes at its fixup; anything else panics. */
trap_from_vmm:
    sub     sp, sp, #FRAME_SIZE
    stmib   sp, {r1-r12}
    add     r0, sp, #FRAME_SIZE
    ldmia   r0, {r1-r4}
    str     r1, [sp, #FRAME_R0]
    str     r2, [sp, #FRAME_PC]
    str     r3, [sp, #FRAME_CPSR]
    mrs     r5, cpsr
    and     r3, r3, #PSR_MODE_MASK
    orr     r3, r3, #(PSR_I | PSR_F)
    msr     cpsr_c, r3                 @ visit the interrupted mode for its sp and lr
    mov     r1, sp
    mov     r2, lr
    msr     cpsr_c, r5
    str     r1, [sp, #FRAME_SP]
    str     r2, [sp, #(FRAME_SP + 4)]
    mov     r0, sp
    mov     r1, r4
    bl      vmm_fault_fixup
    cmp     r0, #0
    beq     1f
    ldr     r0, [sp, #FRAME_CPSR]
    msr     spsr_cxsf, r0
    ldr     lr, [sp, #FRAME_PC]
    ldmia   sp, {r0-r12}
    add     sp, sp, #FRAME_SIZE
    movs    pc, lr
1:  mov     r0, sp
    mov     r1, r4
    bl      vmm_panic_trap

vector_reset:
    mov     r0, #0
    mov     r1, #TRAP_NR_KINDS
    bl      vmm_panic_trap
