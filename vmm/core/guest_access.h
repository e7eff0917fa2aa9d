/* The hooks the instruction emulator (emulate.c) performs its guest memory accesses through:
 * the user-bank and exception-return LDM/STM (LDM(2), LDM(3), STM(2)).  The VMM implements them
 * (the memory-virtualization code: guest MMU, shadow tables, device models); the host unit tests
 * provide mocks.  Declarations only.  (The VMM's own guarded accesses are guarded_access.h.)
 *
 * va is the guest VIRTUAL address of one aligned word (the emulator has already checked the
 * alignment and reported alignment faults itself).  The access is made as the guest's
 * virtual MMU defines it: FCSE, the guest's tables (or flat with its MMU off), the guest's
 * domains and AP bits -- with User permissions when user is true (LDRT/STRT-style), else
 * with privileged permissions (LDM^/STM^ from a privileged mode are privileged accesses).
 * A hook returns 0 when the access was performed, or the nonzero fault status the hardware
 * would report in the DFSR (status in [3:0], domain in [7:4], QEMU's layout as in
 * guest_ptw.h) when it aborts; the emulator then sets the virtual DFSR to it and the virtual
 * FAR to va and reports EMU_F_DABT.  A hook changes no vCPU state.
 *
 * Until the VMM provides them, emulate.c has weak defaults that fail every access with an
 * external abort (status 0x8); its guest_read_words reads word by word through
 * guest_read_word (the unit tests' memory).
 */
#ifndef ARMVMM_CORE_GUEST_ACCESS_H
#define ARMVMM_CORE_GUEST_ACCESS_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

uint32_t guest_read_word(struct vcpu *v, uint32_t va, bool user, uint32_t *value);
uint32_t guest_write_word(struct vcpu *v, uint32_t va, bool user, uint32_t value);
/* count words from va up (an LDM's): 0, or the status of the first that cannot be read, its
 * address in *at (the words before it may be in out).  The VMM's maps each page once. */
uint32_t guest_read_words(struct vcpu *v, uint32_t va, unsigned count, bool user, uint32_t *out,
                          uint32_t *at);

#endif
