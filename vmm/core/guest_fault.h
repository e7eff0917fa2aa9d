/* Data and prefetch aborts taken while the guest runs: a shadow miss to fill, an access to
 * emulate (a device, a page the real MMU cannot grant), or the guest's own fault to deliver. */
#ifndef ARMVMM_GUEST_FAULT_H
#define ARMVMM_GUEST_FAULT_H

#include <stdbool.h>
#include <stdint.h>

#include "trap.h"

struct vcpu;
void guest_fault(struct vcpu *v, struct trap_frame *f, unsigned kind);

/* A data abort from a virtual privileged mode, first (trap_fast.S, without the frame, on the
 * SVC stack): a word LDR the last device accesses remembered (same instruction, page, MMU state,
 * no TLB maintenance since) of a register whose reading changes nothing (vm_board_quiet_device),
 * done at once: the value goes to regs[Rd] (the guest's r0-r12 as the vector saved them).
 * far: the fault address, pc: the instruction's, cpsr: the guest's real CPSR.  False: nothing
 * done, the general path takes the abort. */
bool guest_fault_quick_read(uint32_t far, uint32_t pc, uint32_t *regs, uint32_t cpsr);

#endif
