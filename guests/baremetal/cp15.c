/* CP15 as a kernel sees it: IDs, control, TTBR, DACR, FSR/FAR read-back, FCSE PID and context
 * ID, cache and TLB operations, the test-and-clean loop, c15.  The MMU stays off.  Identical on
 * the bare board and in a VM. */
#include "cpu.h"
#include "guest.h"

static uint32_t test_clean_loop(void)
{
    uint32_t n = 0;
    __asm__ volatile("1: add %0, %0, #1\n"
                     "   mrc p15, 0, r15, c7, c14, 3\n"
                     "   bne 1b\n"
                     : "+r"(n)::"cc", "memory");
    return n;
}

int main(void)
{
    guest_printf("midr %08x ctr %08x tcm %08x\n", CP15_READ(c0, 0, c0, 0), CP15_READ(c0, 0, c0, 1),
                 CP15_READ(c0, 0, c0, 2));
    guest_printf("sctlr %08x\n", CP15_READ(c1, 0, c0, 0));

    CP15_WRITE(c2, 0, c0, 0, 0x00104000u);
    CP15_WRITE(c3, 0, c0, 0, 0x55555555u);
    CP15_WRITE(c5, 0, c0, 0, 0x000000f5u);
    CP15_WRITE(c5, 0, c0, 1, 0x00000003u);
    CP15_WRITE(c6, 0, c0, 0, 0xdeadbee0u);
    guest_printf("ttbr %08x dacr %08x dfsr %08x ifsr %08x far %08x\n", CP15_READ(c2, 0, c0, 0),
                 CP15_READ(c3, 0, c0, 0), CP15_READ(c5, 0, c0, 0), CP15_READ(c5, 0, c0, 1),
                 CP15_READ(c6, 0, c0, 0));
    CP15_WRITE(c13, 0, c0, 1, 0x1234u);
    guest_printf("context id %08x fcse %08x\n", CP15_READ(c13, 0, c0, 1), CP15_READ(c13, 0, c0, 0));

    CP15_WRITE(c7, 0, c5, 0, 0);    /* invalidate I-cache */
    CP15_WRITE(c7, 0, c10, 4, 0);   /* drain write buffer */
    CP15_WRITE(c7, 0, c6, 1, 0x10000u);
    CP15_WRITE(c7, 0, c10, 1, 0x10000u);
    CP15_WRITE(c7, 0, c14, 1, 0x10000u);
    CP15_WRITE(c8, 0, c7, 0, 0);    /* invalidate TLBs */
    CP15_WRITE(c8, 0, c5, 1, 0x10000u);
    CP15_WRITE(c8, 0, c6, 1, 0x10000u);
    guest_printf("cache and TLB operations done\n");
    guest_printf("test-and-clean loop ran %u time(s)\n", test_clean_loop());
    CP15_WRITE(c15, 0, c0, 0, 0x1u);
    guest_printf("c15 %08x\n", CP15_READ(c15, 0, c0, 0));
    CP15_WRITE(c3, 0, c0, 0, 0u);
    guest_printf("dacr %08x\n", CP15_READ(c3, 0, c0, 0));
    return 0;
}
