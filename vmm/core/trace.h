/* Trap trace: a ring of the last traps of a VM, printed at exit with --trace and always when a
 * VM is stopped or the VMM panics, so a failure shows the path that led to it. */
#ifndef ARMVMM_TRACE_H
#define ARMVMM_TRACE_H

#include <stdint.h>

#define TRACE_ENTRIES 32

struct trace_entry {   /* (in this order: trap_fast.S's TRACE stores the last three at once) */
    uint32_t kind;     /* TRAP_* */
    uint32_t insn;     /* the trapping instruction when known, else 0 */
    uint32_t vcpsr;    /* virtual CPSR at entry */
    uint32_t pc;       /* frame pc at entry */
};

struct trace_ring {
    struct trace_entry e[TRACE_ENTRIES];
    uint32_t next;     /* total traps recorded; slot = next % TRACE_ENTRIES */
};

static inline void trace_record(struct trace_ring *t, uint32_t kind, uint32_t pc, uint32_t insn,
                                uint32_t vcpsr)
{
    t->e[t->next % TRACE_ENTRIES] = (struct trace_entry){ kind, insn, vcpsr, pc };
    t->next++;
}

void trace_print(const struct trace_ring *t);

#endif
