/* Cross-VM isolation probe: fills its own RAM (above its image) with a pattern naming it, then
 * reads one word of every 4 KB page from the end of its RAM up to the devices (0x10000000) and
 * counts what is not zero.  Its RAM size comes from the core module's CM_SDRAM register (as
 * firmware would find it); natively the space above RAM reads zero. */
#include "guest.h"

#define CM_SDRAM     0x10000020u
#define DEVICES      0x10000000u
#define PATTERN      0x5eed0000u

extern char __stack_top[];

static uint32_t ram_size(void)
{
    /* CM_SDRAM bits [4:2]: 16 MB << n (QEMU's core module). */
    return (16u << 20) << ((guest_read32(CM_SDRAM) >> 2) & 7);
}

int main(void)
{
    uint32_t size = ram_size(), seen = 0, first = 0;
    uint32_t tag = PATTERN | (size >> 20);

    for (uint32_t a = ((uint32_t)(uintptr_t)__stack_top + 0xfff) & ~0xfffu; a < size; a += 4096)
        *(volatile uint32_t *)a = tag;
    guest_printf("probe: %u MB of RAM filled with %08x\n", size >> 20, tag);
    for (uint32_t a = size; a < DEVICES; a += 4096) {
        uint32_t v = guest_read32(a);
        if (v && !seen++)
            first = a;
    }
    guest_printf("probe: %u non-zero words above RAM (first at %08x)\n", seen, first);
    return seen != 0;
}
