/* Sensitive-instruction emulation (vmm/core/emulate.c), everything but the memory-touching
 * LDM/STM forms (test_emulate_ldm.c): all 15 conditions (a failed one changes nothing), the
 * proxies and MRS/MSR on CPSR and SPSR in every mode with every mask, data-processing exception
 * returns of every ALU operation and shifter form, MCR/MRC p15 through the emulator (flags, the
 * test-and-clean Z flag, WFI, TLB, cache), CP14, VFP, missing coprocessors and undefined
 * encodings, exception delivery. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "emulate.h"
#include "vcpu_fixture.h"

#define AL  0xeu
#define NV  0xfu

static const struct vcpu_ids ids = {
    .midr = 0x41069265, .ctr = 0x01dd20d2, .fpsid = 0x41011090, .jidr = 0x12345678,
};

static struct vcpu v;
static struct trap_frame f;

#define INSN_ADDR VCPU_FIXTURE_INSN

static int setup(void **state)
{
    (void)state;
    vcpu_fixture_reset(&v, &f, &ids);
    return 0;
}

/* ------------------------------------------------------------------ encoders */

static uint32_t mrs(unsigned cond, unsigned spsr, unsigned rd)
{
    return cond << 28 | 0x010F0000u | spsr << 22 | rd << 12;
}
static uint32_t msr_reg(unsigned cond, unsigned spsr, unsigned mask, unsigned rm)
{
    return cond << 28 | 0x0120F000u | spsr << 22 | mask << 16 | rm;
}
static uint32_t msr_imm(unsigned cond, unsigned spsr, unsigned mask, unsigned imm12)
{
    return cond << 28 | 0x0320F000u | spsr << 22 | mask << 16 | imm12;
}
static uint32_t proxy(uint32_t original)
{
    uint32_t p = 0;
    assert_true(proxy_from_original(original, &p));
    return p;
}
static uint32_t dp_imm(unsigned cond, unsigned op, unsigned s, unsigned rn, unsigned rd,
                       unsigned imm12)
{
    return cond << 28 | 1u << 25 | op << 21 | s << 20 | rn << 16 | rd << 12 | imm12;
}
static uint32_t dp_shi(unsigned cond, unsigned op, unsigned s, unsigned rn, unsigned rd,
                       unsigned rm, unsigned shift, unsigned amount)
{
    return cond << 28 | op << 21 | s << 20 | rn << 16 | rd << 12 | amount << 7 | shift << 5 | rm;
}
static uint32_t dp_shr(unsigned cond, unsigned op, unsigned s, unsigned rn, unsigned rd,
                       unsigned rm, unsigned shift, unsigned rs)
{
    return cond << 28 | op << 21 | s << 20 | rn << 16 | rd << 12 | rs << 8 | shift << 5 | 1u << 4 |
           rm;
}
static uint32_t cpreg(unsigned cond, unsigned load, unsigned cpn, unsigned opc1, unsigned crn,
                      unsigned rd, unsigned crm, unsigned opc2)
{
    return cond << 28 | 0x0E000010u | opc1 << 21 | load << 20 | crn << 16 | rd << 12 | cpn << 8 |
           opc2 << 5 | crm;
}
#define MRC(cpn, opc1, rd, crn, crm, opc2) cpreg(AL, 1, cpn, opc1, crn, rd, crm, opc2)
#define MCR(cpn, opc1, rd, crn, crm, opc2) cpreg(AL, 0, cpn, opc1, crn, rd, crm, opc2)

static void test_encoders(void **state)
{
    (void)state;                   /* against arm-none-eabi-as output */
    assert_int_equal(mrs(AL, 1, 3), 0xe14f3000);
    assert_int_equal(mrs(AL, 0, 3), 0xe10f3000);
    assert_int_equal(msr_reg(AL, 1, 0xf, 2), 0xe16ff002);
    assert_int_equal(msr_reg(AL, 0, 0x1, 2), 0xe121f002);
    assert_int_equal(msr_imm(AL, 1, 0x8, 0x20f), 0xe368f20f);
    assert_int_equal(dp_imm(AL, DP_SUB, 1, 14, 15, 4), 0xe25ef004);
    assert_int_equal(dp_shi(AL, DP_MOV, 1, 0, 15, 14, SHIFT_LSL, 0), 0xe1b0f00e);
    assert_int_equal(dp_shr(AL, DP_MOV, 1, 0, 15, 14, SHIFT_LSL, 1), 0xe1b0f11e);
    assert_int_equal(dp_shi(AL, DP_ADD, 1, 2, 15, 3, SHIFT_ASR, 7), 0xe092f3c3);
    assert_int_equal(dp_shi(0x0, DP_MOV, 1, 0, 15, 14, SHIFT_LSL, 0), 0x01b0f00e);
    assert_int_equal(MCR(15, 0, 0, 7, 0, 4), 0xee070f90);
    assert_int_equal(MRC(15, 0, 15, 7, 14, 3), 0xee17ff7e);
    assert_int_equal(MRC(15, 0, 1, 1, 0, 0), 0xee111f10);
    assert_int_equal(MCR(15, 0, 2, 3, 0, 0), 0xee032f10);
    assert_int_equal(MCR(15, 0, 0, 8, 7, 1), 0xee080f37);
    assert_int_equal(MRC(10, 7, 0, 8, 0, 0), 0xeef80a10);   /* vmrs r0, fpexc */
    assert_int_equal(MCR(10, 7, 1, 8, 0, 0), 0xeee81a10);   /* vmsr fpexc, r1 */
    assert_int_equal(MRC(10, 7, 2, 0, 0, 0), 0xeef02a10);   /* vmrs r2, fpsid */
    assert_int_equal(MRC(14, 7, 0, 0, 0, 0), 0xeef00e10);
}

static struct emu_result emu(uint32_t word)
{
    return emulate_insn(&v, &f, word);
}

/* The instruction changed nothing at all. */
#define ASSERT_UNCHANGED(vb, fb)                         \
    do {                                                 \
        assert_memory_equal(&v, &(vb), sizeof v);       \
        assert_memory_equal(&f, &(fb), sizeof f);       \
    } while (0)

static void assert_und(uint32_t word)
{
    struct vcpu vb = v;
    struct trap_frame fb = f;
    struct emu_result r = emu(word);
    if (r.flags != EMU_F_UND)
        fail_msg("%08x: flags %x, expected UND", word, r.flags);
    ASSERT_UNCHANGED(vb, fb);
}

/* ------------------------------------------------------------------ conditions */

/* ARM ARM A3.2, flags NZCV = index (N = bit 3). */
static const char *const cond_truth[15] = {
    "0000111100001111", /* EQ */
    "1111000011110000", /* NE */
    "0011001100110011", /* CS */
    "1100110011001100", /* CC */
    "0000000011111111", /* MI */
    "1111111100000000", /* PL */
    "0101010101010101", /* VS */
    "1010101010101010", /* VC */
    "0011000000110000", /* HI */
    "1100111111001111", /* LS */
    "1010101001010101", /* GE */
    "0101010110101010", /* LT */
    "1010000001010000", /* GT */
    "0101111110101111", /* LE */
    "1111111111111111", /* AL */
};

static void test_cond_table(void **state)
{
    (void)state;
    for (unsigned c = 0; c < 15; c++)
        for (unsigned nzcv = 0; nzcv < 16; nzcv++)
            assert_int_equal(emu_cond_passed(c, nzcv << 28 | 0x08000010u),
                             cond_truth[c][nzcv] == '1');
    assert_true(emu_cond_passed(NV, 0));
}

/* Every condition x every flag combination, on instructions of each emulated class: a passed
 * condition does the instruction, a failed one changes nothing at all. */
static void test_conditions_all_classes(void **state)
{
    (void)state;
    for (unsigned c = 0; c < 15; c++)
        for (unsigned nzcv = 0; nzcv < 16; nzcv++)
            for (unsigned cls = 0; cls < 7; cls++) {
                setup(NULL);
                f.cpsr = nzcv << 28 | USR;
                assert_true(vcpu_write_spsr(&v, 0x600000d3, PSR_FIELD_ALL));
                uint32_t word;
                switch (cls) {
                case 0: word = proxy(msr_imm(c, 0, 0x8, 0x20f)); break;   /* msr cpsr_f */
                case 1: word = proxy(mrs(c, 0, 4)); break;
                case 2: word = mrs(c, 1, 5); break;
                case 3: word = cpreg(c, 1, 15, 0, 0, 6, 0, 0); break;      /* mrc MIDR */
                case 4: word = cpreg(c, 0, 15, 0, 3, 7, 0, 0); break;      /* mcr DACR */
                case 5: word = dp_shi(c, DP_MOV, 1, 0, 15, 14, 0, 0); break;
                default: word = cpreg(c, 0, 5, 0, 0, 0, 0, 0); break;      /* missing cp */
                }
                struct vcpu vb = v;
                struct trap_frame fb = f;
                struct emu_result r = emu(word);
                bool pass = cond_truth[c][nzcv] == '1';
                if (!pass) {
                    assert_int_equal(r.flags, EMU_F_COND_FAILED);
                    ASSERT_UNCHANGED(vb, fb);
                    continue;
                }
                assert_false(r.flags & EMU_F_COND_FAILED);
                switch (cls) {
                case 0: assert_int_equal(f.cpsr, 0xf0000010); break;
                case 1: assert_int_equal(f.r[4], nzcv << 28 | SVC); break;
                case 2: assert_int_equal(f.r[5], 0x600000d3); break;
                case 3: assert_int_equal(f.r[6], 0x41069265); break;
                case 4: assert_int_equal(v.cp15.dacr, 0xa7); break;
                case 5: assert_int_equal(f.pc, 0xa0c);
                        assert_int_equal(vcpu_read_cpsr(&v, &f), 0x600000d3); break;
                default: assert_int_equal(r.flags, EMU_F_UND); break;
                }
            }
    /* ARMv5's unconditional space (MCR2, MRC2 ...): UNDEFINED, whatever the flags. */
    assert_und(cpreg(NV, 1, 15, 0, 0, 6, 0, 0));
    assert_und(cpreg(NV, 0, 15, 0, 3, 7, 0, 0));
}

/* ------------------------------------------------------------------ MRS / MSR on the CPSR */

static void test_proxy_mrs_every_mode_and_register(void **state)
{
    (void)state;
    for (unsigned k = 0; k < 7; k++)
        for (unsigned rd = 0; rd < 15; rd++) {
            setup(NULL);
            vcpu_set_mode(&v, &f, modes[k]);
            v.vcpsr |= VPSR_F | VPSR_A;
            f.cpsr = 0x98000000u | USR;
            struct emu_result r = emu(proxy(mrs(AL, 0, rd)));
            assert_int_equal(r.flags, 0);
            assert_int_equal(r.kind, INSN_PROXY);
            assert_int_equal(r.old_mode, modes[k]);
            assert_int_equal(vcpu_mode_reg(&v, &f, modes[k], rd),
                             0x98000000u | VPSR_A | VPSR_F | modes[k]);
            assert_int_equal(f.pc, INSN_ADDR + 4);
        }
    /* MRS to the PC (UNPREDICTABLE): QEMU writes it like any register, bits [1:0] cleared. */
    setup(NULL);
    v.vcpsr = 0x1d3;
    emu(proxy(mrs(AL, 0, 15)));
    assert_int_equal(f.pc, 0x1d0);
    /* The original MRS word itself (not a proxy) is emulated the same way. */
    setup(NULL);
    emu(mrs(AL, 0, 0));
    assert_int_equal(f.r[0], SVC);
}

static void test_proxy_msr_every_mask_every_mode(void **state)
{
    (void)state;
    /* The register and immediate forms of every mask in every mode give what vcpu_write_cpsr
     * gives (its semantics are test_vcpu's); the proxy and the original word agree. */
    static const uint32_t values[] = { 0xffffffff, 0x00000000, 0x600000d7, 0x0000001f };
    static const unsigned imm12[] = { 0x4ff, 0x000, 0x1d7 /* 0xd7 ror 2: 0xc0000035 */, 0x01f };
    for (unsigned k = 0; k < 7; k++)
        for (unsigned mask = 0; mask < 16; mask++)
            for (unsigned i = 0; i < 4; i++)
                for (unsigned form = 0; form < 3; form++) {
                    setup(NULL);
                    vcpu_set_mode(&v, &f, modes[k]);
                    v.vcpsr |= VPSR_I;
                    f.r[3] = values[i];
                    vcpu_take_changes(&v);
                    uint32_t val = form == 2 ? arm_expand_imm(imm12[i]) : values[i];
                    uint32_t word = form == 2 ? msr_imm(AL, 0, mask, imm12[i])
                                              : msr_reg(AL, 0, mask, 3);
                    struct vcpu ve = v;
                    struct trap_frame fe = f;
                    vcpu_write_cpsr(&ve, &fe, val, mask, VCPU_CPSR_MSR);

                    struct emu_result r = emu(form == 1 ? word : proxy(word));
                    assert_int_equal(r.flags & ~(EMU_F_MODE | EMU_F_IRQ_UNMASK), 0);
                    assert_int_equal(r.flags, ve.changed & EMU_F_STATE);
                    assert_int_equal(vcpu_read_cpsr(&v, &f), vcpu_read_cpsr(&ve, &fe));
                    assert_memory_equal(&f, &fe, sizeof f);
                }
}

/* A proxy executed in virtual User mode behaves as the original would in User mode. */
static void test_proxy_user_mode_semantics(void **state)
{
    (void)state;
    vcpu_set_mode(&v, &f, USR);
    f.cpsr = USR;
    struct emu_result r = emu(proxy(msr_imm(AL, 0, 0x1, 0xd3)));   /* msr cpsr_c, #0xd3 */
    assert_int_equal(r.flags, 0);
    assert_int_equal(vcpu_read_cpsr(&v, &f), USR);
    f.r[1] = 0xffffffff;
    emu(proxy(msr_reg(AL, 0, 0xf, 1)));                              /* msr cpsr_fsxc, r1 */
    assert_int_equal(vcpu_read_cpsr(&v, &f), 0xf8000010);
    assert_int_equal(f.cpsr, 0xf8000010);
    emu(proxy(mrs(AL, 0, 2)));
    assert_int_equal(f.r[2], 0xf8000010);
    /* MSR Rm = PC (UNPREDICTABLE): the PC reads as the instruction + 8. */
    setup(NULL);
    f.pc = 0x60000004;      /* instruction at 0x60000000: reads 0x60000008 */
    emu(msr_reg(AL, 0, 0x8, 15));
    assert_int_equal(f.cpsr, 0x60000010);
}

static void test_invalid_proxies_and_sbz(void **state)
{
    (void)state;
    assert_und(proxy_make(AL, 3, 0, 0, 0));                 /* reserved op */
    assert_und(proxy_make(AL, 7, 0x123, 0, 1));
    assert_und(proxy_make(AL, PROXY_OP_MRS_CPSR, 0x30, 1, 0));   /* sub != 0 */
    assert_und(proxy_make(AL, PROXY_OP_MRS_CPSR, 0x31, 0, 0));   /* must-be-zero bits */
    assert_und(proxy_make(AL, PROXY_OP_MSR_CPSR_REG, 0x101, 0, 0));
    /* MRS/MSR with should-be-zero/one violations: UNDEFINED on QEMU. */
    assert_und(mrs(AL, 1, 0) | 0x1);
    assert_und(mrs(AL, 0, 0) & ~0x00010000u);
    assert_und(msr_reg(AL, 1, 0xf, 0) & ~0x1000u);
    assert_und(msr_reg(AL, 0, 0xf, 0) | 0x10u | 0x100u);
    assert_und(msr_imm(AL, 1, 0xf, 0) & ~0x8000u);
}

/* ------------------------------------------------------------------ MRS / MSR on the SPSR */

static void test_spsr_every_mode_every_mask(void **state)
{
    (void)state;
    static const uint32_t keeps[4] = { 0xffu, 0x100u, 0x00100000u, 0xf9000000u };
    for (unsigned k = 0; k < 7; k++)
        for (unsigned mask = 0; mask < 16; mask++)
            for (unsigned form = 0; form < 2; form++) {
                setup(NULL);
                vcpu_set_mode(&v, &f, modes[k]);
                f.r[7] = 0xffffffff;
                uint32_t word = form ? msr_imm(AL, 1, mask, 0x4ff) /* 0xff000000 */
                                     : msr_reg(AL, 1, mask, 7);
                if (modes[k] == USR) {
                    assert_und(word);
                    assert_und(mrs(AL, 1, 0));
                    continue;
                }
                assert_int_equal(emu(word).flags, 0);
                assert_int_equal(emu(mrs(AL, 1, 9)).flags, 0);
                uint32_t want = 0;
                for (unsigned b = 0; b < 4; b++)
                    if (mask & (1u << b))
                        want |= keeps[b];
                if (form)
                    want &= 0xff000000u;
                assert_int_equal(vcpu_mode_reg(&v, &f, modes[k], 9), want);
                assert_int_equal(v.spsr[vcpu_bank_of(modes[k])], want);
                /* Nothing else: the CPSR is untouched. */
                assert_int_equal(vcpu_read_cpsr(&v, &f), modes[k]);
            }
}

/* ------------------------------------------------------------------ data processing to PC */

/* A reference ALU, written independently of emulate.c (64-bit arithmetic). */
static uint32_t ref_shift(uint32_t m, unsigned type, unsigned amount, bool reg_form, unsigned c)
{
    uint64_t x = m;
    if (!reg_form && amount == 0) {
        switch (type) {
        case 0: return m;
        case 1: return 0;
        case 2: return (m & 0x80000000u) ? 0xffffffffu : 0;
        default: return (uint32_t)((uint64_t)c << 31 | m >> 1);
        }
    }
    if (reg_form && amount == 0)
        return m;
    switch (type) {
    case 0: return amount >= 32 ? 0 : (uint32_t)(x << amount);
    case 1: return amount >= 32 ? 0 : (uint32_t)(x >> amount);
    case 2: {
        int64_t s = (int32_t)m;
        return (uint32_t)(amount >= 32 ? s >> 31 : s >> amount);
    }
    default: {
        unsigned r = amount % 32;
        return (uint32_t)((x << 32 | x) >> r);
    }
    }
}

static uint32_t ref_alu(unsigned op, uint32_t a, uint32_t b, unsigned c)
{
    uint64_t r;
    switch (op) {
    case DP_AND: return a & b;
    case DP_EOR: return a ^ b;
    case DP_SUB: r = (uint64_t)a + (uint32_t)~b + 1; break;
    case DP_RSB: r = (uint64_t)b + (uint32_t)~a + 1; break;
    case DP_ADD: r = (uint64_t)a + b; break;
    case DP_ADC: r = (uint64_t)a + b + c; break;
    case DP_SBC: r = (uint64_t)a + (uint32_t)~b + c; break;
    case DP_RSC: r = (uint64_t)b + (uint32_t)~a + c; break;
    case DP_ORR: return a | b;
    case DP_MOV: return b;
    case DP_BIC: return a & ~b;
    default:     return ~b;   /* MVN */
    }
    return (uint32_t)r;
}

static void test_dp_exception_return_every_op_and_form(void **state)
{
    (void)state;
    static const unsigned ops[12] = { DP_AND, DP_EOR, DP_SUB, DP_RSB, DP_ADD, DP_ADC, DP_SBC,
                                      DP_RSC, DP_ORR, DP_MOV, DP_BIC, DP_MVN };
    static const unsigned imm_amounts[] = { 0, 1, 4, 31 };
    static const uint32_t rs_values[] = { 0, 4, 31, 32, 33, 255, 0x100, 0xffffff01 };
    static const uint32_t rm_values[] = { 0x80001234, 0x00c0ffee };
    unsigned checked = 0;

    for (unsigned o = 0; o < 12; o++)
        for (unsigned carry = 0; carry < 2; carry++)
            for (unsigned form = 0; form < 3; form++)
                for (unsigned shift = 0; shift < 4; shift++)
                    for (unsigned ai = 0; ai < 8; ai++)
                        for (unsigned mi = 0; mi < 2; mi++) {
                            if (form == 0 && (shift > 0 || mi > 0))
                                continue;
                            if (form == 1 && ai >= 4)
                                continue;
                            setup(NULL);
                            const unsigned op = ops[o], rn = 2, rm = 3, rs = 4;
                            f.r[rn] = 0x40001000;
                            f.r[rm] = rm_values[mi];
                            f.r[rs] = rs_values[ai];
                            f.cpsr = USR | (carry ? 0x20000000u : 0) | 0x40000000u;
                            vcpu_set_mode(&v, &f, modes[1 + (o % 5)]);   /* FIQ .. UND */
                            uint32_t spsr = 0x800001d0u | modes[o % 7] | (ai & 1 ? VPSR_T : 0);
                            assert_true(vcpu_write_spsr(&v, spsr, PSR_FIELD_ALL));

                            uint32_t word, b;
                            if (form == 0) {
                                unsigned imm12 = (ai << 8) | 0x35;
                                word = dp_imm(AL, op, 1, rn, 15, imm12);
                                b = arm_expand_imm(imm12);
                            } else if (form == 1) {
                                word = dp_shi(AL, op, 1, rn, 15, rm, shift, imm_amounts[ai]);
                                b = ref_shift(f.r[rm], shift, imm_amounts[ai], false, carry);
                            } else {
                                word = dp_shr(AL, op, 1, rn, 15, rm, shift, rs);
                                b = ref_shift(f.r[rm], shift, rs_values[ai] & 0xff, true, carry);
                            }
                            if (op == DP_MOV || op == DP_MVN)
                                word &= ~(0xfu << 16);                /* Rn SBZ */
                            uint32_t res = ref_alu(op, f.r[rn], b, carry);

                            struct emu_result r = emu(word);
                            assert_true(r.flags & EMU_F_EXC_RETURN);
                            assert_int_equal(vcpu_read_cpsr(&v, &f), spsr);
                            assert_int_equal(f.pc, res & ((spsr & VPSR_T) ? ~1u : ~3u));
                            checked++;
                        }
    assert_int_equal(checked, 12 * 2 * (8 + 4 * 4 * 2 + 4 * 8 * 2));
}

static void test_dp_measured_forms(void **state)
{
    (void)state;
    /* `movs pc, lr` and `subs pc, lr, #4` from SVC back to User mode (Linux's return to user),
     * the new mode's SP/LR in the frame. */
    vcpu_set_mode(&v, &f, USR);
    f.sp = 0xbeef0000;
    f.lr = 0xbeef0004;
    vcpu_set_mode(&v, &f, SVC);
    assert_true(vcpu_write_spsr(&v, 0x20000010, PSR_FIELD_ALL));
    f.lr = 0x9000;
    struct emu_result r = emu(0xe1b0f00e);
    assert_int_equal(r.flags, EMU_F_EXC_RETURN | EMU_F_MODE);
    assert_int_equal(r.old_mode, SVC);
    assert_int_equal(vcpu_mode(&v), USR);
    assert_int_equal(f.pc, 0x9000);
    assert_int_equal(f.sp, 0xbeef0000);
    assert_int_equal(f.lr, 0xbeef0004);
    assert_int_equal(f.cpsr, 0x20000010);

    /* IRQ handler return: subs pc, lr, #4 into SVC with I cleared. */
    setup(NULL);
    vcpu_set_mode(&v, &f, IRQ);
    v.vcpsr |= VPSR_I;
    f.lr = 0x10008;
    assert_true(vcpu_write_spsr(&v, 0x400000d3, PSR_FIELD_ALL));
    r = emu(0xe25ef004);
    assert_int_equal(r.flags, EMU_F_EXC_RETURN | EMU_F_MODE);    /* I, F stay masked */
    assert_int_equal(f.pc, 0x10004);
    assert_int_equal(vcpu_read_cpsr(&v, &f), 0x400000d3);
    setup(NULL);
    vcpu_set_mode(&v, &f, IRQ);
    v.vcpsr |= VPSR_I | VPSR_F;
    assert_true(vcpu_write_spsr(&v, 0x40000013, PSR_FIELD_ALL));
    r = emu(0xe25ef004);
    assert_int_equal(r.flags, EMU_F_EXC_RETURN | EMU_F_MODE | EMU_F_IRQ_UNMASK);

    /* SYS mode uses QEMU's extra SPSR. */
    setup(NULL);
    vcpu_set_mode(&v, &f, SYS);
    assert_true(vcpu_write_spsr(&v, 0x900001df, PSR_FIELD_ALL));
    f.lr = 0x7000;
    r = emu(0xe1b0f00e);
    assert_int_equal(r.flags, EMU_F_EXC_RETURN);
    assert_int_equal(vcpu_read_cpsr(&v, &f), 0x900001df);
    assert_int_equal(f.pc, 0x7000);

    /* PC as an operand reads as the instruction + 8. */
    setup(NULL);
    assert_true(vcpu_write_spsr(&v, 0x13, PSR_FIELD_ALL));
    emu(dp_imm(AL, DP_ADD, 1, 15, 15, 0x10));
    assert_int_equal(f.pc, INSN_ADDR + 8 + 0x10);
}

static void test_dp_undefined_forms(void **state)
{
    (void)state;
    assert_true(vcpu_write_spsr(&v, 0x10, PSR_FIELD_ALL));
    assert_und(dp_shi(AL, DP_TST, 1, 14, 15, 1, 0, 0));   /* TSTP: Rd SBZ, UND on QEMU */
    assert_und(dp_shi(AL, DP_CMP, 1, 14, 15, 1, 0, 0));
    assert_und(dp_shi(AL, DP_MOV, 1, 1, 15, 14, 0, 0));   /* movs pc, lr with Rn = 1 */
    assert_und(dp_shi(AL, DP_MOV, 0, 0, 15, 14, 0, 0));   /* no S: never traps */
    assert_und(dp_shi(AL, DP_ADD, 1, 1, 0, 2, 0, 0));     /* Rd != PC */
    vcpu_set_mode(&v, &f, USR);                           /* User mode: UNDEFINED (QEMU) */
    assert_und(0xe1b0f00e);
    assert_und(0xe25ef004);
}

/* ------------------------------------------------------------------ MCR / MRC p15 */

static void test_cp15_through_emulator(void **state)
{
    (void)state;
    struct emu_result r;

    r = emu(MRC(15, 0, 1, 1, 0, 0));
    assert_int_equal(r.flags, 0);
    assert_int_equal(f.r[1], VCP15_SCTLR_RESET);
    assert_int_equal(r.kind, INSN_MRC);

    f.r[2] = 0x55555555;
    r = emu(MCR(15, 0, 2, 3, 0, 0));
    assert_int_equal(r.flags, EMU_F_DACR);
    assert_int_equal(v.changed, EMU_F_DACR);
    assert_int_equal(v.cp15.dacr, 0x55555555);
    assert_int_equal(emu(MCR(15, 0, 2, 3, 0, 0)).flags, 0);     /* same value */

    f.r[3] = 0x00104000;
    assert_int_equal(emu(MCR(15, 0, 3, 2, 0, 0)).flags, EMU_F_MMU);
    f.r[3] = VCP15_SCTLR_RESET | VSCTLR_I | VSCTLR_C;
    assert_int_equal(emu(MCR(15, 0, 3, 1, 0, 0)).flags, 0);      /* cache bits only */
    f.r[3] |= VSCTLR_M;
    assert_int_equal(emu(MCR(15, 0, 3, 1, 0, 0)).flags, EMU_F_MMU);
    assert_int_equal(vcpu_take_changes(&v), EMU_F_DACR | EMU_F_MMU);

    r = emu(MCR(15, 0, 0, 7, 0, 4));                                 /* WFI */
    assert_int_equal(r.flags, EMU_F_WFI);
    assert_int_equal(f.pc, INSN_ADDR + 4);                           /* continue after it */
    assert_int_equal(emu(MCR(15, 0, 0, 7, 8, 2)).flags, EMU_F_WFI);

    f.r[4] = 0xc0123000;
    r = emu(MCR(15, 0, 4, 8, 7, 1));
    assert_int_equal(r.flags, EMU_F_TLB_MVA | EMU_F_TLB_I | EMU_F_TLB_D);
    assert_int_equal(r.operand, 0xc0123000);
    r = emu(MCR(15, 0, 4, 8, 5, 0));
    assert_int_equal(r.flags, EMU_F_TLB_ALL | EMU_F_TLB_I);

    r = emu(MCR(15, 0, 4, 7, 14, 1));                                /* clean+inv D line */
    assert_int_equal(r.flags, EMU_F_CACHE);
    assert_int_equal(VCP15_C7(r.cp_crm, r.cp_opc2), VCP15_C7_CLEAN_INV_D_MVA);
    assert_int_equal(r.operand, 0xc0123000);
    r = emu(MCR(15, 0, 0, 7, 10, 4));
    assert_int_equal(VCP15_C7(r.cp_crm, r.cp_opc2), VCP15_C7_DRAIN_WB);

    /* MCR from the PC writes the instruction + 8 (QEMU). */
    emu(MCR(15, 0, 15, 6, 0, 0));
    assert_int_equal(v.cp15.far, INSN_ADDR + 8);

    /* FSR/FAR and context ID read back through the emulator. */
    f.r[5] = 0xf5;
    emu(MCR(15, 0, 5, 5, 0, 0));
    emu(MRC(15, 0, 6, 5, 0, 0));
    assert_int_equal(f.r[6], 0xf5);
    f.r[5] = 0x1234;
    assert_int_equal(emu(MCR(15, 0, 5, 13, 0, 1)).flags, EMU_F_MMU);
    emu(MRC(15, 0, 13, 13, 0, 1));
    assert_int_equal(f.sp, 0x1234);
    emu(MRC(15, 0, 14, 13, 0, 0));
    assert_int_equal(f.lr, 0);

    /* c10 reads leave Rd unchanged. */
    f.r[7] = 0x5a5a5a5a;
    assert_int_equal(emu(MRC(15, 0, 7, 10, 0, 0)).flags, 0);
    assert_int_equal(f.r[7], 0x5a5a5a5a);
}

static void test_mrc_to_pc_sets_flags(void **state)
{
    (void)state;
    /* The test-and-clean loop `mrc p15, 0, r15, c7, c14, 3; bne` ends at once: Z set; N C V
     * cleared, Q kept, nothing else touched. */
    f.cpsr = 0xb8000010;
    struct emu_result r = emu(0xee17ff7e);
    assert_int_equal(r.flags, 0);
    assert_int_equal(f.cpsr, 0x48000010);
    assert_int_equal(f.pc, INSN_ADDR + 4);
    assert_false(emu_cond_passed(COND_NE, f.cpsr));
    f.cpsr = 0xf0000010;
    emu(MRC(15, 0, 15, 7, 10, 3));
    assert_int_equal(f.cpsr, 0x40000010);
    /* Any MRC to r15 sets the flags from bits [31:28]: MIDR 0x41069265 -> Z. */
    f.cpsr = 0x90000010;
    emu(MRC(15, 0, 15, 0, 0, 0));
    assert_int_equal(f.cpsr, 0x40000010);
    emu(MRC(15, 0, 15, 1, 0, 0));
    assert_int_equal(f.cpsr, 0x00000010);
}

static void test_cp15_undefined(void **state)
{
    (void)state;
    assert_und(MCR(15, 0, 0, 0, 0, 0));          /* c0 is read-only */
    assert_und(MCR(15, 0, 0, 7, 14, 3));         /* test-and-clean is read-only */
    assert_und(MRC(15, 0, 0, 7, 5, 0));          /* cache operations are write-only */
    assert_und(MRC(15, 0, 0, 4, 0, 0));          /* c4, c11, c12, c14 */
    assert_und(MCR(15, 0, 0, 11, 0, 0));
    assert_und(MRC(15, 0, 0, 12, 0, 0));
    assert_und(MCR(15, 0, 0, 14, 0, 0));
    assert_und(MRC(15, 0, 0, 1, 0, 1));          /* no ACTLR/CPACR on the ARM926 */
    assert_und(MCR(15, 1, 0, 7, 5, 0));
    assert_und(MCR(15, 0, 0, 8, 7, 4));
    assert_und(MRC(15, 2, 2, 2, 2, 2));          /* the paper's proxy: nothing here */
    assert_und(0xec400f00);                      /* mcrr p15 */
    assert_und(0xec510f00);                      /* mrrc p15 */
    assert_und(0xee000f00);                      /* cdp p15 */
    assert_und(0xed900f00);                      /* ldc p15 */
    assert_und(0xed800f00);                      /* stc p15 */
    /* From virtual User mode every CP15 access is UNDEFINED. */
    vcpu_set_mode(&v, &f, USR);
    assert_und(MRC(15, 0, 0, 0, 0, 0));
    assert_und(MRC(15, 0, 15, 7, 14, 3));
    assert_und(MCR(15, 0, 0, 7, 5, 0));
    assert_und(MCR(15, 0, 0, 3, 0, 0));
    assert_und(MRC(15, 0, 0, 15, 0, 0));
}

/* ------------------------------------------------------------------ CP14, VFP, others */

static void test_cp14(void **state)
{
    (void)state;
    f.r[0] = 0xffff;
    assert_int_equal(emu(MRC(14, 0, 0, 0, 0, 0)).flags, 0);   /* DBGDIDR */
    assert_int_equal(f.r[0], 0);
    assert_int_equal(emu(MRC(14, 7, 1, 0, 0, 0)).flags, 0);   /* JIDR */
    assert_int_equal(f.r[1], 0x12345678);
    f.r[2] = 0xffff;
    assert_int_equal(emu(MRC(14, 7, 2, 1, 0, 0)).flags, 0);   /* JOSCR reads 0 */
    assert_int_equal(f.r[2], 0);
    assert_int_equal(emu(MCR(14, 7, 2, 1, 0, 0)).flags, 0);   /* ... ignores writes */
    assert_int_equal(emu(MCR(14, 7, 2, 2, 0, 0)).flags, 0);   /* JMCR */
    assert_und(MCR(14, 7, 2, 0, 0, 0));                       /* JIDR is read-only */
    assert_und(MCR(14, 0, 0, 0, 0, 0));
    assert_und(MRC(14, 7, 0, 3, 0, 0));
    assert_und(MRC(14, 7, 0, 0, 1, 0));
    assert_und(MRC(14, 7, 0, 0, 0, 1));
    assert_und(MRC(14, 0, 0, 1, 0, 0));
    assert_und(MRC(14, 6, 0, 0, 0, 0));
    vcpu_set_mode(&v, &f, USR);
    f.r[3] = 0xffff;
    assert_int_equal(emu(MRC(14, 0, 3, 0, 0, 0)).flags, 0);   /* DBGDIDR: any mode */
    assert_int_equal(f.r[3], 0);
    assert_und(MRC(14, 7, 1, 0, 0, 0));
    assert_und(MCR(14, 7, 2, 1, 0, 0));
}

static void test_vfp(void **state)
{
    (void)state;
    struct emu_result r;
    /* FPSID: read from every mode, writes ignored; VMRS r15 sets the flags. */
    assert_int_equal(emu(MRC(10, 7, 2, 0, 0, 0)).flags, 0);
    assert_int_equal(f.r[2], 0x41011090);
    assert_int_equal(emu(MCR(10, 7, 2, 0, 0, 0)).flags, 0);
    emu(MRC(10, 7, 15, 0, 0, 0));
    assert_int_equal(f.cpsr, 0x40000010);

    /* FPEXC (privileged): only EN is kept; a change asks the VMM to mirror it. */
    f.r[1] = 0xffffffff;
    r = emu(MCR(10, 7, 1, 8, 0, 0));
    assert_int_equal(r.flags, EMU_F_VFP);
    assert_int_equal(v.vfp.fpexc, VFP_FPEXC_EN);
    assert_int_equal(emu(MCR(10, 7, 1, 8, 0, 0)).flags, 0);
    emu(MRC(10, 7, 0, 8, 0, 0));
    assert_int_equal(f.r[0], 0x40000000);

    /* FPINST/FPINST2 with EN = 1, privileged. */
    f.r[1] = 0x12345678;
    assert_int_equal(emu(MCR(10, 7, 1, 9, 0, 0)).flags, 0);
    f.r[1] = 0x9abcdef0;
    assert_int_equal(emu(MCR(10, 7, 1, 10, 0, 0)).flags, 0);
    emu(MRC(10, 7, 3, 9, 0, 0));
    emu(MRC(10, 7, 4, 10, 0, 0));
    assert_int_equal(f.r[3], 0x12345678);
    assert_int_equal(f.r[4], 0x9abcdef0);

    /* What traps with EN = 1 is what the native core refuses too. */
    assert_und(MRC(10, 7, 0, 1, 0, 0));          /* FPSCR: runs natively when enabled */
    assert_und(MRC(10, 7, 0, 7, 0, 0));          /* MVFR0: not on VFPv2 */
    assert_und(MRC(10, 7, 0, 6, 0, 0));          /* MVFR1 */
    assert_und(MRC(10, 7, 0, 3, 0, 0));
    assert_und(MRC(10, 7, 0, 8, 0, 1));          /* opc2 != 0 */
    assert_und(MRC(10, 7, 0, 8, 1, 0));          /* CRm != 0 */
    assert_und(MRC(11, 7, 0, 0, 0, 0));          /* cp11 */
    assert_und(MRC(10, 6, 0, 8, 0, 0));          /* opc1 != 7 */
    assert_und(0xee100a10);                      /* vmov r0, s0 */
    assert_und(0xee300a00);                      /* fadds s0, s0, s0 */
    assert_und(0xed900b00);                      /* fldd d0, [r0] */
    assert_und(0xec410b10);                      /* fmdrr d0, r1, r1 */

    /* User mode: FPSID only. */
    vcpu_set_mode(&v, &f, USR);
    assert_int_equal(emu(MRC(10, 7, 5, 0, 0, 0)).flags, 0);
    assert_int_equal(f.r[5], 0x41011090);
    assert_int_equal(emu(MCR(10, 7, 5, 0, 0, 0)).flags, 0);
    assert_und(MRC(10, 7, 0, 8, 0, 0));
    assert_und(MCR(10, 7, 0, 8, 0, 0));
    assert_und(MRC(10, 7, 0, 9, 0, 0));
    assert_und(MCR(10, 7, 0, 10, 0, 0));

    /* EN = 0: FPINST is UNDEFINED even in a privileged mode. */
    vcpu_set_mode(&v, &f, SVC);
    f.r[1] = 0;
    assert_int_equal(emu(MCR(10, 7, 1, 8, 0, 0)).flags, EMU_F_VFP);
    assert_und(MRC(10, 7, 0, 9, 0, 0));
    assert_und(MCR(10, 7, 0, 10, 0, 0));

    /* No VFP at all (FPSID 0): every cp10/cp11 instruction is UNDEFINED. */
    v.cp15.ids.fpsid = 0;
    assert_und(MRC(10, 7, 0, 0, 0, 0));
    assert_und(MRC(10, 7, 0, 8, 0, 0));
}

static void test_missing_coprocessors(void **state)
{
    (void)state;
    for (unsigned cpn = 0; cpn < 16; cpn++) {
        if (cpn >= 10 && cpn != 12 && cpn != 13)
            continue;
        assert_und(MRC(cpn, 0, 0, 0, 0, 0));
        assert_und(MCR(cpn, 0, 0, 0, 0, 0));
        assert_und(cpreg(AL, 0, cpn, 0, 0, 0, 0, 0) & ~0x10u);   /* CDP */
    }
    assert_und(0xee000510);                       /* mcr p5 (the exceptions guest) */
}

static void test_undefined_encodings(void **state)
{
    (void)state;
    assert_und(0xe7f000f0);                       /* UDF / Linux BUG() */
    assert_und(0xe7fddef0);
    assert_und(0xe6000010);                       /* ARMv6 media, outside the proxy space */
    assert_und(0xef000000);                       /* SWI: not an UND trap */
    assert_und(0xe0810002);                       /* an ordinary ADD never traps */
    assert_und(0xf57ff01f);                       /* ARMv6K CLREX (cond NV) */
    /* Thumb state: no sensitive instruction. */
    f.cpsr |= VPSR_T;
    assert_und(0xe1b0f00e);
    assert_und(proxy(mrs(AL, 0, 0)));
}

/* ------------------------------------------------------------------ delivery, bookkeeping */

static void test_deliver_exception(void **state)
{
    (void)state;
    f.cpsr = 0x60000010;
    struct emu_result r = emu(0xe7f000f0);
    assert_true(emu_deliver_exception(&v, &f, &r));
    assert_int_equal(vcpu_mode(&v), UND);
    assert_int_equal(f.lr, INSN_ADDR + 4);        /* LR_und: the next instruction */
    assert_int_equal(f.pc, 0x04);
    uint32_t spsr;
    assert_true(vcpu_read_spsr(&v, &spsr));
    assert_int_equal(spsr, 0x60000013);

    setup(NULL);
    v.cp15.sctlr |= VSCTLR_V;
    r = (struct emu_result){ .flags = EMU_F_DABT };
    assert_true(emu_deliver_exception(&v, &f, &r));
    assert_int_equal(vcpu_mode(&v), ABT);
    assert_int_equal(f.lr, INSN_ADDR + 8);        /* LR_abt: the instruction + 8 */
    assert_int_equal(f.pc, 0xffff0010);

    setup(NULL);
    r = (struct emu_result){ .flags = EMU_F_WFI };
    struct vcpu vb = v;
    struct trap_frame fb = f;
    assert_false(emu_deliver_exception(&v, &f, &r));
    ASSERT_UNCHANGED(vb, fb);
}

/* Changes pending in vcpu.changed survive an emulation; the result reports only its own. */
static void test_changes_bookkeeping(void **state)
{
    (void)state;
    v.changed = EMU_F_MMU;
    f.r[0] = 0x1;
    struct emu_result r = emu(MCR(15, 0, 0, 3, 0, 0));
    assert_int_equal(r.flags, EMU_F_DACR);
    assert_int_equal(v.changed, EMU_F_MMU | EMU_F_DACR);
    r = emu(0xe7f000f0);
    assert_int_equal(r.flags, EMU_F_UND);
    assert_int_equal(vcpu_take_changes(&v), EMU_F_MMU | EMU_F_DACR);
    assert_int_equal(v.changed, 0);
}

/* Without a VMM implementation of the memory hooks, LDM^/STM^ abort (external abort). */
static void test_default_hooks(void **state)
{
    (void)state;
    f.r[0] = 0x1000;
    struct emu_result r = emu(0xe8d08002);        /* ldmia r0, {r1, pc}^ */
    assert_int_equal(r.flags, EMU_F_DABT);
    assert_int_equal(v.cp15.dfsr, 0x8);
    assert_int_equal(v.cp15.far, 0x1000);
    r = emu(0xe8c06000);                          /* stmia r0, {sp, lr}^ */
    assert_int_equal(r.flags, EMU_F_DABT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_encoders, setup),
        cmocka_unit_test_setup(test_cond_table, setup),
        cmocka_unit_test_setup(test_conditions_all_classes, setup),
        cmocka_unit_test_setup(test_proxy_mrs_every_mode_and_register, setup),
        cmocka_unit_test_setup(test_proxy_msr_every_mask_every_mode, setup),
        cmocka_unit_test_setup(test_proxy_user_mode_semantics, setup),
        cmocka_unit_test_setup(test_invalid_proxies_and_sbz, setup),
        cmocka_unit_test_setup(test_spsr_every_mode_every_mask, setup),
        cmocka_unit_test_setup(test_dp_exception_return_every_op_and_form, setup),
        cmocka_unit_test_setup(test_dp_measured_forms, setup),
        cmocka_unit_test_setup(test_dp_undefined_forms, setup),
        cmocka_unit_test_setup(test_cp15_through_emulator, setup),
        cmocka_unit_test_setup(test_mrc_to_pc_sets_flags, setup),
        cmocka_unit_test_setup(test_cp15_undefined, setup),
        cmocka_unit_test_setup(test_cp14, setup),
        cmocka_unit_test_setup(test_vfp, setup),
        cmocka_unit_test_setup(test_missing_coprocessors, setup),
        cmocka_unit_test_setup(test_undefined_encodings, setup),
        cmocka_unit_test_setup(test_deliver_exception, setup),
        cmocka_unit_test_setup(test_changes_bookkeeping, setup),
        cmocka_unit_test_setup(test_default_hooks, setup),
    };
    return cmocka_run_group_tests_name("emulate", tests, NULL, NULL);
}
