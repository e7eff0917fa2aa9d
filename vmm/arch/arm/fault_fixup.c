/* Which aborts inside the VMM are expected: the guarded guest read's, and the LDRTs with which
 * trap_fast.S's short path of `ldmia sp, {r0-pc}^` reads the guest's stack. */
#include <stdint.h>

#include "asm.h"
#include "guarded_access.h"
#include "trap.h"

extern char guest_access_read_insn[], guest_access_fixup[];
extern char ldm_eret_guarded[], ldm_eret_guarded_end[], ldm_eret_fixup[];

static uint32_t addr_of(const char *label)
{
    return (uint32_t)(uintptr_t)label;
}

int vmm_fault_fixup(struct trap_frame *frame, unsigned kind)
{
    if (kind != TRAP_DABT)
        return 0;
    if (frame->pc == addr_of(guest_access_read_insn))
        frame->pc = addr_of(guest_access_fixup);
    else if (frame->pc - addr_of(ldm_eret_guarded) <
             addr_of(ldm_eret_guarded_end) - addr_of(ldm_eret_guarded))
        frame->pc = addr_of(ldm_eret_fixup);
    else
        return 0;
    return 1;
}
