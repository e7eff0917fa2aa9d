/* Data and prefetch aborts taken while the guest runs: a shadow miss to fill, an access to
 * emulate (a device, a page the real MMU cannot grant), or the guest's own fault to deliver. */
#ifndef ARMVMM_GUEST_FAULT_H
#define ARMVMM_GUEST_FAULT_H

#include <stdbool.h>
#include <stdint.h>

#include "trap.h"

struct vcpu;
void guest_fault(struct vcpu *v, struct trap_frame *f, unsigned kind);

/* A data abort from a virtual privileged mode the quick key below does not allow, first
 * (trap_fast.S, without the frame, on the SVC stack): a word LDR the last device accesses
 * remembered (same instruction, page, MMU state, no TLB maintenance since) of a register whose
 * reading changes nothing (vm_board_quiet_device), made the VM's key and done at once: the
 * value goes to regs[Rd] (the guest's r0-r12 as the vector saved them; the caller records the
 * trap).  far: the fault address, pc and word: the instruction's.  False: nothing done, the
 * general path takes the abort. */
bool guest_fault_quick_read(uint32_t far, uint32_t pc, uint32_t word, uint32_t *regs);

/* The last read guest_fault_quick_read() made, as trap_fast.S checks it: the same
 * instruction word (at any pc), reading a word inside the part of the mapping its walk
 * checked, with no TLB maintenance since (flushes: nor a TTBR, SCTLR or FCSE change) or its
 * walk still known (gen, shadow_walk_gen()), the guest DACR the same for that mapping's
 * domain.  Then only the device is read again.  Made from a device memo that holds, with the
 * FCSE off (va is the MVA).  Only trap_fast.S reads it (trap_fast.quick), in this layout. */
struct vdev;
struct vm;
struct quick_key {
    uint32_t word;
    uint32_t va, size;            /* the walked part of the mapping, inside the device (size 0:
                                     no key) */
    uint32_t dacr_mask, dacr;     /* the domain's two bits of the guest DACR */
    uint32_t flushes;
    uint32_t gen, l1_desc;        /* gen 0: flushes alone */
    uint32_t pa_off;              /* guest-physical address - va */
    uint32_t rd;
    struct vm *vm;
    struct vdev *dev;             /* the device read */
};
/* VM id's key. */
struct quick_key *guest_fault_quick_key(unsigned id);

#endif
