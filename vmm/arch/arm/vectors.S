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

/* The cache-line and write-buffer operations a kernel issues by the hundred per page (MCR p15,
 * 0, Rd, c7, CRm, opc2 with condition AL, from a virtual privileged mode): nothing to do for a
 * guest on this VMM, so they are counted and skipped right here, in a few dozen instructions
 * instead of a trap into C.  trap_fast (trap.c) says whether the guest's virtual mode is
 * privileged and where to count; the accepted encodings are emulate.c's for these operations:
 * opc2 0 with CRm 5, 6, 7; opc2 1 with CRm 5, 6, 10, 14; opc2 4 with CRm 10. */
vector_und:
    stmdb   sp, {r0-r2}                @ below the scratch words: this stack is otherwise idle
    mrs     r0, spsr
    tst     r0, #0xf                   @ from User mode only (else it is the VMM's own)
    bne     1f
    ldr     r0, =trap_fast
    ldr     r1, [r0]                   @ trap_fast.priv
    cmp     r1, #0
    beq     1f
    ldr     r1, [lr, #-4]              @ the word the guest just executed
    ldr     r2, =0xffff0f10
    and     r2, r1, r2
    sub     r2, r2, #0xee000000
    sub     r2, r2, #0x00070000
    teq     r2, #0x00000f10            @ MCR p15, 0, Rd, c7, CRm, opc2, cond AL
    bne     1f
    and     r2, r1, #0xe0              @ opc2 << 5
    cmp     r2, #0x80
    bhi     1f
    adr     r0, line_ops_by_opc2
    ldr     r2, [r0, r2, lsr #3]       @ the CRm mask for this opc2
    and     r1, r1, #0xf
    mov     r0, #1
    tst     r2, r0, lsl r1
    beq     1f
    ldr     r2, =trap_fast
    ldr     r0, [r2, #4]               @ trap_fast.count
    ldr     r1, [r0]
    add     r1, r1, #1
    str     r1, [r0]
    ldr     r0, [r2, #8]               @ trap_fast.und
    ldr     r1, [r0]
    add     r1, r1, #1
    str     r1, [r0]
    ldmdb   sp, {r0-r2}
    movs    pc, lr
1:  ldmdb   sp, {r0-r2}
    EXC_ENTRY TRAP_UND

/* By opc2 (0..4): the CRm values of the accepted operations, a bit each. */
line_ops_by_opc2:
    .word   (1 << 5) | (1 << 6) | (1 << 7)
    .word   (1 << 5) | (1 << 6) | (1 << 10) | (1 << 14)
    .word   0
    .word   0
    .word   (1 << 10)
vector_pabt:
    sub     lr, lr, #4
    EXC_ENTRY TRAP_PABT
vector_dabt:
    sub     lr, lr, #8
    EXC_ENTRY TRAP_DABT
vector_irq:
    sub     lr, lr, #4
    EXC_ENTRY TRAP_IRQ
vector_fiq:
    sub     lr, lr, #4
    EXC_ENTRY TRAP_FIQ

vector_swi:
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
