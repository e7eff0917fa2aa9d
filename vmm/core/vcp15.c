/* The virtual CP15 (vcp15.h): the register map of QEMU 7.2's arm926, measured. */
#include "vcpu.h"

void vcp15_reset(struct vcp15 *c, const struct vcpu_ids *ids)
{
    *c = (struct vcp15){ .ids = *ids, .sctlr = VCP15_SCTLR_RESET };
}

/* The c10 (TLB lockdown) space QEMU's arm926 accepts as no-ops. */
static bool c10_nop(const struct insn_cp *cp)
{
    switch (cp->crm) {
    case 0: case 1: case 4: case 8:
        return true;
    case 2:   /* PRRR/NMRR encodings */
        return cp->opc1 == 0 && cp->opc2 <= 1;
    default:
        return false;
    }
}

/* opc1 0, CRm 0: the only encoding of most registers. */
static bool plain(const struct insn_cp *cp)
{
    return cp->opc1 == 0 && cp->crm == 0;
}

static bool is_test_clean(const struct insn_cp *cp)
{
    return cp->opc1 == 0 && (cp->crm == 10 || cp->crm == 14) && cp->opc2 == 3;
}

enum vcp15_status vcp15_read(const struct vcp15 *c, const struct insn_cp *cp, uint32_t *value)
{
    switch (cp->crn) {
    case 0:
        if (plain(cp)) {
            static const uint8_t id_of_opc2[8] = { 0, 1, 2, 3, 0, 0, 0, 0 };
            const uint32_t ids[4] = { c->ids.midr, c->ids.ctr, c->ids.tcmtr, c->ids.tlbtr };
            *value = ids[id_of_opc2[cp->opc2 & 7u]];
            return VCP15_DONE;
        }
        if ((cp->opc1 == 0 && cp->crm >= 3 && cp->crm <= 7) || (cp->opc1 == 1 && cp->crm == 0)) {
            *value = 0;
            return VCP15_DONE;
        }
        return VCP15_UNDEF;
    case 1:
        if (!plain(cp) || cp->opc2 != 0)
            return VCP15_UNDEF;
        *value = c->sctlr;
        return VCP15_DONE;
    case 2:
        if (!plain(cp) || cp->opc2 > 2)
            return VCP15_UNDEF;
        *value = cp->opc2 == 0 ? c->ttbr0 : cp->opc2 == 1 ? c->ttbr1 : c->ttbcr;
        return VCP15_DONE;
    case 3:
        *value = c->dacr;
        return VCP15_DONE;
    case 5:
        if (!plain(cp) || cp->opc2 > 1)
            return VCP15_UNDEF;
        *value = cp->opc2 == 0 ? c->dfsr : c->ifsr;
        return VCP15_DONE;
    case 6:
        if (!plain(cp) || cp->opc2 != 0)
            return VCP15_UNDEF;
        *value = c->far;
        return VCP15_DONE;
    case 7:
        if (!is_test_clean(cp))
            return VCP15_UNDEF;
        *value = VCP15_TEST_CLEAN_DONE;
        return VCP15_DONE;
    case 9:
        if (!plain(cp) || cp->opc2 > 1)
            return VCP15_UNDEF;
        *value = cp->opc2 == 0 ? c->dlockdown : c->ilockdown;
        return VCP15_DONE;
    case 10:
        return c10_nop(cp) ? VCP15_NO_WRITE : VCP15_UNDEF;
    case 13:
        if (!plain(cp) || cp->opc2 > 1)
            return VCP15_UNDEF;
        *value = cp->opc2 == 0 ? c->fcse_pid : c->context_id;
        return VCP15_DONE;
    case 15:
        *value = 0;
        return VCP15_DONE;
    default:
        return VCP15_UNDEF;
    }
}

/* Stores value in *reg; flag when it changed. */
static uint32_t set_reg(uint32_t *reg, uint32_t value, uint32_t flag)
{
    uint32_t changed = *reg != value ? flag : 0;
    *reg = value;
    return changed;
}

static enum vcp15_status write_c7(const struct insn_cp *cp, uint32_t value,
                                  struct vcp15_effect *e)
{
    if (cp->opc1 != 0 || is_test_clean(cp))
        return VCP15_UNDEF;
    switch (VCP15_C7(cp->crm, cp->opc2)) {
    case VCP15_C7_WFI:
    case VCP15_C7_WFI_V5:
        e->flags = EMU_F_WFI;
        return VCP15_DONE;
    default:
        e->flags = EMU_F_CACHE;
        e->operand = value;
        e->crm = cp->crm;
        e->opc2 = cp->opc2;
        return VCP15_DONE;
    }
}

static enum vcp15_status write_c8(const struct insn_cp *cp, uint32_t value,
                                  struct vcp15_effect *e)
{
    /* opc2 0 all, 1 by MVA, 2 by ASID (ARMv6; no ASIDs here: all), 3 by MVA for every ASID. */
    if (cp->opc2 > 3)
        return VCP15_UNDEF;
    e->flags = (cp->opc2 & 1u) ? EMU_F_TLB_MVA : EMU_F_TLB_ALL;
    e->flags |= cp->crm == 5 ? EMU_F_TLB_I : cp->crm == 6 ? EMU_F_TLB_D
                                           : EMU_F_TLB_I | EMU_F_TLB_D;
    e->operand = value;
    e->crm = cp->crm;
    e->opc2 = cp->opc2;
    return VCP15_DONE;
}

enum vcp15_status vcp15_write(struct vcp15 *c, const struct insn_cp *cp, uint32_t value,
                              struct vcp15_effect *e)
{
    *e = (struct vcp15_effect){ 0 };
    switch (cp->crn) {
    case 1:
        if (!plain(cp) || cp->opc2 != 0)
            return VCP15_UNDEF;
        if ((c->sctlr ^ value) & VSCTLR_MMU_BITS)
            e->flags = EMU_F_MMU;
        c->sctlr = value;
        return VCP15_DONE;
    case 2:
        if (!plain(cp) || cp->opc2 > 2)
            return VCP15_UNDEF;
        if (cp->opc2 == 0)
            e->flags = set_reg(&c->ttbr0, value, EMU_F_MMU);
        else if (cp->opc2 == 1)
            e->flags = set_reg(&c->ttbr1, value, EMU_F_MMU);
        else
            e->flags = set_reg(&c->ttbcr, value & 7u, EMU_F_MMU);
        return VCP15_DONE;
    case 3:
        e->flags = set_reg(&c->dacr, value, EMU_F_DACR);
        return VCP15_DONE;
    case 5:
        if (!plain(cp) || cp->opc2 > 1)
            return VCP15_UNDEF;
        *(cp->opc2 == 0 ? &c->dfsr : &c->ifsr) = value;
        return VCP15_DONE;
    case 6:
        if (!plain(cp) || cp->opc2 != 0)
            return VCP15_UNDEF;
        c->far = value;
        return VCP15_DONE;
    case 7:
        return write_c7(cp, value, e);
    case 8:
        return write_c8(cp, value, e);
    case 9:
        if (!plain(cp) || cp->opc2 > 1)
            return VCP15_UNDEF;
        *(cp->opc2 == 0 ? &c->dlockdown : &c->ilockdown) = value;
        return VCP15_DONE;
    case 10:
        if (!c10_nop(cp))
            return VCP15_UNDEF;
        if (plain(cp) && cp->opc2 == 0)
            c->tlb_lockdown = value;
        return VCP15_DONE;
    case 13:
        if (!plain(cp) || cp->opc2 > 1)
            return VCP15_UNDEF;
        e->flags = set_reg(cp->opc2 == 0 ? &c->fcse_pid : &c->context_id, value, EMU_F_MMU);
        return VCP15_DONE;
    case 15:
        return VCP15_DONE;
    default:   /* c0 (read-only), c4, c11, c12, c14 */
        return VCP15_UNDEF;
    }
}
