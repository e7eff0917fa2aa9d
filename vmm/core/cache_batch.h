/* Batched cache maintenance.  A kernel cleans or invalidates a range one 32-byte line at a time,
 * in loops such as Linux's arm926_dma_clean_range:
 *
 *     1: mcr  p15, 0, r0, c7, c10, 1    @ clean D line (traps: the guest runs in User mode)
 *        add  r0, r0, #32
 *        cmp  r0, r1
 *        blo  1b
 *
 * 128 traps per 4 KB page.  After the first trap the VMM runs the rest of such a loop itself:
 * when the trapped MCR sits in a short loop (a backward branch at most CACHE_BATCH_MAX_LOOP
 * bytes on) made only of cache-line operations, ADD/SUB/CMP/CMN/TST on plain registers and
 * immediates, and branches, the body is decoded once and run until the guest leaves it (or the
 * budget runs out); the guest gets its registers back there.  Nothing else can happen inside
 * such a loop, so this is exactly what the guest would have done, minus the traps.  Anything
 * else (a copy loop's loads and stores) is left to the guest after a quick look at the raw
 * words.  Pure (bits in, frame out): unit-tested on the host. */
#ifndef ARMVMM_CACHE_BATCH_H
#define ARMVMM_CACHE_BATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"
#include "trap.h"

/* A backward branch further than this does not close a maintenance loop. */
#define CACHE_BATCH_MAX_LOOP 64u

/* The cache-line and write-buffer operations (MCR p15, 0, Rd, c7, CRm, opc2) the VMM takes
 * without emulation: by-line clean/invalidate (c5, c6, c10, c14 with opc2 1), whole caches (c5,
 * c6, c7 with opc2 0) and the write-buffer drain (c10, 4).  word: the MCR. */
bool cache_batch_is_line_op(uint32_t word);

/* A loop decoded (find_loop): [head, end), the branch back last; raw words kept so that the
 * next batch of the same loop decodes only what changed. */
struct cache_batch_loop {
    uint32_t head, end;
    bool valid;
    uint32_t raw[CACHE_BATCH_MAX_LOOP / 4 + 1];
    struct insn in[CACHE_BATCH_MAX_LOOP / 4 + 1];
};

struct cache_batch_ops {
    void *ctx;
    /* The guest's instruction at va; false if it cannot be read (the batch stops there). */
    bool (*fetch)(void *ctx, uint32_t va, uint32_t *word);
    /* A cache-line operation the guest performs (word: the MCR, mva: its operand). */
    void (*line_op)(void *ctx, uint32_t word, uint32_t mva);
    /* Optional: n more of them, when nothing is to be done for each (QEMU has no caches).  With
     * it, a loop whose registers move by constant steps and whose end a compare of one of them
     * decides is run in closed form after one iteration (cache_batch.c). */
    void (*line_ops)(void *ctx, unsigned n);
    /* Optional: where the last loop decoded is kept (the caller's, per guest). */
    struct cache_batch_loop *memo;
};

/* Runs the loop of the MCR just trapped (f->pc: the instruction after it) for at most budget
 * instructions interpreted (the closed form counts as none); f->pc is left at the first
 * instruction not run.  Returns the instructions run (0: no such loop, nothing changed). */
unsigned cache_batch_run(struct trap_frame *f, const struct cache_batch_ops *ops, unsigned budget);

#endif
