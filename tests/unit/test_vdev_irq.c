/* The Integrator interrupt controller model (primary and CP secondary): every register, the IRQ
 * and FIQ sides, the soft interrupt, chaining of the secondary onto input 26 of the primary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "icp_pic.h"

#define PIC 0x14000000u
#define SIC 0xca000000u

struct env {
    struct vdev_hooks hooks;
    struct vbus bus;
    struct vpic pic, sic;
    unsigned logs;
    bool cpu[2];                 /* IRQ, FIQ */
    unsigned cpu_calls;
};

static void log_hook(void *ctx, const char *dev, const char *msg, uint32_t off, uint32_t val)
{
    (void)dev, (void)msg, (void)off, (void)val;
    ((struct env *)ctx)->logs++;
}

static void cpu_hook(void *target, unsigned line, bool level)
{
    struct env *e = target;
    assert_true(line < 2);
    e->cpu[line] = level;
    e->cpu_calls++;
}

static int setup(void **state)
{
    static struct env e;
    memset(&e, 0, sizeof(e));
    e.hooks = (struct vdev_hooks){ .ctx = &e, .log = log_hook };
    vbus_init(&e.bus, &e.hooks);
    vpic_init(&e.pic, "pic", PIC, &e.hooks, (struct virq){ cpu_hook, &e, 0 },
              (struct virq){ cpu_hook, &e, 1 });
    vpic_init(&e.sic, "sic", SIC, &e.hooks, (struct virq){ vpic_input, &e.pic, 26 },
              (struct virq){ 0 });
    assert_true(vbus_add(&e.bus, &e.pic.dev));
    assert_true(vbus_add(&e.bus, &e.sic.dev));
    *state = &e;
    return 0;
}

static uint32_t rd(struct env *e, uint32_t a)
{
    return vbus_read(&e->bus, a, 4, 0);
}

static void wr(struct env *e, uint32_t a, uint32_t v)
{
    vbus_write(&e->bus, a, v, 4, 0);
}

static void test_reset_values(void **state)
{
    struct env *e = *state;
    static const uint32_t readable[] = { ICP_PIC_IRQ_STATUS, ICP_PIC_IRQ_RAWSTAT,
                                         ICP_PIC_IRQ_ENABLESET, ICP_PIC_INT_SOFTSET,
                                         ICP_PIC_FIQ_STATUS, ICP_PIC_FIQ_RAWSTAT,
                                         ICP_PIC_FIQ_ENABLESET };
    for (unsigned i = 0; i < sizeof(readable) / sizeof(readable[0]); i++) {
        assert_int_equal(rd(e, PIC + readable[i]), 0);
        assert_int_equal(rd(e, SIC + readable[i]), 0);
    }
    assert_int_equal(e->logs, 0);
    assert_false(e->cpu[0]);
    assert_false(e->cpu[1]);
}

static void test_write_only_and_read_only(void **state)
{
    struct env *e = *state;
    /* The clear registers are write-only: reading them is a bad offset (zero, logged). */
    wr(e, PIC + ICP_PIC_IRQ_ENABLESET, 0xf0);
    assert_int_equal(rd(e, PIC + ICP_PIC_IRQ_ENABLECLR), 0);
    assert_int_equal(rd(e, PIC + ICP_PIC_INT_SOFTCLR), 0);
    assert_int_equal(rd(e, PIC + ICP_PIC_FIQ_ENABLECLR), 0);
    assert_int_equal(e->logs, 3);
    /* The status registers are read-only: writes are ignored and logged. */
    vpic_set_input(&e->pic, 4, true);
    wr(e, PIC + ICP_PIC_IRQ_STATUS, 0xffffffff);
    wr(e, PIC + ICP_PIC_IRQ_RAWSTAT, 0);
    wr(e, PIC + ICP_PIC_FIQ_STATUS, 0);
    wr(e, PIC + ICP_PIC_FIQ_RAWSTAT, 0);
    assert_int_equal(rd(e, PIC + ICP_PIC_IRQ_RAWSTAT), 0x10);
    assert_int_equal(rd(e, PIC + ICP_PIC_IRQ_ENABLESET), 0xf0);
    assert_int_equal(e->logs, 7);
    /* Holes and offsets past the registers, up to the end of QEMU's 8 MB window. */
    assert_int_equal(rd(e, PIC + 0x18), 0);
    assert_int_equal(rd(e, PIC + 0x1c), 0);
    assert_int_equal(rd(e, PIC + 0x30), 0);
    assert_int_equal(rd(e, PIC + 0x40), 0);
    assert_int_equal(rd(e, PIC + 0x7ffffc), 0);
    assert_ptr_equal(vbus_find(&e->bus, PIC + 0x7ffffc), &e->pic.dev);
    assert_null(vbus_find(&e->bus, PIC + 0x800000));
    wr(e, PIC + 0x100, 0xffffffff);
    assert_int_equal(rd(e, PIC + ICP_PIC_IRQ_ENABLESET), 0xf0);
    assert_int_equal(e->logs, 13);
}

static void test_irq_side(void **state)
{
    struct env *e = *state;
    vpic_set_input(&e->pic, 5, true);
    assert_int_equal(rd(e, PIC + ICP_PIC_IRQ_RAWSTAT), 1u << 5);
    assert_int_equal(rd(e, PIC + ICP_PIC_FIQ_RAWSTAT), 1u << 5);  /* the same levels */
    assert_int_equal(rd(e, PIC + ICP_PIC_IRQ_STATUS), 0);
    assert_false(e->cpu[0]);
    wr(e, PIC + ICP_PIC_IRQ_ENABLESET, 1u << 5);
    assert_true(e->cpu[0]);
    assert_false(e->cpu[1]);
    assert_int_equal(rd(e, PIC + ICP_PIC_IRQ_STATUS), 1u << 5);
    assert_int_equal(rd(e, PIC + ICP_PIC_FIQ_STATUS), 0);
    /* Enable set and clear accumulate. */
    wr(e, PIC + ICP_PIC_IRQ_ENABLESET, 1u << 6);
    assert_int_equal(rd(e, PIC + ICP_PIC_IRQ_ENABLESET), (1u << 5) | (1u << 6));
    wr(e, PIC + ICP_PIC_IRQ_ENABLECLR, 1u << 5);
    assert_int_equal(rd(e, PIC + ICP_PIC_IRQ_ENABLESET), 1u << 6);
    assert_false(e->cpu[0]);
    assert_int_equal(rd(e, PIC + ICP_PIC_IRQ_RAWSTAT), 1u << 5);
    /* A level input: the status follows the line. */
    vpic_set_input(&e->pic, 6, true);
    assert_true(e->cpu[0]);
    vpic_set_input(&e->pic, 6, false);
    assert_false(e->cpu[0]);
    assert_int_equal(rd(e, PIC + ICP_PIC_IRQ_RAWSTAT), 1u << 5);
    /* Input 31 and out-of-range inputs. */
    vpic_set_input(&e->pic, 31, true);
    vpic_set_input(&e->pic, 32, true);
    assert_int_equal(rd(e, PIC + ICP_PIC_IRQ_RAWSTAT), (1u << 5) | (1u << 31));
    wr(e, PIC + ICP_PIC_IRQ_ENABLESET, 0xffffffff);
    assert_int_equal(rd(e, PIC + ICP_PIC_IRQ_STATUS), (1u << 5) | (1u << 31));
    wr(e, PIC + ICP_PIC_IRQ_ENABLECLR, 0xffffffff);
    assert_false(e->cpu[0]);
}

static void test_fiq_side(void **state)
{
    struct env *e = *state;
    vpic_set_input(&e->pic, 1, true);
    wr(e, PIC + ICP_PIC_FIQ_ENABLESET, 1u << 1);
    assert_true(e->cpu[1]);
    assert_false(e->cpu[0]);
    assert_int_equal(rd(e, PIC + ICP_PIC_FIQ_STATUS), 1u << 1);
    assert_int_equal(rd(e, PIC + ICP_PIC_FIQ_ENABLESET), 1u << 1);
    assert_int_equal(rd(e, PIC + ICP_PIC_IRQ_STATUS), 0);
    /* One source can be routed to both sides. */
    wr(e, PIC + ICP_PIC_IRQ_ENABLESET, 1u << 1);
    assert_true(e->cpu[0]);
    assert_true(e->cpu[1]);
    wr(e, PIC + ICP_PIC_FIQ_ENABLECLR, 1u << 1);
    assert_false(e->cpu[1]);
    assert_true(e->cpu[0]);
    vpic_set_input(&e->pic, 1, false);
    assert_false(e->cpu[0]);
}

static void test_soft_interrupt(void **state)
{
    struct env *e = *state;
    wr(e, PIC + ICP_PIC_IRQ_ENABLESET, 1);
    wr(e, PIC + ICP_PIC_INT_SOFTSET, 0xfffffffe);   /* only bit 0 counts */
    assert_int_equal(rd(e, PIC + ICP_PIC_INT_SOFTSET), 0);
    assert_false(e->cpu[0]);
    wr(e, PIC + ICP_PIC_INT_SOFTSET, 1);
    assert_int_equal(rd(e, PIC + ICP_PIC_INT_SOFTSET), 1);
    assert_int_equal(rd(e, PIC + ICP_PIC_IRQ_RAWSTAT), 1);
    assert_int_equal(rd(e, PIC + ICP_PIC_IRQ_STATUS), 1);
    assert_true(e->cpu[0]);
    /* As FIQ too. */
    wr(e, PIC + ICP_PIC_FIQ_ENABLESET, 1);
    assert_true(e->cpu[1]);
    wr(e, PIC + ICP_PIC_INT_SOFTCLR, 0xfffffffe);
    assert_true(e->cpu[0]);
    wr(e, PIC + ICP_PIC_INT_SOFTCLR, 1);
    assert_false(e->cpu[0]);
    assert_false(e->cpu[1]);
    assert_int_equal(rd(e, PIC + ICP_PIC_INT_SOFTSET), 0);
    /* Soft set while masked, taken when enabled. */
    wr(e, PIC + ICP_PIC_IRQ_ENABLECLR, 1);
    wr(e, PIC + ICP_PIC_FIQ_ENABLECLR, 1);
    wr(e, PIC + ICP_PIC_INT_SOFTSET, 1);
    assert_false(e->cpu[0]);
    wr(e, PIC + ICP_PIC_IRQ_ENABLESET, 1);
    assert_true(e->cpu[0]);
}

static void test_chaining(void **state)
{
    struct env *e = *state;
    /* A secondary source: raw in the SIC, nothing further until the SIC enables it. */
    vpic_set_input(&e->sic, 3, true);
    assert_int_equal(rd(e, SIC + ICP_PIC_IRQ_RAWSTAT), 1u << 3);
    assert_int_equal(rd(e, PIC + ICP_PIC_IRQ_RAWSTAT), 0);
    wr(e, SIC + ICP_PIC_IRQ_ENABLESET, 1u << 3);
    assert_int_equal(rd(e, PIC + ICP_PIC_IRQ_RAWSTAT), 1u << 26);
    assert_false(e->cpu[0]);
    wr(e, PIC + ICP_PIC_IRQ_ENABLESET, 1u << 26);
    assert_true(e->cpu[0]);
    /* The SIC's own soft interrupt goes the same way. */
    vpic_set_input(&e->sic, 3, false);
    assert_false(e->cpu[0]);
    wr(e, SIC + ICP_PIC_IRQ_ENABLESET, 1);
    wr(e, SIC + ICP_PIC_INT_SOFTSET, 1);
    assert_true(e->cpu[0]);
    assert_int_equal(rd(e, PIC + ICP_PIC_IRQ_STATUS), 1u << 26);
    /* The SIC's FIQ output is not connected (as in QEMU): its FIQ side reaches nothing. */
    wr(e, SIC + ICP_PIC_IRQ_ENABLECLR, 1);
    wr(e, SIC + ICP_PIC_FIQ_ENABLESET, 1);
    assert_int_equal(rd(e, SIC + ICP_PIC_FIQ_STATUS), 1);
    assert_false(e->cpu[0]);
    assert_false(e->cpu[1]);
    assert_int_equal(rd(e, PIC + ICP_PIC_IRQ_RAWSTAT), 0);
    /* The chained line can also be taken as FIQ at the primary. */
    wr(e, SIC + ICP_PIC_IRQ_ENABLESET, 1);
    wr(e, PIC + ICP_PIC_FIQ_ENABLESET, 1u << 26);
    assert_true(e->cpu[1]);
}

static void test_sub_word(void **state)
{
    struct env *e = *state;
    vpic_set_input(&e->pic, 9, true);
    /* offset >> 2 selects the register; the low bytes come back. */
    assert_int_equal(vbus_read(&e->bus, PIC + ICP_PIC_IRQ_RAWSTAT + 1, 1, 0), 0x00);
    assert_int_equal(vbus_read(&e->bus, PIC + ICP_PIC_IRQ_RAWSTAT, 2, 0), 0x200);
    vbus_write(&e->bus, PIC + ICP_PIC_IRQ_ENABLESET + 1, 0x02, 1, 0);
    assert_int_equal(rd(e, PIC + ICP_PIC_IRQ_ENABLESET), 0x02);
    assert_int_equal(e->logs, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_reset_values, setup),
        cmocka_unit_test_setup(test_write_only_and_read_only, setup),
        cmocka_unit_test_setup(test_irq_side, setup),
        cmocka_unit_test_setup(test_fiq_side, setup),
        cmocka_unit_test_setup(test_soft_interrupt, setup),
        cmocka_unit_test_setup(test_chaining, setup),
        cmocka_unit_test_setup(test_sub_word, setup),
    };
    return cmocka_run_group_tests_name("vdev interrupt controllers", tests, NULL, NULL);
}
