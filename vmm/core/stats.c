#include "stats.h"

#include "log.h"
#include "trap.h"
#include "vm.h"

void stats_print(const struct vm *vm)
{
    const struct trap_stats *s = &vm->stats;
    uint32_t total = 0;

    for (unsigned k = 0; k < TRAP_NR_KINDS; k++)
        total += s->by_kind[k];
    vmm_log("vm%u '%s' trap statistics: %u traps\n", vm->id, vm->name, total);
    for (unsigned k = 0; k < TRAP_NR_KINDS; k++)
        log_printf("  %-22s %u\n", trap_kind_name(k), s->by_kind[k]);
    log_printf("  %-22s %u\n", "semihosting calls", s->semihosting);
    log_printf("  %-22s %u\n", "emulated instructions", s->emulated);
    log_printf("  %-22s %u\n", "emulated accesses", s->emulated_accesses);
    log_printf("  %-22s %u\n", "exceptions delivered", s->delivered);
    log_printf("  %-22s %u\n", "interrupts delivered", s->interrupts);
    log_printf("  %-22s %u\n", "device accesses", s->mmio);
    log_printf("  %-22s %u\n", "waits for interrupt", s->waits);
}
