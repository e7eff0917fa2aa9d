/* The memory-touching sensitive instructions (vmm/core/emulate.c): LDM(3) exception returns
 * of every addressing mode into every mode, LDM(2) and STM(2) on the User-mode registers from
 * each banked mode, write-back, aborts (DFSR/FAR, nothing loaded, delivery), QEMU's LDM/STM
 * alignment check, and what is UNDEFINED.  Guest memory is a mock of the guest_access.h hooks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "emulate.h"
#include "guest_access.h"
#include "vcpu_fixture.h"

static const struct vcpu_ids ids = { .midr = 0x41069265, .fpsid = 0x41011090 };

static struct vcpu v;
static struct trap_frame f;

#define INSN_ADDR VCPU_FIXTURE_INSN

/* ------------------------------------------------------------------ mock guest memory */
#define MEM_BASE  0x00100000u
#define MEM_WORDS 256u
#define FSR_TRANSLATION 0x5u
static uint32_t mem[MEM_WORDS];
static uint32_t fault_at;             /* an address that aborts (0: none) */
static uint32_t fault_fsr;
static unsigned reads, writes;

static bool in_mem(uint32_t va) { return va >= MEM_BASE && va < MEM_BASE + 4 * MEM_WORDS; }

uint32_t guest_read_word(struct vcpu *vc, uint32_t va, bool user, uint32_t *value)
{
    assert_ptr_equal(vc, &v);
    assert_int_equal(va & 3u, 0);
    assert_false(user);               /* LDM^ from a privileged mode: privileged accesses */
    reads++;
    if (va == fault_at)
        return fault_fsr;
    if (!in_mem(va))
        return FSR_TRANSLATION;
    *value = mem[(va - MEM_BASE) / 4];
    return 0;
}

uint32_t guest_write_word(struct vcpu *vc, uint32_t va, bool user, uint32_t value)
{
    assert_ptr_equal(vc, &v);
    assert_int_equal(va & 3u, 0);
    assert_false(user);
    writes++;
    if (va == fault_at)
        return fault_fsr;
    if (!in_mem(va))
        return FSR_TRANSLATION;
    mem[(va - MEM_BASE) / 4] = value;
    return 0;
}

static int setup(void **state)
{
    (void)state;
    vcpu_fixture_reset(&v, &f, &ids);
    for (unsigned i = 0; i < MEM_WORDS; i++)
        mem[i] = 0xc0de0000u + i;
    fault_at = 0;
    fault_fsr = 0;
    reads = writes = 0;
    return 0;
}

static uint32_t word_at(uint32_t va) { return mem[(va - MEM_BASE) / 4]; }

/* cond 100P USWL Rn list */
static uint32_t block(unsigned p, unsigned u, unsigned s, unsigned w, unsigned l, unsigned rn,
                      unsigned list)
{
    return 0xe8000000u | p << 24 | u << 23 | s << 22 | w << 21 | l << 20 | rn << 16 | list;
}

static unsigned popcount(unsigned x)
{
    unsigned n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}

/* The address of the lowest register, per addressing mode (ARM ARM A5.4). */
static uint32_t first_addr(unsigned p, unsigned u, uint32_t base, unsigned n)
{
    if (u)
        return p ? base + 4 : base;             /* IB, IA */
    return p ? base - 4 * n : base - 4 * n + 4; /* DB, DA */
}

static struct emu_result emu(uint32_t word) { return emulate_insn(&v, &f, word); }

static void test_encoding(void **state)
{
    (void)state;                               /* against arm-none-eabi-as */
    assert_int_equal(block(0, 1, 1, 1, 1, 13, 0x800f), 0xe8fd800f);   /* ldm sp!, {r0-r3,pc}^ */
    assert_int_equal(block(0, 1, 1, 0, 1, 13, 0x7fff), 0xe8dd7fff);   /* ldm sp, {r0-lr}^ */
    assert_int_equal(block(0, 1, 1, 0, 0, 0, 0x6000), 0xe8c06000);    /* stmia r0, {sp,lr}^ */
    assert_int_equal(block(1, 0, 1, 0, 0, 13, 0x7fff), 0xe94d7fff);   /* stmdb sp, {r0-lr}^ */
}

/* ------------------------------------------------------------------ LDM(3) */

static void test_ldm3_every_addressing_mode_into_every_mode(void **state)
{
    (void)state;
    static const unsigned lists[] = { 0x8000, 0x800f, 0xdff0, 0xffff & ~0x0004u, 0xc001 };
    static const unsigned bases[] = { 2, 13, 14 };
    unsigned checked = 0;
    for (unsigned p = 0; p < 2; p++)
        for (unsigned u = 0; u < 2; u++)
            for (unsigned w = 0; w < 2; w++)
                for (size_t li = 0; li < sizeof lists / sizeof lists[0]; li++)
                    for (size_t bi = 0; bi < 3; bi++)
                        for (unsigned from = 1; from < 7; from++)
                            for (unsigned to = 0; to < 7; to += 3) {
                                setup(NULL);
                                unsigned rn = bases[bi], list = lists[li], n = popcount(list);
                                if (list & (1u << rn))
                                    continue;               /* below */
                                vcpu_set_mode(&v, &f, modes[to]);
                                f.sp = 0x5d;
                                f.lr = 0x5e;
                                vcpu_set_mode(&v, &f, modes[from]);
                                uint32_t base = MEM_BASE + 0x200;
                                if (rn == 13) f.sp = base; else if (rn == 14) f.lr = base;
                                else f.r[rn] = base;
                                uint32_t spsr = 0x60000000u | modes[to] | ((li & 1) ? VPSR_T : 0);
                                assert_true(vcpu_write_spsr(&v, spsr, PSR_FIELD_ALL));
                                /* the loaded PC: misaligned on purpose */
                                uint32_t a0 = first_addr(p, u, base, n);
                                mem[(a0 - MEM_BASE) / 4 + n - 1] = 0x20003;

                                struct vcpu vb = v;
                                struct trap_frame fb = f;
                                struct emu_result r = emu(block(p, u, 1, w, 1, rn, list));
                                assert_true(r.flags & EMU_F_EXC_RETURN);
                                assert_int_equal(reads, n);
                                /* registers, lowest at the lowest address, in the OLD mode */
                                uint32_t a = a0;
                                for (unsigned i = 0; i < 15; i++) {
                                    uint32_t got = vcpu_mode_reg(&v, &f, modes[from], i);
                                    if (list & (1u << i)) {
                                        assert_int_equal(got, word_at(a));
                                        a += 4;
                                    } else if (i == rn && w) {
                                        assert_int_equal(got, u ? base + 4 * n : base - 4 * n);
                                    } else {
                                        assert_int_equal(got, vcpu_mode_reg(&vb, &fb,
                                                                            modes[from], i));
                                    }
                                }
                                assert_int_equal(vcpu_read_cpsr(&v, &f), spsr);
                                assert_int_equal(f.pc, (spsr & VPSR_T) ? 0x20002 : 0x20000);
                                if (vcpu_bank_of(modes[to]) != vcpu_bank_of(modes[from])) {
                                    assert_int_equal(f.sp, 0x5d);
                                    assert_int_equal(f.lr, 0x5e);
                                }
                                checked++;
                            }
    assert_true(checked > 500);
}

/* Linux's `ldmia sp!, {r0-r3, pc}^`-style returns, and the base in the list with write-back:
 * the loaded value wins (QEMU). */
static void test_ldm3_base_in_list(void **state)
{
    (void)state;
    uint32_t base = MEM_BASE + 0x40;
    f.r[2] = base;
    mem[0x10] = 0x1111;           /* r2 */
    mem[0x11] = 0x9000;           /* pc */
    assert_true(vcpu_write_spsr(&v, 0x13, PSR_FIELD_ALL));
    struct emu_result r = emu(block(0, 1, 1, 1, 1, 2, 0x8004));
    assert_int_equal(r.flags, EMU_F_EXC_RETURN);
    assert_int_equal(f.r[2], 0x1111);
    assert_int_equal(f.pc, 0x9000);

    setup(NULL);
    f.sp = MEM_BASE + 0x100;
    assert_true(vcpu_write_spsr(&v, 0x60000010, PSR_FIELD_ALL));   /* back to User */
    r = emu(0xe8fd800f);                                            /* ldm sp!, {r0-r3, pc}^ */
    assert_int_equal(r.flags, EMU_F_EXC_RETURN | EMU_F_MODE);
    assert_int_equal(vcpu_mode(&v), USR);
    assert_int_equal(f.r[0], 0xc0de0040);
    assert_int_equal(f.r[3], 0xc0de0043);
    assert_int_equal(f.pc, 0xc0de0044);
    assert_int_equal(vcpu_mode_reg(&v, &f, SVC, 13), MEM_BASE + 0x114);
    assert_int_equal(f.cpsr, 0x60000010);
}

/* ------------------------------------------------------------------ LDM(2), STM(2) */

/* Linux's ret_to_user `ldmia sp, {r0-lr}^` and the SWI entry `stmdb sp, {r0-lr}^`-like
 * transfers: from SVC (SP/LR banked) and from FIQ (r8-r14 banked), to and from the User
 * registers; the current mode's registers stay. */
static void test_ldm2_stm2_user_bank(void **state)
{
    (void)state;
    static const uint32_t from_modes[] = { SVC, FIQ, IRQ, ABT, UND, SYS };
    for (size_t k = 0; k < 6; k++) {
        setup(NULL);
        vcpu_set_mode(&v, &f, USR);
        for (unsigned i = 0; i < 13; i++)
            f.r[i] = 0x100 + i;
        f.sp = 0x10d;
        f.lr = 0x10e;
        vcpu_set_mode(&v, &f, from_modes[k]);
        uint32_t base = MEM_BASE + 0x100;
        for (unsigned i = 8; i < 13; i++)
            if (from_modes[k] == FIQ)
                f.r[i] = 0xf00 + i;
        f.sp = base;                       /* the base is the current mode's SP */
        if (from_modes[k] != SYS)
            f.lr = 0x77e;

        /* STM(2), DB: stmdb sp, {r0-lr}^ stores the User registers. */
        struct emu_result r = emu(block(1, 0, 1, 0, 0, 13, 0x7fff));
        assert_int_equal(r.flags, 0);
        assert_int_equal(writes, 15);
        for (unsigned i = 0; i < 15; i++) {
            uint32_t want = from_modes[k] == SYS && i == 13 ? base
                          : from_modes[k] == SYS && i == 14 ? 0x10e : 0x100 + i;
            assert_int_equal(word_at(base - 60 + 4 * i), want);
        }
        assert_int_equal(f.sp, base);                              /* no write-back */

        /* LDM(2), IA: ldmia sp, {r0-lr}^ loads them. */
        for (unsigned i = 0; i < 15; i++)
            mem[(base - MEM_BASE) / 4 + i] = 0x5000 + i;
        r = emu(block(0, 1, 1, 0, 1, 13, 0x7fff));
        assert_int_equal(r.flags, 0);
        for (unsigned i = 0; i < 15; i++)
            assert_int_equal(vcpu_mode_reg(&v, &f, USR, i), 0x5000 + i);
        if (from_modes[k] != SYS) {
            assert_int_equal(f.sp, base);                          /* banked: untouched */
            assert_int_equal(f.lr, 0x77e);
        }
        if (from_modes[k] == FIQ)
            for (unsigned i = 8; i < 13; i++)
                assert_int_equal(f.r[i], 0xf00 + i);
        assert_int_equal(vcpu_mode(&v), from_modes[k]);
    }
    /* A sparse list, IB, from FIQ: ldmib r0, {r1, r9, lr}^. */
    setup(NULL);
    vcpu_set_mode(&v, &f, FIQ);
    f.r[0] = MEM_BASE + 0x20;
    f.r[9] = 0xf9;
    f.lr = 0xfe;
    assert_int_equal(emu(block(1, 1, 1, 0, 1, 0, 0x4202)).flags, 0);
    assert_int_equal(f.r[1], word_at(MEM_BASE + 0x24));
    assert_int_equal(vcpu_mode_reg(&v, &f, USR, 9), word_at(MEM_BASE + 0x28));
    assert_int_equal(vcpu_mode_reg(&v, &f, USR, 14), word_at(MEM_BASE + 0x2c));
    assert_int_equal(vcpu_mode_reg(&v, &f, USR, 8), 0xa8);
    assert_int_equal(f.r[9], 0xf9);
    assert_int_equal(f.lr, 0xfe);
    assert_int_equal(reads, 3);
}

static void test_stm2_pc_and_writeback(void **state)
{
    (void)state;
    /* STM(2) with write-back is accepted by QEMU; the PC is stored as the instruction + 8. */
    uint32_t base = MEM_BASE + 0x80;
    f.r[0] = base;
    vcpu_set_mode(&v, &f, USR);
    f.sp = 0x1234;
    f.lr = 0x5678;
    vcpu_set_mode(&v, &f, SVC);
    struct emu_result r = emu(block(0, 1, 1, 1, 0, 0, 0xe001));   /* stmia r0!, {r0,sp,lr,pc}^ */
    assert_int_equal(r.flags, 0);
    assert_int_equal(word_at(base), base);                       /* the original base */
    assert_int_equal(word_at(base + 4), 0x1234);
    assert_int_equal(word_at(base + 8), 0x5678);
    assert_int_equal(word_at(base + 12), INSN_ADDR + 8);
    assert_int_equal(f.r[0], base + 16);
    /* Linux's `stmia r0, {sp, lr}^`. */
    setup(NULL);
    vcpu_set_mode(&v, &f, USR);
    f.sp = 0x700d;
    f.lr = 0x700e;
    vcpu_set_mode(&v, &f, SVC);
    f.r[0] = base;
    assert_int_equal(emu(0xe8c06000).flags, 0);
    assert_int_equal(word_at(base), 0x700d);
    assert_int_equal(word_at(base + 4), 0x700e);
    /* STMDA with write-back. */
    f.r[1] = base + 0x20;
    assert_int_equal(emu(block(0, 0, 1, 1, 0, 1, 0x6000)).flags, 0);
    assert_int_equal(word_at(base + 0x1c), 0x700d);
    assert_int_equal(word_at(base + 0x20), 0x700e);
    assert_int_equal(f.r[1], base + 0x18);
}

/* ------------------------------------------------------------------ aborts */

static void test_load_abort_changes_no_register(void **state)
{
    (void)state;
    static const uint32_t words[] = {
        0xe8fd800f,                            /* ldm sp!, {r0-r3, pc}^ */
        0xe8dd7fff,                            /* ldm sp, {r0-lr}^ */
    };
    for (size_t i = 0; i < 2; i++) {
        setup(NULL);
        f.sp = MEM_BASE + 0x100;
        fault_at = MEM_BASE + 0x108;           /* the third word */
        fault_fsr = 0xdb;                      /* permission fault, page, domain 13 */
        assert_true(vcpu_write_spsr(&v, 0x10, PSR_FIELD_ALL));
        f.cpsr = 0x20000010;
        struct vcpu vb = v;
        struct trap_frame fb = f;
        struct emu_result r = emu(words[i]);
        assert_int_equal(r.flags, EMU_F_DABT);
        assert_int_equal(v.cp15.dfsr, 0xdb);
        assert_int_equal(v.cp15.far, MEM_BASE + 0x108);
        assert_int_equal(reads, 3);
        vb.cp15.dfsr = v.cp15.dfsr;
        vb.cp15.far = v.cp15.far;
        assert_memory_equal(&v, &vb, sizeof v);
        assert_memory_equal(&f, &fb, sizeof f);

        /* Delivered as the hardware does: ABT mode, LR_abt = instruction + 8. */
        assert_true(emu_deliver_exception(&v, &f, &r));
        uint32_t spsr;
        assert_int_equal(vcpu_mode(&v), ABT);
        assert_int_equal(f.lr, INSN_ADDR + 8);
        assert_int_equal(f.pc, 0x10);
        assert_true(vcpu_read_spsr(&v, &spsr));
        assert_int_equal(spsr, 0x20000013);
        assert_int_equal(vcpu_read_cpsr(&v, &f), 0x20000197);   /* A, I set */
    }
    /* Outside the mock's memory: its translation fault, FAR the first bad address. */
    setup(NULL);
    f.r[4] = MEM_BASE - 8;
    assert_true(vcpu_write_spsr(&v, 0x10, PSR_FIELD_ALL));
    assert_int_equal(emu(block(0, 1, 1, 0, 1, 4, 0x8001)).flags, EMU_F_DABT);
    assert_int_equal(v.cp15.dfsr, FSR_TRANSLATION);
    assert_int_equal(v.cp15.far, MEM_BASE - 8);
}

static void test_store_abort_midway(void **state)
{
    (void)state;
    uint32_t base = MEM_BASE + 0x100;
    f.r[0] = base;
    fault_at = base + 8;
    fault_fsr = 0x0f;
    struct emu_result r = emu(block(0, 1, 1, 1, 0, 0, 0x000f));    /* stmia r0!, {r0-r3}^ */
    assert_int_equal(r.flags, EMU_F_DABT);
    assert_int_equal(writes, 3);
    assert_int_equal(word_at(base), base);                         /* done before the fault */
    assert_int_equal(word_at(base + 4), 0xa1);
    assert_int_equal(word_at(base + 12), 0xc0de0043);              /* never written */
    assert_int_equal(f.r[0], base);                                /* no write-back */
    assert_int_equal(v.cp15.far, base + 8);
    assert_int_equal(v.cp15.dfsr, 0x0f);
}

/* QEMU's arm926 faults an unaligned LDM/STM whatever SCTLR.A says: DFSR 1 (alignment), FAR the
 * first address, nothing accessed. */
static void test_alignment(void **state)
{
    (void)state;
    static const uint32_t offsets[] = { 1, 2, 3 };
    for (size_t i = 0; i < 3; i++) {
        setup(NULL);
        f.r[2] = MEM_BASE + 0x40 + offsets[i];
        assert_true(vcpu_write_spsr(&v, 0x13, PSR_FIELD_ALL));
        assert_int_equal(emu(block(0, 1, 1, 0, 1, 2, 0x0003)).flags, EMU_F_DABT);  /* LDM(2) */
        assert_int_equal(v.cp15.dfsr, 0x1);
        assert_int_equal(v.cp15.far, MEM_BASE + 0x40 + offsets[i]);
        assert_int_equal(emu(block(1, 1, 1, 0, 0, 2, 0x0003)).flags, EMU_F_DABT);  /* STMIB */
        assert_int_equal(v.cp15.far, MEM_BASE + 0x44 + offsets[i]);
        assert_int_equal(emu(block(0, 1, 1, 1, 1, 2, 0x8001)).flags, EMU_F_DABT);  /* LDM(3) */
        assert_int_equal(reads + writes, 0);
        assert_int_equal(f.r[2], MEM_BASE + 0x40 + offsets[i]);
    }
}

/* ------------------------------------------------------------------ UNDEFINED forms */

static void assert_und(uint32_t word)
{
    struct vcpu vb = v;
    struct trap_frame fb = f;
    unsigned accesses = reads + writes;
    struct emu_result r = emu(word);
    if (r.flags != EMU_F_UND)
        fail_msg("%08x: flags %x, expected UND", word, r.flags);
    assert_memory_equal(&v, &vb, sizeof v);
    assert_memory_equal(&f, &fb, sizeof f);
    assert_int_equal(reads + writes, accesses);
}

static void test_undefined_forms(void **state)
{
    (void)state;
    f.r[2] = MEM_BASE;
    assert_true(vcpu_write_spsr(&v, 0x13, PSR_FIELD_ALL));
    assert_und(block(0, 1, 1, 1, 1, 2, 0x0003));      /* LDM(2) with write-back (QEMU) */
    assert_und(block(0, 1, 0, 0, 1, 2, 0x0000));      /* empty list */
    assert_und(block(0, 1, 1, 0, 0, 2, 0x0000));
    assert_und(block(0, 1, 1, 0, 1, 15, 0x8003));     /* PC as the base */
    assert_und(block(0, 1, 1, 0, 0, 15, 0x0003));
    assert_und(block(0, 1, 0, 0, 1, 2, 0x8003));      /* no '^': not sensitive */
    assert_und(block(0, 1, 0, 0, 0, 2, 0x0003));
    /* Virtual User mode: every '^' form is UNDEFINED (QEMU). */
    vcpu_set_mode(&v, &f, USR);
    assert_und(0xe8fd800f);
    assert_und(0xe8dd7fff);
    assert_und(0xe8c06000);
    assert_und(0xe94d7fff);
    /* A failed condition: no access at all. */
    setup(NULL);
    f.sp = MEM_BASE;
    f.cpsr = USR;                                     /* Z clear */
    struct emu_result r = emu(0x08dd7fff);            /* ldmeq sp, {r0-lr}^ */
    assert_int_equal(r.flags, EMU_F_COND_FAILED);
    assert_int_equal(reads, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_encoding, setup),
        cmocka_unit_test_setup(test_ldm3_every_addressing_mode_into_every_mode, setup),
        cmocka_unit_test_setup(test_ldm3_base_in_list, setup),
        cmocka_unit_test_setup(test_ldm2_stm2_user_bank, setup),
        cmocka_unit_test_setup(test_stm2_pc_and_writeback, setup),
        cmocka_unit_test_setup(test_load_abort_changes_no_register, setup),
        cmocka_unit_test_setup(test_store_abort_midway, setup),
        cmocka_unit_test_setup(test_alignment, setup),
        cmocka_unit_test_setup(test_undefined_forms, setup),
    };
    return cmocka_run_group_tests_name("emulate_ldm", tests, NULL, NULL);
}
