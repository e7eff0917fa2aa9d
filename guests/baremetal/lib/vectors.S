/* Exception vectors for the test guests that take exceptions.  guest_install_vectors() copies
 * this table to the low vector base (address 0: RAM on this board, natively and in a VM alike).
 * Each handler saves r0-r12 and the return address on its mode's stack, calls
 * guest_exception(kind, regs) in C, which may change regs (e.g. the return address), and
 * returns with `ldm sp!, {r0-r12, pc}^` (exception return: CPSR = SPSR). */
    .section .text, "ax"
    .arm
    .global guest_vector_table, guest_vector_table_end
guest_vector_table:
    ldr     pc, [pc, #24]
    ldr     pc, [pc, #24]
    ldr     pc, [pc, #24]
    ldr     pc, [pc, #24]
    ldr     pc, [pc, #24]
    ldr     pc, [pc, #24]
    ldr     pc, [pc, #24]
    ldr     pc, [pc, #24]
    .word   vec_reset, vec_und, vec_swi, vec_pabt, vec_dabt, vec_reset, vec_irq, vec_fiq
guest_vector_table_end:

/* lr adjustment to the return address, then the common path. */
.macro VEC name, kind, adjust
\name:
    sub     lr, lr, #\adjust
    stmdb   sp!, {r0-r12, lr}
    mov     r0, #\kind
    mov     r1, sp
    bl      guest_exception
    ldmia   sp!, {r0-r12, pc}^
.endm

    VEC vec_reset, 0, 0
    VEC vec_und,   1, 0       @ return after the undefined instruction
    VEC vec_swi,   2, 0       @ return after the SWI
    VEC vec_pabt,  3, 0       @ return after the aborting instruction (BKPT: skip it)
    VEC vec_dabt,  4, 4       @ return after the aborting instruction
    VEC vec_irq,   6, 4       @ return to the interrupted instruction
    VEC vec_fiq,   7, 4
