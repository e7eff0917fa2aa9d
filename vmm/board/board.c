#include "board.h"

#include "integratorcp.h"
#include "mmu.h"

enum { DEV_TIMERS, DEV_PIC, DEV_UART0 };

static volatile uint32_t *timers, *pic, *uart0;
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
    uint64_t us = delta_ns / 1000;
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
