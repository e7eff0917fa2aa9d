/* Sensitive-instruction emulation against the virtual CPU (emulate.h).
 *
 * Where the ARM ARM leaves a choice (UNPREDICTABLE forms) this does what QEMU 7.2's arm926 does
 * natively, as measured with a probe guest (docs/VCPU.md): the native run is the reference every
 * guest output is compared with. */
#include "emulate.h"

#include "guest_access.h"

#define FSR_ALIGNMENT  0x1u   /* alignment fault, as QEMU reports it (domain field 0) */
#define FSR_EXTERNAL   0x8u   /* external abort, non-linefetch */

/* Defaults until the VMM implements the hooks (guest_access.h): every access aborts. */
__attribute__((weak)) uint32_t guest_read_word(struct vcpu *v, uint32_t va, bool user,
                                               uint32_t *value)
{
    (void)v, (void)va, (void)user, (void)value;
    return FSR_EXTERNAL;
}

__attribute__((weak)) uint32_t guest_write_word(struct vcpu *v, uint32_t va, bool user,
                                                uint32_t value)
{
    (void)v, (void)va, (void)user, (void)value;
    return FSR_EXTERNAL;
}

__attribute__((weak)) uint32_t guest_read_words(struct vcpu *v, uint32_t va, unsigned count,
                                                bool user, uint32_t *out, uint32_t *at)
{
    for (unsigned i = 0; i < count; i++, va += 4) {
        uint32_t fsr = guest_read_word(v, va, user, &out[i]);
        if (fsr) {
            *at = va;
            return fsr;
        }
    }
    return 0;
}

bool emu_cond_passed(unsigned cond, uint32_t cpsr)
{
    bool n = (cpsr >> 31) & 1u, z = (cpsr >> 30) & 1u, c = (cpsr >> 29) & 1u, v = (cpsr >> 28) & 1u;
    switch (cond) {
    case COND_EQ: return z;
    case COND_NE: return !z;
    case COND_CS: return c;
    case COND_CC: return !c;
    case COND_MI: return n;
    case COND_PL: return !n;
    case COND_VS: return v;
    case COND_VC: return !v;
    case COND_HI: return c && !z;
    case COND_LS: return !c || z;
    case COND_GE: return n == v;
    case COND_LT: return n != v;
    case COND_GT: return !z && n == v;
    case COND_LE: return z || n != v;
    default:      return true;    /* AL, and NV (the unconditional space) */
    }
}

/* ---------------------------------------------------------------- registers */

/* Register n of the current mode; the PC reads as the instruction's address + 8 (f->pc is the
 * next instruction), in every form, as on QEMU. */
static uint32_t reg_read(const struct trap_frame *f, unsigned n)
{
    return n == ARM_REG_PC ? f->pc + 4u : trap_frame_get(f, n);
}

/* A write to the PC in ARM state ignores bits [1:0] (QEMU, for every architecture version). */
static void reg_write(struct trap_frame *f, unsigned n, uint32_t value)
{
    if (n == ARM_REG_PC)
        f->pc = value & ~3u;
    else
        trap_frame_set(f, n, value);
}

/* MRC (and VMRS) result: Rd = 15 sets N Z C V from bits [31:28]. */
static void mrc_result(struct trap_frame *f, unsigned rd, uint32_t value)
{
    if (rd == ARM_REG_PC)
        f->cpsr = (f->cpsr & ~VPSR_NZCV) | (value & VPSR_NZCV);
    else
        reg_write(f, rd, value);
}

/* ---------------------------------------------------------------- MRS / MSR (and proxies) */

static uint32_t emulate_psr(struct vcpu *v, struct trap_frame *f, const struct insn_psr *p,
                            bool mrs)
{
    uint32_t value;
    if (mrs) {
        if (!p->spsr)
            value = vcpu_read_cpsr(v, f);
        else if (!vcpu_read_spsr(v, &value))
            return EMU_F_UND;
        reg_write(f, p->rd, value);
        return 0;
    }
    value = p->imm ? p->value : reg_read(f, p->rm);
    if (p->spsr)
        return vcpu_write_spsr(v, value, p->mask) ? 0 : EMU_F_UND;
    vcpu_write_cpsr(v, f, value, p->mask, VCPU_CPSR_MSR);
    return 0;
}

/* ---------------------------------------------------------------- data processing to PC */

static uint32_t asr(uint32_t m, unsigned amount)
{
    if (amount > 31)
        amount = 31;
    return (m >> amount) | ((m & 0x80000000u) ? ~(0xffffffffu >> amount) : 0u);
}

static uint32_t ror(uint32_t m, unsigned amount)
{
    return (m >> amount) | (m << (32u - amount));   /* amount 1..31 */
}

/* The shifter operand (its carry-out is never needed: the flags come from the SPSR). */
static uint32_t shifter_operand(const struct trap_frame *f, const struct insn_dp *dp)
{
    uint32_t m, c = (f->cpsr >> 29) & 1u;
    unsigned amount;

    if (dp->form == OPERAND_IMM)
        return dp->imm;
    m = reg_read(f, dp->rm);
    if (dp->form == OPERAND_REG_IMM) {
        amount = dp->shift_imm;
        if (amount == 0) {
            switch (dp->shift) {
            case SHIFT_LSL: return m;
            case SHIFT_LSR: return 0;                     /* LSR #32 */
            case SHIFT_ASR: return asr(m, 32);            /* ASR #32 */
            default:        return (c << 31) | (m >> 1);  /* RRX */
            }
        }
    } else {
        amount = reg_read(f, dp->rs) & 0xffu;
        if (amount == 0)
            return m;
    }
    switch (dp->shift) {
    case SHIFT_LSL: return amount >= 32 ? 0 : m << amount;
    case SHIFT_LSR: return amount >= 32 ? 0 : m >> amount;
    case SHIFT_ASR: return asr(m, amount);
    default:        return (amount & 31u) ? ror(m, amount & 31u) : m;
    }
}

/* <op>S pc, ...: the exception return of every ALU operation and shifter form (CPSR = SPSR).
 * On QEMU only SUBS and MOVS trap (the others execute as ordinary ALU operations even in
 * privileged modes, docs/VCPU.md); real silicon may trap any of them, so all are done. */
static uint32_t emulate_dp(struct vcpu *v, struct trap_frame *f, const struct insn *in)
{
    const struct insn_dp *dp = &in->dp;
    uint32_t a, b, c, res;

    /* TST..CMN with Rd = PC (ARMv2 TSTP...) and MOV/MVN with Rn != 0 are should-be-zero
     * violations: UNDEFINED on QEMU, in every mode. */
    if (!dp->s || dp->rd != ARM_REG_PC || (in->unpred & INSN_UNPRED_SBZ) || !vcpu_privileged(v))
        return EMU_F_UND;
    a = reg_read(f, dp->rn);
    b = shifter_operand(f, dp);
    c = (f->cpsr >> 29) & 1u;
    switch (dp->opcode) {
    case DP_AND: res = a & b; break;
    case DP_EOR: res = a ^ b; break;
    case DP_SUB: res = a - b; break;
    case DP_RSB: res = b - a; break;
    case DP_ADD: res = a + b; break;
    case DP_ADC: res = a + b + c; break;
    case DP_SBC: res = a - b - (c ^ 1u); break;
    case DP_RSC: res = b - a - (c ^ 1u); break;
    case DP_ORR: res = a | b; break;
    case DP_MOV: res = b; break;
    case DP_BIC: res = a & ~b; break;
    default:     res = ~b; break;   /* MVN (TST..CMN never get here: Rd = PC is SBZ) */
    }
    vcpu_exception_return(v, f, res);
    return EMU_F_EXC_RETURN;
}

/* ---------------------------------------------------------------- LDM(2), LDM(3), STM(2) */

static uint32_t data_abort(struct vcpu *v, uint32_t fsr, uint32_t addr)
{
    v->cp15.dfsr = fsr;
    v->cp15.far = addr;
    return EMU_F_DABT;
}

static uint32_t emulate_block(struct vcpu *v, struct trap_frame *f, const struct insn *in)
{
    const struct insn_block *b = &in->block;
    uint32_t base, n4, start, wback, addr, vals[16], got[16];

    /* Without '^' nothing here is sensitive (an empty list is UNDEFINED on QEMU); PC as the
     * base and LDM(2) with write-back are UNDEFINED on QEMU (STM(2) with write-back is not);
     * every '^' form is UNDEFINED in User mode. */
    if (!b->s || b->list == 0 || b->rn == ARM_REG_PC || !vcpu_privileged(v) ||
        (b->user_regs && b->load && b->wback))
        return EMU_F_UND;

    base = reg_read(f, b->rn);
    n4 = 4u * b->count;
    start = b->up ? base + (b->pre ? 4u : 0u) : base - n4 + (b->pre ? 0u : 4u);
    wback = b->up ? base + n4 : base - n4;
    /* QEMU's arm926 checks LDM/STM alignment whatever SCTLR.A says; FAR = the first address. */
    if (start & 3u)
        return data_abort(v, FSR_ALIGNMENT, start);

    addr = start;
    if (!b->load) {                                 /* STM(2): the User-mode registers */
        for (unsigned i = 0; i < 16; i++) {
            if (!(b->list & (1u << i)))
                continue;
            uint32_t val = i == ARM_REG_PC ? reg_read(f, i)
                                           : vcpu_mode_reg(v, f, PSR_MODE_USR, i);
            uint32_t fsr = guest_write_word(v, addr, false, val);
            if (fsr)
                return data_abort(v, fsr, addr);
            addr += 4u;
        }
        if (b->wback)
            reg_write(f, b->rn, wback);
        return 0;
    }

    /* Loads: every word first, so an abort leaves the registers as they were. */
    uint32_t fsr = guest_read_words(v, start, b->count, false, got, &addr);
    if (fsr)
        return data_abort(v, fsr, addr);
    for (unsigned i = 0, k = 0; i < 16; i++)
        if (b->list & (1u << i))
            vals[i] = got[k++];
    if (b->user_regs) {                             /* LDM(2): the User-mode registers */
        for (unsigned i = 0; i < 15; i++)
            if (b->list & (1u << i))
                vcpu_set_mode_reg(v, f, PSR_MODE_USR, i, vals[i]);
        return 0;
    }
    /* LDM(3): the current mode's registers, write-back (a loaded base wins, as on QEMU), then
     * CPSR = SPSR and the loaded PC. */
    for (unsigned i = 0; i < 15; i++)
        if (b->list & (1u << i))
            reg_write(f, i, vals[i]);
    if (b->wback && !(b->list & (1u << b->rn)))
        reg_write(f, b->rn, wback);
    vcpu_exception_return(v, f, vals[ARM_REG_PC]);
    return EMU_F_EXC_RETURN;
}

/* ---------------------------------------------------------------- coprocessors */

static uint32_t emulate_cp15(struct vcpu *v, struct trap_frame *f, const struct insn *in,
                             struct emu_result *r)
{
    const struct insn_cp *cp = &in->cp;
    struct vcp15_effect e;
    uint32_t value;

    if (!vcpu_privileged(v))
        return EMU_F_UND;
    if (in->kind == INSN_MRC) {
        switch (vcp15_read(&v->cp15, cp, &value)) {
        case VCP15_DONE:
            mrc_result(f, cp->rd, value);
            return 0;
        case VCP15_NO_WRITE:
            return 0;
        default:
            return EMU_F_UND;
        }
    }
    if (vcp15_write(&v->cp15, cp, reg_read(f, cp->rd), &e) != VCP15_DONE)
        return EMU_F_UND;
    r->operand = e.operand;
    r->cp_crm = e.crm;
    r->cp_opc2 = e.opc2;
    v->changed |= e.flags & EMU_F_STATE;
    return e.flags;
}

/* CP14 as QEMU's arm926 has it: DBGDIDR (opc1 0, c0) reads 0 from every mode; the Jazelle
 * registers (opc1 7): JIDR c0 read-only, JOSCR c1 and JMCR c2 read 0 and ignore writes,
 * privileged only.  Everything else is UNDEFINED. */
static uint32_t emulate_cp14(struct vcpu *v, struct trap_frame *f, const struct insn *in)
{
    const struct insn_cp *cp = &in->cp;
    bool mrc = in->kind == INSN_MRC;

    if (cp->crm != 0 || cp->opc2 != 0)
        return EMU_F_UND;
    if (cp->opc1 == 0 && cp->crn == 0 && mrc) {
        mrc_result(f, cp->rd, 0);
        return 0;
    }
    if (cp->opc1 != 7 || !vcpu_privileged(v) || cp->crn > 2 || (cp->crn == 0 && !mrc))
        return EMU_F_UND;
    if (mrc)
        mrc_result(f, cp->rd, cp->crn == 0 ? v->cp15.ids.jidr : 0u);
    return 0;
}

/* CP10/CP11 (VFP).  The VFP itself runs natively: the VMM keeps the real FPEXC.EN equal to the
 * virtual one (EMU_F_VFP), so what traps is exactly what User mode may not do -- the FPEXC and
 * FPINST/FPINST2 transfers, emulated here for virtual privileged modes -- and what the native
 * core would refuse too (anything with FPEXC.EN = 0, encodings VFPv2 lacks): UNDEFINED.  FPSID
 * is readable from every mode and ignores writes, as on QEMU (VFPv2). */
static uint32_t emulate_vfp(struct vcpu *v, struct trap_frame *f, const struct insn *in)
{
    const struct insn_cp *cp = &in->cp;
    struct vcpu_vfp *vfp = &v->vfp;
    bool mrc = in->kind == INSN_MRC, priv = vcpu_privileged(v);
    uint32_t *reg;

    /* VMRS/VMSR (FMRX/FMXR): cp10, opc1 7, CRm 0, opc2 0, CRn = the system register. */
    if (v->cp15.ids.fpsid == 0 || cp->cp != 10 || cp->opc1 != 7 || cp->crm != 0 || cp->opc2 != 0)
        return EMU_F_UND;
    switch (cp->crn) {
    case 0:                                         /* FPSID */
        if (mrc)
            mrc_result(f, cp->rd, v->cp15.ids.fpsid);
        return 0;
    case 8:                                         /* FPEXC */
        if (!priv)
            return EMU_F_UND;
        if (mrc) {
            mrc_result(f, cp->rd, vfp->fpexc);
        } else {
            uint32_t nv = reg_read(f, cp->rd) & VFP_FPEXC_WRITABLE;
            if (nv != vfp->fpexc)
                v->changed |= EMU_F_VFP;
            vfp->fpexc = nv;
        }
        return 0;
    case 9:  reg = &vfp->fpinst;  break;            /* FPINST, FPINST2: privileged, EN = 1 */
    case 10: reg = &vfp->fpinst2; break;
    default: return EMU_F_UND;                      /* FPSCR (traps only with EN = 0), MVFR.. */
    }
    if (!priv || !(vfp->fpexc & VFP_FPEXC_EN))
        return EMU_F_UND;
    if (mrc)
        mrc_result(f, cp->rd, *reg);
    else
        *reg = reg_read(f, cp->rd);
    return 0;
}

static uint32_t emulate_coproc(struct vcpu *v, struct trap_frame *f, const struct insn *in,
                               struct emu_result *r)
{
    switch (in->cp.cp) {
    case 15:         return emulate_cp15(v, f, in, r);
    case 14:         return emulate_cp14(v, f, in);
    case 10: case 11: return emulate_vfp(v, f, in);
    default:         return EMU_F_UND;          /* no such coprocessor on the ARM926 */
    }
}

/* ---------------------------------------------------------------- entry points */

static uint32_t dispatch(struct vcpu *v, struct trap_frame *f, const struct insn *in,
                         struct emu_result *r)
{
    switch (in->kind) {
    case INSN_PROXY:
        if (!in->proxy.valid)
            return EMU_F_UND;
        return emulate_psr(v, f, &in->proxy.psr, in->proxy.op == PROXY_OP_MRS_CPSR);
    case INSN_MRS:
    case INSN_MSR:
        if (in->unpred & INSN_UNPRED_SBZ)           /* UNDEFINED on QEMU */
            return EMU_F_UND;
        return emulate_psr(v, f, &in->psr, in->kind == INSN_MRS);
    case INSN_DATA_PROC:
        return emulate_dp(v, f, in);
    case INSN_LOAD_STORE_MULTIPLE:
        return emulate_block(v, f, in);
    case INSN_MCR:
    case INSN_MRC:
        return emulate_coproc(v, f, in, r);
    default:
        /* The CPU found it undefined in User mode, and it is none of the instructions that
         * behave differently in a privileged mode: it is undefined for the guest too (this
         * includes CDP/LDC/STC/MCRR/MRRC of every coprocessor, which the ARM926 has none of
         * for CP15 and which VFP executes natively when enabled). */
        return EMU_F_UND;
    }
}

struct emu_result emulate_insn(struct vcpu *v, struct trap_frame *f, uint32_t word)
{
    struct emu_result r = { .old_mode = (uint8_t)vcpu_mode(v) };
    struct insn in;
    uint32_t pending;

    decode_arm(word, &in);
    r.kind = in.kind;
    /* Thumb state has no sensitive instruction on ARMv5; ARMv5's unconditional space (cond NV:
     * MCR2, CDP2, ...) holds none either. */
    if ((f->cpsr & VPSR_T) || in.cond == COND_NV) {
        r.flags = EMU_F_UND;
        return r;
    }
    if (!emu_cond_passed(in.cond, f->cpsr)) {
        r.flags = EMU_F_COND_FAILED;
        return r;
    }
    pending = v->changed;
    v->changed = 0;
    r.flags = dispatch(v, f, &in, &r);
    r.flags |= v->changed;
    v->changed |= pending;
    return r;
}

bool emu_deliver_exception(struct vcpu *v, struct trap_frame *f, const struct emu_result *r)
{
    if (r->flags & EMU_F_UND) {
        vcpu_enter_exception(v, f, VEXC_UND, f->pc);           /* next instruction */
        return true;
    }
    if (r->flags & EMU_F_DABT) {
        vcpu_enter_exception(v, f, VEXC_DABT, f->pc + 4u);     /* instruction + 8 */
        return true;
    }
    return false;
}
