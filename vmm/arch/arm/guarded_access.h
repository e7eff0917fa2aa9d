/* The VMM's guarded accesses to guest virtual memory (guarded_access.S). */
#ifndef ARMVMM_GUARDED_ACCESS_H
#define ARMVMM_GUARDED_ACCESS_H

#include <stdint.h>

int arch_guest_read(uint32_t va, uint32_t *out);
/* (A privileged write: it ignores a read-only AP, so a write to guest RAM through it must end
 * the watches there first, watch_note_write() in shadow_watch.h.) */
int arch_guest_write(uint32_t va, uint32_t value);

struct trap_frame;
/* From the abort path: 1 if the abort hit a guarded access (frame->pc now at its fixup). */
int vmm_fault_fixup(struct trap_frame *frame, unsigned kind);

#endif
