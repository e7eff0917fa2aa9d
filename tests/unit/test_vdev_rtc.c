/* The PL031 RTC on virtual time: every register, the PrimeCell IDs, load, match interrupt,
 * QEMU's exact-offset decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "pl031.h"

#define BASE  0x15000000u
#define SEC   1000000000ull
#define EPOCH 1700000000u      /* the wall clock the VMM hands over at power-on */

struct env {
    struct vdev_hooks hooks;
    struct vbus bus;
    struct vpl031 rtc;
    unsigned logs;
    bool line;
};

static void log_hook(void *ctx, const char *dev, const char *msg, uint32_t off, uint32_t val)
{
    (void)dev, (void)msg, (void)off, (void)val;
    ((struct env *)ctx)->logs++;
}

static void line_hook(void *target, unsigned line, bool level)
{
    assert_int_equal(line, 8);
    ((struct env *)target)->line = level;
}

static void init_env(struct env *e, uint64_t now)
{
    memset(e, 0, sizeof(*e));
    e->hooks = (struct vdev_hooks){ .ctx = e, .log = log_hook };
    vbus_init(&e->bus, &e->hooks);
    vpl031_init(&e->rtc, BASE, &e->hooks, (struct virq){ line_hook, e, 8 }, now, EPOCH);
    assert_true(vbus_add(&e->bus, &e->rtc.dev));
}

static int setup(void **state)
{
    static struct env e;
    init_env(&e, 0);
    *state = &e;
    return 0;
}

static uint32_t rd(struct env *e, uint32_t off, uint64_t now)
{
    return vbus_read(&e->bus, BASE + off, 4, now);
}

static void wr(struct env *e, uint32_t off, uint32_t v, uint64_t now)
{
    vbus_write(&e->bus, BASE + off, v, 4, now);
}

static void test_reset_values(void **state)
{
    struct env *e = *state;
    assert_int_equal(rd(e, PL031_DR, 0), EPOCH);
    assert_int_equal(rd(e, PL031_MR, 0), 0);
    assert_int_equal(rd(e, PL031_LR, 0), 0);
    assert_int_equal(rd(e, PL031_CR, 0), 1);
    assert_int_equal(rd(e, PL031_IMSC, 0), 0);
    assert_int_equal(rd(e, PL031_RIS, 0), 0);
    assert_int_equal(rd(e, PL031_MIS, 0), 0);
    assert_int_equal(e->logs, 0);
    assert_int_equal(vpl031_next_irq_event(&e->rtc), VTIME_NEVER);
    assert_int_equal(vpl031_next_expiry(&e->rtc), VTIME_NEVER);
    assert_false(vpl031_irq_level(&e->rtc));
}

static void test_id_registers(void **state)
{
    struct env *e = *state;
    static const uint32_t id[8] = { 0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };
    for (unsigned i = 0; i < 8; i++) {
        assert_int_equal(rd(e, 0xfe0 + 4 * i, 0), id[i]);
        assert_int_equal(vbus_read(&e->bus, BASE + 0xfe0 + 4 * i + 3, 1, 0), id[i]);
    }
    assert_int_equal(e->logs, 0);
}

static void test_counts_virtual_seconds(void **state)
{
    struct env *e = *state;
    assert_int_equal(rd(e, PL031_DR, SEC - 1), EPOCH);
    assert_int_equal(rd(e, PL031_DR, SEC), EPOCH + 1);
    assert_int_equal(rd(e, PL031_DR, 3600 * SEC + 5), EPOCH + 3600);
    /* Power-on at a later virtual time: the count starts from the given wall clock there. */
    struct env later;
    init_env(&later, 10 * SEC + SEC / 2);
    assert_int_equal(rd(&later, PL031_DR, 10 * SEC + SEC / 2), EPOCH);
    assert_int_equal(rd(&later, PL031_DR, 11 * SEC), EPOCH + 1);   /* whole virtual seconds */
}

static void test_load(void **state)
{
    struct env *e = *state;
    wr(e, PL031_LR, 1000, 5 * SEC + 300);
    assert_int_equal(rd(e, PL031_DR, 5 * SEC + 300), 1000);
    assert_int_equal(rd(e, PL031_DR, 6 * SEC), 1001);
    /* LR reads back the value last loaded (qemu-system-arm 7.2 as Debian ships it: measured). */
    assert_int_equal(rd(e, PL031_LR, 6 * SEC), 1000);
    assert_int_equal(rd(e, PL031_LR, 60 * SEC), 1000);
    /* Wraps modulo 2^32. */
    wr(e, PL031_LR, 0xffffffff, 7 * SEC);
    assert_int_equal(rd(e, PL031_DR, 8 * SEC), 0);
}

static void test_match_interrupt(void **state)
{
    struct env *e = *state;
    wr(e, PL031_IMSC, 0xffffffff, 0);
    assert_int_equal(rd(e, PL031_IMSC, 0), 1);                 /* one bit */
    /* The match fires (MR - DR) whole seconds after the write, not at a second boundary. */
    wr(e, PL031_MR, EPOCH + 3, SEC / 2);
    assert_int_equal(rd(e, PL031_MR, SEC / 2), EPOCH + 3);
    assert_int_equal(vpl031_next_irq_event(&e->rtc), 3 * SEC + SEC / 2);
    assert_int_equal(rd(e, PL031_RIS, 3 * SEC + SEC / 2 - 1), 0);
    assert_false(e->line);
    vpl031_advance(&e->rtc, 3 * SEC + SEC / 2);
    assert_true(e->line);
    assert_int_equal(rd(e, PL031_RIS, 4 * SEC), 1);
    assert_int_equal(rd(e, PL031_MIS, 4 * SEC), 1);
    assert_int_equal(vpl031_next_expiry(&e->rtc), VTIME_NEVER);
    wr(e, PL031_ICR, 1, 4 * SEC);
    assert_false(e->line);
    assert_int_equal(rd(e, PL031_RIS, 4 * SEC), 0);
    /* A match equal to the count fires at once. */
    wr(e, PL031_MR, EPOCH + 4, 4 * SEC);
    assert_true(e->line);
    wr(e, PL031_ICR, 1, 4 * SEC);
    /* A match in the past is a wrap-around away. */
    wr(e, PL031_MR, EPOCH, 5 * SEC);
    assert_int_equal(vpl031_next_expiry(&e->rtc), 5 * SEC + 0xfffffffbull * SEC);
    /* Masked: RIS rises, the line does not, and no deadline is reported for the line. */
    wr(e, PL031_IMSC, 0, 5 * SEC);
    wr(e, PL031_MR, EPOCH + 6, 5 * SEC);
    assert_int_equal(vpl031_next_irq_event(&e->rtc), VTIME_NEVER);
    assert_int_equal(vpl031_next_expiry(&e->rtc), 6 * SEC);
    assert_int_equal(rd(e, PL031_RIS, 6 * SEC), 1);
    assert_int_equal(rd(e, PL031_MIS, 6 * SEC), 0);
    assert_false(e->line);
    wr(e, PL031_IMSC, 1, 7 * SEC);
    assert_true(e->line);
    /* Loading the counter re-evaluates the match. */
    wr(e, PL031_ICR, 1, 7 * SEC);
    wr(e, PL031_MR, 500, 7 * SEC);
    wr(e, PL031_LR, 498, 7 * SEC);
    assert_int_equal(vpl031_next_irq_event(&e->rtc), 9 * SEC);
    wr(e, PL031_LR, 500, 8 * SEC);
    assert_true(e->line);
}

static void test_bad_accesses(void **state)
{
    struct env *e = *state;
    assert_int_equal(rd(e, PL031_ICR, 0), 0);                  /* write-only */
    assert_int_equal(rd(e, 0x20, 0), 0);
    assert_int_equal(rd(e, 0xfdc, 0), 0);
    assert_int_equal(e->logs, 3);
    wr(e, PL031_DR, 5, 0);
    wr(e, PL031_RIS, 5, 0);
    wr(e, PL031_MIS, 5, 0);
    wr(e, 0x20, 5, 0);
    assert_int_equal(e->logs, 7);
    assert_int_equal(rd(e, PL031_DR, 0), EPOCH);
    wr(e, PL031_CR, 0, 0);                                      /* ignored, silently */
    assert_int_equal(rd(e, PL031_CR, 0), 1);
    assert_int_equal(e->logs, 7);
    /* QEMU decodes exact offsets here: a byte or halfword inside a register is a bad offset. */
    assert_int_equal(vbus_read(&e->bus, BASE + PL031_DR + 1, 1, 0), 0);
    assert_int_equal(vbus_read(&e->bus, BASE + PL031_CR + 2, 2, 0), 0);
    assert_int_equal(vbus_read(&e->bus, BASE + PL031_CR, 2, 0), 1);
    assert_int_equal(vbus_read(&e->bus, BASE + PL031_DR, 1, 0), EPOCH & 0xff);
    assert_int_equal(e->logs, 9);
    /* An unaligned word at the last byte: PCellID3 (0xb1) and nothing past the block (as on
     * qemu-system-arm 7.2: 0). */
    assert_int_equal(vbus_read(&e->bus, BASE + 0xfff, 4, 0), 0);
    assert_int_equal(vbus_read(&e->bus, BASE + 0xffd, 2, 0), 0xb100);      /* id[7] twice */
    assert_int_equal(vbus_read(&e->bus, BASE + 0xff9, 2, 0), 0x0500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_reset_values, setup),
        cmocka_unit_test_setup(test_id_registers, setup),
        cmocka_unit_test_setup(test_counts_virtual_seconds, setup),
        cmocka_unit_test_setup(test_load, setup),
        cmocka_unit_test_setup(test_match_interrupt, setup),
        cmocka_unit_test_setup(test_bad_accesses, setup),
    };
    return cmocka_run_group_tests_name("vdev pl031", tests, NULL, NULL);
}
