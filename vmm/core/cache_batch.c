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

bool cache_batch_is_tlb_op(uint32_t word)
{
    return (word & 0x0fff0ffcu) == 0x0e080f34u && (word & 3u);
}

static bool maintenance_op(uint32_t word)
{
    return cache_batch_is_line_op(word) || cache_batch_is_tlb_op(word);
}

static uint32_t nzcv(uint32_t cpsr, uint32_t result, bool c, bool v)
{
    return (cpsr & ~(PSR_N | PSR_Z | PSR_C | PSR_V)) | (result & PSR_N) | (result ? 0 : PSR_Z) |
           (c ? PSR_C : 0) | (v ? PSR_V : 0);
}

static void set_nzcv(struct trap_frame *f, uint32_t result, bool c, bool v)
{
    f->cpsr = nzcv(f->cpsr, result, c, v);
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

/* One of the set's data-processing instructions on f's registers: its result; *cpsr gets its
 * flags when it sets them. */
static uint32_t dp_eval(const struct trap_frame *f, const struct insn_dp *d, uint32_t *cpsr)
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
        c = d->form == OPERAND_IMM && d->rotate ? (b >> 31) : (*cpsr & PSR_C) != 0;
        v = (*cpsr & PSR_V) != 0;
    }
    if (d->s)
        *cpsr = nzcv(*cpsr, r, c, v);
    return r;
}

static void run_dp(struct trap_frame *f, const struct insn_dp *d)
{
    uint32_t r = dp_eval(f, d, &f->cpsr);
    if (d->opcode == DP_ADD || d->opcode == DP_SUB)
        trap_frame_set(f, d->rd, r);
}

static bool cond_passed(unsigned cond, uint32_t cpsr)
{
    return cond == COND_AL || emu_cond_passed(cond, cpsr);
}

/* Quick filter on the raw word: data processing, LDM/STM, B, or MCR p15 c7; anything else
 * ends the search before any decoding. */
static bool maybe_in_set(uint32_t w)
{
    return (w & 0x0c000000) == 0 || (w & 0x0e000000) == 0x08000000 ||
           (w & 0x0f000000) == 0x0a000000 || maintenance_op(w);
}

static bool in_set(const struct insn *in)
{
    if (in->cond == COND_NV)
        return false;
    switch (in->kind) {
    case INSN_MCR:  return maintenance_op(in->raw) && in->cp.rd != ARM_REG_PC;
    case INSN_DATA_PROC: return dp_in_set(&in->dp);
    case INSN_BRANCH: return !in->branch.link && !in->branch.exchange;
    case INSN_LOAD_STORE_MULTIPLE: return true;   /* a block loop's, if block_shape says so */
    default: return false;
    }
}

#define CODE_PAGE 4096u

/* A remembered loop around the trapped MCR inside page (the MCR's page, read directly), whose
 * words are all still the same; NULL if none.  Only loops without inner branches: find_loop
 * would find the same one from any MCR in them. */
static struct cache_batch_loop *memo_match(struct cache_batch_memo *m, uint32_t mcr,
                                           const uint32_t *page)
{
    for (unsigned i = 0; i < CACHE_BATCH_MEMO; i++) {
        struct cache_batch_loop *l = &m->loop[i];
        if (!l->valid || l->inner_branch || mcr < l->head || mcr + 4 >= l->end ||
            l->head / CODE_PAGE != mcr / CODE_PAGE || (l->end - 4) / CODE_PAGE != mcr / CODE_PAGE)
            continue;
        const uint32_t *w = page + l->head % CODE_PAGE / 4;
        unsigned n = (l->end - l->head) / 4, k = 0;
        while (k < n && w[k] == l->raw[k])
            k++;
        if (k == n)
            return l;
    }
    return NULL;
}

/* The word at a of a loop around the trapped mcr: fetched already if after it (after[]). */
static bool loop_word(const struct cache_batch_ops *ops, uint32_t a, uint32_t mcr,
                      const uint32_t *after, uint32_t *w)
{
    if (a > mcr) {
        *w = after[(a - mcr) / 4 - 1];
        return true;
    }
    return ops->fetch(ops->ctx, a, w);
}

/* The memo's entry for the loop [head, end) if it still has the same words (mcr: the trapped
 * one; after: the words fetched after it), or NULL. */
static struct cache_batch_loop *memo_find(const struct cache_batch_ops *ops, uint32_t head,
                                          uint32_t end, uint32_t mcr, const uint32_t *after)
{
    struct cache_batch_loop *l = NULL;
    for (unsigned i = 0; ops->memo && i < CACHE_BATCH_MEMO && !l; i++)
        if (ops->memo->loop[i].valid && ops->memo->loop[i].head == head &&
            ops->memo->loop[i].end == end)
            l = &ops->memo->loop[i];
    for (uint32_t a = head, w; l && a < end; a += 4)
        if (!loop_word(ops, a, mcr, after, &w) || l->raw[(a - head) / 4] != w)
            return NULL;
    return l;
}

static bool block_shape(const struct cache_batch_loop *l, struct cache_batch_shape *b);
static bool affine_shape(const struct cache_batch_loop *l, struct cache_batch_affine *a);

/* The loop the trapped MCR (at f->pc - 4) belongs to: from a short backward branch at or after
 * f->pc to its target at or before the MCR, every instruction in the set.  Decoded with its
 * shapes into *scratch, which then replaces the memo's oldest entry, unless the memo has it
 * already.  NULL: no such loop. */
static struct cache_batch_loop *find_loop(const struct trap_frame *f,
                                          const struct cache_batch_ops *ops,
                                          struct cache_batch_loop *scratch)
{
    uint32_t mcr = f->pc - 4, at = f->pc, w, after[CACHE_BATCH_MAX_LOOP / 4];
    const uint32_t *page = ops->page && ops->memo ? ops->page(ops->ctx, mcr) : NULL;
    struct cache_batch_loop *l = page ? memo_match(ops->memo, mcr, page) : NULL;

    if (l)
        return l;
    for (unsigned n = 0;; at += 4) {   /* forward to the branch back */
        if (at - mcr > CACHE_BATCH_MAX_LOOP || !ops->fetch(ops->ctx, at, &w) || !maybe_in_set(w))
            return NULL;
        after[n++] = w;
        if ((w & 0x0f000000) == 0x0a000000)   /* B (no link) */
            break;
    }
    uint32_t head = at + 8 + (uint32_t)((int32_t)(w << 8) >> 6);
    if (w >> 28 == COND_NV || head > mcr || at - head >= CACHE_BATCH_MAX_LOOP)
        return NULL;
    l = memo_find(ops, head, at + 4, mcr, after);
    if (l)
        return l;
    l = scratch;
    l->head = head;
    l->end = at + 4;
    l->blocks = false;
    l->tlb = false;
    l->inner_branch = false;
    for (uint32_t a = head; a < l->end; a += 4) {
        unsigned i = (a - head) / 4;
        if (!loop_word(ops, a, mcr, after, &w) || !maybe_in_set(w))
            return NULL;
        decode_arm(w, &l->in[i]);
        l->raw[i] = w;
        if (!in_set(&l->in[i]))
            return NULL;
        l->blocks |= l->in[i].kind == INSN_LOAD_STORE_MULTIPLE;
        l->tlb |= l->in[i].kind == INSN_MCR && cache_batch_is_tlb_op(w);
        l->inner_branch |= l->in[i].kind == INSN_BRANCH && a + 4 < l->end;
    }
    l->block_ok = l->blocks && !l->tlb && block_shape(l, &l->block);
    l->affine_ok = !l->blocks && affine_shape(l, &l->affine);
    l->valid = true;
    if (!ops->memo)
        return l;
    struct cache_batch_memo *m = ops->memo;
    m->next = (m->next + 1) % CACHE_BATCH_MEMO;
    m->loop[m->next] = *l;
    return &m->loop[m->next];
}

/* Interprets the loop from f->pc for at most budget instructions, until it leaves the loop or,
 * with stop_at_head, comes back to its head. */
static unsigned interpret(struct trap_frame *f, const struct cache_batch_loop *l,
                          const struct cache_batch_ops *ops, unsigned budget, bool stop_at_head)
{
    unsigned n = 0;
    while (n < budget && f->pc >= l->head && f->pc < l->end) {
        const struct insn *in = &l->in[(f->pc - l->head) / 4];
        uint32_t next = f->pc + 4;
        if (cond_passed(in->cond, f->cpsr)) {
            if (in->kind == INSN_MCR) {
                ops->line_op(ops->ctx, in->raw, trap_frame_get(f, in->cp.rd));
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

static bool affine_shape(const struct cache_batch_loop *l, struct cache_batch_affine *a)
{
    unsigned m = (l->end - l->head) / 4, exit = m;
    const struct insn *br = &l->in[m - 1];

    *a = (struct cache_batch_affine){ .len = m };
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
    a->exit_at = (uint8_t)exit;
    const struct insn_dp *e = &l->in[exit].dp;
    if (e->rn > 12)
        return false;
    if (br->cond == COND_CC && e->opcode == DP_CMP)   /* rising to an invariant bound */
        return a->step[e->rn] > 0 && a->before_exit >= 0 &&
               (e->form == OPERAND_IMM || (e->rm < 13 && !a->step[e->rm]));
    if (br->cond == COND_HI && e->opcode == DP_SUB && e->form == OPERAND_IMM)  /* counting down */
        return e->imm && a->step[e->rn] == -(int32_t)e->imm && a->before_exit == 0;
    return false;
}

/* A cache-line operation (not a TLB flush) that runs under flags cpsr. */
static bool line_op_passes(const struct insn *in, uint32_t cpsr)
{
    return in->kind == INSN_MCR && !cache_batch_is_tlb_op(in->raw) && cond_passed(in->cond, cpsr);
}

/* The line operations one iteration performs (from the head, with f's registers): the AL ones
 * and the conditional ones whose steady flags (affine_shape) pass; the flag setters evaluated,
 * no register written. */
static unsigned line_ops_per_iteration(const struct trap_frame *f,
                                       const struct cache_batch_loop *l)
{
    uint32_t cpsr = f->cpsr;
    unsigned n = 0;
    for (uint32_t a = l->head; a + 4 < l->end; a += 4) {
        const struct insn *in = &l->in[(a - l->head) / 4];
        if (in->kind == INSN_DATA_PROC && in->dp.s)
            dp_eval(f, &in->dp, &cpsr);
        else if (line_op_passes(in, cpsr))
            n++;
    }
    return n;
}

/* n / d for 0 < d < 2^32: a shift for the powers of two loops step by (a 64-bit division is
 * hundreds of instructions here), else the narrowest division. */
static uint64_t divide(uint64_t n, uint64_t d)
{
    if ((d & (d - 1)) == 0)
        return n >> __builtin_ctz((uint32_t)d);
    return n <= 0xffffffffu ? (uint32_t)n / (uint32_t)d : n / d;
}

/* The compares the loop still makes, all at once, from inside its body while this iteration's
 * exit compare is still ahead: tail[] are the steps of the instructions from f->pc to the
 * branch, before those of the exit register ahead of its compare (from the head: a whole
 * iteration's steps and before_exit).  f is left as the loop leaves it, but for pc; false,
 * with f unchanged, if the exit register would wrap around (the interpreter takes those). */
static bool run_closed_form(struct trap_frame *f, const struct cache_batch_loop *l,
                            const int32_t *tail, int32_t before, uint64_t max_k,
                            unsigned *iterations)
{
    const struct cache_batch_affine *a = &l->affine;
    const struct insn_dp *e = &l->in[a->exit_at].dp;
    uint64_t x = (uint64_t)trap_frame_get(f, e->rn) + (uint64_t)(int64_t)before, k, last;
    if (before < 0)
        return false;
    uint64_t bound = e->form == OPERAND_IMM ? e->imm : trap_frame_get(f, e->rm);
    if (e->opcode == DP_CMP) {   /* compares x, x + step, ... with bound while below it */
        uint64_t step = (uint64_t)a->step[e->rn];
        k = x >= bound ? 1 : 1 + divide(bound - x + step - 1, step);
        last = x + (k - 1) * step;
    } else {                     /* x, x - imm, ... while above imm */
        k = x <= e->imm ? 1 : 1 + divide(x - e->imm + e->imm - 1, e->imm);
        last = x - (k - 1) * e->imm;
        bound = e->imm;
    }
    if (x > 0xffffffffu || last > 0xffffffffu || k > max_k)
        return false;
    for (unsigned r = 0; r < 13; r++)
        f->r[r] += (uint32_t)tail[r] + (uint32_t)a->step[r] * (uint32_t)(k - 1);   /* (mod 2^32) */
    uint32_t va = (uint32_t)last, vb = (uint32_t)bound, res = va - vb;
    set_nzcv(f, res, va >= vb, ((va ^ vb) & (va ^ res)) >> 31);
    *iterations = (unsigned)k;
    return true;
}

#define NO_REG 16u

static bool subs_one(const struct insn *in)
{
    const struct insn_dp *d = &in->dp;
    return in->cond == COND_AL && d->opcode == DP_SUB && d->s && d->form == OPERAND_IMM &&
           d->imm == 1 && d->rd == d->rn && d->rd < 13;
}

/* One LDMIA/STMIA Rn!, {list} of the loop: the same list and, per direction, base throughout. */
static bool block_op(const struct insn *in, unsigned i, struct cache_batch_shape *b)
{
    const struct insn_block *k = &in->block;
    unsigned *base = k->load ? &b->src : &b->dst;
    if (k->pre || !k->up || !k->wback || k->s || k->rn > 12 || (k->list & 0xa000) ||
        (b->list && k->list != b->list) || (*base != NO_REG && *base != k->rn))
        return false;
    if (in->cond != COND_AL && (!k->load || in->cond != COND_NE || b->subs_at > i))
        return false;
    b->cond_load = in->cond != COND_AL;
    b->list = k->list;
    b->words = k->count;
    b->nloads += k->load;
    *base = k->rn;
    b->loads |= (uint32_t)k->load << b->ops++;
    return true;
}

static bool block_step(const struct insn *in, unsigned i, struct cache_batch_shape *b)
{
    if (b->cond_load)
        return false;   /* only the branch back follows the conditional load */
    if (in->kind == INSN_MCR) {
        b->lines++;
        return in->cond == COND_AL;
    }
    if (in->kind == INSN_DATA_PROC) {
        if (b->counter != NO_REG || !subs_one(in))
            return false;
        b->counter = in->dp.rd;
        b->subs_at = i;
        return true;
    }
    return in->kind == INSN_LOAD_STORE_MULTIPLE && block_op(in, i, b);
}

/* The counts run_block needs at each position of a loop of m instructions (the branch last). */
static void block_counts(const struct cache_batch_loop *l, unsigned m,
                         struct cache_batch_shape *b)
{
    unsigned done = 0, loads = 0, lines = 0;
    for (unsigned i = 0; i + 1 < m; i++) {
        done += l->in[i].kind == INSN_LOAD_STORE_MULTIPLE;
        b->done_by[i] = (uint8_t)done;
    }
    for (unsigned i = m - 1; i-- > 0;) {
        b->loads_after[i] = (uint8_t)loads;
        b->lines_after[i] = (uint8_t)lines;
        loads += l->in[i].kind == INSN_LOAD_STORE_MULTIPLE && l->in[i].block.load;
        lines += l->in[i].kind == INSN_MCR;
    }
}

static bool block_shape(const struct cache_batch_loop *l, struct cache_batch_shape *b)
{
    unsigned m = (l->end - l->head) / 4;
    *b = (struct cache_batch_shape){ .dst = NO_REG, .src = NO_REG, .counter = NO_REG, .subs_at = m };
    if (l->in[m - 1].cond != COND_NE)
        return false;
    for (unsigned i = 0; i + 1 < m; i++)
        if (!block_step(&l->in[i], i, b))
            return false;
    unsigned loads = b->nloads, stores = b->ops - loads;
    uint32_t alternate = b->loads ^ (b->loads >> 1), pairs = (1u << (b->ops - 1)) - 1;
    uint32_t regs = (1u << b->dst) | (1u << b->counter) | (b->src < 13 ? 1u << b->src : 0);
    if (!(b->counter != NO_REG && stores &&
          (!loads || (loads == stores && (alternate & pairs) == pairs)) &&
          b->dst != b->counter && b->src != b->dst && b->src != b->counter && !(b->list & regs)))
        return false;
    block_counts(l, m, b);
    return true;
}

/* The registers of a list, in the order LDM/STM move them (r0-r14, lowest first). */
static void list_get(const struct trap_frame *f, uint16_t list, uint32_t *words)
{
    for (uint32_t l = list & 0x7fffu; l; l &= l - 1)
        *words++ = trap_frame_get(f, (unsigned)__builtin_ctz(l));
}

static void list_set(struct trap_frame *f, uint16_t list, const uint32_t *words)
{
    for (uint32_t l = list & 0x7fffu; l; l &= l - 1)
        trap_frame_set(f, (unsigned)__builtin_ctz(l), *words++);
}

/* From the trapped line operation (index p, before the subs) to the loop's exit: Rc more
 * subs, so the rest of this iteration and Rc - 1 whole ones, the last without its NE load.
 * Alternation makes every store write the chunk loaded just before it: a copy of src to dst,
 * but for a first store (the trap came between a load and its store) of the registers. */
static unsigned run_block(struct trap_frame *f, const struct cache_batch_loop *l,
                          const struct cache_batch_ops *ops)
{
    const struct cache_batch_shape *sh = &l->block;
    unsigned m = (l->end - l->head) / 4, p = (f->pc - 4 - l->head) / 4;
    if (!ops->block || !ops->line_ops || !l->block_ok || p >= sh->subs_at ||
        !trap_frame_get(f, sh->counter))
        return 0;
    unsigned done = sh->done_by[p], tail_loads = sh->loads_after[p],
             tail_lines = sh->lines_after[p];
    uint32_t next = done < sh->ops ? sh->loads >> done : sh->loads;   /* bit 0: next a load */
    uint64_t more = trap_frame_get(f, sh->counter) - 1u, chunk = 4u * sh->words;
    uint64_t loads = tail_loads + more * sh->nloads - sh->cond_load;
    uint64_t stores = (sh->ops - done - tail_loads) + more * (sh->ops - sh->nloads);
    if (stores * chunk > CACHE_BATCH_MAX_BLOCK || loads * chunk > CACHE_BATCH_MAX_BLOCK)
        return 0;
    struct cache_batch_block b;   /* (field by field: words[] beyond nwords is never read,
                                     and zeroing it all would be a memset call) */
    b.dst = trap_frame_get(f, sh->dst);
    b.src = sh->src < 13 ? trap_frame_get(f, sh->src) : 0;
    b.dst_bytes = (uint32_t)(stores * chunk);
    b.src_bytes = (uint32_t)(loads * chunk);
    b.fill = sh->src == NO_REG;
    b.first_from_words = sh->src != NO_REG && !(next & 1);
    b.nwords = (unsigned)(chunk / 4);
    list_get(f, sh->list, b.words);
    if (!ops->block(ops->ctx, &b))
        return 0;
    trap_frame_set(f, sh->dst, b.dst + b.dst_bytes);
    if (!b.fill) {
        trap_frame_set(f, sh->src, b.src + b.src_bytes);
        if (b.src_bytes)
            list_set(f, sh->list, b.words);
    }
    trap_frame_set(f, sh->counter, 0);
    set_nzcv(f, 0, true, false);   /* the last subs: 1 - 1 */
    f->pc = l->end;
    ops->line_ops(ops->ctx, (unsigned)(tail_lines + more * sh->lines));
    uint64_t total = (m - 1 - p) + more * m;
    return total > 0xffffffffu ? 0xffffffffu : (unsigned)total;
}

/* What the rest of this iteration does from f->pc (inside the body): the steps (closed form's
 * tail and before) and the line operations (their flags from the flag setters on f's
 * registers: affine_shape lets a line operation test only flags of registers the loop leaves
 * alone). */
static unsigned loop_tail(const struct trap_frame *f, const struct cache_batch_loop *l,
                          int32_t *tail, int32_t *before)
{
    const struct cache_batch_affine *a = &l->affine;
    const struct insn_dp *e = &l->in[a->exit_at].dp;
    uint32_t cpsr = f->cpsr;
    unsigned ops = 0;
    *before = 0;
    for (unsigned r = 0; r < 13; r++)
        tail[r] = 0;
    for (unsigned i = (f->pc - l->head) / 4; i + 1 < a->len; i++) {
        const struct insn *in = &l->in[i];
        const struct insn_dp *d = &in->dp;
        if (in->kind == INSN_DATA_PROC && (d->opcode == DP_ADD || d->opcode == DP_SUB)) {
            tail[d->rd] += dp_step(d);
            *before += i < a->exit_at && d->rd == e->rn ? dp_step(d) : 0;
        }
        if (in->kind == INSN_DATA_PROC && d->s)
            dp_eval(f, d, &cpsr);
        else if (line_op_passes(in, cpsr))
            ops++;
    }
    return ops;
}

/* A TLB flush of an affine loop, from its head: the MCR, its operand in the first iteration,
 * the operand's step. */
struct tlb_run {
    uint32_t word, first;
    int32_t step;
};

/* The TLB flushes one iteration performs, from the head with f's registers (the flag setters
 * evaluated, as line_ops_per_iteration does, and the steps before each flush added). */
static unsigned tlb_runs(const struct trap_frame *f, const struct cache_batch_loop *l,
                         struct tlb_run *out)
{
    const struct cache_batch_affine *a = &l->affine;
    uint32_t cpsr = f->cpsr;
    int32_t pre[13] = { 0 };
    unsigned n = 0;
    for (unsigned i = 0; i + 1 < a->len; i++) {
        const struct insn *in = &l->in[i];
        const struct insn_dp *d = &in->dp;
        if (in->kind == INSN_DATA_PROC) {
            if (d->s)
                dp_eval(f, d, &cpsr);
            if (d->opcode == DP_ADD || d->opcode == DP_SUB)
                pre[d->rd] += dp_step(d);
        } else if (in->kind == INSN_MCR && cache_batch_is_tlb_op(in->raw) &&
                   cond_passed(in->cond, cpsr)) {
            unsigned rd = in->cp.rd;
            bool moves = rd < 13;   /* (sp and lr: the loop leaves them alone) */
            out[n++] = (struct tlb_run){ in->raw,
                                         trap_frame_get(f, rd) + (uint32_t)(moves ? pre[rd] : 0),
                                         moves ? a->step[rd] : 0 };
        }
    }
    return n;
}

/* An affine loop in closed form: from here when this iteration's exit compare is still ahead
 * (a loop without TLB flushes), else from the head once the interpreter has taken the rest of
 * this iteration. */
static unsigned run_affine(struct trap_frame *f, const struct cache_batch_loop *l,
                           const struct cache_batch_ops *ops, unsigned budget)
{
    const struct cache_batch_affine *a = &l->affine;
    unsigned p = (f->pc - l->head) / 4, k, n = 0, tail_ops = 0, nr_tlb = 0;
    int32_t tail[13], before;
    struct tlb_run tlb[CACHE_BATCH_MAX_LOOP / 4];
    if (p <= a->exit_at && !l->tlb) {
        tail_ops = loop_tail(f, l, tail, &before);
    } else {
        n = interpret(f, l, ops, budget, true);
        if (f->pc != l->head)
            return n;
        p = 0;
        before = a->before_exit;
        for (unsigned r = 0; r < 13; r++)
            tail[r] = a->step[r];
    }
    unsigned per_iteration = line_ops_per_iteration(f, l);
    if (l->tlb)
        nr_tlb = tlb_runs(f, l, tlb);
    if (!run_closed_form(f, l, tail, before, nr_tlb ? CACHE_BATCH_MAX_TLB / nr_tlb : UINT64_MAX,
                         &k))
        return n + interpret(f, l, ops, budget - n, false);
    f->pc = l->end;
    ops->line_ops(ops->ctx, (p ? tail_ops : per_iteration) + (k - 1) * per_iteration);
    for (unsigned i = 0; i < nr_tlb; i++)
        ops->tlb_ops(ops->ctx, tlb[i].word, tlb[i].first, tlb[i].step, k);
    uint64_t total = n + (a->len - p) + (uint64_t)(k - 1) * a->len;
    return total > 0xffffffffu ? 0xffffffffu : (unsigned)total;
}

unsigned cache_batch_run(struct trap_frame *f, const struct cache_batch_ops *ops, unsigned budget)
{
    struct cache_batch_loop scratch, *l = find_loop(f, ops, &scratch);

    if (!l)
        return 0;
    if (l->blocks)
        return run_block(f, l, ops);
    if (!ops->line_ops || !l->affine_ok || (l->tlb && !ops->tlb_ops))
        return interpret(f, l, ops, budget, false);
    return run_affine(f, l, ops, budget);
}
