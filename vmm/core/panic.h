/* Fatal errors of the VMM itself: print what is known and end QEMU with EXIT_VMM_PANIC. */
#ifndef ARMVMM_PANIC_H
#define ARMVMM_PANIC_H

#include "trap.h"

_Noreturn void vmm_panic(const char *fmt, ...);

/* From vectors.S: an exception taken while the VMM itself was running. */
_Noreturn void vmm_panic_trap(struct trap_frame *frame, unsigned kind);

/* Registers, mode and fault status/address registers, on the VMM log. */
void dump_frame(const struct trap_frame *frame);

#endif
