/* The virtual CPU: modes, banked registers, CPSR/SPSR, exception entry and return (vcpu.h). */
#include "vcpu.h"

bool vcpu_mode_valid(uint32_t mode)
{
    switch (mode) {
    case PSR_MODE_USR: case PSR_MODE_FIQ: case PSR_MODE_IRQ: case PSR_MODE_SVC:
    case PSR_MODE_ABT: case PSR_MODE_UND: case PSR_MODE_SYS:
        return true;
    default:
        return false;
    }
}

enum vbank vcpu_bank_of(uint32_t mode)
{
    switch (mode) {
    case PSR_MODE_FIQ: return VBANK_FIQ;
    case PSR_MODE_IRQ: return VBANK_IRQ;
    case PSR_MODE_SVC: return VBANK_SVC;
    case PSR_MODE_ABT: return VBANK_ABT;
    case PSR_MODE_UND: return VBANK_UND;
    default:           return VBANK_USR;   /* USR, SYS */
    }
}

void vcpu_init(struct vcpu *v, struct vm *vm, const struct vcpu_ids *ids)
{
    *v = (struct vcpu){ .vm = vm };
    v->regs.cpsr = PSR_MODE_USR;
    v->vcpsr = PSR_MODE_SVC | VPSR_A | VPSR_I | VPSR_F;
    vcp15_reset(&v->cp15, ids);
}

void vcpu_set_mode(struct vcpu *v, struct trap_frame *f, uint32_t new_mode)
{
    uint32_t old = vcpu_mode(v);

    if (!vcpu_mode_valid(new_mode) || new_mode == old)
        return;
    enum vbank ob = vcpu_bank_of(old), nb = vcpu_bank_of(new_mode);
    if (ob != nb) {
        v->banked_sp[ob] = f->sp;
        v->banked_lr[ob] = f->lr;
        f->sp = v->banked_sp[nb];
        f->lr = v->banked_lr[nb];
    }
    if (old == PSR_MODE_FIQ || new_mode == PSR_MODE_FIQ) {
        uint32_t *save = old == PSR_MODE_FIQ ? v->fiq_r8_r12 : v->usr_r8_r12;
        const uint32_t *load = old == PSR_MODE_FIQ ? v->usr_r8_r12 : v->fiq_r8_r12;
        for (unsigned i = 0; i < 5; i++) {
            save[i] = f->r[8 + i];
            f->r[8 + i] = load[i];
        }
    }
    v->vcpsr = (v->vcpsr & ~VPSR_MODE) | new_mode;
    v->changed |= EMU_F_MODE;
}

uint32_t vcpu_virtual_cpsr(const struct vcpu *v, uint32_t real_cpsr)
{
    return (real_cpsr & VCPU_FRAME_BITS) | (v->vcpsr & VCPU_VCPSR_BITS);
}

uint32_t vcpu_read_cpsr(const struct vcpu *v, const struct trap_frame *f)
{
    return vcpu_virtual_cpsr(v, f->cpsr);
}

static uint32_t field_bits(uint32_t fields)
{
    uint32_t m = 0;
    for (unsigned i = 0; i < 4; i++)
        if (fields & (1u << i))
            m |= 0xffu << (8 * i);
    return m;
}

void vcpu_write_cpsr(struct vcpu *v, struct trap_frame *f, uint32_t value, uint32_t fields,
                     enum vcpu_cpsr_write how)
{
    uint32_t mask = field_bits(fields);
    if (how == VCPU_CPSR_ERET)
        mask &= VCPU_ERET_BITS;
    else
        mask &= vcpu_privileged(v) ? VCPU_MSR_CPSR_PRIV : VCPU_MSR_CPSR_USER;

    uint32_t old = vcpu_read_cpsr(v, f);
    uint32_t nv = (old & ~mask) | (value & mask);
    if (!vcpu_mode_valid(nv & VPSR_MODE))
        nv = (nv & ~VPSR_MODE) | (old & VPSR_MODE);

    f->cpsr = (f->cpsr & ~VCPU_FRAME_BITS) | (nv & VCPU_FRAME_BITS);
    vcpu_set_mode(v, f, nv & VPSR_MODE);
    v->vcpsr = (v->vcpsr & VPSR_MODE) | (nv & VCPU_VCPSR_BITS & ~VPSR_MODE);
    if (old & ~nv & (VPSR_I | VPSR_F))
        v->changed |= EMU_F_IRQ_UNMASK;
}

bool vcpu_read_spsr(const struct vcpu *v, uint32_t *value)
{
    if (!vcpu_privileged(v))
        return false;
    *value = v->spsr[vcpu_bank_of(vcpu_mode(v))];
    return true;
}

bool vcpu_write_spsr(struct vcpu *v, uint32_t value, uint32_t fields)
{
    if (!vcpu_privileged(v))
        return false;
    uint32_t mask = field_bits(fields) & VCPU_MSR_SPSR;
    uint32_t *spsr = &v->spsr[vcpu_bank_of(vcpu_mode(v))];
    *spsr = (*spsr & ~mask) | (value & mask);
    return true;
}

bool vcpu_exception_return(struct vcpu *v, struct trap_frame *f, uint32_t new_pc)
{
    uint32_t spsr;
    if (!vcpu_read_spsr(v, &spsr))
        return false;
    vcpu_write_cpsr(v, f, spsr, PSR_FIELD_ALL, VCPU_CPSR_ERET);
    f->pc = new_pc & ((f->cpsr & VPSR_T) ? ~1u : ~3u);
    return true;
}

/* What taking each exception does to the mode and masks, and its vector's offset. */
static const struct {
    uint8_t mode, offset;
    uint16_t mask;
} exc_entry[VEXC_COUNT] = {
    [VEXC_RESET] = { PSR_MODE_SVC, 0x00, VPSR_A | VPSR_I | VPSR_F },
    [VEXC_UND]   = { PSR_MODE_UND, 0x04, VPSR_I },
    [VEXC_SWI]   = { PSR_MODE_SVC, 0x08, VPSR_I },
    [VEXC_PABT]  = { PSR_MODE_ABT, 0x0c, VPSR_A | VPSR_I },
    [VEXC_DABT]  = { PSR_MODE_ABT, 0x10, VPSR_A | VPSR_I },
    [VEXC_IRQ]   = { PSR_MODE_IRQ, 0x18, VPSR_A | VPSR_I },
    [VEXC_FIQ]   = { PSR_MODE_FIQ, 0x1c, VPSR_A | VPSR_I | VPSR_F },
};

uint32_t vcpu_vector(const struct vcpu *v, enum vexc exc)
{
    return vcpu_vector_base(v) + exc_entry[exc].offset;
}

void vcpu_enter_exception(struct vcpu *v, struct trap_frame *f, enum vexc exc,
                          uint32_t return_link)
{
    if ((unsigned)exc >= VEXC_COUNT)
        return;
    v->entered[exc]++;
    uint32_t old = vcpu_read_cpsr(v, f);
    vcpu_set_mode(v, f, exc_entry[exc].mode);
    v->spsr[vcpu_bank_of(exc_entry[exc].mode)] = old;
    f->lr = return_link;
    v->vcpsr |= exc_entry[exc].mask;
    f->cpsr &= ~VPSR_T;
    f->pc = vcpu_vector(v, exc);
}

/* Where register n (8..14) of a mode lives: the frame when that mode's view is the current one,
 * else a bank slot.  r0-r7 are never banked. */
static uint32_t *mode_reg_slot(struct vcpu *v, struct trap_frame *f, uint32_t mode, unsigned n)
{
    uint32_t cur = vcpu_mode(v);
    if (n < 8)
        return &f->r[n];
    if (n < 13) {
        bool want_fiq = mode == PSR_MODE_FIQ, in_fiq = cur == PSR_MODE_FIQ;
        if (want_fiq == in_fiq)
            return &f->r[n];
        return want_fiq ? &v->fiq_r8_r12[n - 8] : &v->usr_r8_r12[n - 8];
    }
    if (vcpu_bank_of(mode) == vcpu_bank_of(cur))
        return n == 13 ? &f->sp : &f->lr;
    return n == 13 ? &v->banked_sp[vcpu_bank_of(mode)] : &v->banked_lr[vcpu_bank_of(mode)];
}

uint32_t vcpu_mode_reg(const struct vcpu *v, const struct trap_frame *f, uint32_t mode,
                       unsigned n)
{
    if (n > 14 || !vcpu_mode_valid(mode))
        return 0;
    /* The slot lookup does not write: casting away const only to share the code. */
    return *mode_reg_slot((struct vcpu *)v, (struct trap_frame *)f, mode, n);
}

void vcpu_set_mode_reg(struct vcpu *v, struct trap_frame *f, uint32_t mode, unsigned n,
                       uint32_t value)
{
    if (n > 14 || !vcpu_mode_valid(mode))
        return;
    *mode_reg_slot(v, f, mode, n) = value;
}
