#include "trampoline.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf_symbols.h"
#include "errmsg.h"
#include "decode.h"
#include "patch.h"
#include "proxy.h"

#define REG_PC  15u
#define FIQ_BANKED  0x1f00u          /* r8-r12: others in FIQ mode */
#define PSR_MODE_FIQ_BITS 0x11u
#define B_REACH   (32u << 20)   /* a B reaches +-32 MB */

/* What a site becomes, and the size of its trampoline in words. */
enum tramp_kind { TRAMP_NONE, TRAMP_MRS, TRAMP_IRQSAVE, TRAMP_MSR_REG, TRAMP_MSR_IMM, TRAMP_READ,
                  TRAMP_SPSR_WRITE, TRAMP_STM_USR, TRAMP_LDM_USR, TRAMP_DACR_WRITE };
static const unsigned tramp_words[] = {
    [TRAMP_MRS] = 6, [TRAMP_IRQSAVE] = 6, [TRAMP_MSR_REG] = 13, [TRAMP_MSR_IMM] = 14,
    [TRAMP_READ] = 2,
    [TRAMP_SPSR_WRITE] = 6, [TRAMP_STM_USR] = 7, [TRAMP_LDM_USR] = 7, [TRAMP_DACR_WRITE] = 14,
};

struct tramp {
    enum tramp_kind kind;
    unsigned reg;        /* Rd (MRS, reads), Rm (MSR reg, SPSR write), Rn (LDM/STM), Ra
                            (interrupt save) */
    uint32_t value;      /* MSR imm: bits 7:0 of the immediate, all an MSR CPSR_c writes */
    uint32_t field;      /* reads: the shared page's field */
    struct insn_block block;   /* LDM/STM */
};

/* ------------------------------------------------------------------ ARM encodings */

static uint32_t ldst_pc(uint32_t cond, uint32_t op, unsigned rt, uint32_t disp)
{
    return cond << 28 | op | (uint32_t)REG_PC << 16 | (uint32_t)rt << 12 | disp;
}
#define LDR_PC(c, rt, d)  ldst_pc(c, 0x05900000u, rt, d)   /* LDR Rt, [pc, #+d] */
#define STR_PC(c, rt, d)  ldst_pc(c, 0x05800000u, rt, d)   /* STR Rt, [pc, #+d] */
#define STRB_PC(c, rt, d) ldst_pc(c, 0x05c00000u, rt, d)   /* STRB Rt, [pc, #+d] */

static uint32_t dp(uint32_t cond, uint32_t op, unsigned rn, unsigned rd, uint32_t op2)
{
    return cond << 28 | op | (uint32_t)rn << 16 | (uint32_t)rd << 12 | op2;
}
#define MOV_IMM(rd, imm12)     dp(COND_AL, 0x03a00000u, 0, rd, imm12)
#define ORR_REG(rd, rn, rm)    dp(COND_AL, 0x01800000u, rn, rd, rm)
#define AND_REG(rd, rn, rm)    dp(COND_AL, 0x00000000u, rn, rd, rm)
#define EOR_REG(rd, rn, rm)    dp(COND_AL, 0x00200000u, rn, rd, rm)
#define BIC_REG(rd, rn, rm)    dp(COND_AL, 0x01c00000u, rn, rd, rm)
#define LSL(rm, n)             ((uint32_t)(n) << 7 | (rm))          /* shifter: Rm, LSL #n */
#define LSR(rm, n)             ((uint32_t)(n) << 7 | 0x20u | (rm))  /* shifter: Rm, LSR #n */
#define IMM_MODE_T(v)          (0x300u | ((v) & 0x3fu))   /* v[5:0] ror 6 = v[5:0] << 26 */
#define ADD_PC_PC(op2)         dp(COND_AL, 0x00800000u, 15, 15, op2)
#define MRS_CPSR(rd)           (0xe10f0000u | (uint32_t)(rd) << 12)
#define CLZ(rd, rm)            (0xe16f0f10u | (uint32_t)(rd) << 12 | (uint32_t)(rm))
#define NOP                    MOV_REG(0, 0)
#define MOV_REG(rd, op2)       dp(COND_AL, 0x01a00000u, 0, rd, op2)

static uint32_t branch(uint32_t cond, uint32_t from, uint32_t to)
{
    return cond << 28 | 0x0a000000u | (((to - from - 8) >> 2) & 0x00ffffffu);
}

static bool in_reach(uint32_t from, uint32_t to)
{
    int64_t d = (int64_t)to - (int64_t)from - 8;
    return d >= -(int64_t)B_REACH && d < (int64_t)B_REACH;
}

/* ------------------------------------------------------------------ sites */

/* Bits 7:0 of an ARM immediate, rotate_imm:imm8. */
static uint32_t imm_low_byte(uint32_t imm12)
{
    unsigned rot = (imm12 >> 8) * 2;
    uint32_t imm8 = imm12 & 0xffu;
    return (rot ? imm8 >> rot | imm8 << (32 - rot) : imm8) & 0xffu;
}

/* A trapping read of virtual state that a trampoline answers from the shared page. */
static uint32_t read_field(const struct insn *in)
{
    if (in->kind == INSN_MRS && in->psr.spsr && in->psr.rd != REG_PC)
        return VSHARED_SPSR;
    if (in->kind != INSN_MRC || in->cp.cp != 15 || in->cp.opc1 || in->cp.crm || in->cp.opc2 ||
        in->cp.rd == REG_PC)
        return 0;
    return in->cp.crn == 1 ? VSHARED_SCTLR : in->cp.crn == 3 ? VSHARED_DACR : 0;
}

#define SP_LR ((1u << 13) | (1u << 14))

/* LDM/STM of User registers that a trampoline can do: STM Rn, {sp, lr}^; LDM Rn, {...}^ with
 * sp and lr and at least one of r0-r12, no pc; no writeback, Rn not pc. */
static bool user_block(const struct insn *in)
{
    const struct insn_block *b = &in->block;
    if (in->kind != INSN_LOAD_STORE_MULTIPLE || !b->user_regs || b->wback || b->rn == REG_PC ||
        in->unpred || (b->list & SP_LR) != SP_LR || (b->list & (1u << REG_PC)))
        return false;
    return b->load ? (b->list & 0x1fffu) != 0 : b->list == SP_LR;
}

/* What the word at a site becomes; reads only when the code never runs in User mode (there
 * they must stay UNDEFINED, which a load from the shared page is not). */
static struct tramp classify(uint32_t word, bool reads)
{
    struct insn in;
    struct tramp t = { .kind = TRAMP_NONE };

    decode_arm(word, &in);
    if (in.cond == COND_NV)
        return t;
    if (in.kind == INSN_PROXY && in.proxy.valid) {
        const struct insn_psr *p = &in.proxy.psr;
        if (in.proxy.op == PROXY_OP_MRS_CPSR && p->rd != REG_PC)
            t = (struct tramp){ .kind = TRAMP_MRS, .reg = p->rd };
        else if (in.proxy.op != PROXY_OP_MRS_CPSR && p->mask == PSR_FIELD_C)
            t = p->imm ? (struct tramp){ .kind = TRAMP_MSR_IMM, .value = imm_low_byte(p->imm12) }
              : p->rm != REG_PC ? (struct tramp){ .kind = TRAMP_MSR_REG, .reg = p->rm } : t;
    } else if (reads && read_field(&in)) {
        t = (struct tramp){ .kind = TRAMP_READ, .reg = in.kind == INSN_MRS ? in.psr.rd : in.cp.rd,
                            .field = read_field(&in) };
    } else if (reads && in.kind == INSN_MSR && in.psr.spsr && !in.psr.imm &&
               in.psr.mask == (PSR_FIELD_C | PSR_FIELD_X | PSR_FIELD_S | PSR_FIELD_F) &&
               in.psr.rm != REG_PC) {
        t = (struct tramp){ .kind = TRAMP_SPSR_WRITE, .reg = in.psr.rm };
    } else if (reads && in.kind == INSN_MCR && in.cp.cp == 15 && !in.cp.opc1 && in.cp.crn == 3 &&
               !in.cp.crm && !in.cp.opc2 && in.cp.rd != REG_PC) {
        t = (struct tramp){ .kind = TRAMP_DACR_WRITE, .reg = in.cp.rd };
    } else if (reads && user_block(&in)) {
        t = (struct tramp){ .kind = in.block.load ? TRAMP_LDM_USR : TRAMP_STM_USR,
                            .reg = in.block.rn, .block = in.block };
    }
    return t;
}

/* ORR Rb, Ra, #imm (always, no S) whose low byte sets nothing but the I and F bits: the middle
 * of a kernel's interrupt save (MRS Ra, CPSR; this; MSR CPSR_c, Rb). */
static bool is_mask_orr(uint32_t w, unsigned ra, unsigned rb)
{
    return (w & 0xfff00000u) == 0xe3800000u && (w >> 16 & 15) == ra && (w >> 12 & 15) == rb &&
           !(imm_low_byte(w & 0xfffu) & ~0xc0u);
}

/* What a site becomes: an MRS that starts an interrupt save (site.orr) is linked with the ORR
 * and MSR after it when the code never runs in User mode (in a privileged mode, masking
 * interrupts needs no test). */
static struct tramp site_tramp(const struct fastpath_sites *s, const struct fastpath_site *site)
{
    struct tramp t = classify(site->word, true);
    if (t.kind == TRAMP_MRS && site->orr && s->reads)
        t = (struct tramp){ .kind = TRAMP_IRQSAVE, .reg = t.reg, .value = site->orr };
    return t;
}

static bool skipped(const struct fastpath_sites *s, uint32_t va)
{
    return va >= s->skip_start && va < s->skip_end;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static void collect_one(const struct patch_site *p, void *ctx)
{
    struct fastpath_sites *s = ctx;
    if ((p->kind != PATCH_SITE_PROXY && p->kind != PATCH_SITE_VIRTUAL_STATE) ||
        classify(p->word, true).kind == TRAMP_NONE)
        return;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        struct fastpath_site *n = realloc(s->site, cap * sizeof *n);
        if (!n)
            return;   /* the site keeps its trapping proxy */
        s->site = n;
        s->cap = cap;
    }
    uint32_t left = (p->sec_size - p->sec_offset) / 4 - 1;   /* (words after it in its section) */
    s->site[s->n++] = (struct fastpath_site){
        p->addr, p->file_offset, p->word, 0, 0,
        (uint8_t)(left < FASTPATH_DEAD_WINDOW ? left : FASTPATH_DEAD_WINDOW) };
}

/* The interrupt saves among the sites: an unconditional MRS Ra, CPSR proxy, the ORR (read from
 * the file) and an unconditional MSR CPSR_c, Rb proxy, one after the other. */
static void find_irqsaves(const char *path, struct fastpath_sites *s)
{
    FILE *f = fopen(path, "rb");
    for (size_t i = 0; f && i + 1 < s->n; i++) {
        struct fastpath_site *a = &s->site[i], *b = &s->site[i + 1];
        struct tramp ta = classify(a->word, true), tb = classify(b->word, true);
        uint32_t orr;
        if (ta.kind == TRAMP_MRS && tb.kind == TRAMP_MSR_REG && ta.reg != tb.reg &&
            b->va == a->va + 8 && b->file_offset == a->file_offset + 8 &&
            proxy_cond(a->word) == COND_AL && proxy_cond(b->word) == COND_AL &&
            fseek(f, (long)a->file_offset + 4, SEEK_SET) == 0 && fread(&orr, 4, 1, f) == 1 &&
            is_mask_orr(orr, ta.reg, tb.reg))
            a->orr = orr;   /* (the host and the guest are little-endian) */
    }
    if (f)
        fclose(f);
}

/* ------------------------------------------------------------------ dead registers */

#define LOW_REGS    0x1fffu   /* r0-r12: what a trampoline may take as its scratch */

static uint16_t reg_bit(unsigned r)
{
    return (uint16_t)(1u << r);
}

/* What one instruction does with the registers: reads, writes (when it executes), and whether
 * it may fault (memory, CP15). */
struct reg_use {
    uint16_t reads, writes;
    bool faults;
};

static uint16_t operand_reads(unsigned form, unsigned rm, unsigned rs)
{
    return form == OPERAND_IMM ? 0 : form == OPERAND_REG_IMM ? reg_bit(rm)
                                                             : reg_bit(rm) | reg_bit(rs);
}

static bool dp_use(const struct insn_dp *d, struct reg_use *u)
{
    bool test = d->opcode >= DP_TST && d->opcode <= DP_CMN;
    bool move = d->opcode == DP_MOV || d->opcode == DP_MVN;
    if (!test && d->rd == REG_PC)
        return false;
    u->reads = (uint16_t)((move ? 0 : reg_bit(d->rn)) | operand_reads(d->form, d->rm, d->rs));
    u->writes = test ? 0 : reg_bit(d->rd);
    return true;
}

static bool mem_use(const struct insn_mem *m, bool faults_restart, struct reg_use *u)
{
    uint16_t rt = (uint16_t)(m->size == 8 ? reg_bit(m->rd) | reg_bit(m->rd + 1u) : reg_bit(m->rd));
    if (m->user || (m->load && (rt & reg_bit(REG_PC))))
        return false;
    u->reads = (uint16_t)(reg_bit(m->rn) | (m->form == OPERAND_IMM ? 0 : reg_bit(m->rm)) |
                          (m->load ? 0 : rt));
    u->writes = (uint16_t)((m->load && faults_restart ? rt : 0) | (m->wback ? reg_bit(m->rn) : 0));
    u->faults = true;
    return true;
}

static bool block_use(const struct insn_block *b, bool faults_restart, struct reg_use *u)
{
    if (b->list & reg_bit(REG_PC))
        return false;
    uint16_t loaded = b->user_regs ? b->list & LOW_REGS : b->list;   /* (^: User's sp, lr) */
    u->reads = (uint16_t)(reg_bit(b->rn) | (b->load ? 0 : b->list));
    u->writes = (uint16_t)((b->load && faults_restart ? loaded : 0) |
                           (b->wback ? reg_bit(b->rn) : 0));
    u->faults = true;
    return true;
}

/* The registers in's execution reads and writes, for the kinds of instruction found around a
 * kernel's sensitive ones; false for any other and for any that may branch. */
static bool reg_use(const struct insn *in, bool faults_restart, struct reg_use *u)
{
    *u = (struct reg_use){ 0 };
    if (in->cond == COND_NV || in->unpred)
        return false;
    switch (in->kind) {
    case INSN_DATA_PROC:
        return dp_use(&in->dp, u);
    case INSN_ARITH:
        if (in->arith.op == ARITH_CLZ)
            u->reads = reg_bit(in->arith.rm);
        else if (in->arith.op == ARITH_MUL || in->arith.op == ARITH_MLA)
            u->reads = (uint16_t)(reg_bit(in->arith.rm) | reg_bit(in->arith.rs) |
                                  (in->arith.op == ARITH_MLA ? reg_bit(in->arith.rn) : 0));
        else
            return false;
        u->writes = reg_bit(in->arith.rd);
        return in->arith.rd != REG_PC;
    case INSN_MRS:
        u->writes = reg_bit(in->psr.rd);
        return in->psr.rd != REG_PC;
    case INSN_PROXY:   /* (an MSR's may trap, and the VMM deliver an interrupt: it resumes) */
        if (!in->proxy.valid)
            return false;
        if (in->proxy.op == PROXY_OP_MRS_CPSR)
            u->writes = reg_bit(in->proxy.psr.rd);
        else   /* (r8-r12 as if read: after a switch to FIQ mode they are others) */
            u->reads = (uint16_t)((in->proxy.psr.imm ? 0 : reg_bit(in->proxy.psr.rm)) | FIQ_BANKED);
        return !(u->writes & reg_bit(REG_PC));
    case INSN_MRC:
    case INSN_MCR:
        if (in->cp.cp != 15 || in->cp.rd == REG_PC)
            return false;
        *(in->kind == INSN_MRC ? &u->writes : &u->reads) = reg_bit(in->cp.rd);
        u->faults = true;   /* (UNDEFINED where the guest has no such register) */
        return true;
    case INSN_LOAD_STORE:
        return mem_use(&in->mem, faults_restart, u);
    case INSN_LOAD_STORE_MULTIPLE:
        return block_use(&in->block, faults_restart, u);
    default:
        return false;
    }
}

uint16_t fastpath_dead_after(const uint32_t *words, unsigned n, bool faults_restart)
{
    uint16_t read = 0, dead = 0;
    for (unsigned i = 0; i < n; i++) {
        struct insn in;
        struct reg_use u;
        decode_arm(words[i], &in);
        if (!reg_use(&in, faults_restart, &u))
            break;
        read |= u.reads;   /* (an instruction reads its operands before it writes) */
        if (in.cond == COND_AL) {
            dead |= u.writes & (uint16_t)~read;
            read |= u.writes;   /* (what it leaves is what is read next) */
        }
        if (u.faults && !faults_restart)
            break;
    }
    return dead & LOW_REGS;
}

/* The addresses of the instructions listed in the guest's section name, entries of `words`
 * words whose first is the instruction's address (Linux's __ex_table: instruction, fixup;
 * __jump_table: instruction, target, key), sorted; NULL (and *n 0) if it has none. */
static uint32_t *listed_insns(const char *path, const char *name, unsigned words, size_t *n)
{
    size_t size = 0;
    uint32_t *t = elf_file_section(path, name, &size);
    *n = 0;
    if (!t)
        return NULL;
    for (size_t i = 0; i + words <= size / 4; i += words)
        t[(*n)++] = t[i];
    qsort(t, *n, sizeof *t, cmp_u32);
    return t;
}

/* How many of the words at va are not in the sorted list (the first listed one ends them). */
static unsigned unlisted(const uint32_t *list, size_t n, uint32_t va, unsigned words)
{
    unsigned i = 0;
    while (i < words && !bsearch(&(uint32_t){ va + 4 * i }, list, n, sizeof *list, cmp_u32))
        i++;
    return i;
}

/* Each site's dead registers (fastpath_site.dead), from the words after it in its section, up
 * to one Linux rewrites at run time (__jump_table).  Their faults restart them only in a guest
 * with an exception table (a kernel, whose fault without an entry there is either fixed and
 * retried or fatal), and only when none of them has an entry. */
static void find_dead(const char *path, struct fastpath_sites *s)
{
    size_t nfix, njump;
    uint32_t *fixups = listed_insns(path, "__ex_table", 2, &nfix);
    uint32_t *jumps = listed_insns(path, "__jump_table", 3, &njump);
    FILE *f = fopen(path, "rb");
    for (size_t i = 0; f && i < s->n; i++) {
        struct fastpath_site *site = &s->site[i];
        uint32_t w[FASTPATH_DEAD_WINDOW];   /* (the host and the guest are little-endian) */
        unsigned n = unlisted(jumps, njump, site->va + 4, site->after);
        bool restart = fixups && unlisted(fixups, nfix, site->va + 4, n) == n;
        if (!n || fseek(f, (long)site->file_offset + 4, SEEK_SET) || fread(w, 4, n, f) != n)
            continue;
        site->dead = fastpath_dead_after(w, n, restart);
    }
    if (f)
        fclose(f);
    free(fixups);
    free(jumps);
}

int fastpath_collect(const char *path, struct fastpath_sites *out, char *err, size_t errlen)
{
    *out = (struct fastpath_sites){ 0 };
    if (patch_check_file(path, NULL, collect_one, out, err, errlen) < 0)
        return -1;
    find_irqsaves(path, out);
    find_dead(path, out);
    if (!elf_file_symbol_value(path, "__idmap_text_start", &out->skip_start) ||
        !elf_file_symbol_value(path, "__idmap_text_end", &out->skip_end))
        out->skip_start = out->skip_end = 0;
    return 0;
}

void fastpath_sites_free(struct fastpath_sites *s)
{
    free(s->site);
    *s = (struct fastpath_sites){ 0 };
}

/* ------------------------------------------------------------------ placement */

/* Places n words in the region: the next free address in a code page, moving on to the next
 * code page (two pages on: the one in between is the shared page) when they do not fit. */
static uint32_t place(uint32_t *cursor, unsigned n)
{
    uint32_t page = (*cursor - 1) & ~(FASTPATH_PAGE_SIZE - 1);   /* never at a page start */
    if ((*cursor - page) + n * 4 > FASTPATH_PAGE_SIZE)
        *cursor = page + 2 * FASTPATH_PAGE_SIZE + FASTPATH_CODE_START;
    uint32_t at = *cursor;
    *cursor += n * 4;
    return at;
}

uint32_t fastpath_region_size(const struct fastpath_sites *s)
{
    uint32_t cursor = FASTPATH_CODE_START;
    for (size_t i = 0; i < s->n; i++)
        place(&cursor, tramp_words[site_tramp(s, &s->site[i]).kind]);
    return ((cursor - 1) & ~(FASTPATH_PAGE_SIZE - 1)) + 2 * FASTPATH_PAGE_SIZE;
}

/* ------------------------------------------------------------------ trampolines */

struct emitter {
    uint32_t va;        /* address of the next word */
    uint32_t *out;      /* where it goes */
    uint32_t shared;    /* the shared page above this code page */
};

static void emit(struct emitter *e, uint32_t word)
{
    *e->out++ = word;
    e->va += 4;
}

/* The PC-relative displacement of a shared-page field from the instruction being emitted. */
static uint32_t field(const struct emitter *e, uint32_t off)
{
    return e->shared + off - (e->va + 8);
}

/* A trampoline's scratch register: spilled to the shared page around its use, unless the code
 * after the site writes it before it reads it (fastpath_site.dead): then it is taken as it is. */
struct scratch {
    unsigned reg;
    bool dead;
};

/* Whether an MSR site's trampoline must leave r8-r12 alone: they are others in FIQ mode, and
 * its scratch is written in the mode it runs in, before an MSR that changes the mode traps
 * (Linux's __set_fiq_regs: msr cpsr_c, r2 to FIQ mode, then ldmia r0!, {r8-r12}).  Only a
 * kernel's MSR #imm to another mode may take them: kernel text does not run in FIQ mode (as
 * the LDM/STM trampolines assume). */
static bool fiq_banked_kept(const struct tramp *t, bool kernel)
{
    return t->kind == TRAMP_MSR_REG ||
           (t->kind == TRAMP_MSR_IMM && (!kernel || (t->value & 0x1fu) == PSR_MODE_FIQ_BITS));
}

/* The scratch for t: a dead register it does not use itself, else r0 (r1 when t.reg is r0). */
static struct scratch scratch_for(const struct fastpath_site *site, const struct tramp *t,
                                  bool kernel)
{
    uint16_t dead = site->dead & (uint16_t)~(t->kind == TRAMP_MSR_IMM ? 0 : 1u << t->reg);
    if (fiq_banked_kept(t, kernel))
        dead &= (uint16_t)~FIQ_BANKED;
    if (dead)
        return (struct scratch){ (unsigned)__builtin_ctz(dead), true };
    return (struct scratch){ t->reg == 0 ? 1 : 0, false };
}

static void scratch_save(struct emitter *e, struct scratch x)
{
    if (!x.dead)
        emit(e, STR_PC(COND_AL, x.reg, field(e, VSHARED_SCRATCH)));
}

static void scratch_restore(struct emitter *e, struct scratch x)
{
    if (!x.dead)
        emit(e, LDR_PC(COND_AL, x.reg, field(e, VSHARED_SCRATCH)));
}

/* Rd := shared.cpsr | the real CPSR: its flags, and User mode's bits 0x10, which every mode in
 * shared.cpsr has (the real I, F and T are clear while the guest runs ARM code). */
static void emit_mrs(struct emitter *e, unsigned rd, struct scratch x, uint32_t back)
{
    scratch_save(e, x);
    emit(e, MRS_CPSR(x.reg));
    emit(e, LDR_PC(COND_AL, rd, field(e, VSHARED_CPSR)));
    emit(e, ORR_REG(rd, rd, x.reg));
    scratch_restore(e, x);
    emit(e, branch(COND_AL, e->va, back));
}

/* A kernel's interrupt save, MRS Ra, CPSR; ORR Rb, Ra, #bits; MSR CPSR_c, Rb, all at once: Ra
 * as emit_mrs() makes it (Rb, which the ORR writes, is the scratch), the ORR itself, then
 * shared.cpsr[7:0] := Rb[7:0] untested: the mode and T stay and only I and F can be set, which
 * never traps in a privileged mode.  The ORR and the MSR keep their words (the MSR its own
 * trampoline) for code that branches to them. */
static void emit_irqsave(struct emitter *e, unsigned ra, uint32_t orr, uint32_t back)
{
    unsigned rb = orr >> 12 & 15;
    emit(e, LDR_PC(COND_AL, rb, field(e, VSHARED_CPSR)));
    emit(e, MRS_CPSR(ra));
    emit(e, ORR_REG(ra, ra, rb));
    emit(e, orr);
    emit(e, STRB_PC(COND_AL, rb, field(e, VSHARED_CPSR)));
    emit(e, branch(COND_AL, e->va, back));
}

/* The flag-free test (fastpath.h) of scratch, taken first and computed by the caller: to the
 * fast path, the words the caller emits next, when it is zero; else, with scratch given back,
 * to `slow` (the original instruction, which traps with every register and flag the guest's,
 * but a dead scratch, which nothing reads before writing it), then back.  A value whose
 * nonzero bits include one of bits 24-31 (an MSR's check: CLZ 0..7, or 32 for zero) needs no
 * LSR: CLZ >> 3 is 0 or 4, the offset itself.  The caller ends its
 * fast path with emit_tail(). */
static void emit_test(struct emitter *e, unsigned scratch, bool top_byte, uint32_t **bslow,
                      uint32_t *bslow_va)
{
    emit(e, CLZ(scratch, scratch));
    if (top_byte) {
        emit(e, ADD_PC_PC(LSR(scratch, 3)));   /* skips the next word, and one more when zero */
    } else {
        emit(e, MOV_REG(scratch, LSR(scratch, 5)));   /* 1: zero, 0: not */
        emit(e, ADD_PC_PC(LSL(scratch, 2)));
    }
    emit(e, NOP);
    *bslow = e->out;
    *bslow_va = e->va;
    emit(e, 0);   /* b slow */
}

static void emit_tail(struct emitter *e, struct scratch x, uint32_t *bslow, uint32_t bslow_va,
                      uint32_t slow_insn, uint32_t back)
{
    scratch_restore(e, x);
    emit(e, branch(COND_AL, e->va, back));
    *bslow = branch(COND_AL, bslow_va, e->va);                       /* slow: */
    scratch_restore(e, x);
    emit(e, (slow_insn & 0x0fffffffu) | COND_AL << 28);
    emit(e, branch(COND_AL, e->va, back));
}

/* MSR CPSR_c: shared.cpsr[7:0] := the value's [7:0] unless the mode or T would change or an
 * interrupt line is pending (VSHARED_MSR_CHECK, see fastpath.h): then the original proxy traps
 * and the VMM emulates it, and may deliver the interrupt right there, as the hardware would
 * after the MSR. */
static void emit_msr(struct emitter *e, const struct tramp *t, struct scratch x, uint32_t proxy,
                     uint32_t back)
{
    uint32_t *bslow, bslow_va;
    scratch_save(e, x);
    emit(e, LDR_PC(COND_AL, x.reg, field(e, VSHARED_MSR_CHECK)));
    if (t->kind == TRAMP_MSR_IMM)
        emit(e, dp(COND_AL, 0x02200000u, x.reg, x.reg, IMM_MODE_T(t->value)));   /* EOR */
    else
        emit(e, EOR_REG(x.reg, x.reg, LSL(t->reg, 26)));
    emit_test(e, x.reg, true, &bslow, &bslow_va);
    if (t->kind == TRAMP_MSR_IMM) {
        emit(e, MOV_IMM(x.reg, t->value));
        emit(e, STRB_PC(COND_AL, x.reg, field(e, VSHARED_CPSR)));
    } else {
        emit(e, STRB_PC(COND_AL, t->reg, field(e, VSHARED_CPSR)));
    }
    emit_tail(e, x, bslow, bslow_va, proxy, back);
}

/* MCR DACR, Rd: lazily when no domain loses access (VSHARED_DACR_NEED, see fastpath.h); the
 * VMM takes it into the real DACR at the next trap, and until then only refuses too much (a
 * domain fault, after which the access is retried).  Else the MCR itself traps. */
static void emit_dacr_write(struct emitter *e, unsigned rd, struct scratch x, uint32_t insn,
                            uint32_t back)
{
    uint32_t *bslow, bslow_va;
    scratch_save(e, x);
    emit(e, LDR_PC(COND_AL, x.reg, field(e, VSHARED_DACR_NEED)));
    emit(e, BIC_REG(x.reg, x.reg, rd));
    emit_test(e, x.reg, false, &bslow, &bslow_va);
    emit(e, STR_PC(COND_AL, rd, field(e, VSHARED_DACR)));
    emit_tail(e, x, bslow, bslow_va, insn, back);
}

/* shared.spsr := Rm & shared.spsr_mask (AND without S: the flags stay). */
static void emit_spsr_write(struct emitter *e, unsigned rm, struct scratch x, uint32_t back)
{
    scratch_save(e, x);
    emit(e, LDR_PC(COND_AL, x.reg, field(e, VSHARED_SPSR_MASK)));
    emit(e, AND_REG(x.reg, x.reg, rm));
    emit(e, STR_PC(COND_AL, x.reg, field(e, VSHARED_SPSR)));
    scratch_restore(e, x);
    emit(e, branch(COND_AL, e->va, back));
}

/* The offset from Rn of the lowest word an LDM/STM of n registers transfers. */
static int32_t block_start(const struct insn_block *b)
{
    int32_t n = b->count;
    return b->up ? (b->pre ? 4 : 0) : (b->pre ? -4 * n : -4 * n + 4);
}

/* LDR/STR Rt, [Rn, #+-off]. */
static uint32_t ldst_off(bool load, unsigned rt, unsigned rn, int32_t off)
{
    uint32_t u = off >= 0 ? 1u << 23 : 0, imm = (uint32_t)(off >= 0 ? off : -off);
    return COND_AL << 28 | 0x05000000u | u | (load ? 1u << 20 : 0) | (uint32_t)rn << 16 |
           (uint32_t)rt << 12 | imm;
}

/* STM Rn, {sp, lr}^: the User sp and lr, which the VMM keeps in the shared page, to memory. */
static void emit_stm_usr(struct emitter *e, const struct tramp *t, struct scratch x,
                         uint32_t back)
{
    unsigned rn = t->reg;
    int32_t at = block_start(&t->block);
    scratch_save(e, x);
    emit(e, LDR_PC(COND_AL, x.reg, field(e, VSHARED_USR_SP)));
    emit(e, ldst_off(false, x.reg, rn, at));
    emit(e, LDR_PC(COND_AL, x.reg, field(e, VSHARED_USR_LR)));
    emit(e, ldst_off(false, x.reg, rn, at + 4));
    scratch_restore(e, x);
    emit(e, branch(COND_AL, e->va, back));
}

/* LDM Rn, {regs, sp, lr}^: sp and lr (the two highest words) through the lowest loaded register
 * into the shared page, then the rest as a plain LDMIA from the lowest word (Rn itself, or that
 * register, moved there first: either is loaded over). */
static void emit_ldm_usr(struct emitter *e, const struct tramp *t, uint32_t back)
{
    unsigned rn = t->reg, rest = t->block.list & 0x1fffu;
    unsigned tmp = (unsigned)__builtin_ctz(rest & ~(1u << rn) ? rest & ~(1u << rn) : rest);
    int32_t at = block_start(&t->block), top = at + 4 * (t->block.count - 2);
    unsigned base = rest & (1u << rn) ? rn : tmp;
    emit(e, ldst_off(true, tmp, rn, top));
    emit(e, STR_PC(COND_AL, tmp, field(e, VSHARED_USR_SP)));
    emit(e, ldst_off(true, tmp, rn, top + 4));
    emit(e, STR_PC(COND_AL, tmp, field(e, VSHARED_USR_LR)));
    if (at >= 0)
        emit(e, dp(COND_AL, 0x02800000u, rn, base, (uint32_t)at));    /* ADD base, Rn, #at */
    else
        emit(e, dp(COND_AL, 0x02400000u, rn, base, (uint32_t)-at));   /* SUB base, Rn, #-at */
    emit(e, COND_AL << 28 | 0x08900000u | (uint32_t)base << 16 | rest);   /* LDMIA base, {rest} */
    emit(e, branch(COND_AL, e->va, back));
}

/* Rd := a field of the shared page. */
static void emit_read(struct emitter *e, const struct tramp *t, uint32_t back)
{
    emit(e, LDR_PC(COND_AL, t->reg, field(e, t->field)));
    emit(e, branch(COND_AL, e->va, back));
}

int fastpath_generate(const struct fastpath_sites *s, uint32_t va, uint32_t gpa, uint32_t size,
                      struct fastpath_link *out, char *err, size_t errlen)
{
    uint32_t cursor = FASTPATH_CODE_START;

    *out = (struct fastpath_link){ .va = va, .gpa = gpa, .size = size };
    if ((va | gpa | size) % FASTPATH_PAGE_SIZE || size % (2 * FASTPATH_PAGE_SIZE) || !size)
        return errmsg(err, errlen, "trampoline region 0x%08x+0x%x is not an even number of "
                                   "pages", va, size);
    if (fastpath_region_size(s) > size)
        return errmsg(err, errlen, "trampoline region 0x%08x+0x%x is too small: %u bytes "
                                   "needed", va, size, fastpath_region_size(s));
    out->image = calloc(1, size);
    out->rw = calloc(s->n ? s->n : 1, sizeof *out->rw);
    if (!out->image || !out->rw) {
        fastpath_link_free(out);
        return errmsg(err, errlen, "out of memory for %u bytes of trampolines", size);
    }
    for (size_t i = 0; i < s->n; i++) {
        const struct fastpath_site *site = &s->site[i];
        struct tramp t = site_tramp(s, site);
        unsigned words = tramp_words[t.kind];
        struct scratch x = scratch_for(site, &t, s->reads);
        uint32_t at = place(&cursor, words), last = va + at + 4 * (words - 1);
        uint32_t back = site->va + (t.kind == TRAMP_IRQSAVE ? 12 : 4);
        if (t.kind == TRAMP_NONE || (t.kind == TRAMP_READ && !s->reads) ||
            skipped(s, site->va) || !in_reach(site->va, va + at) || !in_reach(last, back)) {
            out->left++;
            continue;
        }
        struct emitter e = { va + at, (uint32_t *)(out->image + at),
                             va + (at & ~(FASTPATH_PAGE_SIZE - 1)) + FASTPATH_PAGE_SIZE };
        if (t.kind == TRAMP_MRS)
            emit_mrs(&e, t.reg, x, back);
        else if (t.kind == TRAMP_IRQSAVE)
            emit_irqsave(&e, t.reg, t.value, back);
        else if (t.kind == TRAMP_READ)
            emit_read(&e, &t, back);
        else if (t.kind == TRAMP_SPSR_WRITE)
            emit_spsr_write(&e, t.reg, x, back);
        else if (t.kind == TRAMP_STM_USR)
            emit_stm_usr(&e, &t, x, back);
        else if (t.kind == TRAMP_DACR_WRITE)
            emit_dacr_write(&e, t.reg, x, site->word, back);
        else if (t.kind == TRAMP_LDM_USR)
            emit_ldm_usr(&e, &t, back);
        else
            emit_msr(&e, &t, x, site->word, back);
        out->mrs += t.kind == TRAMP_MRS || t.kind == TRAMP_IRQSAVE;
        out->irqsaves += t.kind == TRAMP_IRQSAVE;
        out->msr += t.kind == TRAMP_MSR_REG || t.kind == TRAMP_MSR_IMM;
        out->reads += t.kind >= TRAMP_READ;
        out->rw[out->nrw++] = (struct fastpath_rewrite){
            site->file_offset, branch(site->word >> 28, site->va, va + at) };
    }
    return 0;
}

void fastpath_link_free(struct fastpath_link *l)
{
    free(l->image);
    free(l->rw);
    l->image = NULL;
    l->rw = NULL;
    l->nrw = 0;
}

void fastpath_apply(const struct fastpath_link *l, uint64_t file_offset, uint8_t *buf,
                    size_t len)
{
    for (size_t i = 0; i < l->nrw; i++) {
        uint64_t o = l->rw[i].file_offset;
        if (o < file_offset || o + 4 > file_offset + len)
            continue;
        uint32_t w = l->rw[i].word;
        memcpy(buf + (o - file_offset), &w, 4);   /* the host and the guest are little-endian */
    }
}
