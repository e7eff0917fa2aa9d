/* The trap frame and the C side of the trap flow (vectors.S -> trap_entry -> back to the guest). */
#ifndef ARMVMM_TRAP_H
#define ARMVMM_TRAP_H

#include <stdint.h>

#include "asm.h"

/* The guest's real registers, as the vectors save them.  pc follows the "resume" convention:
 * UND/SWI the next instruction, PABT/DABT the faulting one, IRQ/FIQ the interrupted one.
 * cpsr is the real CPSR of the guest: always User mode; only its flags are the guest's. */
struct trap_frame {
    uint32_t r[13];
    uint32_t sp, lr, pc, cpsr;
};

_Static_assert(__builtin_offsetof(struct trap_frame, sp) == FRAME_SP, "frame layout");
_Static_assert(__builtin_offsetof(struct trap_frame, pc) == FRAME_PC, "frame layout");
_Static_assert(__builtin_offsetof(struct trap_frame, cpsr) == FRAME_CPSR, "frame layout");
_Static_assert(sizeof(struct trap_frame) == FRAME_SIZE, "frame layout");

const char *trap_kind_name(unsigned kind);

/* Called by vectors.S for every exception from the guest; returns to resume it. */
void trap_entry(struct trap_frame *frame, unsigned kind);

/* Enters a guest with the registers regs: copies them into the live frame at the top of the SVC
 * stack, which it then runs on, and returns to User mode (vectors.S); never returns. */
_Noreturn void arch_enter_guest(const struct trap_frame *regs);

#endif
