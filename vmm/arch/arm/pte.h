/* ARMv5 (ARM926EJ-S) translation table descriptors, one definition per field (ARM ARM B4.7).
 * Only the forms the VMM builds for its own tables are named here. */
#ifndef ARMVMM_PTE_H
#define ARMVMM_PTE_H


#define L1_ENTRIES         4096
#define L1_TABLE_SIZE      (L1_ENTRIES * 4)
#define L1_TABLE_ALIGN     16384
#define L1_SHIFT           20
#define L1_INDEX(va)       ((va) >> L1_SHIFT)

/* First-level descriptor types (bits [1:0]). */
#define L1_TYPE_FAULT      0
#define L1_TYPE_COARSE     1
#define L1_TYPE_SECTION    2

/* Section descriptor fields. */
#define L1_SECT_B          (1 << 2)
#define L1_SECT_C          (1 << 3)
#define L1_SECT_BIT4       (1 << 4)      /* must be 1 on ARMv5 */
#define L1_DOMAIN(d)       ((d) << 5)
#define L1_SECT_AP(ap)     ((ap) << 10)
#define L1_SECT_BASE_MASK  0xfff00000

/* Coarse page table: 256 entries, 1 KB aligned. */
#define L2C_ENTRIES        256
#define L2C_TABLE_SIZE     (L2C_ENTRIES * 4)
#define L2C_INDEX(va)      (((va) >> 12) & 0xff)
#define L1_COARSE_BASE_MASK 0xfffffc00

/* Second-level small page (4 KB) descriptor. */
#define L2_TYPE_SMALL      2
#define L2_B               (1 << 2)
#define L2_C               (1 << 3)
#define L2_AP_ALL(ap)      (((ap) * 0x55) << 4)  /* same AP for all four subpages */
#define L2_SMALL_BASE_MASK 0xfffff000

/* Access permissions (with SCTLR.S = R = 0). */
#define AP_PRIV_ONLY       1   /* privileged RW, User none: VMM pages */
#define AP_USER_RO         2   /* privileged RW, User RO */
#define AP_USER_RW         3   /* privileged RW, User RW */

#define PAGE_SIZE          4096
#define SECTION_SIZE       0x100000

#ifndef __ASSEMBLER__
#include <stdint.h>

static inline uint32_t l1_section(uint32_t pa, unsigned domain, unsigned ap, int cached)
{
    return (pa & L1_SECT_BASE_MASK) | L1_SECT_AP(ap) | L1_DOMAIN(domain) | L1_SECT_BIT4 |
           (cached ? (L1_SECT_C | L1_SECT_B) : 0) | L1_TYPE_SECTION;
}

static inline uint32_t l1_coarse(uint32_t table_pa, unsigned domain)
{
    return (table_pa & L1_COARSE_BASE_MASK) | L1_DOMAIN(domain) | L1_SECT_BIT4 | L1_TYPE_COARSE;
}

static inline uint32_t l2_small(uint32_t pa, unsigned ap, int cached)
{
    return (pa & L2_SMALL_BASE_MASK) | L2_AP_ALL(ap) | (cached ? (L2_C | L2_B) : 0) | L2_TYPE_SMALL;
}

#endif /* !__ASSEMBLER__ */

#endif
