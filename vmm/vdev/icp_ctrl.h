/* The Integrator/CP control registers ("arm,integrator-cp-syscon") at 0xcb000000, as QEMU 7.2
 * models them (icp-ctrl-regs in hw/arm/integratorcp.c): identification, flash programming, the
 * MMC card interrupt register and the decode register. See docs/DEVICES.md. */
#ifndef ARMVMM_VDEV_ICP_CTRL_H
#define ARMVMM_VDEV_ICP_CTRL_H

#include "vdev.h"

#define ICP_CTRL_SIZE      0x00800000u

#define CP_IDFIELD         0x00u
#define CP_FLASHPROG       0x04u
#define CP_INTREG          0x08u
#define CP_DECODE          0x0cu

#define CP_IDFIELD_VALUE   0x41034003u
#define CP_DECODE_VALUE    0x11u
#define CP_INTREG_WPROT    (1u << 0)
#define CP_INTREG_CARDIN   (1u << 3)

struct vcpctrl {
    struct vdev dev;
    uint32_t intreg;               /* MMC write-protect and card-inserted (no card: 0) */
    struct virq mmc_irq;           /* input 3 of the secondary controller */
};

void vcpctrl_init(struct vcpctrl *c, uint32_t base, const struct vdev_hooks *hooks,
                  struct virq mmc_irq);

#endif
