/* The Integrator/CP timers on virtual time: every register, periodic / one-shot / free-running
 * modes, 16- and 32-bit, the prescalers, interrupts, next-event computation, QEMU 7.2's counting
 * rules, and the sequences Linux 6.1's sp804 driver issues. Times are virtual nanoseconds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "icp_pit.h"

#define BASE 0x13000000u
#define US   1000ull
#define MS   1000000ull
#define SEC  1000000000ull

#define PERIODIC32 (PIT_CTRL_ENABLE | PIT_CTRL_PERIODIC | PIT_CTRL_IE | PIT_CTRL_32BIT)
#define ONESHOT32  (PIT_CTRL_ENABLE | PIT_CTRL_ONESHOT | PIT_CTRL_IE | PIT_CTRL_32BIT)

struct env {
    struct vdev_hooks hooks;
    struct vbus bus;
    struct vpit pit;
    unsigned logs;
    bool line[3];
};

static void log_hook(void *ctx, const char *dev, const char *msg, uint32_t off, uint32_t val)
{
    (void)dev, (void)msg, (void)off, (void)val;
    ((struct env *)ctx)->logs++;
}

static void line_hook(void *target, unsigned line, bool level)
{
    struct env *e = target;
    assert_true(line >= 5 && line <= 7);
    e->line[line - 5] = level;
}

static int setup(void **state)
{
    static struct env e;
    memset(&e, 0, sizeof(e));
    e.hooks = (struct vdev_hooks){ .ctx = &e, .log = log_hook };
    vbus_init(&e.bus, &e.hooks);
    struct virq irq[3];
    for (unsigned n = 0; n < 3; n++)
        irq[n] = (struct virq){ line_hook, &e, 5 + n };
    vpit_init(&e.pit, BASE, &e.hooks, irq);
    assert_true(vbus_add(&e.bus, &e.pit.dev));
    *state = &e;
    return 0;
}

static uint32_t rd(struct env *e, unsigned n, uint32_t reg, uint64_t now)
{
    return vbus_read(&e->bus, BASE + n * ICP_PIT_STRIDE + reg, 4, now);
}

static void wr(struct env *e, unsigned n, uint32_t reg, uint32_t v, uint64_t now)
{
    vbus_write(&e->bus, BASE + n * ICP_PIT_STRIDE + reg, v, 4, now);
}

static void test_reset_values(void **state)
{
    struct env *e = *state;
    for (unsigned n = 0; n < 3; n++) {
        assert_int_equal(rd(e, n, PIT_LOAD, 0), 0);
        assert_int_equal(rd(e, n, PIT_VALUE, 0), 0);
        assert_int_equal(rd(e, n, PIT_CONTROL, 0), PIT_CTRL_IE);    /* 0x20 */
        assert_int_equal(rd(e, n, PIT_RIS, 0), 0);
        assert_int_equal(rd(e, n, PIT_MIS, 0), 0);
        assert_int_equal(rd(e, n, PIT_BGLOAD, 0), 0);
        assert_int_equal(rd(e, n, PIT_VALUE, 10 * SEC), 0);           /* not counting */
        assert_false(vpit_irq_level(&e->pit, n));
    }
    assert_int_equal(e->logs, 0);
    assert_int_equal(vpit_next_irq_event(&e->pit), VTIME_NEVER);
    assert_int_equal(vpit_next_expiry(&e->pit), VTIME_NEVER);
    assert_int_equal(e->pit.t[0].clock_hz, 40000000);
    assert_int_equal(e->pit.t[1].clock_hz, 1000000);
    assert_int_equal(e->pit.t[2].clock_hz, 1000000);
}

static void test_bad_offsets(void **state)
{
    struct env *e = *state;
    assert_int_equal(rd(e, 1, PIT_INTCLR, 0), 0);      /* write-only */
    assert_int_equal(rd(e, 1, 0x1c, 0), 0);
    assert_int_equal(rd(e, 2, 0xfc, 0), 0);
    assert_int_equal(e->logs, 3);
    /* Timers 3 and up do not exist, up to the end of the 4 KB window. */
    assert_int_equal(vbus_read(&e->bus, BASE + 0x300, 4, 0), 0);
    assert_int_equal(vbus_read(&e->bus, BASE + 0xffc, 4, 0), 0);
    vbus_write(&e->bus, BASE + 0x308, PERIODIC32, 4, 0);
    assert_int_equal(e->logs, 6);
    assert_null(vbus_find(&e->bus, BASE + 0x1000));
    wr(e, 0, 0x1c, 5, 0);
    assert_int_equal(e->logs, 7);
    /* RIS, MIS: read-only, but QEMU logs writes to them as bad offsets too. */
    wr(e, 0, PIT_RIS, 1, 0);
    wr(e, 0, PIT_MIS, 1, 0);
    assert_int_equal(e->logs, 9);
    assert_int_equal(rd(e, 0, PIT_RIS, 0), 0);
    /* TimerValue is read-only and Linux writes it: ignored without a word. */
    wr(e, 0, PIT_VALUE, 0x1234, 0);
    assert_int_equal(rd(e, 0, PIT_VALUE, 0), 0);
    assert_int_equal(e->logs, 9);
}

static void test_load_at_reset(void **state)
{
    struct env *e = *state;
    /* The reset control (IE only) is free-running 16-bit mode: a Load there sets the count to
     * 0xffff, not to the value (QEMU); LOAD and BGLOAD read the value. */
    wr(e, 1, PIT_LOAD, 0x1234, 0);
    assert_int_equal(rd(e, 1, PIT_LOAD, 0), 0x1234);
    assert_int_equal(rd(e, 1, PIT_BGLOAD, 0), 0x1234);
    assert_int_equal(rd(e, 1, PIT_VALUE, 0), 0xffff);
    assert_int_equal(rd(e, 1, PIT_VALUE, SEC), 0xffff);
    wr(e, 1, PIT_BGLOAD, 0x55, SEC);
    assert_int_equal(rd(e, 1, PIT_LOAD, SEC), 0x55);
    assert_int_equal(rd(e, 1, PIT_VALUE, SEC), 0xffff);
}

static void test_periodic(void **state)
{
    struct env *e = *state;
    const uint64_t t0 = 1000;
    wr(e, 1, PIT_LOAD, 1000, t0);
    wr(e, 1, PIT_CONTROL, PERIODIC32, t0);
    assert_int_equal(rd(e, 1, PIT_CONTROL, t0), PERIODIC32);
    /* 1 MHz: one count per microsecond, rounded down. */
    assert_int_equal(rd(e, 1, PIT_VALUE, t0), 1000);
    assert_int_equal(rd(e, 1, PIT_VALUE, t0 + 1), 999);
    assert_int_equal(rd(e, 1, PIT_VALUE, t0 + 1000), 999);
    assert_int_equal(rd(e, 1, PIT_VALUE, t0 + 1001), 998);
    assert_int_equal(rd(e, 1, PIT_VALUE, t0 + 500 * US), 500);
    assert_int_equal(rd(e, 1, PIT_VALUE, t0 + MS - 1), 0);
    assert_int_equal(rd(e, 1, PIT_RIS, t0 + MS - 1), 0);
    assert_false(e->line[1]);
    /* The period is Load counts (QEMU), the next expiry a millisecond later. */
    assert_int_equal(vpit_next_irq_event(&e->pit), t0 + MS);
    assert_int_equal(vpit_next_expiry(&e->pit), t0 + MS);
    vpit_advance(&e->pit, t0 + MS - 1);
    assert_false(e->line[1]);
    vpit_advance(&e->pit, t0 + MS);
    assert_true(e->line[1]);
    assert_int_equal(rd(e, 1, PIT_RIS, t0 + MS), 1);
    assert_int_equal(rd(e, 1, PIT_MIS, t0 + MS), 1);
    assert_int_equal(rd(e, 1, PIT_VALUE, t0 + MS), 1000);           /* reloaded */
    /* While the interrupt is pending no expiry can change the line. */
    assert_int_equal(vpit_next_irq_event(&e->pit), VTIME_NEVER);
    assert_int_equal(vpit_next_expiry(&e->pit), t0 + 2 * MS);
    wr(e, 1, PIT_INTCLR, 1, t0 + MS + 10 * US);
    assert_false(e->line[1]);
    assert_int_equal(rd(e, 1, PIT_RIS, t0 + MS + 10 * US), 0);
    assert_int_equal(vpit_next_irq_event(&e->pit), t0 + 2 * MS);
    /* Periods missed while nobody looked are processed in one step, without drift. */
    assert_int_equal(rd(e, 1, PIT_VALUE, t0 + 10 * MS + 500 * US), 500);
    assert_int_equal(rd(e, 1, PIT_RIS, t0 + 10 * MS + 500 * US), 1);
    assert_true(e->line[1]);
    wr(e, 1, PIT_INTCLR, 0, t0 + 10 * MS + 500 * US);               /* any value clears */
    assert_int_equal(vpit_next_irq_event(&e->pit), t0 + 11 * MS);
    vpit_advance(&e->pit, t0 + 1000 * MS);
    assert_int_equal(vpit_next_expiry(&e->pit), t0 + 1001 * MS);
    assert_int_equal(vpit_count(&e->pit, 1, t0 + 1000 * MS + 250 * US), 750);
}

static void test_one_shot(void **state)
{
    struct env *e = *state;
    wr(e, 2, PIT_LOAD, 100, 0);
    wr(e, 2, PIT_CONTROL, ONESHOT32, 0);
    assert_int_equal(rd(e, 2, PIT_VALUE, 0), 100);
    assert_int_equal(vpit_next_irq_event(&e->pit), 100 * US);
    assert_int_equal(rd(e, 2, PIT_VALUE, 100 * US - 1), 0);
    assert_false(e->line[2]);
    vpit_advance(&e->pit, 100 * US);
    assert_true(e->line[2]);
    /* Stopped at zero; CONTROL still says enabled. */
    assert_int_equal(rd(e, 2, PIT_VALUE, 100 * US), 0);
    assert_int_equal(rd(e, 2, PIT_VALUE, SEC), 0);
    assert_int_equal(rd(e, 2, PIT_CONTROL, SEC), ONESHOT32);
    assert_int_equal(vpit_next_expiry(&e->pit), VTIME_NEVER);
    wr(e, 2, PIT_INTCLR, 1, SEC);
    assert_false(e->line[2]);
    vpit_advance(&e->pit, 5 * SEC);
    assert_false(e->line[2]);
    /* Writing CONTROL again restarts it from Load. */
    wr(e, 2, PIT_CONTROL, ONESHOT32, 2 * SEC);
    assert_int_equal(rd(e, 2, PIT_VALUE, 2 * SEC), 100);
    assert_int_equal(vpit_next_irq_event(&e->pit), 2 * SEC + 100 * US);
    /* So does a new Load while it runs. */
    wr(e, 2, PIT_LOAD, 300, 2 * SEC + 50 * US);
    assert_int_equal(rd(e, 2, PIT_VALUE, 2 * SEC + 50 * US), 300);
    assert_int_equal(vpit_next_irq_event(&e->pit), 2 * SEC + 350 * US);
    vpit_advance(&e->pit, 3 * SEC);
    assert_true(e->line[2]);
    assert_int_equal(rd(e, 2, PIT_VALUE, 3 * SEC), 0);
}

static void test_free_running_16(void **state)
{
    struct env *e = *state;
    /* Neither PERIODIC nor ONESHOT: counts from 0xffff (16-bit) at 40 MHz, wraps, interrupts. */
    wr(e, 0, PIT_LOAD, 5, 0);
    wr(e, 0, PIT_CONTROL, PIT_CTRL_ENABLE | PIT_CTRL_IE, 0);
    assert_int_equal(rd(e, 0, PIT_VALUE, 0), 0xffff);
    assert_int_equal(rd(e, 0, PIT_VALUE, 25), 0xfffe);
    assert_int_equal(rd(e, 0, PIT_VALUE, 24), 0xfffe);      /* rounded down */
    const uint64_t wrap = 0xffffull * 25;
    assert_int_equal(vpit_next_irq_event(&e->pit), wrap);
    assert_int_equal(rd(e, 0, PIT_VALUE, wrap - 1), 0);
    vpit_advance(&e->pit, wrap);
    assert_true(e->line[0]);
    assert_int_equal(rd(e, 0, PIT_VALUE, wrap), 0xffff);
    assert_int_equal(vpit_next_expiry(&e->pit), 2 * wrap);
    /* Load is ignored for counting, but restarts the count from 0xffff. */
    wr(e, 0, PIT_LOAD, 5, 2 * MS);
    assert_int_equal(rd(e, 0, PIT_LOAD, 2 * MS), 5);
    assert_int_equal(rd(e, 0, PIT_VALUE, 2 * MS), 0xffff);
    assert_int_equal(vpit_next_expiry(&e->pit), 2 * MS + wrap);
}

static void test_free_running_32(void **state)
{
    struct env *e = *state;
    wr(e, 0, PIT_CONTROL, PIT_CTRL_ENABLE | PIT_CTRL_32BIT, 0);
    assert_int_equal(rd(e, 0, PIT_VALUE, 0), 0xffffffff);
    assert_int_equal(rd(e, 0, PIT_VALUE, SEC), 4254967295u);   /* 40 000 000 counts later */
    const uint64_t wrap = 0xffffffffull * 25;                   /* about 107 s */
    assert_int_equal(vpit_next_expiry(&e->pit), wrap);
    /* IE clear: the expiry sets RIS, the line stays low, and no deadline is reported for it. */
    assert_int_equal(vpit_next_irq_event(&e->pit), VTIME_NEVER);
    vpit_advance(&e->pit, wrap);
    assert_int_equal(rd(e, 0, PIT_RIS, wrap), 1);
    assert_int_equal(rd(e, 0, PIT_MIS, wrap), 0);
    assert_false(e->line[0]);
    /* Enabling the interrupt afterwards raises the line at once (and restarts the count). */
    wr(e, 0, PIT_CONTROL, PIT_CTRL_ENABLE | PIT_CTRL_32BIT | PIT_CTRL_IE, wrap + SEC);
    assert_true(e->line[0]);
    assert_int_equal(rd(e, 0, PIT_MIS, wrap + SEC), 1);
    assert_int_equal(rd(e, 0, PIT_VALUE, wrap + SEC), 0xffffffff);
}

static void test_16bit_periodic_keeps_32bit_load(void **state)
{
    struct env *e = *state;
    /* QEMU does not cut Load to 16 bits in 16-bit periodic or one-shot mode. */
    wr(e, 1, PIT_LOAD, 0x12345, 0);
    wr(e, 1, PIT_CONTROL, PIT_CTRL_ENABLE | PIT_CTRL_PERIODIC | PIT_CTRL_IE, 0);
    assert_int_equal(rd(e, 1, PIT_VALUE, 0), 0x12345);
    assert_int_equal(vpit_next_irq_event(&e->pit), 0x12345ull * US);
}

static void test_prescalers(void **state)
{
    struct env *e = *state;
    static const struct { unsigned timer; uint32_t div; uint64_t period_ps; } cases[] = {
        { 0, PIT_CTRL_DIV1, 25000 },
        { 0, PIT_CTRL_DIV16, 400000 },
        { 0, PIT_CTRL_DIV256, 6400000 },
        { 0, 3u << 2, 25000 },                 /* the reserved setting counts like /1 */
        { 1, PIT_CTRL_DIV1, 1000000 },
        { 1, PIT_CTRL_DIV16, 16000000 },
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned n = cases[i].timer;
        uint64_t t0 = i * SEC;
        wr(e, n, PIT_CONTROL, 0, t0);
        wr(e, n, PIT_LOAD, 100, t0);
        wr(e, n, PIT_CONTROL, PERIODIC32 | cases[i].div, t0);
        assert_int_equal(vpit_next_expiry(&e->pit), t0 + 100 * cases[i].period_ps / 1000);
        assert_int_equal(rd(e, n, PIT_VALUE, t0 + 10 * cases[i].period_ps / 1000), 90);
        assert_int_equal(rd(e, n, PIT_VALUE, t0 + 10 * cases[i].period_ps / 1000 + 1), 89);
        wr(e, n, PIT_CONTROL, 0, t0);
    }
}

static void test_prescaler_with_fraction(void **state)
{
    struct env *e = *state;
    /* 1 MHz / 256: QEMU's integer divide gives 3906 Hz, a period of 256016.385... ns kept as
     * 256016 ns plus a 32-bit fraction. */
    wr(e, 2, PIT_LOAD, 10, 0);
    wr(e, 2, PIT_CONTROL, PERIODIC32 | PIT_CTRL_DIV256, 0);
    assert_int_equal(e->pit.t[2].freq, 3906);
    assert_int_equal(e->pit.t[2].period, 256016);
    assert_int_equal(e->pit.t[2].period_frac, 1653771329u);
    assert_int_equal(vpit_next_expiry(&e->pit), 2560163);          /* 10 periods */
    /* The span was rounded down to whole ns and the count is rounded down too, so QEMU reads 9,
     * not 10, right after the (re)load of such a timer. */
    assert_int_equal(rd(e, 2, PIT_VALUE, 0), 9);
    assert_int_equal(rd(e, 2, PIT_VALUE, MS), 6);
    assert_int_equal(rd(e, 2, PIT_VALUE, 2560162), 0);
    vpit_advance(&e->pit, 2560163);
    assert_true(e->line[2]);
    assert_int_equal(vpit_next_expiry(&e->pit), 2 * 2560163);       /* no drift */
    assert_int_equal(rd(e, 2, PIT_VALUE, 2560163), 9);
    assert_int_equal(rd(e, 2, PIT_VALUE, 2560163 + 256017), 8);
}

static void test_bgload_and_load(void **state)
{
    struct env *e = *state;
    wr(e, 1, PIT_LOAD, 1000, 0);
    wr(e, 1, PIT_CONTROL, PERIODIC32, 0);
    /* BGLoad changes the reload value only: the current period runs on. */
    wr(e, 1, PIT_BGLOAD, 500, 300 * US);
    assert_int_equal(rd(e, 1, PIT_LOAD, 300 * US), 500);
    assert_int_equal(rd(e, 1, PIT_VALUE, 300 * US), 700);
    assert_int_equal(vpit_next_expiry(&e->pit), MS);
    assert_int_equal(rd(e, 1, PIT_VALUE, MS), 500);
    assert_int_equal(vpit_next_expiry(&e->pit), MS + 500 * US);
    /* Load restarts the count at once. */
    wr(e, 1, PIT_LOAD, 2000, 1200 * US);
    assert_int_equal(rd(e, 1, PIT_VALUE, 1200 * US), 2000);
    assert_int_equal(vpit_next_expiry(&e->pit), 3200 * US);
    assert_int_equal(rd(e, 1, PIT_RIS, 3200 * US), 1);
}

static void test_control_restarts_and_disable_freezes(void **state)
{
    struct env *e = *state;
    wr(e, 1, PIT_LOAD, 1000, 0);
    wr(e, 1, PIT_CONTROL, PERIODIC32, 0);
    /* Rewriting CONTROL while running restarts from the reload value (QEMU). */
    wr(e, 1, PIT_CONTROL, PERIODIC32, 400 * US);
    assert_int_equal(rd(e, 1, PIT_VALUE, 400 * US), 1000);
    assert_int_equal(vpit_next_expiry(&e->pit), 1400 * US);
    /* Clearing ENABLE freezes the count. */
    wr(e, 1, PIT_CONTROL, PERIODIC32 & ~PIT_CTRL_ENABLE, 1000 * US);
    assert_int_equal(rd(e, 1, PIT_VALUE, 1000 * US), 400);
    assert_int_equal(rd(e, 1, PIT_VALUE, 2 * SEC), 400);
    assert_int_equal(vpit_next_expiry(&e->pit), VTIME_NEVER);
    assert_int_equal(rd(e, 1, PIT_RIS, 2 * SEC), 0);
    /* Setting it again starts over from Load. */
    wr(e, 1, PIT_CONTROL, PERIODIC32, 3 * SEC);
    assert_int_equal(rd(e, 1, PIT_VALUE, 3 * SEC), 1000);
    assert_int_equal(vpit_next_expiry(&e->pit), 3 * SEC + MS);
    /* Changing the prescaler while stopped keeps the count. */
    wr(e, 1, PIT_CONTROL, PIT_CTRL_PERIODIC | PIT_CTRL_32BIT, 3 * SEC + 250 * US);
    wr(e, 1, PIT_CONTROL, PIT_CTRL_PERIODIC | PIT_CTRL_32BIT | PIT_CTRL_DIV16,
       3 * SEC + 300 * US);
    assert_int_equal(rd(e, 1, PIT_VALUE, 4 * SEC), 750);
}

static void test_zero_reload(void **state)
{
    struct env *e = *state;
    /* Enabling with Load 0: the interrupt rises at once and the counter stops (logged). */
    wr(e, 1, PIT_LOAD, 0, 0);
    wr(e, 1, PIT_CONTROL, PERIODIC32, 0);
    assert_true(e->line[1]);
    assert_int_equal(rd(e, 1, PIT_RIS, 0), 1);
    assert_int_equal(rd(e, 1, PIT_VALUE, SEC), 0);
    assert_int_equal(vpit_next_expiry(&e->pit), VTIME_NEVER);
    assert_int_equal(e->logs, 1);
    wr(e, 1, PIT_INTCLR, 1, SEC);
    /* The same for one-shot. */
    wr(e, 1, PIT_CONTROL, ONESHOT32, SEC);
    assert_true(e->line[1]);
    assert_int_equal(vpit_next_expiry(&e->pit), VTIME_NEVER);
    wr(e, 1, PIT_INTCLR, 1, SEC);
    /* BGLoad 0 in periodic mode: the next expiry fires and then the counter stops. */
    wr(e, 1, PIT_CONTROL, 0, 2 * SEC);
    wr(e, 1, PIT_LOAD, 100, 2 * SEC);
    wr(e, 1, PIT_CONTROL, PERIODIC32, 2 * SEC);
    wr(e, 1, PIT_BGLOAD, 0, 2 * SEC + 10 * US);
    vpit_advance(&e->pit, 2 * SEC + 100 * US);
    assert_true(e->line[1]);
    assert_int_equal(vpit_next_expiry(&e->pit), VTIME_NEVER);
    assert_int_equal(rd(e, 1, PIT_VALUE, 3 * SEC), 0);
    assert_int_equal(e->logs, 3);
}

static void test_interrupt_enable(void **state)
{
    struct env *e = *state;
    wr(e, 1, PIT_LOAD, 10, 0);
    wr(e, 1, PIT_CONTROL, PIT_CTRL_ENABLE | PIT_CTRL_PERIODIC | PIT_CTRL_32BIT, 0);
    assert_int_equal(vpit_next_irq_event(&e->pit), VTIME_NEVER);
    vpit_advance(&e->pit, 10 * US);
    assert_int_equal(rd(e, 1, PIT_RIS, 10 * US), 1);
    assert_int_equal(rd(e, 1, PIT_MIS, 10 * US), 0);
    assert_false(e->line[1]);
    wr(e, 1, PIT_CONTROL, PERIODIC32, 15 * US);
    assert_true(e->line[1]);
    assert_int_equal(rd(e, 1, PIT_MIS, 15 * US), 1);
    wr(e, 1, PIT_INTCLR, 1, 15 * US);
    assert_false(e->line[1]);
    /* Clearing IE lowers the line but keeps RIS. */
    vpit_advance(&e->pit, 25 * US);
    assert_true(e->line[1]);
    wr(e, 1, PIT_CONTROL, PERIODIC32 & ~PIT_CTRL_IE, 26 * US);
    assert_false(e->line[1]);
    assert_int_equal(rd(e, 1, PIT_RIS, 26 * US), 1);
}

static void test_independent_timers(void **state)
{
    struct env *e = *state;
    wr(e, 0, PIT_LOAD, 400, 0);
    wr(e, 0, PIT_CONTROL, PERIODIC32, 0);               /* 10 us at 40 MHz */
    wr(e, 1, PIT_LOAD, 7, 0);
    wr(e, 1, PIT_CONTROL, ONESHOT32, 0);                /* 7 us */
    wr(e, 2, PIT_LOAD, 3, 1 * US);
    wr(e, 2, PIT_CONTROL, PERIODIC32, 1 * US);          /* 3 us from 1 us */
    assert_int_equal(vpit_next_irq_event(&e->pit), 4 * US);
    vpit_advance(&e->pit, 4 * US);
    assert_false(e->line[0]);
    assert_false(e->line[1]);
    assert_true(e->line[2]);
    assert_int_equal(vpit_next_irq_event(&e->pit), 7 * US);
    vpit_advance(&e->pit, 7 * US);
    assert_true(e->line[1]);
    assert_int_equal(vpit_next_irq_event(&e->pit), 10 * US);
    vpit_advance(&e->pit, 10 * US);
    assert_true(e->line[0]);
    assert_int_equal(vpit_next_irq_event(&e->pit), VTIME_NEVER);
    assert_int_equal(vpit_next_expiry(&e->pit), 13 * US);  /* timer 2's next period */
}

static void test_count_has_no_side_effects(void **state)
{
    struct env *e = *state;
    wr(e, 1, PIT_LOAD, 100, 0);
    wr(e, 1, PIT_CONTROL, PERIODIC32, 0);
    assert_int_equal(vpit_count(&e->pit, 1, 250 * US), 50);
    assert_false(e->line[1]);
    assert_int_equal(e->pit.t[1].int_level, 0);
    assert_int_equal(vpit_count(&e->pit, 3, 0), 0);
    assert_false(vpit_irq_level(&e->pit, 3));
}

static void test_linux_sp804_sequences(void **state)
{
    struct env *e = *state;
    /* integrator_cp_of_init + sp804_clocksource_and_sched_clock_init on timer 0. */
    wr(e, 0, PIT_CONTROL, 0, 0);
    wr(e, 0, PIT_CONTROL, 0, 0);
    wr(e, 0, PIT_LOAD, 0xffffffff, 0);
    wr(e, 0, PIT_VALUE, 0xffffffff, 0);
    wr(e, 0, PIT_CONTROL, PIT_CTRL_32BIT | PIT_CTRL_ENABLE | PIT_CTRL_PERIODIC, 100);
    assert_int_equal(rd(e, 0, PIT_VALUE, 100 + MS), 0xffffffffu - 40000);
    /* sp804_clockevents_init on timer 1, then set_next_event(5000). */
    wr(e, 1, PIT_CONTROL, 0, 0);
    wr(e, 1, PIT_CONTROL, 0, 0);
    wr(e, 1, PIT_LOAD, 5000, 2 * MS);
    wr(e, 1, PIT_CONTROL, ONESHOT32, 2 * MS);
    /* Only the clock event can interrupt: the clocksource has IE clear. */
    assert_int_equal(vpit_next_irq_event(&e->pit), 7 * MS);
    vpit_advance(&e->pit, 7 * MS);
    assert_true(e->line[1]);
    wr(e, 1, PIT_INTCLR, 1, 7 * MS + 2 * US);
    assert_false(e->line[1]);
    /* set_periodic at HZ=100: reload 10000 counts. */
    wr(e, 1, PIT_CONTROL, 0, 8 * MS);
    wr(e, 1, PIT_LOAD, 10000, 8 * MS);
    wr(e, 1, PIT_CONTROL, PERIODIC32, 8 * MS);
    assert_int_equal(vpit_next_irq_event(&e->pit), 18 * MS);
    /* The third timer is left alone (Linux: "Failed to initialize timer@13000200: -22"). */
    wr(e, 2, PIT_CONTROL, 0, 0);
    assert_int_equal(rd(e, 2, PIT_VALUE, SEC), 0);
}

static void test_sub_word(void **state)
{
    struct env *e = *state;
    wr(e, 1, PIT_LOAD, 0x12345678, 0);
    assert_int_equal(vbus_read(&e->bus, BASE + 0x100 + PIT_LOAD + 2, 2, 0), 0x5678);
    assert_int_equal(vbus_read(&e->bus, BASE + 0x100 + PIT_CONTROL + 3, 1, 0), 0x20);
    vbus_write(&e->bus, BASE + 0x100 + PIT_BGLOAD + 1, 0xab, 1, 0);
    assert_int_equal(rd(e, 1, PIT_LOAD, 0), 0xab);
}

/* The division by reciprocal the timers use for long times: exact against the library's. */
static void test_div_recip_is_exact(void **state)
{
    (void)state;
    static const uint64_t divisors[] = { 1, 3, 41, 1000, 1001, 3906, 41666, 1000000000u,
                                         0xffffffffu, 0x100000000ull, 0xfffffffffffull };
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (unsigned i = 0; i < sizeof divisors / sizeof divisors[0]; i++) {
        uint64_t d = divisors[i], recip = UINT64_MAX / d;
        for (unsigned k = 0; k < 20000; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            uint64_t n = k < 8 ? (uint64_t[]){ 0, 1, d - 1, d, d + 1, UINT64_MAX, UINT64_MAX - 1,
                                               UINT64_MAX / d * d }[k]
                               : x >> (k % 64);
            if (vdev_div_recip(n, d, recip) != n / d)
                fail_msg("%llu / %llu: %llu, not %llu", (unsigned long long)n,
                         (unsigned long long)d,
                         (unsigned long long)vdev_div_recip(n, d, recip),
                         (unsigned long long)(n / d));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_div_recip_is_exact),
        cmocka_unit_test_setup(test_reset_values, setup),
        cmocka_unit_test_setup(test_bad_offsets, setup),
        cmocka_unit_test_setup(test_load_at_reset, setup),
        cmocka_unit_test_setup(test_periodic, setup),
        cmocka_unit_test_setup(test_one_shot, setup),
        cmocka_unit_test_setup(test_free_running_16, setup),
        cmocka_unit_test_setup(test_free_running_32, setup),
        cmocka_unit_test_setup(test_16bit_periodic_keeps_32bit_load, setup),
        cmocka_unit_test_setup(test_prescalers, setup),
        cmocka_unit_test_setup(test_prescaler_with_fraction, setup),
        cmocka_unit_test_setup(test_bgload_and_load, setup),
        cmocka_unit_test_setup(test_control_restarts_and_disable_freezes, setup),
        cmocka_unit_test_setup(test_zero_reload, setup),
        cmocka_unit_test_setup(test_interrupt_enable, setup),
        cmocka_unit_test_setup(test_independent_timers, setup),
        cmocka_unit_test_setup(test_count_has_no_side_effects, setup),
        cmocka_unit_test_setup(test_linux_sp804_sequences, setup),
        cmocka_unit_test_setup(test_sub_word, setup),
    };
    return cmocka_run_group_tests_name("vdev timers", tests, NULL, NULL);
}
