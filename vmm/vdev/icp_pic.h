/* The Integrator interrupt controller ("arm,versatile-fpga-irq"), as QEMU 7.2 models it
 * (integrator_pic in hw/arm/integratorcp.c): the primary controller at 0x14000000, whose
 * outputs are the CPU's IRQ and FIQ, and the CP secondary controller at 0xca000000, whose IRQ
 * output is input 26 of the primary. 32 level-sensitive inputs; bit 0 is also the soft
 * interrupt. See docs/DEVICES.md. */
#ifndef ARMVMM_VDEV_ICP_PIC_H
#define ARMVMM_VDEV_ICP_PIC_H

#include "vdev.h"

#define ICP_PIC_SIZE 0x00800000u     /* QEMU's region: offsets past the registers read zero */

#define ICP_PIC_IRQ_STATUS     0x00u
#define ICP_PIC_IRQ_RAWSTAT    0x04u
#define ICP_PIC_IRQ_ENABLESET  0x08u
#define ICP_PIC_IRQ_ENABLECLR  0x0cu
#define ICP_PIC_INT_SOFTSET    0x10u
#define ICP_PIC_INT_SOFTCLR    0x14u
#define ICP_PIC_FIQ_STATUS     0x20u
#define ICP_PIC_FIQ_RAWSTAT    0x24u
#define ICP_PIC_FIQ_ENABLESET  0x28u
#define ICP_PIC_FIQ_ENABLECLR  0x2cu

struct vpic {
    struct vdev dev;
    uint32_t level;                 /* input levels; bit 0 also the soft interrupt */
    uint32_t irq_enabled, fiq_enabled;
    struct virq irq_out, fiq_out;
};

void vpic_init(struct vpic *p, const char *name, uint32_t base, const struct vdev_hooks *hooks,
               struct virq irq_out, struct virq fiq_out);
/* Drives input `line` (0-31). */
void vpic_set_input(struct vpic *p, unsigned line, bool level);
/* The same, in the form of a struct virq handler: { vpic_input, pic, line }. */
void vpic_input(void *pic, unsigned line, bool level);

static inline bool vpic_irq_level(const struct vpic *p) { return (p->level & p->irq_enabled) != 0; }
static inline bool vpic_fiq_level(const struct vpic *p) { return (p->level & p->fiq_enabled) != 0; }

#endif
