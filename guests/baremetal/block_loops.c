/* A kernel's page copy and page clear loops, with a cache-line operation per line (Linux's
 * v4wb_copy_user_highpage and v4wb_clear_user_highpage), with the MMU on: whole pages, ranges
 * that start mid-page and cross a page boundary, a list of three registers, a single iteration,
 * and the cases the VMM leaves to the guest (cache_batch.h, guest_block.c): a source running
 * into an unmapped page, a destination in a NoAccess domain, a page with a 1 KB subpage no mode
 * may access (as source, as destination, cleared), source and destination the same physical
 * page under two addresses.  Aborts inside the loops resume at the next instruction
 * (the base register of an aborted LDM/STM is restored), so the faulting cases run to the end.
 *
 * It prints the registers and flags each loop leaves, its aborts (count, last FSR and FAR) and
 * checksums of the pages: identical on the bare board and under the VMM, where the loops that
 * qualify run in the VMM in one go after their first line operation traps. */
#include "cpu.h"
#include "guest.h"

#define L1_PA     0x00200000u   /* 16 KB first-level table */
#define CT_PA     0x00204000u   /* coarse table of the test megabyte */
#define PAGES_PA  0x00300000u   /* the test pages' memory */
#define TEST_VA   0x40000000u   /* the test megabyte: page n at TEST_VA + n * 4 KB */
#define PAGE      0x1000u

#define DOM_KERNEL 0u
#define DOM_PAGES  1u
#define DOM_CLOSED 2u            /* NoAccess: page 4 */

#define SECTION(pa)          (((pa) & 0xfff00000u) | (3u << 10) | (DOM_KERNEL << 5) | 0x12u)
#define COARSE(pa, dom)      (((pa) & 0xfffffc00u) | ((dom) << 5) | 0x11u)
#define SMALL_RW(pa)         (((pa) & 0xfffff000u) | 0xff0u | 2u)

/* The test megabyte: pages 0-2 and 6-7 RAM of their own, 3 unmapped, 4 in a NoAccess domain
 * (through a second coarse table), 5 the same physical page as 0, 8 a page whose third 1 KB
 * subpage no mode may access (AP=0, SCTLR.S and R clear). */
static uint32_t page_pa(unsigned n)
{
    return n == 5 ? PAGES_PA : PAGES_PA + n * PAGE;
}

#define SMALL_SUBPAGE2_SHUT(pa) (((pa) & 0xfffff000u) | 0xcf0u | 2u)   /* APs 3, 3, 0, 3 */

static uint32_t va(unsigned page, uint32_t offset)
{
    return TEST_VA + page * PAGE + offset;
}

/* Each loop takes and leaves its registers in state[]: r0, r1, r2, then the list, then (out)
 * the CPSR flags. */
void copy_page_loop(uint32_t *state), clear_page_loop(uint32_t *state),
    fill3_loop(uint32_t *state);
extern char loops_start[], loops_end[];
__asm__(
    ".text\n.arm\n"
    "loops_start:\n"
    /* copy: r0 count, r1 dst, r2 src; r3 r4 ip lr data (state[3..6]); state[7] flags */
    ".global copy_page_loop\n"
    "copy_page_loop:\n"
    "   push {r4-r11, lr}\n"
    "   mov r11, r0\n"
    "   ldm r11, {r0, r1, r2}\n"
    "   ldmia r2!, {r3, r4, ip, lr}\n"
    "1: mcr p15, 0, r1, c7, c6, 1\n"
    "   stmia r1!, {r3, r4, ip, lr}\n"
    "   ldmia r2!, {r3, r4, ip, lr}\n"
    "   stmia r1!, {r3, r4, ip, lr}\n"
    "   ldmia r2!, {r3, r4, ip, lr}\n"
    "   mcr p15, 0, r1, c7, c6, 1\n"
    "   stmia r1!, {r3, r4, ip, lr}\n"
    "   ldmia r2!, {r3, r4, ip, lr}\n"
    "   subs r0, r0, #1\n"
    "   stmia r1!, {r3, r4, ip, lr}\n"
    "   ldmneia r2!, {r3, r4, ip, lr}\n"
    "   bne 1b\n"
    "   mrs r5, cpsr\n"
    "   stm r11, {r0, r1, r2, r3, r4, ip, lr}\n"
    "   str r5, [r11, #28]\n"
    "   pop {r4-r11, pc}\n"
    /* clear: r0 dst, r1 count; r2 r3 ip lr the pattern (state[2..5]); state[6] flags */
    ".global clear_page_loop\n"
    "clear_page_loop:\n"
    "   push {r4-r11, lr}\n"
    "   mov r11, r0\n"
    "   ldm r11, {r0, r1, r2, r3, ip, lr}\n"
    "1: mcr p15, 0, r0, c7, c6, 1\n"
    "   stmia r0!, {r2, r3, ip, lr}\n"
    "   stmia r0!, {r2, r3, ip, lr}\n"
    "   mcr p15, 0, r0, c7, c6, 1\n"
    "   stmia r0!, {r2, r3, ip, lr}\n"
    "   stmia r0!, {r2, r3, ip, lr}\n"
    "   subs r1, r1, #1\n"
    "   bne 1b\n"
    "   mrs r5, cpsr\n"
    "   stm r11, {r0, r1, r2, r3, ip, lr}\n"
    "   str r5, [r11, #24]\n"
    "   pop {r4-r11, pc}\n"
    /* the same with three registers: r0 dst, r1 count; r2 r3 r4 (state[2..4]); state[5] */
    ".global fill3_loop\n"
    "fill3_loop:\n"
    "   push {r4-r11, lr}\n"
    "   mov r11, r0\n"
    "   ldm r11, {r0, r1, r2, r3, r4}\n"
    "1: mcr p15, 0, r0, c7, c6, 1\n"
    "   stmia r0!, {r2, r3, r4}\n"
    "   stmia r0!, {r2, r3, r4}\n"
    "   subs r1, r1, #1\n"
    "   bne 1b\n"
    "   mrs r5, cpsr\n"
    "   stm r11, {r0, r1, r2, r3, r4}\n"
    "   str r5, [r11, #20]\n"
    "   pop {r4-r11, pc}\n"
    "loops_end:\n");

static volatile uint32_t aborts, last_fsr, last_far;

void guest_exception(uint32_t kind, uint32_t *regs)
{
    uint32_t at = regs[13] - 4;   /* data abort: the instruction; resume after it */
    if (kind == 4 && at >= (uint32_t)loops_start && at < (uint32_t)loops_end) {
        aborts++;
        last_fsr = CP15_READ(c5, 0, c0, 0);
        last_far = CP15_READ(c6, 0, c0, 0);
        return;
    }
    guest_printf("unexpected exception %u at %08x\n", kind, at);
    guest_exit(1);
}

static void build_tables(void)
{
    volatile uint32_t *l1 = (volatile uint32_t *)L1_PA, *ct = (volatile uint32_t *)CT_PA;
    volatile uint32_t *closed = ct + 256;   /* the second coarse table, for page 4's megabyte */
    for (uint32_t i = 0; i < 4096; i++)
        l1[i] = 0;
    for (uint32_t mb = 0; mb < 8; mb++)
        l1[mb] = SECTION(mb << 20);
    l1[0x160] = SECTION(0x16000000u);   /* UART0 */
    for (uint32_t i = 0; i < 512; i++)
        ct[i] = 0;
    for (unsigned n = 0; n < 8; n++)
        if (n != 3 && n != 4)
            ct[n] = SMALL_RW(page_pa(n));
    ct[8] = SMALL_SUBPAGE2_SHUT(page_pa(8));
    l1[TEST_VA >> 20] = COARSE(CT_PA, DOM_PAGES);
    closed[4] = SMALL_RW(page_pa(4));
    l1[(TEST_VA >> 20) + 1] = COARSE(CT_PA + 0x400, DOM_CLOSED);
    CP15_WRITE(c2, 0, c0, 0, L1_PA);
    CP15_WRITE(c3, 0, c0, 0, (1u << (2 * DOM_KERNEL)) | (1u << (2 * DOM_PAGES)));
    CP15_WRITE(c8, 0, c7, 0, 0);
}

/* Page 4 in the megabyte after the test one (its own domain). */
#define CLOSED_VA (TEST_VA + 0x100000u + 4 * PAGE)

static void fill_pages(void)
{
    for (unsigned n = 0; n < 9; n++)
        for (uint32_t i = 0; i < PAGE / 4; i++)
            *(volatile uint32_t *)(page_pa(n) + 4 * i) = (n << 24) | (i * 0x01010101u >> 8);
}

static uint32_t checksum(uint32_t pa, uint32_t bytes)
{
    uint32_t sum = 0;
    for (uint32_t i = 0; i < bytes / 4; i++)
        sum = (sum ^ *(volatile uint32_t *)(pa + 4 * i)) * 0x9e3779b1u, sum = sum << 7 | sum >> 25;
    return sum;
}

static void report(const char *what, const uint32_t *state, unsigned n)
{
    guest_printf("%s:", what);
    for (unsigned i = 0; i < n; i++)
        guest_printf(" %08x", state[i]);
    guest_printf(" flags %x aborts %u", state[n] >> 28, aborts);
    if (aborts)
        guest_printf(" fsr %x far %08x", last_fsr, last_far);
    guest_printf("\n  pages");
    for (unsigned p = 0; p < 9; p++)
        if (p != 5)
            guest_printf(" %08x", checksum(page_pa(p), PAGE));
    guest_printf("\n");
}

static void copy(const char *what, uint32_t count, uint32_t dst, uint32_t src)
{
    uint32_t state[8] = { count, dst, src, 0, 0, 0, 0, 0 };
    fill_pages();
    aborts = 0;
    copy_page_loop(state);
    report(what, state, 7);
}

static void clear(const char *what, uint32_t dst, uint32_t count, int three)
{
    uint32_t state[7] = { dst, count, 0xa5a50001u, 0xa5a50002u, 0xa5a50003u, 0xa5a50004u, 0 };
    fill_pages();
    aborts = 0;
    if (three) {
        fill3_loop(state);
        report(what, state, 5);
    } else {
        clear_page_loop(state);
        report(what, state, 6);
    }
}

int main(void)
{
    guest_install_vectors();
    guest_setup_stacks();
    build_tables();
    CP15_WRITE(c1, 0, c0, 0, CP15_READ(c1, 0, c0, 0) | 1u);
    guest_printf("mmu on\n");
    copy("copy page 1 to page 0", 64, va(0, 0), va(1, 0));
    copy("copy one iteration", 1, va(6, 0x40), va(7, 0x80));
    copy("copy across page ends", 64, va(6, 0x800), va(1, 0x7f0));
    copy("copy from a page running into an unmapped one", 64, va(0, 0), va(2, 0x800));
    copy("copy to a NoAccess domain", 8, CLOSED_VA, va(1, 0));
    copy("copy to a page with a subpage no mode may write", 64, va(8, 0), va(1, 0));
    copy("copy from a page with a subpage no mode may read", 64, va(7, 0), va(8, 0));
    copy("copy onto the same physical page", 64, va(5, 0), va(0, 0));
    copy("copy onto the same physical page, a chunk on", 32, va(5, 0x10), va(0, 0));
    clear("clear page 2", va(2, 0), 64, 0);
    clear("clear from mid-page across the end", va(6, 0x820), 64, 0);
    clear("clear into an unmapped page", va(2, 0xf00), 8, 0);
    clear("clear three registers at a time", va(7, 0x10), 100, 1);
    clear("clear a page with a subpage no mode may write", va(8, 0), 64, 0);
    CP15_WRITE(c1, 0, c0, 0, CP15_READ(c1, 0, c0, 0) & ~1u);
    guest_printf("mmu off, done\n");
    return 0;
}
