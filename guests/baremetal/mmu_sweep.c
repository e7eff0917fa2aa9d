/* The MMU permission sweep: every AP (0-3) x domain type (NoAccess, Client, Reserved, Manager)
 * x SCTLR S/R (00, 10, 01, 11) on one test page -- a small page in a coarse table, then a
 * section -- and for each, eight accesses: read, write and instruction fetch from SVC mode, the
 * same from User mode, and LDRT/STRT from SVC mode.  One line per page/AP/domain/S-R case:
 *
 *   page ap=1 dom=C sr=00: svc r:ok w:ok x:ok usr r:5f w:5f x:5f ldrt:5f strt:5f
 *
 * sr=<S><R> gives the SCTLR S and R bits; dom the DACR type of the test domain (N NoAccess, C Client,
 * R reserved, M Manager).  "ok" is a completed access (the value read, the word written and the code run are checked);
 * otherwise the fault status register as the abort handler read it (DFSR for data, IFSR for
 * fetches): domain in bits [7:4], status in [3:0].  Anything unexpected is appended to the token:
 * "@XXXXXXXX" a FAR other than the accessed address (for a prefetch abort: FAR changed at all),
 * "=XXXXXXXX" a wrong value read or returned by the fetched code, "!" a write that reached
 * memory although it faulted or did not although it completed.
 *
 * The hardware model is the oracle: tests/fixtures/mmu_sweep.native.txt is this guest's output
 * on QEMU's integratorcp, which the walker (vmm/core/guest_ptw.c, test_guest_ptw) reproduces and
 * which the guest must print identically under the VMM. */
#include "access.h"
#include "cpu.h"
#include "guest.h"

#define L1_PA        0x00200000u   /* first-level table */
#define CT_PA        0x00204000u   /* coarse table of the test page */
#define PAGE_PA      0x00300000u   /* the small test page */
#define SECT_PA      0x00400000u   /* the test section */
#define VA_PAGE      0x40000000u
#define VA_SECT      0x40100000u
#define DOM_TEST     5u
#define FAR_SENTINEL 0x0badfa00u

/* Offsets in the test page/section: code `mov r0, #0x5a; bx lr` at 0, data to read at 8, the
 * word written at 12. */
#define OFF_CODE 0u
#define OFF_READ 8u
#define OFF_WRITE 12u

#define SECTION(pa, dom, ap)  (((pa) & 0xfff00000u) | ((ap) << 10) | ((dom) << 5) | 0x12u)
#define COARSE(pa, dom)       (((pa) & 0xfffffc00u) | ((dom) << 5) | 0x11u)
#define SMALL(pa, ap)         (((pa) & 0xfffff000u) | ((ap) * 0x55u << 4) | 2u)

#define SCTLR_M (1u << 0)
#define SCTLR_A (1u << 1)
#define SCTLR_S (1u << 8)
#define SCTLR_R (1u << 9)
#define SCTLR_V (1u << 13)

static volatile uint32_t *const l1 = (volatile uint32_t *)L1_PA;
static volatile uint32_t *const ct = (volatile uint32_t *)CT_PA;

static inline void wr32(uint32_t pa, uint32_t v) { *(volatile uint32_t *)pa = v; }
static inline uint32_t rd32(uint32_t pa) { return *(volatile uint32_t *)pa; }

/* ---------------------------------------------------------------- exceptions */

void guest_exception(uint32_t kind, uint32_t *regs)
{
    uint32_t at = regs[13] - 4;   /* SWI, data abort: the instruction; prefetch: its address */

    if (kind == 2 && (*(const uint32_t *)at & 0xffffff) == 0x55) {
        spsr_write(0xd3);         /* back from run_user: SVC mode, IRQ/FIQ masked */
        regs[13] = (uint32_t)user_return;
        return;
    }
    if (access_take_abort(kind, regs))
        return;
    guest_printf("unexpected exception %u at %08x\n", kind, at);
    guest_exit(1);
}

/* ---------------------------------------------------------------- one access */
enum kind { RD, WR, FETCH };

static uint32_t cases;

static void one(const char *name, int user, acc_fn fn, enum kind k, uint32_t va, uint32_t pa)
{
    uint32_t before = access_abort.count, value = 0x77000000u | cases, got;

    cases++;
    if (k == WR)
        wr32(pa + OFF_WRITE, 0);
    CP15_WRITE(c6, 0, c0, 0, FAR_SENTINEL);
    uint32_t addr = va + (k == RD ? OFF_READ : k == WR ? OFF_WRITE : OFF_CODE);
    access_expect(addr);
    got = user ? run_user(fn, addr, value) : fn(addr, value);
    access_done();

    guest_printf(" %s:", name);
    if (access_abort.count == before) {
        guest_printf("ok");
        if (k == RD && got != rd32(pa + OFF_READ))
            guest_printf("=%08x", got);
        if (k == FETCH && got != 0x5a)
            guest_printf("=%08x", got);
        if (k == WR && rd32(pa + OFF_WRITE) != value)
            guest_printf("!");
        return;
    }
    guest_printf("%02x", access_abort.fsr);
    if (access_abort.kind == 3 ? access_abort.far != FAR_SENTINEL : access_abort.far != addr)
        guest_printf("@%08x", access_abort.far);
    if (k == WR && rd32(pa + OFF_WRITE) != 0)
        guest_printf("!");
}

static uint32_t sctlr_base;

static void sweep(const char *variant, uint32_t va, uint32_t pa)
{
    static const char dom_name[] = { 'N', 'C', 'R', 'M' };
    static const uint32_t sr_bits[] = { 0, SCTLR_S, SCTLR_R, SCTLR_S | SCTLR_R };
    static const char *const sr_name[] = { "00", "10", "01", "11" };

    wr32(pa + OFF_CODE, 0xe3a0005au);       /* mov r0, #0x5a */
    wr32(pa + OFF_CODE + 4, 0xe12fff1eu);   /* bx lr */
    wr32(pa + OFF_READ, 0xc0de0000u | (pa >> 16));
    CP15_WRITE(c7, 0, c5, 0, 0);            /* invalidate the I-cache */

    for (uint32_t ap = 0; ap < 4; ap++) {
        for (uint32_t dom = 0; dom < 4; dom++) {
            for (uint32_t sr = 0; sr < 4; sr++) {
                ct[0] = SMALL(PAGE_PA, ap);
                l1[VA_SECT >> 20] = SECTION(SECT_PA, DOM_TEST, ap);
                CP15_WRITE(c1, 0, c0, 0, sctlr_base | SCTLR_M | sr_bits[sr]);
                CP15_WRITE(c3, 0, c0, 0, 1u | (dom << (2 * DOM_TEST)));
                CP15_WRITE(c8, 0, c7, 0, 0);
                guest_printf("%s ap=%u dom=%c sr=%s: svc", variant, ap, dom_name[dom],
                             sr_name[sr]);
                one("r", 0, acc_read, RD, va, pa);
                one("w", 0, acc_write, WR, va, pa);
                one("x", 0, acc_fetch, FETCH, va, pa);
                guest_printf(" usr");
                one("r", 1, acc_read, RD, va, pa);
                one("w", 1, acc_write, WR, va, pa);
                one("x", 1, acc_fetch, FETCH, va, pa);
                one("ldrt", 0, acc_ldrt, RD, va, pa);
                one("strt", 0, acc_strt, WR, va, pa);
                guest_printf("\n");
            }
        }
    }
}

int main(void)
{
    guest_install_vectors();
    guest_setup_stacks();
    sctlr_base = CP15_READ(c1, 0, c0, 0) & ~(SCTLR_M | SCTLR_A | SCTLR_S | SCTLR_R | SCTLR_V);

    /* RAM 0-8 MB and UART0 identity-mapped in domain 0 (Client), AP=3; the test page is a small
     * page in a coarse table at VA_PAGE, the test section at VA_SECT, both in DOM_TEST. */
    for (uint32_t i = 0; i < 4096; i++)
        l1[i] = 0;
    for (uint32_t mb = 0; mb < 8; mb++)
        l1[mb] = SECTION(mb << 20, 0u, 3u);
    l1[0x160] = SECTION(0x16000000u, 0u, 3u);
    for (uint32_t i = 0; i < 256; i++)
        ct[i] = 0;
    l1[VA_PAGE >> 20] = COARSE(CT_PA, DOM_TEST);
    CP15_WRITE(c2, 0, c0, 0, L1_PA);
    CP15_WRITE(c3, 0, c0, 0, 1u);
    CP15_WRITE(c8, 0, c7, 0, 0);

    guest_printf("mmu sweep: page = small page at %08x in a coarse table, sect = section at %08x,"
                 " domain %u\n", VA_PAGE, VA_SECT, DOM_TEST);
    sweep("page", VA_PAGE, PAGE_PA);
    sweep("sect", VA_SECT, SECT_PA);
    CP15_WRITE(c1, 0, c0, 0, sctlr_base);
    guest_printf("sweep: %u cases\n", cases);
    return 0;
}
