#include "trace.h"

#include "log.h"
#include "trap.h"

void trace_print(const struct trace_ring *t)
{
    uint32_t n = t->next < TRACE_ENTRIES ? t->next : TRACE_ENTRIES;

    log_printf("  last %u of %u traps (oldest first):\n", n, t->next);
    for (uint32_t i = t->next - n; i != t->next; i++) {
        const struct trace_entry *e = &t->e[i % TRACE_ENTRIES];
        log_printf("    #%-6u %-22s pc %08x insn %08x vcpsr %08x\n", i, trap_kind_name(e->kind),
                   e->pc, e->insn, e->vcpsr);
    }
}
