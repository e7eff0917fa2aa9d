/* CP15 as a kernel sees it: IDs, control, TTBR, DACR, FSR/FAR read-back, FCSE PID and context
 * ID, cache and TLB operations, loops over ranges of cache lines, the test-and-clean loop, c15.  The MMU stays off.  Identical on
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

/* Linux's arm926 loops over a range of cache lines, one or two operations per line: they leave
 * the address register past the range and the flags of their last compare.  out: the address
 * register and the NZCV flags after the loop. */
static void line_loop(uint32_t start, uint32_t end, int two, uint32_t *out)
{
    uint32_t a = start, flags;
    if (two)
        __asm__ volatile("1: mcr p15, 0, %0, c7, c10, 1\n"
                         "   mcr p15, 0, %0, c7, c5, 1\n"
                         "   add %0, %0, #32\n"
                         "   cmp %0, %2\n"
                         "   bcc 1b\n"
                         "   mrs %1, cpsr\n"
                         : "+r"(a), "=r"(flags) : "r"(end) : "cc", "memory");
    else
        __asm__ volatile("1: mcr p15, 0, %0, c7, c14, 1\n"
                         "   add %0, %0, #32\n"
                         "   cmp %0, %2\n"
                         "   bcc 1b\n"
                         "   mrs %1, cpsr\n"
                         : "+r"(a), "=r"(flags) : "r"(end) : "cc", "memory");
    out[0] = a;
    out[1] = flags & 0xf0000000u;
}

/* arm926_flush_user_cache_range: a TST at the head, conditional operations after the first,
 * two lines an iteration.  out: the address register and the NZCV flags after the loop. */
static void user_range_loop(uint32_t start, uint32_t end, uint32_t vm_flags, uint32_t *out)
{
    uint32_t a = start, flags;
    __asm__ volatile("1: tst %3, #4\n"
                     "   mcr p15, 0, %0, c7, c14, 1\n"
                     "   mcrne p15, 0, %0, c7, c5, 1\n"
                     "   add %0, %0, #32\n"
                     "   mcr p15, 0, %0, c7, c14, 1\n"
                     "   mcrne p15, 0, %0, c7, c5, 1\n"
                     "   add %0, %0, #32\n"
                     "   cmp %0, %2\n"
                     "   bcc 1b\n"
                     "   mrs %1, cpsr\n"
                     : "+r"(a), "=r"(flags) : "r"(end), "r"(vm_flags) : "cc", "memory");
    out[0] = a;
    out[1] = flags & 0xf0000000u;
}

/* A loop that looks like one of line operations but loads a halfword before the MCR (in the
 * encoding space of a register-form TST): nothing may skip its loads.  out: the address
 * register's offset, the last halfword, the flags. */
static uint16_t halves[64] __attribute__((aligned(32)));
static void ldrh_loop(uint32_t *out)
{
    uint32_t a = (uint32_t)halves, end = a + sizeof halves, v = 0, zero = 0, flags;
    for (unsigned i = 0; i < 64; i++)
        halves[i] = (uint16_t)(0x100 + i);
    __asm__ volatile("   mov r0, %0\n"   /* (registers a VMM's loop forwarding takes) */
                     "   mov r1, %3\n"
                     "   mov r4, %4\n"
                     "1: ldrh r2, [r0, -r4]\n"
                     "   mcr p15, 0, r0, c7, c14, 1\n"
                     "   mcrne p15, 0, r0, c7, c5, 1\n"
                     "   add r0, r0, #32\n"
                     "   cmp r0, r1\n"
                     "   bcc 1b\n"
                     "   mrs %2, cpsr\n"
                     "   mov %0, r0\n"
                     "   mov %1, r2\n"
                     : "+r"(a), "+r"(v), "=r"(flags) : "r"(end), "r"(zero)
                     : "r0", "r1", "r2", "r4", "cc", "memory");
    out[0] = a - (uint32_t)halves;
    out[1] = v;
    out[2] = flags & 0xf0000000u;
}

/* cpu_arm926_dcache_clean_area: a count of bytes down to zero.  out: address, count, NZCV. */
static void counted_loop(uint32_t start, uint32_t count, uint32_t *out)
{
    uint32_t a = start, n = count, flags;
    __asm__ volatile("1: mcr p15, 0, %0, c7, c10, 1\n"
                     "   add %0, %0, #32\n"
                     "   subs %1, %1, #32\n"
                     "   bhi 1b\n"
                     "   mrs %2, cpsr\n"
                     : "+r"(a), "+r"(n), "=r"(flags) : : "cc", "memory");
    out[0] = a;
    out[1] = n;
    out[2] = flags & 0xf0000000u;
}

/* Conditional line operations (Linux's `mcrne p15, 0, ip, c7, c10, 4` after a range loop): the
 * one whose condition fails does nothing, the other is skipped in the VMM; the flags stay.
 * Returns the NZCV flags after them. */
static uint32_t cond_line_ops(uint32_t a, uint32_t b)
{
    uint32_t flags;
    __asm__ volatile("   cmp %1, %2\n"
                     "   mcrne p15, 0, %1, c7, c10, 4\n"
                     "   mcreq p15, 0, %1, c7, c10, 4\n"
                     "   mcrcs p15, 0, %1, c7, c14, 1\n"
                     "   mcrcc p15, 0, %1, c7, c6, 1\n"
                     "   mrs %0, cpsr\n"
                     : "=r"(flags) : "r"(a), "r"(b) : "cc", "memory");
    return flags & 0xf0000000u;
}

static void line_loops(void)
{
    static const uint32_t counts[] = { 0, 4, 32, 33, 64, 0x1000, 0x4001, 0xffffffe0u };
    uint32_t c[3];
    for (unsigned i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
        counted_loop(0x10000, counts[i], c);
        guest_printf("counted loop of %08x bytes: address %08x count %08x flags %x\n",
                     counts[i], c[0], c[1], c[2] >> 28);
    }
    static const uint32_t ranges[][2] = {
        { 0x10000, 0x11000 }, { 0x10000, 0x10020 }, { 0x10000, 0x10021 }, { 0x10004, 0x10fff },
        { 0x20000, 0x10000 }, { 0x7ffff000, 0x80000100 }, { 0xfffff000, 0xffffffe0 },
    };
    uint32_t out[2];
    for (unsigned i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
        for (int two = 0; two < 2; two++) {
            line_loop(ranges[i][0], ranges[i][1], two, out);
            guest_printf("line loop %08x-%08x (%d per line): r %08x flags %x\n", ranges[i][0],
                         ranges[i][1], two + 1, out[0], out[1] >> 28);
        }
    static const uint32_t more[][2] = { { 0x10000, 0x10040 }, { 0x10000, 0x10041 },
                                        { 0x10020, 0x10fe0 }, { 0xffff0000, 0xffffffc0 } };
    for (unsigned i = 0; i < 6 + 4; i++)   /* (not the range to 0xffffffe0: 64 bytes a turn
                                               wrap around past it) */
        for (uint32_t vm_flags = 0; vm_flags <= 4; vm_flags += 4) {
            const uint32_t *r = i < 6 ? ranges[i] : more[i - 6];
            user_range_loop(r[0], r[1], vm_flags, out);
            guest_printf("user range loop %08x-%08x (flags %x): r %08x flags %x\n", r[0], r[1],
                         vm_flags, out[0], out[1] >> 28);
        }
    uint32_t h[3];
    ldrh_loop(h);
    guest_printf("halfword loop: address +%x, last halfword %x, flags %x\n", h[0], h[1],
                 h[2] >> 28);
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
    guest_printf("conditional line operations: flags %08x %08x %08x\n", cond_line_ops(1, 1),
                 cond_line_ops(0x10000u, 0x20000u), cond_line_ops(0x80000000u, 1));
    line_loops();
    guest_printf("test-and-clean loop ran %u time(s)\n", test_clean_loop());
    CP15_WRITE(c15, 0, c0, 0, 0x1u);
    guest_printf("c15 %08x\n", CP15_READ(c15, 0, c0, 0));
    CP15_WRITE(c3, 0, c0, 0, 0u);
    guest_printf("dacr %08x\n", CP15_READ(c3, 0, c0, 0));
    return 0;
}
