#include "cache_batch.h"

#include "decode.h"
#include "emulate.h"

#define PSR_N (1u << 31)
#define PSR_Z (1u << 30)
#define PSR_C (1u << 29)
#define PSR_V (1u << 28)

bool cache_batch_is_line_op(uint32_t word)
{
    if ((word & 0x0fff0f10) != 0x0e070f10)
        return false;   /* not MCR p15, 0, Rd, c7: the common case, decided first */
    unsigned crm = word & 0xf, opc2 = (word >> 5) & 7;
    bool line = (crm == 5 || crm == 6 || crm == 10 || crm == 14) && opc2 == 1;
    bool whole = (crm == 5 || crm == 6 || crm == 7) && opc2 == 0;
    bool drain = crm == 10 && opc2 == 4;
    return line || whole || drain;
}

static uint32_t reg(const struct trap_frame *f, unsigned r)
{
    return r < 13 ? f->r[r] : r == 13 ? f->sp : f->lr;
}

static void set_reg(struct trap_frame *f, unsigned r, uint32_t v)
{
    if (r < 13)
        f->r[r] = v;
    else if (r == 13)
        f->sp = v;
    else
        f->lr = v;
}

static void set_nzcv(struct trap_frame *f, uint32_t result, bool c, bool v)
{
    f->cpsr = (f->cpsr & ~(PSR_N | PSR_Z | PSR_C | PSR_V)) | (result & PSR_N) |
              (result ? 0 : PSR_Z) | (c ? PSR_C : 0) | (v ? PSR_V : 0);
}

/* ADD SUB CMP CMN TST with an immediate or a plain register (no shift, no pc): false for
 * anything else. */
static bool run_dp(struct trap_frame *f, const struct insn_dp *d)
{
    bool plain = d->form == OPERAND_IMM ||
                 (d->form == OPERAND_REG_IMM && d->shift == SHIFT_LSL && d->shift_imm == 0 &&
                  d->rm != ARM_REG_PC);
    if (!plain || d->rn == ARM_REG_PC || d->rd == ARM_REG_PC)
        return false;
    uint32_t a = reg(f, d->rn), b = d->form == OPERAND_IMM ? d->imm : reg(f, d->rm), r;
    bool c, v;
    switch (d->opcode) {
    case DP_ADD: case DP_CMN:
        r = a + b;
        c = r < a;
        v = (~(a ^ b) & (a ^ r)) >> 31;
        break;
    case DP_SUB: case DP_CMP:
        r = a - b;
        c = a >= b;
        v = ((a ^ b) & (a ^ r)) >> 31;
        break;
    case DP_TST:
        r = a & b;
        c = d->form == OPERAND_IMM && d->rotate ? (b >> 31) : (f->cpsr & PSR_C) != 0;
        v = (f->cpsr & PSR_V) != 0;
        break;
    default:
        return false;
    }
    if (d->opcode == DP_ADD || d->opcode == DP_SUB)
        set_reg(f, d->rd, r);
    if (d->s)
        set_nzcv(f, r, c, v);
    return true;
}

/* One instruction at f->pc; false (nothing done) when it is outside the set. */
static bool step(struct trap_frame *f, const struct cache_batch_ops *ops)
{
    uint32_t word, at = f->pc;
    struct insn in;

    if (!ops->fetch(ops->ctx, at, &word))
        return false;
    decode_arm(word, &in);
    bool pass = in.cond != COND_NV && emu_cond_passed(in.cond, f->cpsr);
    switch (in.kind) {
    case INSN_MCR:
        if (!cache_batch_is_line_op(word) || in.cp.rd == ARM_REG_PC)
            return false;
        if (pass)
            ops->line_op(ops->ctx, word, reg(f, in.cp.rd));
        break;
    case INSN_DATA_PROC:
        if (pass && !run_dp(f, &in.dp))
            return false;
        break;
    case INSN_BRANCH:
        if (in.branch.link || in.branch.exchange || in.branch.offset > -8 ||
            (uint32_t)-(in.branch.offset + 8) > CACHE_BATCH_MAX_LOOP)
            return false;
        if (pass) {
            f->pc = at + 8 + (uint32_t)in.branch.offset;
            return true;
        }
        break;
    default:
        return false;
    }
    f->pc = at + 4;
    return true;
}

unsigned cache_batch_run(struct trap_frame *f, const struct cache_batch_ops *ops, unsigned budget)
{
    unsigned n = 0;
    while (n < budget && step(f, ops))
        n++;
    return n;
}
