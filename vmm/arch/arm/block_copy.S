/* Word copies and fills for the VMM's block operations (guest_block.c), eight registers a turn,
 * four turns a loop: ten instructions per 128 bytes copied, six filled (one turn a loop took
 * sixteen and twelve; C's struct copies take nine per 32 bytes).  They run once per guest page
 * copied or cleared. */
#include "asm.h"

/* One turn: dst (r0) := 32 bytes, the next at r1 (\fill 0, r1 moves on) or the pattern. */
.macro TURN fill
    .if !\fill
    ldmia   r1!, {r3-r10}
    .endif
    stmia   r0!, {r3-r10}
.endm

/* dst (r0) := bytes (r2, a multiple of 4) from r1: the words there (\fill 0, r1 moves on), or
 * the eight of a pattern again and again (\fill 1, loaded once).  128 bytes a loop, then 32,
 * then a tail word by word of what is next at r1 either way: a fill's tail is its pattern's
 * start. */
.macro WORDS fill
    push    {r4-r10}
    .if \fill
    ldmia   r1, {r3-r10}
    .endif
    subs    r2, r2, #128
    blo     2f
1:  .rept   4
    TURN    \fill
    .endr
    subs    r2, r2, #128
    bhs     1b
2:  adds    r2, r2, #(128 - 32)         @ (carry: 32 bytes or more left)
    blo     4f
3:  TURN    \fill
    subs    r2, r2, #32
    bhs     3b
4:  adds    r2, r2, #32
    beq     6f
5:  ldr     r12, [r1], #4
    str     r12, [r0], #4
    subs    r2, r2, #4
    bne     5b
6:  pop     {r4-r10}
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
