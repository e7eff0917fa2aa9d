/* QEMU integratorcp board: host-physical addresses of the devices and the registers the VMM
 * itself drives (brief §4; QEMU hw/arm/integratorcp.c, hw/timer/arm_timer.c, hw/char/pl011.c). */
#ifndef ARMVMM_INTEGRATORCP_H
#define ARMVMM_INTEGRATORCP_H

#define INTEGRATOR_CM_BASE       0x10000000   /* core module registers */
#define INTEGRATOR_TIMER_BASE    0x13000000   /* timers 0, 1, 2 at +0x000, +0x100, +0x200 */
#define INTEGRATOR_PIC_BASE      0x14000000   /* primary interrupt controller */
#define INTEGRATOR_RTC_BASE      0x15000000
#define INTEGRATOR_UART0_BASE    0x16000000
#define INTEGRATOR_UART1_BASE    0x17000000

/* Primary interrupt controller (IRQ side). */
#define PIC_IRQ_STATUS           0x00
#define PIC_IRQ_RAW              0x04
#define PIC_IRQ_ENABLE_SET       0x08
#define PIC_IRQ_ENABLE_CLR       0x0c

/* Interrupt lines. */
#define IRQ_UART0                1
#define IRQ_UART1                2
#define IRQ_TIMER0               5
#define IRQ_TIMER1               6
#define IRQ_TIMER2               7

/* Integrator timers: QEMU clocks timer 0 at 40 MHz, timers 1 and 2 at 1 MHz. */
#define TIMER_STRIDE             0x100
#define TIMER0_HZ                40000000
#define TIMER12_HZ               1000000
#define TIMER_LOAD               0x00
#define TIMER_VALUE              0x04
#define TIMER_CTRL               0x08
#define TIMER_INTCLR             0x0c
#define TIMER_CTRL_ONESHOT       (1 << 0)
#define TIMER_CTRL_32BIT         (1 << 1)
#define TIMER_CTRL_IE            (1 << 5)
#define TIMER_CTRL_PERIODIC      (1 << 6)
#define TIMER_CTRL_ENABLE        (1 << 7)

/* PL011 UART. */
#define UART_DR                  0x00
#define UART_FR                  0x18
#define UART_IMSC                0x38
#define UART_ICR                 0x44
#define UART_FR_RXFE             (1 << 4)
#define UART_FR_TXFF             (1 << 5)
#define UART_INT_RX              (1 << 4)
#define UART_INT_RT              (1 << 6)

#endif
