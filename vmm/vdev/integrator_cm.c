/* The Integrator core module with QEMU 7.2's behaviour (see integrator_cm.h). */
#include "integrator_cm.h"

/* Bytes of the SPD EEPROM QEMU exposes; the window at 0x100 shows entries offset/4 = 64..95. */
#define SPD_TEXT_INDEX 73u
static const char spd_text[] = "QEMU-MEMORY";

/* floor(ns * 24 / 1000) = floor(ns * 3 / 125) mod 2^32, in 32-bit arithmetic (a kernel reads
 * the counter at every context switch).  With ns = 125 q + m: 3 q + floor(3 m / 125).  m comes
 * from ns's halves (2^32 = 46 mod 125); ns - m is a multiple of 125, so q mod 2^32 is
 * (low half - m) times the inverse of 125 modulo 2^32 (an exact division). */
#define INV125 0x26e978d5u   /* 125 * INV125 = 1 mod 2^32 */
_Static_assert((uint32_t)(125u * INV125) == 1u, "the inverse of 125 modulo 2^32");
uint32_t vtime_ns_to_24mhz(uint64_t now)
{
    uint32_t hi = (uint32_t)(now >> 32), lo = (uint32_t)now;
    uint32_t m = (hi % 125u * 46u + lo % 125u) % 125u;
    uint32_t q = (lo - m) * INV125;
    return 3u * q + (m >= 84 ? 2 : m >= 42 ? 1 : 0);
}

uint32_t vcm_refcnt(const struct vcm *cm, uint64_t now)
{
    return vtime_ns_to_24mhz(now) - cm->refcnt_offset;
}

bool vcm_irq_level(const struct vcm *cm)
{
    return (cm->int_level & cm->irq_enabled) != 0;
}

bool vcm_fiq_level(const struct vcm *cm)
{
    return (cm->int_level & cm->fiq_enabled) != 0;
}

static void update(struct vcm *cm)
{
    if (!virq_connected(&cm->irq_out) && !virq_connected(&cm->fiq_out)) {
        /* As QEMU: the core module's interrupt outputs reach nothing. */
        if (vcm_irq_level(cm) || vcm_fiq_level(cm))
            vdev_log(&cm->dev, "core-module interrupt raised, but its outputs are not connected",
                     CM_IRQ_STAT, cm->int_level);
        return;
    }
    virq_set(&cm->irq_out, vcm_irq_level(cm));
    virq_set(&cm->fiq_out, vcm_fiq_level(cm));
}

static uint32_t cm_read(struct vdev *dev, uint32_t offset, unsigned size, uint64_t now)
{
    struct vcm *cm = (struct vcm *)dev;
    (void)size;
    if (offset >> 2 == CM_REFCNT >> 2)   /* (first: a kernel's clock, read at each switch) */
        return vcm_refcnt(cm, now);
    if (offset >= CM_SPD && offset < CM_SPD + 0x100) {
        uint32_t index = offset >> 2;
        if (offset >= CM_SPD + 0x80)
            return 0;
        if (index >= SPD_TEXT_INDEX && index < SPD_TEXT_INDEX + sizeof(spd_text) - 1)
            return (uint8_t)spd_text[index - SPD_TEXT_INDEX];
        return 0;
    }
    switch (offset >> 2) {
    case CM_ID >> 2:       return CM_ID_VALUE;
    case CM_PROC >> 2:     return 0;
    case CM_OSC >> 2:      return cm->osc;
    case CM_CTRL >> 2:     return cm->ctrl;
    case CM_STAT >> 2:     return CM_STAT_VALUE;
    case CM_LOCK >> 2:     return cm->lock == CM_LOCK_KEY ? 0x10000u | CM_LOCK_KEY : cm->lock;
    case CM_AUXOSC >> 2:   return cm->auxosc;
    case CM_SDRAM >> 2:    return cm->sdram;
    case CM_INIT >> 2:     return cm->init;
    case CM_FLAGS >> 2:    return cm->flags;
    case CM_NVFLAGS >> 2:  return cm->nvflags;
    case CM_IRQ_STAT >> 2: return cm->int_level & cm->irq_enabled;
    case CM_IRQ_RSTAT >> 2: return cm->int_level;
    case CM_IRQ_ENSET >> 2: return cm->irq_enabled;
    case CM_SOFT_INTSET >> 2: return cm->int_level & 1;
    case CM_FIQ_STAT >> 2: return cm->int_level & cm->fiq_enabled;
    case CM_FIQ_RSTAT >> 2: return cm->int_level;
    case CM_FIQ_ENSET >> 2: return cm->fiq_enabled;
    case (CM_VOLTAGE_CTL0 >> 2) + 0:
    case (CM_VOLTAGE_CTL0 >> 2) + 1:
    case (CM_VOLTAGE_CTL0 >> 2) + 2:
    case (CM_VOLTAGE_CTL0 >> 2) + 3:
        return 0;
    default:                                /* CM_LMBUSCNT and the write-only registers too */
        vdev_log(dev, "read of an unimplemented offset: reads as zero", offset, 0);
        return 0;
    }
}

static void cm_write(struct vdev *dev, uint32_t offset, uint32_t value, unsigned size,
                     uint64_t now)
{
    struct vcm *cm = (struct vcm *)dev;
    (void)size;
    (void)now;
    switch (offset >> 2) {
    case CM_OSC >> 2:
        if (cm->lock == CM_LOCK_KEY)
            cm->osc = value;
        break;
    case CM_CTRL >> 2:
        /* The reset bit needs no unlock and reads as zero; only LED and REMAP are kept. */
        if (value & CM_CTRL_RESET) {
            cm->reset_requested = true;
            if (dev->hooks && dev->hooks->reset_request)
                dev->hooks->reset_request(dev->hooks->ctx);
        }
        cm->ctrl = (cm->ctrl & ~(CM_CTRL_LED | CM_CTRL_REMAP)) |
                   (value & (CM_CTRL_LED | CM_CTRL_REMAP));
        break;
    case CM_LOCK >> 2:
        cm->lock = value & 0xffff;
        break;
    case CM_AUXOSC >> 2:
        if (cm->lock == CM_LOCK_KEY)
            cm->auxosc = value;
        break;
    case CM_SDRAM >> 2:
        cm->sdram = value;
        break;
    case CM_INIT >> 2:
        cm->init = value;
        break;
    case CM_FLAGS >> 2:
        cm->flags |= value;
        break;
    case CM_FLAGSC >> 2:
        cm->flags &= ~value;
        break;
    case CM_NVFLAGS >> 2:
        cm->nvflags |= value;
        break;
    case CM_NVFLAGSC >> 2:
        cm->nvflags &= ~value;
        break;
    case CM_IRQ_ENSET >> 2:
        cm->irq_enabled |= value;
        update(cm);
        break;
    case CM_IRQ_ENCLR >> 2:
        cm->irq_enabled &= ~value;
        update(cm);
        break;
    case CM_SOFT_INTSET >> 2:
        cm->int_level |= value & 1;
        update(cm);
        break;
    case CM_SOFT_INTCLR >> 2:
        cm->int_level &= ~(value & 1);
        update(cm);
        break;
    case CM_FIQ_ENSET >> 2:
        cm->fiq_enabled |= value;
        update(cm);
        break;
    case CM_FIQ_ENCLR >> 2:
        cm->fiq_enabled &= ~value;
        update(cm);
        break;
    case (CM_VOLTAGE_CTL0 >> 2) + 0:
    case (CM_VOLTAGE_CTL0 >> 2) + 1:
    case (CM_VOLTAGE_CTL0 >> 2) + 2:
    case (CM_VOLTAGE_CTL0 >> 2) + 3:
        break;
    default:                                /* read-only registers and CM_SPD too */
        vdev_log(dev, "write to an unimplemented offset: ignored", offset, value);
        break;
    }
}

static const struct vdev_ops cm_ops = { .read = cm_read, .write = cm_write };

void vcm_init(struct vcm *cm, uint32_t base, uint32_t ram_size, uint64_t now,
              const struct vdev_hooks *hooks, struct virq irq_out, struct virq fiq_out)
{
    uint32_t mb = ram_size >> 20;
    vdev_init(&cm->dev, "core module", base, CM_SIZE, &cm_ops, hooks);
    cm->osc = 0x01000048;
    cm->ctrl = 0;
    cm->lock = 0;
    cm->auxosc = 0x0007feff;
    cm->sdram = 0x00011122;
    if (mb >= 256)
        cm->sdram |= 0x10;
    else if (mb >= 128)
        cm->sdram |= 0x0c;
    else if (mb >= 64)
        cm->sdram |= 0x08;
    else if (mb >= 32)
        cm->sdram |= 0x04;
    cm->init = 0x00000112;
    cm->flags = cm->nvflags = 0;
    cm->refcnt_offset = vtime_ns_to_24mhz(now);
    cm->int_level = cm->irq_enabled = cm->fiq_enabled = 0;
    cm->reset_requested = false;
    cm->irq_out = irq_out;
    cm->fiq_out = fiq_out;
}
