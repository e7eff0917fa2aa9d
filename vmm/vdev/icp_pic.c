/* The Integrator interrupt controller with QEMU 7.2's behaviour (see icp_pic.h). */
#include "icp_pic.h"

static void update(struct vpic *p)
{
    virq_set(&p->irq_out, vpic_irq_level(p));
    virq_set(&p->fiq_out, vpic_fiq_level(p));
}

void vpic_set_input(struct vpic *p, unsigned line, bool level)
{
    if (line >= 32)
        return;
    if (level)
        p->level |= 1u << line;
    else
        p->level &= ~(1u << line);
    update(p);
}

void vpic_input(void *pic, unsigned line, bool level)
{
    vpic_set_input(pic, line, level);
}

static uint32_t pic_read(struct vdev *dev, uint32_t offset, unsigned size, uint64_t now)
{
    struct vpic *p = (struct vpic *)dev;
    (void)size;
    (void)now;
    switch (offset >> 2) {
    case ICP_PIC_IRQ_STATUS >> 2:    return p->level & p->irq_enabled;
    case ICP_PIC_IRQ_RAWSTAT >> 2:   return p->level;
    case ICP_PIC_IRQ_ENABLESET >> 2: return p->irq_enabled;
    case ICP_PIC_INT_SOFTSET >> 2:   return p->level & 1;
    case ICP_PIC_FIQ_STATUS >> 2:    return p->level & p->fiq_enabled;
    case ICP_PIC_FIQ_RAWSTAT >> 2:   return p->level;
    case ICP_PIC_FIQ_ENABLESET >> 2: return p->fiq_enabled;
    default:                         /* the write-only clear registers too */
        vdev_log(dev, "read of a bad offset: reads as zero", offset, 0);
        return 0;
    }
}

static void pic_write(struct vdev *dev, uint32_t offset, uint32_t value, unsigned size,
                      uint64_t now)
{
    struct vpic *p = (struct vpic *)dev;
    (void)size;
    (void)now;
    switch (offset >> 2) {
    case ICP_PIC_IRQ_ENABLESET >> 2:
        p->irq_enabled |= value;
        break;
    case ICP_PIC_IRQ_ENABLECLR >> 2:
        p->irq_enabled &= ~value;
        break;
    case ICP_PIC_INT_SOFTSET >> 2:
        if (value & 1)
            vpic_set_input(p, 0, true);
        break;
    case ICP_PIC_INT_SOFTCLR >> 2:
        if (value & 1)
            vpic_set_input(p, 0, false);
        break;
    case ICP_PIC_FIQ_ENABLESET >> 2:
        p->fiq_enabled |= value;
        break;
    case ICP_PIC_FIQ_ENABLECLR >> 2:
        p->fiq_enabled &= ~value;
        break;
    default:                         /* the read-only status registers too */
        vdev_log(dev, "write to a bad offset: ignored", offset, value);
        return;
    }
    update(p);
}

static const struct vdev_ops pic_ops = { .read = pic_read, .write = pic_write };

void vpic_init(struct vpic *p, const char *name, uint32_t base, const struct vdev_hooks *hooks,
               struct virq irq_out, struct virq fiq_out)
{
    vdev_init(&p->dev, name, base, ICP_PIC_SIZE, &pic_ops, hooks);
    p->level = p->irq_enabled = p->fiq_enabled = 0;
    p->irq_out = irq_out;
    p->fiq_out = fiq_out;
}
