/* PrimeCell PL011 UART, as QEMU 7.2 models it (hw/char/pl011.c): UART0 and UART1 of the
 * Integrator/CP. Transmission is instantaneous (every byte goes straight to the uart_tx hook);
 * received bytes are pushed in by the VMM. See docs/DEVICES.md for the register list. */
#ifndef ARMVMM_VDEV_PL011_H
#define ARMVMM_VDEV_PL011_H

#include "vdev.h"

#define PL011_SIZE       0x1000u
#define PL011_FIFO_DEPTH 16u

/* Register offsets. */
#define PL011_DR     0x00u
#define PL011_RSR    0x04u   /* read: receive status; write: error clear */
#define PL011_FR     0x18u
#define PL011_ILPR   0x20u
#define PL011_IBRD   0x24u
#define PL011_FBRD   0x28u
#define PL011_LCR_H  0x2cu
#define PL011_CR     0x30u
#define PL011_IFLS   0x34u
#define PL011_IMSC   0x38u
#define PL011_RIS    0x3cu
#define PL011_MIS    0x40u
#define PL011_ICR    0x44u
#define PL011_DMACR  0x48u

/* UARTFR bits. */
#define PL011_FR_RXFE 0x10u
#define PL011_FR_TXFF 0x20u
#define PL011_FR_RXFF 0x40u
#define PL011_FR_TXFE 0x80u

/* Interrupt bits (RIS, MIS, IMSC, ICR). */
#define PL011_INT_RX  (1u << 4)
#define PL011_INT_TX  (1u << 5)
#define PL011_INT_RT  (1u << 6)
#define PL011_INT_ALL 0x7ffu

#define PL011_LCR_FEN (1u << 4)
#define PL011_DR_BE   (1u << 10)  /* break error, as a received "character" */

struct vpl011 {
    struct vdev dev;
    unsigned index;                 /* passed to the uart_tx hook */
    uint32_t flags, lcr, rsr, cr, dmacr, int_enabled, int_level, ilpr, ibrd, fbrd, ifl;
    uint32_t read_fifo[PL011_FIFO_DEPTH];
    unsigned read_pos, read_count, read_trigger;
    struct virq irq;                /* UARTINTR: (RIS & IMSC) != 0 */
};

void vpl011_init(struct vpl011 *u, const char *name, uint32_t base, unsigned index,
                 const struct vdev_hooks *hooks, struct virq irq);

/* How many bytes the receiver takes now (QEMU's can_receive): 1 with the FIFOs disabled and
 * empty, up to 16 with them enabled, else 0. */
unsigned vpl011_rx_room(const struct vpl011 *u);
/* A byte from the outside world (the terminal, a file): false, and the byte not taken, when
 * there is no room. */
bool vpl011_rx(struct vpl011 *u, uint8_t byte);
/* A break condition on the line (received as a character with the BE bit). */
bool vpl011_rx_break(struct vpl011 *u);

bool vpl011_irq_level(const struct vpl011 *u);

#endif
