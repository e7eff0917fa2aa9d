/* The virtual CPU (vmm/core/vcpu.c): reset state, every mode switch keeping each mode's SP, LR,
 * SPSR and FIQ r8-r12 (against a model of the ARM926's physical registers), every MSR field
 * mask in every mode with User-mode semantics, SPSR masks, exception entry of each kind from
 * each mode to low and high vectors, exception return into each mode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "vcpu_fixture.h"

static const struct vcpu_ids ids = {
    .midr = 0x41069265, .ctr = 0x01dd20d2, .fpsid = 0x41011090,
};

static struct vcpu v;
static struct trap_frame f;

static int setup(void **state)
{
    (void)state;
    vcpu_init(&v, NULL, &ids);
    f = (struct trap_frame){ .cpsr = USR };
    for (unsigned i = 0; i < 13; i++)
        f.r[i] = 0xa0 + i;
    f.sp = 0xa0d;
    f.lr = 0xa0e;
    f.pc = 0x8004;
    return 0;
}

/* ------------------------------------------------------------------ a register-file model */

/* The ARM926's physical registers (ARM ARM A2.3), indexed independently of vcpu.c. */
static unsigned phys_bank(uint32_t mode)
{
    switch (mode) {
    case FIQ: return 1;
    case IRQ: return 2;
    case SVC: return 3;
    case ABT: return 4;
    case UND: return 5;
    default:  return 0;      /* USR, SYS */
    }
}

struct model {
    uint32_t r8_12[2][5];    /* [0] everyone but FIQ, [1] FIQ */
    uint32_t sp[6], lr[6], spsr[6];
};

static uint32_t model_reg(const struct model *m, uint32_t mode, unsigned n)
{
    if (n < 13)
        return m->r8_12[mode == FIQ][n - 8];
    return n == 13 ? m->sp[phys_bank(mode)] : m->lr[phys_bank(mode)];
}

static void check_against_model(const struct model *m)
{
    uint32_t cur = vcpu_mode(&v);
    for (unsigned i = 0; i < 8; i++)
        assert_int_equal(f.r[i], 0xa0 + i);               /* never banked */
    for (unsigned n = 8; n < 13; n++)
        assert_int_equal(f.r[n], model_reg(m, cur, n));
    assert_int_equal(f.sp, model_reg(m, cur, 13));
    assert_int_equal(f.lr, model_reg(m, cur, 14));
    for (unsigned k = 0; k < 7; k++)
        for (unsigned n = 8; n < 15; n++)
            assert_int_equal(vcpu_mode_reg(&v, &f, modes[k], n), model_reg(m, modes[k], n));
    uint32_t spsr;
    if (cur == USR) {
        assert_false(vcpu_read_spsr(&v, &spsr));
    } else {
        assert_true(vcpu_read_spsr(&v, &spsr));
        assert_int_equal(spsr, m->spsr[phys_bank(cur)]);
    }
}

static void test_init(void **state)
{
    (void)state;
    struct vm *fake = (struct vm *)&f;
    vcpu_init(&v, fake, &ids);
    assert_ptr_equal(v.vm, fake);
    assert_int_equal(v.vcpsr, 0x1d3);                     /* SVC, A, I, F: QEMU's reset CPSR */
    assert_int_equal(v.regs.cpsr, USR);
    assert_int_equal(v.regs.pc, 0);
    assert_int_equal(vcpu_read_cpsr(&v, &v.regs), 0x1d3);
    assert_int_equal(v.cp15.sctlr, VCP15_SCTLR_RESET);
    assert_int_equal(v.cp15.ids.midr, 0x41069265);
    assert_int_equal(v.cp15.ids.fpsid, 0x41011090);
    assert_int_equal(v.vfp.fpexc, 0);
    assert_int_equal(v.changed, 0);
    assert_true(vcpu_privileged(&v));
    assert_true(vcpu_irq_masked(&v));
    assert_true(vcpu_fiq_masked(&v));
    assert_int_equal(vcpu_vector_base(&v), 0);
}

static void test_modes_and_banks(void **state)
{
    (void)state;
    for (uint32_t m = 0; m < 64; m++) {
        bool valid = false;
        for (unsigned k = 0; k < 7; k++)
            valid |= m == modes[k];
        assert_int_equal(vcpu_mode_valid(m), valid);
    }
    assert_int_equal(vcpu_bank_of(USR), VBANK_USR);
    assert_int_equal(vcpu_bank_of(SYS), VBANK_USR);
    assert_int_equal(vcpu_bank_of(FIQ), VBANK_FIQ);
    assert_int_equal(vcpu_bank_of(IRQ), VBANK_IRQ);
    assert_int_equal(vcpu_bank_of(SVC), VBANK_SVC);
    assert_int_equal(vcpu_bank_of(ABT), VBANK_ABT);
    assert_int_equal(vcpu_bank_of(UND), VBANK_UND);
}

/* Fill every mode's view through the API, then switch between every ordered pair of modes and
 * check every register of every mode after each switch. */
static void test_every_mode_switch(void **state)
{
    (void)state;
    struct model m;
    for (unsigned b = 0; b < 6; b++) {
        m.sp[b] = 0x1000 * b + 13;
        m.lr[b] = 0x1000 * b + 14;
        m.spsr[b] = 0x10000000u * b | 0x10;
    }
    for (unsigned i = 0; i < 5; i++) {
        m.r8_12[0][i] = 0x800 + i;
        m.r8_12[1][i] = 0xf800 + i;
    }
    for (unsigned k = 0; k < 7; k++) {
        vcpu_set_mode(&v, &f, modes[k]);
        assert_int_equal(vcpu_mode(&v), modes[k]);
        for (unsigned n = 8; n < 13; n++)
            f.r[n] = model_reg(&m, modes[k], n);
        f.sp = model_reg(&m, modes[k], 13);
        f.lr = model_reg(&m, modes[k], 14);
        if (modes[k] != USR)
            assert_true(vcpu_write_spsr(&v, m.spsr[phys_bank(modes[k])], PSR_FIELD_ALL));
    }
    for (unsigned a = 0; a < 7; a++)
        for (unsigned b = 0; b < 7; b++) {
            vcpu_set_mode(&v, &f, modes[a]);
            check_against_model(&m);
            vcpu_take_changes(&v);
            vcpu_set_mode(&v, &f, modes[b]);
            assert_int_equal(vcpu_take_changes(&v), a == b ? 0 : EMU_F_MODE);
            assert_int_equal(vcpu_mode(&v), modes[b]);
            check_against_model(&m);
        }
    /* The flags and T, in the frame, are not touched by a mode change. */
    f.cpsr = USR | 0xf8000000u | VPSR_T;
    vcpu_set_mode(&v, &f, FIQ);
    vcpu_set_mode(&v, &f, USR);
    assert_int_equal(f.cpsr, USR | 0xf8000000u | VPSR_T);
}

static void test_set_mode_invalid(void **state)
{
    (void)state;
    for (uint32_t m = 0; m < 0x100; m++) {
        if (vcpu_mode_valid(m))
            continue;
        struct vcpu before = v;
        struct trap_frame fb = f;
        vcpu_set_mode(&v, &f, m);
        assert_memory_equal(&v, &before, sizeof v);
        assert_memory_equal(&f, &fb, sizeof f);
    }
}

/* ------------------------------------------------------------------ CPSR and MSR */

/* What an MSR to the CPSR may change, field by field (QEMU arm926, measured): flags N Z C V Q
 * (never J); nothing of the status field; A of the extension field; mode, I, F of the control
 * field (never T) -- and in User mode only the flags. */
static uint32_t msr_cpsr_mask(uint32_t fields, bool privileged)
{
    uint32_t m = 0;
    if (fields & PSR_FIELD_F)
        m |= 0xf8000000u;
    if (privileged && (fields & PSR_FIELD_X))
        m |= 0x100u;
    if (privileged && (fields & PSR_FIELD_C))
        m |= 0xdfu;
    return m;
}

static void test_msr_every_mask_every_mode(void **state)
{
    (void)state;
    static const uint32_t values[] = {
        0x00000000, 0xffffffff, 0x5a5a5a5a, 0xa5a5a5a5, 0x600001d3, 0x0f0ffed3, 0x80000010,
        0x400000df, 0xf80000d1, 0x0000001a,
    };
    for (unsigned k = 0; k < 7; k++)
        for (uint32_t fields = 0; fields < 16; fields++)
            for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
                for (unsigned t = 0; t < 2; t++) {
                    setup(NULL);
                    vcpu_set_mode(&v, &f, modes[k]);
                    v.vcpsr |= VPSR_I | VPSR_F;
                    v.vcpsr &= ~VPSR_A;
                    f.cpsr = USR | 0x30000000u | (t ? VPSR_T : 0);
                    f.sp = 0x5000 + k;
                    vcpu_take_changes(&v);

                    uint32_t old = vcpu_read_cpsr(&v, &f);
                    uint32_t mask = msr_cpsr_mask(fields, modes[k] != USR);
                    uint32_t want = (old & ~mask) | (values[i] & mask);
                    if (!vcpu_mode_valid(want & 0x1f))     /* QEMU: mode left unchanged */
                        want = (want & ~0x1fu) | (old & 0x1f);

                    vcpu_write_cpsr(&v, &f, values[i], fields, VCPU_CPSR_MSR);
                    assert_int_equal(vcpu_read_cpsr(&v, &f), want);
                    assert_int_equal(f.cpsr & 0x1ff, USR | (t ? VPSR_T : 0)); /* real: User */
                    assert_int_equal(vcpu_mode(&v), want & 0x1f);
                    uint32_t ch = vcpu_take_changes(&v);
                    assert_int_equal(!!(ch & EMU_F_MODE), (want & 0x1f) != modes[k]);
                    assert_int_equal(!!(ch & EMU_F_IRQ_UNMASK), (~want & 0xc0u) != 0);
                    /* A mode change is a bank switch: the old mode's SP is banked. */
                    assert_int_equal(vcpu_mode_reg(&v, &f, modes[k], 13), 0x5000 + k);
                }
}

/* Concrete cases seen on QEMU. */
static void test_msr_measured(void **state)
{
    (void)state;
    /* SVC: msr cpsr_fsxc with reserved bits set: only M, I, F, A, flags are kept. */
    f.cpsr = USR;
    vcpu_write_cpsr(&v, &f, 0x0f0ffed3, PSR_FIELD_ALL, VCPU_CPSR_MSR);
    assert_int_equal(vcpu_read_cpsr(&v, &f), 0x080000d3);   /* Q is a flag */
    vcpu_write_cpsr(&v, &f, 0x000001d3, PSR_FIELD_ALL, VCPU_CPSR_MSR);
    assert_int_equal(vcpu_read_cpsr(&v, &f), 0x000001d3);
    /* Invalid mode numbers: the mode stays, I and F are written. */
    vcpu_write_cpsr(&v, &f, 0x000000c0, PSR_FIELD_C, VCPU_CPSR_MSR);
    assert_int_equal(vcpu_read_cpsr(&v, &f), 0x000001d3);
    vcpu_write_cpsr(&v, &f, 0x0000001a, PSR_FIELD_C, VCPU_CPSR_MSR);
    assert_int_equal(vcpu_read_cpsr(&v, &f), 0x00000113);
    /* User mode: `msr cpsr_c, #0xd3` is ignored, `msr cpsr_fsxc` changes the flags only. */
    vcpu_set_mode(&v, &f, USR);
    v.vcpsr &= ~(VPSR_A | VPSR_I | VPSR_F);
    vcpu_write_cpsr(&v, &f, 0xd3, PSR_FIELD_C, VCPU_CPSR_MSR);
    assert_int_equal(vcpu_read_cpsr(&v, &f), 0x00000010);
    vcpu_write_cpsr(&v, &f, 0xf80001df, PSR_FIELD_ALL, VCPU_CPSR_MSR);
    assert_int_equal(vcpu_read_cpsr(&v, &f), 0xf8000010);
    assert_int_equal(f.cpsr, 0xf8000010);
}

static void test_spsr_masks(void **state)
{
    (void)state;
    /* Measured: msr spsr_<field> of 0xffffffff keeps c 0xff, x 0x100, s 0x00100000 (IL),
     * f 0xf9000000 (N Z C V Q J). */
    static const uint32_t keeps[4] = { 0xffu, 0x100u, 0x00100000u, 0xf9000000u };
    uint32_t spsr;
    for (unsigned k = 0; k < 7; k++) {
        vcpu_set_mode(&v, &f, modes[k]);
        if (modes[k] == USR) {
            assert_false(vcpu_write_spsr(&v, 0xffffffff, PSR_FIELD_ALL));
            assert_false(vcpu_read_spsr(&v, &spsr));
            continue;
        }
        for (uint32_t fields = 0; fields < 16; fields++) {
            uint32_t want = 0;
            for (unsigned b = 0; b < 4; b++)
                if (fields & (1u << b))
                    want |= keeps[b];
            assert_true(vcpu_write_spsr(&v, 0, PSR_FIELD_ALL));
            assert_true(vcpu_write_spsr(&v, 0xffffffff, fields));
            assert_true(vcpu_read_spsr(&v, &spsr));
            assert_int_equal(spsr, want);
        }
        assert_true(vcpu_write_spsr(&v, 0x12, 0));          /* no field: nothing */
        assert_true(vcpu_read_spsr(&v, &spsr));
        assert_int_equal(spsr, 0xf91001ff);
        assert_true(vcpu_write_spsr(&v, 0x20000000u | modes[k], PSR_FIELD_ALL));
    }
    /* Each mode kept its own; SYS has its own (QEMU's), distinct from every exception mode. */
    for (unsigned k = 1; k < 7; k++) {
        vcpu_set_mode(&v, &f, modes[k]);
        assert_true(vcpu_read_spsr(&v, &spsr));
        assert_int_equal(spsr, 0x20000000u | modes[k]);
    }
    assert_int_equal(v.spsr[VBANK_USR], 0x20000000u | SYS);
}

/* ------------------------------------------------------------------ exceptions */

static void test_exception_entry(void **state)
{
    (void)state;
    static const struct {
        enum vexc exc;
        uint32_t mode, offset;
        bool a, f;                       /* also masked (I always is) */
    } ex[] = {
        { VEXC_RESET, SVC, 0x00, true, true },
        { VEXC_UND,   UND, 0x04, false, false },
        { VEXC_SWI,   SVC, 0x08, false, false },
        { VEXC_PABT,  ABT, 0x0c, true, false },
        { VEXC_DABT,  ABT, 0x10, true, false },
        { VEXC_IRQ,   IRQ, 0x18, true, false },
        { VEXC_FIQ,   FIQ, 0x1c, true, true },
    };
    for (size_t e = 0; e < sizeof ex / sizeof ex[0]; e++)
        for (unsigned k = 0; k < 7; k++)
            for (unsigned high = 0; high < 2; high++)
                for (unsigned thumb = 0; thumb < 2; thumb++) {
                    setup(NULL);
                    if (high)
                        v.cp15.sctlr |= VSCTLR_V;
                    vcpu_set_mode(&v, &f, modes[k]);
                    f.sp = 0x7000 + k;
                    f.lr = 0x7100 + k;
                    v.vcpsr &= ~(VPSR_A | VPSR_I | VPSR_F);
                    f.cpsr = USR | 0xa8000000u | (thumb ? VPSR_T : 0);
                    uint32_t old = vcpu_read_cpsr(&v, &f), spsr;
                    vcpu_take_changes(&v);

                    vcpu_enter_exception(&v, &f, ex[e].exc, 0x12345);

                    uint32_t want = (old & 0xf8000000u) | ex[e].mode | VPSR_I |
                                    (ex[e].a ? VPSR_A : 0) | (ex[e].f ? VPSR_F : 0);
                    assert_int_equal(vcpu_read_cpsr(&v, &f), want);
                    assert_int_equal(f.cpsr & 0x1ff, USR);            /* T cleared, real User */
                    assert_true(vcpu_read_spsr(&v, &spsr));
                    assert_int_equal(spsr, old);
                    assert_int_equal(f.lr, 0x12345);
                    assert_int_equal(f.pc, (high ? 0xffff0000u : 0u) + ex[e].offset);
                    assert_int_equal(vcpu_take_changes(&v) & EMU_F_MODE,
                                     ex[e].mode == modes[k] ? 0 : EMU_F_MODE);
                    if (ex[e].mode != modes[k] && phys_bank(ex[e].mode) != phys_bank(modes[k])) {
                        assert_int_equal(vcpu_mode_reg(&v, &f, modes[k], 13), 0x7000 + k);
                        assert_int_equal(vcpu_mode_reg(&v, &f, modes[k], 14), 0x7100 + k);
                    }
                }
    /* Masks already set stay set (F is not cleared by a non-FIQ exception). */
    setup(NULL);
    vcpu_enter_exception(&v, &f, VEXC_UND, 4);
    assert_int_equal(vcpu_read_cpsr(&v, &f), 0x1db);
    /* An unknown exception number changes nothing. */
    struct vcpu before = v;
    struct trap_frame fb = f;
    vcpu_enter_exception(&v, &f, VEXC_COUNT, 4);
    assert_memory_equal(&v, &before, sizeof v);
    assert_memory_equal(&f, &fb, sizeof f);
}

static void test_fiq_entry_banks_r8_r12(void **state)
{
    (void)state;
    for (unsigned i = 0; i < 5; i++)
        v.fiq_r8_r12[i] = 0xf100 + i;
    vcpu_enter_exception(&v, &f, VEXC_FIQ, 0x8008);
    for (unsigned i = 0; i < 5; i++) {
        assert_int_equal(f.r[8 + i], 0xf100 + i);
        assert_int_equal(vcpu_mode_reg(&v, &f, SVC, 8 + i), 0xa8 + i);
    }
    assert_true(vcpu_exception_return(&v, &f, f.lr - 4));
    for (unsigned i = 0; i < 5; i++)
        assert_int_equal(f.r[8 + i], 0xa8 + i);
    assert_int_equal(vcpu_mode(&v), SVC);
    assert_int_equal(f.pc, 0x8004);
}

static void test_trap_link(void **state)
{
    (void)state;
    assert_int_equal(vcpu_trap_link(VEXC_UND, 0x1004), 0x1004);
    assert_int_equal(vcpu_trap_link(VEXC_SWI, 0x1004), 0x1004);
    assert_int_equal(vcpu_trap_link(VEXC_PABT, 0x1000), 0x1004);
    assert_int_equal(vcpu_trap_link(VEXC_DABT, 0x1000), 0x1008);
    assert_int_equal(vcpu_trap_link(VEXC_IRQ, 0x1000), 0x1004);
    assert_int_equal(vcpu_trap_link(VEXC_FIQ, 0x1000), 0x1004);
    assert_int_equal(vcpu_trap_link(VEXC_RESET, 0x1000), 0);
}

/* CPSR = SPSR from every mode that has one, into every mode, ARM and Thumb. */
static void test_exception_return_into_each_mode(void **state)
{
    (void)state;
    for (unsigned from = 1; from < 7; from++)
        for (unsigned to = 0; to < 7; to++)
            for (unsigned thumb = 0; thumb < 2; thumb++) {
                setup(NULL);
                vcpu_set_mode(&v, &f, modes[to]);
                f.sp = 0x9100 + to;
                f.lr = 0x9200 + to;
                vcpu_set_mode(&v, &f, modes[from]);
                uint32_t spsr = 0x90000000u | modes[to] | (thumb ? VPSR_T : 0) | VPSR_F;
                assert_true(vcpu_write_spsr(&v, spsr, PSR_FIELD_ALL));
                v.vcpsr |= VPSR_I;
                vcpu_take_changes(&v);

                assert_true(vcpu_exception_return(&v, &f, 0x8003));

                assert_int_equal(vcpu_read_cpsr(&v, &f), spsr);
                assert_int_equal(f.pc, thumb ? 0x8002 : 0x8000);
                assert_int_equal(f.cpsr & 0x1ff, USR | (thumb ? VPSR_T : 0));
                if (modes[to] != modes[from])
                    assert_int_equal(vcpu_mode(&v), modes[to]);
                if (phys_bank(modes[to]) != phys_bank(modes[from])) {
                    assert_int_equal(f.sp, 0x9100 + to);
                    assert_int_equal(f.lr, 0x9200 + to);
                }
                uint32_t ch = vcpu_take_changes(&v);
                assert_true(ch & EMU_F_IRQ_UNMASK);           /* I: 1 -> 0 */
                assert_int_equal(!!(ch & EMU_F_MODE), modes[to] != modes[from]);
            }
}

static void test_exception_return_odd_spsr(void **state)
{
    (void)state;
    uint32_t spsr;
    /* Invalid mode: the mode stays, the rest is copied (QEMU). */
    assert_true(vcpu_write_spsr(&v, 0x900001c0, PSR_FIELD_ALL));
    assert_true(vcpu_exception_return(&v, &f, 0x8000));
    assert_int_equal(vcpu_read_cpsr(&v, &f), 0x900001d3);
    /* Reserved bits, J and IL are not copied. */
    assert_true(vcpu_write_spsr(&v, 0x911ffed3, PSR_FIELD_ALL));
    assert_true(vcpu_read_spsr(&v, &spsr));
    assert_int_equal(spsr, 0x911000d3);
    assert_true(vcpu_exception_return(&v, &f, 0x8000));
    assert_int_equal(vcpu_read_cpsr(&v, &f), 0x900000d3);
    assert_int_equal(f.cpsr, 0x90000010);
    /* From User mode there is no SPSR: nothing happens. */
    vcpu_set_mode(&v, &f, USR);
    struct vcpu before = v;
    struct trap_frame fb = f;
    assert_false(vcpu_exception_return(&v, &f, 0x4000));
    assert_memory_equal(&v, &before, sizeof v);
    assert_memory_equal(&f, &fb, sizeof f);
    /* From SYS: QEMU's extra SPSR. */
    vcpu_set_mode(&v, &f, SYS);
    assert_true(vcpu_write_spsr(&v, 0x200000d3, PSR_FIELD_ALL));
    assert_true(vcpu_exception_return(&v, &f, 0x4000));
    assert_int_equal(vcpu_read_cpsr(&v, &f), 0x200000d3);
}

static void test_mode_reg_access(void **state)
{
    (void)state;
    for (unsigned cur = 0; cur < 7; cur++) {
        setup(NULL);
        vcpu_set_mode(&v, &f, modes[cur]);
        for (unsigned k = 0; k < 7; k++)
            for (unsigned n = 0; n < 15; n++)
                vcpu_set_mode_reg(&v, &f, modes[k], n, (modes[k] << 8) | n);
        for (unsigned k = 0; k < 7; k++)
            for (unsigned n = 0; n < 15; n++) {
                /* Later writes to shared registers win: r0-r7 everywhere (last mode SYS),
                 * r8-r12 among non-FIQ modes, SP/LR between USR and SYS. */
                uint32_t writer = n < 8 ? SYS
                                : n < 13 ? (modes[k] == FIQ ? FIQ : SYS)
                                : (modes[k] == USR ? SYS : modes[k]);
                assert_int_equal(vcpu_mode_reg(&v, &f, modes[k], n), (writer << 8) | n);
            }
        assert_int_equal(f.sp, ((phys_bank(modes[cur]) ? modes[cur] : SYS) << 8) | 13);
    }
    /* Out of range: ignored / zero. */
    struct vcpu before = v;
    struct trap_frame fb = f;
    vcpu_set_mode_reg(&v, &f, SVC, 15, 1);
    vcpu_set_mode_reg(&v, &f, 0x14, 13, 1);
    assert_memory_equal(&v, &before, sizeof v);
    assert_memory_equal(&f, &fb, sizeof f);
    assert_int_equal(vcpu_mode_reg(&v, &f, SVC, 15), 0);
    assert_int_equal(vcpu_mode_reg(&v, &f, 0x00, 13), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_init, setup),
        cmocka_unit_test_setup(test_modes_and_banks, setup),
        cmocka_unit_test_setup(test_every_mode_switch, setup),
        cmocka_unit_test_setup(test_set_mode_invalid, setup),
        cmocka_unit_test_setup(test_msr_every_mask_every_mode, setup),
        cmocka_unit_test_setup(test_msr_measured, setup),
        cmocka_unit_test_setup(test_spsr_masks, setup),
        cmocka_unit_test_setup(test_exception_entry, setup),
        cmocka_unit_test_setup(test_fiq_entry_banks_r8_r12, setup),
        cmocka_unit_test_setup(test_trap_link, setup),
        cmocka_unit_test_setup(test_exception_return_into_each_mode, setup),
        cmocka_unit_test_setup(test_exception_return_odd_spsr, setup),
        cmocka_unit_test_setup(test_mode_reg_access, setup),
    };
    return cmocka_run_group_tests_name("vcpu", tests, NULL, NULL);
}
