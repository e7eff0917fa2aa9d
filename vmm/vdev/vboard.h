/* One VM's virtual Integrator/CP board: every device model at its QEMU address, wired as QEMU 7.2
 * wires them (hw/arm/integratorcp.c), behind one bus, plus a description of what the board
 * contains for whoever writes the VM's device tree. The VMM embeds one struct vboard per VM and
 * must not move it after vboard_init(). See docs/DEVICES.md. */
#ifndef ARMVMM_VDEV_VBOARD_H
#define ARMVMM_VDEV_VBOARD_H

#include "icp_ctrl.h"
#include "icp_pic.h"
#include "icp_pit.h"
#include "integrator_cm.h"
#include "pl011.h"
#include "pl031.h"
#include "vdev.h"

/* Addresses (guest-physical, the same as the real board's). */
#define VBOARD_CM_BASE      0x10000000u
#define VBOARD_CM_IRQ_BASE  0x10000040u
#define VBOARD_TIMER_BASE   0x13000000u
#define VBOARD_PIC_BASE     0x14000000u
#define VBOARD_RTC_BASE     0x15000000u
#define VBOARD_UART0_BASE   0x16000000u
#define VBOARD_UART1_BASE   0x17000000u
#define VBOARD_SIC_BASE     0xca000000u
#define VBOARD_CPCTRL_BASE  0xcb000000u

/* Inputs of the primary controller. */
#define VBOARD_IRQ_UART0    1u
#define VBOARD_IRQ_UART1    2u
#define VBOARD_IRQ_TIMER0   5u     /* timers 1 and 2: 6, 7 */
#define VBOARD_IRQ_RTC      8u
#define VBOARD_IRQ_SIC      26u
/* Input of the secondary controller. */
#define VBOARD_SIC_IRQ_MMC  3u

#define VBOARD_UARTS        2u

struct vboard_config {
    uint32_t ram_size;       /* the VM's RAM in bytes: CM_SDRAM's size field */
    uint64_t now;            /* virtual time at power-on, ns */
    uint32_t rtc_seconds;    /* wall clock at `now` (seconds since 1970): the PL031's count */
    struct vdev_hooks hooks;
};

struct vboard {
    struct vdev_hooks hooks;
    struct vbus bus;
    struct vcm cm;
    struct vpic pic, sic;
    struct vpit pit;
    struct vpl031 rtc;
    struct vpl011 uart[VBOARD_UARTS];
    struct vcpctrl cpctrl;
    bool cpu_irq, cpu_fiq;   /* the virtual CPU's interrupt inputs (the primary's outputs) */
    uint64_t due;            /* earliest expiry of any model: vboard_advance() is a no-op before */
};

void vboard_init(struct vboard *b, const struct vboard_config *cfg);

/* A guest access to a device address (see vbus_read() for sizes and alignment). Processes the
 * expiries due by `now` first. */
uint32_t vboard_read(struct vboard *b, uint32_t gpa, unsigned size, uint64_t now);
void vboard_write(struct vboard *b, uint32_t gpa, uint32_t value, unsigned size, uint64_t now);

/* A word read that changes nothing: any device but the UARTs (whose data register takes a byte
 * from the receiver), aligned, with no expiry due by `now` (so no line can move).  False, with
 * nothing done, otherwise: vboard_read() then. */
bool vboard_read_quiet(struct vboard *b, uint32_t gpa, uint64_t now, uint32_t *value);
/* Its two halves, for a caller that remembers the device: the device at gpa whose reads change
 * nothing (NULL: none, or a UART), and a read of it at gpa inside it. */
struct vdev *vboard_quiet_device(struct vboard *b, uint32_t gpa);
static inline bool vboard_read_dev_quiet(struct vboard *b, struct vdev *dev, uint32_t gpa,
                                         uint64_t now, uint32_t *value)
{
    if ((gpa & 3) || now >= b->due)   /* (inline: a kernel's clock read, from assembly) */
        return false;
    *value = dev->ops->read(dev, gpa - dev->base, 4, now);
    return true;
}

/* Processes every timer and RTC expiry up to `now`; cheap when nothing is due. Call it when the
 * deadline from vboard_next_event() passes and before deciding whether an interrupt is pending. */
void vboard_advance(struct vboard *b, uint64_t now);
/* The earliest virtual time at which a device can change an interrupt line by itself, or
 * VTIME_NEVER. Ask again after every vboard_advance(), vboard_write() and vboard_uart_rx(). */
uint64_t vboard_next_event(const struct vboard *b);

/* Input for UART n (0 or 1): false, the byte not taken, when the receiver is full; retry after the
 * guest has read the data register (vboard_uart_rx_room() says how much fits). */
bool vboard_uart_rx(struct vboard *b, unsigned uart, uint8_t byte);
unsigned vboard_uart_rx_room(const struct vboard *b, unsigned uart);

static inline bool vboard_reset_requested(const struct vboard *b) { return b->cm.reset_requested; }

/* What the board contains, independent of any device-tree format: enough to describe exactly the
 * emulated devices to a guest. */
enum vboard_dev_kind {
    VBOARD_DEV_CORE_MODULE,  /* CM registers, a syscon with the 24 MHz reference counter */
    VBOARD_DEV_CM_IRQ,       /* the core module's interrupt controller (no outputs wired) */
    VBOARD_DEV_PIC,          /* primary interrupt controller: drives the CPU's IRQ and FIQ */
    VBOARD_DEV_SIC,          /* CP secondary interrupt controller */
    VBOARD_DEV_TIMER,        /* one Integrator/CP counter/timer */
    VBOARD_DEV_RTC,          /* PL031 */
    VBOARD_DEV_UART,         /* PL011 */
    VBOARD_DEV_CP_CTRL,      /* CP control registers (syscon) */
};

enum vboard_irq_parent {
    VBOARD_PARENT_NONE,      /* no interrupt, or outputs not connected */
    VBOARD_PARENT_CPU,       /* the controller's outputs are the CPU's IRQ and FIQ */
    VBOARD_PARENT_PIC,
    VBOARD_PARENT_SIC,
};

struct vboard_device {
    enum vboard_dev_kind kind;
    unsigned instance;       /* timer 0-2, UART 0-1, else 0 */
    const char *name;
    uint32_t base, size;     /* the register block (the bus window may be larger) */
    enum vboard_irq_parent irq_parent;
    int irq;                 /* input number on irq_parent, -1 for none */
    uint32_t clock_hz;       /* timers: counter input clock; core module: reference counter */
    bool primecell;          /* has PrimeCell ID registers at 0xfe0-0xffc */
};

/* The same table for every VM (the board layout is fixed). */
const struct vboard_device *vboard_devices(unsigned *count);

#endif
