/* Guest semihosting: the exit call a bare-metal guest makes (`svc 0x123456`), handled by the
 * VMM exactly as QEMU's -semihosting handles it natively, and never by QEMU for the guest. */
#ifndef ARMVMM_SEMIHOSTING_H
#define ARMVMM_SEMIHOSTING_H

#include <stdbool.h>
#include <stdint.h>

#include "bootinfo.h"

/* The exit status QEMU gives natively for an exit call: SYS_EXIT takes the reason in r1;
 * SYS_EXIT_EXTENDED points r1 at {reason, subcode}.  ApplicationExit exits with 0 (SYS_EXIT) or
 * subcode (EXTENDED); any other reason with 1. */
static inline uint32_t semihost_exit_status(uint32_t op, uint32_t reason, uint32_t subcode)
{
    if (reason != SEMIHOST_ADP_APP_EXIT)
        return 1;
    return op == SEMIHOST_SYS_EXIT_EXTENDED ? subcode : 0;
}

static inline bool semihost_is_call(uint32_t swi_insn)
{
    return (swi_insn & 0x0fffffff) == (0x0f000000 | SEMIHOST_SVC_IMM);
}

struct vcpu;
struct trap_frame;
/* Handles a guest SWI if it is a semihosting call; false if it is not one. */
bool semihost_handle(struct vcpu *v, struct trap_frame *frame);

#endif
