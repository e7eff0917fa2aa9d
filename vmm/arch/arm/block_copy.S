/* Word copies and fills for the VMM's block operations (guest_block.c), eight registers a turn:
 * four instructions per 32 bytes, as the guest's own loop takes (C's struct copies take nine).
 * They run once per guest page copied or cleared. */
#include "asm.h"

/* dst (r0) := bytes (r2, a multiple of 4) from r1: the words there (\fill 0, r1 moves on), or
 * the eight of a pattern again and again (\fill 1, loaded once).  The tail after the last 32
 * bytes takes word by word what is next at r1 either way: a fill's tail is its pattern's start. */
.macro WORDS fill
    push    {r4-r10}
    .if \fill
    ldmia   r1, {r3-r10}
    .endif
    subs    r2, r2, #32
    blo     2f
1:
    .if !\fill
    ldmia   r1!, {r3-r10}
    .endif
    stmia   r0!, {r3-r10}
    subs    r2, r2, #32
    bhs     1b
2:  adds    r2, r2, #32
    beq     4f
3:  ldr     r12, [r1], #4
    str     r12, [r0], #4
    subs    r2, r2, #4
    bne     3b
4:  pop     {r4-r10}
    bx      lr
.endm

    .text
/* void arch_copy_words(uint32_t *dst, const uint32_t *src, uint32_t bytes), bytes % 4 == 0 */
    .global arch_copy_words
arch_copy_words:
    WORDS   0

/* void arch_fill_words(uint32_t *dst, const uint32_t pattern[8], uint32_t bytes), bytes % 4 == 0:
 * dst := the pattern, again and again. */
    .global arch_fill_words
arch_fill_words:
    WORDS   1
