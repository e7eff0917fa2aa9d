#include "stats.h"

#include "decode.h"
#include "log.h"
#include "trap.h"
#include "vm.h"

void stats_count_site(struct trap_stats *s, uint32_t pc, uint32_t insn, unsigned kind)
{
    s->by_insn_kind[kind & 31]++;
    if (!s->sites_on)
        return;
    for (unsigned i = 0, h = (pc >> 2) % STATS_SITES; i < 8; i++, h = (h + 1) % STATS_SITES) {
        struct stats_site *e = &s->sites[h];
        if (e->count == 0 || e->pc == pc) {
            *e = (struct stats_site){ pc, insn, e->count + 1 };
            return;
        }
    }
    s->other_sites++;
}

/* The ten busiest sites, by a simple selection (this runs once, at exit). */
static void print_top_sites(const struct trap_stats *s)
{
    uint32_t last = 0xffffffffu, last_pc = 0;
    log_printf("  busiest emulated sites (pc, instruction, count):\n");
    for (unsigned n = 0; n < 10; n++) {
        const struct stats_site *best = 0;
        for (unsigned i = 0; i < STATS_SITES; i++) {
            const struct stats_site *e = &s->sites[i];
            bool below = e->count < last || (e->count == last && e->pc > last_pc);
            if (e->count && below &&
                (!best || e->count > best->count || (e->count == best->count && e->pc < best->pc)))
                best = e;
        }
        if (!best)
            break;
        struct insn d;
        decode_arm(best->insn, &d);
        log_printf("    %08x  %08x  %-10s %u\n", best->pc, best->insn, insn_kind_name(d.kind),
                   best->count);
        last = best->count;
        last_pc = best->pc;
    }
    if (s->other_sites)
        log_printf("    (%u at sites not tracked)\n", s->other_sites);
}

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
    log_printf("  %-22s %u\n", "cache-line operations", s->cache_ops);
    for (unsigned k = 0; k < INSN_KIND_COUNT; k++)
        if (s->by_insn_kind[k])
            log_printf("  emulated %-13s %u\n", insn_kind_name(k), s->by_insn_kind[k]);
    print_top_sites(s);
}
