/* The assembled board: addresses, the device list, interrupt routing from every source to the
 * virtual CPU (primary, chained secondary, FIQ), virtual time through vboard_advance and
 * vboard_next_event, UART input and output, the reset request, unassigned regions, and two VMs'
 * boards side by side. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "vboard.h"

#define US  1000ull
#define MS  1000000ull
#define SEC 1000000000ull

struct vm_side {                     /* what a VMM would keep per VM */
    struct vboard board;
    unsigned logs, resets, line_changes;
    bool irq, fiq;
    char out[2][64];
    unsigned nout[2];
    const char *last_log_dev;
};

static void log_hook(void *ctx, const char *dev, const char *msg, uint32_t off, uint32_t val)
{
    (void)msg, (void)off, (void)val;
    struct vm_side *v = ctx;
    v->logs++;
    v->last_log_dev = dev;
}

static void tx_hook(void *ctx, unsigned uart, uint8_t byte)
{
    struct vm_side *v = ctx;
    assert_true(uart < 2);
    if (v->nout[uart] < sizeof(v->out[uart]))
        v->out[uart][v->nout[uart]++] = (char)byte;
}

static void cpu_hook(void *ctx, bool irq, bool fiq)
{
    struct vm_side *v = ctx;
    v->irq = irq;
    v->fiq = fiq;
    v->line_changes++;
}

static void reset_hook(void *ctx)
{
    ((struct vm_side *)ctx)->resets++;
}

static void init_vm(struct vm_side *v, uint32_t ram, uint64_t now)
{
    memset(v, 0, sizeof(*v));
    struct vboard_config cfg = {
        .ram_size = ram, .now = now, .rtc_seconds = 1234567,
        .hooks = { .ctx = v, .log = log_hook, .uart_tx = tx_hook, .cpu_lines = cpu_hook,
                   .reset_request = reset_hook },
    };
    vboard_init(&v->board, &cfg);
}

static int setup(void **state)
{
    static struct vm_side v;
    init_vm(&v, 128u << 20, 0);
    *state = &v;
    return 0;
}

static uint32_t rd(struct vm_side *v, uint32_t a, uint64_t now)
{
    return vboard_read(&v->board, a, 4, now);
}

static void wr(struct vm_side *v, uint32_t a, uint32_t val, uint64_t now)
{
    vboard_write(&v->board, a, val, 4, now);
}

static void test_every_device_answers(void **state)
{
    struct vm_side *v = *state;
    assert_int_equal(rd(v, VBOARD_CM_BASE + CM_ID, 0), 0x411a3001);
    assert_int_equal(rd(v, VBOARD_CM_BASE + CM_SDRAM, 0), 0x1112e);
    assert_int_equal(rd(v, VBOARD_CM_IRQ_BASE + 0x08, 0), 0);             /* CM_IRQ_ENSET */
    for (unsigned n = 0; n < 3; n++)
        assert_int_equal(rd(v, VBOARD_TIMER_BASE + n * 0x100 + PIT_CONTROL, 0), 0x20);
    assert_int_equal(rd(v, VBOARD_PIC_BASE + ICP_PIC_IRQ_ENABLESET, 0), 0);
    assert_int_equal(rd(v, VBOARD_RTC_BASE + PL031_DR, 0), 1234567);
    assert_int_equal(rd(v, VBOARD_RTC_BASE + 0xfe0, 0), 0x31);
    assert_int_equal(rd(v, VBOARD_UART0_BASE + 0xfe0, 0), 0x11);
    assert_int_equal(rd(v, VBOARD_UART1_BASE + 0xfe0, 0), 0x11);
    assert_int_equal(rd(v, VBOARD_UART0_BASE + PL011_FR, 0), 0x90);
    assert_int_equal(rd(v, VBOARD_SIC_BASE + ICP_PIC_IRQ_RAWSTAT, 0), 0);
    assert_int_equal(rd(v, VBOARD_CPCTRL_BASE + CP_IDFIELD, 0), 0x41034003);
    assert_int_equal(v->logs, 0);
    assert_false(v->board.cpu_irq);
    assert_false(v->board.cpu_fiq);
}

static void test_device_list(void **state)
{
    struct vm_side *v = *state;
    unsigned n;
    const struct vboard_device *d = vboard_devices(&n);
    assert_int_equal(n, 11);
    unsigned kinds[8] = { 0 };
    for (unsigned i = 0; i < n; i++) {
        kinds[d[i].kind]++;
        /* Every listed block is served by the bus (the CM's interrupt controller by the CM). */
        struct vdev *dev = vbus_find(&v->board.bus, d[i].base);
        assert_non_null(dev);
        assert_non_null(vbus_find(&v->board.bus, d[i].base + d[i].size - 1));
        assert_true(d[i].irq_parent == VBOARD_PARENT_NONE || d[i].irq_parent == VBOARD_PARENT_CPU
                    || d[i].irq >= 0);
        for (unsigned j = 0; j < i; j++)
            assert_true(strcmp(d[i].name, d[j].name) != 0);
        if (d[i].primecell)
            assert_int_equal(rd(v, d[i].base + 0xff0, 0), 0x0d);
    }
    assert_int_equal(kinds[VBOARD_DEV_TIMER], 3);
    assert_int_equal(kinds[VBOARD_DEV_UART], 2);
    assert_int_equal(kinds[VBOARD_DEV_PIC], 1);
    assert_int_equal(kinds[VBOARD_DEV_SIC], 1);
    assert_int_equal(kinds[VBOARD_DEV_RTC], 1);
    assert_int_equal(kinds[VBOARD_DEV_CORE_MODULE], 1);
    assert_int_equal(kinds[VBOARD_DEV_CM_IRQ], 1);
    assert_int_equal(kinds[VBOARD_DEV_CP_CTRL], 1);
    for (unsigned i = 0; i < n; i++) {
        if (d[i].kind == VBOARD_DEV_TIMER) {
            assert_int_equal(d[i].base, 0x13000000 + d[i].instance * 0x100);
            assert_int_equal(d[i].irq, 5 + (int)d[i].instance);
            assert_int_equal(d[i].clock_hz, d[i].instance == 0 ? 40000000 : 1000000);
        }
        if (d[i].kind == VBOARD_DEV_UART) {
            assert_int_equal(d[i].irq, 1 + (int)d[i].instance);
            assert_true(d[i].primecell);
        }
        if (d[i].kind == VBOARD_DEV_SIC) {
            assert_int_equal(d[i].irq_parent, VBOARD_PARENT_PIC);
            assert_int_equal(d[i].irq, 26);
        }
        if (d[i].kind == VBOARD_DEV_RTC)
            assert_int_equal(d[i].irq, 8);
        if (d[i].kind == VBOARD_DEV_PIC)
            assert_int_equal(d[i].irq_parent, VBOARD_PARENT_CPU);
    }
}

static void test_uart_console(void **state)
{
    struct vm_side *v = *state;
    const char *hello = "ok\n";
    for (const char *p = hello; *p; p++)
        wr(v, VBOARD_UART0_BASE + PL011_DR, (uint8_t)*p, 0);
    wr(v, VBOARD_UART1_BASE + PL011_DR, '1', 0);
    assert_int_equal(v->nout[0], 3);
    assert_memory_equal(v->out[0], hello, 3);
    assert_int_equal(v->nout[1], 1);
    assert_int_equal(v->out[1][0], '1');
    /* Input: UART0 RX interrupt through the PIC (input 1) to the CPU's IRQ. */
    wr(v, VBOARD_UART0_BASE + PL011_IMSC, PL011_INT_RX, 0);
    wr(v, VBOARD_PIC_BASE + ICP_PIC_IRQ_ENABLESET, (1u << 1) | (1u << 2), 0);
    assert_false(v->irq);
    assert_int_equal(vboard_uart_rx_room(&v->board, 0), 1);
    assert_true(vboard_uart_rx(&v->board, 0, 'y'));
    assert_false(vboard_uart_rx(&v->board, 0, 'z'));      /* holding register full */
    assert_true(v->irq);
    assert_true(v->board.cpu_irq);
    assert_int_equal(rd(v, VBOARD_PIC_BASE + ICP_PIC_IRQ_STATUS, 0), 1u << 1);
    assert_int_equal(rd(v, VBOARD_UART0_BASE + PL011_DR, 0), 'y');
    assert_false(v->irq);
    assert_true(vboard_uart_rx(&v->board, 0, 'z'));
    assert_int_equal(rd(v, VBOARD_UART0_BASE + PL011_DR, 0), 'z');
    /* UART1 on input 2. */
    wr(v, VBOARD_UART1_BASE + PL011_IMSC, PL011_INT_TX, 0);
    assert_true(v->irq);
    assert_int_equal(rd(v, VBOARD_PIC_BASE + ICP_PIC_IRQ_STATUS, 0), 1u << 2);
    assert_false(vboard_uart_rx(&v->board, 2, 'x'));
    assert_int_equal(vboard_uart_rx_room(&v->board, 2), 0);
}

static void test_timer_to_cpu_on_virtual_time(void **state)
{
    struct vm_side *v = *state;
    /* Linux's clock event: timer 1, one-shot, 5 ms, on PIC input 6. */
    wr(v, VBOARD_PIC_BASE + ICP_PIC_IRQ_ENABLESET, 1u << 6, 0);
    wr(v, VBOARD_TIMER_BASE + 0x100 + PIT_LOAD, 5000, 1 * MS);
    wr(v, VBOARD_TIMER_BASE + 0x100 + PIT_CONTROL,
       PIT_CTRL_32BIT | PIT_CTRL_IE | PIT_CTRL_ONESHOT | PIT_CTRL_ENABLE, 1 * MS);
    /* Linux's clock source: timer 0, free-running periodic without interrupt. */
    wr(v, VBOARD_TIMER_BASE + PIT_LOAD, 0xffffffff, 1 * MS);
    wr(v, VBOARD_TIMER_BASE + PIT_CONTROL,
       PIT_CTRL_32BIT | PIT_CTRL_ENABLE | PIT_CTRL_PERIODIC, 1 * MS);
    assert_int_equal(vboard_next_event(&v->board), 6 * MS);
    /* Nothing before the deadline, however often the VMM looks. */
    for (uint64_t t = 1 * MS; t < 6 * MS; t += 250 * US)
        vboard_advance(&v->board, t);
    vboard_advance(&v->board, 6 * MS - 1);
    assert_false(v->irq);
    assert_int_equal(v->line_changes, 0);
    /* At the deadline the line reaches the CPU. */
    vboard_advance(&v->board, 6 * MS);
    assert_true(v->irq);
    assert_false(v->fiq);
    assert_int_equal(v->line_changes, 1);
    assert_int_equal(vboard_next_event(&v->board), VTIME_NEVER);
    assert_int_equal(rd(v, VBOARD_PIC_BASE + ICP_PIC_IRQ_STATUS, 6 * MS + 3 * US), 1u << 6);
    wr(v, VBOARD_TIMER_BASE + 0x100 + PIT_INTCLR, 1, 6 * MS + 5 * US);
    assert_false(v->irq);
    assert_int_equal(v->line_changes, 2);
    /* Timer 0 kept counting all along. */
    assert_int_equal(rd(v, VBOARD_TIMER_BASE + PIT_VALUE, 2 * MS), 0xffffffffu - 40000);
}

static void test_access_processes_due_events(void **state)
{
    struct vm_side *v = *state;
    /* A periodic timer 2 (IRQ 7) as FIQ: a register access after the deadline sees the expiry
     * even if the VMM never called vboard_advance(). */
    wr(v, VBOARD_PIC_BASE + ICP_PIC_FIQ_ENABLESET, 1u << 7, 0);
    wr(v, VBOARD_TIMER_BASE + 0x200 + PIT_LOAD, 100, 0);
    wr(v, VBOARD_TIMER_BASE + 0x200 + PIT_CONTROL,
       PIT_CTRL_32BIT | PIT_CTRL_IE | PIT_CTRL_PERIODIC | PIT_CTRL_ENABLE, 0);
    assert_int_equal(rd(v, VBOARD_PIC_BASE + ICP_PIC_FIQ_STATUS, 150 * US), 1u << 7);
    assert_true(v->fiq);
    assert_false(v->irq);
    assert_int_equal(rd(v, VBOARD_TIMER_BASE + 0x200 + PIT_VALUE, 150 * US), 50);
}

static void test_rtc_to_cpu(void **state)
{
    struct vm_side *v = *state;
    wr(v, VBOARD_PIC_BASE + ICP_PIC_IRQ_ENABLESET, 1u << 8, 0);
    wr(v, VBOARD_RTC_BASE + PL031_IMSC, 1, 0);
    wr(v, VBOARD_RTC_BASE + PL031_MR, 1234567 + 2, 0);
    assert_int_equal(vboard_next_event(&v->board), 2 * SEC);
    vboard_advance(&v->board, 2 * SEC);
    assert_true(v->irq);
    wr(v, VBOARD_RTC_BASE + PL031_ICR, 1, 2 * SEC);
    assert_false(v->irq);
}

static void test_next_event_is_earliest(void **state)
{
    struct vm_side *v = *state;
    wr(v, VBOARD_RTC_BASE + PL031_IMSC, 1, 0);
    wr(v, VBOARD_RTC_BASE + PL031_MR, 1234567 + 1, 0);
    wr(v, VBOARD_TIMER_BASE + 0x100 + PIT_LOAD, 300, 0);
    wr(v, VBOARD_TIMER_BASE + 0x100 + PIT_CONTROL,
       PIT_CTRL_32BIT | PIT_CTRL_IE | PIT_CTRL_PERIODIC | PIT_CTRL_ENABLE, 0);
    assert_int_equal(vboard_next_event(&v->board), 300 * US);
    vboard_advance(&v->board, 300 * US);
    /* Timer pending: the RTC comes next. */
    assert_int_equal(vboard_next_event(&v->board), SEC);
    wr(v, VBOARD_TIMER_BASE + 0x100 + PIT_INTCLR, 1, 400 * US);
    assert_int_equal(vboard_next_event(&v->board), 600 * US);
}

static void test_sic_chain_and_soft_interrupts(void **state)
{
    struct vm_side *v = *state;
    /* Soft interrupt of the primary, as IRQ then FIQ. */
    wr(v, VBOARD_PIC_BASE + ICP_PIC_IRQ_ENABLESET, 1, 0);
    wr(v, VBOARD_PIC_BASE + ICP_PIC_INT_SOFTSET, 1, 0);
    assert_true(v->irq);
    wr(v, VBOARD_PIC_BASE + ICP_PIC_IRQ_ENABLECLR, 1, 0);
    assert_false(v->irq);
    wr(v, VBOARD_PIC_BASE + ICP_PIC_FIQ_ENABLESET, 1, 0);
    assert_true(v->fiq);
    wr(v, VBOARD_PIC_BASE + ICP_PIC_INT_SOFTCLR, 1, 0);
    assert_false(v->fiq);
    /* The secondary's soft interrupt reaches the CPU through PIC input 26. */
    wr(v, VBOARD_SIC_BASE + ICP_PIC_IRQ_ENABLESET, 1, 0);
    wr(v, VBOARD_SIC_BASE + ICP_PIC_INT_SOFTSET, 1, 0);
    assert_int_equal(rd(v, VBOARD_PIC_BASE + ICP_PIC_IRQ_RAWSTAT, 0), 1u << 26);
    assert_false(v->irq);
    wr(v, VBOARD_PIC_BASE + ICP_PIC_IRQ_ENABLESET, 1u << 26, 0);
    assert_true(v->irq);
    wr(v, VBOARD_SIC_BASE + ICP_PIC_INT_SOFTCLR, 1, 0);
    assert_false(v->irq);
    /* The core module's soft interrupt reaches nothing (QEMU leaves its outputs unconnected). */
    wr(v, VBOARD_CM_IRQ_BASE + 0x08, 1, 0);       /* CM_IRQ_ENSET */
    wr(v, VBOARD_CM_IRQ_BASE + 0x10, 1, 0);       /* CM_SOFT_INTSET */
    assert_int_equal(rd(v, VBOARD_CM_IRQ_BASE + 0x00, 0), 1);
    assert_false(v->irq);
    assert_false(v->fiq);
    assert_int_equal(v->logs, 1);
    assert_string_equal(v->last_log_dev, "core module");
}

static void test_reset_request(void **state)
{
    struct vm_side *v = *state;
    assert_false(vboard_reset_requested(&v->board));
    /* Linux 6.1's integrator restart: unlock CM_LOCK, set the reset bit in CM_CTRL. */
    wr(v, VBOARD_CM_BASE + CM_LOCK, CM_LOCK_KEY, 0);
    uint32_t ctrl = rd(v, VBOARD_CM_BASE + CM_CTRL, 0);
    wr(v, VBOARD_CM_BASE + CM_CTRL, ctrl | CM_CTRL_RESET, 0);
    assert_int_equal(v->resets, 1);
    assert_true(vboard_reset_requested(&v->board));
}

static void test_refcnt_through_board(void **state)
{
    struct vm_side *v = *state;
    assert_int_equal(rd(v, VBOARD_CM_BASE + CM_REFCNT, 0), 0);
    assert_int_equal(rd(v, VBOARD_CM_BASE + CM_REFCNT, 10 * MS), 240000);
    assert_int_equal(rd(v, VBOARD_CM_BASE + CM_REFCNT, 2 * SEC), 48000000);
}

/* A quiet read (the VMM's quick device reads): the same value as vboard_read() where reading
 * changes nothing, and nothing done where it could (a UART, an expiry due, a misaligned or
 * unassigned address). */
static void test_quiet_reads(void **state)
{
    struct vm_side *v = *state;
    uint32_t value = 0xdead;
    assert_true(vboard_read_quiet(&v->board, VBOARD_CM_BASE + CM_REFCNT, 10 * MS, &value));
    assert_int_equal(value, 240000);
    assert_true(vboard_read_quiet(&v->board, VBOARD_CM_BASE + CM_ID, 10 * MS, &value));
    assert_int_equal(value, rd(v, VBOARD_CM_BASE + CM_ID, 10 * MS));
    value = 0xdead;
    assert_false(vboard_read_quiet(&v->board, VBOARD_UART0_BASE, 10 * MS, &value));
    assert_false(vboard_read_quiet(&v->board, VBOARD_CM_BASE + CM_REFCNT + 2, 10 * MS, &value));
    assert_false(vboard_read_quiet(&v->board, 0x20000000u, 10 * MS, &value));
    assert_int_equal(value, 0xdead);
    /* a periodic timer with its interrupt enabled: quiet before its expiry, not at it */
    wr(v, VBOARD_PIC_BASE + ICP_PIC_IRQ_ENABLESET, 1u << 7, 10 * MS);
    wr(v, VBOARD_TIMER_BASE + 0x200 + PIT_LOAD, 100, 10 * MS);
    wr(v, VBOARD_TIMER_BASE + 0x200 + PIT_CONTROL,
       PIT_CTRL_32BIT | PIT_CTRL_IE | PIT_CTRL_PERIODIC | PIT_CTRL_ENABLE, 10 * MS);
    assert_true(vboard_read_quiet(&v->board, VBOARD_TIMER_BASE + 0x200 + PIT_VALUE,
                                  10 * MS + 40 * US, &value));
    assert_int_equal(value, 60);
    assert_false(vboard_read_quiet(&v->board, VBOARD_TIMER_BASE + 0x200 + PIT_VALUE,
                                   10 * MS + 100 * US, &value));
    assert_int_equal(v->line_changes, 0);
    assert_int_equal(v->logs, 0);
}

static void test_unassigned(void **state)
{
    struct vm_side *v = *state;
    /* QEMU devices the board does not emulate (KMI, debug LEDs, MMC, CLCD) and holes: zero. */
    assert_int_equal(rd(v, 0x18000000, 0), 0);
    assert_int_equal(rd(v, 0x18000004, 0), 0);
    assert_int_equal(rd(v, 0x1a000000, 0), 0);
    wr(v, 0x1c000000, 1, 0);
    assert_int_equal(rd(v, 0xc0000000, 0), 0);
    assert_int_equal(rd(v, 0x13001000, 0), 0);     /* just past the timers */
    assert_int_equal(rd(v, 0x12000000, 0), 0);     /* EBI */
    assert_int_equal(v->logs, 6);        /* once per 1 MB: 0x180, 0x1a0, 0x1c0, 0xc00, 0x130, 0x120 */
    assert_int_equal(rd(v, 0x18000008, 0), 0);
    assert_int_equal(v->logs, 6);
}

static void test_boards_are_independent(void **state)
{
    (void)state;
    static struct vm_side a, b;
    init_vm(&a, 64u << 20, 0);
    init_vm(&b, 256u << 20, 7 * SEC);
    assert_int_equal(rd(&a, VBOARD_CM_BASE + CM_SDRAM, 0), 0x1112a);
    assert_int_equal(rd(&b, VBOARD_CM_BASE + CM_SDRAM, 7 * SEC), 0x11132);
    wr(&a, VBOARD_PIC_BASE + ICP_PIC_IRQ_ENABLESET, 1, 0);
    wr(&a, VBOARD_PIC_BASE + ICP_PIC_INT_SOFTSET, 1, 0);
    wr(&a, VBOARD_UART0_BASE + PL011_DR, 'a', 0);
    wr(&b, VBOARD_UART0_BASE + PL011_DR, 'b', 7 * SEC);
    assert_true(a.irq);
    assert_false(b.irq);
    assert_int_equal(rd(&b, VBOARD_PIC_BASE + ICP_PIC_IRQ_ENABLESET, 7 * SEC), 0);
    assert_int_equal(a.nout[0], 1);
    assert_int_equal(a.out[0][0], 'a');
    assert_int_equal(b.nout[0], 1);
    assert_int_equal(b.out[0][0], 'b');
    /* Each on its own virtual time: B's counter starts at B's power-on. */
    assert_int_equal(rd(&a, VBOARD_CM_BASE + CM_REFCNT, 8 * SEC), 8u * 24000000);
    assert_int_equal(rd(&b, VBOARD_CM_BASE + CM_REFCNT, 8 * SEC), 24000000);
    wr(&b, VBOARD_TIMER_BASE + PIT_LOAD, 10, 8 * SEC);
    assert_int_equal(rd(&a, VBOARD_TIMER_BASE + PIT_LOAD, 8 * SEC), 0);
}

static void test_advance_is_lazy(void **state)
{
    struct vm_side *v = *state;
    assert_int_equal(v->board.due, VTIME_NEVER);
    wr(v, VBOARD_TIMER_BASE + PIT_LOAD, 40, 0);
    wr(v, VBOARD_TIMER_BASE + PIT_CONTROL,
       PIT_CTRL_32BIT | PIT_CTRL_ENABLE | PIT_CTRL_PERIODIC, 0);
    assert_int_equal(v->board.due, 1 * US);        /* 40 counts at 40 MHz */
    vboard_advance(&v->board, 999);
    assert_int_equal(v->board.due, 1 * US);
    vboard_advance(&v->board, 10 * US + 500);
    assert_int_equal(v->board.due, 11 * US);
    /* No interrupt enabled: nothing for the VMM to wait for. */
    assert_int_equal(vboard_next_event(&v->board), VTIME_NEVER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_every_device_answers, setup),
        cmocka_unit_test_setup(test_device_list, setup),
        cmocka_unit_test_setup(test_uart_console, setup),
        cmocka_unit_test_setup(test_timer_to_cpu_on_virtual_time, setup),
        cmocka_unit_test_setup(test_access_processes_due_events, setup),
        cmocka_unit_test_setup(test_rtc_to_cpu, setup),
        cmocka_unit_test_setup(test_next_event_is_earliest, setup),
        cmocka_unit_test_setup(test_sic_chain_and_soft_interrupts, setup),
        cmocka_unit_test_setup(test_reset_request, setup),
        cmocka_unit_test_setup(test_refcnt_through_board, setup),
        cmocka_unit_test_setup(test_quiet_reads, setup),
        cmocka_unit_test_setup(test_unassigned, setup),
        cmocka_unit_test(test_boards_are_independent),
        cmocka_unit_test_setup(test_advance_is_lazy, setup),
    };
    return cmocka_run_group_tests_name("vdev board", tests, NULL, NULL);
}
