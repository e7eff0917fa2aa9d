/* The real board as the VMM drives it: its time base, its event timer, the interrupt
 * controller and the console UART.  Guests never touch these; they see virtual devices. */
#ifndef ARMVMM_BOARD_H
#define ARMVMM_BOARD_H

#include <stdbool.h>
#include <stdint.h>

void board_init(void);

/* Nanoseconds since board_init(), from timer 0 (40 MHz, free-running).  Must be called at least
 * once per 107 s (one wrap of the 32-bit counter); the scheduler tick guarantees it. */
uint64_t board_now_ns(void);

/* Arms timer 1 (1 MHz, one-shot) to interrupt after delta_ns (at least 1 us, at most ~71 min). */
void board_timer_arm(uint64_t delta_ns);
/* Acknowledges timer 1's interrupt; true if it was pending. */
bool board_timer_ack(void);

/* Pending, enabled real interrupt lines (PIC IRQ status). */
uint32_t board_irq_pending(void);

/* The console: UART0, once the VMM owns it (the guest's UART0 is then a model). */
void board_console_putc(char c);
bool board_console_getc(char *c);
void board_console_rx_irq(bool enable);

/* UART1, the board's second serial port (`armvmm run --serial1 FILE`): the VM's UART1 model
 * writes there.  Never initialised: QEMU's PL011 sends whatever its registers say. */
void board_uart1_putc(char c);

/* Raw (unmasked) real interrupt lines, and enabling one line: a passed-through device's. */
uint32_t board_irq_raw(void);
void board_irq_enable(unsigned line, bool enable);

/* An access of a passed-through UART (0 or 1) made by the VMM on the guest's behalf (an
 * emulated instruction reaching the device's page): offset within the page, size 1, 2 or 4,
 * aligned as the caller gives it. */
uint32_t board_uart_read(unsigned uart, uint32_t offset, unsigned size);
void board_uart_write(unsigned uart, uint32_t offset, uint32_t value, unsigned size);

#endif
