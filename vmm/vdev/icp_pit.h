/* The three Integrator/CP counter/timers at 0x13000000, 0x13000100 and 0x13000200, as QEMU 7.2
 * models them (integrator_pit in hw/timer/arm_timer.c over hw/core/ptimer.c, legacy policy).
 * Timer 0 counts at 40 MHz, timers 1 and 2 at 1 MHz, each through a 1/16/256 prescaler, on the
 * VM's virtual time. Their interrupts are inputs 5, 6 and 7 of the primary controller.
 * See docs/DEVICES.md for the exact counting rules (they are QEMU's, not the data sheet's). */
#ifndef ARMVMM_VDEV_ICP_PIT_H
#define ARMVMM_VDEV_ICP_PIT_H

#include "vdev.h"

#define ICP_PIT_SIZE        0x1000u
#define ICP_PIT_STRIDE      0x100u
#define ICP_PIT_TIMERS      3u
#define ICP_PIT_TIMER0_HZ   40000000u
#define ICP_PIT_TIMER12_HZ  1000000u

/* Register offsets inside one timer. */
#define PIT_LOAD     0x00u
#define PIT_VALUE    0x04u
#define PIT_CONTROL  0x08u
#define PIT_INTCLR   0x0cu
#define PIT_RIS      0x10u
#define PIT_MIS      0x14u
#define PIT_BGLOAD   0x18u

/* TimerControl bits. */
#define PIT_CTRL_ONESHOT   (1u << 0)
#define PIT_CTRL_32BIT     (1u << 1)
#define PIT_CTRL_DIV1      (0u << 2)
#define PIT_CTRL_DIV16     (1u << 2)
#define PIT_CTRL_DIV256    (2u << 2)
#define PIT_CTRL_IE        (1u << 5)
#define PIT_CTRL_PERIODIC  (1u << 6)
#define PIT_CTRL_ENABLE    (1u << 7)

struct vtimer {
    uint32_t control, limit, int_level;     /* the registers */
    uint32_t clock_hz;                      /* input clock before the prescaler */
    /* The down-counter (QEMU's ptimer). */
    uint8_t run;              /* 0 stopped, 1 periodic or free-running, 2 one-shot */
    uint32_t plimit;          /* reload value: Load, or 0xffff/0xffffffff when free-running */
    uint32_t delta;           /* the count while stopped; the count at last_event while running */
    uint32_t freq;            /* counting frequency (after the prescaler) of period/period_frac */
    uint64_t period;          /* ns per count: integer part ... */
    uint64_t period_recip;    /* (floor((2^64 - 1) / period): counts from long times) */
    uint32_t period_frac;     /* ... and fraction in units of 2^-32 ns */
    uint64_t last_event, next_event;        /* virtual ns: last reload, next expiry */
    struct virq irq;
};

struct vpit {
    struct vdev dev;
    struct vtimer t[ICP_PIT_TIMERS];
};

void vpit_init(struct vpit *p, uint32_t base, const struct vdev_hooks *hooks,
               const struct virq irq[ICP_PIT_TIMERS]);

/* Processes every expiry up to `now` (raising interrupts). Register accesses do it themselves. */
void vpit_advance(struct vpit *p, uint64_t now);
/* The earliest virtual time at which an expiry can raise an interrupt line (the VMM programs its
 * real timer for it), or VTIME_NEVER. Only valid after vpit_advance() or an access at `now`. */
uint64_t vpit_next_irq_event(const struct vpit *p);
/* The earliest expiry of any running timer, interrupt or not, or VTIME_NEVER. */
uint64_t vpit_next_expiry(const struct vpit *p);

/* TimerValue of timer n at `now` (no side effects; for tests and tracing). */
uint32_t vpit_count(const struct vpit *p, unsigned n, uint64_t now);
bool vpit_irq_level(const struct vpit *p, unsigned n);

#endif
