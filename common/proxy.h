/* The armvmm proxy encoding: how the patcher (`armvmm patch`) rewrites sensitive instructions
 * that do not trap in User mode (MRS/MSR on the CPSR) into words that do, and how the VMM reads
 * them back.  docs/PATCHER.md is the full description; this header is the single definition.
 *
 * A proxy lives in the ARMv5 UNDEFINED space `cond 011x xxxx xxxx xxxx xxxx xxx1 xxxx` (the
 * media instructions of ARMv6+), in the part with bits 24:23 = 10:
 *
 *   31   28 27      23 22  20 19                 8 7   5 4 3    0
 *  +-------+----------+------+--------------------+-----+-+------+
 *  | cond  | 0 1 1 1 0|  op  |         A          | sub |1|  B   |
 *  +-------+----------+------+--------------------+-----+-+------+
 *
 *   cond  the original instruction's condition (0..14; a failed condition is a NOP on QEMU)
 *   op 0  MRS Rd, CPSR                 A[15:12] = Rd, every other A bit 0, B = 0
 *   op 1  MSR CPSR_<fields>, Rm        A[19:16] = field mask (c,x,s,f = bits 16..19 of the
 *                                      original), A[15:8] = 0, B = Rm
 *   op 2  MSR CPSR_<fields>, #imm      A[19:8] = the original 12-bit rotate:imm8, B = field mask
 *   op 3..7  reserved: the VMM delivers the undefined-instruction exception for them
 *   sub   must be 0 (reserved for future trap-free variants of the same op)
 *
 * Linux's own deliberate undefined instructions (BUG 0xe7f001f2, breakpoints 0xe7f001f0,
 * 0xe7fddef0 ...) have bits 24:23 = 11 (the UDF space) and are never proxies.
 *
 * Only field accessors and constructors here; recognising the original MRS/MSR and converting
 * between original and proxy is the decoder's job (decode.h: proxy_from_original,
 * proxy_to_original).  Freestanding: <stdint.h> and <stdbool.h> only.
 */
#ifndef ARMVMM_PROXY_H
#define ARMVMM_PROXY_H

#include <stdbool.h>
#include <stdint.h>

#define PROXY_SPACE_MASK    0x0F800010u   /* bits that identify the proxy space ...   */
#define PROXY_SPACE_BITS    0x07000010u   /* ... and their value                      */

#define PROXY_COND_SHIFT    28
#define PROXY_OP_SHIFT      20
#define PROXY_OP_MASK       0x7u
#define PROXY_A_SHIFT       8
#define PROXY_A_MASK        0xFFFu
#define PROXY_SUB_SHIFT     5
#define PROXY_SUB_MASK      0x7u
#define PROXY_B_MASK        0xFu

enum proxy_op {
    PROXY_OP_MRS_CPSR     = 0,   /* MRS Rd, CPSR */
    PROXY_OP_MSR_CPSR_REG = 1,   /* MSR CPSR_<fields>, Rm */
    PROXY_OP_MSR_CPSR_IMM = 2,   /* MSR CPSR_<fields>, #imm */
    PROXY_OP_FIRST_RESERVED = 3, /* 3..7: reserved, UNDEFINED for the guest */
};

/* PSR field-mask bits, as in bits 16..19 of an MSR (and in `mask` of the decoder). */
#define PSR_FIELD_C  0x1u   /* control, bits 7:0   */
#define PSR_FIELD_X  0x2u   /* extension, 15:8     */
#define PSR_FIELD_S  0x4u   /* status, 23:16       */
#define PSR_FIELD_F  0x8u   /* flags, 31:24        */

/* --- Field accessors (valid for any word; meaningful when proxy_in_space()). --- */

static inline bool proxy_in_space(uint32_t w)
{
    return (w & PROXY_SPACE_MASK) == PROXY_SPACE_BITS;
}

static inline uint32_t proxy_cond(uint32_t w) { return w >> PROXY_COND_SHIFT; }
static inline uint32_t proxy_op(uint32_t w)   { return (w >> PROXY_OP_SHIFT) & PROXY_OP_MASK; }
static inline uint32_t proxy_a(uint32_t w)    { return (w >> PROXY_A_SHIFT) & PROXY_A_MASK; }
static inline uint32_t proxy_sub(uint32_t w)  { return (w >> PROXY_SUB_SHIFT) & PROXY_SUB_MASK; }
static inline uint32_t proxy_b(uint32_t w)    { return w & PROXY_B_MASK; }

/* op 0 */
static inline uint32_t proxy_mrs_rd(uint32_t w)       { return (proxy_a(w) >> 4) & 0xFu; }
/* op 1 */
static inline uint32_t proxy_msr_reg_mask(uint32_t w) { return (proxy_a(w) >> 8) & 0xFu; }
static inline uint32_t proxy_msr_reg_rm(uint32_t w)   { return proxy_b(w); }
/* op 2 */
static inline uint32_t proxy_msr_imm_imm12(uint32_t w) { return proxy_a(w); }
static inline uint32_t proxy_msr_imm_mask(uint32_t w)  { return proxy_b(w); }

/* A valid proxy: in the space, condition not 1111 (that is ARMv5's unconditional space, where
 * this pattern is simply UNDEFINED), sub = 0, a defined op, and every must-be-zero bit of that op
 * zero.  Anything in the space that is not valid is delivered to the guest as UNDEFINED by the
 * VMM and reported by `armvmm patch --check`. */
static inline bool proxy_valid(uint32_t w)
{
    if (!proxy_in_space(w) || proxy_cond(w) == 0xFu || proxy_sub(w) != 0)
        return false;
    switch (proxy_op(w)) {
    case PROXY_OP_MRS_CPSR:     return (proxy_a(w) & ~0x0F0u) == 0 && proxy_b(w) == 0;
    case PROXY_OP_MSR_CPSR_REG: return (proxy_a(w) & 0x0FFu) == 0;
    case PROXY_OP_MSR_CPSR_IMM: return true;
    default:                    return false;
    }
}

/* --- Constructors.  Arguments are masked to their field widths. --- */

static inline uint32_t proxy_make(uint32_t cond, uint32_t op, uint32_t a, uint32_t sub, uint32_t b)
{
    return ((cond & 0xFu) << PROXY_COND_SHIFT) | PROXY_SPACE_BITS
         | ((op & PROXY_OP_MASK) << PROXY_OP_SHIFT) | ((a & PROXY_A_MASK) << PROXY_A_SHIFT)
         | ((sub & PROXY_SUB_MASK) << PROXY_SUB_SHIFT) | (b & PROXY_B_MASK);
}

static inline uint32_t proxy_make_mrs_cpsr(uint32_t cond, uint32_t rd)
{
    return proxy_make(cond, PROXY_OP_MRS_CPSR, (rd & 0xFu) << 4, 0, 0);
}

static inline uint32_t proxy_make_msr_cpsr_reg(uint32_t cond, uint32_t mask, uint32_t rm)
{
    return proxy_make(cond, PROXY_OP_MSR_CPSR_REG, (mask & 0xFu) << 8, 0, rm);
}

static inline uint32_t proxy_make_msr_cpsr_imm(uint32_t cond, uint32_t mask, uint32_t imm12)
{
    return proxy_make(cond, PROXY_OP_MSR_CPSR_IMM, imm12, 0, mask);
}

#endif
