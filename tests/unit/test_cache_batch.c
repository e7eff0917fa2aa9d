/* Batched cache maintenance (vmm/core/cache_batch.c): the VMM runs the rest of a guest's
 * cache-line loop after the first trapped MCR.  The loops below are Linux 6.1's arm926 ones,
 * assembled by hand (the encodings are in the comments). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cache_batch.h"

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
};

static bool fetch(void *ctx, uint32_t va, uint32_t *word)
{
    struct guest *g = ctx;
    if (va < BASE || va >= BASE + sizeof(g->code))
        return false;
    *word = g->code[(va - BASE) / 4];
    return true;
}

static void line_op(void *ctx, uint32_t word, uint32_t mva)
{
    struct guest *g = ctx;
    g->ops++;
    g->one_by_one++;
    g->last_mva = mva;
    g->drains += word == MCR_DRAIN_R0;
}

static void line_ops(void *ctx, unsigned n)
{
    ((struct guest *)ctx)->ops += n;
}

/* A branch at index `at` to index `to` with condition cond. */
static uint32_t b_to(unsigned cond, unsigned at, unsigned to)
{
    int32_t off = ((int32_t)to - (int32_t)at - 2);
    return (uint32_t)cond << 28 | 0x0a000000u | ((uint32_t)off & 0x00ffffffu);
}

static unsigned run(struct guest *g, struct trap_frame *f, unsigned budget)
{
    const struct cache_batch_ops ops = { g, fetch, line_op, NULL, NULL };   /* interpreted */
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

/* Runs the loop both ways, interpreted and in closed form (line_ops given): the same registers,
 * flags, pc, instruction count and line operations. */
static void assert_closed_form_same(const uint32_t *code, unsigned words, uint32_t trap_at,
                                    uint32_t r0, uint32_t r1, uint32_t r2, bool closed)
{
    struct guest a, b;
    memset(&a, 0, sizeof a);
    memcpy(a.code, code, words * 4);
    b = a;
    struct trap_frame fa = { .pc = BASE + trap_at + 4, .cpsr = USER_MODE };
    fa.r[0] = r0;
    fa.r[1] = r1;
    fa.r[2] = r2;
    struct trap_frame fb = fa;
    static struct cache_batch_loop memo;   /* kept from call to call, as the VMM keeps it */
    const struct cache_batch_ops slow = { &a, fetch, line_op, NULL, NULL };
    const struct cache_batch_ops fast = { &b, fetch, line_op, line_ops, &memo };
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
    for (unsigned i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
        uint32_t s0 = ranges[i][0], e0 = ranges[i][1];
        assert_closed_form_same(range, 4, 0, s0, e0, 0, true);
        if (e0 > s0)   /* (a count from a range backwards: 2^27 lines, too long to interpret) */
            assert_closed_form_same(counted, 4, 0, s0, e0 - s0, 0, true);
        assert_closed_form_same(coherent, 5, 0, s0, e0, 0, true);
        assert_closed_form_same(user, 9, 4, s0, e0, 4, true);   /* VM_EXEC: I lines too */
        assert_closed_form_same(user, 9, 4, s0, e0, 0, true);
    }
    /* mcrne right after the loop's own compare runs differently in the last iteration: no
     * closed form there, and the same result */
    const uint32_t late[] = { MCR_FLUSH_R0, ADD_R0_32, CMP_R0_R1, MCRNE_INV_I_R0,
                              b_to(0x3, 4, 0) };
    assert_closed_form_same(late, 5, 0, 0x1000, 0x2000, 0, false);

    /* a range whose end the address never reaches before it wraps around: no closed form
     * (the interpreter, within its budget, does what the guest would) */
    struct guest g;
    memset(&g, 0, sizeof g);
    memcpy(g.code, range, sizeof range);
    struct trap_frame f = { .pc = BASE + 4, .cpsr = USER_MODE };
    f.r[0] = 0xffffff00;
    f.r[1] = 0xffffffff;
    const struct cache_batch_ops fast = { &g, fetch, line_op, line_ops, NULL };
    assert_true(cache_batch_run(&f, &fast, 1000) <= 1000);
    assert_true(f.pc >= BASE && f.pc < BASE + 4 * 4);
    assert_int_equal(g.ops, g.one_by_one);
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
        cmocka_unit_test(test_line_op_encodings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
