/* At each guest address-space switch a flush compares every slot in use with the guest's L1
 * table (dozens: a kernel's linear map) and revalidates every entry of the coarse tables it
 * keeps (dozens: a kernel's vmalloc table, a process's megabyte 0): eight instructions per entry
 * here, fifteen or more as C compiles it.  Entries are visited from the top bit down (CLZ). */
#include "asm.h"

    .text
/* uint32_t arch_table_changed(const volatile uint32_t *guest, const uint32_t *src,
 *                             uint32_t bits) */
    .global arch_table_changed
arch_table_changed:
    push    {r4-r6}
    mov     r3, #0                      @ the entries that changed
    mov     r6, #0x80000000
    add     r0, r0, #(31 * 4)           @ entry 31 - n is at -n words from there: CLZ's n
    add     r1, r1, #(31 * 4)           @ indexes without a subtraction, bit 31 >> n is its bit
    cmp     r2, #0
    beq     2f
1:  clz     r4, r2                      @ the highest entry left: 31 - r4
    ldr     r12, [r1, -r4, lsl #2]      @ its source
    ldr     r5, [r0, -r4, lsl #2]       @ the guest's descriptor now
    cmp     r12, #1                     @ C: a source at all
    teqcs   r5, r12                     @ Z: and the same (TEQ leaves C)
    orrne   r3, r3, r6, lsr r4
    bics    r2, r2, r6, lsr r4
    bne     1b
2:  mov     r0, r3
    pop     {r4-r6}
    bx      lr
