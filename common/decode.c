/* ARMv5TE (ARM state) instruction decoder: see decode.h.
 *
 * Encoding reference: ARM Architecture Reference Manual (DDI 0100I), A3.1 "Instruction set
 * encoding" and figures A3-2..A3-5, as seen by an ARM926EJ-S (ARMv5TEJ); everything ARMv6 and
 * later added (media, LDREX/STREX, MOVW/MOVT, CPS/SETEND/RFE/SRS, MCRR2/MRRC2 ...) is UNDEFINED
 * here, as it is on that core. */
#include "decode.h"

#define BIT(w, n)        (((w) >> (n)) & 1u)
#define BITS(w, hi, lo)  (((w) >> (lo)) & ((1u << ((hi) - (lo) + 1u)) - 1u))

static inline uint8_t reg_at(uint32_t w, unsigned lo) { return (uint8_t)BITS(w, lo + 3u, lo); }

static unsigned popcount16(uint32_t v)
{
    unsigned n = 0;
    for (v &= 0xFFFFu; v; v &= v - 1u)
        n++;
    return n;
}

static int32_t sign_extend(uint32_t v, unsigned bits)
{
    uint32_t m = 1u << (bits - 1u);
    v &= (m << 1) - 1u;
    return (int32_t)((v ^ m) - m);
}

/* ---------------------------------------------------------------- MRS / MSR / proxy */

static void decode_mrs(uint32_t w, struct insn *d)
{
    /* cond 0001 0R00 SBO(19:16) Rd SBZ(11:0) */
    d->kind = INSN_MRS;
    d->psr.spsr = BIT(w, 22);
    d->psr.rd = reg_at(w, 12);
    if (BITS(w, 19, 16) != 0xFu || BITS(w, 11, 0) != 0)
        d->unpred |= INSN_UNPRED_SBZ;
    if (d->psr.rd == ARM_REG_PC)
        d->unpred |= INSN_UNPRED_REG;
}

static void decode_msr(uint32_t w, struct insn *d, bool imm)
{
    /* reg: cond 0001 0R10 mask SBO(15:12) SBZ(11:4) Rm
     * imm: cond 0011 0R10 mask SBO(15:12) rotate_imm imm8 */
    d->kind = INSN_MSR;
    d->psr.spsr = BIT(w, 22);
    d->psr.mask = (uint8_t)BITS(w, 19, 16);
    d->psr.imm = imm;
    if (BITS(w, 15, 12) != 0xFu)
        d->unpred |= INSN_UNPRED_SBZ;
    if (imm) {
        d->psr.imm12 = (uint16_t)BITS(w, 11, 0);
        d->psr.value = arm_expand_imm(d->psr.imm12);
    } else {
        d->psr.rm = reg_at(w, 0);
        if (BITS(w, 11, 4) != 0)
            d->unpred |= INSN_UNPRED_SBZ;
        if (d->psr.rm == ARM_REG_PC)
            d->unpred |= INSN_UNPRED_REG;
    }
}

static uint32_t proxy_original_word(uint32_t p)
{
    uint32_t cond = proxy_cond(p) << 28;
    switch (proxy_op(p)) {
    case PROXY_OP_MRS_CPSR:
        return cond | 0x010F0000u | (proxy_mrs_rd(p) << 12);
    case PROXY_OP_MSR_CPSR_REG:
        return cond | 0x0120F000u | (proxy_msr_reg_mask(p) << 16) | proxy_msr_reg_rm(p);
    default: /* PROXY_OP_MSR_CPSR_IMM */
        return cond | 0x0320F000u | (proxy_msr_imm_mask(p) << 16) | proxy_msr_imm_imm12(p);
    }
}

static void decode_proxy(uint32_t w, struct insn *d)
{
    d->kind = INSN_PROXY;
    d->proxy.op = (uint8_t)proxy_op(w);
    d->proxy.sub = (uint8_t)proxy_sub(w);
    d->proxy.a = (uint16_t)proxy_a(w);
    d->proxy.b = (uint8_t)proxy_b(w);
    d->proxy.valid = proxy_valid(w);
    if (d->proxy.valid) {
        struct insn orig;
        d->proxy.original = proxy_original_word(w);
        decode_arm(d->proxy.original, &orig);
        d->proxy.psr = orig.psr;
        d->unpred = orig.unpred;   /* e.g. MRS PC, CPSR stays UNPREDICTABLE as a proxy */
    }
}

bool insn_is_proxy_candidate(const struct insn *in)
{
    return (in->kind == INSN_MRS || in->kind == INSN_MSR) && !in->psr.spsr &&
           in->cond != COND_NV && !(in->unpred & INSN_UNPRED_SBZ);
}

bool proxy_from_original(uint32_t original, uint32_t *proxy)
{
    struct insn in;
    decode_arm(original, &in);
    if (!insn_is_proxy_candidate(&in))
        return false;
    if (in.kind == INSN_MRS)
        *proxy = proxy_make_mrs_cpsr(in.cond, in.psr.rd);
    else if (!in.psr.imm)
        *proxy = proxy_make_msr_cpsr_reg(in.cond, in.psr.mask, in.psr.rm);
    else
        *proxy = proxy_make_msr_cpsr_imm(in.cond, in.psr.mask, in.psr.imm12);
    return true;
}

bool proxy_to_original(uint32_t proxy, uint32_t *original)
{
    if (!proxy_valid(proxy))
        return false;
    *original = proxy_original_word(proxy);
    return true;
}

/* ---------------------------------------------------------------- data processing */

static void decode_data_proc(uint32_t w, struct insn *d)
{
    struct insn_dp *dp = &d->dp;
    d->kind = INSN_DATA_PROC;
    dp->opcode = (uint8_t)BITS(w, 24, 21);
    dp->s = BIT(w, 20);
    dp->rn = reg_at(w, 16);
    dp->rd = reg_at(w, 12);
    if (BIT(w, 25)) {
        dp->form = OPERAND_IMM;
        dp->rotate = (uint8_t)(BITS(w, 11, 8) * 2u);
        dp->imm = arm_expand_imm(BITS(w, 11, 0));
    } else {
        dp->rm = reg_at(w, 0);
        dp->shift = (uint8_t)BITS(w, 6, 5);
        if (BIT(w, 4)) {
            dp->form = OPERAND_REG_REG;
            dp->rs = reg_at(w, 8);
            if (dp->rd == ARM_REG_PC || dp->rn == ARM_REG_PC || dp->rm == ARM_REG_PC ||
                dp->rs == ARM_REG_PC)
                d->unpred |= INSN_UNPRED_REG;
        } else {
            dp->form = OPERAND_REG_IMM;
            dp->shift_imm = (uint8_t)BITS(w, 11, 7);
        }
    }
    if (dp->opcode >= DP_TST && dp->opcode <= DP_CMN && dp->rd != 0)
        d->unpred |= INSN_UNPRED_SBZ;   /* SBZ Rd (ARMv5: legacy TSTP/TEQP/CMPP/CMNP) */
    if ((dp->opcode == DP_MOV || dp->opcode == DP_MVN) && dp->rn != 0)
        d->unpred |= INSN_UNPRED_SBZ;
}

/* ---------------------------------------------------------------- multiplies, misc */

static void decode_multiply(uint32_t w, struct insn *d)
{
    /* cond 0000 op(23:21) S Rd/RdHi Rn/RdLo Rs 1001 Rm */
    static const int8_t ops[8] = { ARITH_MUL, ARITH_MLA, -1, -1,
                                   ARITH_UMULL, ARITH_UMLAL, ARITH_SMULL, ARITH_SMLAL };
    struct insn_arith *a = &d->arith;
    int op = ops[BITS(w, 23, 21)];
    if (op < 0)
        return;    /* UMAAL (v6), MLS (v6T2): UNDEFINED */
    d->kind = INSN_ARITH;
    a->op = (uint8_t)op;
    a->s = BIT(w, 20);
    a->rs = reg_at(w, 8);
    a->rm = reg_at(w, 0);
    if (op == ARITH_MUL || op == ARITH_MLA) {
        a->rd = reg_at(w, 16);
        if (op == ARITH_MLA)
            a->rn = reg_at(w, 12);
        else if (BITS(w, 15, 12) != 0)
            d->unpred |= INSN_UNPRED_SBZ;
        if (a->rd == ARM_REG_PC || a->rn == ARM_REG_PC || a->rm == ARM_REG_PC ||
            a->rs == ARM_REG_PC || a->rd == a->rm)
            d->unpred |= INSN_UNPRED_REG;
    } else {
        a->rdhi = reg_at(w, 16);
        a->rdlo = reg_at(w, 12);
        if (a->rdhi == ARM_REG_PC || a->rdlo == ARM_REG_PC || a->rm == ARM_REG_PC ||
            a->rs == ARM_REG_PC || a->rdhi == a->rdlo || a->rdhi == a->rm || a->rdlo == a->rm)
            d->unpred |= INSN_UNPRED_REG;
    }
}

static void decode_swp(uint32_t w, struct insn *d)
{
    /* cond 0001 0B00 Rn Rd SBZ 1001 Rm */
    struct insn_mem *m = &d->mem;
    d->kind = INSN_SWP;
    m->load = true;
    m->size = BIT(w, 22) ? 1 : 4;
    m->pre = true;
    m->up = true;
    m->rn = reg_at(w, 16);
    m->rd = reg_at(w, 12);
    m->rm = reg_at(w, 0);
    m->form = OPERAND_IMM;
    if (BITS(w, 11, 8) != 0)
        d->unpred |= INSN_UNPRED_SBZ;
    if (m->rn == ARM_REG_PC || m->rd == ARM_REG_PC || m->rm == ARM_REG_PC ||
        m->rn == m->rm || m->rn == m->rd)
        d->unpred |= INSN_UNPRED_REG;
}

static void decode_extra_load_store(uint32_t w, struct insn *d)
{
    /* cond 000P UIWL Rn Rd addr_mode 1SH1 addr_mode */
    struct insn_mem *m = &d->mem;
    bool l = BIT(w, 20), s = BIT(w, 6), h = BIT(w, 5);
    d->kind = INSN_LOAD_STORE;
    m->pre = BIT(w, 24);
    m->up = BIT(w, 23);
    m->wback = !m->pre || BIT(w, 21);
    m->rn = reg_at(w, 16);
    m->rd = reg_at(w, 12);
    if (!s) {                   /* LDRH / STRH */
        m->load = l;
        m->size = 2;
    } else if (l) {             /* LDRSB / LDRSH */
        m->load = true;
        m->sign = true;
        m->size = h ? 2 : 1;
    } else {                    /* LDRD (H=0) / STRD (H=1) */
        m->load = !h;
        m->size = 8;
        if ((m->rd & 1u) || m->rd == ARM_REG_LR)
            d->unpred |= INSN_UNPRED_REG;
        if (m->load && m->wback && (m->rn == m->rd || m->rn == m->rd + 1u))
            d->unpred |= INSN_UNPRED_REG;
    }
    if (BIT(w, 22)) {
        m->form = OPERAND_IMM;
        m->imm = (BITS(w, 11, 8) << 4) | BITS(w, 3, 0);
    } else {
        m->form = OPERAND_REG_IMM;
        m->rm = reg_at(w, 0);
        if (BITS(w, 11, 8) != 0)
            d->unpred |= INSN_UNPRED_SBZ;
        if (m->rm == ARM_REG_PC || (m->size == 8 && m->load && (m->rm == m->rd ||
                                                                m->rm == m->rd + 1u)))
            d->unpred |= INSN_UNPRED_REG;
    }
    if (!m->pre && BIT(w, 21))
        d->unpred |= INSN_UNPRED_FORM;  /* P=0 W=1: ARMv6T2 LDRHT..., not ARMv5 */
    if (m->wback && (m->rn == ARM_REG_PC || (m->load && m->size != 8 && m->rn == m->rd)))
        d->unpred |= INSN_UNPRED_REG;
    if (m->size != 8 && m->rd == ARM_REG_PC)
        d->unpred |= INSN_UNPRED_REG;
}

static void decode_misc(uint32_t w, struct insn *d)
{
    /* cond 0001 0xx0 .... .... .... xxx. ....: figure A3-4 */
    unsigned op = BITS(w, 22, 21);
    struct insn_arith *a = &d->arith;

    switch (BITS(w, 7, 4)) {
    case 0x0:
        if (op & 1u)
            decode_msr(w, d, false);
        else
            decode_mrs(w, d);
        return;
    case 0x1:
        if (op == 1) {                              /* BX Rm */
            d->kind = INSN_BRANCH_REG;
            d->branch.exchange = true;
            d->branch.rm = reg_at(w, 0);
            if (BITS(w, 19, 8) != 0xFFFu)
                d->unpred |= INSN_UNPRED_SBZ;
        } else if (op == 3) {                       /* CLZ Rd, Rm */
            d->kind = INSN_ARITH;
            a->op = ARITH_CLZ;
            a->rd = reg_at(w, 12);
            a->rm = reg_at(w, 0);
            if (BITS(w, 19, 16) != 0xFu || BITS(w, 11, 8) != 0xFu)
                d->unpred |= INSN_UNPRED_SBZ;
            if (a->rd == ARM_REG_PC || a->rm == ARM_REG_PC)
                d->unpred |= INSN_UNPRED_REG;
        }
        return;
    case 0x2:
        if (op == 1) {                              /* BXJ Rm (ARMv5TEJ) */
            d->kind = INSN_BRANCH_REG;
            d->branch.exchange = true;
            d->branch.jazelle = true;
            d->branch.rm = reg_at(w, 0);
            if (BITS(w, 19, 8) != 0xFFFu)
                d->unpred |= INSN_UNPRED_SBZ;
            if (d->branch.rm == ARM_REG_PC)
                d->unpred |= INSN_UNPRED_REG;
        }
        return;
    case 0x3:
        if (op == 1) {                              /* BLX(2) Rm */
            d->kind = INSN_BRANCH_REG;
            d->branch.exchange = true;
            d->branch.link = true;
            d->branch.rm = reg_at(w, 0);
            if (BITS(w, 19, 8) != 0xFFFu)
                d->unpred |= INSN_UNPRED_SBZ;
            if (d->branch.rm == ARM_REG_PC)
                d->unpred |= INSN_UNPRED_REG;
        }
        return;
    case 0x5: {                                     /* QADD QSUB QDADD QDSUB Rd, Rm, Rn */
        static const uint8_t qops[4] = { ARITH_QADD, ARITH_QSUB, ARITH_QDADD, ARITH_QDSUB };
        d->kind = INSN_ARITH;
        a->op = qops[op];
        a->rn = reg_at(w, 16);
        a->rd = reg_at(w, 12);
        a->rm = reg_at(w, 0);
        if (BITS(w, 11, 8) != 0)
            d->unpred |= INSN_UNPRED_SBZ;
        if (a->rd == ARM_REG_PC || a->rn == ARM_REG_PC || a->rm == ARM_REG_PC)
            d->unpred |= INSN_UNPRED_REG;
        return;
    }
    case 0x7:
        if (op == 1) {                              /* BKPT #imm16 */
            d->kind = INSN_BKPT;
            d->imm = (BITS(w, 19, 8) << 4) | BITS(w, 3, 0);
            if (d->cond != COND_AL)
                d->unpred |= INSN_UNPRED_FORM;
        }
        return;
    case 0x8: case 0xA: case 0xC: case 0xE: {      /* signed 16-bit multiplies */
        bool x = BIT(w, 5), y = BIT(w, 6);
        d->kind = INSN_ARITH;
        a->x = x;
        a->y = y;
        a->rm = reg_at(w, 0);
        a->rs = reg_at(w, 8);
        switch (op) {
        case 0:                                     /* SMLA<x><y> Rd, Rm, Rs, Rn */
            a->op = ARITH_SMLAXY;
            a->rd = reg_at(w, 16);
            a->rn = reg_at(w, 12);
            break;
        case 1:                                     /* SMLAW<y> / SMULW<y> */
            a->x = false;
            a->rd = reg_at(w, 16);
            if (x) {
                a->op = ARITH_SMULWY;
                if (BITS(w, 15, 12) != 0)
                    d->unpred |= INSN_UNPRED_SBZ;
            } else {
                a->op = ARITH_SMLAWY;
                a->rn = reg_at(w, 12);
            }
            break;
        case 2:                                     /* SMLAL<x><y> RdLo, RdHi, Rm, Rs */
            a->op = ARITH_SMLALXY;
            a->rdhi = reg_at(w, 16);
            a->rdlo = reg_at(w, 12);
            if (a->rdhi == a->rdlo)
                d->unpred |= INSN_UNPRED_REG;
            break;
        default:                                    /* SMUL<x><y> Rd, Rm, Rs */
            a->op = ARITH_SMULXY;
            a->rd = reg_at(w, 16);
            if (BITS(w, 15, 12) != 0)
                d->unpred |= INSN_UNPRED_SBZ;
            break;
        }
        if (BITS(w, 19, 16) == ARM_REG_PC || (op != 3 && BITS(w, 15, 12) == ARM_REG_PC) ||
            a->rm == ARM_REG_PC || a->rs == ARM_REG_PC)
            d->unpred |= INSN_UNPRED_REG;
        return;
    }
    default:
        return;                                     /* UNDEFINED */
    }
}

/* ---------------------------------------------------------------- load / store */

static void decode_load_store(uint32_t w, struct insn *d)
{
    /* cond 01IP UBWL Rn Rd addressing_mode */
    struct insn_mem *m = &d->mem;
    d->kind = INSN_LOAD_STORE;
    m->load = BIT(w, 20);
    m->size = BIT(w, 22) ? 1 : 4;
    m->pre = BIT(w, 24);
    m->up = BIT(w, 23);
    m->wback = !m->pre || BIT(w, 21);
    m->user = !m->pre && BIT(w, 21);                /* LDRT STRT LDRBT STRBT */
    m->rn = reg_at(w, 16);
    m->rd = reg_at(w, 12);
    if (!BIT(w, 25)) {
        m->form = OPERAND_IMM;
        m->imm = BITS(w, 11, 0);
    } else {
        m->form = OPERAND_REG_IMM;
        m->rm = reg_at(w, 0);
        m->shift = (uint8_t)BITS(w, 6, 5);
        m->shift_imm = (uint8_t)BITS(w, 11, 7);
        if (m->rm == ARM_REG_PC || (m->wback && m->rm == m->rn))
            d->unpred |= INSN_UNPRED_REG;
    }
    if (m->wback && (m->rn == ARM_REG_PC || (m->load && m->rn == m->rd)))
        d->unpred |= INSN_UNPRED_REG;
    if (m->size == 1 && m->rd == ARM_REG_PC)
        d->unpred |= INSN_UNPRED_REG;
}

static void decode_block(uint32_t w, struct insn *d)
{
    /* cond 100P USWL Rn register_list */
    struct insn_block *b = &d->block;
    d->kind = INSN_LOAD_STORE_MULTIPLE;
    b->pre = BIT(w, 24);
    b->up = BIT(w, 23);
    b->s = BIT(w, 22);
    b->wback = BIT(w, 21);
    b->load = BIT(w, 20);
    b->rn = reg_at(w, 16);
    b->list = (uint16_t)BITS(w, 15, 0);
    b->count = (uint8_t)popcount16(b->list);
    b->exc_return = b->s && b->load && (b->list & 0x8000u);
    b->user_regs = b->s && !b->exc_return;
    if (b->list == 0 || (b->user_regs && b->wback))
        d->unpred |= INSN_UNPRED_FORM;
    if (b->rn == ARM_REG_PC || (b->wback && b->load && (b->list & (1u << b->rn))))
        d->unpred |= INSN_UNPRED_REG;
    /* STM with writeback and Rn in the list but not lowest stores an UNPREDICTABLE value */
    if (b->wback && !b->load && (b->list & (1u << b->rn)) && (b->list & ((1u << b->rn) - 1u)))
        d->unpred |= INSN_UNPRED_REG;
}

/* ---------------------------------------------------------------- coprocessor */

static void decode_cp_load_store(uint32_t w, struct insn *d)
{
    /* cond 110P UNWL Rn CRd cp_num offset_8 (LDC2/STC2: cond = 1111) */
    struct insn_cp *c = &d->cp;
    bool p = BIT(w, 24), u = BIT(w, 23), wb = BIT(w, 21);
    if (!p && !u && !wb)
        return;                                     /* UNDEFINED (MCRR/MRRC caught before) */
    d->kind = BIT(w, 20) ? INSN_LDC : INSN_STC;
    c->pre = p;
    c->up = u;
    c->wback = wb;
    c->n = BIT(w, 22);
    c->unindexed = !p && !wb;
    c->rn = reg_at(w, 16);
    c->crd = reg_at(w, 12);
    c->cp = (uint8_t)BITS(w, 11, 8);
    c->imm8 = (uint8_t)BITS(w, 7, 0);
    if (wb && c->rn == ARM_REG_PC)
        d->unpred |= INSN_UNPRED_REG;
}

static void decode_mcrr(uint32_t w, struct insn *d)
{
    /* cond 1100 010L Rn Rd cp_num opcode CRm */
    struct insn_cp *c = &d->cp;
    d->kind = BIT(w, 20) ? INSN_MRRC : INSN_MCRR;
    c->rn = reg_at(w, 16);
    c->rd = reg_at(w, 12);
    c->cp = (uint8_t)BITS(w, 11, 8);
    c->opc1 = (uint8_t)BITS(w, 7, 4);
    c->crm = reg_at(w, 0);
    if (c->rn == ARM_REG_PC || c->rd == ARM_REG_PC || (d->kind == INSN_MRRC && c->rn == c->rd))
        d->unpred |= INSN_UNPRED_REG;
}

static void decode_cp_reg(uint32_t w, struct insn *d)
{
    /* CDP:     cond 1110 opc1(4) CRn CRd cp_num opc2 0 CRm
     * MCR/MRC: cond 1110 opc1(3) L CRn Rd cp_num opc2 1 CRm */
    struct insn_cp *c = &d->cp;
    c->crn = reg_at(w, 16);
    c->cp = (uint8_t)BITS(w, 11, 8);
    c->opc2 = (uint8_t)BITS(w, 7, 5);
    c->crm = reg_at(w, 0);
    if (!BIT(w, 4)) {
        d->kind = INSN_CDP;
        c->opc1 = (uint8_t)BITS(w, 23, 20);
        c->crd = reg_at(w, 12);
    } else {
        d->kind = BIT(w, 20) ? INSN_MRC : INSN_MCR;
        c->opc1 = (uint8_t)BITS(w, 23, 21);
        c->rd = reg_at(w, 12);
        if (d->kind == INSN_MCR && c->rd == ARM_REG_PC)
            d->unpred |= INSN_UNPRED_REG;           /* MRC to PC sets the flags: defined */
    }
}

/* ---------------------------------------------------------------- top level */

static void decode_uncond(uint32_t w, struct insn *d)
{
    /* ARMv5TE: BLX(1), PLD, CDP2/MCR2/MRC2/LDC2/STC2; everything else UNDEFINED. */
    if (BITS(w, 27, 25) == 5) {                     /* 1111 101H signed_immed_24 */
        d->kind = INSN_BRANCH;
        d->branch.link = true;
        d->branch.exchange = true;
        d->branch.offset = (int32_t)((uint32_t)sign_extend(BITS(w, 23, 0), 24) << 2) |
                           (int32_t)(BIT(w, 24) << 1);
        return;
    }
    if ((w & 0x0D700000u) == 0x05500000u && !(BIT(w, 25) && BIT(w, 4))) {
        struct insn_mem *m = &d->mem;               /* 1111 01I1 U101 Rn 1111 addr_mode */
        d->kind = INSN_PLD;
        m->pre = true;
        m->up = BIT(w, 23);
        m->rn = reg_at(w, 16);
        m->size = 0;
        if (BIT(w, 25)) {
            m->form = OPERAND_REG_IMM;
            m->rm = reg_at(w, 0);
            m->shift = (uint8_t)BITS(w, 6, 5);
            m->shift_imm = (uint8_t)BITS(w, 11, 7);
            if (m->rm == ARM_REG_PC)
                d->unpred |= INSN_UNPRED_REG;
        } else {
            m->form = OPERAND_IMM;
            m->imm = BITS(w, 11, 0);
        }
        if (BITS(w, 15, 12) != 0xFu)
            d->unpred |= INSN_UNPRED_SBZ;
        return;
    }
    switch (BITS(w, 27, 24)) {
    case 0xC: case 0xD:
        if ((w & 0x0FE00000u) != 0x0C400000u)       /* MCRR2/MRRC2 are ARMv6 */
            decode_cp_load_store(w, d);
        return;
    case 0xE:
        decode_cp_reg(w, d);
        return;
    default:
        return;
    }
}

void decode_arm(uint32_t w, struct insn *d)
{
    /* (field by field: a compound literal of the whole would be a memset call, and this runs
     * at every trap that decodes) */
    d->raw = w;
    d->kind = INSN_UNDEFINED;
    d->cond = (uint8_t)(w >> 28);
    d->unpred = 0;
    d->all[0] = d->all[1] = d->all[2] = d->all[3] = d->all[4] = d->all[5] = 0;

    if (d->cond == COND_NV) {
        decode_uncond(w, d);
        return;
    }
    switch (BITS(w, 27, 25)) {
    case 0:
        if (BIT(w, 4) && BIT(w, 7)) {               /* multiplies, extra loads/stores */
            if (BITS(w, 6, 5) != 0)
                decode_extra_load_store(w, d);
            else if (!BIT(w, 24))
                decode_multiply(w, d);
            else if ((w & 0x0FB00000u) == 0x01000000u)
                decode_swp(w, d);
            /* else LDREX/STREX (ARMv6) and friends: UNDEFINED */
        } else if ((w & 0x01900000u) == 0x01000000u) {
            decode_misc(w, d);                      /* opcode 10xx with S = 0 */
        } else {
            decode_data_proc(w, d);
        }
        return;
    case 1:
        if ((w & 0x01900000u) == 0x01000000u) {     /* opcode 10xx with S = 0 */
            if (BIT(w, 21))
                decode_msr(w, d, true);
            /* else MOVW/MOVT (ARMv6T2): UNDEFINED */
        } else {
            decode_data_proc(w, d);
        }
        return;
    case 2:
        decode_load_store(w, d);
        return;
    case 3:
        if (!BIT(w, 4))
            decode_load_store(w, d);
        else if (proxy_in_space(w))
            decode_proxy(w, d);
        /* else the rest of the ARMv6 media space and UDF: UNDEFINED */
        return;
    case 4:
        decode_block(w, d);
        return;
    case 5:
        d->kind = INSN_BRANCH;
        d->branch.link = BIT(w, 24);
        d->branch.offset = (int32_t)((uint32_t)sign_extend(BITS(w, 23, 0), 24) << 2);
        return;
    case 6:
        if ((w & 0x0FE00000u) == 0x0C400000u)
            decode_mcrr(w, d);
        else
            decode_cp_load_store(w, d);
        return;
    default:
        if (BIT(w, 24)) {
            d->kind = INSN_SWI;
            d->imm = BITS(w, 23, 0);
        } else {
            decode_cp_reg(w, d);
        }
        return;
    }
}

const char *insn_kind_name(unsigned kind)
{
    static const char *const names[INSN_KIND_COUNT] = {
        [INSN_UNDEFINED] = "undefined",
        [INSN_PROXY] = "proxy",
        [INSN_MRS] = "mrs",
        [INSN_MSR] = "msr",
        [INSN_DATA_PROC] = "data-processing",
        [INSN_ARITH] = "multiply/misc-arith",
        [INSN_LOAD_STORE] = "load/store",
        [INSN_LOAD_STORE_MULTIPLE] = "ldm/stm",
        [INSN_SWP] = "swp",
        [INSN_PLD] = "pld",
        [INSN_BRANCH] = "branch",
        [INSN_BRANCH_REG] = "branch-exchange",
        [INSN_CDP] = "cdp",
        [INSN_MCR] = "mcr",
        [INSN_MRC] = "mrc",
        [INSN_MCRR] = "mcrr",
        [INSN_MRRC] = "mrrc",
        [INSN_LDC] = "ldc",
        [INSN_STC] = "stc",
        [INSN_SWI] = "swi",
        [INSN_BKPT] = "bkpt",
    };
    return kind < INSN_KIND_COUNT ? names[kind] : "?";
}
