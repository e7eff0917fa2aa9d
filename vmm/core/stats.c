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
    uint32_t by_kind[TRAP_NR_KINDS], by_insn_kind[INSN_KIND_COUNT], total = 0;
    uint32_t fast_und = s->fast_eret + s->fast_dacr + s->fast_state;

    /* What vectors.S handled alone counts where C would have counted it. */
    for (unsigned k = 0; k < TRAP_NR_KINDS; k++)
        by_kind[k] = s->by_kind[k];
    for (unsigned k = 0; k < INSN_KIND_COUNT; k++)
        by_insn_kind[k] = s->by_insn_kind[k];
    by_kind[TRAP_SWI] += s->fast_swi;
    by_kind[TRAP_UND] += fast_und + s->fast_lines - s->fast_line_extra;
    by_kind[TRAP_DABT] += s->fast_grant + s->fast_reads + s->fast_key_reads;
    by_insn_kind[INSN_DATA_PROC] += s->fast_eret;
    by_insn_kind[INSN_MCR] += s->fast_dacr;

    for (unsigned k = 0; k < TRAP_NR_KINDS; k++)
        total += by_kind[k];
    vmm_log("vm%u '%s' trap statistics: %u traps\n", vm->id, vm->name, total);
    for (unsigned k = 0; k < TRAP_NR_KINDS; k++)
        log_printf("  %-22s %u\n", trap_kind_name(k), by_kind[k]);
    log_printf("  %-22s %u\n", "semihosting calls", s->semihosting);
    log_printf("  %-22s %u\n", "emulated instructions", s->emulated + fast_und);
    log_printf("  %-22s %u\n", "emulated accesses",
               s->emulated_accesses + s->fast_reads + s->fast_key_reads);
    log_printf("  %-22s %u\n", "exceptions delivered", s->delivered + s->fast_swi);
    log_printf("  %-22s %u\n", "interrupts delivered", s->interrupts);
    log_printf("  %-22s %u\n", "device accesses", s->mmio);
    log_printf("  %-22s %u\n", "waits for interrupt", s->waits);
    log_printf("  %-22s %u\n", "cache-line operations", s->cache_ops + s->fast_lines);
    log_printf("  %-22s %u\n", "block loops", s->blocks);
    log_printf("  %-22s %u\n", "asm SWI forwards", s->fast_swi);
    log_printf("  %-22s %u\n", "asm exception returns", s->fast_eret);
    log_printf("  %-22s %u\n", "asm DACR writes", s->fast_dacr);
    log_printf("  %-22s %u\n", "asm DACR grants", s->fast_grant);
    log_printf("  %-22s %u\n", "asm state accesses", s->fast_state);
    log_printf("  %-22s %u\n", "quick device reads", s->fast_reads + s->fast_key_reads);
    log_printf("  %-22s %u\n", "  by the key in asm", s->fast_key_reads);
    log_printf("  %-22s %u\n", "tables kept unread", s->tables_unread);
    log_printf("  %-22s %u\n", "L1 pages kept unread", s->l1_pages_unread);
    log_printf("  %-22s %u\n", "watch-ending writes", s->watch_writes);
    for (unsigned k = 0; k < INSN_KIND_COUNT; k++)
        if (by_insn_kind[k])
            log_printf("  emulated %-13s %u\n", insn_kind_name(k), by_insn_kind[k]);
    print_top_sites(s);
}
