/* The virtual CP15 (vmm/core/vcp15.c): the complete MRC/MCR encoding map against the one
 * QEMU 7.2's arm926 was measured to have, read-back of every writable register, the values and
 * bits kept, and what each write reports (MMU, DACR, WFI, TLB, cache). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "vcpu.h"

static const struct vcpu_ids qemu_ids = {
    .midr = 0x41069265, .ctr = 0x01dd20d2, .tcmtr = 0, .tlbtr = 0, .fpsid = 0x41011090,
};

static struct insn_cp cp(unsigned opc1, unsigned crn, unsigned crm, unsigned opc2)
{
    return (struct insn_cp){ .cp = 15, .opc1 = (uint8_t)opc1, .crn = (uint8_t)crn,
                             .crm = (uint8_t)crm, .opc2 = (uint8_t)opc2 };
}

/* ------------------------------------------------------------------ the measured map
 * Which (opc1, CRn, CRm, opc2) an MRC / MCR accepts in SVC mode on QEMU 7.2 -cpu arm926 (a probe
 * guest tried all 16384 of each): one row per (opc1, CRn) with any, 16 CRm bytes, bit n = opc2 n.
 * The probe did not write c1 (it would have changed the MMU), c7 c0 4 / c7 c8 2 (wait for
 * interrupt) or c13 c0 0 (the FCSE PID relocates the probe itself); those entries are added
 * here from QEMU's register list and marked. */
struct map_row { unsigned opc1, crn; const char *crm_opc2; };

static const struct map_row read_map[] = {
    { 0,  0, "ff0000ffffffffff0000000000000000" },
    { 0,  1, "01000000000000000000000000000000" },
    { 0,  2, "07000000000000000000000000000000" },
    { 0,  3, "ffffffffffffffffffffffffffffffff" },
    { 0,  5, "03000000000000000000000000000000" },
    { 0,  6, "01000000000000000000000000000000" },
    { 0,  7, "00000000000000000000080000000800" },
    { 0,  9, "03000000000000000000000000000000" },
    { 0, 10, "ffff0300ff000000ff00000000000000" },
    { 0, 13, "03000000000000000000000000000000" },
    { 0, 15, "ffffffffffffffffffffffffffffffff" },
    { 1,  0, "ff000000000000000000000000000000" },
    { 1,  3, "ffffffffffffffffffffffffffffffff" },
    { 1, 10, "ffff0000ff000000ff00000000000000" },
    { 1, 15, "ffffffffffffffffffffffffffffffff" },
    { 2,  3, "ffffffffffffffffffffffffffffffff" },
    { 2, 10, "ffff0000ff000000ff00000000000000" },
    { 2, 15, "ffffffffffffffffffffffffffffffff" },
    { 3,  3, "ffffffffffffffffffffffffffffffff" },
    { 3, 10, "ffff0000ff000000ff00000000000000" },
    { 3, 15, "ffffffffffffffffffffffffffffffff" },
    { 4,  3, "ffffffffffffffffffffffffffffffff" },
    { 4, 10, "ffff0000ff000000ff00000000000000" },
    { 4, 15, "ffffffffffffffffffffffffffffffff" },
    { 5,  3, "ffffffffffffffffffffffffffffffff" },
    { 5, 10, "ffff0000ff000000ff00000000000000" },
    { 5, 15, "ffffffffffffffffffffffffffffffff" },
    { 6,  3, "ffffffffffffffffffffffffffffffff" },
    { 6, 10, "ffff0000ff000000ff00000000000000" },
    { 6, 15, "ffffffffffffffffffffffffffffffff" },
    { 7,  3, "ffffffffffffffffffffffffffffffff" },
    { 7, 10, "ffff0000ff000000ff00000000000000" },
    { 7, 15, "ffffffffffffffffffffffffffffffff" },
};

static const struct map_row write_map[] = {
    { 0,  1, "01000000000000000000000000000000" },   /* not probed: SCTLR only */
    { 0,  2, "07000000000000000000000000000000" },
    { 0,  3, "ffffffffffffffffffffffffffffffff" },
    { 0,  5, "03000000000000000000000000000000" },
    { 0,  6, "01000000000000000000000000000000" },
    { 0,  7, "fffffffffffffffffffff7fffffff7ff" },   /* c0 4, c8 2 (WFI) not probed */
    { 0,  8, "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f" },
    { 0,  9, "03000000000000000000000000000000" },
    { 0, 10, "ffff0300ff000000ff00000000000000" },
    { 0, 13, "03000000000000000000000000000000" },   /* c0 0 (FCSE) not probed */
    { 0, 15, "ffffffffffffffffffffffffffffffff" },
    { 1,  3, "ffffffffffffffffffffffffffffffff" },
    { 1,  8, "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f" },
    { 1, 10, "ffff0000ff000000ff00000000000000" },
    { 1, 15, "ffffffffffffffffffffffffffffffff" },
    { 2,  3, "ffffffffffffffffffffffffffffffff" },
    { 2,  8, "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f" },
    { 2, 10, "ffff0000ff000000ff00000000000000" },
    { 2, 15, "ffffffffffffffffffffffffffffffff" },
    { 3,  3, "ffffffffffffffffffffffffffffffff" },
    { 3,  8, "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f" },
    { 3, 10, "ffff0000ff000000ff00000000000000" },
    { 3, 15, "ffffffffffffffffffffffffffffffff" },
    { 4,  3, "ffffffffffffffffffffffffffffffff" },
    { 4,  8, "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f" },
    { 4, 10, "ffff0000ff000000ff00000000000000" },
    { 4, 15, "ffffffffffffffffffffffffffffffff" },
    { 5,  3, "ffffffffffffffffffffffffffffffff" },
    { 5,  8, "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f" },
    { 5, 10, "ffff0000ff000000ff00000000000000" },
    { 5, 15, "ffffffffffffffffffffffffffffffff" },
    { 6,  3, "ffffffffffffffffffffffffffffffff" },
    { 6,  8, "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f" },
    { 6, 10, "ffff0000ff000000ff00000000000000" },
    { 6, 15, "ffffffffffffffffffffffffffffffff" },
    { 7,  3, "ffffffffffffffffffffffffffffffff" },
    { 7,  8, "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f" },
    { 7, 10, "ffff0000ff000000ff00000000000000" },
    { 7, 15, "ffffffffffffffffffffffffffffffff" },
};

static bool map_has(const struct map_row *map, size_t n, unsigned opc1, unsigned crn,
                    unsigned crm, unsigned opc2)
{
    for (size_t i = 0; i < n; i++) {
        if (map[i].opc1 != opc1 || map[i].crn != crn)
            continue;
        unsigned byte;
        sscanf(map[i].crm_opc2 + 2 * crm, "%2x", &byte);
        return (byte >> opc2) & 1u;
    }
    return false;
}

static void test_encoding_map(void **state)
{
    (void)state;
    struct vcp15 c;
    unsigned reads = 0, writes = 0;
    vcp15_reset(&c, &qemu_ids);
    for (unsigned opc1 = 0; opc1 < 8; opc1++)
        for (unsigned crn = 0; crn < 16; crn++)
            for (unsigned crm = 0; crm < 16; crm++)
                for (unsigned opc2 = 0; opc2 < 8; opc2++) {
                    struct insn_cp e = cp(opc1, crn, crm, opc2);
                    struct vcp15_effect eff;
                    uint32_t v = 0x5a5a5a5a;
                    bool r_ok = vcp15_read(&c, &e, &v) != VCP15_UNDEF;
                    bool want_r = map_has(read_map, sizeof read_map / sizeof read_map[0], opc1,
                                          crn, crm, opc2);
                    if (r_ok != want_r)
                        fail_msg("MRC op1 %u c%u c%u %u: %s, QEMU %s", opc1, crn, crm, opc2,
                                 r_ok ? "ok" : "UND", want_r ? "ok" : "UND");
                    /* A write of the register's current value (0 for write-only ones) keeps
                     * the state, so the sweep does not depend on its own order. */
                    uint32_t wv = 0;
                    struct vcp15 copy = c;
                    if (r_ok && crn != 10)
                        vcp15_read(&c, &e, &wv);
                    bool w_ok = vcp15_write(&c, &e, wv, &eff) != VCP15_UNDEF;
                    bool want_w = map_has(write_map, sizeof write_map / sizeof write_map[0],
                                          opc1, crn, crm, opc2);
                    if (w_ok != want_w)
                        fail_msg("MCR op1 %u c%u c%u %u: %s, QEMU %s", opc1, crn, crm, opc2,
                                 w_ok ? "ok" : "UND", want_w ? "ok" : "UND");
                    c = copy;
                    reads += r_ok;
                    writes += w_ok;
                }
    assert_int_equal(reads, 2375);
    assert_int_equal(writes, 2955);
}

static uint32_t rd(const struct vcp15 *c, unsigned opc1, unsigned crn, unsigned crm,
                   unsigned opc2)
{
    struct insn_cp e = cp(opc1, crn, crm, opc2);
    uint32_t v = 0xdeadbeef;
    assert_int_equal(vcp15_read(c, &e, &v), VCP15_DONE);
    return v;
}

static uint32_t wr(struct vcp15 *c, unsigned opc1, unsigned crn, unsigned crm, unsigned opc2,
                   uint32_t value, struct vcp15_effect *eff)
{
    struct insn_cp e = cp(opc1, crn, crm, opc2);
    struct vcp15_effect local;
    if (!eff)
        eff = &local;
    assert_int_equal(vcp15_write(c, &e, value, eff), VCP15_DONE);
    return eff->flags;
}

static void test_ids_and_reset(void **state)
{
    (void)state;
    struct vcp15 c;
    struct vcpu_ids other = { .midr = 0x41059461, .ctr = 0x11112222, .tcmtr = 0x3,
                              .tlbtr = 0x44 };
    vcp15_reset(&c, &qemu_ids);
    assert_int_equal(rd(&c, 0, 0, 0, 0), 0x41069265);
    assert_int_equal(rd(&c, 0, 0, 0, 1), 0x01dd20d2);
    assert_int_equal(rd(&c, 0, 0, 0, 2), 0);
    assert_int_equal(rd(&c, 0, 0, 0, 3), 0);
    for (unsigned opc2 = 4; opc2 < 8; opc2++)
        assert_int_equal(rd(&c, 0, 0, 0, opc2), 0x41069265);   /* unimplemented: MIDR */
    for (unsigned crm = 3; crm < 8; crm++)
        assert_int_equal(rd(&c, 0, 0, crm, 5), 0);
    assert_int_equal(rd(&c, 1, 0, 0, 0), 0);
    assert_int_equal(rd(&c, 0, 1, 0, 0), VCP15_SCTLR_RESET);
    assert_int_equal(vcp15_vector_base(&c), 0);
    for (unsigned crm = 0; crm < 16; crm++)
        assert_int_equal(rd(&c, crm & 7u, 15, crm, 7 - (crm & 7u)), 0);

    vcp15_reset(&c, &other);                  /* the IDs come from the caller */
    assert_int_equal(rd(&c, 0, 0, 0, 0), 0x41059461);
    assert_int_equal(rd(&c, 0, 0, 0, 1), 0x11112222);
    assert_int_equal(rd(&c, 0, 0, 0, 2), 0x3);
    assert_int_equal(rd(&c, 0, 0, 0, 3), 0x44);
    assert_int_equal(rd(&c, 0, 0, 0, 7), 0x41059461);

    /* c0 is read-only: a write is UNDEFINED and changes nothing. */
    struct insn_cp e = cp(0, 0, 0, 0);
    struct vcp15_effect eff;
    assert_int_equal(vcp15_write(&c, &e, 0x12345678, &eff), VCP15_UNDEF);
    assert_int_equal(rd(&c, 0, 0, 0, 0), 0x41059461);
}

/* Every writable register reads back what QEMU's arm926 reads back (measured). */
static void test_read_back(void **state)
{
    (void)state;
    static const struct { unsigned opc1, crn, crm, opc2; uint32_t wrote, reads; } rb[] = {
        { 0, 1, 0, 0, 0x00094078, 0x00094078 },   /* SCTLR keeps every bit */
        { 0, 1, 0, 0, 0x00000078, 0x00000078 },
        { 0, 1, 0, 0, 0x3fc90078, 0x3fc90078 },
        { 0, 2, 0, 0, 0xffffffff, 0xffffffff },   /* TTBR0 */
        { 0, 2, 0, 1, 0xffffffff, 0xffffffff },   /* TTBR1 */
        { 0, 2, 0, 2, 0xffffffff, 0x00000007 },   /* TTBCR: N only */
        { 0, 3, 0, 0, 0x12345678, 0x12345678 },   /* DACR */
        { 0, 3, 0, 0, 0xffffffff, 0xffffffff },
        { 0, 5, 0, 0, 0xffffffff, 0xffffffff },   /* DFSR */
        { 0, 5, 0, 1, 0xffffffff, 0xffffffff },   /* IFSR */
        { 0, 5, 0, 0, 0x000000f5, 0x000000f5 },
        { 0, 5, 0, 1, 0x00000003, 0x00000003 },
        { 0, 6, 0, 0, 0xffffffff, 0xffffffff },   /* FAR */
        { 0, 6, 0, 0, 0xdeadbee0, 0xdeadbee0 },
        { 0, 9, 0, 0, 0xffffffff, 0xffffffff },   /* D lockdown */
        { 0, 9, 0, 1, 0xffffffff, 0xffffffff },   /* I lockdown */
        { 0, 9, 0, 0, 0, 0 },
        { 0, 13, 0, 0, 0xfe000000, 0xfe000000 },  /* FCSE PID */
        { 0, 13, 0, 1, 0xffffffff, 0xffffffff },  /* context ID */
        { 0, 13, 0, 1, 0x00001234, 0x00001234 },
        { 0, 15, 0, 0, 0xffffffff, 0x00000000 },  /* c15: RAZ/WI */
        { 3, 15, 9, 6, 0x1, 0x0 },
    };
    struct vcp15 c;
    vcp15_reset(&c, &qemu_ids);
    for (size_t i = 0; i < sizeof rb / sizeof rb[0]; i++) {
        wr(&c, rb[i].opc1, rb[i].crn, rb[i].crm, rb[i].opc2, rb[i].wrote, NULL);
        assert_int_equal(rd(&c, rb[i].opc1, rb[i].crn, rb[i].crm, rb[i].opc2), rb[i].reads);
    }
    assert_int_equal(c.ttbr0, 0xffffffff);
    assert_int_equal(c.dlockdown, 0);
    assert_int_equal(c.ilockdown, 0xffffffff);

    /* The DACR answers under every opc1/CRm/opc2 (QEMU's wildcard entry). */
    wr(&c, 0, 3, 0, 0, 0x55, NULL);
    assert_int_equal(rd(&c, 7, 3, 5, 3), 0x55);
    wr(&c, 5, 3, 9, 2, 0x77, NULL);
    assert_int_equal(rd(&c, 0, 3, 0, 0), 0x77);
    assert_int_equal(c.dacr, 0x77);
}

/* The c10 space: writes ignored (the last c10,c0,0 value kept for diagnostics), reads leave
 * Rd unchanged. */
static void test_tlb_lockdown_space(void **state)
{
    (void)state;
    struct vcp15 c;
    struct insn_cp e = cp(0, 10, 0, 0);
    uint32_t v = 0x5a5a5a5a;
    vcp15_reset(&c, &qemu_ids);
    assert_int_equal(wr(&c, 0, 10, 0, 0, 0xffffffff, NULL), 0);
    assert_int_equal(c.tlb_lockdown, 0xffffffff);
    assert_int_equal(wr(&c, 3, 10, 4, 7, 0x1234, NULL), 0);
    assert_int_equal(c.tlb_lockdown, 0xffffffff);
    assert_int_equal(vcp15_read(&c, &e, &v), VCP15_NO_WRITE);
    assert_int_equal(v, 0x5a5a5a5a);
    e = cp(0, 10, 2, 1);
    assert_int_equal(vcp15_read(&c, &e, &v), VCP15_NO_WRITE);
    e = cp(1, 10, 2, 1);
    assert_int_equal(vcp15_read(&c, &e, &v), VCP15_UNDEF);
}

static void test_sctlr_flags(void **state)
{
    (void)state;
    struct vcp15 c;
    vcp15_reset(&c, &qemu_ids);
    /* Cache-only changes (C, W, I, RR) are not MMU changes; nor B, L4, or rewriting the same
     * value. */
    assert_int_equal(wr(&c, 0, 1, 0, 0, VCP15_SCTLR_RESET | VSCTLR_I, NULL), 0);
    assert_int_equal(wr(&c, 0, 1, 0, 0, VCP15_SCTLR_RESET | VSCTLR_C | VSCTLR_RR, NULL), 0);
    assert_int_equal(wr(&c, 0, 1, 0, 0, VCP15_SCTLR_RESET & ~VSCTLR_W, NULL), 0);
    assert_int_equal(wr(&c, 0, 1, 0, 0, VCP15_SCTLR_RESET | VSCTLR_B | VSCTLR_L4, NULL), 0);
    assert_int_equal(wr(&c, 0, 1, 0, 0, c.sctlr, NULL), 0);
    /* Each MMU bit, set and cleared. */
    static const uint32_t mmu_bits[] = { VSCTLR_M, VSCTLR_A, VSCTLR_S, VSCTLR_R, VSCTLR_V };
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(wr(&c, 0, 1, 0, 0, c.sctlr | mmu_bits[i], NULL), EMU_F_MMU);
        assert_int_equal(wr(&c, 0, 1, 0, 0, c.sctlr | VSCTLR_I, NULL), 0);
        assert_int_equal(wr(&c, 0, 1, 0, 0, c.sctlr & ~mmu_bits[i], NULL), EMU_F_MMU);
    }
    wr(&c, 0, 1, 0, 0, VCP15_SCTLR_RESET | VSCTLR_V, NULL);
    assert_int_equal(vcp15_vector_base(&c), 0xffff0000);
    /* Linux's `cr=00093177` boot value: an MMU change. */
    assert_int_equal(wr(&c, 0, 1, 0, 0, 0x00093177, NULL), EMU_F_MMU);
    assert_int_equal(rd(&c, 0, 1, 0, 0), 0x00093177);
}

static void test_mmu_and_dacr_flags(void **state)
{
    (void)state;
    struct vcp15 c;
    vcp15_reset(&c, &qemu_ids);
    assert_int_equal(wr(&c, 0, 2, 0, 0, 0x00104000, NULL), EMU_F_MMU);
    assert_int_equal(wr(&c, 0, 2, 0, 0, 0x00104000, NULL), 0);     /* unchanged */
    assert_int_equal(wr(&c, 0, 2, 0, 1, 0x00200000, NULL), EMU_F_MMU);
    assert_int_equal(wr(&c, 0, 2, 0, 2, 0x00000002, NULL), EMU_F_MMU);
    assert_int_equal(wr(&c, 0, 2, 0, 2, 0xfffffffa, NULL), 0);     /* same N */
    assert_int_equal(wr(&c, 0, 13, 0, 0, 0x02000000, NULL), EMU_F_MMU);
    assert_int_equal(wr(&c, 0, 13, 0, 0, 0x02000000, NULL), 0);
    assert_int_equal(wr(&c, 0, 13, 0, 1, 0x42, NULL), EMU_F_MMU);
    assert_int_equal(wr(&c, 0, 13, 0, 1, 0x42, NULL), 0);
    assert_int_equal(wr(&c, 0, 3, 0, 0, 0x55555555, NULL), EMU_F_DACR);
    assert_int_equal(wr(&c, 0, 3, 0, 0, 0x55555555, NULL), 0);
    assert_int_equal(wr(&c, 0, 3, 0, 0, 0x55555557, NULL), EMU_F_DACR);
    /* Fault registers and lockdown: no flag. */
    assert_int_equal(wr(&c, 0, 5, 0, 0, 1, NULL), 0);
    assert_int_equal(wr(&c, 0, 5, 0, 1, 1, NULL), 0);
    assert_int_equal(wr(&c, 0, 6, 0, 0, 1, NULL), 0);
    assert_int_equal(wr(&c, 0, 9, 0, 1, 1, NULL), 0);
}

static void test_cache_tlb_wfi(void **state)
{
    (void)state;
    struct vcp15 c;
    struct vcp15_effect e;
    vcp15_reset(&c, &qemu_ids);

    assert_int_equal(wr(&c, 0, 7, 0, 4, 0, &e), EMU_F_WFI);
    assert_int_equal(wr(&c, 0, 7, 8, 2, 0, &e), EMU_F_WFI);

    static const struct { unsigned crm, opc2; } ops[] = {
        { 5, 0 }, { 5, 1 }, { 5, 2 }, { 5, 4 }, { 5, 6 }, { 6, 0 }, { 6, 1 }, { 6, 2 },
        { 7, 0 }, { 10, 1 }, { 10, 2 }, { 10, 4 }, { 13, 1 }, { 14, 1 }, { 14, 2 },
        { 0, 0 }, { 15, 7 },       /* not ARM926 operations: accepted as no-ops, like QEMU */
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        assert_int_equal(wr(&c, 0, 7, ops[i].crm, ops[i].opc2, 0x10020 + (uint32_t)i, &e),
                         EMU_F_CACHE);
        assert_int_equal(e.crm, ops[i].crm);
        assert_int_equal(e.opc2, ops[i].opc2);
        assert_int_equal(e.operand, 0x10020 + i);
        assert_int_equal(VCP15_C7(e.crm, e.opc2), VCP15_C7(ops[i].crm, ops[i].opc2));
    }
    /* The test-and-clean operations are read-only; they read "all clean" (Z). */
    struct insn_cp tc = cp(0, 7, 14, 3);
    assert_int_equal(vcp15_write(&c, &tc, 0, &e), VCP15_UNDEF);
    assert_int_equal(rd(&c, 0, 7, 14, 3), VCP15_TEST_CLEAN_DONE);
    assert_int_equal(rd(&c, 0, 7, 10, 3), VCP15_TEST_CLEAN_DONE);
    tc = cp(0, 7, 5, 0);
    uint32_t v;
    assert_int_equal(vcp15_read(&c, &tc, &v), VCP15_UNDEF);    /* c7 is write-only */
    tc = cp(1, 7, 5, 0);
    assert_int_equal(vcp15_write(&c, &tc, 0, &e), VCP15_UNDEF);

    /* TLB: all / by MVA, I / D / unified, every opc1 (QEMU's wildcard), opc2 2 and 3 (ASID
     * variants) as all / by MVA. */
    assert_int_equal(wr(&c, 0, 8, 7, 0, 0, &e), EMU_F_TLB_ALL | EMU_F_TLB_I | EMU_F_TLB_D);
    assert_int_equal(wr(&c, 0, 8, 5, 0, 0, &e), EMU_F_TLB_ALL | EMU_F_TLB_I);
    assert_int_equal(wr(&c, 0, 8, 6, 0, 0, &e), EMU_F_TLB_ALL | EMU_F_TLB_D);
    assert_int_equal(wr(&c, 0, 8, 7, 1, 0xc0001000, &e),
                     EMU_F_TLB_MVA | EMU_F_TLB_I | EMU_F_TLB_D);
    assert_int_equal(e.operand, 0xc0001000);
    assert_int_equal(wr(&c, 0, 8, 5, 1, 0x10000, &e), EMU_F_TLB_MVA | EMU_F_TLB_I);
    assert_int_equal(e.operand, 0x10000);
    assert_int_equal(wr(&c, 0, 8, 6, 1, 0x20000, &e), EMU_F_TLB_MVA | EMU_F_TLB_D);
    assert_int_equal(wr(&c, 3, 8, 0, 2, 0, &e), EMU_F_TLB_ALL | EMU_F_TLB_I | EMU_F_TLB_D);
    assert_int_equal(wr(&c, 7, 8, 6, 3, 0x3000, &e), EMU_F_TLB_MVA | EMU_F_TLB_D);
    assert_int_equal(e.crm, 6);
    assert_int_equal(e.opc2, 3);
    tc = cp(0, 8, 7, 4);
    assert_int_equal(vcp15_write(&c, &tc, 0, &e), VCP15_UNDEF);
    tc = cp(0, 8, 7, 0);
    assert_int_equal(vcp15_read(&c, &tc, &v), VCP15_UNDEF);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encoding_map),
        cmocka_unit_test(test_ids_and_reset),
        cmocka_unit_test(test_read_back),
        cmocka_unit_test(test_tlb_lockdown_space),
        cmocka_unit_test(test_sctlr_flags),
        cmocka_unit_test(test_mmu_and_dacr_flags),
        cmocka_unit_test(test_cache_tlb_wfi),
    };
    return cmocka_run_group_tests_name("vcp15", tests, NULL, NULL);
}
