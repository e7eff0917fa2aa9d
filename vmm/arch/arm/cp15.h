/* CP15 accessors for the ARM926EJ-S, one line per register or operation (ARM926EJ-S TRM ch.2). */
#ifndef ARMVMM_CP15_H
#define ARMVMM_CP15_H

#ifndef __ASSEMBLER__
#include <stdint.h>

#define CP15_READ(name, crn, op1, crm, op2)                                         \
    static inline uint32_t cp15_read_##name(void)                                   \
    {                                                                               \
        uint32_t v;                                                                 \
        __asm__ volatile("mrc p15, " #op1 ", %0, " #crn ", " #crm ", " #op2 : "=r"(v)); \
        return v;                                                                   \
    }
#define CP15_WRITE(name, crn, op1, crm, op2)                                        \
    static inline void cp15_write_##name(uint32_t v)                                \
    {                                                                               \
        __asm__ volatile("mcr p15, " #op1 ", %0, " #crn ", " #crm ", " #op2 :: "r"(v) : "memory"); \
    }

CP15_READ(midr, c0, 0, c0, 0)            /* main ID */
CP15_READ(ctr, c0, 0, c0, 1)             /* cache type */
CP15_READ(tcmtr, c0, 0, c0, 2)           /* TCM status */
CP15_READ(tlbtr, c0, 0, c0, 3)           /* TLB type */
CP15_READ(sctlr, c1, 0, c0, 0)           /* system control */
CP15_WRITE(sctlr, c1, 0, c0, 0)
CP15_WRITE(ttbr0, c2, 0, c0, 0)          /* translation table base */
CP15_READ(ttbr0, c2, 0, c0, 0)
CP15_WRITE(dacr, c3, 0, c0, 0)           /* domain access control */
CP15_READ(dacr, c3, 0, c0, 0)
CP15_READ(dfsr, c5, 0, c0, 0)            /* data fault status */
CP15_READ(ifsr, c5, 0, c0, 1)            /* instruction fault status */
CP15_READ(far, c6, 0, c0, 0)             /* fault address */

CP15_WRITE(wait_for_interrupt, c7, 0, c0, 4)
CP15_WRITE(icache_invalidate_all, c7, 0, c5, 0)
CP15_WRITE(dcache_clean_mva, c7, 0, c10, 1)
CP15_WRITE(dcache_clean_inv_mva, c7, 0, c14, 1)
CP15_WRITE(dcache_inv_mva, c7, 0, c6, 1)
CP15_WRITE(drain_write_buffer, c7, 0, c10, 4)
CP15_WRITE(tlb_invalidate_all, c8, 0, c7, 0)
CP15_WRITE(tlb_invalidate_mva, c8, 0, c7, 1)

/* VFP system ID (cp10): readable from a privileged mode with the VFP disabled. */
static inline uint32_t vfp_read_fpsid(void)
{
    uint32_t v;
    __asm__ volatile("mrc p10, 7, %0, c0, c0, 0" : "=r"(v));
    return v;
}

/* FPEXC: its EN bit decides whether VFP instructions run (also in User mode) or are UNDEFINED. */
static inline void vfp_write_fpexc(uint32_t v)
{
    __asm__ volatile("mcr p10, 7, %0, c8, c0, 0" ::"r"(v));
}
#endif /* !__ASSEMBLER__ */

/* SCTLR bits (ARM926EJ-S). */
#define SCTLR_M   (1 << 0)    /* MMU enable */
#define SCTLR_A   (1 << 1)    /* alignment fault checking */
#define SCTLR_C   (1 << 2)    /* D-cache */
#define SCTLR_S   (1 << 8)    /* system protection */
#define SCTLR_R   (1 << 9)    /* ROM protection */
#define SCTLR_I   (1 << 12)   /* I-cache */
#define SCTLR_V   (1 << 13)   /* high vectors */

/* DACR: two bits per domain. */
#define DACR_NOACCESS  0
#define DACR_CLIENT    1
#define DACR_MANAGER   3
#define DACR_DOMAIN(d, type)  ((type) << (2 * (d)))

/* Data-cache line size of the ARM926EJ-S; QEMU models no caches, real silicon does. */
#define DCACHE_LINE  32

#ifndef __ASSEMBLER__
/* One by-MVA line operation over every D-cache line of [va, va+len), then a write-buffer drain. */
static inline void cp15_dcache_range(const void *va, uint32_t len, void (*line_op)(uint32_t))
{
    uintptr_t a = (uintptr_t)va & ~(uintptr_t)(DCACHE_LINE - 1);
    for (; a < (uintptr_t)va + len; a += DCACHE_LINE)
        line_op((uint32_t)a);
    cp15_write_drain_write_buffer(0);
}

/* Cleans and invalidates the whole D-cache: the ARM926's test, clean and invalidate, repeated
 * until it finds no dirty line (QEMU, which has no cache, says so at once). */
static inline void cp15_dcache_clean_inv_all(void)
{
    __asm__ volatile("1: mrc p15, 0, r15, c7, c14, 3\n\tbne 1b" ::: "cc", "memory");
}

/* Cleans [va, va+len) to memory so the table walker (which does not look in the D-cache on the
 * ARM926) sees freshly written descriptors, then drains the write buffer. */
static inline void cp15_clean_dcache_range(const void *va, uint32_t len)
{
    cp15_dcache_range(va, len, cp15_write_dcache_clean_mva);
}

/* Same, and drops the lines: needed before a virtual range is remapped (VIVT cache). */
static inline void cp15_flush_dcache_range(const void *va, uint32_t len)
{
    cp15_dcache_range(va, len, cp15_write_dcache_clean_inv_mva);
}
#endif

#endif
