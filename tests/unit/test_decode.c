/* Unit tests of the ARMv5TE decoder (common/decode.c) and the proxy encoding (common/proxy.h).
 *
 * MRS/MSR and the proxy are checked exhaustively over their encoding spaces and against
 * hand-assembled constants; the other classes against capstone as an oracle, restricted to the
 * encodings ARMv5TE defines (capstone decodes ARMv7, so v6+ reinterpretations are allowed only
 * where the decoder says UNDEFINED or flags the encoding UNPREDICTABLE). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <capstone/capstone.h>

#include "capstone_fixture.h"

#include "decode.h"
#include "proxy.h"

static uint32_t rng_state = 0x2545F491u;

static uint32_t rnd(void)
{
    /* xorshift32: deterministic, so failures reproduce */
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

static uint32_t ror32(uint32_t v, unsigned r)
{
    r &= 31u;
    return r ? (v >> r) | (v << (32 - r)) : v;
}

/* ------------------------------------------------------------------ MRS / MSR */

static void test_mrs_all_forms(void **state)
{
    (void)state;
    for (uint32_t cond = 0; cond < 16; cond++)
        for (uint32_t r = 0; r < 2; r++)
            for (uint32_t rd = 0; rd < 16; rd++) {
                uint32_t w = cond << 28 | 0x010F0000u | r << 22 | rd << 12;
                struct insn in;
                decode_arm(w, &in);
                if (cond == COND_NV) {
                    /* ARMv5 unconditional space: not an MRS, UNDEFINED */
                    assert_int_equal(in.kind, INSN_UNDEFINED);
                    assert_false(insn_is_proxy_candidate(&in));
                    continue;
                }
                assert_int_equal(in.kind, INSN_MRS);
                assert_int_equal(in.cond, cond);
                assert_int_equal(in.psr.spsr, r);
                assert_int_equal(in.psr.rd, rd);
                assert_int_equal(in.unpred, rd == 15 ? INSN_UNPRED_REG : 0);
                assert_int_equal(insn_is_proxy_candidate(&in), r == 0);
            }
}

static void test_msr_reg_all_forms(void **state)
{
    (void)state;
    for (uint32_t cond = 0; cond < 15; cond++)
        for (uint32_t r = 0; r < 2; r++)
            for (uint32_t mask = 0; mask < 16; mask++)
                for (uint32_t rm = 0; rm < 16; rm++) {
                    uint32_t w = cond << 28 | 0x0120F000u | r << 22 | mask << 16 | rm;
                    struct insn in;
                    decode_arm(w, &in);
                    assert_int_equal(in.kind, INSN_MSR);
                    assert_int_equal(in.cond, cond);
                    assert_int_equal(in.psr.spsr, r);
                    assert_false(in.psr.imm);
                    assert_int_equal(in.psr.mask, mask);
                    assert_int_equal(in.psr.rm, rm);
                    assert_int_equal(in.unpred, rm == 15 ? INSN_UNPRED_REG : 0);
                    assert_int_equal(insn_is_proxy_candidate(&in), r == 0);
                }
}

static void test_msr_imm_all_forms(void **state)
{
    (void)state;
    for (uint32_t cond = 0; cond < 15; cond++)
        for (uint32_t r = 0; r < 2; r++)
            for (uint32_t mask = 0; mask < 16; mask++)
                for (uint32_t rot = 0; rot < 16; rot++) {
                    uint32_t imm8 = rnd() & 0xFFu;
                    uint32_t w = cond << 28 | 0x0320F000u | r << 22 | mask << 16 | rot << 8 | imm8;
                    struct insn in;
                    decode_arm(w, &in);
                    assert_int_equal(in.kind, INSN_MSR);
                    assert_int_equal(in.cond, cond);
                    assert_int_equal(in.psr.spsr, r);
                    assert_true(in.psr.imm);
                    assert_int_equal(in.psr.mask, mask);
                    assert_int_equal(in.psr.imm12, rot << 8 | imm8);
                    assert_int_equal(in.psr.value, ror32(imm8, rot * 2));
                    assert_int_equal(in.unpred, 0);
                    assert_int_equal(insn_is_proxy_candidate(&in), r == 0);
                }
}

/* Hand-assembled words (GNU as) for a few forms. */
static void test_mrs_msr_known_words(void **state)
{
    (void)state;
    struct { uint32_t w; uint8_t kind, cond, spsr, reg, mask, imm; uint32_t value; } t[] = {
        { 0xe10f0000, INSN_MRS, COND_AL, 0, 0, 0, 0, 0 },          /* mrs r0, cpsr */
        { 0xe10fe000, INSN_MRS, COND_AL, 0, 14, 0, 0, 0 },         /* mrs lr, cpsr */
        { 0x114f3000, INSN_MRS, COND_NE, 1, 3, 0, 0, 0 },          /* mrsne r3, spsr */
        { 0xe121f000, INSN_MSR, COND_AL, 0, 0, 1, 0, 0 },          /* msr cpsr_c, r0 */
        { 0xe129f003, INSN_MSR, COND_AL, 0, 3, 9, 0, 0 },          /* msr cpsr_fc, r3 */
        { 0xe16ff00c, INSN_MSR, COND_AL, 1, 12, 15, 0, 0 },        /* msr spsr_fsxc, ip */
        { 0xe321f0d3, INSN_MSR, COND_AL, 0, 0, 1, 1, 0xd3 },       /* msr cpsr_c, #0xd3 */
        { 0x0328f20f, INSN_MSR, COND_EQ, 0, 0, 8, 1, 0xf0000000 }, /* msreq cpsr_f, #0xf0000000 */
        { 0xe361f010, INSN_MSR, COND_AL, 1, 0, 1, 1, 0x10 },       /* msr spsr_c, #0x10 */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct insn in;
        decode_arm(t[i].w, &in);
        assert_int_equal(in.kind, t[i].kind);
        assert_int_equal(in.cond, t[i].cond);
        assert_int_equal(in.psr.spsr, t[i].spsr);
        if (t[i].kind == INSN_MRS) {
            assert_int_equal(in.psr.rd, t[i].reg);
        } else {
            assert_int_equal(in.psr.mask, t[i].mask);
            assert_int_equal(in.psr.imm, t[i].imm);
            if (t[i].imm)
                assert_int_equal(in.psr.value, t[i].value);
            else
                assert_int_equal(in.psr.rm, t[i].reg);
        }
    }
}

/* Should-be-zero / should-be-one violations: still MRS/MSR, flagged, not rewritten (QEMU's
 * arm926 treats them as UNDEFINED, so they already trap). */
static void test_mrs_msr_sbz_violations(void **state)
{
    (void)state;
    const uint32_t words[] = {
        0xe10f0001, 0xe10f0800, 0xe10e0000, 0xe1000000,   /* MRS SBZ 11:0, SBO 19:16 */
        0xe10f0200,                                         /* v7VE banked MRS (bit 9) */
        0xe121e000, 0xe121f800, 0xe121f100,                 /* MSR reg SBO 15:12, SBZ 11:4 */
        0xe321e0d3, 0xe3210013,                             /* MSR imm SBO 15:12 */
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        struct insn in;
        uint32_t p = 0xdeadbeef;
        decode_arm(words[i], &in);
        assert_true(in.kind == INSN_MRS || in.kind == INSN_MSR);
        assert_true(in.unpred & INSN_UNPRED_SBZ);
        assert_false(insn_is_proxy_candidate(&in));
        assert_false(proxy_from_original(words[i], &p));
        assert_int_equal(p, 0xdeadbeef);
    }
}

/* ------------------------------------------------------------------ proxy encoding */

static void test_proxy_known_encodings(void **state)
{
    (void)state;
    struct { uint32_t orig, proxy; } t[] = {
        { 0xe10f0000, 0xe7000010 },   /* mrs r0, cpsr          -> op 0, A = Rd << 4 */
        { 0xe10f3000, 0xe7003010 },   /* mrs r3, cpsr */
        { 0x010ff000, 0x0700f010 },   /* mrseq pc, cpsr */
        { 0xe121f000, 0xe7110010 },   /* msr cpsr_c, r0        -> op 1, A[11:8] = mask, B = Rm */
        { 0xe129f003, 0xe7190013 },   /* msr cpsr_fc, r3 */
        { 0xb12ff00e, 0xb71f001e },   /* msrlt cpsr_fsxc, lr */
        { 0xe120f000, 0xe7100010 },   /* msr cpsr_<none>, r0 */
        { 0xe321f0d3, 0xe720d311 },   /* msr cpsr_c, #0xd3     -> op 2, A = imm12, B = mask */
        { 0x1328f20f, 0x17220f18 },   /* msrne cpsr_f, #0xf0000000 */
        { 0xe32ff01f, 0xe7201f1f },   /* msr cpsr_fsxc, #0x1f */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        uint32_t p, o;
        assert_true(proxy_from_original(t[i].orig, &p));
        assert_int_equal(p, t[i].proxy);
        assert_true(proxy_valid(p));
        assert_true(proxy_to_original(p, &o));
        assert_int_equal(o, t[i].orig);
    }
    /* constructors and accessors */
    assert_int_equal(proxy_make_mrs_cpsr(COND_AL, 5), 0xe7005010);
    assert_int_equal(proxy_make_msr_cpsr_reg(COND_NE, PSR_FIELD_C | PSR_FIELD_F, 7), 0x17190017);
    assert_int_equal(proxy_make_msr_cpsr_imm(COND_AL, PSR_FIELD_C, 0x0d3), 0xe720d311);
    assert_int_equal(proxy_mrs_rd(0xe7005010), 5);
    assert_int_equal(proxy_msr_reg_mask(0x17190017), 9);
    assert_int_equal(proxy_msr_reg_rm(0x17190017), 7);
    assert_int_equal(proxy_msr_imm_imm12(0xe720d311), 0x0d3);
    assert_int_equal(proxy_msr_imm_mask(0xe720d311), 1);
    assert_int_equal(proxy_op(0xe720d311), PROXY_OP_MSR_CPSR_IMM);
    assert_int_equal(proxy_cond(0x1720f218), COND_NE);
    assert_int_equal(proxy_sub(0xe72000f0), 7);
}

/* Every MRS/MSR-CPSR word (all conditions, registers, masks, immediates) maps to a valid proxy
 * that decodes back to the same instruction. */
static void test_proxy_round_trip_all_originals(void **state)
{
    (void)state;
    unsigned long n = 0;
    for (uint32_t cond = 0; cond < 15; cond++) {
        uint32_t c = cond << 28;
        for (uint32_t x = 0; x < 16 + 16 * 16 + 16 * 4096; x++) {
            uint32_t w, p, o;
            struct insn a, b;
            if (x < 16)
                w = c | 0x010F0000u | x << 12;
            else if (x < 16 + 256)
                w = c | 0x0120F000u | ((x - 16) >> 4) << 16 | ((x - 16) & 15u);
            else
                w = c | 0x0320F000u | ((x - 272) >> 12) << 16 | ((x - 272) & 0xFFFu);
            decode_arm(w, &a);
            assert_true(insn_is_proxy_candidate(&a));
            assert_true(proxy_from_original(w, &p));
            assert_true(proxy_in_space(p));
            assert_true(proxy_valid(p));
            assert_int_equal(proxy_cond(p), cond);
            assert_int_equal(proxy_sub(p), 0);
            decode_arm(p, &b);
            assert_int_equal(b.kind, INSN_PROXY);
            assert_int_equal(b.cond, cond);
            assert_true(b.proxy.valid);
            assert_int_equal(b.proxy.original, w);
            assert_int_equal(b.proxy.op, a.kind == INSN_MRS ? PROXY_OP_MRS_CPSR
                                          : a.psr.imm ? PROXY_OP_MSR_CPSR_IMM
                                          : PROXY_OP_MSR_CPSR_REG);
            assert_memory_equal(&b.proxy.psr, &a.psr, sizeof a.psr);
            assert_int_equal(b.unpred, a.unpred);
            assert_true(proxy_to_original(p, &o));
            assert_int_equal(o, w);
            /* a proxy is not itself a candidate: patching is idempotent */
            assert_false(insn_is_proxy_candidate(&b));
            assert_false(proxy_from_original(p, &o));
            n++;
        }
    }
    assert_int_equal(n, 15ul * (16 + 256 + 65536));
}

/* The whole proxy space, exhaustively: proxy_valid() accepts exactly the images of the
 * originals (a bijection), the decoder calls every word of the space (cond != NV) a proxy. */
static void test_proxy_space_exhaustive(void **state)
{
    (void)state;
    unsigned long valid = 0, total = 0;
    /* free bits: cond 31:28, op 22:20, A 19:8, sub 7:5, B 3:0 */
    for (uint64_t x = 0; x < (1ull << 26); x++) {
        uint32_t cond = (uint32_t)(x >> 22) & 15u, op = (uint32_t)(x >> 19) & 7u;
        uint32_t a = (uint32_t)(x >> 7) & 0xFFFu, sub = (uint32_t)(x >> 4) & 7u;
        uint32_t b = (uint32_t)x & 15u;
        uint32_t w = proxy_make(cond, op, a, sub, b), o, back;
        bool expect;
        if (!proxy_in_space(w) || proxy_a(w) != a || proxy_b(w) != b || proxy_sub(w) != sub ||
            proxy_op(w) != op || proxy_cond(w) != cond)
            fail_msg("proxy_make/accessors disagree for %08x", w);
        total++;
        expect = cond != 15 && sub == 0 &&
                 ((op == 0 && (a & ~0xF0u) == 0 && b == 0) || (op == 1 && (a & 0xFFu) == 0) ||
                  op == 2);
        if (proxy_valid(w) != expect)
            fail_msg("proxy_valid(%08x) = %d", w, !expect);
        if (!expect) {
            if (proxy_to_original(w, &o))
                fail_msg("invalid proxy %08x converted", w);
            continue;
        }
        valid++;
        if (!proxy_to_original(w, &o) || !proxy_from_original(o, &back) || back != w)
            fail_msg("round trip of %08x failed", w);
        if ((x & 0xFFF) == 0) {   /* the decoder on a sample (it is exercised fully above) */
            struct insn in;
            decode_arm(w, &in);
            assert_int_equal(in.kind, INSN_PROXY);
            assert_true(in.proxy.valid);
        }
    }
    assert_int_equal(total, 1ul << 26);
    assert_int_equal(valid, 15ul * (16 + 256 + 65536));
}

static void test_proxy_space_decode(void **state)
{
    (void)state;
    /* invalid proxies decode as INSN_PROXY with valid = false; cond NV is UNDEFINED */
    const uint32_t invalid[] = {
        0xe7300010,   /* op 3 */
        0xe7700010,   /* op 7 */
        0xe7000030,   /* op 0, sub 1 */
        0xe70000f0,   /* op 0, sub 7 */
        0xe7000011,   /* op 0, B != 0 */
        0xe7010010,   /* op 0, A[19:16] != 0 */
        0xe7000110,   /* op 0, A[11:8] != 0 */
        0xe7110110,   /* op 1, A[11:8] != 0 */
        0xe72000b1,   /* op 2, sub 5 */
    };
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        struct insn in;
        uint32_t o;
        decode_arm(invalid[i], &in);
        assert_int_equal(in.kind, INSN_PROXY);
        assert_false(in.proxy.valid);
        assert_false(proxy_valid(invalid[i]));
        assert_false(proxy_to_original(invalid[i], &o));
    }
    {
        struct insn in;
        decode_arm(0xf7000010, &in);
        assert_int_equal(in.kind, INSN_UNDEFINED);
        assert_true(proxy_in_space(0xf7000010));
        assert_false(proxy_valid(0xf7000010));
    }
    /* Linux's deliberate undefined instructions are in the UDF space, never proxies */
    const uint32_t udf[] = { 0xe7f001f2, 0xe7f001f0, 0xe7fddef0, 0xe7f000f0, 0xe7ffdefe,
                             0xe7fddef1 };
    for (size_t i = 0; i < sizeof udf / sizeof udf[0]; i++) {
        struct insn in;
        assert_false(proxy_in_space(udf[i]));
        decode_arm(udf[i], &in);
        assert_int_equal(in.kind, INSN_UNDEFINED);
    }
    /* random words: the decoder says PROXY exactly in the space with cond != NV */
    for (int i = 0; i < 2000000; i++) {
        uint32_t w = rnd();
        struct insn in;
        if (i & 1)
            w = (w & ~PROXY_SPACE_MASK) | PROXY_SPACE_BITS;   /* half of them in the space */
        decode_arm(w, &in);
        if ((in.kind == INSN_PROXY) != (proxy_in_space(w) && (w >> 28) != 15))
            fail_msg("%08x: kind %u", w, in.kind);
        if (in.kind == INSN_PROXY && in.proxy.valid != proxy_valid(w))
            fail_msg("%08x: valid %d", w, in.proxy.valid);
    }
}

/* ------------------------------------------------------------------ other classes: by hand */

static void test_known_other_classes(void **state)
{
    (void)state;
    struct insn in;

    decode_arm(0xe1b0f00e, &in);                       /* movs pc, lr */
    assert_int_equal(in.kind, INSN_DATA_PROC);
    assert_int_equal(in.dp.opcode, DP_MOV);
    assert_true(in.dp.s);
    assert_int_equal(in.dp.rd, 15);
    assert_int_equal(in.dp.form, OPERAND_REG_IMM);
    assert_int_equal(in.dp.rm, 14);
    assert_int_equal(in.unpred, 0);

    decode_arm(0xe25ef004, &in);                       /* subs pc, lr, #4 */
    assert_int_equal(in.kind, INSN_DATA_PROC);
    assert_int_equal(in.dp.opcode, DP_SUB);
    assert_true(in.dp.s);
    assert_int_equal(in.dp.rd, 15);
    assert_int_equal(in.dp.rn, 14);
    assert_int_equal(in.dp.form, OPERAND_IMM);
    assert_int_equal(in.dp.imm, 4);

    decode_arm(0xe8fd800f, &in);                       /* ldm sp!, {r0-r3, pc}^ */
    assert_int_equal(in.kind, INSN_LOAD_STORE_MULTIPLE);
    assert_true(in.block.load && in.block.s && in.block.exc_return && in.block.wback);
    assert_false(in.block.user_regs);
    assert_int_equal(in.block.count, 5);
    assert_int_equal(in.block.rn, 13);

    decode_arm(0xe8dd7fff, &in);                       /* ldm sp, {r0-r14}^ : LDM(2) */
    assert_true(in.block.user_regs && !in.block.exc_return && !in.block.wback);
    assert_int_equal(in.unpred, 0);
    decode_arm(0xe8cd7fff, &in);                       /* stm sp, {r0-r14}^ : STM(2) */
    assert_int_equal(in.kind, INSN_LOAD_STORE_MULTIPLE);
    assert_true(in.block.user_regs && !in.block.load);
    decode_arm(0xe8ed7fff, &in);                       /* stm sp!, {..}^ : UNPREDICTABLE */
    assert_true(in.unpred & INSN_UNPRED_FORM);

    decode_arm(0xee030f10, &in);                       /* mcr p15, 0, r0, c3, c0, 0 */
    assert_int_equal(in.kind, INSN_MCR);
    assert_int_equal(in.cp.cp, 15);
    assert_int_equal(in.cp.opc1, 0);
    assert_int_equal(in.cp.rd, 0);
    assert_int_equal(in.cp.crn, 3);
    assert_int_equal(in.cp.crm, 0);
    assert_int_equal(in.cp.opc2, 0);
    decode_arm(0xee522f52, &in);                       /* the paper's mrc p15, 2, r2, c2, c2, 2 */
    assert_int_equal(in.kind, INSN_MRC);
    assert_int_equal(in.cp.opc1, 2);
    assert_int_equal(in.cp.rd, 2);
    assert_int_equal(in.cp.crn, 2);
    assert_int_equal(in.cp.crm, 2);
    assert_int_equal(in.cp.opc2, 2);
    decode_arm(0xee17ff7e, &in);                       /* mrc p15, 0, pc, c7, c14, 3 (test+clean) */
    assert_int_equal(in.kind, INSN_MRC);
    assert_int_equal(in.cp.rd, 15);
    assert_int_equal(in.cp.crn, 7);
    assert_int_equal(in.cp.crm, 14);
    assert_int_equal(in.cp.opc2, 3);
    assert_int_equal(in.unpred, 0);
    decode_arm(0xee070f90, &in);                       /* mcr p15, 0, r0, c7, c0, 4 (WFI) */
    assert_int_equal(in.kind, INSN_MCR);
    assert_int_equal(in.cp.crn, 7);
    assert_int_equal(in.cp.opc2, 4);

    decode_arm(0xe4910004, &in);                       /* ldr r0, [r1], #4 */
    assert_int_equal(in.kind, INSN_LOAD_STORE);
    assert_true(in.mem.load && !in.mem.pre && in.mem.up && in.mem.wback && !in.mem.user);
    decode_arm(0xe4b10004, &in);                       /* ldrt r0, [r1], #4 */
    assert_true(in.mem.load && in.mem.user && in.mem.size == 4);
    decode_arm(0xe4e10001, &in);                       /* strbt r0, [r1], #1 */
    assert_true(!in.mem.load && in.mem.user && in.mem.size == 1);
    decode_arm(0xe1d320b4, &in);                       /* ldrh r2, [r3, #4] */
    assert_int_equal(in.kind, INSN_LOAD_STORE);
    assert_true(in.mem.load && in.mem.size == 2 && !in.mem.sign && in.mem.imm == 4);
    decode_arm(0xe1c320d8, &in);                       /* ldrd r2, [r3, #8] */
    assert_true(in.mem.load && in.mem.size == 8 && in.mem.imm == 8 && in.mem.rd == 2);
    decode_arm(0xe1c320f8, &in);                       /* strd r2, [r3, #8] */
    assert_true(!in.mem.load && in.mem.size == 8);
    decode_arm(0xe19320d4, &in);                       /* ldrsb r2, [r3, r4] */
    assert_true(in.mem.load && in.mem.sign && in.mem.size == 1 && in.mem.form == OPERAND_REG_IMM);
    decode_arm(0xe1032091, &in);                       /* swp r2, r1, [r3] */
    assert_int_equal(in.kind, INSN_SWP);
    assert_int_equal(in.mem.size, 4);
    decode_arm(0xe1432091, &in);                       /* swpb r2, r1, [r3] */
    assert_int_equal(in.mem.size, 1);

    decode_arm(0xef000000, &in);                       /* svc 0 */
    assert_int_equal(in.kind, INSN_SWI);
    decode_arm(0xef123456, &in);                       /* svc 0x123456 (semihosting) */
    assert_int_equal(in.imm, 0x123456);
    decode_arm(0xe1200070, &in);                       /* bkpt 0 */
    assert_int_equal(in.kind, INSN_BKPT);
    decode_arm(0xe12fff1e, &in);                       /* bx lr */
    assert_int_equal(in.kind, INSN_BRANCH_REG);
    assert_int_equal(in.branch.rm, 14);
    decode_arm(0xe12fff33, &in);                       /* blx r3 */
    assert_true(in.branch.link && in.branch.exchange);
    decode_arm(0xebfffffe, &in);                       /* bl . */
    assert_int_equal(in.kind, INSN_BRANCH);
    assert_true(in.branch.link);
    assert_int_equal(in.branch.offset, -8);
    decode_arm(0xfb000000, &in);                       /* blx . + 10 (H = 1) */
    assert_int_equal(in.kind, INSN_BRANCH);
    assert_true(in.branch.exchange);
    assert_int_equal(in.branch.offset, 2);
    decode_arm(0xf5d1f000, &in);                       /* pld [r1] */
    assert_int_equal(in.kind, INSN_PLD);

    /* ARMv6+ encodings are UNDEFINED on the ARM926 */
    const uint32_t v6[] = { 0xe1910f9f /* ldrex */, 0xe3001234 /* movw */,
                            0xe6bf0f30 /* rev */, 0xf1080080 /* cpsie */, 0xe0400091 /* umaal */,
                            0xfc400000 /* mcrr2 */, 0xe7f000f0 /* udf */,
                            0xe6af0070 /* sxtb */, 0xe7c0001f /* bfc */ };
    for (size_t i = 0; i < sizeof v6 / sizeof v6[0]; i++) {
        decode_arm(v6[i], &in);
        if (in.kind != INSN_UNDEFINED)
            fail_msg("%08x decoded as %s", v6[i], insn_kind_name(in.kind));
    }
    assert_string_equal(insn_kind_name(INSN_MRS), "mrs");
    assert_string_equal(insn_kind_name(999), "?");
}

/* Every addressing-mode bit combination of the word/byte loads and stores (A5.2). */
static void test_load_store_word_byte_modes(void **state)
{
    (void)state;
    for (uint32_t bits = 0; bits < 64; bits++) {
        uint32_t i = bits >> 5 & 1, p = bits >> 4 & 1, u = bits >> 3 & 1, b = bits >> 2 & 1;
        uint32_t wb = bits >> 1 & 1, l = bits & 1;
        uint32_t w = 0x54000000u | i << 25 | p << 24 | u << 23 | b << 22 | wb << 21 | l << 20 |
                     3u << 16 | 4u << 12 | (i ? (5u << 7 | SHIFT_ASR << 5 | 6u) : 0x123u);
        struct insn in;
        decode_arm(w, &in);
        assert_int_equal(in.kind, INSN_LOAD_STORE);
        assert_int_equal(in.cond, COND_PL);
        assert_int_equal(in.mem.load, l);
        assert_int_equal(in.mem.size, b ? 1 : 4);
        assert_false(in.mem.sign);
        assert_int_equal(in.mem.pre, p);
        assert_int_equal(in.mem.up, u);
        assert_int_equal(in.mem.wback, !p || wb);       /* post-indexed always writes back */
        assert_int_equal(in.mem.user, !p && wb);        /* LDRT/STRT/LDRBT/STRBT */
        assert_int_equal(in.mem.rn, 3);
        assert_int_equal(in.mem.rd, 4);
        if (i) {
            assert_int_equal(in.mem.form, OPERAND_REG_IMM);
            assert_int_equal(in.mem.rm, 6);
            assert_int_equal(in.mem.shift, SHIFT_ASR);
            assert_int_equal(in.mem.shift_imm, 5);
        } else {
            assert_int_equal(in.mem.form, OPERAND_IMM);
            assert_int_equal(in.mem.imm, 0x123);
        }
        assert_int_equal(in.unpred, 0);
    }
    /* bit 4 set with a register offset is not a load/store (media / proxy space) */
    struct insn in;
    decode_arm(0xe6100010, &in);
    assert_int_equal(in.kind, INSN_UNDEFINED);
}

/* Every combination of the halfword / signed / doubleword transfers (A5.3). */
static void test_load_store_extra_modes(void **state)
{
    (void)state;
    for (uint32_t bits = 0; bits < 128; bits++) {
        uint32_t p = bits >> 6 & 1, u = bits >> 5 & 1, i = bits >> 4 & 1, wb = bits >> 3 & 1;
        uint32_t l = bits >> 2 & 1, sh = bits & 3;
        uint32_t w = 0xE0000090u | p << 24 | u << 23 | i << 22 | wb << 21 | l << 20 |
                     7u << 16 | 2u << 12 | sh << 5 | (i ? (0xAu << 8 | 0x5u) : 0x9u);
        struct insn in;
        decode_arm(w, &in);
        if (sh == 0) {            /* multiply / swp space */
            assert_true(in.kind == INSN_ARITH || in.kind == INSN_SWP ||
                        in.kind == INSN_UNDEFINED);
            continue;
        }
        assert_int_equal(in.kind, INSN_LOAD_STORE);
        assert_int_equal(in.mem.pre, p);
        assert_int_equal(in.mem.up, u);
        assert_int_equal(in.mem.wback, !p || wb);
        assert_false(in.mem.user);
        assert_int_equal(in.mem.rn, 7);
        assert_int_equal(in.mem.rd, 2);
        if (i) {
            assert_int_equal(in.mem.form, OPERAND_IMM);
            assert_int_equal(in.mem.imm, 0xA5);
        } else {
            assert_int_equal(in.mem.form, OPERAND_REG_IMM);
            assert_int_equal(in.mem.rm, 9);
            assert_int_equal(in.mem.shift_imm, 0);
        }
        if (!l && sh == 1) {            /* STRH */
            assert_true(!in.mem.load && in.mem.size == 2 && !in.mem.sign);
        } else if (l && sh == 1) {      /* LDRH */
            assert_true(in.mem.load && in.mem.size == 2 && !in.mem.sign);
        } else if (l && sh == 2) {      /* LDRSB */
            assert_true(in.mem.load && in.mem.size == 1 && in.mem.sign);
        } else if (l && sh == 3) {      /* LDRSH */
            assert_true(in.mem.load && in.mem.size == 2 && in.mem.sign);
        } else if (sh == 2) {           /* LDRD */
            assert_true(in.mem.load && in.mem.size == 8 && !in.mem.sign);
        } else {                        /* STRD */
            assert_true(!in.mem.load && in.mem.size == 8 && !in.mem.sign);
        }
        /* P=0 W=1 is ARMv6T2's LDRHT...: UNPREDICTABLE on ARMv5 */
        assert_int_equal(!!(in.unpred & INSN_UNPRED_FORM), !p && wb);
    }
    struct insn in;
    decode_arm(0xe1c330d8, &in);                       /* ldrd r3, [r3, #8]: odd Rd */
    assert_true(in.unpred & INSN_UNPRED_REG);
}

/* LDM/STM: every P, U, S, W, L combination; LDM(1/2/3), STM(1/2). */
static void test_load_store_multiple_modes(void **state)
{
    (void)state;
    for (uint32_t bits = 0; bits < 32; bits++) {
        uint32_t p = bits >> 4 & 1, u = bits >> 3 & 1, sb = bits >> 2 & 1, wb = bits >> 1 & 1;
        uint32_t l = bits & 1;
        for (int pc = 0; pc < 2; pc++) {
            uint32_t list = 0x0F0Fu | (pc ? 0x8000u : 0);
            uint32_t w = 0x38000000u | p << 24 | u << 23 | sb << 22 | wb << 21 | l << 20 |
                         13u << 16 | list;
            struct insn in;
            decode_arm(w, &in);
            assert_int_equal(in.kind, INSN_LOAD_STORE_MULTIPLE);
            assert_int_equal(in.cond, COND_CC);
            assert_int_equal(in.block.pre, p);
            assert_int_equal(in.block.up, u);
            assert_int_equal(in.block.s, sb);
            assert_int_equal(in.block.wback, wb);
            assert_int_equal(in.block.load, l);
            assert_int_equal(in.block.rn, 13);
            assert_int_equal(in.block.list, list);
            assert_int_equal(in.block.count, pc ? 9 : 8);
            assert_int_equal(in.block.exc_return, sb && l && pc);          /* LDM(3) */
            assert_int_equal(in.block.user_regs, sb && !(l && pc));        /* LDM(2), STM(2) */
            assert_int_equal(!!(in.unpred & INSN_UNPRED_FORM), in.block.user_regs && wb);
        }
    }
    struct insn in;
    decode_arm(0xe8bd0000, &in);                       /* ldm sp!, {} */
    assert_true(in.unpred & INSN_UNPRED_FORM);
    decode_arm(0xe8b10002, &in);                       /* ldm r1!, {r1} */
    assert_true(in.unpred & INSN_UNPRED_REG);
}

/* Conditions: every class keeps its condition; NV selects ARMv5's unconditional space. */
static void test_conditions(void **state)
{
    (void)state;
    static const struct { uint32_t w; uint8_t kind, nv_kind; } t[] = {
        { 0x0a000010, INSN_BRANCH, INSN_BRANCH },          /* b -> blx #imm */
        { 0x0e070f90, INSN_MCR, INSN_MCR },                /* mcr -> mcr2 */
        { 0x0e170f10, INSN_MRC, INSN_MRC },                /* mrc -> mrc2 */
        { 0x0e000000, INSN_CDP, INSN_CDP },                /* cdp -> cdp2 */
        { 0x0d910100, INSN_LDC, INSN_LDC },                /* ldc -> ldc2 */
        { 0x0c400000, INSN_MCRR, INSN_UNDEFINED },         /* mcrr -> mcrr2 (ARMv6) */
        { 0x05910000, INSN_LOAD_STORE, INSN_UNDEFINED },   /* ldr -> (pld needs 0101 U101) */
        { 0x05d1f000, INSN_LOAD_STORE, INSN_PLD },         /* ldrb pc, [r1] -> pld [r1] */
        { 0x010f0000, INSN_MRS, INSN_UNDEFINED },
        { 0x0121f000, INSN_MSR, INSN_UNDEFINED },
        { 0x0f000000, INSN_SWI, INSN_UNDEFINED },
        { 0x08bd8000, INSN_LOAD_STORE_MULTIPLE, INSN_UNDEFINED },  /* ldm -> rfe (ARMv6) */
        { 0x01a00000, INSN_DATA_PROC, INSN_UNDEFINED },
        { 0x07000010, INSN_PROXY, INSN_UNDEFINED },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        for (uint32_t cond = 0; cond < 16; cond++) {
            struct insn in;
            decode_arm(t[i].w | cond << 28, &in);
            if (in.kind != (cond == 15 ? t[i].nv_kind : t[i].kind) || in.cond != cond)
                fail_msg("%08x: kind %s", t[i].w | cond << 28, insn_kind_name(in.kind));
        }
}

/* ------------------------------------------------------------------ capstone oracle */


static int reg_num(unsigned csreg)
{
    static const char *const names[16][2] = {
        {"r0", 0}, {"r1", 0}, {"r2", 0}, {"r3", 0}, {"r4", 0}, {"r5", 0}, {"r6", 0}, {"r7", 0},
        {"r8", 0}, {"r9", "sb"}, {"r10", "sl"}, {"r11", "fp"}, {"r12", "ip"}, {"sp", "r13"},
        {"lr", "r14"}, {"pc", "apsr_nzcv"},   /* MRC to r15 sets the flags */
    };
    const char *n = cs_reg_name(cs, csreg);
    if (!n)
        return -1;
    for (int i = 0; i < 16; i++)
        if (!strcmp(n, names[i][0]) || (names[i][1] && !strcmp(n, names[i][1])))
            return i;
    return -1;
}

static bool id_in(unsigned id, const unsigned *ids)
{
    for (; *ids; ids++)
        if (*ids == id)
            return true;
    return false;
}

static const unsigned ids_dp[] = {
    ARM_INS_AND, ARM_INS_EOR, ARM_INS_SUB, ARM_INS_RSB, ARM_INS_ADD, ARM_INS_ADC, ARM_INS_SBC,
    ARM_INS_RSC, ARM_INS_TST, ARM_INS_TEQ, ARM_INS_CMP, ARM_INS_CMN, ARM_INS_ORR, ARM_INS_MOV,
    ARM_INS_BIC, ARM_INS_MVN, ARM_INS_LSL, ARM_INS_LSR, ARM_INS_ASR, ARM_INS_ROR, ARM_INS_RRX,
    ARM_INS_ADR, ARM_INS_NOP, 0 };
static const unsigned ids_arith[] = {
    ARM_INS_MUL, ARM_INS_MLA, ARM_INS_UMULL, ARM_INS_UMLAL, ARM_INS_SMULL, ARM_INS_SMLAL,
    ARM_INS_SMLABB, ARM_INS_SMLABT, ARM_INS_SMLATB, ARM_INS_SMLATT, ARM_INS_SMLAWB,
    ARM_INS_SMLAWT, ARM_INS_SMULWB, ARM_INS_SMULWT, ARM_INS_SMLALBB, ARM_INS_SMLALBT,
    ARM_INS_SMLALTB, ARM_INS_SMLALTT, ARM_INS_SMULBB, ARM_INS_SMULBT, ARM_INS_SMULTB,
    ARM_INS_SMULTT, ARM_INS_QADD, ARM_INS_QSUB, ARM_INS_QDADD, ARM_INS_QDSUB, ARM_INS_CLZ, 0 };
static const unsigned ids_ldst[] = {
    ARM_INS_LDR, ARM_INS_STR, ARM_INS_LDRB, ARM_INS_STRB, ARM_INS_LDRT, ARM_INS_STRT,
    ARM_INS_LDRBT, ARM_INS_STRBT, ARM_INS_LDRH, ARM_INS_STRH, ARM_INS_LDRSB, ARM_INS_LDRSH,
    ARM_INS_LDRD, ARM_INS_STRD, ARM_INS_PUSH, ARM_INS_POP, 0 };
static const unsigned ids_block[] = {
    ARM_INS_LDM, ARM_INS_LDMDA, ARM_INS_LDMDB, ARM_INS_LDMIB, ARM_INS_STM, ARM_INS_STMDA,
    ARM_INS_STMDB, ARM_INS_STMIB, ARM_INS_PUSH, ARM_INS_POP, 0 };
static const unsigned ids_swp[] = { ARM_INS_SWP, ARM_INS_SWPB, 0 };
static const unsigned ids_pld[] = { ARM_INS_PLD, 0 };
static const unsigned ids_branch[] = { ARM_INS_B, ARM_INS_BL, ARM_INS_BLX, 0 };
static const unsigned ids_branch_reg[] = { ARM_INS_BX, ARM_INS_BLX, ARM_INS_BXJ, 0 };
static const unsigned ids_cdp[] = { ARM_INS_CDP, ARM_INS_CDP2, 0 };
static const unsigned ids_mcr[] = { ARM_INS_MCR, ARM_INS_MCR2, 0 };
static const unsigned ids_mrc[] = { ARM_INS_MRC, ARM_INS_MRC2, 0 };
static const unsigned ids_mcrr[] = { ARM_INS_MCRR, 0 };
static const unsigned ids_mrrc[] = { ARM_INS_MRRC, 0 };
static const unsigned ids_ldc[] = { ARM_INS_LDC, ARM_INS_LDCL, ARM_INS_LDC2, ARM_INS_LDC2L, 0 };
static const unsigned ids_stc[] = { ARM_INS_STC, ARM_INS_STCL, ARM_INS_STC2, ARM_INS_STC2L, 0 };
static const unsigned ids_swi[] = { ARM_INS_SVC, 0 };
static const unsigned ids_bkpt[] = { ARM_INS_BKPT, 0 };
static const unsigned ids_mrs[] = { ARM_INS_MRS, 0 };
static const unsigned ids_msr[] = { ARM_INS_MSR, 0 };
/* MSR CPSR with an empty mask is a hint on ARMv6K+ */
static const unsigned ids_hint[] = { ARM_INS_NOP, ARM_INS_YIELD, ARM_INS_WFE, ARM_INS_WFI,
                                     ARM_INS_SEV, ARM_INS_SEVL, ARM_INS_DBG, ARM_INS_HINT,
                                     ARM_INS_MSR, 0 };

static const unsigned *const kind_ids[INSN_KIND_COUNT] = {
    [INSN_MRS] = ids_mrs, [INSN_MSR] = ids_msr, [INSN_DATA_PROC] = ids_dp,
    [INSN_ARITH] = ids_arith, [INSN_LOAD_STORE] = ids_ldst,
    [INSN_LOAD_STORE_MULTIPLE] = ids_block, [INSN_SWP] = ids_swp, [INSN_PLD] = ids_pld,
    [INSN_BRANCH] = ids_branch, [INSN_BRANCH_REG] = ids_branch_reg, [INSN_CDP] = ids_cdp,
    [INSN_MCR] = ids_mcr, [INSN_MRC] = ids_mrc, [INSN_MCRR] = ids_mcrr, [INSN_MRRC] = ids_mrrc,
    [INSN_LDC] = ids_ldc, [INSN_STC] = ids_stc, [INSN_SWI] = ids_swi, [INSN_BKPT] = ids_bkpt,
};

static bool is_v5_id(unsigned id)
{
    for (unsigned k = 0; k < INSN_KIND_COUNT; k++)
        if (kind_ids[k] && id_in(id, kind_ids[k]))
            return true;
    return false;
}

static bool is_cp_kind(unsigned k)
{
    return k == INSN_CDP || k == INSN_MCR || k == INSN_MRC || k == INSN_MCRR ||
           k == INSN_MRRC || k == INSN_LDC || k == INSN_STC;
}

struct oracle_stats {
    unsigned long compared, detail, undefined_checked, skipped_unpred, skipped_vfp;
};

#define ORACLE_ADDR 0x10000u

static const cs_arm_op *op_of(const cs_insn *ci, int i)
{
    return i < ci->detail->arm.op_count ? &ci->detail->arm.operands[i] : NULL;
}

static void check_operands(uint32_t w, const struct insn *in, const cs_insn *ci,
                           struct oracle_stats *os)
{
    const cs_arm *d = &ci->detail->arm;
    const cs_arm_op *o0 = op_of(ci, 0);
    bool checked = true;

    if (in->cond != COND_NV && d->cc != ARM_CC_INVALID && d->cc != (arm_cc)(in->cond + 1))
        fail_msg("%08x (%s %s): cc %d, decoder cond %u", w, ci->mnemonic, ci->op_str,
                 d->cc, in->cond);
    switch (in->kind) {
    case INSN_MRS:
        if (!o0 || o0->type != ARM_OP_REG || reg_num(o0->reg) != in->psr.rd)
            fail_msg("%08x (%s %s): mrs rd %u", w, ci->mnemonic, ci->op_str, in->psr.rd);
        break;
    case INSN_MSR: {
        const cs_arm_op *last = op_of(ci, d->op_count - 1);
        if (!in->psr.imm && (!last || last->type != ARM_OP_REG || reg_num(last->reg) != in->psr.rm))
            fail_msg("%08x (%s %s): msr rm %u", w, ci->mnemonic, ci->op_str, in->psr.rm);
        uint32_t v = last ? (uint32_t)last->imm : 0;
        if (d->op_count >= 3 && d->operands[d->op_count - 2].type == ARM_OP_IMM)
            v = ror32((uint32_t)d->operands[d->op_count - 2].imm, v);  /* "#imm8, #rot" form */
        if (in->psr.imm && (!last || last->type != ARM_OP_IMM || v != in->psr.value))
            fail_msg("%08x (%s %s): msr imm %x", w, ci->mnemonic, ci->op_str, in->psr.value);
        break;
    }
    case INSN_LOAD_STORE: {
        if (ci->id == ARM_INS_PUSH || ci->id == ARM_INS_POP) {
            checked = false;
            break;
        }
        const cs_arm_op *mem = NULL;
        for (int i = 0; i < d->op_count; i++)
            if (d->operands[i].type == ARM_OP_MEM)
                mem = &d->operands[i];
        if (!o0 || o0->type != ARM_OP_REG || reg_num(o0->reg) != in->mem.rd)
            fail_msg("%08x (%s %s): rd %u", w, ci->mnemonic, ci->op_str, in->mem.rd);
        if (!mem || reg_num(mem->mem.base) != in->mem.rn)
            fail_msg("%08x (%s %s): rn %u", w, ci->mnemonic, ci->op_str, in->mem.rn);
        /* capstone flags writeback for pre-indexed "[rn, ...]!" only; post-indexed is "[rn], .." */
        if (in->mem.pre ? d->writeback != in->mem.wback : !strstr(ci->op_str, "], "))
            fail_msg("%08x (%s %s): pre %d writeback %d", w, ci->mnemonic, ci->op_str,
                     in->mem.pre, in->mem.wback);
        if (in->mem.size == 8) {
            const cs_arm_op *o1 = op_of(ci, 1);
            if (!o1 || o1->type != ARM_OP_REG || reg_num(o1->reg) != in->mem.rd + 1)
                fail_msg("%08x (%s %s): second register", w, ci->mnemonic, ci->op_str);
        }
        break;
    }
    case INSN_SWP: {
        const cs_arm_op *o1 = op_of(ci, 1), *o2 = op_of(ci, 2);
        if (!o0 || reg_num(o0->reg) != in->mem.rd || !o1 || reg_num(o1->reg) != in->mem.rm ||
            !o2 || o2->type != ARM_OP_MEM || reg_num(o2->mem.base) != in->mem.rn)
            fail_msg("%08x (%s %s): swp registers", w, ci->mnemonic, ci->op_str);
        break;
    }
    case INSN_DATA_PROC: {
        unsigned want = in->dp.opcode >= DP_TST && in->dp.opcode <= DP_CMN ? in->dp.rn : in->dp.rd;
        if (!o0 || o0->type != ARM_OP_REG || reg_num(o0->reg) != (int)want)
            fail_msg("%08x (%s %s): first register %u", w, ci->mnemonic, ci->op_str, want);
        break;
    }
    case INSN_CDP: {
        const cs_arm_op *o = d->operands;
        if (d->op_count < 5 || o[0].imm != in->cp.cp || o[1].imm != in->cp.opc1 ||
            o[2].imm != in->cp.crd || o[3].imm != in->cp.crn || o[4].imm != in->cp.crm ||
            (d->op_count > 5 && o[5].imm != in->cp.opc2))
            fail_msg("%08x (%s %s): cdp fields", w, ci->mnemonic, ci->op_str);
        break;
    }
    case INSN_MCRR:
    case INSN_MRRC: {
        const cs_arm_op *o = d->operands;
        if (d->op_count != 5 || o[0].imm != in->cp.cp || o[1].imm != in->cp.opc1 ||
            reg_num(o[2].reg) != in->cp.rd || reg_num(o[3].reg) != in->cp.rn ||
            o[4].imm != in->cp.crm)
            fail_msg("%08x (%s %s): mcrr fields", w, ci->mnemonic, ci->op_str);
        break;
    }
    case INSN_LDC:
    case INSN_STC: {
        const cs_arm_op *o = d->operands;
        if (d->op_count < 3 || o[0].imm != in->cp.cp || o[1].imm != in->cp.crd ||
            o[2].type != ARM_OP_MEM || reg_num(o[2].mem.base) != in->cp.rn ||
            (ci->id == ARM_INS_LDCL || ci->id == ARM_INS_STCL || ci->id == ARM_INS_LDC2L ||
             ci->id == ARM_INS_STC2L) != in->cp.n)
            fail_msg("%08x (%s %s): ldc/stc fields", w, ci->mnemonic, ci->op_str);
        break;
    }
    case INSN_LOAD_STORE_MULTIPLE: {
        int regs = 0;
        for (int i = 0; i < d->op_count; i++)
            regs += d->operands[i].type == ARM_OP_REG;
        if (ci->id != ARM_INS_PUSH && ci->id != ARM_INS_POP) {
            regs--;   /* the base register */
            if (!o0 || reg_num(o0->reg) != in->block.rn)
                fail_msg("%08x (%s %s): rn %u", w, ci->mnemonic, ci->op_str, in->block.rn);
        }
        if (regs != in->block.count)
            fail_msg("%08x (%s %s): %d registers, decoder %u", w, ci->mnemonic, ci->op_str,
                     regs, in->block.count);
        if (ci->id != ARM_INS_PUSH && ci->id != ARM_INS_POP && d->writeback != in->block.wback)
            fail_msg("%08x (%s %s): writeback %d", w, ci->mnemonic, ci->op_str, in->block.wback);
        if (d->usermode != in->block.s)
            fail_msg("%08x (%s %s): ^ %d", w, ci->mnemonic, ci->op_str, in->block.s);
        break;
    }
    case INSN_BRANCH:
        if (!o0 || o0->type != ARM_OP_IMM ||
            (uint32_t)o0->imm != ORACLE_ADDR + 8u + (uint32_t)in->branch.offset)
            fail_msg("%08x (%s %s): offset %d", w, ci->mnemonic, ci->op_str, in->branch.offset);
        if ((ci->id != ARM_INS_B) != in->branch.link)
            fail_msg("%08x (%s %s): link %d", w, ci->mnemonic, ci->op_str, in->branch.link);
        break;
    case INSN_BRANCH_REG:
        if (!o0 || o0->type != ARM_OP_REG || reg_num(o0->reg) != in->branch.rm)
            fail_msg("%08x (%s %s): rm %u", w, ci->mnemonic, ci->op_str, in->branch.rm);
        break;
    case INSN_MCR:
    case INSN_MRC: {
        const cs_arm_op *o = d->operands;
        if (d->op_count < 5 || o[0].type != ARM_OP_PIMM || o[0].imm != in->cp.cp ||
            o[1].imm != in->cp.opc1 || reg_num(o[2].reg) != in->cp.rd ||
            o[3].type != ARM_OP_CIMM || o[3].imm != in->cp.crn || o[4].imm != in->cp.crm ||
            (d->op_count > 5 && o[5].imm != in->cp.opc2))
            fail_msg("%08x (%s %s): p%u, %u, r%u, c%u, c%u, %u", w, ci->mnemonic, ci->op_str,
                     in->cp.cp, in->cp.opc1, in->cp.rd, in->cp.crn, in->cp.crm, in->cp.opc2);
        break;
    }
    case INSN_SWI:
    case INSN_BKPT:
        if (!o0 || o0->type != ARM_OP_IMM || (uint32_t)o0->imm != in->imm)
            fail_msg("%08x (%s %s): imm %x", w, ci->mnemonic, ci->op_str, in->imm);
        break;
    default:
        checked = false;
        break;
    }
    if (checked)
        os->detail++;
}

static void oracle_one(uint32_t w, struct oracle_stats *os)
{
    struct insn in;
    cs_insn *ci = NULL;
    uint8_t bytes[4] = { (uint8_t)w, (uint8_t)(w >> 8), (uint8_t)(w >> 16), (uint8_t)(w >> 24) };
    size_t n;

    decode_arm(w, &in);
    n = cs_disasm(cs, bytes, 4, ORACLE_ADDR, 1, &ci);
    if (in.kind == INSN_UNDEFINED || in.kind == INSN_PROXY) {
        /* capstone may know a v6+ instruction here, but never a v5 one (coprocessor space
         * aside: it names VFP/NEON instructions its own way) */
        if (n && is_v5_id(ci->id) && !(in.cond == COND_NV && (w & 0x0E000000u) == 0x0C000000u))
            fail_msg("%08x: decoder says %s, capstone %s %s", w, insn_kind_name(in.kind),
                     ci->mnemonic, ci->op_str);
        os->undefined_checked++;
    } else if (is_cp_kind(in.kind) && (in.cp.cp == 10 || in.cp.cp == 11)) {
        os->skipped_vfp++;                  /* VFP: capstone uses v* mnemonics */
    } else if (in.unpred) {
        /* UNPREDICTABLE on ARMv5: capstone (ARMv7 rules) may reject it or call it a v6+
         * instruction, but if it names a v5 instruction, the class must agree */
        const unsigned *ids = in.kind == INSN_MSR && in.psr.mask == 0 ? ids_hint
                                                                       : kind_ids[in.kind];
        if (n && is_v5_id(ci->id) && !id_in(ci->id, ids))
            fail_msg("%08x: decoder says %s (unpredictable %x), capstone %s %s", w,
                     insn_kind_name(in.kind), in.unpred, ci->mnemonic, ci->op_str);
        os->skipped_unpred++;
    } else {
        const unsigned *ids = kind_ids[in.kind];
        if (in.kind == INSN_MSR && in.psr.mask == 0)
            ids = ids_hint;
        if (!n) {
            if (!(in.kind == INSN_MSR && in.psr.mask == 0))
                fail_msg("%08x: decoder says %s, capstone cannot decode it", w,
                         insn_kind_name(in.kind));
        } else if (!id_in(ci->id, ids)) {
            fail_msg("%08x: decoder says %s, capstone %s %s", w, insn_kind_name(in.kind),
                     ci->mnemonic, ci->op_str);
        } else if (ids != ids_hint) {
            check_operands(w, &in, ci, os);
        }
        os->compared++;
    }
    if (n)
        cs_free(ci, n);
}


static void test_oracle_random(void **state)
{
    (void)state;
    struct oracle_stats os = { 0 };
    for (int i = 0; i < 400000; i++)
        oracle_one(rnd(), &os);
    printf("[ oracle   ] random words: %lu compared with capstone (%lu operand checks), "
           "%lu undefined/proxy checked, %lu unpredictable (class only) and %lu VFP skipped\n",
           os.compared, os.detail, os.undefined_checked, os.skipped_unpred, os.skipped_vfp);
    assert_true(os.compared > 200000);
}

/* Words drawn per class: the fixed bits of each ARMv5TE class, random elsewhere, so rare
 * classes (misc, multiplies, coprocessor, unconditional space) get as many samples as the rest. */
static void test_oracle_per_class(void **state)
{
    (void)state;
    static const struct { uint32_t mask, bits; const char *what; } classes[] = {
        { 0x0F9000F0, 0x01000000, "mrs/msr reg" },
        { 0x0FB00000, 0x03200000, "msr imm" },
        { 0x0F900010, 0x01000010, "misc (bx, clz, q*, bkpt)" },
        { 0x0F900090, 0x01000080, "dsp multiplies" },
        { 0x0F0000F0, 0x00000090, "multiplies" },
        { 0x0FB000F0, 0x01000090, "swp" },
        { 0x0E000090, 0x00000090, "extra load/store" },
        { 0x0E000000, 0x00000000, "data-processing reg" },
        { 0x0E000000, 0x02000000, "data-processing imm" },
        { 0x0C000000, 0x04000000, "load/store" },
        { 0x0E000000, 0x08000000, "ldm/stm" },
        { 0x0E000000, 0x0A000000, "branch" },
        { 0x0E000000, 0x0C000000, "ldc/stc/mcrr" },
        { 0x0F000000, 0x0E000000, "cdp/mcr/mrc" },
        { 0x0F000000, 0x0F000000, "swi" },
        { 0xF0000000, 0xF0000000, "unconditional space" },
        { 0xFFF0F000, 0xEE10F000, "mrc to pc" },
        { 0x0E000010, 0x06000010, "media / proxy space" },
    };
    struct oracle_stats os = { 0 };
    for (size_t c = 0; c < sizeof classes / sizeof classes[0]; c++)
        for (int i = 0; i < 20000; i++) {
            uint32_t w = (rnd() & ~classes[c].mask) | classes[c].bits;
            if (classes[c].bits >> 28 != 0xF && (w >> 28) == 0xF)
                w &= 0xEFFFFFFFu;      /* keep the conditional space conditional */
            oracle_one(w, &os);
        }
    printf("[ oracle   ] per-class words: %lu compared with capstone (%lu operand checks), "
           "%lu undefined/proxy checked, %lu unpredictable (class only) and %lu VFP skipped\n",
           os.compared, os.detail, os.undefined_checked, os.skipped_unpred, os.skipped_vfp);
}

/* Every word of the misc space (0001 0xx0 and bits 7:4 varying), all registers zero. */
static void test_oracle_misc_space(void **state)
{
    (void)state;
    struct oracle_stats os = { 0 };
    for (uint32_t op = 0; op < 4; op++)
        for (uint32_t b74 = 0; b74 < 16; b74++)
            for (uint32_t fill = 0; fill < 2; fill++) {
                uint32_t w = 0xE1000000u | op << 21 | b74 << 4;
                if (fill)
                    w |= 0x000FFF00u;   /* SBO fields of BX/CLZ/MRS */
                oracle_one(w, &os);
                oracle_one(w | 0x00000003u, &os);
            }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mrs_all_forms),
        cmocka_unit_test(test_msr_reg_all_forms),
        cmocka_unit_test(test_msr_imm_all_forms),
        cmocka_unit_test(test_mrs_msr_known_words),
        cmocka_unit_test(test_mrs_msr_sbz_violations),
        cmocka_unit_test(test_proxy_known_encodings),
        cmocka_unit_test(test_proxy_round_trip_all_originals),
        cmocka_unit_test(test_proxy_space_exhaustive),
        cmocka_unit_test(test_proxy_space_decode),
        cmocka_unit_test(test_known_other_classes),
        cmocka_unit_test(test_load_store_word_byte_modes),
        cmocka_unit_test(test_load_store_extra_modes),
        cmocka_unit_test(test_load_store_multiple_modes),
        cmocka_unit_test(test_conditions),
        cmocka_unit_test(test_oracle_random),
        cmocka_unit_test(test_oracle_per_class),
        cmocka_unit_test(test_oracle_misc_space),
    };
    return cmocka_run_group_tests_name("decode", tests, cs_setup, cs_teardown);
}
