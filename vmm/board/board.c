#include "board.h"

#include "integratorcp.h"
#include "mmu.h"

enum { DEV_TIMERS, DEV_PIC, DEV_UART0, DEV_UART1 };

static volatile uint32_t *timers, *pic, *uart0, *uart1;
static uint32_t last_count;
static uint64_t elapsed_ticks;

static inline volatile uint32_t *reg(volatile uint32_t *base, uint32_t offset)
{
    return base + offset / 4;
}

void board_init(void)
{
    timers = mmu_map_device(DEV_TIMERS, hpa(INTEGRATOR_TIMER_BASE));
    pic = mmu_map_device(DEV_PIC, hpa(INTEGRATOR_PIC_BASE));
    uart0 = mmu_map_device(DEV_UART0, hpa(INTEGRATOR_UART0_BASE));
    uart1 = mmu_map_device(DEV_UART1, hpa(INTEGRATOR_UART1_BASE));   /* left as reset */

    /* Timer 0: free-running 32-bit down-counter, no interrupt: the VMM's clock. */
    *reg(timers, TIMER_CTRL) = 0;
    *reg(timers, TIMER_LOAD) = 0xffffffffu;
    *reg(timers, TIMER_CTRL) = TIMER_CTRL_ENABLE | TIMER_CTRL_32BIT;
    last_count = *reg(timers, TIMER_VALUE);
    /* Timer 1: one-shot event timer, armed on demand. */
    *reg(timers, TIMER_STRIDE + TIMER_CTRL) = 0;
    *reg(pic, PIC_IRQ_ENABLE_SET) = 1u << IRQ_TIMER1;
}

uint64_t board_now_ns(void)
{
    uint32_t now = *reg(timers, TIMER_VALUE);
    elapsed_ticks += (uint32_t)(last_count - now);   /* counts down; wraps modulo 2^32 */
    last_count = now;
    return elapsed_ticks * (1000000000u / TIMER0_HZ);
}

void board_timer_arm(uint64_t delta_ns)
{
    /* never early: the event must be due when it fires; a 32-bit divide when it can be */
    uint64_t us = delta_ns < 0xffffffffu - 999 ? ((uint32_t)delta_ns + 999) / 1000u
                                               : (delta_ns + 999) / 1000;
    volatile uint32_t *t1 = timers + TIMER_STRIDE / 4;
    *reg(t1, TIMER_CTRL) = 0;
    *reg(t1, TIMER_INTCLR) = 1;
    *reg(t1, TIMER_LOAD) = us == 0 ? 1 : us > 0xffffffffu ? 0xffffffffu : (uint32_t)us;
    *reg(t1, TIMER_CTRL) = TIMER_CTRL_ENABLE | TIMER_CTRL_32BIT | TIMER_CTRL_ONESHOT |
                           TIMER_CTRL_IE;
}

bool board_timer_ack(void)
{
    if (!(*reg(pic, PIC_IRQ_STATUS) & (1u << IRQ_TIMER1)))
        return false;
    *reg(timers, TIMER_STRIDE + TIMER_INTCLR) = 1;
    return true;
}

uint32_t board_irq_pending(void)
{
    return *reg(pic, PIC_IRQ_STATUS);
}

void board_console_putc(char c)
{
    while (*reg(uart0, UART_FR) & UART_FR_TXFF)
        ;
    *reg(uart0, UART_DR) = (uint8_t)c;
}

bool board_console_getc(char *c)
{
    if (*reg(uart0, UART_FR) & UART_FR_RXFE)
        return false;
    *c = (char)*reg(uart0, UART_DR);
    return true;
}

void board_console_rx_irq(bool enable)
{
    *reg(uart0, UART_IMSC) = enable ? UART_INT_RX | UART_INT_RT : 0;
    *reg(pic, enable ? PIC_IRQ_ENABLE_SET : PIC_IRQ_ENABLE_CLR) = 1u << IRQ_UART0;
}

void board_uart1_putc(char c)
{
    while (*reg(uart1, UART_FR) & UART_FR_TXFF)
        ;
    *reg(uart1, UART_DR) = (uint8_t)c;
}

uint32_t board_irq_raw(void)
{
    return *reg(pic, PIC_IRQ_RAW);
}

void board_irq_enable(unsigned line, bool enable)
{
    *reg(pic, enable ? PIC_IRQ_ENABLE_SET : PIC_IRQ_ENABLE_CLR) = 1u << line;
}

/* The real UART's page as the VMM maps it. */
static volatile uint8_t *uart_page(unsigned uart)
{
    return (volatile uint8_t *)(uart ? uart1 : uart0);
}

static uint32_t aligned_read(volatile uint8_t *p, unsigned size)
{
    return size == 1 ? *p : size == 2 ? *(volatile uint16_t *)p : *(volatile uint32_t *)p;
}

/* Unaligned accesses as QEMU 7.2 performs them on a device (docs/DEVICES.md): a load is the two
 * aligned loads of the same size around it, combined little-endian; a store is byte stores. */
uint32_t board_uart_read(unsigned uart, uint32_t offset, unsigned size)
{
    volatile uint8_t *page = uart_page(uart);
    uint32_t off = offset & 0xfff, mis = off & (size - 1);
    if (!mis)
        return aligned_read(page + off, size);
    uint64_t lo = aligned_read(page + (off - mis), size);
    uint64_t hi = aligned_read(page + ((off - mis + size) & 0xfff), size);
    uint64_t both = lo | hi << (8 * size);
    uint32_t v = (uint32_t)(both >> (8 * mis));
    return size == 4 ? v : v & ((1u << (8 * size)) - 1);
}

void board_uart_write(unsigned uart, uint32_t offset, uint32_t value, unsigned size)
{
    volatile uint8_t *page = uart_page(uart);
    uint32_t off = offset & 0xfff;
    if (off & (size - 1)) {
        for (unsigned i = 0; i < size; i++)
            page[(off + i) & 0xfff] = (uint8_t)(value >> (8 * i));
    } else if (size == 1) {
        page[off] = (uint8_t)value;
    } else if (size == 2) {
        *(volatile uint16_t *)(page + off) = (uint16_t)value;
    } else {
        *(volatile uint32_t *)(page + off) = value;
    }
}
