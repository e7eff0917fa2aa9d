/* The page-table churn: three address spaces whose tables a pseudo-random sequence (a fixed
 * LCG, so every run is the same) keeps changing while it switches between them and reads
 * through them, as a kernel does with its processes' tables.  Each step is one of:
 *
 *   - a switch to another space: TTBR0, then a whole-TLB flush (Linux's switch), then six
 *     reads;
 *   - a first-level entry of the test megabytes changed, in any space (a section, the tables'
 *     own megabyte as a section, a coarse table, nothing), or a second-level entry of one of
 *     the coarse tables the spaces share (a small page, one of the tables' pages, nothing): the
 *     store goes through the identity map (a section), a writable alias page, a User read-only
 *     alias page (a store the VMM makes for the guest), that page with the aliases' domain
 *     Manager (where a mapping's AP means nothing), or a test megabyte of the running space
 *     that maps the tables; and only the TLB entries of the space running are flushed (the
 *     whole TLB, or each page by MVA); another space's change shows at its next switch, with no
 *     maintenance of its own;
 *   - a read of a random word of the test megabytes, checked against a walk of the tables in
 *     software: the word the walk finds (read through the identity map), or a translation
 *     fault.
 *
 * The test megabytes lie in three pages of slots (a VMM may keep a page of the first-level
 * table whose entries it has seen unchanged), the tables in RAM the identity map covers.  Every
 * 2000 steps one line: reads, faults, a checksum of what was read, and the reads that differed
 * from the walk (0 on QEMU; the VMM must print the same lines). */
#include "access.h"
#include "cpu.h"
#include "guest.h"

#define SPACES       3u
#define L1_PA(s)     (0x00200000u + (s) * 0x4000u)   /* first-level tables, 16 KB each */
#define CT_PA(t)     (0x0020c000u + (t) * 0x400u)    /* coarse tables, 1 KB each */
#define TABLES       8u
#define ALIAS_CT_PA  0x0020e000u   /* the alias megabyte's own coarse table */
#define PAGE_PA(k)   (0x00300000u + (k) * 0x1000u)   /* small pages to map */
#define PAGES        16u
#define SECT_PA(k)   (0x00400000u + (k) * 0x100000u) /* sections to map */
#define SECTS        2u
#define TABLE_PAGES  ((ALIAS_CT_PA - L1_PA(0)) / 0x1000u)   /* pages holding tables: 14 */

#define ALIAS_VA     0xf0000000u   /* page p: table page p, writable; 16 + p: User read-only */
#define DOM_ID       0u            /* identity map and aliases */
#define DOM_TEST     3u            /* test megabytes */
#define STEPS        20000u
#define FAR_SENTINEL 0x0badfa00u

#define SECTION(pa, dom)  (((pa) & 0xfff00000u) | (3u << 10) | ((dom) << 5) | 0x12u)
#define COARSE(pa, dom)   (((pa) & 0xfffffc00u) | ((dom) << 5) | 0x11u)
#define SMALL(pa, aps)    (((pa) & 0xfffff000u) | ((aps) * 0x55u << 4) | 2u)

/* The test megabytes: four slots in each of pages 1, 2 and 3 of slots. */
static const uint16_t test_slots[] = { 0x400, 0x401, 0x402, 0x403, 0x800, 0x801, 0x802, 0x803,
                                       0xc00, 0xc01, 0xc02, 0xc03 };
#define NSLOTS (sizeof(test_slots) / sizeof(test_slots[0]))
#define TEST_PAGES 16u   /* pages 0-15 of a test megabyte are used */

static uint32_t seed = 12345;
static unsigned cur;

static uint32_t rnd(uint32_t n)
{
    seed = seed * 1103515245u + 12345u;
    return (seed >> 16) % n;
}

static uint32_t rd32(uint32_t pa) { return *(volatile uint32_t *)pa; }

void guest_exception(uint32_t kind, uint32_t *regs)
{
    if (access_take_abort(kind, regs))
        return;
    guest_printf("unexpected exception %u at %08x\n", kind, regs[13] - 4);
    guest_exit(1);
}

static void tlb_flush_all(void) { CP15_WRITE(c8, 0, c7, 0, 0); }
static void tlb_flush_mva(uint32_t va) { CP15_WRITE(c8, 0, c7, 1, va); }
/* As Linux's flush_tlb_page: the data TLB's entry, then the instruction TLB's (a VMM may take
 * both in one trap). */
static void tlb_flush_page(uint32_t va)
{
    __asm__ volatile("mcr p15, 0, %0, c8, c6, 1\n"
                     "mcr p15, 0, %0, c8, c5, 1\n"
                     :
                     : "r"(va)
                     : "memory");
}
/* Two pages back to back: two flushes, not one taken twice. */
static void tlb_flush_two(uint32_t a, uint32_t b)
{
    __asm__ volatile("mcr p15, 0, %0, c8, c7, 1\n"
                     "mcr p15, 0, %1, c8, c7, 1\n"
                     :
                     : "r"(a), "r"(b)
                     : "memory");
}
/* Each page of [start, end) by MVA, in a loop as Linux's v4wbi_flush_kern_tlb_range (the VMM
 * runs the rest of such a loop at once). */
static void tlb_flush_range(uint32_t start, uint32_t end)
{
    __asm__ volatile("1: mcr p15, 0, %0, c8, c5, 1\n"
                     "   mcr p15, 0, %0, c8, c6, 1\n"
                     "   add %0, %0, #4096\n"
                     "   cmp %0, %1\n"
                     "   bcc 1b\n"
                     : "+r"(start) : "r"(end) : "cc", "memory");
}

/* As Linux switches (cpu_arm926_switch_mm): the I-cache invalidated, the write buffer drained,
 * the TTBR write and the whole-TLB flush back to back (a VMM may do all four in the first
 * one's trap, so the flush sees the tables only once). */
static void space_switch(unsigned s)
{
    __asm__ volatile("mcr p15, 0, %1, c7, c5, 0\n"
                     "mcr p15, 0, %1, c7, c10, 4\n"
                     "mcr p15, 0, %0, c2, c0, 0\n"
                     "mcr p15, 0, %1, c8, c7, 0\n"
                     :
                     : "r"(L1_PA(s)), "r"(0)
                     : "memory");
    cur = s;
}

#define DACR_CLIENT  (1u << (2 * DOM_ID) | 1u << (2 * DOM_TEST))
#define DACR_MANAGER (3u << (2 * DOM_ID) | 1u << (2 * DOM_TEST))   /* the aliases' domain */

static int walk_pa(uint32_t va, uint32_t *pa);

/* A test VA of the running space that maps pa (0: none). */
static uint32_t test_va_of(uint32_t pa)
{
    for (unsigned k = 0; k < NSLOTS; k++)
        for (unsigned p = 0; p < 256; p++) {
            uint32_t va = (uint32_t)test_slots[k] << 20 | p << 12 | (pa & 0xfffu), at;
            if (walk_pa(va, &at) && at == pa)
                return va;
        }
    return 0;
}

/* The word at table address pa := v, through one of the ways in. */
static void table_store(uint32_t pa, uint32_t v)
{
    uint32_t page = (pa - L1_PA(0)) / 0x1000u, off = pa & 0xfffu;
    if (rnd(3) == 0) {   /* through a test megabyte that maps the tables, if one does */
        uint32_t va = test_va_of(pa);
        if (va) {
            *(volatile uint32_t *)va = v;
            return;
        }
    }
    switch (rnd(4)) {
    case 0:
        *(volatile uint32_t *)pa = v;
        break;
    case 1:
        *(volatile uint32_t *)(ALIAS_VA + page * 0x1000u + off) = v;
        break;
    case 2:   /* (a Manager domain: a mapping's AP means nothing then) */
        CP15_WRITE(c3, 0, c0, 0, DACR_MANAGER);
        *(volatile uint32_t *)(ALIAS_VA + (16u + page) * 0x1000u + off) = v;
        CP15_WRITE(c3, 0, c0, 0, DACR_CLIENT);
        break;
    default:
        *(volatile uint32_t *)(ALIAS_VA + (16u + page) * 0x1000u + off) = v;
        break;
    }
}

/* Where a test VA lands by a walk of the running space's tables: 1 and the address, or 0 (a
 * translation fault). */
static int walk_pa(uint32_t va, uint32_t *out)
{
    uint32_t l1 = rd32(L1_PA(cur) + (va >> 20) * 4u);
    if ((l1 & 3u) == 2u) {
        *out = (l1 & 0xfff00000u) | (va & 0xfffffu);
        return 1;
    }
    if ((l1 & 3u) != 1u)
        return 0;
    uint32_t l2 = rd32((l1 & 0xfffffc00u) + ((va >> 12) & 0xffu) * 4u);
    if ((l2 & 3u) != 2u)
        return 0;
    *out = (l2 & 0xfffff000u) | (va & 0xfffu);
    return 1;
}

/* What a test VA reads by a walk (walk_pa): 1 and the word (read through the identity map), or
 * 0. */
static int walk(uint32_t va, uint32_t *word)
{
    uint32_t pa;
    if (!walk_pa(va, &pa))
        return 0;
    *word = rd32(pa);
    return 1;
}

static uint32_t random_l1_desc(void)
{
    switch (rnd(5)) {
    case 0:
        return 0;
    case 1:
        return SECTION(SECT_PA(rnd(SECTS)), DOM_TEST);
    case 2:   /* the tables' own megabyte (watched pages, a split) */
        return SECTION(L1_PA(0), DOM_TEST);
    default:
        return COARSE(CT_PA(rnd(TABLES)), DOM_TEST);
    }
}

/* The TLB entries of the running space that a change of table t's entry i may leave. */
static void flush_table_entry(unsigned t, unsigned i)
{
    if (rnd(2)) {
        tlb_flush_all();
        return;
    }
    uint32_t va[NSLOTS];
    unsigned n = 0;
    for (unsigned k = 0; k < NSLOTS; k++)
        if (rd32(L1_PA(cur) + test_slots[k] * 4u) == COARSE(CT_PA(t), DOM_TEST))
            va[n++] = (uint32_t)test_slots[k] << 20 | i << 12;
    for (unsigned k = 0; k < n; k++) {
        unsigned how = rnd(3);
        if (how == 0 && k + 1 < n) {
            tlb_flush_two(va[k], va[k + 1]);
            k++;
        } else if (how == 1) {
            tlb_flush_page(va[k]);
        } else {
            tlb_flush_mva(va[k]);
        }
    }
}

static void change_l1(void)
{
    unsigned s = rnd(SPACES), slot = test_slots[rnd(NSLOTS)];
    table_store(L1_PA(s) + slot * 4u, random_l1_desc());
    if (s != cur)
        return;
    if (rnd(2))
        tlb_flush_all();
    else   /* (only pages 0-15 of a test megabyte are ever used: their entries are all) */
        tlb_flush_range((uint32_t)slot << 20, (uint32_t)slot << 20 | TEST_PAGES << 12);
}

static void change_l2(void)
{
    unsigned t = rnd(TABLES), i = rnd(TEST_PAGES);
    uint32_t r = rnd(8);
    table_store(CT_PA(t) + i * 4u, r == 0 ? 0 : r == 1 ? SMALL(L1_PA(0) + rnd(TABLE_PAGES) * 0x1000u, 3u)
                                             : SMALL(PAGE_PA(rnd(PAGES)), 3u));
    flush_table_entry(t, i);
}

struct tally {
    uint32_t reads, faults, sum, bad;
};

static void read_one(struct tally *t)
{
    uint32_t va = (uint32_t)test_slots[rnd(NSLOTS)] << 20 | rnd(TEST_PAGES) << 12 | rnd(8) << 2;
    uint32_t want = 0, before = access_abort.count;
    int mapped = walk(va, &want);
    CP15_WRITE(c6, 0, c0, 0, FAR_SENTINEL);
    access_expect(va);
    uint32_t got = acc_read(va, 0);
    access_done();
    int fault = access_abort.count != before;
    t->reads++;
    if (fault) {
        t->faults++;
        t->sum = t->sum * 31u + access_abort.fsr;
    } else {
        t->sum = t->sum * 31u + got;
    }
    if (fault == mapped || (!fault && got != want) ||
        (fault && (access_abort.far != va || ((access_abort.fsr & 0xfu) != 5u &&
                                              (access_abort.fsr & 0xfu) != 7u)))) {
        if (t->bad++ < 8)
            guest_printf("  space %u va %08x: read %s %08x, the tables say %s %08x\n", cur, va,
                         fault ? "fault" : "ok", fault ? access_abort.fsr : got,
                         mapped ? "ok" : "fault", want);
    }
}

static void build(void)
{
    for (unsigned s = 0; s < SPACES; s++) {
        volatile uint32_t *l1 = (volatile uint32_t *)L1_PA(s);
        for (unsigned i = 0; i < 4096; i++)
            l1[i] = 0;
        for (unsigned mb = 0; mb < 8; mb++)   /* RAM 0-8 MB, identity */
            l1[mb] = SECTION(mb << 20, DOM_ID);
        l1[0x160] = SECTION(0x16000000u, DOM_ID);   /* UART0 */
        l1[ALIAS_VA >> 20] = COARSE(ALIAS_CT_PA, DOM_ID);
        for (unsigned k = 0; k < NSLOTS; k++)
            l1[test_slots[k]] = random_l1_desc();
    }
    volatile uint32_t *alias = (volatile uint32_t *)ALIAS_CT_PA;
    for (unsigned i = 0; i < 256; i++)
        alias[i] = 0;
    for (unsigned p = 0; p < TABLE_PAGES; p++) {
        alias[p] = SMALL(L1_PA(0) + p * 0x1000u, 3u);
        alias[16 + p] = SMALL(L1_PA(0) + p * 0x1000u, 2u);   /* privileged RW, User RO */
    }
    for (unsigned t = 0; t < TABLES; t++)
        for (unsigned i = 0; i < 256; i++)
            *(volatile uint32_t *)(CT_PA(t) + i * 4u) =
                i < TEST_PAGES && rnd(4) ? SMALL(PAGE_PA(rnd(PAGES)), 3u) : 0;
    for (unsigned k = 0; k < PAGES; k++)
        for (unsigned w = 0; w < 1024; w++)
            *(volatile uint32_t *)(PAGE_PA(k) + w * 4u) = 0xda000000u | k << 16 | w;
    for (unsigned k = 0; k < SECTS; k++)
        for (unsigned p = 0; p < TEST_PAGES; p++)
            for (unsigned w = 0; w < 8; w++)
                *(volatile uint32_t *)(SECT_PA(k) + p * 0x1000u + w * 4u) =
                    0x5ec00000u | k << 16 | p << 8 | w;
}

int main(void)
{
    guest_install_vectors();
    guest_setup_stacks();
    build();
    CP15_WRITE(c3, 0, c0, 0, DACR_CLIENT);
    CP15_WRITE(c2, 0, c0, 0, L1_PA(0));
    tlb_flush_all();
    CP15_WRITE(c1, 0, c0, 0, CP15_READ(c1, 0, c0, 0) | 1u);   /* MMU on */
    guest_printf("page-table churn, %u spaces, %u steps:\n", SPACES, STEPS);
    struct tally t = { 0, 0, 0, 0 };
    for (uint32_t step = 1; step <= STEPS; step++) {
        uint32_t op = rnd(32);
        if (op < 6) {   /* (then reads: what the switch kept shows at once) */
            space_switch(rnd(SPACES));
            for (unsigned r = 0; r < 6; r++)
                read_one(&t);
        }
        else if (op < 8)
            change_l1();
        else if (op < 10)
            change_l2();
        else
            read_one(&t);
        if (step % 2000 == 0)
            guest_printf("  step %u: reads %u faults %u sum %08x differing %u\n", step, t.reads,
                         t.faults, t.sum, t.bad);
    }
    CP15_WRITE(c1, 0, c0, 0, CP15_READ(c1, 0, c0, 0) & ~1u);
    guest_printf("done\n");
    return t.bad != 0;
}
