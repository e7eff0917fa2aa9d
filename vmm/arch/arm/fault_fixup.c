/* Which aborts inside the VMM are expected: the guarded guest read's. */
#include <stdint.h>

#include "asm.h"
#include "guarded_access.h"
#include "trap.h"

extern char guest_access_read_insn[], guest_access_fixup[];

int vmm_fault_fixup(struct trap_frame *frame, unsigned kind)
{
    if (kind != TRAP_DABT || frame->pc != (uint32_t)(uintptr_t)guest_access_read_insn)
        return 0;
    frame->pc = (uint32_t)(uintptr_t)guest_access_fixup;
    return 1;
}
