/* The guest MMU model (vmm/core/guest_ptw.c): guest page tables built in a host array standing
 * for guest-physical memory; every descriptor type, AP x S x R x privilege x access kind, each
 * domain type, subpages, alignment, FCSE, translation faults at both levels, external aborts on
 * the walk; and the whole mmu_sweep guest reproduced against its native output
 * (tests/fixtures/mmu_sweep.native.txt: the hardware model is the oracle). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest_ptw.h"

/* ------------------------------------------------------------ guest-physical memory */
#define MEM_SIZE (8u << 20)          /* 8 MB of "RAM" at 0; nothing above */
static uint32_t *mem;
static unsigned reads;               /* descriptor reads made by the last walks */

static bool mem_read(void *ctx, uint32_t gpa, uint32_t *value)
{
    (void)ctx;
    reads++;
    assert_int_equal(gpa & 3u, 0);   /* the walker reads aligned words only */
    if (gpa >= MEM_SIZE)
        return false;
    *value = mem[gpa / 4];
    return true;
}

static void poke(uint32_t gpa, uint32_t v) { mem[gpa / 4] = v; }

#define TTB       0x00200000u
#define CT        0x00204000u        /* a coarse table */
#define FT        0x00205000u        /* a fine table */

#define SECTION(pa, dom, ap) (((pa) & 0xfff00000u) | ((ap) << 10) | ((dom) << 5) | 0x12u)
#define COARSE(pa, dom)      (((pa) & 0xfffffc00u) | ((dom) << 5) | 0x11u)
#define FINE(pa, dom)        (((pa) & 0xfffff000u) | ((dom) << 5) | 0x13u)
#define APS(a0, a1, a2, a3)  (((a0) << 4) | ((a1) << 6) | ((a2) << 8) | ((a3) << 10))
#define SMALL(pa, aps)       (((pa) & 0xfffff000u) | (aps) | 2u)
#define LARGE(pa, aps)       (((pa) & 0xffff0000u) | (aps) | 1u)
#define TINY(pa, ap)         (((pa) & 0xfffffc00u) | ((ap) << 4) | 3u)

static void l1_set(uint32_t va, uint32_t desc) { poke(TTB + (va >> 20) * 4, desc); }

static int setup(void **state)
{
    (void)state;
    mem = calloc(MEM_SIZE / 4, sizeof(uint32_t));
    return mem ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(mem);
    mem = NULL;
    return 0;
}

static struct gptw_mmu mmu_on(uint32_t dacr)
{
    return (struct gptw_mmu){ .sctlr = 0x00090078u | GPTW_SCTLR_M, .ttbr0 = TTB, .dacr = dacr };
}

static bool walk(const struct gptw_mmu *m, uint32_t va, enum gptw_access a, bool user,
                 struct gptw_result *r)
{
    struct gptw_req req = { .va = va, .access = a, .user = user, .align = 1 };
    reads = 0;
    return gptw_walk(m, &req, mem_read, NULL, r);
}

/* Expects a fault with this FSR (status | domain << 4) and FAR = VA. */
static void expect_fault(const struct gptw_mmu *m, uint32_t va, enum gptw_access a, bool user,
                         uint32_t fsr)
{
    struct gptw_result r;
    assert_false(walk(m, va, a, user, &r));
    assert_true(r.fault);
    assert_int_equal(r.fsr, fsr);
    assert_int_equal(r.far, va);
    assert_int_equal(r.prefetch, a == GPTW_FETCH);
}

static void expect_pa(const struct gptw_mmu *m, uint32_t va, enum gptw_access a, bool user,
                      uint32_t pa)
{
    struct gptw_result r;
    assert_true(walk(m, va, a, user, &r));
    assert_false(r.fault);
    assert_int_equal(r.pa, pa);
}

/* ------------------------------------------------------------ MMU off */
static void test_mmu_off(void **state)
{
    (void)state;
    struct gptw_mmu m = { .sctlr = 0x00090078u, .ttbr0 = TTB, .dacr = 0 };
    struct gptw_result r;

    /* Identity, no permission checks, no table reads, whatever the tables and DACR say. */
    for (unsigned a = GPTW_READ; a <= GPTW_FETCH; a++) {
        assert_true(walk(&m, 0x40001234u, (enum gptw_access)a, true, &r));
        assert_int_equal(r.pa, 0x40001234u);
        assert_int_equal(r.map, GPTW_MAP_FLAT);
        assert_int_equal(r.priv, GPTW_PERM_RW);
        assert_int_equal(r.user, GPTW_PERM_RW);
        assert_int_equal(reads, 0);
    }
    assert_int_equal(r.page_mva, 0x40000000u);
    assert_int_equal(r.page_size, 0x100000u);
    struct gptw_perms p = gptw_result_perms(&m, &r);
    assert_int_equal(p.priv, GPTW_PERM_RW);
    assert_int_equal(p.user, GPTW_PERM_RW);

    /* The FCSE relocates below 32 MB with the MMU off too (QEMU; measured by mmu_basic). */
    m.fcse_pid = 1u << 25;
    expect_pa(&m, 0x00100000u, GPTW_READ, false, 0x02100000u);
    expect_pa(&m, 0x01ffffffu, GPTW_READ, false, 0x03ffffffu);
    expect_pa(&m, 0x02000000u, GPTW_READ, false, 0x02000000u);
    expect_pa(&m, 0x03000100u, GPTW_FETCH, false, 0x03000100u);
}

/* ------------------------------------------------------------ descriptor types */
static void test_section(void **state)
{
    (void)state;
    struct gptw_mmu m = mmu_on(0x55555555u);
    struct gptw_result r;

    l1_set(0x40100000u, SECTION(0x00400000u, 7u, 3u) | 0xcu);   /* C and B */
    assert_true(walk(&m, 0x401abcdeu, GPTW_WRITE, true, &r));
    assert_int_equal(r.map, GPTW_MAP_SECTION);
    assert_int_equal(r.pa, 0x004abcdeu);
    assert_int_equal(r.mva, 0x401abcdeu);
    assert_int_equal(r.page_mva, 0x40100000u);
    assert_int_equal(r.page_pa, 0x00400000u);
    assert_int_equal(r.page_size, 0x100000u);
    assert_int_equal(r.perm_mva, 0x40100000u);
    assert_int_equal(r.perm_size, 0x100000u);
    assert_int_equal(r.domain, 7);
    assert_int_equal(r.dom_type, GPTW_DOM_CLIENT);
    assert_int_equal(r.ap, 3);
    assert_true(r.cacheable);
    assert_true(r.bufferable);
    assert_int_equal(r.l1_addr, TTB + 0x401u * 4);
    assert_int_equal(r.l2_addr, 0);
    assert_int_equal(reads, 1);

    l1_set(0x40100000u, SECTION(0x00400000u, 7u, 3u));
    assert_true(walk(&m, 0x40100000u, GPTW_READ, false, &r));
    assert_false(r.cacheable);
    assert_false(r.bufferable);
    l1_set(0x40100000u, 0);
}

static void test_coarse_small_and_large(void **state)
{
    (void)state;
    struct gptw_mmu m = mmu_on(0x55555555u);
    struct gptw_result r;

    l1_set(0x40000000u, COARSE(CT, 2u));
    poke(CT + 0 * 4, SMALL(0x00301000u, APS(3, 3, 3, 3)) | 0x8u);
    poke(CT + 1 * 4, SMALL(0x00302000u, APS(3, 3, 3, 3)));
    for (unsigned i = 16; i < 32; i++)            /* one 64 KB large page, replicated 16 times */
        poke(CT + i * 4, LARGE(0x00500000u, APS(3, 3, 3, 3)) | 0x4u);

    assert_true(walk(&m, 0x40000ffcu, GPTW_READ, false, &r));
    assert_int_equal(r.map, GPTW_MAP_SMALL);
    assert_int_equal(r.pa, 0x00301ffcu);
    assert_int_equal(r.page_mva, 0x40000000u);
    assert_int_equal(r.page_size, 0x1000u);
    assert_int_equal(r.perm_mva, 0x40000000u);   /* four subpages, one AP: the whole page */
    assert_int_equal(r.perm_size, 0x1000u);
    assert_int_equal(r.domain, 2);
    assert_true(r.cacheable);
    assert_false(r.bufferable);
    assert_int_equal(r.l1_addr, TTB + 0x400u * 4);
    assert_int_equal(r.l2_addr, CT);
    assert_int_equal(reads, 2);
    expect_pa(&m, 0x40001004u, GPTW_WRITE, true, 0x00302004u);

    for (uint32_t off = 0; off < 0x10000u; off += 0x1234u) {
        assert_true(walk(&m, 0x40010000u + off, GPTW_READ, true, &r));
        assert_int_equal(r.map, GPTW_MAP_LARGE);
        assert_int_equal(r.pa, 0x00500000u + off);
        assert_int_equal(r.page_mva, 0x40010000u);
        assert_int_equal(r.page_size, 0x10000u);
        assert_int_equal(r.perm_size, 0x10000u);
        assert_int_equal(r.perm_mva, 0x40010000u);
        assert_int_equal(r.l2_addr, CT + ((0x40010000u + off) >> 12 & 0xffu) * 4);
        assert_false(r.cacheable);
        assert_true(r.bufferable);
    }
    l1_set(0x40000000u, 0);
    memset(&mem[CT / 4], 0, 1024);
}

static void test_fine_table(void **state)
{
    (void)state;
    struct gptw_mmu m = mmu_on(0x55555555u);
    struct gptw_result r;

    l1_set(0x40600000u, FINE(FT, 3u));
    poke(FT + 0 * 4, TINY(0x00304000u, 3u));
    poke(FT + 1 * 4, TINY(0x00304c00u, 2u));
    for (unsigned i = 4; i < 8; i++)               /* a small page: 4 entries of a fine table */
        poke(FT + i * 4, SMALL(0x00305000u, APS(3, 3, 2, 2)));
    for (unsigned i = 64; i < 128; i++)            /* a large page: 64 entries */
        poke(FT + i * 4, LARGE(0x00510000u, APS(3, 2, 3, 3)));

    assert_true(walk(&m, 0x406003fcu, GPTW_WRITE, true, &r));
    assert_int_equal(r.map, GPTW_MAP_TINY);
    assert_int_equal(r.pa, 0x003043fcu);
    assert_int_equal(r.page_size, 0x400u);
    assert_int_equal(r.perm_size, 0x400u);
    assert_int_equal(r.l2_addr, FT);
    assert_int_equal(r.domain, 3);
    assert_true(walk(&m, 0x40600404u, GPTW_READ, true, &r));
    assert_int_equal(r.pa, 0x00304c04u);
    assert_int_equal(r.page_mva, 0x40600400u);
    assert_int_equal(r.l2_addr, FT + 4);
    expect_fault(&m, 0x40600404u, GPTW_WRITE, true, 0x3fu);
    expect_fault(&m, 0x40600800u, GPTW_READ, false, 0x37u);      /* entry 2: fault */

    assert_true(walk(&m, 0x40601c08u, GPTW_READ, true, &r));
    assert_int_equal(r.map, GPTW_MAP_SMALL);
    assert_int_equal(r.pa, 0x00305c08u);
    assert_int_equal(r.l2_addr, FT + 7 * 4);
    expect_fault(&m, 0x40601c08u, GPTW_WRITE, true, 0x3fu);      /* subpage 3: AP=2 */
    expect_pa(&m, 0x40601408u, GPTW_WRITE, true, 0x00305408u);   /* subpage 1: AP=3 */

    assert_true(walk(&m, 0x4061abcdu, GPTW_READ, true, &r));
    assert_int_equal(r.map, GPTW_MAP_LARGE);
    assert_int_equal(r.pa, 0x0051abcdu);
    expect_fault(&m, 0x40614000u, GPTW_WRITE, true, 0x3fu);      /* large subpage 1: AP=2 */
    expect_pa(&m, 0x40618000u, GPTW_WRITE, true, 0x00518000u);

    /* A tiny-page descriptor in a coarse table: UNPREDICTABLE on ARMv5, a page translation
     * fault on QEMU. */
    l1_set(0x40000000u, COARSE(CT, 2u));
    poke(CT, TINY(0x00304000u, 3u));
    expect_fault(&m, 0x40000000u, GPTW_READ, false, 0x27u);
    expect_fault(&m, 0x40000000u, GPTW_FETCH, false, 0x27u);
    poke(CT, 0);
    l1_set(0x40000000u, 0);
    l1_set(0x40600000u, 0);
    memset(&mem[FT / 4], 0, 4096);
}

static void test_subpages(void **state)
{
    (void)state;
    struct gptw_mmu m = mmu_on(0x55555555u);
    struct gptw_result r;
    static const unsigned aps[4] = { 3, 2, 1, 0 };

    l1_set(0x40000000u, COARSE(CT, 2u));
    poke(CT, SMALL(0x00301000u, APS(3, 2, 1, 0)));
    for (unsigned i = 16; i < 32; i++)
        poke(CT + i * 4, LARGE(0x00500000u, APS(3, 2, 1, 0)));
    for (unsigned sp = 0; sp < 4; sp++) {
        assert_true(walk(&m, 0x40000000u + sp * 0x400u + 0x3fcu, GPTW_FETCH, false, &r) ||
                    aps[sp] == 0);
        assert_int_equal(r.ap, aps[sp]);
        assert_int_equal(r.perm_mva, 0x40000000u + sp * 0x400u);
        assert_int_equal(r.user, gptw_ap_perm(aps[sp], m.sctlr, true));
        assert_int_equal(r.priv, gptw_ap_perm(aps[sp], m.sctlr, false));
        walk(&m, 0x40010000u + sp * 0x4000u + 0x3ffcu, GPTW_READ, false, &r);
        assert_int_equal(r.ap, aps[sp]);
        assert_int_equal(r.perm_mva, 0x40010000u + sp * 0x4000u);
    }
    /* The sequence the mmu_basic guest prints (natively measured). */
    expect_pa(&m, 0x40000010u, GPTW_WRITE, true, 0x00301010u);
    expect_fault(&m, 0x40000410u, GPTW_WRITE, true, 0x2fu);
    expect_pa(&m, 0x40000410u, GPTW_READ, true, 0x00301410u);
    expect_fault(&m, 0x40000810u, GPTW_READ, true, 0x2fu);
    expect_pa(&m, 0x40000810u, GPTW_WRITE, false, 0x00301810u);
    expect_fault(&m, 0x40000c10u, GPTW_WRITE, false, 0x2fu);
    expect_fault(&m, 0x4001fffcu, GPTW_READ, false, 0x2fu);
    l1_set(0x40000000u, 0);
    memset(&mem[CT / 4], 0, 1024);
}

/* ------------------------------------------------------------ faults */
static void test_translation_faults(void **state)
{
    (void)state;
    struct gptw_mmu m = mmu_on(0x55555555u);

    /* First level: the FSR domain is the fault descriptor's bits [8:5] (QEMU). */
    expect_fault(&m, 0x40200000u, GPTW_READ, false, 0x05u);
    l1_set(0x40200000u, 0x000001e0u);
    expect_fault(&m, 0x40200000u, GPTW_READ, false, 0xf5u);
    expect_fault(&m, 0x40200004u, GPTW_WRITE, true, 0xf5u);
    expect_fault(&m, 0x40200008u, GPTW_FETCH, false, 0xf5u);
    l1_set(0x40200000u, 0);
    assert_int_equal(reads, 1);

    /* Second level: the page table's domain. */
    l1_set(0x40000000u, COARSE(CT, 2u));
    expect_fault(&m, 0x40002000u, GPTW_READ, false, 0x27u);
    assert_int_equal(reads, 2);
    expect_fault(&m, 0x40002004u, GPTW_WRITE, false, 0x27u);
    expect_fault(&m, 0x40002000u, GPTW_READ, true, 0x27u);
    expect_fault(&m, 0x40002000u, GPTW_FETCH, true, 0x27u);
    l1_set(0x40000000u, 0);

    /* A fault is reported as a prefetch abort exactly for fetches. */
    struct gptw_result r;
    assert_false(walk(&m, 0x40300000u, GPTW_FETCH, false, &r));
    assert_true(r.prefetch);
    assert_false(walk(&m, 0x40300000u, GPTW_WRITE, false, &r));
    assert_false(r.prefetch);
}

static void test_external_abort_on_walk(void **state)
{
    (void)state;
    struct gptw_mmu m = mmu_on(0x55555555u);

    /* A coarse table where nothing is: external abort on the second-level walk, with the page
     * table's domain (QEMU, measured: FSR/IFSR 0x2e). */
    l1_set(0x40400000u, COARSE(0x09000000u, 2u));
    expect_fault(&m, 0x40400000u, GPTW_READ, false, 0x2eu);
    expect_fault(&m, 0x40400000u, GPTW_FETCH, false, 0x2eu);
    l1_set(0x40400000u, FINE(0x09000000u, 6u));
    expect_fault(&m, 0x40400000u, GPTW_WRITE, true, 0x6eu);
    /* ...but the domain is checked first. */
    m.dacr = 0x55555555u & ~(3u << 12);
    expect_fault(&m, 0x40400000u, GPTW_WRITE, true, 0x6bu);
    l1_set(0x40400000u, 0);

    /* A first-level table where nothing is: domain 0. */
    m.ttbr0 = 0x09000000u;
    expect_fault(&m, 0x40400000u, GPTW_READ, false, 0x0cu);
    expect_fault(&m, 0x00010000u, GPTW_FETCH, false, 0x0cu);
}

static void test_domains(void **state)
{
    (void)state;
    struct gptw_result r;
    l1_set(0x40000000u, COARSE(CT, 2u));
    poke(CT, SMALL(0x00301000u, APS(0, 0, 0, 0)));
    l1_set(0x40100000u, SECTION(0x00400000u, 4u, 0u));

    for (uint32_t type = 0; type < 4; type++) {
        struct gptw_mmu m = mmu_on(1u | type << 4 | type << 8);   /* domains 2 and 4 */
        for (unsigned sr = 0; sr < 4; sr++) {
            m.sctlr = (m.sctlr & ~(GPTW_SCTLR_S | GPTW_SCTLR_R)) | (sr & 1 ? GPTW_SCTLR_S : 0) |
                      (sr & 2 ? GPTW_SCTLR_R : 0);
            for (unsigned a = GPTW_READ; a <= GPTW_FETCH; a++) {
                for (int user = 0; user < 2; user++) {
                    if (type == GPTW_DOM_NOACCESS || type == GPTW_DOM_RESERVED) {
                        expect_fault(&m, 0x40000000u, (enum gptw_access)a, user, 0x2bu);
                        expect_fault(&m, 0x40100000u, (enum gptw_access)a, user, 0x49u);
                    } else if (type == GPTW_DOM_MANAGER) {   /* AP=0 ignored */
                        expect_pa(&m, 0x40000000u, (enum gptw_access)a, user, 0x00301000u);
                        expect_pa(&m, 0x40100000u, (enum gptw_access)a, user, 0x00400000u);
                        assert_true(walk(&m, 0x40000000u, (enum gptw_access)a, user, &r));
                        assert_int_equal(r.dom_type, GPTW_DOM_MANAGER);
                        assert_int_equal(r.priv, GPTW_PERM_RW);
                        assert_int_equal(r.user, GPTW_PERM_RW);
                    }
                }
            }
        }
    }

    /* A page table in a NoAccess domain: domain fault, the second level is never read (QEMU;
     * the ARM ARM would report the invalid second-level entry's translation fault first). */
    struct gptw_mmu m = mmu_on(0x55555555u & ~(3u << 4));
    expect_fault(&m, 0x40002000u, GPTW_READ, false, 0x2bu);
    assert_int_equal(reads, 1);
    l1_set(0x40000000u, 0);
    l1_set(0x40100000u, 0);
    poke(CT, 0);
}

/* ------------------------------------------------------------ AP x S x R x privilege x kind */
/* The ARM ARM (B4.4.1) table for a Client domain; S = R = 1 (reserved) as on QEMU: none. */
static const char *const ap_table[4][4] = {
    /* ap:      S=0 R=0   S=1 R=0   S=0 R=1   S=1 R=1    ("priv/user") */
    /* 0 */ { "--/--", "ro/--", "ro/ro", "--/--" },
    /* 1 */ { "rw/--", "rw/--", "rw/--", "rw/--" },
    /* 2 */ { "rw/ro", "rw/ro", "rw/ro", "rw/ro" },
    /* 3 */ { "rw/rw", "rw/rw", "rw/rw", "rw/rw" },
};

static bool table_allows(const char *e, bool user, enum gptw_access a)
{
    const char *p = user ? e + 3 : e;
    if (a == GPTW_WRITE)
        return p[0] == 'r' && p[1] == 'w';
    return p[0] == 'r';   /* read, and fetch: no execute-never on ARMv5 */
}

static void test_ap_matrix(void **state)
{
    (void)state;
    unsigned checked = 0;
    l1_set(0x40000000u, COARSE(CT, 2u));
    for (unsigned ap = 0; ap < 4; ap++) {
        poke(CT, SMALL(0x00301000u, ap * 0x55u << 4));
        l1_set(0x40100000u, SECTION(0x00400000u, 4u, ap));
        for (unsigned sr = 0; sr < 4; sr++) {
            struct gptw_mmu m = mmu_on(0x55555555u);
            m.sctlr |= (sr & 1 ? GPTW_SCTLR_S : 0) | (sr & 2 ? GPTW_SCTLR_R : 0);
            const char *e = ap_table[ap][sr];
            for (int user = 0; user < 2; user++) {
                for (unsigned a = GPTW_READ; a <= GPTW_FETCH; a++) {
                    enum gptw_access acc = (enum gptw_access)a;
                    if (table_allows(e, user, acc)) {
                        expect_pa(&m, 0x40000010u, acc, user, 0x00301010u);
                        expect_pa(&m, 0x40100010u, acc, user, 0x00400010u);
                    } else {
                        expect_fault(&m, 0x40000010u, acc, user, 0x2fu);
                        expect_fault(&m, 0x40100010u, acc, user, 0x4du);
                    }
                    checked += 2;
                }
                enum gptw_perm p = gptw_ap_perm(ap, m.sctlr, user);
                assert_int_equal(p == GPTW_PERM_NONE ? 'n' : p == GPTW_PERM_RO ? 'o' : 'w',
                                 e[user ? 3 : 0] == '-' ? 'n' : e[user ? 4 : 1] == 'o' ? 'o' : 'w');
            }
        }
    }
    assert_int_equal(checked, 4 * 4 * 2 * 3 * 2);
    l1_set(0x40000000u, 0);
    l1_set(0x40100000u, 0);
    poke(CT, 0);
}

static void test_result_perms(void **state)
{
    (void)state;
    struct gptw_mmu m = mmu_on(0x55555555u);
    struct gptw_result r;

    l1_set(0x40100000u, SECTION(0x00400000u, 4u, 0u));
    m.sctlr |= GPTW_SCTLR_S;
    assert_true(walk(&m, 0x40100000u, GPTW_READ, false, &r));
    assert_int_equal(r.priv, GPTW_PERM_RO);
    assert_int_equal(r.user, GPTW_PERM_NONE);

    /* A DACR or SCTLR.S/R change: recompute from (domain, AP), no new walk. */
    struct gptw_perms p;
    m.sctlr ^= GPTW_SCTLR_S | GPTW_SCTLR_R;
    p = gptw_result_perms(&m, &r);
    assert_int_equal(p.priv, GPTW_PERM_RO);
    assert_int_equal(p.user, GPTW_PERM_RO);
    m.dacr = 0x55555555u | (3u << 8);
    p = gptw_result_perms(&m, &r);
    assert_int_equal(p.priv, GPTW_PERM_RW);
    assert_int_equal(p.user, GPTW_PERM_RW);
    m.dacr = 0x55555555u & ~(3u << 8);
    p = gptw_result_perms(&m, &r);
    assert_int_equal(p.priv, GPTW_PERM_NONE);
    assert_int_equal(p.user, GPTW_PERM_NONE);
    m.dacr = (0x55555555u & ~(3u << 8)) | (2u << 8);
    p = gptw_result_perms(&m, &r);
    assert_int_equal(p.priv, GPTW_PERM_NONE);
    l1_set(0x40100000u, 0);

    assert_true(gptw_perm_allows(GPTW_PERM_RO, GPTW_FETCH));
    assert_true(gptw_perm_allows(GPTW_PERM_RO, GPTW_READ));
    assert_false(gptw_perm_allows(GPTW_PERM_RO, GPTW_WRITE));
    assert_true(gptw_perm_allows(GPTW_PERM_RW, GPTW_WRITE));
    assert_false(gptw_perm_allows(GPTW_PERM_NONE, GPTW_FETCH));
    assert_int_equal(gptw_dom_perm(GPTW_DOM_RESERVED, 3, 0, false), GPTW_PERM_NONE);
    assert_int_equal(gptw_vector_base(GPTW_SCTLR_V), 0xffff0000u);
    assert_int_equal(gptw_vector_base(0x00090078u), 0);
}

/* ------------------------------------------------------------ alignment */
static void test_alignment(void **state)
{
    (void)state;
    struct gptw_mmu m = mmu_on(0x55555555u);
    struct gptw_result r;
    struct gptw_req req = { .access = GPTW_READ, .align = 4 };

    l1_set(0x40100000u, SECTION(0x00400000u, 4u, 1u));
    /* A = 0: no checks */
    req.va = 0x40100002u;
    assert_true(gptw_walk(&m, &req, mem_read, NULL, &r));
    /* A = 1: misaligned accesses fault before anything else, domain 0, FAR = VA */
    m.sctlr |= GPTW_SCTLR_A;
    assert_false(gptw_walk(&m, &req, mem_read, NULL, &r));
    assert_int_equal(r.fsr, 0x01u);
    assert_int_equal(r.far, 0x40100002u);
    req.va = 0x40200001u;                              /* unmapped: alignment still first */
    reads = 0;
    assert_false(gptw_walk(&m, &req, mem_read, NULL, &r));
    assert_int_equal(r.fsr, 0x01u);
    assert_int_equal(reads, 0);
    req.va = 0x40100001u;                              /* a User access to a priv-only page */
    req.user = true;
    assert_false(gptw_walk(&m, &req, mem_read, NULL, &r));
    assert_int_equal(r.fsr, 0x01u);
    req.user = false;
    req.align = 2;                                     /* halfwords */
    req.va = 0x40100002u;
    assert_true(gptw_walk(&m, &req, mem_read, NULL, &r));
    req.va = 0x40100003u;
    assert_false(gptw_walk(&m, &req, mem_read, NULL, &r));
    assert_int_equal(r.fsr, 0x01u);
    req.align = 1;                                     /* bytes never fault */
    assert_true(gptw_walk(&m, &req, mem_read, NULL, &r));
    req.align = 8;                                     /* a doubleword requirement */
    req.va = 0x40100004u;
    assert_false(gptw_walk(&m, &req, mem_read, NULL, &r));

    /* With the MMU off A = 1 still checks (QEMU, measured). */
    m.sctlr &= ~GPTW_SCTLR_M;
    req.align = 4;
    req.va = 0x00300001u;
    assert_false(gptw_walk(&m, &req, mem_read, NULL, &r));
    assert_int_equal(r.fsr, 0x01u);
    assert_int_equal(r.far, 0x00300001u);

    /* LDM/STM: QEMU checks word alignment even with A = 0. */
    m.sctlr &= ~GPTW_SCTLR_A;
    req.va = 0x00300002u;
    assert_true(gptw_walk(&m, &req, mem_read, NULL, &r));
    req.align_always = true;
    assert_false(gptw_walk(&m, &req, mem_read, NULL, &r));
    assert_int_equal(r.fsr, 0x01u);
    l1_set(0x40100000u, 0);
}

/* ------------------------------------------------------------ FCSE */
static void test_fcse(void **state)
{
    (void)state;
    struct gptw_mmu m = mmu_on(0x55555555u);
    struct gptw_result r;

    l1_set(0x00100000u, SECTION(0x00100000u, 0u, 3u));
    l1_set(0x02100000u, SECTION(0x00700000u, 0u, 3u));
    l1_set(0x40100000u, SECTION(0x00400000u, 0u, 3u));

    expect_pa(&m, 0x00100004u, GPTW_READ, false, 0x00100004u);
    m.fcse_pid = 1u << 25;
    assert_int_equal(gptw_mva(&m, 0x00100004u), 0x02100004u);
    assert_true(walk(&m, 0x00100004u, GPTW_READ, true, &r));
    assert_int_equal(r.mva, 0x02100004u);
    assert_int_equal(r.va, 0x00100004u);
    assert_int_equal(r.pa, 0x00700004u);
    assert_int_equal(r.page_mva, 0x02100000u);
    assert_int_equal(r.l1_addr, TTB + 0x021u * 4);
    expect_pa(&m, 0x40100000u, GPTW_READ, false, 0x00400000u);     /* >= 32 MB: unchanged */
    /* A fault reports the VA, not the MVA, in the FAR (QEMU, measured). */
    expect_fault(&m, 0x00200000u, GPTW_READ, false, 0x05u);
    expect_fault(&m, 0x01f00000u, GPTW_FETCH, false, 0x05u);
    /* PID 127: the top of the address space. */
    m.fcse_pid = 127u << 25;
    assert_int_equal(gptw_mva(&m, 0x01ffffffu), 0xffffffffu);
    assert_int_equal(gptw_mva(&m, 0x02000000u), 0x02000000u);
    l1_set(0x00100000u, 0);
    l1_set(0x02100000u, 0);
    l1_set(0x40100000u, 0);
}

/* ------------------------------------------------------------ the sweep, against the hardware */
#define SW_L1      0x00200000u
#define SW_CT      0x00204000u
#define SW_PAGE_PA 0x00300000u
#define SW_SECT_PA 0x00400000u
#define SW_VA_PAGE 0x40000000u
#define SW_VA_SECT 0x40100000u
#define SW_DOM     5u

static void sweep_token(char *line, size_t size, const struct gptw_mmu *m, const char *name,
                        uint32_t addr, enum gptw_access a, bool user)
{
    struct gptw_result r;
    struct gptw_req req = { .va = addr, .access = a, .user = user, .align = 4 };
    size_t n = strlen(line);

    if (gptw_walk(m, &req, mem_read, NULL, &r)) {
        snprintf(line + n, size - n, " %s:ok", name);
        return;
    }
    snprintf(line + n, size - n, " %s:%02x", name, (unsigned)r.fsr);
    if (!r.prefetch && r.far != addr) {
        n = strlen(line);
        snprintf(line + n, size - n, "@%08x", (unsigned)r.far);
    }
}

static unsigned sweep_lines(char lines[][128], unsigned max, unsigned *cases)
{
    static const char dom_name[] = { 'N', 'C', 'R', 'M' };
    static const uint32_t sr_bits[] = { 0, GPTW_SCTLR_S, GPTW_SCTLR_R, GPTW_SCTLR_S | GPTW_SCTLR_R };
    static const char *const sr_name[] = { "00", "10", "01", "11" };
    unsigned n = 0;

    *cases = 0;
    for (unsigned v = 0; v < 2; v++) {
        const char *variant = v ? "sect" : "page";
        uint32_t va = v ? SW_VA_SECT : SW_VA_PAGE;
        for (unsigned ap = 0; ap < 4; ap++) {
            for (unsigned dom = 0; dom < 4; dom++) {
                for (unsigned sr = 0; sr < 4; sr++) {
                    poke(SW_L1 + (SW_VA_PAGE >> 20) * 4, COARSE(SW_CT, SW_DOM));
                    poke(SW_L1 + (SW_VA_SECT >> 20) * 4, SECTION(SW_SECT_PA, SW_DOM, ap));
                    poke(SW_CT, SMALL(SW_PAGE_PA, ap * 0x55u << 4));
                    struct gptw_mmu m = { .sctlr = 0x00090078u | GPTW_SCTLR_M | sr_bits[sr],
                                          .ttbr0 = SW_L1, .dacr = 1u | dom << (2 * SW_DOM) };
                    assert_true(n < max);
                    char *line = lines[n++];
                    snprintf(line, 128, "%s ap=%u dom=%c sr=%s: svc", variant, ap, dom_name[dom],
                             sr_name[sr]);
                    sweep_token(line, 128, &m, "r", va + 8, GPTW_READ, false);
                    sweep_token(line, 128, &m, "w", va + 12, GPTW_WRITE, false);
                    sweep_token(line, 128, &m, "x", va, GPTW_FETCH, false);
                    strcat(line, " usr");
                    sweep_token(line, 128, &m, "r", va + 8, GPTW_READ, true);
                    sweep_token(line, 128, &m, "w", va + 12, GPTW_WRITE, true);
                    sweep_token(line, 128, &m, "x", va, GPTW_FETCH, true);
                    sweep_token(line, 128, &m, "ldrt", va + 8, GPTW_READ, true);
                    sweep_token(line, 128, &m, "strt", va + 12, GPTW_WRITE, true);
                    *cases += 8;
                }
            }
        }
    }
    poke(SW_L1 + (SW_VA_PAGE >> 20) * 4, 0);
    poke(SW_L1 + (SW_VA_SECT >> 20) * 4, 0);
    poke(SW_CT, 0);
    return n;
}

static void fixture_path(char *buf, size_t size, const char *name)
{
    const char *env = getenv("ARMVMM_SRCDIR");
    if (env && *env) {
        snprintf(buf, size, "%s/tests/fixtures/%s", env, name);
    } else {
        const char *f = __FILE__, *p = strstr(f, "tests/unit/test_guest_ptw.c");
        int n = p ? (int)(p - f) : 0;
        snprintf(buf, size, "%.*stests/fixtures/%s", n, f, name);
    }
}

static void test_sweep_matches_native(void **state)
{
    (void)state;
    static char lines[256][128];
    unsigned cases, n = sweep_lines(lines, 256, &cases);
    char path[1024], buf[256], want_total[64];
    unsigned seen = 0, mismatches = 0;
    bool total = false;

    fixture_path(path, sizeof path, "mmu_sweep.native.txt");
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    snprintf(want_total, sizeof want_total, "sweep: %u cases\n", cases);
    while (fgets(buf, sizeof buf, f)) {
        if (strncmp(buf, "page ", 5) == 0 || strncmp(buf, "sect ", 5) == 0) {
            buf[strcspn(buf, "\n")] = 0;
            if (seen >= n || strcmp(buf, lines[seen]) != 0) {
                mismatches++;
                print_error("native: %s\nwalker: %s\n", buf, seen < n ? lines[seen] : "(none)");
            }
            seen++;
        } else if (strcmp(buf, want_total) == 0) {
            total = true;
        }
    }
    fclose(f);
    assert_int_equal(mismatches, 0);
    assert_int_equal(seen, n);
    assert_int_equal(n, 128);
    assert_int_equal(cases, 1024);
    assert_true(total);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mmu_off),
        cmocka_unit_test(test_section),
        cmocka_unit_test(test_coarse_small_and_large),
        cmocka_unit_test(test_fine_table),
        cmocka_unit_test(test_subpages),
        cmocka_unit_test(test_translation_faults),
        cmocka_unit_test(test_external_abort_on_walk),
        cmocka_unit_test(test_domains),
        cmocka_unit_test(test_ap_matrix),
        cmocka_unit_test(test_result_perms),
        cmocka_unit_test(test_alignment),
        cmocka_unit_test(test_fcse),
        cmocka_unit_test(test_sweep_matches_native),
    };
    return cmocka_run_group_tests_name("guest_ptw", tests, setup, teardown);
}
