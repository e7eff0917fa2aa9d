/* A section over a whole megabyte of the trampoline room (this guest reserves 3 MB of it, so
 * megabytes 1 and 2 lie inside: a VMM may give such a megabyte a table of its own, as it does
 * Linux's), then the same virtual megabyte pointed elsewhere and flushed by MVA alone: the new
 * section must answer, as after a whole-TLB flush.  The room itself is never read back (what a
 * VMM keeps there is its own). */
#include "cpu.h"
#include "guest.h"

#define L1_PA        0x00600000u
#define ROOM_MB      0x00100000u   /* inside the trampoline room */
#define DATA_PA      0x00500000u
#define VA           0x40000000u
#define SECTION(pa)  (((pa) & 0xfff00000u) | (3u << 10) | 0x12u)   /* domain 0, AP 3 */

static void tlb_flush_all(void) { CP15_WRITE(c8, 0, c7, 0, 0); }
static void tlb_flush_mva(uint32_t va) { CP15_WRITE(c8, 0, c7, 1, va); }

static void remap(const char *how, int by_mva)
{
    volatile uint32_t *l1 = (volatile uint32_t *)L1_PA;
    l1[VA >> 20] = SECTION(ROOM_MB);
    tlb_flush_all();
    (void)*(volatile uint32_t *)VA;   /* the room's megabyte mapped (its value not shown) */
    l1[VA >> 20] = SECTION(DATA_PA);
    if (by_mva)
        tlb_flush_mva(VA);
    else
        tlb_flush_all();
    guest_printf("  %s: %08x %08x\n", how, *(volatile uint32_t *)VA,
                 *(volatile uint32_t *)(VA + 0x1004u));
}

int main(void)
{
    volatile uint32_t *l1 = (volatile uint32_t *)L1_PA;
    for (unsigned i = 0; i < 4096; i++)
        l1[i] = 0;
    for (unsigned mb = 0; mb < 8; mb++)
        l1[mb] = SECTION(mb << 20);
    l1[0x160] = SECTION(0x16000000u);   /* UART0 */
    *(volatile uint32_t *)DATA_PA = 0xda7a0000u;
    *(volatile uint32_t *)(DATA_PA + 0x1004u) = 0xda7a1004u;
    CP15_WRITE(c3, 0, c0, 0, 1u);   /* domain 0 Client */
    CP15_WRITE(c2, 0, c0, 0, L1_PA);
    tlb_flush_all();
    CP15_WRITE(c1, 0, c0, 0, CP15_READ(c1, 0, c0, 0) | 1u);
    guest_printf("a megabyte of the trampoline room, then elsewhere:\n");
    remap("whole TLB flushed", 0);
    remap("flushed by MVA", 1);
    CP15_WRITE(c1, 0, c0, 0, CP15_READ(c1, 0, c0, 0) & ~1u);
    guest_printf("done\n");
    return 0;
}
