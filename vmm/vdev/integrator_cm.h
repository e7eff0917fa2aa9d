/* The Integrator core module registers at 0x10000000, as QEMU 7.2 models them (integrator_core
 * in hw/arm/integratorcp.c): identification, oscillators, control (LED, remap, reset), lock, SDRAM
 * setup, the 24 MHz reference counter, flags, the SPD EEPROM window, and the core-module
 * interrupt controller at 0x10000040. See docs/DEVICES.md. */
#ifndef ARMVMM_VDEV_INTEGRATOR_CM_H
#define ARMVMM_VDEV_INTEGRATOR_CM_H

#include "vdev.h"

#define CM_SIZE        0x00800000u

#define CM_ID          0x00u
#define CM_PROC        0x04u
#define CM_OSC         0x08u
#define CM_CTRL        0x0cu
#define CM_STAT        0x10u
#define CM_LOCK        0x14u
#define CM_LMBUSCNT    0x18u
#define CM_AUXOSC      0x1cu
#define CM_SDRAM       0x20u
#define CM_INIT        0x24u
#define CM_REFCNT      0x28u
#define CM_FLAGS       0x30u   /* read; write: set bits */
#define CM_FLAGSC      0x34u
#define CM_NVFLAGS     0x38u   /* read; write: set bits */
#define CM_NVFLAGSC    0x3cu
#define CM_IRQ_STAT    0x40u   /* the core-module interrupt controller */
#define CM_IRQ_RSTAT   0x44u
#define CM_IRQ_ENSET   0x48u
#define CM_IRQ_ENCLR   0x4cu
#define CM_SOFT_INTSET 0x50u
#define CM_SOFT_INTCLR 0x54u
#define CM_FIQ_STAT    0x60u
#define CM_FIQ_RSTAT   0x64u
#define CM_FIQ_ENSET   0x68u
#define CM_FIQ_ENCLR   0x6cu
#define CM_VOLTAGE_CTL0 0x80u  /* ... CTL3 at 0x8c */
#define CM_SPD         0x100u  /* SPD EEPROM window, 0x100-0x1ff */

#define CM_ID_VALUE    0x411a3001u
#define CM_STAT_VALUE  0x00100000u
#define CM_LOCK_KEY    0xa05fu
#define CM_CTRL_LED    (1u << 0)
#define CM_CTRL_REMAP  (1u << 2)
#define CM_CTRL_RESET  (1u << 3)

#define CM_REFCNT_HZ   24000000u

struct vcm {
    struct vdev dev;
    uint32_t osc, ctrl, lock, auxosc, sdram, init, flags, nvflags;
    uint32_t refcnt_offset;         /* CM_REFCNT reads zero at power-on */
    uint32_t int_level, irq_enabled, fiq_enabled;   /* interrupt controller: bit 0 = soft */
    bool reset_requested;
    struct virq irq_out, fiq_out;   /* QEMU leaves them unconnected; so does the board */
};

/* `ram_size` (bytes) sets CM_SDRAM's size field; `now` is power-on time. */
void vcm_init(struct vcm *cm, uint32_t base, uint32_t ram_size, uint64_t now,
              const struct vdev_hooks *hooks, struct virq irq_out, struct virq fiq_out);

/* CM_REFCNT at `now`: floor(now * 24 / 1000) minus the value at power-on, modulo 2^32, without a
 * 64-bit division (exact for now < 2^63 ns). */
uint32_t vcm_refcnt(const struct vcm *cm, uint64_t now);
uint32_t vtime_ns_to_24mhz(uint64_t now);

bool vcm_irq_level(const struct vcm *cm);
bool vcm_fiq_level(const struct vcm *cm);

#endif
