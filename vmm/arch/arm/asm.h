/* Constants shared by the assembly entry code and C (kept in sync by static asserts in trap.c). */
#ifndef ARMVMM_ASM_H
#define ARMVMM_ASM_H

/* struct trap_frame layout: r0-r12, sp_usr, lr_usr, pc, cpsr. */
#define FRAME_R0        0
#define FRAME_SP        52
#define FRAME_PC        60
#define FRAME_CPSR      64
#define FRAME_SIZE      68

/* Trap kinds, as passed from the vectors to trap_entry(). */
#define TRAP_UND        0
#define TRAP_SWI        1
#define TRAP_PABT       2
#define TRAP_DABT       3
#define TRAP_IRQ        4
#define TRAP_FIQ        5
#define TRAP_NR_KINDS   6

/* Stack sizes of the VMM's exception modes. */
#define SVC_STACK_SIZE  8192
#define EXC_STACK_SIZE  1024
#define EXC_SCRATCH     16      /* r0, lr, spsr, kind handed on by an exception mode */

#endif
