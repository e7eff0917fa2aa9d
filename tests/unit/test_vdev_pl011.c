/* PL011 UART model: every register's reset value, the PrimeCell IDs, transmit through the hook,
 * receive FIFO fed by the VMM, interrupts, QEMU 7.2's quirks, sub-word accesses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "pl011.h"

#define BASE 0x16000000u

struct env {
    struct vdev_hooks hooks;
    struct vbus bus;
    struct vpl011 u;
    unsigned logs;
    char tx[64];
    unsigned ntx, tx_uart;
    bool line;
    unsigned line_calls;
};

static void log_hook(void *ctx, const char *dev, const char *msg, uint32_t off, uint32_t val)
{
    (void)dev, (void)msg, (void)off, (void)val;
    ((struct env *)ctx)->logs++;
}

static void tx_hook(void *ctx, unsigned uart, uint8_t byte)
{
    struct env *e = ctx;
    e->tx_uart = uart;
    if (e->ntx < sizeof(e->tx))
        e->tx[e->ntx++] = (char)byte;
}

static void line_hook(void *target, unsigned line, bool level)
{
    struct env *e = target;
    assert_int_equal(line, 1);
    e->line = level;
    e->line_calls++;
}

static int setup(void **state)
{
    static struct env e;
    memset(&e, 0, sizeof(e));
    e.hooks = (struct vdev_hooks){ .ctx = &e, .log = log_hook, .uart_tx = tx_hook };
    vbus_init(&e.bus, &e.hooks);
    vpl011_init(&e.u, "uart0", BASE, 0, &e.hooks,
                (struct virq){ .set = line_hook, .target = &e, .line = 1 });
    assert_true(vbus_add(&e.bus, &e.u.dev));
    *state = &e;
    return 0;
}

static uint32_t rd(struct env *e, uint32_t off)
{
    return vbus_read(&e->bus, BASE + off, 4, 0);
}

static void wr(struct env *e, uint32_t off, uint32_t v)
{
    vbus_write(&e->bus, BASE + off, v, 4, 0);
}

static void test_reset_values(void **state)
{
    struct env *e = *state;
    assert_int_equal(rd(e, PL011_RSR), 0);
    assert_int_equal(rd(e, PL011_FR), PL011_FR_TXFE | PL011_FR_RXFE);      /* 0x90 */
    assert_int_equal(rd(e, PL011_ILPR), 0);
    assert_int_equal(rd(e, PL011_IBRD), 0);
    assert_int_equal(rd(e, PL011_FBRD), 0);
    assert_int_equal(rd(e, PL011_LCR_H), 0);
    assert_int_equal(rd(e, PL011_CR), 0x300);
    assert_int_equal(rd(e, PL011_IFLS), 0x12);
    assert_int_equal(rd(e, PL011_IMSC), 0);
    assert_int_equal(rd(e, PL011_RIS), 0);
    assert_int_equal(rd(e, PL011_MIS), 0);
    assert_int_equal(rd(e, PL011_DMACR), 0);
    assert_int_equal(rd(e, PL011_DR), 0);           /* empty: the (zero) slot at the read position */
    assert_int_equal(rd(e, PL011_FR), 0x90);
    assert_int_equal(vpl011_rx_room(&e->u), 1);
    assert_false(vpl011_irq_level(&e->u));
    assert_int_equal(e->logs, 0);
}

static void test_id_registers(void **state)
{
    struct env *e = *state;
    static const uint32_t id[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };
    for (unsigned i = 0; i < 8; i++) {
        assert_int_equal(rd(e, 0xfe0 + 4 * i), id[i]);
        /* Linux's AMBA bus reads words; a byte read gets the same low byte. */
        assert_int_equal(vbus_read(&e->bus, BASE + 0xfe0 + 4 * i, 1, 0), id[i]);
    }
    /* Writes to the ID block are bad offsets: ignored. */
    wr(e, 0xfe0, 0x55);
    assert_int_equal(rd(e, 0xfe0), 0x11);
    assert_int_equal(e->logs, 1);
}

static void test_bad_offsets(void **state)
{
    struct env *e = *state;
    static const uint32_t bad[] = { 0x08, 0x0c, 0x10, 0x14, 0x1c, 0x44, 0x4c, 0x100, 0xfdc };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(rd(e, bad[i]), 0);
    assert_int_equal(e->logs, sizeof(bad) / sizeof(bad[0]));   /* ICR (0x44) is write-only */
    wr(e, 0x08, 1);
    wr(e, 0x3c, 0xffffffff);         /* RIS is read-only */
    wr(e, 0x40, 0xffffffff);         /* MIS too */
    assert_int_equal(rd(e, PL011_RIS), 0);
    assert_int_equal(e->logs, sizeof(bad) / sizeof(bad[0]) + 3);
}

static void test_plain_registers(void **state)
{
    struct env *e = *state;
    /* QEMU 7.2 keeps whatever is written, all 32 bits. */
    static const uint32_t regs[] = { PL011_ILPR, PL011_IBRD, PL011_FBRD, PL011_CR, PL011_IFLS };
    for (unsigned i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
        wr(e, regs[i], 0xdead0000 | regs[i]);
        assert_int_equal(rd(e, regs[i]), 0xdead0000 | regs[i]);
    }
    wr(e, PL011_LCR_H, 0x70);
    assert_int_equal(rd(e, PL011_LCR_H), 0x70);
    wr(e, PL011_DMACR, 0x4);
    assert_int_equal(rd(e, PL011_DMACR), 0x4);
    assert_int_equal(e->logs, 0);
    wr(e, PL011_DMACR, 0x3);         /* DMA is not implemented: stored, logged */
    assert_int_equal(rd(e, PL011_DMACR), 0x3);
    assert_int_equal(e->logs, 1);
    wr(e, PL011_FR, 0);              /* read-only, silently */
    assert_int_equal(rd(e, PL011_FR), 0x90);
    assert_int_equal(e->logs, 1);
    /* CR's enable bits change nothing: a disabled UART still sends. */
    wr(e, PL011_CR, 0);
    wr(e, PL011_DR, 'x');
    assert_int_equal(e->ntx, 1);
}

static void test_transmit(void **state)
{
    struct env *e = *state;
    const char *msg = "Hello\n";
    for (const char *p = msg; *p; p++) {
        wr(e, PL011_DR, (uint32_t)(uint8_t)*p | 0xabcd00);      /* only the low byte is sent */
        assert_int_equal(rd(e, PL011_FR) & (PL011_FR_TXFF | PL011_FR_TXFE), PL011_FR_TXFE);
    }
    assert_int_equal(e->ntx, strlen(msg));
    assert_memory_equal(e->tx, msg, strlen(msg));
    assert_int_equal(e->tx_uart, 0);
    /* Each byte sets the raw TX interrupt; masked, the line stays low. */
    assert_int_equal(rd(e, PL011_RIS), PL011_INT_TX);
    assert_int_equal(rd(e, PL011_MIS), 0);
    assert_false(e->line);
    wr(e, PL011_IMSC, PL011_INT_TX);
    assert_true(e->line);
    assert_int_equal(rd(e, PL011_MIS), PL011_INT_TX);
    wr(e, PL011_ICR, PL011_INT_TX);
    assert_false(e->line);
    assert_int_equal(rd(e, PL011_RIS), 0);
    /* Not raised again until the next byte, although the FIFO is empty (QEMU). */
    assert_int_equal(rd(e, PL011_MIS), 0);
    wr(e, PL011_DR, '!');
    assert_true(e->line);
    wr(e, PL011_IMSC, 0);
    assert_false(e->line);
    assert_int_equal(rd(e, PL011_RIS), PL011_INT_TX);
}

static void test_receive_no_fifo(void **state)
{
    struct env *e = *state;
    wr(e, PL011_IMSC, PL011_INT_RX);
    assert_false(e->line);
    assert_true(vpl011_rx(&e->u, 'a'));
    /* One character fills the holding register. */
    assert_int_equal(rd(e, PL011_FR), PL011_FR_TXFE | PL011_FR_RXFF);
    assert_int_equal(vpl011_rx_room(&e->u), 0);
    assert_false(vpl011_rx(&e->u, 'b'));
    assert_int_equal(rd(e, PL011_RIS), PL011_INT_RX);
    assert_int_equal(rd(e, PL011_MIS), PL011_INT_RX);
    assert_true(e->line);
    assert_int_equal(rd(e, PL011_DR), 'a');
    assert_int_equal(rd(e, PL011_FR), 0x90);
    assert_int_equal(rd(e, PL011_RIS), 0);
    assert_false(e->line);
    assert_int_equal(vpl011_rx_room(&e->u), 1);
    /* Reading an empty receiver returns the stale FIFO slot at the read position (here never
     * written: zero) and changes nothing. */
    assert_int_equal(rd(e, PL011_DR), 0);
    assert_int_equal(rd(e, PL011_FR), 0x90);
    assert_true(vpl011_rx(&e->u, 'b'));
    assert_int_equal(rd(e, PL011_DR), 'b');
}

static void test_receive_fifo(void **state)
{
    struct env *e = *state;
    wr(e, PL011_LCR_H, PL011_LCR_FEN | 0x60);
    wr(e, PL011_IMSC, PL011_INT_RX);
    assert_int_equal(vpl011_rx_room(&e->u), 16);
    for (unsigned i = 0; i < 16; i++) {
        assert_true(vpl011_rx(&e->u, (uint8_t)('A' + i)));
        assert_int_equal(rd(e, PL011_FR) & PL011_FR_RXFF, i == 15 ? PL011_FR_RXFF : 0);
        assert_int_equal(rd(e, PL011_FR) & PL011_FR_RXFE, 0);
    }
    assert_false(vpl011_rx(&e->u, 'x'));
    assert_int_equal(vpl011_rx_room(&e->u), 0);
    assert_true(e->line);
    for (unsigned i = 0; i < 16; i++) {
        assert_int_equal(rd(e, PL011_DR), 'A' + i);
        assert_int_equal(rd(e, PL011_FR) & PL011_FR_RXFF, 0);
        /* The RX interrupt (trigger level 1) stays up until the FIFO is empty. */
        assert_int_equal(e->line, i < 15);
    }
    assert_int_equal(rd(e, PL011_FR), 0x90);
    /* The ring wraps: more bytes after a full round. */
    assert_true(vpl011_rx(&e->u, '1'));
    assert_true(vpl011_rx(&e->u, '2'));
    assert_int_equal(rd(e, PL011_DR), '1');
    assert_int_equal(rd(e, PL011_DR), '2');
}

static void test_receive_interrupt_quirks(void **state)
{
    struct env *e = *state;
    wr(e, PL011_LCR_H, PL011_LCR_FEN);
    wr(e, PL011_IMSC, PL011_INT_RX | PL011_INT_RT);
    /* The trigger level is always one character, whatever IFLS says (QEMU). */
    wr(e, PL011_IFLS, 0x3f);
    vpl011_rx(&e->u, 'a');
    assert_true(e->line);
    vpl011_rx(&e->u, 'b');
    /* Clearing RX with data still queued: it stays clear until the FIFO drains and refills. */
    wr(e, PL011_ICR, PL011_INT_RX);
    assert_false(e->line);
    vpl011_rx(&e->u, 'c');
    assert_false(e->line);
    assert_int_equal(rd(e, PL011_DR), 'a');
    assert_int_equal(rd(e, PL011_DR), 'b');
    assert_int_equal(rd(e, PL011_DR), 'c');
    vpl011_rx(&e->u, 'd');
    assert_true(e->line);
    /* Toggling FEN empties the FIFO but leaves the flags (QEMU 7.2): FR still says "not empty"
     * until the next data read. */
    wr(e, PL011_LCR_H, 0);
    assert_int_equal(rd(e, PL011_FR) & PL011_FR_RXFE, 0);
    assert_int_equal(vpl011_rx_room(&e->u), 1);
    rd(e, PL011_DR);
    assert_int_equal(rd(e, PL011_FR) & PL011_FR_RXFE, PL011_FR_RXFE);
    /* The RT (timeout) interrupt is never raised. */
    assert_int_equal(rd(e, PL011_RIS) & PL011_INT_RT, 0);
}

/* The VMM's side of input: a queue it refills from when the guest reads the data register. */
static const char *pending;

static void refill(void *ctx, unsigned uart)
{
    struct env *e = ctx;
    assert_int_equal(uart, 0);
    while (*pending && vpl011_rx(&e->u, (uint8_t)*pending))
        pending++;
}

static void test_refill_on_read(void **state)
{
    struct env *e = *state;
    e->hooks.uart_rx_ready = refill;
    pending = "xyz";
    refill(e, 0);
    /* Without FIFOs one character at a time; each data read makes room and the next one is
     * there within the same access (a probe on QEMU 7.2 reads FR 0xc0 right after each read). */
    assert_int_equal(rd(e, PL011_FR), PL011_FR_TXFE | PL011_FR_RXFF);
    assert_int_equal(rd(e, PL011_DR), 'x');
    assert_int_equal(rd(e, PL011_FR), PL011_FR_TXFE | PL011_FR_RXFF);
    assert_int_equal(rd(e, PL011_DR), 'y');
    assert_int_equal(rd(e, PL011_DR), 'z');
    assert_int_equal(rd(e, PL011_FR), 0x90);
    assert_int_equal(*pending, 0);
    e->hooks.uart_rx_ready = NULL;
}

static void test_fifo_enable_with_data_like_qemu(void **state)
{
    struct env *e = *state;
    /* The sequence of a probe on qemu-system-arm 7.2 with "xyz" on the console: one character
     * waits (FIFOs off), the guest enables the FIFOs, then reads. Printed there: FR c0 c0, DR 78,
     * FR 80, DR 79, FR 80. */
    e->hooks.uart_rx_ready = refill;
    pending = "xyz";
    refill(e, 0);
    assert_int_equal(rd(e, PL011_FR), 0xc0);
    wr(e, PL011_LCR_H, PL011_LCR_FEN);
    assert_int_equal(rd(e, PL011_FR), 0xc0);      /* the flags are stale */
    assert_int_equal(rd(e, PL011_DR), 'x');       /* the emptied FIFO's slot still holds 'x' */
    assert_int_equal(rd(e, PL011_FR), 0x80);
    assert_int_equal(rd(e, PL011_DR), 'y');
    assert_int_equal(rd(e, PL011_FR), 0x80);
    assert_int_equal(rd(e, PL011_DR), 'z');
    assert_int_equal(rd(e, PL011_FR), 0x90);
    e->hooks.uart_rx_ready = NULL;
}

static void test_break_and_status(void **state)
{
    struct env *e = *state;
    assert_true(vpl011_rx_break(&e->u));
    assert_false(vpl011_rx_break(&e->u));          /* no room without FIFOs */
    assert_int_equal(rd(e, PL011_DR), PL011_DR_BE);
    assert_int_equal(rd(e, PL011_RSR), PL011_DR_BE >> 8);   /* BE in the receive status */
    wr(e, PL011_RSR, 0);                            /* error clear */
    assert_int_equal(rd(e, PL011_RSR), 0);
    vpl011_rx(&e->u, 'z');
    assert_int_equal(rd(e, PL011_DR), 'z');
    assert_int_equal(rd(e, PL011_RSR), 0);
}

static void test_sub_word_accesses(void **state)
{
    struct env *e = *state;
    vpl011_rx(&e->u, 'q');
    /* QEMU 7.2 hands the device offset and size unchanged and the device decodes offset >> 2:
     * a byte read at DR+1 is a data read (it consumes the character) and returns its low byte. */
    assert_int_equal(vbus_read(&e->bus, BASE + 1, 1, 0), 'q');
    assert_int_equal(rd(e, PL011_FR), 0x90);
    /* A halfword read of FR's upper half returns FR's low half. */
    assert_int_equal(vbus_read(&e->bus, BASE + PL011_FR + 2, 2, 0), 0x90);
    assert_int_equal(vbus_read(&e->bus, BASE + PL011_CR + 1, 1, 0), 0x00);
    assert_int_equal(vbus_read(&e->bus, BASE + PL011_CR, 2, 0), 0x300);
    /* A byte write to DR+3 sends that byte. */
    vbus_write(&e->bus, BASE + 3, 'k', 1, 0);
    assert_int_equal(e->ntx, 1);
    assert_int_equal(e->tx[0], 'k');
    /* A byte write to IMSC+1 replaces all of IMSC with the byte (zero-extended). */
    wr(e, PL011_IMSC, 0x7ff);
    vbus_write(&e->bus, BASE + PL011_IMSC + 1, 0x01, 1, 0);
    assert_int_equal(rd(e, PL011_IMSC), 0x01);
    /* Unaligned word store at DR+1 (QEMU: byte stores): offsets 1-3 are DR, 4 is the error
     * clear register. A probe on qemu-system-arm 7.2 prints "ABC" for this. */
    vbus_write(&e->bus, BASE + 1, 0x44434241, 4, 0);
    assert_int_equal(e->ntx, 4);
    assert_memory_equal(e->tx, "kABC", 4);
    /* Unaligned word load at CR+2: CR and IFLS, combined. */
    assert_int_equal(vbus_read(&e->bus, BASE + PL011_CR + 2, 4, 0), 0x00120000);
    assert_int_equal(e->logs, 0);
}

static void test_no_tx_hook(void **state)
{
    (void)state;
    struct vpl011 u;
    vpl011_init(&u, "uart1", 0x17000000, 1, NULL, (struct virq){ 0 });
    u.dev.ops->write(&u.dev, PL011_DR, 'a', 4, 0);
    assert_int_equal(u.int_level, PL011_INT_TX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_reset_values, setup),
        cmocka_unit_test_setup(test_id_registers, setup),
        cmocka_unit_test_setup(test_bad_offsets, setup),
        cmocka_unit_test_setup(test_plain_registers, setup),
        cmocka_unit_test_setup(test_transmit, setup),
        cmocka_unit_test_setup(test_receive_no_fifo, setup),
        cmocka_unit_test_setup(test_receive_fifo, setup),
        cmocka_unit_test_setup(test_receive_interrupt_quirks, setup),
        cmocka_unit_test_setup(test_refill_on_read, setup),
        cmocka_unit_test_setup(test_fifo_enable_with_data_like_qemu, setup),
        cmocka_unit_test_setup(test_break_and_status, setup),
        cmocka_unit_test_setup(test_sub_word_accesses, setup),
        cmocka_unit_test(test_no_tx_hook),
    };
    return cmocka_run_group_tests_name("vdev pl011", tests, NULL, NULL);
}
