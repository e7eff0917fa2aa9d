#include "cache_batch.h"

#include "decode.h"
#include "emulate.h"

#define PSR_N (1u << 31)
#define PSR_Z (1u << 30)
#define PSR_C (1u << 29)
#define PSR_V (1u << 28)

#define LOOP_MAX_WORDS (CACHE_BATCH_MAX_LOOP / 4)

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

static void set_nzcv(struct trap_frame *f, uint32_t result, bool c, bool v)
{
    f->cpsr = (f->cpsr & ~(PSR_N | PSR_Z | PSR_C | PSR_V)) | (result & PSR_N) |
              (result ? 0 : PSR_Z) | (c ? PSR_C : 0) | (v ? PSR_V : 0);
}

/* ADD SUB CMP CMN TST with an immediate or a plain register, never pc. */
static bool dp_in_set(const struct insn_dp *d)
{
    bool plain = d->form == OPERAND_IMM ||
                 (d->form == OPERAND_REG_IMM && d->shift == SHIFT_LSL && d->shift_imm == 0 &&
                  d->rm != ARM_REG_PC);
    bool op = d->opcode == DP_ADD || d->opcode == DP_SUB || d->opcode == DP_CMP ||
              d->opcode == DP_CMN || d->opcode == DP_TST;
    return plain && op && d->rn != ARM_REG_PC && d->rd != ARM_REG_PC;
}

static void run_dp(struct trap_frame *f, const struct insn_dp *d)
{
    uint32_t a = trap_frame_get(f, d->rn), r;
    uint32_t b = d->form == OPERAND_IMM ? d->imm : trap_frame_get(f, d->rm);
    bool c, v;
    if (d->opcode == DP_ADD || d->opcode == DP_CMN) {
        r = a + b;
        c = r < a;
        v = (~(a ^ b) & (a ^ r)) >> 31;
    } else if (d->opcode == DP_SUB || d->opcode == DP_CMP) {
        r = a - b;
        c = a >= b;
        v = ((a ^ b) & (a ^ r)) >> 31;
    } else {   /* TST */
        r = a & b;
        c = d->form == OPERAND_IMM && d->rotate ? (b >> 31) : (f->cpsr & PSR_C) != 0;
        v = (f->cpsr & PSR_V) != 0;
    }
    if (d->opcode == DP_ADD || d->opcode == DP_SUB)
        trap_frame_set(f, d->rd, r);
    if (d->s)
        set_nzcv(f, r, c, v);
}

/* Quick filter on the raw word: data processing, B, or MCR p15 c7; anything else (the loads
 * and stores of a copy loop, typically) ends the search before any decoding. */
static bool maybe_in_set(uint32_t w)
{
    return (w & 0x0c000000) == 0 || (w & 0x0f000000) == 0x0a000000 || cache_batch_is_line_op(w);
}

static bool in_set(const struct insn *in)
{
    if (in->cond == COND_NV)
        return false;
    switch (in->kind) {
    case INSN_MCR:  return cache_batch_is_line_op(in->raw) && in->cp.rd != ARM_REG_PC;
    case INSN_DATA_PROC: return dp_in_set(&in->dp);
    case INSN_BRANCH: return !in->branch.link && !in->branch.exchange;
    default: return false;
    }
}

/* The loop the trapped MCR (at f->pc - 4) belongs to: from a short backward branch at or after
 * f->pc to its target at or before the MCR, every instruction in the set.  Decoded once. */
struct loop {
    uint32_t head, end;                 /* [head, end): the body, the branch last */
    struct insn in[LOOP_MAX_WORDS + 1];
};

static bool find_loop(const struct trap_frame *f, const struct cache_batch_ops *ops,
                      struct loop *l)
{
    uint32_t mcr = f->pc - 4, at = f->pc, w;
    struct insn b;

    for (;; at += 4) {   /* forward to the branch back */
        if (at - mcr > CACHE_BATCH_MAX_LOOP || !ops->fetch(ops->ctx, at, &w) || !maybe_in_set(w))
            return false;
        if ((w & 0x0f000000) == 0x0a000000)
            break;
    }
    decode_arm(w, &b);
    l->head = at + 8 + (uint32_t)b.branch.offset;
    l->end = at + 4;
    if (!in_set(&b) || l->head > mcr || at - l->head >= CACHE_BATCH_MAX_LOOP)
        return false;
    for (uint32_t a = l->head; a < l->end; a += 4) {
        struct insn *in = &l->in[(a - l->head) / 4];
        if (!ops->fetch(ops->ctx, a, &w) || !maybe_in_set(w))
            return false;
        decode_arm(w, in);
        if (!in_set(in))
            return false;
    }
    return true;
}

unsigned cache_batch_run(struct trap_frame *f, const struct cache_batch_ops *ops, unsigned budget)
{
    struct loop l;
    unsigned n = 0;

    if (!find_loop(f, ops, &l))
        return 0;
    while (n < budget && f->pc >= l.head && f->pc < l.end) {
        const struct insn *in = &l.in[(f->pc - l.head) / 4];
        uint32_t next = f->pc + 4;
        if (emu_cond_passed(in->cond, f->cpsr)) {
            if (in->kind == INSN_MCR)
                ops->line_op(ops->ctx, in->raw, trap_frame_get(f, in->cp.rd));
            else if (in->kind == INSN_DATA_PROC)
                run_dp(f, &in->dp);
            else
                next = f->pc + 8 + (uint32_t)in->branch.offset;
        }
        f->pc = next;
        n++;
    }
    return n;
}
