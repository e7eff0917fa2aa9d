/* The VMM's guarded read of guest virtual memory (guarded_access.S). */
#ifndef ARMVMM_GUARDED_ACCESS_H
#define ARMVMM_GUARDED_ACCESS_H

#include <stdint.h>

int arch_guest_read(uint32_t va, uint32_t *out);

struct trap_frame;
/* From the abort path: 1 if the abort hit a guarded access (frame->pc now at its fixup). */
int vmm_fault_fixup(struct trap_frame *frame, unsigned kind);

#endif
