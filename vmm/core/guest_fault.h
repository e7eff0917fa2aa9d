/* Data and prefetch aborts taken while the guest runs: a shadow miss to fill, an access to
 * emulate (a device, a page the real MMU cannot grant), or the guest's own fault to deliver. */
#ifndef ARMVMM_GUEST_FAULT_H
#define ARMVMM_GUEST_FAULT_H

#include "trap.h"

struct vcpu;
void guest_fault(struct vcpu *v, struct trap_frame *f, unsigned kind);

#endif
