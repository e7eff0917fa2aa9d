/* At each guest address-space switch a flush compares every slot in use with the guest's L1
 * table (dozens: a kernel's linear map) and revalidates every entry of the coarse tables it
 * keeps (dozens: a kernel's vmalloc table, a process's megabyte 0): nine instructions per entry
 * here, fifteen or more as C compiles it, and one call per table.  Entries are visited from the
 * top bit down (CLZ). */
#include "asm.h"

    .text
/* uint32_t arch_table_changed(const volatile uint32_t *guest, const uint32_t *src,
 *                             const uint32_t *set, uint32_t words, uint32_t *changed) */
    .global arch_table_changed
arch_table_changed:
    push    {r4-r11, lr}
    mov     r8, #0                      @ the words with an entry that changed
    mov     r6, #1
1:  cmp     r3, #0
    beq     4f
    clz     r4, r3
    rsb     r4, r4, #31                 @ w: the highest word left
    bic     r3, r3, r6, lsl r4
    ldr     r9, [r2, r4, lsl #2]        @ its entries in use
    add     r10, r0, r4, lsl #7         @ its 32 guest descriptors now
    add     r11, r1, r4, lsl #7         @ and their sources
    mov     r12, #0                     @ its entries that changed
    cmp     r9, #0
    beq     1b
2:  clz     r5, r9
    rsb     r5, r5, #31                 @ the highest entry left
    ldr     lr, [r11, r5, lsl #2]
    ldr     r7, [r10, r5, lsl #2]
    cmp     lr, #1                      @ C: a source at all
    teqcs   r7, lr                      @ Z: and the same (TEQ leaves C)
    orrne   r12, r12, r6, lsl r5
    bics    r9, r9, r6, lsl r5
    bne     2b
    cmp     r12, #0
    beq     1b
    ldr     r7, [sp, #36]               @ changed (the fifth argument, above the nine pushed)
    str     r12, [r7, r4, lsl #2]
    orr     r8, r8, r6, lsl r4
    b       1b
4:  mov     r0, r8
    pop     {r4-r11, pc}
