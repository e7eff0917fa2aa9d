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
 * such a loop, so this is exactly what the guest would have done, minus the traps.  A loop
 * that also copies or clears memory (a block loop, below) has its memory effect done by the
 * caller in one go; anything else is left to the guest after a quick look at the raw words.
 * Loops of TLB flushes by MVA over a range of pages are run the same way, each flush with its
 * effect (the callbacks).  Pure (bits in, frame out): unit-tested on the host. */
#ifndef ARMVMM_CACHE_BATCH_H
#define ARMVMM_CACHE_BATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"
#include "trap.h"

/* A backward branch further than this does not close a maintenance loop. */
#define CACHE_BATCH_MAX_LOOP 64u
/* The most a block loop may store or load in one batch (a longer one runs in the guest). */
#define CACHE_BATCH_MAX_BLOCK 8192u

/* The cache-line and write-buffer operations (MCR p15, 0, Rd, c7, CRm, opc2) the VMM takes
 * without emulation: by-line clean/invalidate (c5, c6, c10, c14 with opc2 1), whole caches (c5,
 * c6, c7 with opc2 0) and the write-buffer drain (c10, 4).  word: the MCR. */
bool cache_batch_is_line_op(uint32_t word);

/* The TLB flushes by MVA (MCR p15, 0, Rd, c8, c5|c6|c7, 1): a kernel loops over a range of
 * pages with them as it does over lines (Linux's v4wbi_flush_user_tlb_range), each with its
 * effect (ops->line_op one by one, ops->tlb_ops in closed form).  word: the MCR. */
bool cache_batch_is_tlb_op(uint32_t word);
/* A loop whose closed form would make more TLB flushes than this is not run in closed form
 * (the interpreter takes it, within its budget): a bound on the time one trap takes. */
#define CACHE_BATCH_MAX_TLB 1024u

/* What cache_batch.c finds out about a loop once, when it decodes it: a loop in closed form
 * (cache_batch.c, affine_shape) ... */
struct cache_batch_affine {
    int32_t step[13];       /* per iteration, r0-r12 */
    int32_t before_exit;    /* the change of the exit register before its compare */
    uint8_t exit_at;        /* the compare or subs deciding the branch back */
    unsigned len;           /* instructions per iteration */
};

/* ... or a block loop (below; block_shape). */
struct cache_batch_shape {
    unsigned dst, src, counter;   /* registers (src: 16 in a fill) */
    uint16_t list;
    unsigned words;               /* registers in the list */
    unsigned subs_at;             /* index of the subs */
    unsigned lines;               /* line operations per iteration */
    unsigned ops, nloads;         /* memory operations per iteration, in body order ... */
    uint32_t loads;               /* ... bit i set: the i-th is a load */
    bool cond_load;               /* the last one is the NE load for the next iteration */
    /* By the trapped instruction's index p: the memory operations at or before it, the loads
     * and the line operations after it (up to the branch back). */
    uint8_t done_by[CACHE_BATCH_MAX_LOOP / 4 + 1];
    uint8_t loads_after[CACHE_BATCH_MAX_LOOP / 4 + 1];
    uint8_t lines_after[CACHE_BATCH_MAX_LOOP / 4 + 1];
};

/* A loop decoded (find_loop): [head, end), the branch back last; raw words kept so that the
 * next batch of the same loop only compares them. */
struct cache_batch_loop {
    uint32_t head, end;
    bool valid;
    bool blocks;                  /* it has LDM/STM: a block loop or nothing */
    bool tlb;                     /* it has TLB flushes by MVA (never a block loop) */
    bool inner_branch;            /* a branch before the last instruction */
    bool affine_ok, block_ok;     /* which shape it has, if any */
    struct cache_batch_affine affine;
    struct cache_batch_shape block;
    uint32_t raw[CACHE_BATCH_MAX_LOOP / 4 + 1];
    struct insn in[CACHE_BATCH_MAX_LOOP / 4 + 1];
};

/* The last loops decoded (the caller's, per guest): a fork alternates between a few. */
#define CACHE_BATCH_MEMO 4
struct cache_batch_memo {
    struct cache_batch_loop loop[CACHE_BATCH_MEMO];
    unsigned next;
};

/* Block loops: a page copied or cleared a chunk at a time, with a line operation per line
 * (Linux's v4wb_copy_user_highpage and v4wb_clear_user_highpage):
 *
 *        ldmia r2!, {r3, r4, ip, lr}              1: mcr   p15, 0, r0, c7, c6, 1
 *     1: mcr   p15, 0, r1, c7, c6, 1                 stmia r0!, {r2, r3, ip, lr}
 *        stmia r1!, {r3, r4, ip, lr}                 stmia r0!, {r2, r3, ip, lr}
 *        ldmia r2!, {r3, r4, ip, lr}                 mcr   p15, 0, r0, c7, c6, 1
 *        ...                                         ...
 *        subs  r0, r0, #1                            subs  r1, r1, #1
 *        stmia r1!, {r3, r4, ip, lr}                 bne   1b
 *        ldmne r2!, {r3, r4, ip, lr}
 *        bne   1b
 *
 * 128 traps per page, between which the guest moves 32 bytes.  Such a loop is: STMIA Rd! and
 * (for a copy) LDMIA Rs! of one register list, alternating, so that each store writes the chunk
 * the load before it read; line operations (AL); one `subs Rc, Rc, #1` before the branch back,
 * `bne`; only a load after the subs may be conditional (NE: the load for the next iteration).
 * From the trapped line operation (before the subs) to the loop's end, the VMM does what the
 * guest would: its stores and loads as one block (the callback), its registers and flags. */
struct cache_batch_block {
    uint32_t dst, src;             /* guest virtual addresses of the first store and load */
    uint32_t dst_bytes, src_bytes; /* stored, loaded (multiples of the chunk, 4 * words) */
    bool fill;                     /* no loads: dst is words, again and again */
    bool first_from_words;         /* copy: the first chunk stored is words (the registers
                                      loaded before the trap), the rest comes from src */
    unsigned nwords;               /* registers in the list: a chunk */
    uint32_t words[16];            /* in: the list's registers; out (copy, src_bytes > 0): the
                                      last chunk loaded, which they hold at the end */
};

struct cache_batch_ops {
    void *ctx;
    /* The guest's instruction at va; false if it cannot be read (the batch stops there). */
    bool (*fetch)(void *ctx, uint32_t va, uint32_t *word);
    /* A cache-line operation or TLB flush the guest performs (word: the MCR, mva: its
     * operand). */
    void (*line_op)(void *ctx, uint32_t word, uint32_t mva);
    /* Optional: n more of them, when nothing is to be done for each (QEMU has no caches).  With
     * it, a loop whose registers move by constant steps and whose end a compare of one of them
     * decides is run in closed form after one iteration (cache_batch.c). */
    void (*line_ops)(void *ctx, unsigned n);
    /* Optional: where the last loops decoded are kept. */
    struct cache_batch_memo *memo;
    /* Optional: a block loop's memory effect (below), all of it, or nothing and false. */
    bool (*block)(void *ctx, struct cache_batch_block *b);
    /* Optional: the words of the guest page holding va (the trapped instruction's), readable
     * directly, or NULL: a remembered loop inside that page is then checked at a glance. */
    const uint32_t *(*page)(void *ctx, uint32_t va);
    /* Optional: n TLB flushes of word's kind, by MVA first, first + step, ...  With it (and
     * line_ops), a loop of them runs in closed form too, from its head. */
    void (*tlb_ops)(void *ctx, uint32_t word, uint32_t first, int32_t step, unsigned n);
};

/* Runs the loop of the MCR just trapped (f->pc: the instruction after it) for at most budget
 * instructions interpreted (the closed form counts as none); f->pc is left at the first
 * instruction not run.  Returns the instructions run (0: no such loop, nothing changed). */
unsigned cache_batch_run(struct trap_frame *f, const struct cache_batch_ops *ops, unsigned budget);

#endif
