/* A flush comparing the shadow with the guest's tables (shadow.c): which of a group of 32
 * entries (of a kept coarse table, or L1 slots) still has the guest descriptor it was made from
 * (table_check.S). */
#ifndef ARMVMM_TABLE_CHECK_H
#define ARMVMM_TABLE_CHECK_H

#include <stdint.h>

/* Of the entries i in bits (bit i: entry i of the group), those whose source src[i] is 0 (made
 * from no guest descriptor) or differs from the guest's descriptor guest[i] now. */
uint32_t arch_table_changed(const volatile uint32_t *guest, const uint32_t *src, uint32_t bits);

#endif
