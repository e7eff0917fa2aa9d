/* The ARMv5 MMU as a kernel uses it: sections, coarse tables with small and large pages, fine
 * tables with tiny and small pages, remapping with TLB maintenance (all, by MVA, D- and I-side),
 * translation / domain / permission faults with FSR and FAR, Manager, NoAccess and reserved
 * domains, AP=0 under every SCTLR S/R, subpage permissions, LDRT/STRT, alignment faults (SCTLR.A
 * with the MMU on and off; LDM/LDRD alignment with A=0), prefetch aborts (IFSR, FAR untouched),
 * the FCSE PID with the MMU on and off, unbacked physical addresses and an unbacked second-level
 * table, high vectors (SCTLR.V, the vector page mapped at 0xffff0000).
 *
 * It prints only architecturally defined values -- addresses and data chosen here, FSR/IFSR, FAR,
 * the values read -- so the output is identical on the bare board and under the VMM.  Where QEMU
 * (the native reference) makes a choice the ARM ARM leaves open, this output records QEMU's
 * choice; docs/MEMORY.md lists them. */
#include "access.h"
#include "cpu.h"
#include "guest.h"

/* ---------------------------------------------------------------- memory plan (physical) */
#define L1_PA        0x00200000u   /* 16 KB first-level table */
#define CT_A_PA      0x00204000u   /* coarse table for VA 0x40000000 */
#define CT_HI_PA     0x00204400u   /* coarse table for VA 0xfff00000 (high vectors) */
#define CT_HI2_PA    0x00204800u   /* another one (the L1 memo tests) */
#define CT_BAD_PA    0x09000000u   /* a coarse table where the board has nothing */
#define FT_PA        0x00205000u   /* fine table (4 KB aligned) for VA 0x40600000 */
#define CT_B_PA      0x00206000u   /* coarse table of the second address space */
#define CT_ALIAS_PA  0x00207000u   /* coarse table for VA 0x40700000: CT_B_PA's page again */
#define L1_B_PA      0x00208000u   /* a second first-level table (another address space) */
#define CT_X_PA      0x0020c000u   /* two coarse tables for VA 0x40800000: a RAM page, then */
#define CT_Y_PA      0x0020d000u   /* UART0's registers (X) or the RTC's (Y) */
#define PAGES_PA     0x00300000u   /* 4 KB test pages */
#define SECT_PA      0x00400000u   /* 1 MB section target */
#define LARGE_PA     0x00500000u   /* 64 KB large page target */
#define HIVEC_PA     0x00600000u   /* the page mapped at 0xffff0000 */
#define FCSE_PA      0x00700000u   /* where MVA 0x02100000 points with the MMU on */
#define UNBACKED_PA  0x09000000u   /* nothing there on integratorcp */
#define FCSE_OFF_PA  0x02100000u   /* MVA of VA 0x00100000 with PID 1 and the MMU off */
#define ROUTINE_PA   0x03000000u   /* a copy of fcse_probe() above 32 MB */
#define CM_PA        0x10000000u   /* the core module: CM_ID at +0 */
#define CP_CTRL_PA   0xcb000000u   /* the CP controller: its ID field at +0 */

#define VA_SMALL     0x40000000u   /* coarse table A, small pages */
#define VA_LARGE     0x40010000u   /* coarse table A, one large page */
#define VA_SECT      0x40100000u
#define VA_NOSECT    0x40200000u
#define VA_NOPAGE    0x40300000u
#define VA_BADTABLE  0x40400000u
#define VA_UNBACKED  0x40500000u
#define VA_FINE      0x40600000u
#define VA_ALIAS     0x40700000u   /* CT_B_PA's page, writable; the next page: User read-only */
#define VA_DEV       0x40800000u
#define VA_MEMO      0x80900000u   /* a section the same in both address spaces (L1 memos) */

#define DOM_KERNEL   0u   /* identity map, always Client */
#define DOM_PAGES    2u   /* coarse/fine tables of the tests */
#define DOM_SECT     4u   /* the test section */

#define FAR_SENTINEL 0x0badfa00u

/* ---------------------------------------------------------------- descriptors */
#define SECTION(pa, dom, ap)  (((pa) & 0xfff00000u) | ((ap) << 10) | ((dom) << 5) | 0x12u)
#define COARSE(pa, dom)       (((pa) & 0xfffffc00u) | ((dom) << 5) | 0x11u)
#define FINE(pa, dom)         (((pa) & 0xfffff000u) | ((dom) << 5) | 0x13u)
#define APS(a0, a1, a2, a3)   (((a0) << 4) | ((a1) << 6) | ((a2) << 8) | ((a3) << 10))
#define SMALL(pa, aps)        (((pa) & 0xfffff000u) | (aps) | 2u)
#define LARGE(pa, aps)        (((pa) & 0xffff0000u) | (aps) | 1u)
#define TINY(pa, ap)          (((pa) & 0xfffffc00u) | ((ap) << 4) | 3u)

#define SCTLR_M (1u << 0)
#define SCTLR_A (1u << 1)
#define SCTLR_S (1u << 8)
#define SCTLR_R (1u << 9)
#define SCTLR_V (1u << 13)

#define DACR_NOACCESS 0u
#define DACR_CLIENT   1u
#define DACR_RESERVED 2u
#define DACR_MANAGER  3u

static volatile uint32_t *const l1 = (volatile uint32_t *)L1_PA;
static volatile uint32_t *const ct_a = (volatile uint32_t *)CT_A_PA;
static volatile uint32_t *const ct_hi = (volatile uint32_t *)CT_HI_PA;
static volatile uint32_t *const ft = (volatile uint32_t *)FT_PA;
static volatile uint32_t *const ct_b = (volatile uint32_t *)CT_B_PA;
static volatile uint32_t *const l1_b = (volatile uint32_t *)L1_B_PA;
static volatile uint32_t *const ct_alias = (volatile uint32_t *)CT_ALIAS_PA;

static inline void wr32(uint32_t pa, uint32_t v) { *(volatile uint32_t *)pa = v; }
static inline uint32_t rd32(uint32_t pa) { return *(volatile uint32_t *)pa; }

static void tlb_flush_all(void) { CP15_WRITE(c8, 0, c7, 0, 0); }
static void tlb_flush_mva(uint32_t va) { CP15_WRITE(c8, 0, c7, 1, va); }
static void dtlb_flush_all(void) { CP15_WRITE(c8, 0, c6, 0, 0); }

/* Linux's flush_tlb_mm: the data TLB, then the instruction TLB, back to back (the VMM steps
 * over the second). */
static void dtlb_itlb_flush_all(void)
{
    __asm__ volatile("mcr p15, 0, %0, c8, c6, 0\n"
                     "mcr p15, 0, %0, c8, c5, 0\n" ::"r"(0) : "memory");
}
static void dtlb_flush_mva(uint32_t va) { CP15_WRITE(c8, 0, c6, 1, va); }
/* Linux's flush_tlb_page: the data TLB's entry, then the instruction TLB's (the VMM takes both
 * in one trap). */
static void tlb_flush_page(uint32_t va)
{
    __asm__ volatile("mcr p15, 0, %0, c8, c6, 1\n"
                     "mcr p15, 0, %0, c8, c5, 1\n" ::"r"(va) : "memory");
}
/* Two pages' entries back to back: two flushes, not the same one twice. */
static void tlb_flush_two(uint32_t a, uint32_t b)
{
    __asm__ volatile("mcr p15, 0, %0, c8, c6, 1\n"
                     "mcr p15, 0, %1, c8, c5, 1\n" ::"r"(a), "r"(b) : "memory");
}
static void icache_flush(void) { CP15_WRITE(c7, 0, c5, 0, 0); }

static uint32_t sctlr_base;
static void sctlr_set(uint32_t bits)
{
    CP15_WRITE(c1, 0, c0, 0, sctlr_base | bits);
    tlb_flush_all();
}

static uint32_t dacr_for(uint32_t pages, uint32_t sect)
{
    return (DACR_CLIENT << (2 * DOM_KERNEL)) | (pages << (2 * DOM_PAGES)) | (sect << (2 * DOM_SECT));
}
static void dacr_set(uint32_t v) { CP15_WRITE(c3, 0, c0, 0, v); }

/* ---------------------------------------------------------------- access helpers
 * Each takes (address, value) and returns a value; a data abort inside them resumes at the next
 * instruction, a prefetch abort of acc_fetch at fetch_back. */
__asm__(".text\n"
        /* uint32_t fcse_probe(pid, addr): read addr with FCSE PID = pid, restore PID 0.
         * Position independent, no stack: runs from a copy above 32 MB with the MMU off. */
        ".global fcse_probe, fcse_probe_end\n"
        "fcse_probe:\n"
        "           mcr p15, 0, r0, c13, c0, 0\n"
        "           ldr r1, [r1]\n"
        "           mov r0, #0\n"
        "           mcr p15, 0, r0, c13, c0, 0\n"
        "           mov r0, r1\n"
        "           bx lr\n"
        "fcse_probe_end:\n"
        /* High-vector stubs: count, then continue at the ordinary handler. */
        ".global hv_swi, hv_dabt\n"
        "hv_swi:    push {r0, r1}\n"
        "           ldr r0, =hv_swi_count\n"
        "           ldr r1, [r0]\n"
        "           add r1, r1, #1\n"
        "           str r1, [r0]\n"
        "           ldr r0, =guest_vector_table\n"
        "           ldr r0, [r0, #40]\n"
        "           str r0, [sp, #4]\n"
        "           pop {r0, pc}\n"
        "hv_dabt:   push {r0, r1}\n"
        "           ldr r0, =hv_dabt_count\n"
        "           ldr r1, [r0]\n"
        "           add r1, r1, #1\n"
        "           str r1, [r0]\n"
        "           ldr r0, =guest_vector_table\n"
        "           ldr r0, [r0, #48]\n"
        "           str r0, [sp, #4]\n"
        "           pop {r0, pc}\n"
        ".ltorg\n");

uint32_t fcse_probe(uint32_t pid, uint32_t addr);
extern char fcse_probe_end[];
extern char hv_swi[], hv_dabt[];
extern const uint32_t guest_vector_table[], guest_vector_table_end[];
volatile uint32_t hv_swi_count, hv_dabt_count;

/* ---------------------------------------------------------------- exceptions */
static volatile uint32_t swi_count, swi_last;

void guest_exception(uint32_t kind, uint32_t *regs)
{
    uint32_t at = regs[13] - 4;

    if (kind == 2) {
        uint32_t imm = *(const uint32_t *)at & 0xffffff;
        if (imm == 0x55) {               /* back from run_user: SVC mode at user_return */
            spsr_write(0xd3);
            regs[13] = (uint32_t)user_return;
        } else {
            swi_count++;
            swi_last = imm;
        }
        return;
    }
    if (access_take_abort(kind, regs))
        return;
    guest_printf("unexpected exception %u at %08x\n", kind, at);
    guest_exit(1);
}

struct acc {
    int fault, pabt;
    uint32_t fsr, far, value;
};

static struct acc access(int user, acc_fn fn, uint32_t va, uint32_t value)
{
    struct acc a = { 0 };
    uint32_t before = access_abort.count;

    CP15_WRITE(c6, 0, c0, 0, FAR_SENTINEL);
    access_expect(va);
    a.value = user ? run_user(fn, va, value) : fn(va, value);
    access_done();
    if (access_abort.count != before) {
        a.fault = 1;
        a.pabt = access_abort.kind == 3;
        a.fsr = access_abort.fsr;
        a.far = access_abort.far;
    }
    return a;
}

static void probe(const char *what, int user, acc_fn fn, uint32_t va, uint32_t value)
{
    struct acc a = access(user, fn, va, value);

    guest_printf("  %s %08x: ", what, va);
    if (!a.fault && (fn == acc_write || fn == acc_strt))
        guest_printf("ok\n");
    else if (!a.fault)
        guest_printf("ok %08x\n", a.value);
    else if (a.pabt)
        guest_printf("prefetch abort ifsr=%x, far %s\n", a.fsr,
                     a.far == FAR_SENTINEL ? "unchanged" : "CHANGED");
    else
        guest_printf("data abort fsr=%x far=%08x\n", a.fsr, a.far);
}

#define SVC_RD(va)      probe("svc read", 0, acc_read, va, 0)
#define USR_RD(va)      probe("usr read", 1, acc_read, va, 0)

static void fill(uint32_t pa, uint32_t words, uint32_t tag)
{
    for (uint32_t i = 0; i < words; i++)
        wr32(pa + 4 * i, tag | (4 * i));
}

/* A page of code at pa: `mov r0, #n; bx lr`. */
static void put_code(uint32_t pa, uint32_t n)
{
    wr32(pa, 0xe3a00000u | (n & 0xff));
    wr32(pa + 4, 0xe12fff1eu);
    icache_flush();
}

/* ---------------------------------------------------------------- the tests */
static void mmu_off_tests(void)
{
    guest_printf("mmu off:\n");
    wr32(PAGES_PA, 0x11223344u);
    wr32(PAGES_PA + 4, 0x55667788u);
    sctlr_set(SCTLR_A);
    probe("A=1 ldr", 0, acc_read, PAGES_PA + 1, 0);
    probe("A=1 ldrh", 0, acc_ldrh, PAGES_PA + 1, 0);
    probe("A=1 ldrh", 0, acc_ldrh, PAGES_PA + 2, 0);
    probe("A=1 ldr", 0, acc_read, PAGES_PA + 4, 0);
    probe("A=1 ldrd", 0, acc_ldrd, PAGES_PA + 0, 0);
    probe("A=1 ldrd", 0, acc_ldrd, PAGES_PA + 4, 0);
    probe("A=1 ldrd", 0, acc_ldrd, PAGES_PA + 2, 0);
    sctlr_set(0);
    probe("A=0 ldr", 0, acc_read, PAGES_PA + 1, 0);
    probe("A=0 ldrd", 0, acc_ldrd, PAGES_PA + 4, 0);
    probe("A=0 ldrd", 0, acc_ldrd, PAGES_PA + 2, 0);
    probe("A=0 ldm", 0, acc_ldm, PAGES_PA + 4, 0);
    probe("A=0 ldm", 0, acc_ldm, PAGES_PA + 2, 0);

    /* FCSE with the MMU off: VA 0x00100000 with PID 1 is MVA 0x02100000. */
    wr32(0x00100000u, 0x0010aaaau);
    wr32(FCSE_OFF_PA, 0x0210bbbbu);
    wr32(ROUTINE_PA + 0x100, 0x0300ccccu);
    {
        const uint32_t *src = (const uint32_t *)(uintptr_t)fcse_probe;
        uint32_t n = (uint32_t)(fcse_probe_end - (char *)(uintptr_t)fcse_probe) / 4;
        for (uint32_t i = 0; i < n; i++)
            wr32(ROUTINE_PA + 4 * i, src[i]);
        icache_flush();
        uint32_t (*routine)(uint32_t, uint32_t) = (uint32_t (*)(uint32_t, uint32_t))ROUTINE_PA;
        guest_printf("  fcse pid 0, read 00100000: %08x\n", routine(0, 0x00100000u));
        guest_printf("  fcse pid 1, read 00100000: %08x\n", routine(1u << 25, 0x00100000u));
        guest_printf("  fcse pid 1, read 03000100: %08x\n", routine(1u << 25, ROUTINE_PA + 0x100));
    }
}

static void build_tables(void)
{
    for (uint32_t i = 0; i < 4096; i++)
        l1[i] = 0;
    for (uint32_t mb = 0; mb < 8; mb++)                     /* RAM 0-8 MB, identity */
        l1[mb] = SECTION(mb << 20, DOM_KERNEL, 3u);
    l1[0x160] = SECTION(0x16000000u, DOM_KERNEL, 3u);       /* UART0 */
    l1[ROUTINE_PA >> 20] = SECTION(ROUTINE_PA, DOM_KERNEL, 3u);
    for (uint32_t i = 0; i < 256; i++)
        ct_a[i] = 0;
    l1[VA_SMALL >> 20] = COARSE(CT_A_PA, DOM_PAGES);
    ct_a[0] = SMALL(PAGES_PA + 0x1000, APS(3, 3, 3, 3));
    ct_a[1] = SMALL(PAGES_PA + 0x2000, APS(3, 3, 3, 3));
    for (uint32_t i = 0; i < 16; i++)
        ct_a[16 + i] = LARGE(LARGE_PA, APS(3, 2, 1, 0));
    l1[VA_SECT >> 20] = SECTION(SECT_PA, DOM_SECT, 3u);
    fill(PAGES_PA + 0x1000, 1024, 0x01000000u);
    fill(PAGES_PA + 0x2000, 1024, 0x02000000u);
    fill(PAGES_PA + 0x3000, 1024, 0x03000000u);
    fill(PAGES_PA + 0x4000, 1024, 0x04000000u);
    fill(PAGES_PA + 0x5000, 1024, 0x05000000u);
    fill(LARGE_PA, 16384, 0x50000000u);
    wr32(SECT_PA, 0x5ec70000u);
    wr32(SECT_PA + 0xffffc, 0x5ec7fffcu);
    CP15_WRITE(c2, 0, c0, 0, L1_PA);
    dacr_set(dacr_for(DACR_CLIENT, DACR_CLIENT));
    tlb_flush_all();
}

/* A device load answered with the MMU off (a flat translation, no table to watch) must not
 * answer for the same address once the MMU is on and a table maps RAM there. */
static void flat_key_tests(void)
{
    volatile uint32_t *x = (volatile uint32_t *)CT_X_PA;
    for (uint32_t i = 0; i < 256; i++)
        x[i] = 0;
    x[0] = SMALL(PAGES_PA + 0x1000, APS(3, 3, 3, 3));
    x[1] = SMALL(PAGES_PA + 0x2000, APS(3, 3, 3, 3));
    guest_printf("quick reads with the mmu off, then on over RAM:\n");
    for (unsigned i = 0; i < 3; i++)
        SVC_RD(CM_PA);
    l1[CM_PA >> 20] = COARSE(CT_X_PA, DOM_KERNEL);
    sctlr_set(SCTLR_M);
    SVC_RD(CM_PA + 0x1000);
    SVC_RD(CM_PA);
    SVC_RD(CM_PA);
    sctlr_set(0);
    l1[CM_PA >> 20] = 0;
}

static void translation_tests(void)
{
    guest_printf("sections and pages:\n");
    SVC_RD(VA_SECT);
    SVC_RD(VA_SECT + 0xffffc);
    SVC_RD(VA_SMALL);
    SVC_RD(VA_SMALL + 0x1ffc);
    SVC_RD(VA_LARGE);
    SVC_RD(VA_LARGE + 0x5004);
    SVC_RD(VA_LARGE + 0xfffc);

    guest_printf("remap and TLB maintenance:\n");
    ct_a[0] = SMALL(PAGES_PA + 0x3000, APS(3, 3, 3, 3));
    tlb_flush_mva(VA_SMALL);
    probe("svc read after c8,c7,1 (by MVA)", 0, acc_read, VA_SMALL, 0);
    ct_a[0] = SMALL(PAGES_PA + 0x4000, APS(3, 3, 3, 3));
    dtlb_flush_mva(VA_SMALL);
    probe("svc read after c8,c6,1 (D by MVA)", 0, acc_read, VA_SMALL, 0);
    ct_a[0] = SMALL(PAGES_PA + 0x5000, APS(3, 3, 3, 3));
    tlb_flush_all();
    probe("svc read after c8,c7,0 (all)", 0, acc_read, VA_SMALL, 0);
    l1[VA_SECT >> 20] = SECTION(LARGE_PA & 0xfff00000u, DOM_SECT, 3u);
    dtlb_flush_all();
    probe("svc read, section remapped, after c8,c6,0 (D all)", 0, acc_read, VA_SECT, 0);
    ct_a[0] = SMALL(PAGES_PA + 0x4000, APS(3, 3, 3, 3));
    dtlb_itlb_flush_all();
    probe("svc read after c8,c6,0 then c8,c5,0", 0, acc_read, VA_SMALL, 0);
    ct_a[0] = SMALL(PAGES_PA + 0x5000, APS(3, 3, 3, 3));
    tlb_flush_page(VA_SMALL);
    probe("svc read after c8,c6,1 then c8,c5,1", 0, acc_read, VA_SMALL, 0);
    probe("svc read page 1", 0, acc_read, VA_SMALL + 0x1000, 0);
    ct_a[0] = SMALL(PAGES_PA + 0x3000, APS(3, 3, 3, 3));
    ct_a[1] = SMALL(PAGES_PA + 0x4000, APS(3, 3, 3, 3));
    tlb_flush_two(VA_SMALL + 0x1000, VA_SMALL);
    probe("svc read page 0 after c8,c6,1 (page 1), c8,c5,1 (page 0)", 0, acc_read, VA_SMALL, 0);
    probe("svc read page 1 after them", 0, acc_read, VA_SMALL + 0x1000, 0);
    ct_a[1] = SMALL(PAGES_PA + 0x2000, APS(3, 3, 3, 3));
    l1[VA_SECT >> 20] = SECTION(SECT_PA, DOM_SECT, 3u);
    ct_a[0] = SMALL(PAGES_PA + 0x1000, APS(3, 3, 3, 3));
    tlb_flush_all();

    guest_printf("translation faults:\n");
    SVC_RD(VA_NOSECT);
    l1[VA_NOSECT >> 20] = 0x000001e0u;      /* a fault descriptor with domain bits 15 */
    tlb_flush_all();
    probe("svc read, fault descriptor 000001e0,", 0, acc_read, VA_NOSECT, 0);
    l1[VA_NOSECT >> 20] = 0;
    tlb_flush_all();
    SVC_RD(VA_SMALL + 0x2000);
    probe("svc write", 0, acc_write, VA_SMALL + 0x2004, 1);
    USR_RD(VA_SMALL + 0x2000);
}

/* Address-space switches as a kernel makes them (TTBR, then a TLB flush): table B shares A's
 * coarse table for VA_SMALL and has a coarse table of its own for VA_SECT's megabyte.  Entries
 * changed while their table is live, and while it is not (no TLB maintenance then), and a first
 * level entry changed in the table not in use, must all show after the switch. */
static void ttbr_switch(uint32_t l1_pa)
{
    __asm__ volatile("mcr p15, 0, %0, c2, c0, 0\n"   /* back to back, as Linux does it */
                     "mcr p15, 0, %1, c8, c7, 0\n"
                     :
                     : "r"(l1_pa), "r"(0)
                     : "memory");
}

static void address_space_tests(void)
{
    guest_printf("address-space switches:\n");
    for (uint32_t i = 0; i < 4096; i++)
        l1_b[i] = l1[i];
    for (uint32_t i = 0; i < 256; i++)
        ct_b[i] = 0;
    l1_b[VA_SECT >> 20] = COARSE(CT_B_PA, DOM_PAGES);
    ct_b[0] = SMALL(PAGES_PA + 0x4000, APS(3, 3, 3, 3));
    SVC_RD(VA_SMALL);
    SVC_RD(VA_SECT);
    ttbr_switch(L1_B_PA);
    SVC_RD(VA_SMALL);
    SVC_RD(VA_SECT);
    ct_a[0] = SMALL(PAGES_PA + 0x3000, APS(3, 3, 3, 3));   /* live in both */
    ttbr_switch(L1_PA);
    SVC_RD(VA_SMALL);
    SVC_RD(VA_SECT);
    ct_b[0] = SMALL(PAGES_PA + 0x5000, APS(3, 3, 3, 3));   /* B's own, B not in use */
    ttbr_switch(L1_B_PA);
    SVC_RD(VA_SMALL);
    SVC_RD(VA_SECT);
    l1[VA_SMALL >> 20] = COARSE(CT_B_PA, DOM_PAGES);       /* A's first level, A not in use */
    ttbr_switch(L1_PA);
    SVC_RD(VA_SMALL);
    ttbr_switch(L1_B_PA);
    ttbr_switch(L1_PA);
    SVC_RD(VA_SMALL);
    l1[VA_SMALL >> 20] = COARSE(CT_A_PA, DOM_PAGES);
    ct_a[0] = SMALL(PAGES_PA + 0x1000, APS(3, 3, 3, 3));
    tlb_flush_all();
    SVC_RD(VA_SMALL);
}

/* `stmia va, {r1}^` of a User r1 loaded with `ldmia {r1}^`: a store the VMM performs itself. */
static void stm_user_word(uint32_t va, uint32_t value)
{
    __asm__ volatile("ldmia %0, {r1}^\n"
                     "nop\n"
                     "stmia %1, {r1}^\n"
                     "nop\n"
                     :
                     : "r"(&value), "r"(va)
                     : "r1", "memory");
}

/* A table of an address space that is not running, changed with no TLB maintenance, as a kernel
 * changes another process's tables: the change must show when it runs again, whichever way the
 * store reached the table (a VMM that keeps the table across switches must see them all: the
 * identity map's section, with the kernel domain Client and Manager; another table's small page,
 * writable, and User read-only so that a kernel store to it is one the VMM makes; STM^).  Each
 * time B has run and been left twice first, so its table has been kept across switches. */
static void parked_table_tests(void)
{
    static const char *const how[] = { "identity section", "identity section, manager",
                                       "small page alias", "small page alias again",
                                       "read-only alias (svc)", "stm^",
                                       "alias read, then a store with its domain manager" };
    guest_printf("tables changed while not in use:\n");
    for (uint32_t i = 0; i < 256; i++)
        ct_alias[i] = 0;
    ct_alias[0] = SMALL(CT_B_PA, APS(3, 3, 3, 3));
    ct_alias[1] = SMALL(CT_B_PA, APS(2, 2, 2, 2));
    l1[VA_ALIAS >> 20] = l1_b[VA_ALIAS >> 20] = COARSE(CT_ALIAS_PA, DOM_PAGES);
    tlb_flush_all();
    SVC_RD(VA_ALIAS);   /* (a mapping of the table page made before it is kept) */
    for (uint32_t w = 0; w < sizeof(how) / sizeof(how[0]); w++) {
        uint32_t desc = SMALL(PAGES_PA + 0x1000 * (1 + w % 5), APS(3, 3, 3, 3));
        ttbr_switch(L1_B_PA);
        SVC_RD(VA_SECT);
        ttbr_switch(L1_PA);
        ttbr_switch(L1_B_PA);
        ttbr_switch(L1_PA);
        guest_printf("  %s:\n", how[w]);
        switch (w) {
        case 0:
            ct_b[0] = desc;
            break;
        case 1:
            dacr_set(dacr_for(DACR_CLIENT, DACR_CLIENT) | DACR_MANAGER << (2 * DOM_KERNEL));
            ct_b[0] = desc;
            dacr_set(dacr_for(DACR_CLIENT, DACR_CLIENT));
            break;
        case 2:
        case 3:   /* (the alias's mapping, made writable by the first, is older than the keep) */
            probe("svc write", 0, acc_write, VA_ALIAS, desc);
            break;
        case 4:
            probe("svc write", 0, acc_write, VA_ALIAS + 0x1000, desc);
            break;
        case 6:   /* (the Manager DACR known to the VMM first, so that the store meets it at once) */
            dacr_set(dacr_for(DACR_MANAGER, DACR_CLIENT));
            SVC_RD(VA_SMALL);
            dacr_set(dacr_for(DACR_CLIENT, DACR_CLIENT));
            SVC_RD(VA_ALIAS);
            dacr_set(dacr_for(DACR_MANAGER, DACR_CLIENT));
            *(volatile uint32_t *)VA_ALIAS = desc;
            dacr_set(dacr_for(DACR_CLIENT, DACR_CLIENT));
            break;
        default:
            stm_user_word(VA_ALIAS, desc);
            break;
        }
        ttbr_switch(L1_B_PA);
        SVC_RD(VA_SECT);
        ttbr_switch(L1_PA);
    }
    l1[VA_ALIAS >> 20] = 0;
    tlb_flush_all();
}

/* Both address spaces run eight times, each reading VA_MEMO and va. */
static void l1_memo_rounds(uint32_t va)
{
    for (unsigned i = 0; i < 8; i++) {
        ttbr_switch(L1_B_PA);
        (void)*(volatile uint32_t *)VA_MEMO;
        (void)*(volatile uint32_t *)va;
        ttbr_switch(L1_PA);
        (void)*(volatile uint32_t *)VA_MEMO;
        (void)*(volatile uint32_t *)va;
    }
}

/* A first-level table page whose entries in use are the same as the other address space's, as
 * a kernel's half of every process's table is: a VMM may stop comparing it at each switch once
 * it has seen it unchanged a few times.  Each round, after both spaces have run eight times
 * more, B's entry for VA_MEMO is changed while A runs, with no TLB maintenance (the switch
 * brings it), by each way a store reaches a table: the identity map's section (the kernel
 * domain Client, then Manager), a writable alias, a User read-only alias (a store the VMM
 * makes), STM^.  B must see it; then it is put back.  Then B points a megabyte both map with
 * one coarse table (A's) at its own, with no TLB maintenance, and uses a page there no TLB
 * holds; and it maps a megabyte A does not.  A must still see its own table, and fault in the
 * other megabyte.  Last, right after a switch into A that kept the page, A maps a megabyte
 * anew: the table it gets must not be the one of the page's megabyte kept. */
static void l1_memo_tests(void)
{
    static const char *const how[] = { "identity section", "identity section, manager",
                                       "alias", "read-only alias (svc)", "stm^" };
    const uint32_t slot = VA_MEMO >> 20, alias = VA_ALIAS + 0x2000;
    guest_printf("first-level pages the same in both address spaces:\n");
    for (uint32_t i = 0; i < 256; i++)
        ct_alias[i] = 0;
    ct_alias[2] = SMALL(L1_B_PA + 0x2000, APS(3, 3, 3, 3));   /* B's slots 2048-3071 */
    ct_alias[3] = SMALL(L1_B_PA + 0x2000, APS(2, 2, 2, 2));
    l1[VA_ALIAS >> 20] = l1_b[VA_ALIAS >> 20] = COARSE(CT_ALIAS_PA, DOM_PAGES);
    l1[slot] = l1_b[slot] = SECTION(SECT_PA, DOM_SECT, 3u);
    tlb_flush_all();
    for (uint32_t w = 0; w < sizeof(how) / sizeof(how[0]); w++) {
        uint32_t desc = SECTION(LARGE_PA, DOM_SECT, 3u), va = alias + slot % 1024 * 4u;
        l1_memo_rounds(VA_MEMO);
        guest_printf("  %s:\n", how[w]);
        SVC_RD(VA_MEMO);
        switch (w) {
        case 0:
            l1_b[slot] = desc;
            break;
        case 1:
            dacr_set(dacr_for(DACR_CLIENT, DACR_CLIENT) | DACR_MANAGER << (2 * DOM_KERNEL));
            l1_b[slot] = desc;
            dacr_set(dacr_for(DACR_CLIENT, DACR_CLIENT));
            break;
        case 2:
            probe("svc write", 0, acc_write, va, desc);
            break;
        case 3:
            probe("svc write", 0, acc_write, va + 0x1000, desc);
            break;
        default:
            stm_user_word(va, desc);
            break;
        }
        ttbr_switch(L1_B_PA);
        SVC_RD(VA_MEMO);
        ttbr_switch(L1_PA);
        SVC_RD(VA_MEMO);
        l1_b[slot] = SECTION(SECT_PA, DOM_SECT, 3u);
    }
    const uint32_t shared = VA_MEMO + 0x200000u;
    l1[slot + 2] = l1_b[slot + 2] = COARSE(CT_A_PA, DOM_PAGES);
    tlb_flush_all();
    l1_memo_rounds(shared);
    guest_printf("  B's own table where both had A's, unflushed:\n");
    ttbr_switch(L1_B_PA);
    ct_b[1] = SMALL(PAGES_PA + 0x3000, APS(3, 3, 3, 3));
    l1_b[slot + 2] = COARSE(CT_B_PA, DOM_PAGES);
    SVC_RD(shared + 0x1000u);
    ttbr_switch(L1_PA);
    SVC_RD(shared + 0x1000u);
    l1_b[slot + 2] = COARSE(CT_A_PA, DOM_PAGES);
    tlb_flush_all();
    l1_memo_rounds(shared);
    guest_printf("  a megabyte only B maps:\n");
    ttbr_switch(L1_B_PA);
    l1_b[slot + 1] = SECTION(LARGE_PA, DOM_SECT, 3u);
    SVC_RD(VA_MEMO + 0x100000u);
    ttbr_switch(L1_PA);
    SVC_RD(VA_MEMO + 0x100000u);
    l1_b[slot + 1] = 0;
    l1_memo_rounds(shared);
    guest_printf("  a new table in A right after a switch that kept the page:\n");
    l1[slot + 3] = COARSE(CT_B_PA, DOM_PAGES);
    SVC_RD(VA_MEMO + 0x300000u);
    SVC_RD(shared);
    ct_b[1] = 0;
    l1[VA_ALIAS >> 20] = l1_b[VA_ALIAS >> 20] = l1[slot] = l1_b[slot] = 0;
    l1[slot + 2] = l1_b[slot + 2] = l1[slot + 3] = 0;
    tlb_flush_all();
}

/* The top megabyte, which the VMM shares with the guest, in a page of slots both address
 * spaces have the same (a kernel's): a VMM keeping that page by its memo must still see B's
 * entry for the top megabyte changed while A runs. */
static void l1_memo_top_tests(void)
{
    const uint32_t sect = 0xc09u, top = 0xfffu, va = 0xffff1000u;   /* (0xffff0000: the VMM's) */
    volatile uint32_t *ct_hi2 = (volatile uint32_t *)CT_HI2_PA;
    guest_printf("the top megabyte in a first-level page the same in both spaces:\n");
    for (uint32_t i = 0; i < 256; i++)
        ct_hi[i] = ct_hi2[i] = 0;
    ct_hi[(va >> 12) & 0xff] = SMALL(HIVEC_PA, APS(3, 3, 3, 3));
    ct_hi2[(va >> 12) & 0xff] = SMALL(PAGES_PA + 0x1000, APS(3, 3, 3, 3));
    fill(HIVEC_PA, 8, 0x41500000u);
    l1[sect] = l1_b[sect] = SECTION(SECT_PA, DOM_SECT, 3u);
    l1[top] = l1_b[top] = COARSE(CT_HI_PA, DOM_PAGES);
    tlb_flush_all();
    for (unsigned i = 0; i < 8; i++) {
        ttbr_switch(L1_B_PA);
        (void)*(volatile uint32_t *)(sect << 20);
        (void)*(volatile uint32_t *)va;
        ttbr_switch(L1_PA);
        (void)*(volatile uint32_t *)(sect << 20);
        (void)*(volatile uint32_t *)va;
    }
    SVC_RD(va);
    l1_b[top] = COARSE(CT_HI2_PA, DOM_PAGES);
    ttbr_switch(L1_B_PA);
    SVC_RD(va);
    ttbr_switch(L1_PA);
    SVC_RD(va);
    l1[sect] = l1_b[sect] = l1[top] = l1_b[top] = 0;
    for (uint32_t i = 0; i < 256; i++)
        ct_hi[i] = ct_hi2[i] = 0;
    tlb_flush_all();
}

/* One address space, whole-TLB flushes only: a first-level page (slots 1024-2047) that stays
 * the same is kept by its memo; a coarse table in a later page of slots maps that page
 * writable.  A store through that alias must end the memo's watch, however the flush went
 * about the pages (it watches the first page while visiting them in order). */
static void l1_memo_alias_tests(void)
{
    const uint32_t slot = 0x40a, va = slot << 20, aslot = 0x80a;
    const uint32_t alias = (aslot << 20) + 0x4000 + slot % 1024 * 4u;
    guest_printf("a first-level page kept by its memo, written through an alias:\n");
    for (uint32_t i = 0; i < 256; i++)
        ct_alias[i] = 0;
    ct_alias[4] = SMALL(L1_PA + 0x1000, APS(3, 3, 3, 3));
    l1[aslot] = COARSE(CT_ALIAS_PA, DOM_PAGES);
    l1[slot] = SECTION(SECT_PA, DOM_SECT, 3u);
    tlb_flush_all();
    SVC_RD(va);
    SVC_RD(alias);
    for (unsigned i = 0; i < 8; i++) {
        tlb_flush_all();
        (void)*(volatile uint32_t *)va;
    }
    *(volatile uint32_t *)alias = SECTION(LARGE_PA, DOM_SECT, 3u);
    tlb_flush_all();
    SVC_RD(va);
    SVC_RD(alias);
    l1[slot] = l1[aslot] = 0;
    tlb_flush_all();
}

__attribute__((noinline)) static uint32_t dev_read(uint32_t va)
{
    return *(volatile uint32_t *)va;
}

/* The same load of a device register, before and after the guest points the first-level entry
 * of its megabyte at another coarse table (another device there) and flushes that page's TLB
 * entry by MVA: the second device must answer (a VMM that remembers the walk of the load must
 * see the change).  Once with the console between (its own device accesses), once with
 * nothing between the two loads. */
static void device_walk_tests(void)
{
    volatile uint32_t *x = (volatile uint32_t *)CT_X_PA, *y = (volatile uint32_t *)CT_Y_PA;
    for (uint32_t i = 0; i < 256; i++)
        x[i] = y[i] = 0;
    x[0] = y[0] = SMALL(PAGES_PA + 0x1000, APS(3, 3, 3, 3));
    x[1] = SMALL(0x16000000u, APS(3, 3, 3, 3));   /* UART0 */
    y[1] = SMALL(0x15000000u, APS(3, 3, 3, 3));   /* RTC */
    l1[VA_DEV >> 20] = COARSE(CT_X_PA, DOM_PAGES);
    tlb_flush_all();
    SVC_RD(VA_DEV);
    tlb_flush_all();
    tlb_flush_all();
    guest_printf("device walks: periphid0 %08x\n", dev_read(VA_DEV + 0x1fe0));
    guest_printf("device walks: periphid0 %08x\n", dev_read(VA_DEV + 0x1fe0));
    l1[VA_DEV >> 20] = COARSE(CT_Y_PA, DOM_PAGES);
    tlb_flush_mva(VA_DEV + 0x1000);
    guest_printf("device walks: after the L1 entry changed and a flush by MVA, periphid0 %08x\n",
                 dev_read(VA_DEV + 0x1fe0));
    uint32_t before = dev_read(VA_DEV + 0x1fe0);
    l1[VA_DEV >> 20] = COARSE(CT_X_PA, DOM_PAGES);
    tlb_flush_mva(VA_DEV + 0x1000);
    uint32_t after = dev_read(VA_DEV + 0x1fe0);
    guest_printf("device walks: back, with nothing between: periphid0 %08x, then %08x\n", before,
                 after);
    l1[VA_DEV >> 20] = 0;
    tlb_flush_all();
}

static void quick_reads(const char *when, unsigned n)
{
    guest_printf("quick reads, %s:\n", when);
    for (unsigned i = 0; i < n; i++)
        SVC_RD(VA_DEV + 0x1000);
}

/* A load at rd_code: `ldr r0, [r0]` (acc_read's word at another address: the same load), then
 * in its place `ldr r1, [r0]; mov r0, r1` (the value argument, 0, is r1 before the load). */
static uint32_t rd_code[3] __attribute__((aligned(16)));

static void rd_code_put(int second)
{
    rd_code[0] = second ? 0xe5901000u : 0xe5900000u;
    rd_code[1] = second ? 0xe1a00001u : 0xe12fff1eu;
    rd_code[2] = 0xe12fff1eu;
    icache_flush();
}

/* One load of a device register over and over (acc_read's, as a kernel reads its clock): the
 * VMM answers such loads on a short path after the first few, and must see every change to
 * what the load means, as the TLB would.  The megabyte's table (a RAM page, then the device)
 * is first read and found unchanged at a TLB flush (so the VMM watches it); then: a TLB flush
 * with nothing changed (the same device), the second-level entries changed and the whole TLB
 * flushed, the first-level entry changed and that page flushed by MVA, the second-level entry
 * flushed by MVA, the first-level entry changed and the whole TLB flushed, the next page, an
 * unaligned load in the key's page, the domain made NoAccess, another instruction at the same
 * address. */
static void quick_read_tests(void)
{
    volatile uint32_t *x = (volatile uint32_t *)CT_X_PA, *y = (volatile uint32_t *)CT_Y_PA;
    for (uint32_t i = 0; i < 256; i++)
        x[i] = y[i] = 0;
    x[0] = y[0] = SMALL(PAGES_PA + 0x1000, APS(3, 3, 3, 3));
    x[1] = SMALL(CM_PA, APS(3, 3, 3, 3));
    y[1] = SMALL(CM_PA, APS(3, 3, 3, 3));
    dacr_set(dacr_for(DACR_CLIENT, DACR_CLIENT));
    l1[VA_DEV >> 20] = COARSE(CT_X_PA, DOM_PAGES);
    tlb_flush_all();
    SVC_RD(VA_DEV);
    tlb_flush_all();
    tlb_flush_all();
    quick_reads("the core module", 3);
    tlb_flush_all();
    quick_reads("after a TLB flush", 2);
    x[0] = SMALL(PAGES_PA + 0x2000, APS(3, 3, 3, 3));   /* (an entry the VMM has used changes: */
    x[1] = SMALL(CP_CTRL_PA, APS(3, 3, 3, 3));          /* it stops watching the table) */
    tlb_flush_all();
    quick_reads("both pages remapped, the whole TLB flushed", 3);
    tlb_flush_all();
    quick_reads("after a TLB flush", 3);
    l1[VA_DEV >> 20] = COARSE(CT_Y_PA, DOM_PAGES);
    tlb_flush_mva(VA_DEV + 0x1000);
    quick_reads("another second-level table, flushed by MVA", 3);
    y[1] = SMALL(CP_CTRL_PA, APS(3, 3, 3, 3));
    tlb_flush_mva(VA_DEV + 0x1000);
    quick_reads("the page remapped, flushed by MVA", 3);
    tlb_flush_all();
    SVC_RD(VA_DEV);
    tlb_flush_all();
    tlb_flush_all();
    quick_reads("the second table found unchanged", 3);
    x[1] = SMALL(CM_PA, APS(3, 3, 3, 3));
    l1[VA_DEV >> 20] = COARSE(CT_X_PA, DOM_PAGES);
    tlb_flush_all();
    quick_reads("the first table back, the whole TLB flushed", 3);
    x[2] = SMALL(CP_CTRL_PA, APS(3, 3, 3, 3));
    SVC_RD(VA_DEV + 0x2000);
    SVC_RD(VA_DEV + 0x1002);
    dacr_set(dacr_for(DACR_NOACCESS, DACR_CLIENT));
    quick_reads("its domain NoAccess", 1);
    dacr_set(dacr_for(DACR_CLIENT, DACR_CLIENT));
    quick_reads("Client again", 2);
    rd_code_put(0);
    for (unsigned i = 0; i < 3; i++)
        probe("quick reads, ldr r0", 0, (acc_fn)(uintptr_t)rd_code, VA_DEV + 0x1000, 0);
    rd_code_put(1);
    probe("quick reads, ldr r1 at the same address", 0, (acc_fn)(uintptr_t)rd_code,
          VA_DEV + 0x1000, 0);
    l1[VA_DEV >> 20] = 0;
    tlb_flush_all();
}

/* A DACR write that gives access, then at once an access that needs it (a kernel's
 * uaccess_enable before copy_to_user): no other instruction between them. */
static void grant_then_access_tests(void)
{
    uint32_t value;
    dacr_set(dacr_for(DACR_NOACCESS, DACR_CLIENT));
    __asm__ volatile("mcr p15, 0, %1, c3, c0, 0\n"
                     "ldr %0, [%2]\n"
                     : "=&r"(value)
                     : "r"(dacr_for(DACR_CLIENT, DACR_CLIENT)), "r"(VA_SMALL + 4)
                     : "memory");
    guest_printf("read right after a DACR grant: %08x, dacr %08x\n", value,
                 CP15_READ(c3, 0, c0, 0));
}

/* System calls with a kernel's PAN (its first DACR write after a SWI takes User access away,
 * its last gives it back): `svc #1` returns r0 + 1; `svc #2` first reads the User word at r0,
 * before its PAN write, and returns that + 1.  The VMM takes the PAN DACR early at the SWI once
 * it has seen it; the read before the write must not notice.  `svc #0x55` ends run_user(). */
#define PAN_OPEN 0x111u  /* kernel, pages, section: Client (dacr_for(CLIENT, CLIENT)) */
#define PAN_SHUT 0x101u  /* pages: NoAccess */
void pan_swi(void);
uint32_t pan_user(uint32_t va, uint32_t calls);
__asm__(".text\n.arm\n"
        ".global pan_swi, pan_user\n"
        "pan_swi:\n"
        "  ldr r11, [lr, #-4]\n"
        "  and r11, r11, #0xff\n"
        "  cmp r11, #0x55\n"
        "  beq 1f\n"
        "  cmp r11, #2\n"
        "  ldreq r0, [r0]\n"
        "  ldr r11, =0x101\n"
        "  mcr p15, 0, r11, c3, c0, 0\n"
        "  add r0, r0, #1\n"
        "  ldr r11, =0x111\n"
        "  mcr p15, 0, r11, c3, c0, 0\n"
        "  movs pc, lr\n"
        "1:\n"
        "  mov r11, #0xd3\n"
        "  msr spsr_cxsf, r11\n"
        "  ldr lr, =user_return\n"
        "  movs pc, lr\n"
        /* User mode: calls times svc #1 and svc #2 on va; returns the sum of what they return */
        "pan_user:\n"
        "  push {r4-r6, lr}\n"
        "  mov r4, r0\n"
        "  mov r5, r1\n"
        "  mov r6, #0\n"
        "2:\n"
        "  mov r0, r4\n"
        "  svc #1\n"
        "  add r6, r6, r0\n"
        "  mov r0, r4\n"
        "  svc #2\n"
        "  add r6, r6, r0\n"
        "  subs r5, r5, #1\n"
        "  bne 2b\n"
        "  mov r0, r6\n"
        "  pop {r4-r6, pc}\n"
        ".ltorg\n");

static void pan_tests(void)
{
    _Static_assert(PAN_OPEN == ((DACR_CLIENT << (2 * DOM_KERNEL)) | (DACR_CLIENT << (2 * DOM_PAGES)) |
                                (DACR_CLIENT << (2 * DOM_SECT))), "PAN_OPEN");
    _Static_assert(PAN_SHUT == ((DACR_CLIENT << (2 * DOM_KERNEL)) | (DACR_CLIENT << (2 * DOM_SECT))),
                   "PAN_SHUT");
    volatile uint32_t *word;   /* guest_set_vector's table word for SWI (an address, not null) */
    __asm__("" : "=r"(word) : "0"(0x20u + 4u * 2u));
    uint32_t swi_handler = *word;
    wr32(PAGES_PA + 0x1000, 0x0badc0deu);
    guest_set_vector(2, pan_swi);
    uint32_t sum = run_user((acc_fn)pan_user, VA_SMALL, 50);
    guest_set_vector(2, (void (*)(void))swi_handler);
    guest_printf("system calls with PAN: sum %08x, dacr %08x\n", sum, CP15_READ(c3, 0, c0, 0));
}

static void domain_tests(void)
{
    guest_printf("domains:\n");
    for (uint32_t t = 0; t < 4; t++) {
        static const char *const names[] = { "noaccess", "client", "reserved", "manager" };
        guest_printf(" pages/section domain %s:\n", names[t]);
        dacr_set(dacr_for(t, t));
        SVC_RD(VA_SMALL);
        USR_RD(VA_SMALL);
        SVC_RD(VA_SECT);
        USR_RD(VA_SECT);
        SVC_RD(VA_SMALL + 0x2000);   /* invalid second-level entry: domain or translation first? */
    }
    dacr_set(dacr_for(DACR_CLIENT, DACR_CLIENT));
}

static void permission_tests(void)
{
    guest_printf("permissions:\n");
    static const char *const srname[] = { "s=0 r=0", "s=1 r=0", "s=0 r=1", "s=1 r=1" };
    for (uint32_t sr = 0; sr < 4; sr++) {
        guest_printf(" AP=0 section, %s:\n", srname[sr]);
        sctlr_set(SCTLR_M | (sr & 1 ? SCTLR_S : 0) | (sr & 2 ? SCTLR_R : 0));
        l1[VA_SECT >> 20] = SECTION(SECT_PA, DOM_SECT, 0u);
        tlb_flush_all();
        SVC_RD(VA_SECT);
        probe("svc write", 0, acc_write, VA_SECT + 4, 0x5ec70004u);
        USR_RD(VA_SECT);
        dacr_set(dacr_for(DACR_CLIENT, DACR_MANAGER));
        probe("usr write, manager domain,", 1, acc_write, VA_SECT + 4, 0x5ec70004u);
        dacr_set(dacr_for(DACR_CLIENT, DACR_CLIENT));
    }
    sctlr_set(SCTLR_M);
    l1[VA_SECT >> 20] = SECTION(SECT_PA, DOM_SECT, 1u);
    tlb_flush_all();
    guest_printf(" AP=1 section:\n");
    USR_RD(VA_SECT);
    probe("ldrt", 0, acc_ldrt, VA_SECT, 0);
    probe("strt", 0, acc_strt, VA_SECT + 4, 0);
    probe("svc write", 0, acc_write, VA_SECT + 4, 0x5ec70004u);
    l1[VA_SECT >> 20] = SECTION(SECT_PA, DOM_SECT, 2u);
    tlb_flush_all();
    guest_printf(" AP=2 section:\n");
    USR_RD(VA_SECT);
    probe("usr write", 1, acc_write, VA_SECT + 4, 0x5ec70004u);
    probe("strt", 0, acc_strt, VA_SECT + 4, 0x5ec70004u);
    probe("svc write", 0, acc_write, VA_SECT + 4, 0x5ec70004u);
    l1[VA_SECT >> 20] = SECTION(SECT_PA, DOM_SECT, 3u);
    tlb_flush_all();

    guest_printf(" subpages of a small page (AP 3,2,1,0):\n");
    ct_a[0] = SMALL(PAGES_PA + 0x1000, APS(3, 2, 1, 0));
    tlb_flush_mva(VA_SMALL);
    for (uint32_t sp = 0; sp < 4; sp++) {
        uint32_t va = VA_SMALL + sp * 0x400 + 0x10;
        probe("usr read", 1, acc_read, va, 0);
        probe("usr write", 1, acc_write, va, 0x01000010u + sp * 0x400);
        probe("svc write", 0, acc_write, va, 0x01000010u + sp * 0x400);
    }
    ct_a[0] = SMALL(PAGES_PA + 0x1000, APS(3, 3, 3, 3));
    tlb_flush_mva(VA_SMALL);
    guest_printf(" subpages of a large page (AP 3,2,1,0):\n");
    for (uint32_t sp = 0; sp < 4; sp++) {
        uint32_t va = VA_LARGE + sp * 0x4000 + 0x20;
        probe("usr read", 1, acc_read, va, 0);
        probe("usr write", 1, acc_write, va, 0x50000020u + sp * 0x4000);
    }
}

/* A kernel's exception exit, `ldmia sp, {r0-pc}^` (a VMM may read the frame itself, with the
 * kernel's permissions, and must give the abort the guest's MMU gives). */
static void svc_exit_tests(void)
{
    static const uint32_t at[] = { VA_SMALL + 0x100, VA_SMALL + 0xfe0 };   /* the second: across
                                                                               two pages */
    guest_printf("exception exit by ldm {r0-pc}^:\n");
    for (unsigned k = 0; k < 2; k++) {
        uint32_t pa = PAGES_PA + 0x1000 + (at[k] - VA_SMALL);   /* (VA_SMALL + 0x1000 is */
        for (unsigned i = 0; i < 15; i++)                        /*  PAGES_PA + 0x2000) */
            wr32(pa + 4 * i, 0x01010101u * (i + 1) + k);
        wr32(pa + 4 * 15, (uint32_t)svc_exit_back);
        tlb_flush_all();   /* (no TLB entry for the frame yet) */
        probe("svc ldm ^, frame", 0, acc_svc_exit, at[k], 0);
        SVC_RD(at[k]);          /* now in the TLB (a VMM's shadow): its pages read through */
        SVC_RD(at[k] + 0x3c);
        probe("svc ldm ^, frame again", 0, acc_svc_exit, at[k], 0);
    }
    probe("svc ldm ^, no page", 0, acc_svc_exit, VA_NOPAGE, 0);
    probe("svc ldm ^, unaligned", 0, acc_svc_exit, VA_SMALL + 0x102, 0);
    ct_a[0] = SMALL(PAGES_PA + 0x1000, APS(1, 1, 1, 1));
    tlb_flush_all();
    probe("svc ldm ^, AP=1", 0, acc_svc_exit, VA_SMALL + 0x100, 0);
    ct_a[0] = SMALL(PAGES_PA + 0x1000, APS(0, 0, 0, 0));
    tlb_flush_all();
    probe("svc ldm ^, AP=0", 0, acc_svc_exit, VA_SMALL + 0x100, 0);
    ct_a[0] = SMALL(PAGES_PA + 0x1000, APS(3, 3, 3, 3));
    tlb_flush_all();
}

static void alignment_tests(void)
{
    guest_printf("alignment (mmu on):\n");
    sctlr_set(SCTLR_M | SCTLR_A);
    probe("A=1 ldr", 0, acc_read, VA_SECT + 2, 0);
    probe("A=1 ldrh", 0, acc_ldrh, VA_SECT + 3, 0);
    probe("A=1 ldrh", 0, acc_ldrh, VA_SECT + 2, 0);
    probe("A=1 ldr, unmapped,", 0, acc_read, VA_NOSECT + 1, 0);
    probe("A=1 usr ldr, priv-only page,", 1, acc_read, VA_SECT + 1, 0);
    sctlr_set(SCTLR_M);
    probe("A=0 ldrh", 0, acc_ldrh, VA_SECT + 2, 0);
    probe("A=0 ldm", 0, acc_ldm, VA_SECT + 2, 0);
}

static void prefetch_tests(void)
{
    guest_printf("prefetch aborts:\n");
    put_code(PAGES_PA + 0x2000, 0x42);
    probe("svc fetch", 0, acc_fetch, VA_SMALL + 0x1000, 0);
    probe("usr fetch", 1, acc_fetch, VA_SMALL + 0x1000, 0);
    probe("svc fetch, no section,", 0, acc_fetch, VA_NOSECT, 0);
    probe("svc fetch, invalid page,", 0, acc_fetch, VA_SMALL + 0x2000, 0);
    ct_a[1] = SMALL(PAGES_PA + 0x2000, APS(1, 1, 1, 1));
    tlb_flush_all();
    probe("usr fetch, AP=1,", 1, acc_fetch, VA_SMALL + 0x1000, 0);
    probe("svc fetch, AP=1,", 0, acc_fetch, VA_SMALL + 0x1000, 0);
    dacr_set(dacr_for(DACR_NOACCESS, DACR_CLIENT));
    probe("svc fetch, noaccess domain,", 0, acc_fetch, VA_SMALL + 0x1000, 0);
    dacr_set(dacr_for(DACR_CLIENT, DACR_CLIENT));
    ct_a[1] = SMALL(PAGES_PA + 0x2000, APS(3, 3, 3, 3));
    tlb_flush_all();
    probe("svc fetch", 0, acc_fetch, VA_SMALL + 0x1000, 0);
    put_code(PAGES_PA + 0x6000, 0x43);
    ct_a[1] = SMALL(PAGES_PA + 0x6000, APS(3, 3, 3, 3));
    CP15_WRITE(c8, 0, c5, 1, VA_SMALL + 0x1000);     /* I-TLB by MVA */
    probe("svc fetch, code remapped, after c8,c5,1 (I by MVA),", 0, acc_fetch, VA_SMALL + 0x1000, 0);
    put_code(PAGES_PA + 0x7000, 0x44);
    ct_a[1] = SMALL(PAGES_PA + 0x7000, APS(3, 3, 3, 3));
    CP15_WRITE(c8, 0, c5, 0, 0);                     /* I-TLB all */
    probe("usr fetch, code remapped, after c8,c5,0 (I all),", 1, acc_fetch, VA_SMALL + 0x1000, 0);
    ct_a[1] = SMALL(PAGES_PA + 0x2000, APS(3, 3, 3, 3));
    tlb_flush_all();
    /* A cache-line operation in a page's last word, the code going on into the next page,
     * which the tables map but no access has touched yet (a VMM must not read ahead there as
     * if it were sure to be mapped). */
    wr32(PAGES_PA + 0x6ffc, 0xee070f9au);            /* mcr p15, 0, r0, c7, c10, 4 */
    put_code(PAGES_PA + 0x7000, 0x45);
    ct_a[6] = SMALL(PAGES_PA + 0x6000, APS(3, 3, 3, 3));
    ct_a[7] = SMALL(PAGES_PA + 0x7000, APS(3, 3, 3, 3));
    tlb_flush_all();
    uint32_t (*at_page_end)(void) = (uint32_t (*)(void))(VA_SMALL + 0x6ffc);
    guest_printf("a line operation in a page's last word, then the next page: r0 %x\n",
                 at_page_end());
    ct_a[6] = ct_a[7] = 0;
    tlb_flush_all();
}

static void unbacked_tests(void)
{
    guest_printf("unbacked physical addresses:\n");
    l1[VA_UNBACKED >> 20] = SECTION(UNBACKED_PA, DOM_SECT, 3u);
    l1[VA_BADTABLE >> 20] = COARSE(CT_BAD_PA, DOM_PAGES);
    tlb_flush_all();
    SVC_RD(VA_UNBACKED);
    probe("svc write", 0, acc_write, VA_UNBACKED, 0x12345678u);
    SVC_RD(VA_UNBACKED);
    SVC_RD(VA_BADTABLE);
    probe("svc fetch", 0, acc_fetch, VA_BADTABLE, 0);
    l1[VA_UNBACKED >> 20] = 0;
    l1[VA_BADTABLE >> 20] = 0;
    tlb_flush_all();
}

static void fine_tests(void)
{
    guest_printf("fine table, tiny pages:\n");
    for (uint32_t i = 0; i < 1024; i++)
        ft[i] = 0;
    ft[0] = TINY(PAGES_PA + 0x4000, 3u);
    ft[1] = TINY(PAGES_PA + 0x4c00, 2u);
    for (uint32_t i = 4; i < 8; i++)                  /* a small page in a fine table */
        ft[i] = SMALL(PAGES_PA + 0x5000, APS(3, 3, 2, 2));
    l1[VA_FINE >> 20] = FINE(FT_PA, DOM_PAGES);
    ct_a[2] = TINY(PAGES_PA + 0x4000, 3u);           /* a tiny page in a coarse table */
    tlb_flush_all();
    SVC_RD(VA_FINE);
    SVC_RD(VA_FINE + 0x404);
    probe("usr write, tiny AP=2,", 1, acc_write, VA_FINE + 0x404, 0);
    SVC_RD(VA_FINE + 0x800);
    SVC_RD(VA_FINE + 0x1000);
    SVC_RD(VA_FINE + 0x1c08);
    probe("usr write, subpage AP=2,", 1, acc_write, VA_FINE + 0x1c08, 0);
    SVC_RD(VA_SMALL + 0x2000);
    probe("svc read, tiny entry in a coarse table,", 0, acc_read, VA_SMALL + 0x2000, 0);
    ct_a[2] = 0;
    l1[VA_FINE >> 20] = 0;
    tlb_flush_all();
}

static void fcse_tests(void)
{
    guest_printf("fcse (mmu on):\n");
    l1[0x020] = SECTION(0, DOM_KERNEL, 3u);          /* MVA 0x02000000 -> PA 0: code, data */
    l1[0x021] = SECTION(FCSE_PA, DOM_KERNEL, 3u);    /* MVA 0x02100000 */
    wr32(FCSE_PA, 0x0700dddd);
    tlb_flush_all();
    CP15_WRITE(c13, 0, c0, 0, 1u << 25);
    guest_printf("  pid register %08x\n", CP15_READ(c13, 0, c0, 0));
    SVC_RD(0x00100000u);
    USR_RD(0x00100000u);
    SVC_RD(VA_SECT);
    SVC_RD(0x00200000u);       /* MVA 0x02200000: unmapped; which address does FAR hold? */
    SVC_RD(0x01f00000u);       /* MVA 0x03f00000 */
    CP15_WRITE(c13, 0, c0, 0, 0);
    SVC_RD(0x00100000u);
    l1[0x020] = 0;
    l1[0x021] = 0;
    tlb_flush_all();
}

static void high_vector_tests(void)
{
    guest_printf("high vectors:\n");
    uint32_t n = (uint32_t)(guest_vector_table_end - guest_vector_table);
    for (uint32_t i = 0; i < n; i++)
        wr32(HIVEC_PA + 4 * i, guest_vector_table[i]);
    wr32(HIVEC_PA + 40, (uint32_t)hv_swi);
    wr32(HIVEC_PA + 48, (uint32_t)hv_dabt);
    for (uint32_t i = 0; i < 256; i++)
        ct_hi[i] = 0;
    ct_hi[0xf0] = SMALL(HIVEC_PA, APS(1, 1, 1, 1));
    l1[0xfff] = COARSE(CT_HI_PA, DOM_KERNEL);
    icache_flush();
    tlb_flush_all();
    probe("usr read, AP=1,", 1, acc_read, 0xffff0000u, 0);
    SVC_RD(0xffff0000u);
    sctlr_set(SCTLR_M | SCTLR_V);
    __asm__ volatile("svc #0x77" ::: "lr", "memory");
    SVC_RD(VA_NOSECT);
    sctlr_set(SCTLR_M);
    __asm__ volatile("svc #0x78" ::: "lr", "memory");
    SVC_RD(VA_NOSECT);
    guest_printf("  swis %u (last #%x), through the high vectors: swi %u, data abort %u\n",
                 swi_count, swi_last, hv_swi_count, hv_dabt_count);
}

int main(void)
{
    guest_install_vectors();
    guest_setup_stacks();
    sctlr_base = CP15_READ(c1, 0, c0, 0) & ~(SCTLR_M | SCTLR_A | SCTLR_S | SCTLR_R | SCTLR_V);

    mmu_off_tests();
    build_tables();
    flat_key_tests();
    sctlr_set(SCTLR_M);
    guest_printf("mmu on\n");
    translation_tests();
    address_space_tests();
    grant_then_access_tests();
    pan_tests();
    parked_table_tests();
    l1_memo_tests();
    l1_memo_top_tests();
    l1_memo_alias_tests();
    device_walk_tests();
    quick_read_tests();
    domain_tests();
    permission_tests();
    svc_exit_tests();
    alignment_tests();
    prefetch_tests();
    unbacked_tests();
    fine_tests();
    fcse_tests();
    high_vector_tests();
    sctlr_set(0);
    guest_printf("mmu off, done\n");
    return 0;
}
