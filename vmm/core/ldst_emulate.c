#include "ldst_emulate.h"

#define PSR_C (1u << 29)
#define PSR_T (1u << 5)

struct ctx {
    struct trap_frame *f;
    uint32_t insn_addr;
    const struct ldst_bus *bus;
    uint32_t fault_status, fault_addr;
};

static uint32_t reg_read(const struct ctx *c, unsigned r)
{
    switch (r) {
    case 13: return c->f->sp;
    case 14: return c->f->lr;
    case 15: return c->insn_addr + 8;
    default: return c->f->r[r];
    }
}

static void reg_write(struct ctx *c, unsigned r, uint32_t v)
{
    switch (r) {
    case 13: c->f->sp = v; break;
    case 14: c->f->lr = v; break;
    case 15:   /* ARMv5T: a load to the pc interworks */
        c->f->cpsr = (v & 1) ? c->f->cpsr | PSR_T : c->f->cpsr & ~PSR_T;
        c->f->pc = v & ((v & 1) ? ~1u : ~3u);
        break;
    default: c->f->r[r] = v; break;
    }
}

static uint32_t ror(uint32_t v, unsigned n)
{
    n &= 31;
    return n ? (v >> n) | (v << (32 - n)) : v;
}

/* The scaled register offset: Rm shifted by an immediate (ARM ARM A5.2.4). */
static uint32_t shifted_rm(const struct ctx *c, const struct insn_mem *m)
{
    uint32_t rm = reg_read(c, m->rm);
    unsigned n = m->shift_imm;
    switch (m->shift) {
    case SHIFT_LSL: return rm << n;
    case SHIFT_LSR: return n ? rm >> n : 0;
    case SHIFT_ASR: return n ? (uint32_t)((int32_t)rm >> n) : (uint32_t)((int32_t)rm >> 31);
    default:        return n ? ror(rm, n) : ((c->f->cpsr & PSR_C) << 2) | (rm >> 1);   /* RRX */
    }
}

static bool access(struct ctx *c, bool load, uint32_t addr, unsigned size, bool user,
                   uint32_t *val)
{
    uint32_t st = load ? c->bus->read(c->bus->ctx, addr, size, user, val)
                       : c->bus->write(c->bus->ctx, addr, size, user, *val);
    if (st) {
        c->fault_status = st;
        c->fault_addr = addr;
    }
    return st == 0;
}

/* Loaded value as the register receives it: halfwords and bytes extended.  A word is taken as
 * read: QEMU's arm926 performs an unaligned LDR as one unaligned access, without the ARMv5
 * rotation (docs/MEMORY.md), and QEMU is the native reference. */
static uint32_t load_value(const struct insn_mem *m, uint32_t raw)
{
    switch (m->size) {
    case 1: return m->sign ? (uint32_t)(int32_t)(int8_t)raw : raw & 0xff;
    case 2: return m->sign ? (uint32_t)(int32_t)(int16_t)raw : raw & 0xffff;
    default: return raw;
    }
}

static enum ldst_result single(struct ctx *c, const struct insn_mem *m, bool swp)
{
    uint32_t base = reg_read(c, m->rn);
    uint32_t off = m->form == OPERAND_IMM ? m->imm : shifted_rm(c, m);
    uint32_t moved = m->up ? base + off : base - off;
    uint32_t addr = swp ? base : m->pre ? moved : base;
    uint32_t v[2] = { 0, 0 };

    if (swp) {   /* read the old value, write Rm, Rd gets the old value */
        uint32_t nv = reg_read(c, m->rm);
        if (!access(c, true, addr, m->size, false, &v[0]) ||
            !access(c, false, addr, m->size, false, &nv))
            return LDST_FAULT;
        reg_write(c, m->rd, m->size == 4 ? v[0] : v[0] & 0xff);
        c->f->pc = c->insn_addr + 4;
        return LDST_DONE;
    }
    unsigned n = m->size == 8 ? 2 : 1, size = m->size == 8 ? 4 : m->size;
    for (unsigned i = 0; i < n; i++) {
        if (!m->load)
            v[i] = reg_read(c, m->rd + i);
        if (!access(c, m->load, addr + 4 * i, size, m->user, &v[i]))
            return LDST_FAULT;
    }
    c->f->pc = c->insn_addr + 4;
    if (m->wback)
        reg_write(c, m->rn, moved);
    for (unsigned i = 0; m->load && i < n; i++)
        reg_write(c, m->rd + i, load_value(m, v[i]));
    return LDST_DONE;
}

/* LDM/STM (1): registers in ascending order at ascending addresses (ARM ARM A5.4). */
static enum ldst_result block(struct ctx *c, const struct insn_block *b)
{
    uint32_t base = reg_read(c, b->rn), span = 4u * b->count, v[16];
    uint32_t start = b->up ? base + (b->pre ? 4 : 0) : base - span + (b->pre ? 0 : 4);
    uint32_t addr = start & ~3u;

    if (b->s)
        return LDST_NOT_MINE;
    for (unsigned r = 0; r < 16; r++) {
        if (!(b->list & (1u << r)))
            continue;
        if (!b->load)
            v[r] = reg_read(c, r);
        if (!access(c, b->load, addr, 4, false, &v[r]))
            return LDST_FAULT;
        addr += 4;
    }
    c->f->pc = c->insn_addr + 4;
    if (b->wback)
        reg_write(c, b->rn, b->up ? base + span : base - span);
    for (unsigned r = 0; b->load && r < 16; r++)
        if (b->list & (1u << r))
            reg_write(c, r, v[r]);
    return LDST_DONE;
}

enum ldst_result ldst_emulate(struct trap_frame *f, uint32_t insn_addr, const struct insn *in,
                              const struct ldst_bus *bus, uint32_t *fault_status,
                              uint32_t *fault_addr)
{
    struct ctx c = { f, insn_addr, bus, 0, 0 };
    enum ldst_result r;

    switch (in->kind) {
    case INSN_LOAD_STORE: r = single(&c, &in->mem, false); break;
    case INSN_SWP: r = single(&c, &in->mem, true); break;
    case INSN_LOAD_STORE_MULTIPLE: r = block(&c, &in->block); break;
    default: return LDST_NOT_MINE;
    }
    *fault_status = c.fault_status;
    *fault_addr = c.fault_addr;
    return r;
}
