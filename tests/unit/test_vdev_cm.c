/* The core module (registers, lock, reset request, the 24 MHz reference counter, SPD window,
 * its interrupt controller) and the CP control registers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "icp_ctrl.h"
#include "integrator_cm.h"

#define CM 0x10000000u
#define CP 0xcb000000u
#define SEC 1000000000ull

struct env {
    struct vdev_hooks hooks;
    struct vbus bus;
    struct vcm cm;
    struct vcpctrl cp;
    unsigned logs, resets;
    bool mmc;
};

static void log_hook(void *ctx, const char *dev, const char *msg, uint32_t off, uint32_t val)
{
    (void)dev, (void)msg, (void)off, (void)val;
    ((struct env *)ctx)->logs++;
}

static void reset_hook(void *ctx)
{
    ((struct env *)ctx)->resets++;
}

static void mmc_line(void *target, unsigned line, bool level)
{
    assert_int_equal(line, 3);
    ((struct env *)target)->mmc = level;
}

static void init_env(struct env *e, uint32_t ram_size, uint64_t now)
{
    memset(e, 0, sizeof(*e));
    e->hooks = (struct vdev_hooks){ .ctx = e, .log = log_hook, .reset_request = reset_hook };
    vbus_init(&e->bus, &e->hooks);
    vcm_init(&e->cm, CM, ram_size, now, &e->hooks, (struct virq){ 0 }, (struct virq){ 0 });
    vcpctrl_init(&e->cp, CP, &e->hooks, (struct virq){ mmc_line, e, 3 });
    assert_true(vbus_add(&e->bus, &e->cm.dev));
    assert_true(vbus_add(&e->bus, &e->cp.dev));
}

static int setup(void **state)
{
    static struct env e;
    init_env(&e, 128u << 20, 0);
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
    assert_int_equal(rd(e, CM + CM_ID), 0x411a3001);
    assert_int_equal(rd(e, CM + CM_PROC), 0);
    assert_int_equal(rd(e, CM + CM_OSC), 0x01000048);
    assert_int_equal(rd(e, CM + CM_CTRL), 0);
    assert_int_equal(rd(e, CM + CM_STAT), 0x00100000);
    assert_int_equal(rd(e, CM + CM_LOCK), 0);
    assert_int_equal(rd(e, CM + CM_AUXOSC), 0x0007feff);
    assert_int_equal(rd(e, CM + CM_SDRAM), 0x0001112e);        /* 128 MB */
    assert_int_equal(rd(e, CM + CM_INIT), 0x00000112);
    assert_int_equal(rd(e, CM + CM_REFCNT), 0);
    assert_int_equal(rd(e, CM + CM_FLAGS), 0);
    assert_int_equal(rd(e, CM + CM_NVFLAGS), 0);
    assert_int_equal(rd(e, CM + CM_IRQ_STAT), 0);
    assert_int_equal(rd(e, CM + CM_IRQ_RSTAT), 0);
    assert_int_equal(rd(e, CM + CM_IRQ_ENSET), 0);
    assert_int_equal(rd(e, CM + CM_SOFT_INTSET), 0);
    assert_int_equal(rd(e, CM + CM_FIQ_STAT), 0);
    assert_int_equal(rd(e, CM + CM_FIQ_RSTAT), 0);
    assert_int_equal(rd(e, CM + CM_FIQ_ENSET), 0);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(rd(e, CM + CM_VOLTAGE_CTL0 + 4 * i), 0);
    assert_int_equal(e->logs, 0);
    assert_false(e->cm.reset_requested);
}

static void test_sdram_size_field(void **state)
{
    (void)state;
    static const struct { uint32_t mb, sdram; } cases[] = {
        { 16, 0x11122 }, { 32, 0x11126 }, { 64, 0x1112a }, { 100, 0x1112a },
        { 128, 0x1112e }, { 240, 0x1112e }, { 256, 0x11132 },
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct env e;
        init_env(&e, cases[i].mb << 20, 0);
        assert_int_equal(rd(&e, CM + CM_SDRAM), cases[i].sdram);
    }
}

static void test_unimplemented_offsets(void **state)
{
    struct env *e = *state;
    /* CM_LMBUSCNT, holes, write-only set/clear registers: zero, logged (QEMU: LOG_UNIMP). */
    static const uint32_t bad[] = { CM_LMBUSCNT, 0x2c, CM_FLAGSC, CM_NVFLAGSC, CM_IRQ_ENCLR,
                                    CM_SOFT_INTCLR, 0x58, 0x5c, CM_FIQ_ENCLR, 0x70, 0x7c, 0x90,
                                    0x200, 0x7ffffc };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(rd(e, CM + bad[i]), 0);
    assert_int_equal(e->logs, sizeof(bad) / sizeof(bad[0]));
    init_env(e, 128u << 20, 0);     /* a fresh log budget (VDEV_LOG_LIMIT per device) */
    /* Read-only registers: writes ignored and logged. */
    wr(e, CM + CM_ID, 1);
    wr(e, CM + CM_STAT, 1);
    wr(e, CM + CM_REFCNT, 1);
    wr(e, CM + CM_IRQ_STAT, 1);
    wr(e, CM + CM_SPD, 1);
    assert_int_equal(rd(e, CM + CM_ID), 0x411a3001);
    assert_int_equal(e->logs, 5);
    /* The voltage controls take writes silently and read zero. */
    wr(e, CM + CM_VOLTAGE_CTL0 + 8, 0xffff);
    assert_int_equal(rd(e, CM + CM_VOLTAGE_CTL0 + 8), 0);
    assert_int_equal(e->logs, 5);
    assert_ptr_equal(vbus_find(&e->bus, CM + 0x7fffff), &e->cm.dev);
    assert_null(vbus_find(&e->bus, CM + 0x800000));
}

static void test_spd_window(void **state)
{
    struct env *e = *state;
    /* QEMU indexes its SPD table with offset/4, so the window shows entries 64..95; 73..83 hold
     * "QEMU-MEMORY", one character per word. 0x180-0x1ff read zero. */
    const char *text = "QEMU-MEMORY";
    for (uint32_t off = 0x100; off < 0x200; off += 4) {
        uint32_t index = off / 4;
        uint32_t want = off < 0x180 && index >= 73 && index < 84 ? (uint8_t)text[index - 73] : 0;
        assert_int_equal(rd(e, CM + off), want);
    }
    assert_int_equal(vbus_read(&e->bus, CM + 0x125, 1, 0), 'Q');
    assert_int_equal(e->logs, 0);
}

static void test_lock_and_oscillators(void **state)
{
    struct env *e = *state;
    /* Locked: oscillator writes are ignored. */
    wr(e, CM + CM_OSC, 0x1234);
    wr(e, CM + CM_AUXOSC, 0x5678);
    assert_int_equal(rd(e, CM + CM_OSC), 0x01000048);
    assert_int_equal(rd(e, CM + CM_AUXOSC), 0x0007feff);
    /* Unlocked with the key (only the low 16 bits count): reads back with bit 16 set. */
    wr(e, CM + CM_LOCK, 0xffffa05f);
    assert_int_equal(rd(e, CM + CM_LOCK), 0x1a05f);
    wr(e, CM + CM_OSC, 0x1234);
    wr(e, CM + CM_AUXOSC, 0x5678);
    assert_int_equal(rd(e, CM + CM_OSC), 0x1234);
    assert_int_equal(rd(e, CM + CM_AUXOSC), 0x5678);
    /* Any other value locks again and reads back as written (low 16 bits). */
    wr(e, CM + CM_LOCK, 0x12340001);
    assert_int_equal(rd(e, CM + CM_LOCK), 0x0001);
    wr(e, CM + CM_OSC, 0x9999);
    assert_int_equal(rd(e, CM + CM_OSC), 0x1234);
    /* SDRAM and INIT need no unlock. */
    wr(e, CM + CM_SDRAM, 0xabcdef01);
    wr(e, CM + CM_INIT, 0x10203040);
    assert_int_equal(rd(e, CM + CM_SDRAM), 0xabcdef01);
    assert_int_equal(rd(e, CM + CM_INIT), 0x10203040);
    assert_int_equal(e->logs, 0);
}

static void test_ctrl_and_reset_request(void **state)
{
    struct env *e = *state;
    /* Only LED (bit 0) and REMAP (bit 2) are kept. */
    wr(e, CM + CM_CTRL, 0xfffffff7);
    assert_int_equal(rd(e, CM + CM_CTRL), CM_CTRL_LED | CM_CTRL_REMAP);
    wr(e, CM + CM_CTRL, 0);
    assert_int_equal(rd(e, CM + CM_CTRL), 0);
    assert_int_equal(e->resets, 0);
    /* Linux's restart: unlock, set the reset bit (which reads as zero). */
    wr(e, CM + CM_LOCK, CM_LOCK_KEY);
    wr(e, CM + CM_CTRL, rd(e, CM + CM_CTRL) | CM_CTRL_RESET | CM_CTRL_LED);
    assert_int_equal(e->resets, 1);
    assert_true(e->cm.reset_requested);
    assert_int_equal(rd(e, CM + CM_CTRL), CM_CTRL_LED);
}

static void test_reset_needs_no_unlock(void **state)
{
    struct env *e = *state;
    wr(e, CM + CM_CTRL, CM_CTRL_RESET);     /* QEMU does not check CM_LOCK here */
    assert_int_equal(e->resets, 1);
    assert_true(e->cm.reset_requested);
    struct vcm quiet;
    vcm_init(&quiet, CM, 0, 0, NULL, (struct virq){ 0 }, (struct virq){ 0 });
    quiet.dev.ops->write(&quiet.dev, CM_CTRL, CM_CTRL_RESET, 4, 0);   /* no hook: flag only */
    assert_true(quiet.reset_requested);
}

static void test_unaligned_like_qemu(void **state)
{
    struct env *e = *state;
    /* The values a probe guest reads on qemu-system-arm 7.2 (-M integratorcp):
     * LDR at CM+1 -> 0x00411a30 (CM_ID and CM_PROC combined), LDRH at CM+1 -> 0x0130 (two
     * halfword reads of CM_ID's low half), LDR at CM+0x26 -> CM_INIT >> 16 | CM_REFCNT << 16. */
    assert_int_equal(vbus_read(&e->bus, CM + 1, 4, 0), 0x00411a30);
    assert_int_equal(vbus_read(&e->bus, CM + 1, 2, 0), 0x0130);
    uint64_t now = 12345678;
    assert_int_equal(vbus_read(&e->bus, CM + 0x26, 4, now),
                     (0x112u >> 16) | (vcm_refcnt(&e->cm, now) << 16));
    assert_int_equal(e->logs, 0);
}

static void test_flags(void **state)
{
    struct env *e = *state;
    wr(e, CM + CM_FLAGS, 0x0f);
    wr(e, CM + CM_FLAGS, 0xf0);
    assert_int_equal(rd(e, CM + CM_FLAGS), 0xff);
    wr(e, CM + CM_FLAGSC, 0x3c);
    assert_int_equal(rd(e, CM + CM_FLAGS), 0xc3);
    wr(e, CM + CM_NVFLAGS, 0x80000001);
    assert_int_equal(rd(e, CM + CM_NVFLAGS), 0x80000001);
    wr(e, CM + CM_NVFLAGSC, 1);
    assert_int_equal(rd(e, CM + CM_NVFLAGS), 0x80000000);
    assert_int_equal(rd(e, CM + CM_FLAGS), 0xc3);
}

static void test_refcnt_rate(void **state)
{
    struct env *e = *state;
    assert_int_equal(vbus_read(&e->bus, CM + CM_REFCNT, 4, SEC), 24000000);
    assert_int_equal(vbus_read(&e->bus, CM + CM_REFCNT, 4, 1), 0);
    assert_int_equal(vbus_read(&e->bus, CM + CM_REFCNT, 4, 41), 0);
    assert_int_equal(vbus_read(&e->bus, CM + CM_REFCNT, 4, 42), 1);       /* 41.67 ns a count */
    assert_int_equal(vbus_read(&e->bus, CM + CM_REFCNT, 4, 125), 3);
    assert_int_equal(vbus_read(&e->bus, CM + CM_REFCNT, 4, 1000), 24);
    /* A byte or halfword inside it reads its low bits, as every register here (QEMU). */
    assert_int_equal(vbus_read(&e->bus, CM + CM_REFCNT + 1, 1, 1000), 24);
    assert_int_equal(vbus_read(&e->bus, CM + CM_REFCNT + 2, 2, 1000), 24);
    assert_int_equal(e->logs, 0);
    /* 32 bits wrap after 2^32 / 24 MHz = 178.9 s. */
    assert_int_equal(vbus_read(&e->bus, CM + CM_REFCNT, 4, 179 * SEC), (uint32_t)(179ull * 24000000));
    /* Counted from power-on. */
    struct env later;
    init_env(&later, 64u << 20, 5 * SEC + 17);
    assert_int_equal(vbus_read(&later.bus, CM + CM_REFCNT, 4, 5 * SEC + 17), 0);
    assert_int_equal(vbus_read(&later.bus, CM + CM_REFCNT, 4, 6 * SEC + 17), 24000000);
}

static uint32_t exact_24mhz(uint64_t ns)
{
    return (uint32_t)((unsigned __int128)ns * 24 / 1000);
}

static void test_refcnt_exact(void **state)
{
    (void)state;
    static const uint64_t edges[] = { 0, 1, 41, 42, 124, 125, 126, 249, 250, 999, 1000,
                                      0xffffffffull, 0x100000000ull, 0x7fffffffffffffffull,
                                      0x7fffffffffffff83ull, 0x4000000000000000ull,
                                      0x0123456789abcdefull, 0x8000000000000000ull,
                                      0xfedcba9876543210ull, 0xffffffffffffffffull };
    for (unsigned i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
        assert_int_equal(vtime_ns_to_24mhz(edges[i]), exact_24mhz(edges[i]));
    srand(1);
    for (unsigned i = 0; i < 200000; i++) {
        uint64_t ns = ((uint64_t)rand() << 42) ^ ((uint64_t)rand() << 21) ^ (uint64_t)rand();
        ns &= 0x7fffffffffffffffull >> (i % 40);
        assert_int_equal(vtime_ns_to_24mhz(ns), exact_24mhz(ns));
    }
    for (uint64_t ns = 0; ns < 3000; ns++)
        assert_int_equal(vtime_ns_to_24mhz(ns), exact_24mhz(ns));
}

static void test_cm_interrupt_controller(void **state)
{
    struct env *e = *state;
    wr(e, CM + CM_SOFT_INTSET, 0xfffffffe);    /* only bit 0 */
    assert_int_equal(rd(e, CM + CM_IRQ_RSTAT), 0);
    wr(e, CM + CM_SOFT_INTSET, 1);
    assert_int_equal(rd(e, CM + CM_SOFT_INTSET), 1);
    assert_int_equal(rd(e, CM + CM_IRQ_RSTAT), 1);
    assert_int_equal(rd(e, CM + CM_FIQ_RSTAT), 1);
    assert_int_equal(rd(e, CM + CM_IRQ_STAT), 0);
    assert_int_equal(e->logs, 0);
    wr(e, CM + CM_IRQ_ENSET, 0x7);
    assert_int_equal(rd(e, CM + CM_IRQ_ENSET), 0x7);
    assert_int_equal(rd(e, CM + CM_IRQ_STAT), 1);
    assert_true(vcm_irq_level(&e->cm));
    /* Its outputs are not connected (as in QEMU): logged. */
    assert_int_equal(e->logs, 1);
    wr(e, CM + CM_FIQ_ENSET, 0x1);
    assert_int_equal(rd(e, CM + CM_FIQ_STAT), 1);
    assert_true(vcm_fiq_level(&e->cm));
    wr(e, CM + CM_IRQ_ENCLR, 0x6);
    assert_int_equal(rd(e, CM + CM_IRQ_ENSET), 0x1);
    wr(e, CM + CM_FIQ_ENCLR, 0x1);
    assert_false(vcm_fiq_level(&e->cm));
    wr(e, CM + CM_SOFT_INTCLR, 1);
    assert_int_equal(rd(e, CM + CM_IRQ_RSTAT), 0);
    assert_false(vcm_irq_level(&e->cm));
}

struct lines { bool irq, fiq; };

static void cm_line(void *target, unsigned line, bool level)
{
    struct lines *l = target;
    if (line == 0)
        l->irq = level;
    else
        l->fiq = level;
}

static void test_cm_interrupt_outputs_when_wired(void **state)
{
    (void)state;
    struct lines l = { 0 };
    struct vcm cm;
    vcm_init(&cm, CM, 0, 0, NULL, (struct virq){ cm_line, &l, 0 }, (struct virq){ cm_line, &l, 1 });
    cm.dev.ops->write(&cm.dev, CM_SOFT_INTSET, 1, 4, 0);
    assert_false(l.irq);
    cm.dev.ops->write(&cm.dev, CM_IRQ_ENSET, 1, 4, 0);
    assert_true(l.irq);
    assert_false(l.fiq);
    cm.dev.ops->write(&cm.dev, CM_FIQ_ENSET, 1, 4, 0);
    assert_true(l.fiq);
    cm.dev.ops->write(&cm.dev, CM_SOFT_INTCLR, 1, 4, 0);
    assert_false(l.irq);
    assert_false(l.fiq);
}

static void test_cp_control(void **state)
{
    struct env *e = *state;
    assert_int_equal(rd(e, CP + CP_IDFIELD), 0x41034003);
    assert_int_equal(rd(e, CP + CP_FLASHPROG), 0);
    assert_int_equal(rd(e, CP + CP_INTREG), 0);
    assert_int_equal(rd(e, CP + CP_DECODE), 0x11);
    assert_int_equal(e->logs, 0);
    wr(e, CP + CP_FLASHPROG, 0xff);
    wr(e, CP + CP_DECODE, 0xff);
    assert_int_equal(rd(e, CP + CP_FLASHPROG), 0);
    assert_int_equal(rd(e, CP + CP_DECODE), 0x11);
    /* No MMC card: writing CP_INTREG acknowledges nothing; the line stays low. */
    wr(e, CP + CP_INTREG, CP_INTREG_CARDIN);
    assert_int_equal(rd(e, CP + CP_INTREG), 0);
    assert_false(e->mmc);
    e->cp.intreg = CP_INTREG_CARDIN | CP_INTREG_WPROT;
    wr(e, CP + CP_INTREG, CP_INTREG_WPROT);
    assert_int_equal(rd(e, CP + CP_INTREG), CP_INTREG_CARDIN | CP_INTREG_WPROT);
    wr(e, CP + CP_INTREG, CP_INTREG_CARDIN);
    assert_int_equal(rd(e, CP + CP_INTREG), CP_INTREG_WPROT);
    assert_int_equal(e->logs, 0);
    /* Bad offsets, and the read-only ID. */
    assert_int_equal(rd(e, CP + 0x10), 0);
    assert_int_equal(rd(e, CP + 0x7ffffc), 0);
    wr(e, CP + CP_IDFIELD, 0);
    wr(e, CP + 0x10, 0);
    assert_int_equal(rd(e, CP + CP_IDFIELD), 0x41034003);
    assert_int_equal(e->logs, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_reset_values, setup),
        cmocka_unit_test(test_sdram_size_field),
        cmocka_unit_test_setup(test_unimplemented_offsets, setup),
        cmocka_unit_test_setup(test_spd_window, setup),
        cmocka_unit_test_setup(test_lock_and_oscillators, setup),
        cmocka_unit_test_setup(test_ctrl_and_reset_request, setup),
        cmocka_unit_test_setup(test_reset_needs_no_unlock, setup),
        cmocka_unit_test_setup(test_unaligned_like_qemu, setup),
        cmocka_unit_test_setup(test_flags, setup),
        cmocka_unit_test_setup(test_refcnt_rate, setup),
        cmocka_unit_test(test_refcnt_exact),
        cmocka_unit_test_setup(test_cm_interrupt_controller, setup),
        cmocka_unit_test(test_cm_interrupt_outputs_when_wired),
        cmocka_unit_test_setup(test_cp_control, setup),
    };
    return cmocka_run_group_tests_name("vdev core module and CP control", tests, NULL, NULL);
}
