/* Emulating one load/store instruction that aborted: MMIO (the access goes to a device model),
 * a kernel store the shadow tables had to refuse (a user read-only page), an access to an
 * unbacked address.  Pure: registers come from the trap frame, memory from a bus the caller
 * supplies, so every form is unit-tested on the host.
 *
 * Covered: LDR/STR/LDRB/STRB (immediate and scaled register offsets, pre/post-indexed,
 * write-back), LDRT/STRT/LDRBT/STRBT (marked as User accesses), LDRH/STRH/LDRSB/LDRSH,
 * LDRD/STRD, SWP/SWPB, LDM/STM (1).  LDM(2)/(3) and STM(2) are the vCPU's (emulate.c).
 * Nothing is written back unless every access succeeded (the ARM926's base-restored abort model),
 * so a fault can be delivered to the guest with the registers as they were.  Addresses go to the
 * bus as the instruction forms them, unaligned ones included (as QEMU performs them); alignment
 * faults are the caller's (the guest page-table walk checks them, guest_ptw.h). */
#ifndef ARMVMM_LDST_EMULATE_H
#define ARMVMM_LDST_EMULATE_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"
#include "trap.h"

struct ldst_bus {
    void *ctx;
    /* size is 1, 2 or 4; user: the access has User permissions (LDRT...).  Return 0, or a
     * nonzero fault status that aborts the instruction. */
    uint32_t (*read)(void *ctx, uint32_t addr, unsigned size, bool user, uint32_t *val);
    uint32_t (*write)(void *ctx, uint32_t addr, unsigned size, bool user, uint32_t val);
};

enum ldst_result {
    LDST_DONE,          /* performed; registers and pc updated */
    LDST_FAULT,         /* an access failed: *fault_status and *fault_addr say which */
    LDST_NOT_MINE,      /* not a load/store this module emulates */
};

/* Emulates the instruction `in` at insn_addr whose registers are in f (pc is read as
 * insn_addr + 8, the flags from f->cpsr).  On LDST_DONE f->pc is the next instruction (or the
 * loaded pc). */
enum ldst_result ldst_emulate(struct trap_frame *f, uint32_t insn_addr, const struct insn *in,
                              const struct ldst_bus *bus, uint32_t *fault_status,
                              uint32_t *fault_addr);

#endif
