/* A flush comparing the shadow with the guest's tables (shadow.c): which entries (of a kept
 * coarse table, or L1 slots) still have the guest descriptor they were made from
 * (table_check.S). */
#ifndef ARMVMM_TABLE_CHECK_H
#define ARMVMM_TABLE_CHECK_H

#include <stdint.h>

/* For each word w in words (bit w), the entries i in use in it (bit i of set[w]: entry 32 w + i)
 * whose source src[32 w + i] is 0 (made from no guest descriptor) or differs from the guest's
 * descriptor guest[32 w + i] now.  changed[w] := those when there are any (else it is left
 * as it was); returns the words w with any. */
uint32_t arch_table_changed(const volatile uint32_t *guest, const uint32_t *src,
                            const uint32_t *set, uint32_t words, uint32_t *changed);

#endif
