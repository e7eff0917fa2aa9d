/* Trap statistics: how many traps of each kind the VMM handled for a VM (armvmm run --stats). */
#ifndef ARMVMM_STATS_H
#define ARMVMM_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "asm.h"

/* Emulated instructions per guest address and device registers accessed: stats.c keeps both,
 * only with --stats, in tables the VMs share (a VM's boot may fill most of one: Linux traps
 * at ~60 sites and touches ~80 registers, mmu_basic traps at ~200).  The image window is
 * nearly full (~2.6 KB of .bss to spare before the 16 KB-aligned tables move past its end and
 * the link fails): tables per VM did not fit. */

/* The state accesses trap_fast.S handles alone, by kind (trap_stats.fast_state[]). */
enum stats_state {
    STATS_STATE_MRS_SPSR, STATS_STATE_MRS_CPSR, STATS_STATE_MRC_FSR, STATS_STATE_MRC_FAR,
    STATS_STATE_MSR_SPSR, STATS_STATE_KINDS
};

struct trap_stats {
    uint32_t by_kind[TRAP_NR_KINDS];
    uint32_t semihosting;
    uint32_t emulated_accesses;   /* loads/stores the VMM performed for the guest */
    uint32_t emulated;            /* sensitive instructions emulated */
    uint32_t delivered;           /* exceptions delivered to the guest's own vectors */
    uint32_t interrupts;          /* virtual IRQs/FIQs delivered */
    uint32_t mmio;                /* device register accesses */
    uint32_t waits;               /* wait-for-interrupt */
    uint32_t cache_ops;           /* cache-line maintenance handled on the short path */
    uint32_t blocks;              /* guest page copies and clears done by the VMM (cache_batch.h) */
    /* Traps vectors.S handled alone (trap.h, struct trap_fast); stats_print() counts them in the
     * kinds and classes above as well (SWI + delivered; undefined + emulated + class; data
     * abort; undefined + cache-line operations). */
    uint32_t fast_lines;          /* cache-line operations skipped there (one trap each but ... */
    uint32_t fast_line_extra;     /* ... these, the rest of a loop forwarded with one) */
    uint32_t fast_swi;            /* SWIs from virtual User mode forwarded */
    uint32_t fast_eret;           /* `movs pc, lr` from virtual SVC to User mode */
    uint32_t fast_dacr;           /* DACR writes from a privileged mode */
    uint32_t fast_grant;          /* data aborts that a trampoline's DACR grant explains */
    uint32_t fast_reads;          /* device reads done without the frame, by C making a key
                                     (guest_fault.c) */
    uint32_t fast_key_reads;      /* and by the key alone, in trap_fast.S */
    uint32_t fast_state[STATS_STATE_KINDS];   /* reads of the SPSR, the CPSR (a proxy), DFSR or
                                     IFSR, FAR, and writes of the SPSR, from a privileged mode */
    uint32_t tables_unread;       /* coarse tables a flush kept without reading the guest's
                                     again: their page was watched (shadow_watch.h) */
    uint32_t l1_pages_unread;     /* pages of a guest L1 table a flush kept without comparing
                                     them (an L1 memo, shadow.h) */
    uint32_t watch_writes;        /* watches a write ended */
    uint32_t by_insn_kind[32];    /* emulated instructions by decoder class (enum insn_kind) */
    uint32_t cp15_reads[16], cp15_writes[16];   /* of them, MRC and MCR p15 by CRn (--stats) */
    uint32_t proxies[8];          /* of them, CPSR proxies by operation (proxy.h; --stats) */
    uint32_t fills[2];            /* aborts a shadow fill answered: data, prefetch */
    uint32_t other_sites;         /* emulated instructions stats.c's site table had no room for */
    uint32_t other_mmio;          /* device accesses stats.c's table had no room for */
    uint8_t vm_id;                /* the VM's, for that table */
    bool sites_on;                /* per-site and per-register counting only with --stats */
    bool sites_all;               /* and every site listed (--stats-all), not the ten busiest */
};

/* Counts one emulated instruction at pc: by class always, by register and site with --stats. */
void stats_count_site(struct trap_stats *s, uint32_t pc, uint32_t insn, unsigned kind);
/* The same, and one more emulated instruction. */
static inline void stats_count_emulated(struct trap_stats *s, uint32_t pc, uint32_t insn,
                                        unsigned kind)
{
    s->emulated++;
    stats_count_site(s, pc, insn, kind);
}
/* Counts one access to the device register at gpa: in mmio always, by register with --stats
 * (no call otherwise). */
void stats_count_mmio_on(struct trap_stats *s, uint32_t gpa, bool write);
static inline void stats_count_mmio(struct trap_stats *s, uint32_t gpa, bool write)
{
    s->mmio++;
    if (s->sites_on)
        stats_count_mmio_on(s, gpa, write);
}

struct vm;
void stats_print(const struct vm *vm);

#endif
