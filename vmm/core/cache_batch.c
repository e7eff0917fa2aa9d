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
 * f->pc to its target at or before the MCR, every instruction in the set.  Decoded into l,
 * reusing what l already holds for the same words. */
static bool find_loop(const struct trap_frame *f, const struct cache_batch_ops *ops,
                      struct cache_batch_loop *l)
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
    uint32_t head = at + 8 + (uint32_t)b.branch.offset;
    if (!in_set(&b) || head > mcr || at - head >= CACHE_BATCH_MAX_LOOP)
        return false;
    bool same = l->valid && l->head == head && l->end == at + 4;
    l->valid = false;
    l->head = head;
    l->end = at + 4;
    for (uint32_t a = head; a < l->end; a += 4) {
        unsigned i = (a - head) / 4;
        if (!ops->fetch(ops->ctx, a, &w) || !maybe_in_set(w))
            return false;
        if (!same || l->raw[i] != w) {
            decode_arm(w, &l->in[i]);
            l->raw[i] = w;
        }
        if (!in_set(&l->in[i]))
            return false;
    }
    l->valid = true;
    return true;
}

/* Interprets the loop from f->pc for at most budget instructions, until it leaves the loop or,
 * with stop_at_head, comes back to its head.  *ops_done: line operations performed. */
static unsigned interpret(struct trap_frame *f, const struct cache_batch_loop *l,
                          const struct cache_batch_ops *ops, unsigned budget, bool stop_at_head,
                          unsigned *ops_done)
{
    unsigned n = 0;
    while (n < budget && f->pc >= l->head && f->pc < l->end) {
        const struct insn *in = &l->in[(f->pc - l->head) / 4];
        uint32_t next = f->pc + 4;
        if (emu_cond_passed(in->cond, f->cpsr)) {
            if (in->kind == INSN_MCR) {
                ops->line_op(ops->ctx, in->raw, trap_frame_get(f, in->cp.rd));
                (*ops_done)++;
            } else if (in->kind == INSN_DATA_PROC) {
                run_dp(f, &in->dp);
            } else {
                next = f->pc + 8 + (uint32_t)in->branch.offset;
            }
        }
        f->pc = next;
        n++;
        if (stop_at_head && f->pc == l->head)
            break;
    }
    return n;
}

/* A loop in closed form: every register it writes moves by a constant step per iteration, and
 * the last flag-setting instruction decides the branch back: `cmp Rn, Rm|#imm` with Rn rising
 * and `bcc` (Linux's range loops), or `subs Rc, Rc, #imm` and `bhi` (its counted ones).  Any
 * other flag setter only tests registers the loop does not write, and a conditional line
 * operation follows one (so it runs the same in every iteration). */
struct affine {
    int32_t step[13];       /* per iteration, r0-r12 */
    int32_t before_exit;    /* the change of the exit register before its compare */
    const struct insn_dp *exit;
    unsigned len;           /* instructions per iteration */
};

static bool writes_only_itself(const struct insn_dp *d)
{
    return d->form == OPERAND_IMM && d->rd == d->rn && d->rd < 13 && d->imm < 0x80000000u;
}

/* A conditional line operation may only test N or Z, set by a flag setter of the same
 * iteration that reads registers the loop leaves alone: then it runs alike every time. */
static bool steady_cond(unsigned cond)
{
    return cond == COND_EQ || cond == COND_NE || cond == COND_MI || cond == COND_PL;
}

static int32_t dp_step(const struct insn_dp *d)
{
    return d->opcode == DP_ADD ? (int32_t)d->imm : -(int32_t)d->imm;
}

static bool affine_shape(const struct cache_batch_loop *l, struct affine *a)
{
    unsigned m = (l->end - l->head) / 4, exit = m;
    const struct insn *br = &l->in[m - 1];

    *a = (struct affine){ .len = m };
    for (unsigned i = 0; i + 1 < m; i++) {   /* the steps, and the last flag setter */
        const struct insn *in = &l->in[i];
        const struct insn_dp *d = &in->dp;
        if (in->kind == INSN_BRANCH || (in->kind == INSN_DATA_PROC && in->cond != COND_AL))
            return false;
        if (in->kind != INSN_DATA_PROC)
            continue;
        if (d->opcode == DP_ADD || d->opcode == DP_SUB) {
            if (!writes_only_itself(d))
                return false;
            a->step[d->rd] += dp_step(d);
        }
        if (d->s)
            exit = i;
    }
    if (exit == m)
        return false;
    bool steady = false;   /* the flags here are the same in every iteration */
    for (unsigned i = 0; i + 1 < m; i++) {
        const struct insn *in = &l->in[i];
        const struct insn_dp *d = &in->dp;
        if (in->kind == INSN_MCR && in->cond != COND_AL && !(steady && steady_cond(in->cond)))
            return false;
        if (in->kind != INSN_DATA_PROC)
            continue;
        if (d->s && i != exit) {
            if (d->opcode == DP_ADD || d->opcode == DP_SUB || d->rn > 12 || a->step[d->rn] ||
                (d->form != OPERAND_IMM && (d->rm > 12 || a->step[d->rm])))
                return false;
            steady = true;
        } else if (d->s) {
            steady = false;
        }
        if (i < exit && !d->s && d->rd == l->in[exit].dp.rn)
            a->before_exit += dp_step(d);
    }
    const struct insn_dp *e = a->exit = &l->in[exit].dp;
    if (e->rn > 12)
        return false;
    if (br->cond == COND_CC && e->opcode == DP_CMP)   /* rising to an invariant bound */
        return a->step[e->rn] > 0 && a->before_exit >= 0 &&
               (e->form == OPERAND_IMM || (e->rm < 13 && !a->step[e->rm]));
    if (br->cond == COND_HI && e->opcode == DP_SUB && e->form == OPERAND_IMM)  /* counting down */
        return e->imm && a->step[e->rn] == -(int32_t)e->imm && a->before_exit == 0;
    return false;
}

/* The line operations one iteration performs (from the head, with f's registers): the AL ones
 * and the conditional ones whose steady flags (affine_shape) pass; the flag setters run on a
 * copy of the frame. */
static unsigned line_ops_per_iteration(const struct trap_frame *f,
                                       const struct cache_batch_loop *l)
{
    struct trap_frame scratch = *f;
    unsigned n = 0;
    for (uint32_t a = l->head; a + 4 < l->end; a += 4) {
        const struct insn *in = &l->in[(a - l->head) / 4];
        if (in->kind == INSN_DATA_PROC && in->dp.s)
            run_dp(&scratch, &in->dp);
        else if (in->kind == INSN_MCR && emu_cond_passed(in->cond, scratch.cpsr))
            n++;
    }
    return n;
}

/* From the loop's head: the iterations it still makes, all at once.  False if the exit
 * register would wrap around (the interpreter takes those). */
static bool run_closed_form(struct trap_frame *f, const struct affine *a, unsigned *iterations)
{
    const struct insn_dp *e = a->exit;
    uint64_t x = (uint64_t)trap_frame_get(f, e->rn) + (uint64_t)a->before_exit, k, last;
    uint64_t bound = e->form == OPERAND_IMM ? e->imm : trap_frame_get(f, e->rm);
    if (e->opcode == DP_CMP) {   /* compares x, x + step, ... with bound while below it */
        uint64_t step = (uint64_t)a->step[e->rn];
        k = x >= bound ? 1 : 1 + (bound - x + step - 1) / step;
        last = x + (k - 1) * step;
    } else {                     /* x, x - imm, ... while above imm */
        k = x <= e->imm ? 1 : 1 + (x - e->imm + e->imm - 1) / e->imm;
        last = x - (k - 1) * e->imm;
        bound = e->imm;
    }
    if (x > 0xffffffffu || last > 0xffffffffu)
        return false;
    for (unsigned r = 0; r < 13; r++)
        f->r[r] += (uint32_t)((int64_t)a->step[r] * (int64_t)k);
    uint32_t va = (uint32_t)last, vb = (uint32_t)bound, res = va - vb;
    set_nzcv(f, res, va >= vb, ((va ^ vb) & (va ^ res)) >> 31);
    *iterations = (unsigned)k;
    return true;
}

unsigned cache_batch_run(struct trap_frame *f, const struct cache_batch_ops *ops, unsigned budget)
{
    struct cache_batch_loop local = { .valid = false }, *l = ops->memo ? ops->memo : &local;
    struct affine a;
    unsigned n, k, ignored = 0;

    if (!find_loop(f, ops, l))
        return 0;
    if (!ops->line_ops || !affine_shape(l, &a))
        return interpret(f, l, ops, budget, false, &ignored);
    /* The rest of this iteration, then the others in closed form. */
    n = interpret(f, l, ops, budget, true, &ignored);
    if (f->pc != l->head)
        return n;
    unsigned per_iteration = line_ops_per_iteration(f, l);
    if (!run_closed_form(f, &a, &k))
        return n + interpret(f, l, ops, budget - n, false, &ignored);
    f->pc = l->end;
    ops->line_ops(ops->ctx, k * per_iteration);
    uint64_t total = n + (uint64_t)k * a.len;
    return total > 0xffffffffu ? 0xffffffffu : (unsigned)total;
}
