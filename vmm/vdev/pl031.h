/* PrimeCell PL031 real-time clock at 0x15000000, as QEMU 7.2 models it (hw/rtc/pl031.c): a
 * seconds counter with a match interrupt (input 8 of the primary controller). The counter runs
 * on the VM's virtual time from the wall-clock time the VMM gives at power-on.
 * See docs/DEVICES.md. */
#ifndef ARMVMM_VDEV_PL031_H
#define ARMVMM_VDEV_PL031_H

#include "vdev.h"

#define PL031_SIZE  0x1000u

#define PL031_DR      0x00u   /* data (seconds) */
#define PL031_MR      0x04u   /* match */
#define PL031_LR      0x08u   /* load */
#define PL031_CR      0x0cu   /* control: always reads 1 */
#define PL031_IMSC    0x10u
#define PL031_RIS     0x14u
#define PL031_MIS     0x18u
#define PL031_ICR     0x1cu

struct vpl031 {
    struct vdev dev;
    uint32_t tick_offset;           /* PL031_DR = tick_offset + now / 1 s */
    uint32_t mr, lr, im, is;
    bool alarm_armed;
    uint64_t alarm_at;              /* virtual ns at which the match interrupt rises */
    struct virq irq;
};

/* `seconds` is what PL031_DR reads at virtual time `now` (the wall clock, seconds since 1970). */
void vpl031_init(struct vpl031 *r, uint32_t base, const struct vdev_hooks *hooks,
                 struct virq irq, uint64_t now, uint32_t seconds);
void vpl031_advance(struct vpl031 *r, uint64_t now);
/* When the match interrupt can next change the line (VTIME_NEVER if it cannot). */
uint64_t vpl031_next_irq_event(const struct vpl031 *r);
uint64_t vpl031_next_expiry(const struct vpl031 *r);
bool vpl031_irq_level(const struct vpl031 *r);

#endif
