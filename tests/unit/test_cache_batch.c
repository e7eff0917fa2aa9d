/* Batched cache maintenance (vmm/core/cache_batch.c): the VMM runs the rest of a guest's
 * cache-line loop after the first trapped MCR.  The loops below are Linux 6.1's arm926 ones,
 * assembled by hand (the encodings are in the comments). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cache_batch.h"
#include "emulate.h"

#define BASE 0xc0012000u
#define PSR_Z (1u << 30)
#define PSR_C (1u << 29)

#define MCR_CLEAN_R0   0xee070f3au   /* mcr p15, 0, r0, c7, c10, 1 */
#define MCR_FLUSH_R0   0xee070f3eu   /* mcr p15, 0, r0, c7, c14, 1 */
#define MCRNE_INV_I_R0 0x1e070f35u   /* mcrne p15, 0, r0, c7, c5, 1 */
#define MCR_DRAIN_R0   0xee070f9au   /* mcr p15, 0, r0, c7, c10, 4 */
#define ADD_R0_32      0xe2800020u   /* add r0, r0, #32 */
#define SUBS_R1_32     0xe2511020u   /* subs r1, r1, #32 */
#define CMP_R0_R1      0xe1500001u   /* cmp r0, r1 */
#define MOV_PC_LR      0xe1a0f00eu   /* mov pc, lr */
#define STMIA_R0       0xe8a0500cu   /* stmia r0!, {r2, r3, ip, lr} */
#define USER_MODE      0x10u

struct guest {
    uint32_t code[16];
    unsigned ops;          /* line operations performed */
    uint32_t last_mva;
    unsigned drains;
    unsigned one_by_one;   /* of them, reported one at a time (line_op) */
    uint32_t *mem;         /* block loops: MEM_BYTES of memory at MEM_BASE */
    unsigned blocks;       /* block callbacks */
    bool refuse;           /* ... which fail */
    uint32_t tlb[2100];    /* the MVAs of the TLB flushes, in the order done */
    unsigned nr_tlb;
    unsigned tlb_one_by_one;
};

static bool fetch(void *ctx, uint32_t va, uint32_t *word)
{
    struct guest *g = ctx;
    if (va < BASE || va >= BASE + sizeof(g->code))
        return false;
    *word = g->code[(va - BASE) / 4];
    return true;
}

static void tlb_flush(struct guest *g, uint32_t mva)
{
    if (g->nr_tlb == sizeof g->tlb / sizeof g->tlb[0])
        fail_msg("more than %u TLB flushes", g->nr_tlb);
    g->tlb[g->nr_tlb++] = mva;
}

static void tlb_ops(void *ctx, uint32_t word, uint32_t first, int32_t step, unsigned n)
{
    assert_true(cache_batch_is_tlb_op(word));
    for (unsigned i = 0; i < n; i++)
        tlb_flush(ctx, first + (uint32_t)step * i);
}

static void line_op(void *ctx, uint32_t word, uint32_t mva)
{
    struct guest *g = ctx;
    if (cache_batch_is_tlb_op(word)) {
        g->tlb_one_by_one++;
        tlb_flush(g, mva);
        return;
    }
    g->ops++;
    g->one_by_one++;
    g->last_mva = mva;
    g->drains += word == MCR_DRAIN_R0;
}

static void line_ops(void *ctx, unsigned n)
{
    ((struct guest *)ctx)->ops += n;
}

/* The page of the code, readable directly (the rest of it zero). */
static const uint32_t *page_of(void *ctx, uint32_t va)
{
    static uint32_t page[1024];
    struct guest *g = ctx;
    if (va / 4096 != BASE / 4096)
        return NULL;
    memset(page, 0, sizeof page);
    memcpy(page, g->code, sizeof g->code);
    return page;
}

/* A branch at index `at` to index `to` with condition cond. */
static uint32_t b_to(unsigned cond, unsigned at, unsigned to)
{
    int32_t off = ((int32_t)to - (int32_t)at - 2);
    return (uint32_t)cond << 28 | 0x0a000000u | ((uint32_t)off & 0x00ffffffu);
}

static unsigned run(struct guest *g, struct trap_frame *f, unsigned budget)
{
    const struct cache_batch_ops ops = { g, fetch, line_op, NULL, NULL,
                                         NULL, NULL, NULL };   /* interpreted */
    return cache_batch_run(f, &ops, budget);
}

/* arm926_dma_clean_range: 1: mcr c10,1; add; cmp r0, r1; blo 1b; mcr c10,4; mov pc, lr */
static void load_clean_range(struct guest *g)
{
    memset(g, 0, sizeof *g);
    uint32_t code[] = { MCR_CLEAN_R0, ADD_R0_32, CMP_R0_R1, b_to(0x3, 3, 0), MCR_DRAIN_R0,
                        MOV_PC_LR };
    memcpy(g->code, code, sizeof code);
}

static void test_range_loop_runs_to_its_end(void **state)
{
    (void)state;
    struct guest g;
    load_clean_range(&g);
    /* The trap was taken at the first MCR (line 0x1000): the frame resumes after it. */
    struct trap_frame f = { .pc = BASE + 4, .cpsr = USER_MODE };
    f.r[0] = 0x1000;
    f.r[1] = 0x2000;
    unsigned n = run(&g, &f, 4096);
    assert_int_equal(f.pc, BASE + 4 * 4);            /* out of the loop: the drain is the guest's */
    assert_int_equal(f.r[0], 0x2000);
    assert_int_equal(f.r[1], 0x2000);
    assert_int_equal(g.ops, 127);                    /* the other 127 lines */
    assert_int_equal(g.drains, 0);
    assert_int_equal(g.last_mva, 0x1fe0);
    assert_int_equal(f.cpsr, USER_MODE | PSR_Z | PSR_C);   /* cmp r0, r1 with r0 == r1 */
    assert_int_equal(n, 3 + 127 * 4);                /* add, cmp, blo, then mcr add cmp blo */
}

/* cpu_arm926_dcache_clean_area: 1: mcr c10,1; add r0; subs r1, #32; bhi 1b */
static void test_counted_loop(void **state)
{
    (void)state;
    struct guest g = { .code = { MCR_CLEAN_R0, ADD_R0_32, SUBS_R1_32, b_to(0x8, 3, 0),
                                 MOV_PC_LR } };
    struct trap_frame f = { .pc = BASE + 4, .cpsr = USER_MODE };
    f.r[0] = 0xc1000000;
    f.r[1] = 64 * 32;
    run(&g, &f, 4096);
    assert_int_equal(f.pc, BASE + 4 * 4);
    assert_int_equal(f.r[0], 0xc1000000 + 64 * 32);
    assert_int_equal(f.r[1], 0);
    assert_int_equal(g.ops, 63);
    assert_int_equal(f.cpsr & (PSR_Z | PSR_C), PSR_Z | PSR_C);   /* 32 - 32: Z, no borrow */
}

/* arm926_flush_user_cache_range: mcr c14,1; mcrne c5,1 (Z from an earlier tst) ... */
static void test_conditional_line_op_follows_the_flags(void **state)
{
    (void)state;
    struct guest g = { .code = { MCR_FLUSH_R0, MCRNE_INV_I_R0, ADD_R0_32, CMP_R0_R1,
                                 b_to(0x3, 4, 0), MOV_PC_LR } };
    struct trap_frame f = { .pc = BASE + 4, .cpsr = USER_MODE | PSR_Z };   /* not VM_EXEC */
    f.r[0] = 0;
    f.r[1] = 4 * 32;
    run(&g, &f, 4096);
    /* the Z of the guest's tst is gone after the first cmp: later mcrne do run */
    assert_int_equal(f.pc, BASE + 5 * 4);
    assert_int_equal(f.r[0], 4 * 32);
    assert_int_equal(g.ops, 3 + 3);
}

static void test_stops_outside_the_set(void **state)
{
    (void)state;
    /* v4wb_clear_user_highpage: the stores after the invalidate are the guest's to run */
    struct guest g = { .code = { MCR_CLEAN_R0, STMIA_R0, STMIA_R0 } };
    struct trap_frame f = { .pc = BASE + 4, .cpsr = USER_MODE };
    assert_int_equal(run(&g, &f, 4096), 0);
    assert_int_equal(f.pc, BASE + 4);
    assert_int_equal(g.ops, 0);

    /* a forward branch, a branch with link, a loop longer than CACHE_BATCH_MAX_LOOP, an ADD
     * with a shifted register, a write to pc: none makes a loop the VMM runs */
    const uint32_t stops[] = { b_to(0xe, 1, 5), 0xebfffffe /* bl . */,
                               b_to(0xe, 1, 1 - CACHE_BATCH_MAX_LOOP / 4 - 2),
                               0xe0800101 /* add r0, r0, r1, lsl #2 */,
                               0xe28ff020 /* add pc, pc, #32 */ };
    for (unsigned i = 0; i < sizeof stops / sizeof stops[0]; i++) {
        g.code[1] = stops[i];
        f.pc = BASE + 4;
        assert_int_equal(run(&g, &f, 4096), 0);
        assert_int_equal(f.pc, BASE + 4);
    }
}

static void test_budget_bounds_the_batch(void **state)
{
    (void)state;
    struct guest g;
    load_clean_range(&g);
    struct trap_frame f = { .pc = BASE + 4, .cpsr = USER_MODE };
    f.r[0] = 0;
    f.r[1] = 0x100000;   /* a megabyte: 32768 lines */
    assert_int_equal(run(&g, &f, 10), 10);
    /* 10 instructions from add: add cmp blo mcr add cmp blo mcr add cmp */
    assert_int_equal(f.pc, BASE + 3 * 4);
    assert_int_equal(f.r[0], 3 * 32);
    assert_int_equal(g.ops, 2);
    /* the guest (or the next batch) carries on from there with consistent registers */
    run(&g, &f, 1u << 20);
    assert_int_equal(f.r[0], 0x100000);
    assert_int_equal(f.pc, BASE + 4 * 4);
}

#define TST_R2_4       0xe3120004u   /* tst r2, #4 */
#define MCR_CLEAN_I_R0 0xee070f35u   /* mcr p15, 0, r0, c7, c5, 1 */

/* A guest with code, and its frame: the MCR at byte trap_at just trapped, r0-r2 given. */
static void load_one(struct guest *g, struct trap_frame *f, const uint32_t *code, unsigned words,
                     uint32_t trap_at, uint32_t r0, uint32_t r1, uint32_t r2)
{
    memset(g, 0, sizeof *g);
    memcpy(g->code, code, words * 4);
    *f = (struct trap_frame){ .pc = BASE + trap_at + 4, .cpsr = USER_MODE };
    f->r[0] = r0;
    f->r[1] = r1;
    f->r[2] = r2;
}

/* Two of them, the same. */
static void load_twice(struct guest *a, struct guest *b, struct trap_frame *fa,
                       struct trap_frame *fb, const uint32_t *code, unsigned words,
                       uint32_t trap_at, uint32_t r0, uint32_t r1, uint32_t r2)
{
    load_one(a, fa, code, words, trap_at, r0, r1, r2);
    *b = *a;
    *fb = *fa;
}

/* Runs the loop both ways, interpreted and in closed form (line_ops given): the same registers,
 * flags, pc, instruction count and line operations. */
static void assert_closed_form_same(const uint32_t *code, unsigned words, uint32_t trap_at,
                                    uint32_t r0, uint32_t r1, uint32_t r2, bool closed)
{
    struct guest a, b;
    struct trap_frame fa, fb;
    load_twice(&a, &b, &fa, &fb, code, words, trap_at, r0, r1, r2);
    static struct cache_batch_memo memo;   /* kept from call to call, as the VMM keeps it */
    const struct cache_batch_ops slow = { &a, fetch, line_op, NULL, NULL, NULL, NULL, NULL };
    const struct cache_batch_ops fast = { &b, fetch, line_op, line_ops, &memo,
                                          NULL, page_of, NULL };
    unsigned na = cache_batch_run(&fa, &slow, 1u << 30);
    unsigned nb = cache_batch_run(&fb, &fast, 1u << 30);
    if (memcmp(&fa, &fb, sizeof fa) || na != nb || a.ops != b.ops)
        fail_msg("range %08x-%08x r2 %x: interpreted pc %08x r0 %08x r1 %08x cpsr %08x n %u "
                 "ops %u; closed form pc %08x r0 %08x r1 %08x cpsr %08x n %u ops %u",
                 r0, r1, r2, fa.pc, fa.r[0], fa.r[1], fa.cpsr, na, a.ops, fb.pc, fb.r[0],
                 fb.r[1], fb.cpsr, nb, b.ops);
    /* in closed form, line operations one by one only for the rest of this iteration */
    if (closed && b.ops > 8 && b.one_by_one > 8)
        fail_msg("range %08x-%08x r2 %x: %u of %u line operations one by one", r0, r1, r2,
                 b.one_by_one, b.ops);
}

static void test_closed_form_matches_the_interpreter(void **state)
{
    (void)state;
    /* arm926_dma_clean_range; cpu_arm926_dcache_clean_area; arm926_coherent_kern_range;
     * arm926_flush_user_cache_range (tst at the head, two lines an iteration) */
    const uint32_t range[] = { MCR_CLEAN_R0, ADD_R0_32, CMP_R0_R1, b_to(0x3, 3, 0) };
    const uint32_t counted[] = { MCR_CLEAN_R0, ADD_R0_32, SUBS_R1_32, b_to(0x8, 3, 0) };
    const uint32_t coherent[] = { MCR_CLEAN_R0, MCR_CLEAN_I_R0, ADD_R0_32, CMP_R0_R1,
                                  b_to(0x3, 4, 0) };
    const uint32_t user[] = { TST_R2_4, MCR_FLUSH_R0, MCRNE_INV_I_R0, ADD_R0_32, MCR_FLUSH_R0,
                              MCRNE_INV_I_R0, ADD_R0_32, CMP_R0_R1, b_to(0x3, 8, 0) };
    static const uint32_t ranges[][2] = {
        { 0x1000, 0x2000 }, { 0x1000, 0x1020 }, { 0x1000, 0x1021 }, { 0x1004, 0x1fff },
        { 0x2000, 0x1000 }, { 0x7ffff000, 0x80000100 }, { 0xffffe000, 0xffffff80 },
        { 0, 0x100000 },
    };
    /* a line operation after the loop's compare: from there, the head first */
    const uint32_t after_cmp[] = { MCR_CLEAN_R0, ADD_R0_32, CMP_R0_R1, MCR_FLUSH_R0,
                                   b_to(0x3, 4, 0) };
    for (unsigned i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
        uint32_t s0 = ranges[i][0], e0 = ranges[i][1];
        assert_closed_form_same(range, 4, 0, s0, e0, 0, true);
        if (e0 > s0)   /* (a count from a range backwards: 2^27 lines, too long to interpret) */
            assert_closed_form_same(counted, 4, 0, s0, e0 - s0, 0, true);
        /* every line operation of the loop the trapped one */
        for (uint32_t at = 0; at <= 4; at += 4)
            assert_closed_form_same(coherent, 5, at, s0, e0, 0, true);
        static const uint32_t user_at[] = { 4, 8, 16, 20 };
        for (unsigned u = 0; u < 4; u++) {
            assert_closed_form_same(user, 9, user_at[u], s0, e0, 4, true);   /* VM_EXEC */
            assert_closed_form_same(user, 9, user_at[u], s0, e0, 0, true);
        }
        assert_closed_form_same(after_cmp, 5, 0, s0, e0, 0, true);
        assert_closed_form_same(after_cmp, 5, 12, s0, e0, 0, true);
    }
    /* mcrne right after the loop's own compare runs differently in the last iteration: no
     * closed form there, and the same result */
    const uint32_t late[] = { MCR_FLUSH_R0, ADD_R0_32, CMP_R0_R1, MCRNE_INV_I_R0,
                              b_to(0x3, 4, 0) };
    assert_closed_form_same(late, 5, 0, 0x1000, 0x2000, 0, false);

    /* a range whose end the address never reaches before it wraps around: no closed form
     * (the interpreter, within its budget, does what the guest would) */
    struct guest g;
    struct trap_frame f;
    load_one(&g, &f, range, 4, 0, 0xffffff00, 0xffffffff, 0);
    const struct cache_batch_ops fast = { &g, fetch, line_op, line_ops, NULL, NULL, NULL, NULL };
    assert_true(cache_batch_run(&f, &fast, 1000) <= 1000);
    assert_true(f.pc >= BASE && f.pc < BASE + 4 * 4);
    assert_int_equal(g.ops, g.one_by_one);
}

/* Loops of TLB flushes by MVA (Linux 6.1's v4wbi_flush_user_tlb_range and _kern_tlb_range). */
#define MCRNE_ITLB_R0 0x1e080f35u   /* mcrne p15, 0, r0, c8, c5, 1 */
#define MCR_ITLB_R0   0xee080f35u   /* mcr p15, 0, r0, c8, c5, 1 */
#define MCR_DTLB_R0   0xee080f36u   /* mcr p15, 0, r0, c8, c6, 1 */
#define ADD_R0_4096   0xe2800a01u   /* add r0, r0, #4096 */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Interpreted and in closed form: the same registers, flags, pc, instruction count, and the
 * same MVAs flushed (in any order); in closed form hardly any one by one. */
static void assert_tlb_loop_same(const uint32_t *code, unsigned words, uint32_t trap_at,
                                 uint32_t r0, uint32_t r1, uint32_t r2)
{
    static struct guest a, b;
    struct trap_frame fa, fb;
    load_twice(&a, &b, &fa, &fb, code, words, trap_at, r0, r1, r2);
    const struct cache_batch_ops slow = { &a, fetch, line_op, NULL, NULL, NULL, NULL, NULL };
    const struct cache_batch_ops fast = { &b, fetch, line_op, line_ops, NULL, NULL, NULL,
                                          tlb_ops };
    unsigned na = cache_batch_run(&fa, &slow, 1u << 30);
    unsigned nb = cache_batch_run(&fb, &fast, 1u << 30);
    qsort(a.tlb, a.nr_tlb, sizeof a.tlb[0], cmp_u32);
    qsort(b.tlb, b.nr_tlb, sizeof b.tlb[0], cmp_u32);
    if (memcmp(&fa, &fb, sizeof fa) || na != nb || a.nr_tlb != b.nr_tlb ||
        memcmp(a.tlb, b.tlb, a.nr_tlb * sizeof a.tlb[0]))
        fail_msg("range %08x-%08x r2 %x at %u: interpreted pc %08x r0 %08x cpsr %08x n %u, %u "
                 "flushes; closed form pc %08x r0 %08x cpsr %08x n %u, %u flushes", r0, r1, r2,
                 trap_at, fa.pc, fa.r[0], fa.cpsr, na, a.nr_tlb, fb.pc, fb.r[0], fb.cpsr, nb,
                 b.nr_tlb);
    if (b.nr_tlb > 8 && b.nr_tlb <= CACHE_BATCH_MAX_TLB && b.tlb_one_by_one > 4)
        fail_msg("range %08x-%08x: %u of %u flushes one by one", r0, r1, b.tlb_one_by_one,
                 b.nr_tlb);
}

static void test_tlb_loops_closed_form(void **state)
{
    (void)state;
    const uint32_t user[] = { TST_R2_4, MCRNE_ITLB_R0, MCR_DTLB_R0, ADD_R0_4096, CMP_R0_R1,
                              b_to(0x3, 5, 0) };
    const uint32_t kern[] = { MCR_ITLB_R0, MCR_DTLB_R0, ADD_R0_4096, CMP_R0_R1,
                              b_to(0x3, 4, 0) };
    /* the step before the flush, and a flush after the compare */
    const uint32_t step_first[] = { ADD_R0_4096, MCR_DTLB_R0, CMP_R0_R1, MCR_ITLB_R0,
                                    b_to(0x3, 4, 0) };
    static const uint32_t ranges[][2] = {
        { 0x1000, 0x5000 }, { 0x1000, 0x1001 }, { 0x2000, 0x1000 }, { 0x10000, 0x10fff },
        { 0x40000000, 0x40200000 },   /* 512 pages: twice as many flushes with VM_EXEC */
        { 0x40000000, 0x40400000 },   /* CACHE_BATCH_MAX_TLB pages */
        { 0x40000000, 0x40401000 },   /* one more: interpreted */
        { 0xbffff000, 0xc0003000 },
    };
    for (unsigned i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
        uint32_t s0 = ranges[i][0], e0 = ranges[i][1];
        assert_tlb_loop_same(user, 6, 8, s0, e0, 0);
        assert_tlb_loop_same(user, 6, 8, s0, e0, 4);   /* VM_EXEC */
        assert_tlb_loop_same(user, 6, 4, s0, e0, 4);
        assert_tlb_loop_same(kern, 5, 0, s0, e0, 0);
        assert_tlb_loop_same(kern, 5, 4, s0, e0, 0);
        assert_tlb_loop_same(step_first, 5, 4, s0, e0, 0);
        assert_tlb_loop_same(step_first, 5, 12, s0, e0, 0);
    }
    /* the counts: 4 pages, the trapped flush not among them (the caller's), the rest all */
    struct guest g;
    struct trap_frame f;
    load_one(&g, &f, user, 6, 8, 0x1000, 0x5000, 4);
    const struct cache_batch_ops ops = { &g, fetch, line_op, line_ops, NULL, NULL, NULL,
                                         tlb_ops };
    cache_batch_run(&f, &ops, 1u << 30);
    assert_int_equal(f.pc, BASE + 6 * 4);
    assert_int_equal(f.r[0], 0x5000);
    assert_int_equal(g.nr_tlb, 6);   /* 0x2000-0x4000, each twice (instruction and data) */
    assert_int_equal(g.ops, 0);
    assert_true(cache_batch_is_tlb_op(MCR_DTLB_R0));
    assert_true(cache_batch_is_tlb_op(0xee080f37u));    /* c8, c7, 1: both */
    assert_false(cache_batch_is_tlb_op(0xee080f17u));   /* c8, c7, 0: all of it */
    assert_false(cache_batch_is_tlb_op(0xee080f34u));   /* c8, c4: none */
    assert_false(cache_batch_is_line_op(MCR_DTLB_R0));
}

/* Block loops (Linux 6.1's v4wb_copy_user_highpage and v4wb_clear_user_highpage), against a
 * reference that runs the guest's instructions one by one over the same memory. */
#define MEM_BASE  0x10000u
#define MEM_BYTES 0x8000u
#define SRC       (MEM_BASE + 0x1000u)
#define DST       (MEM_BASE + 0x4000u)

static uint32_t *word_at(uint32_t *mem, uint32_t va)
{
    if (va < MEM_BASE || va - MEM_BASE >= MEM_BYTES)
        fail_msg("access at %08x, outside the test's memory", va);
    return &mem[(va - MEM_BASE) / 4];
}

/* The callback as the VMM implements it (cache_batch.h's contract), on the test's memory. */
static bool block(void *ctx, struct cache_batch_block *b)
{
    struct guest *g = ctx;
    uint32_t chunk = 4 * b->nwords, skip = b->first_from_words ? chunk : 0;
    g->blocks++;
    if (g->refuse)
        return false;
    for (uint32_t off = 0; off < b->dst_bytes; off += 4) {
        uint32_t w = (off % chunk) / 4;
        *word_at(g->mem, b->dst + off) = b->fill || off < skip ? b->words[w]
                                                               : *word_at(g->mem, b->src + off - skip);
    }
    for (uint32_t i = 0; !b->fill && b->src_bytes && i < b->nwords; i++)
        b->words[i] = *word_at(g->mem, b->src + b->src_bytes - chunk + 4 * i);
    return true;
}

/* One instruction of a block loop, the way the core runs it. */
static void reference_step(struct guest *g, struct trap_frame *f)
{
    struct insn in;
    uint32_t w = 0, next = f->pc + 4;
    assert_true(fetch(g, f->pc, &w));
    decode_arm(w, &in);
    if (emu_cond_passed(in.cond, f->cpsr)) {
        if (in.kind == INSN_MCR) {
            g->ops++;
        } else if (in.kind == INSN_LOAD_STORE_MULTIPLE) {
            uint32_t a = trap_frame_get(f, in.block.rn);
            for (unsigned r = 0; r < 15; r++) {
                if (!(in.block.list >> r & 1))
                    continue;
                if (in.block.load)
                    trap_frame_set(f, r, *word_at(g->mem, a));
                else
                    *word_at(g->mem, a) = trap_frame_get(f, r);
                a += 4;
            }
            trap_frame_set(f, in.block.rn, a);
        } else if (in.kind == INSN_DATA_PROC && in.dp.opcode == DP_SUB && in.dp.s) {
            uint32_t x = trap_frame_get(f, in.dp.rn), r = x - in.dp.imm;
            f->cpsr = (f->cpsr & 0x0fffffff) | (r & 0x80000000u) | (r ? 0 : PSR_Z) |
                      (x >= in.dp.imm ? PSR_C : 0) | ((x ^ in.dp.imm) & (x ^ r) & 0x80000000u) >> 3;
            trap_frame_set(f, in.dp.rd, r);
        } else if (in.kind == INSN_BRANCH) {
            next = f->pc + 8 + (uint32_t)in.branch.offset;
        } else {
            fail_msg("the reference runs no %08x", w);
        }
    }
    f->pc = next;
}

#define LDMIA_R2       0xe8b25018u   /* ldmia r2!, {r3, r4, ip, lr} */
#define LDMNEIA_R2     0x18b25018u   /* ldmneia r2!, {r3, r4, ip, lr} */
#define STMIA_R1       0xe8a15018u   /* stmia r1!, {r3, r4, ip, lr} */
#define MCR_INV_R1     0xee071f36u   /* mcr p15, 0, r1, c7, c6, 1 */
#define MCR_INV_R0     0xee070f36u   /* mcr p15, 0, r0, c7, c6, 1 */
#define SUBS_R0_1      0xe2500001u   /* subs r0, r0, #1 */
#define SUBS_R1_1      0xe2511001u   /* subs r1, r1, #1 */

/* copy: r0 = count, r1 = dst, r2 = src; the loop is [1, 13) */
static const uint32_t copy_page[] = {
    LDMIA_R2, MCR_INV_R1, STMIA_R1, LDMIA_R2, STMIA_R1, LDMIA_R2, MCR_INV_R1, STMIA_R1,
    LDMIA_R2, SUBS_R0_1, STMIA_R1, LDMNEIA_R2, 0x1afffff3 /* bne 1 */, MOV_PC_LR,
};
/* clear: r0 = dst, r1 = count, r2 r3 ip lr = the pattern; the loop is [0, 8) */
static const uint32_t clear_page[] = {
    MCR_INV_R0, STMIA_R0, STMIA_R0, MCR_INV_R0, STMIA_R0, STMIA_R0, SUBS_R1_1,
    0x1afffff7 /* bne 0 */, MOV_PC_LR,
};

static uint32_t mem_a[MEM_BYTES / 4], mem_b[MEM_BYTES / 4];

static void load_block_guest(struct guest *g, const uint32_t *code, unsigned words,
                             uint32_t *mem)
{
    memset(g, 0, sizeof *g);
    memcpy(g->code, code, words * 4);
    g->mem = mem;
    for (unsigned i = 0; i < MEM_BYTES / 4; i++)
        mem[i] = i * 2654435761u;
}

/* From the function's start, runs the guest until it has executed the MCR at index mcr for
 * the visit-th time, then the rest of the loop both ways: the reference, and one batch. */
static void assert_block_same(const uint32_t *code, unsigned words, unsigned end,
                              const struct trap_frame *start, unsigned mcr, unsigned visit)
{
    struct guest a, b;
    struct trap_frame f = *start;
    load_block_guest(&a, code, words, mem_a);
    for (unsigned seen = 0; seen < visit; ) {
        seen += f.pc == BASE + 4 * mcr;
        reference_step(&a, &f);
    }
    load_block_guest(&b, code, words, mem_b);
    memcpy(mem_b, mem_a, sizeof mem_a);
    struct trap_frame fb = f;
    a.ops = 0;
    while (f.pc < BASE + 4 * end)
        reference_step(&a, &f);
    static struct cache_batch_memo memo;
    const struct cache_batch_ops ops = { &b, fetch, line_op, line_ops, &memo,
                                         block, page_of, NULL };
    unsigned n = cache_batch_run(&fb, &ops, 1);
    if (!n || memcmp(&f, &fb, sizeof f) || memcmp(mem_a, mem_b, sizeof mem_a) || a.ops != b.ops ||
        b.blocks != 1)
        fail_msg("mcr %u, visit %u: reference pc %08x r0 %08x r1 %08x r2 %08x r3 %08x lr %08x "
                 "cpsr %08x ops %u; batch (%u) pc %08x r0 %08x r1 %08x r2 %08x r3 %08x lr %08x "
                 "cpsr %08x ops %u blocks %u, memory %s", mcr, visit, f.pc, f.r[0], f.r[1],
                 f.r[2], f.r[3], f.lr, f.cpsr, a.ops, n, fb.pc, fb.r[0], fb.r[1], fb.r[2],
                 fb.r[3], fb.lr, fb.cpsr, b.ops, b.blocks,
                 memcmp(mem_a, mem_b, sizeof mem_a) ? "differs" : "same");
}

static void test_block_loops_match_the_reference(void **state)
{
    (void)state;
    static const unsigned counts[] = { 1, 2, 3, 64 };
    for (unsigned c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        unsigned n = counts[c];
        struct trap_frame copy = { .pc = BASE, .cpsr = USER_MODE }, clear = copy;
        copy.r[0] = n;
        copy.r[1] = DST;
        copy.r[2] = SRC;
        clear.r[0] = DST;
        clear.r[1] = n;
        clear.r[2] = 0x11111111;
        clear.r[3] = 0x22222222;
        clear.r[12] = 0x33333333;
        clear.lr = 0x44444444;
        const unsigned visits[] = { 1, 2, n };
        for (unsigned v = 0; v < 3; v++) {
            if (visits[v] > n)
                continue;
            assert_block_same(copy_page, 14, 13, &copy, 1, visits[v]);   /* before a store */
            assert_block_same(copy_page, 14, 13, &copy, 6, visits[v]);
            assert_block_same(clear_page, 9, 8, &clear, 0, visits[v]);
            assert_block_same(clear_page, 9, 8, &clear, 3, visits[v]);
        }
    }
}

/* A loop not exactly of the shape, a count that leaves nothing to do or too much, a callback
 * that fails: no batch, nothing changed. */
static void assert_no_block(const uint32_t *code, unsigned words, uint32_t r0, bool refuse)
{
    struct guest g;
    load_block_guest(&g, code, words, mem_a);
    g.refuse = refuse;
    struct trap_frame f = { .pc = BASE + 8, .cpsr = USER_MODE }, before;
    f.r[0] = r0;
    f.r[1] = DST;
    f.r[2] = SRC;
    before = f;
    const struct cache_batch_ops ops = { &g, fetch, line_op, line_ops, NULL, block, NULL, NULL };
    assert_int_equal(cache_batch_run(&f, &ops, 1 << 20), 0);
    assert_memory_equal(&f, &before, sizeof f);
    assert_int_equal(g.ops, 0);
    assert_int_equal(g.blocks, refuse);
}

static void test_block_loops_refused(void **state)
{
    (void)state;
    uint32_t code[14];
    assert_no_block(copy_page, 14, 64, true);
    assert_no_block(copy_page, 14, 0, false);
    assert_no_block(copy_page, 14, CACHE_BATCH_MAX_BLOCK / 64 + 1, false);
    const struct { unsigned at; uint32_t word; } changes[] = {
        { 4, LDMIA_R2 },                /* two loads in a row: a store would skip a chunk */
        { 2, 0x18a15018 },              /* stmneia */
        { 3, 0x18b25018 },              /* ldmne before the subs */
        { 9, 0xe2500002 },              /* subs r0, r0, #2 */
        { 2, 0xe8a1501a },              /* a list holding the source's base */
        { 2, 0xe8a35018 },              /* stores through another base */
        { 5, 0xe9b25018 },              /* ldmib */
        { 12, 0x3afffff3 },             /* bcc */
        { 11, 0xe8b25018 },             /* an unconditional load after the subs, then ... */
    };
    for (unsigned i = 0; i < sizeof changes / sizeof changes[0]; i++) {
        memcpy(code, copy_page, sizeof code);
        code[changes[i].at] = changes[i].word;
        if (i + 1 == sizeof changes / sizeof changes[0])
            code[10] = 0x18a15018;      /* ... a conditional store */
        assert_no_block(code, 14, 64, false);
    }
}

/* A remembered loop whose words changed (code written since) is decoded again. */
static void test_memo_sees_changed_code(void **state)
{
    (void)state;
    struct guest g;
    load_clean_range(&g);
    static struct cache_batch_memo memo;
    const struct cache_batch_ops ops = { &g, fetch, line_op, line_ops, &memo, NULL, page_of, NULL };
    for (unsigned round = 0; round < 3; round++) {
        if (round == 2)
            g.code[1] = 0xe2800040u;   /* add r0, r0, #64 */
        struct trap_frame f = { .pc = BASE + 4, .cpsr = USER_MODE };
        f.r[0] = 0x1000;
        f.r[1] = 0x2000;
        g.ops = 0;
        cache_batch_run(&f, &ops, 4096);
        assert_int_equal(f.pc, BASE + 4 * 4);
        assert_int_equal(f.r[0], 0x2000);
        assert_int_equal(g.ops, round == 2 ? 63 : 127);   /* lines of 64 bytes: half as many */
    }
}

static void test_line_op_encodings(void **state)
{
    (void)state;
    assert_true(cache_batch_is_line_op(MCR_CLEAN_R0));
    assert_true(cache_batch_is_line_op(MCR_FLUSH_R0));
    assert_true(cache_batch_is_line_op(MCR_DRAIN_R0));
    assert_true(cache_batch_is_line_op(0xee070f36));    /* invalidate D line */
    assert_true(cache_batch_is_line_op(0xee070f17));    /* invalidate both caches */
    assert_false(cache_batch_is_line_op(0xee070f90));   /* c7, c0, 4: wait for interrupt */
    assert_false(cache_batch_is_line_op(0xee080f17));   /* c8: TLB, not cache */
    assert_false(cache_batch_is_line_op(0xee070f5e));   /* c14, 2: clean+inv by set/way */
    assert_false(cache_batch_is_line_op(0xee170f3a));   /* MRC, not MCR */
    assert_false(cache_batch_is_line_op(0xee270f3a));   /* opc1 1 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_range_loop_runs_to_its_end),
        cmocka_unit_test(test_counted_loop),
        cmocka_unit_test(test_conditional_line_op_follows_the_flags),
        cmocka_unit_test(test_stops_outside_the_set),
        cmocka_unit_test(test_budget_bounds_the_batch),
        cmocka_unit_test(test_closed_form_matches_the_interpreter),
        cmocka_unit_test(test_block_loops_match_the_reference),
        cmocka_unit_test(test_block_loops_refused),
        cmocka_unit_test(test_memo_sees_changed_code),
        cmocka_unit_test(test_line_op_encodings),
        cmocka_unit_test(test_tlb_loops_closed_form),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
