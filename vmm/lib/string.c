/* The two functions the compiler may call on its own in freestanding code.  Word at a time when
 * both ends allow it: every trap zeroes a decoded instruction (struct insn) and copies frames. */
#include <stddef.h>
#include <stdint.h>

/* GCC must not turn these loops back into calls to themselves. */
#define NO_LOOP_CALLS __attribute__((optimize("no-tree-loop-distribute-patterns")))

static int word_aligned(const void *a, const void *b, size_t n)
{
    return (((uintptr_t)a | (uintptr_t)b | n) & 3) == 0;
}

NO_LOOP_CALLS void *memset(void *dst, int c, size_t n)
{
    if (word_aligned(dst, 0, n)) {
        uint32_t *d = dst, v = (uint8_t)c * 0x01010101u;
        for (; n >= 32; n -= 32, d += 8)   /* 8 words a turn: a third of the loop overhead */
            d[0] = d[1] = d[2] = d[3] = d[4] = d[5] = d[6] = d[7] = v;
        for (n /= 4; n; n--)
            *d++ = v;
        return dst;
    }
    uint8_t *d = dst;
    while (n--)
        *d++ = (uint8_t)c;
    return dst;
}

NO_LOOP_CALLS void *memcpy(void *dst, const void *src, size_t n)
{
    if (word_aligned(dst, src, n)) {
        uint32_t *d = dst;
        const uint32_t *s = src;
        for (n /= 4; n; n--)
            *d++ = *s++;
        return dst;
    }
    uint8_t *d = dst;
    const uint8_t *s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}
