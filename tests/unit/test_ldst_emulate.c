/* Load/store emulation (MMIO, refused kernel stores): every addressing form against a fake bus. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ldst_emulate.h"

#define MEM_BASE 0x1000u
#define MEM_SIZE 0x100u
#define AT       0x8000u          /* address of the emulated instruction */

static uint8_t mem[MEM_SIZE];
static unsigned accesses;
static bool last_user;

static uint32_t bus_read(void *ctx, uint32_t a, unsigned size, bool user, uint32_t *v)
{
    (void)ctx;
    if (a < MEM_BASE || a + size > MEM_BASE + MEM_SIZE)
        return 0x5;   /* a translation fault, say */
    accesses++;
    last_user = user;
    *v = 0;
    memcpy(v, &mem[a - MEM_BASE], size);
    return 0;
}

static uint32_t bus_write(void *ctx, uint32_t a, unsigned size, bool user, uint32_t v)
{
    (void)ctx;
    if (a < MEM_BASE || a + size > MEM_BASE + MEM_SIZE)
        return 0x5;
    accesses++;
    last_user = user;
    memcpy(&mem[a - MEM_BASE], &v, size);
    return 0;
}

static const struct ldst_bus bus = { NULL, bus_read, bus_write };
static struct trap_frame f;
static uint32_t st, fa;

static enum ldst_result run(uint32_t word)
{
    struct insn in;
    decode_arm(word, &in);
    f.pc = AT;
    return ldst_emulate(&f, AT, &in, &bus, &st, &fa);
}

static uint32_t word_at(uint32_t a)
{
    uint32_t v;
    memcpy(&v, &mem[a - MEM_BASE], 4);
    return v;
}

static void put_word(uint32_t a, uint32_t v)
{
    memcpy(&mem[a - MEM_BASE], &v, 4);
}

static int reset(void **state)
{
    (void)state;
    for (unsigned i = 0; i < MEM_SIZE; i++)
        mem[i] = (uint8_t)(i * 7 + 1);
    memset(&f, 0, sizeof(f));
    f.cpsr = 0x10;
    accesses = 0;
    return 0;
}

static void test_word_immediate_forms(void **state)
{
    (void)state;
    put_word(0x1014, 0xcafef00d);
    f.r[1] = 0x1010;
    assert_int_equal(run(0xe5910004), LDST_DONE);              /* ldr r0, [r1, #4] */
    assert_int_equal(f.r[0], 0xcafef00d);
    assert_int_equal(f.r[1], 0x1010);
    assert_int_equal(f.pc, AT + 4);
    assert_int_equal(run(0xe5b10004), LDST_DONE);              /* ldr r0, [r1, #4]! */
    assert_int_equal(f.r[1], 0x1014);
    assert_int_equal(run(0xe4110004), LDST_DONE);              /* ldr r0, [r1], #-4 */
    assert_int_equal(f.r[0], 0xcafef00d);
    assert_int_equal(f.r[1], 0x1010);
    f.r[0] = 0x11223344;
    f.r[1] = 0x1020;
    assert_int_equal(run(0xe5010008), LDST_DONE);              /* str r0, [r1, #-8] */
    assert_int_equal(word_at(0x1018), 0x11223344);
}

static void test_scaled_register_offsets(void **state)
{
    (void)state;
    put_word(0x1020, 0xa5a5a5a5);
    f.r[1] = 0x1010;
    f.r[2] = 4;
    assert_int_equal(run(0xe7910102), LDST_DONE);              /* ldr r0, [r1, r2, lsl #2] */
    assert_int_equal(f.r[0], 0xa5a5a5a5);
    f.r[1] = 0x1030;
    f.r[2] = 0x20;
    assert_int_equal(run(0xe71100a2), LDST_DONE);              /* ldr r0, [r1, -r2, lsr #1] */
    assert_int_equal(f.r[0], 0xa5a5a5a5);
    f.r[1] = 0x1021;
    f.r[2] = 0x80000000;
    assert_int_equal(run(0xe7910042), LDST_DONE);              /* asr #32: -1 -> 0x1020 */
    assert_int_equal(f.r[0], 0xa5a5a5a5);
    f.r[1] = 0x1020;
    f.r[2] = 0x7fffffff;
    assert_int_equal(run(0xe7910042), LDST_DONE);              /* asr #32: 0 */
    assert_int_equal(f.r[0], 0xa5a5a5a5);
    f.r[1] = 0x1010;
    f.r[2] = 0x21;
    f.cpsr |= 1u << 29;                                        /* C = 1 */
    assert_int_equal(run(0xe7910062), LDST_FAULT);             /* rrx: 0x80000010 + base */
    f.cpsr &= ~(1u << 29);
    assert_int_equal(run(0xe7910062), LDST_DONE);              /* rrx: 0x10 */
    assert_int_equal(f.r[0], 0xa5a5a5a5);
    f.r[2] = 0x00001000;
    assert_int_equal(run(0xe7910462), LDST_DONE);              /* ror #8: 0x10 */
    assert_int_equal(f.r[0], 0xa5a5a5a5);
}

/* QEMU's arm926 does an unaligned word access as such, without the ARMv5 rotation. */
static void test_unaligned_word_is_one_access(void **state)
{
    (void)state;
    put_word(0x1010, 0x44332211);
    put_word(0x1014, 0x88776655);
    f.r[1] = 0x100d;                                           /* +4 = 0x1011 */
    assert_int_equal(run(0xe5910004), LDST_DONE);
    assert_int_equal(f.r[0], 0x55443322);
    f.r[0] = 0xdeadbeef;
    f.r[1] = 0x101a;                                           /* -8 = 0x1012 */
    assert_int_equal(run(0xe5010008), LDST_DONE);
    assert_int_equal(word_at(0x1010), 0xbeef2211);
    assert_int_equal(word_at(0x1014), 0x8877dead);
}

static void test_bytes_and_halfwords(void **state)
{
    (void)state;
    put_word(0x1010, 0x80f18001);
    f.r[1] = 0x1010;
    assert_int_equal(run(0xe5d10003), LDST_DONE);              /* ldrb r0, [r1, #3] */
    assert_int_equal(f.r[0], 0x80);
    assert_int_equal(run(0xe1d100b2), LDST_DONE);              /* ldrh r0, [r1, #2] */
    assert_int_equal(f.r[0], 0x80f1);
    assert_int_equal(run(0xe1d100f2), LDST_DONE);              /* ldrsh r0, [r1, #2] */
    assert_int_equal(f.r[0], 0xffff80f1);
    assert_int_equal(run(0xe1d100d1), LDST_DONE);              /* ldrsb r0, [r1, #1] */
    assert_int_equal(f.r[0], 0xffffff80);
    f.r[0] = 0x1234abcd;
    assert_int_equal(run(0xe5c10003), LDST_DONE);              /* strb r0, [r1, #3] */
    assert_int_equal(word_at(0x1010), 0xcdf18001);
    f.r[2] = 2;
    assert_int_equal(run(0xe18100b2), LDST_DONE);              /* strh r0, [r1, r2] */
    assert_int_equal(word_at(0x1010), 0xabcd8001);
}

static void test_doublewords(void **state)
{
    (void)state;
    put_word(0x1018, 1);
    put_word(0x101c, 2);
    f.r[1] = 0x1010;
    assert_int_equal(run(0xe1c140d8), LDST_DONE);              /* ldrd r4, [r1, #8] */
    assert_int_equal(f.r[4], 1);
    assert_int_equal(f.r[5], 2);
    f.r[4] = 7;
    f.r[5] = 8;
    assert_int_equal(run(0xe16140f8), LDST_DONE);              /* strd r4, [r1, #-8]! */
    assert_int_equal(f.r[1], 0x1008);
    assert_int_equal(word_at(0x1008), 7);
    assert_int_equal(word_at(0x100c), 8);
}

static void test_user_access_and_swap(void **state)
{
    (void)state;
    f.r[1] = 0x1040;
    assert_int_equal(run(0xe4b10004), LDST_DONE);              /* ldrt r0, [r1], #4 */
    assert_true(last_user);
    assert_int_equal(f.r[1], 0x1044);
    put_word(0x1040, 0x55667788);
    f.r[1] = 0x1040;
    f.r[2] = 0x99;
    assert_int_equal(run(0xe1010092), LDST_DONE);              /* swp r0, r2, [r1] */
    assert_false(last_user);
    assert_int_equal(f.r[0], 0x55667788);
    assert_int_equal(word_at(0x1040), 0x99);
    f.r[2] = 0xab;
    assert_int_equal(run(0xe1410092), LDST_DONE);              /* swpb r0, r2, [r1] */
    assert_int_equal(f.r[0], 0x99);
    assert_int_equal(word_at(0x1040), 0xab);
}

static void test_block_transfers(void **state)
{
    (void)state;
    put_word(0x1010, 10);
    put_word(0x1014, 12);
    put_word(0x1018, 13);
    f.r[1] = 0x1010;
    assert_int_equal(run(0xe8b1000d), LDST_DONE);              /* ldmia r1!, {r0, r2, r3} */
    assert_int_equal(f.r[0], 10);
    assert_int_equal(f.r[2], 12);
    assert_int_equal(f.r[3], 13);
    assert_int_equal(f.r[1], 0x101c);
    assert_int_equal(run(0xe9110005), LDST_DONE);              /* ldmdb r1, {r0, r2} */
    assert_int_equal(f.r[0], 12);
    assert_int_equal(f.r[2], 13);
    f.r[1] = 0x1030;
    assert_int_equal(run(0xe9a10005), LDST_DONE);              /* stmib r1!, {r0, r2} */
    assert_int_equal(word_at(0x1034), 12);
    assert_int_equal(word_at(0x1038), 13);
    assert_int_equal(f.r[1], 0x1038);
    f.r[3] = 99;
    assert_int_equal(run(0xe801000d), LDST_DONE);              /* stmda r1, {r0, r2, r3} */
    assert_int_equal(word_at(0x1030), 12);
    assert_int_equal(word_at(0x1034), 13);
    assert_int_equal(word_at(0x1038), 99);
}

static void test_pc_forms(void **state)
{
    (void)state;
    put_word(0x1010, 0x4001);
    f.r[1] = 0x1010;
    assert_int_equal(run(0xe591f000), LDST_DONE);              /* ldr pc, [r1]: to Thumb */
    assert_int_equal(f.pc, 0x4000);
    assert_true(f.cpsr & (1u << 5));
    f.cpsr = 0x10;
    assert_int_equal(run(0xe581f000), LDST_DONE);              /* str pc, [r1] */
    assert_int_equal(word_at(0x1010), AT + 8);
    assert_int_equal(run(0xe51f0008), LDST_FAULT);             /* ldr r0, [pc, #-8] */
    assert_int_equal(fa, AT);
}

static void test_fault_changes_nothing(void **state)
{
    (void)state;
    f.r[1] = 0x10f8;
    struct trap_frame before = f;
    before.pc = AT;
    assert_int_equal(run(0xe8b1000d), LDST_FAULT);             /* third word beyond the bus */
    assert_int_equal(st, 0x5);
    assert_int_equal(fa, 0x1100);
    assert_memory_equal(&f, &before, sizeof(f));
    assert_int_equal(run(0xe1c140d8), LDST_FAULT);             /* ldrd beyond */
    assert_memory_equal(&f, &before, sizeof(f));
}

static void test_not_mine(void **state)
{
    (void)state;
    assert_int_equal(run(0xe8d18001), LDST_NOT_MINE);          /* ldm r1, {r0, pc}^ */
    assert_int_equal(run(0xe1a00000), LDST_NOT_MINE);          /* mov r0, r0 */
    assert_int_equal(accesses, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_word_immediate_forms, reset),
        cmocka_unit_test_setup(test_scaled_register_offsets, reset),
        cmocka_unit_test_setup(test_unaligned_word_is_one_access, reset),
        cmocka_unit_test_setup(test_bytes_and_halfwords, reset),
        cmocka_unit_test_setup(test_doublewords, reset),
        cmocka_unit_test_setup(test_user_access_and_swap, reset),
        cmocka_unit_test_setup(test_block_transfers, reset),
        cmocka_unit_test_setup(test_pc_forms, reset),
        cmocka_unit_test_setup(test_fault_changes_nothing, reset),
        cmocka_unit_test_setup(test_not_mine, reset),
    };
    return cmocka_run_group_tests_name("ldst_emulate", tests, NULL, NULL);
}
