/* Trap statistics: how many traps of each kind the VMM handled for a VM (armvmm run --stats). */
#ifndef ARMVMM_STATS_H
#define ARMVMM_STATS_H

#include <stdint.h>

#include "asm.h"

struct trap_stats {
    uint32_t by_kind[TRAP_NR_KINDS];
    uint32_t semihosting;
    uint32_t emulated_accesses;   /* loads/stores the VMM performed for the guest */
    uint32_t emulated;            /* sensitive instructions emulated */
    uint32_t delivered;           /* exceptions delivered to the guest's own vectors */
    uint32_t interrupts;          /* virtual IRQs/FIQs delivered */
    uint32_t mmio;                /* device register accesses */
    uint32_t waits;               /* wait-for-interrupt */
};

struct vm;
void stats_print(const struct vm *vm);

#endif
