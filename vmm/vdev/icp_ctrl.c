/* The Integrator/CP control registers with QEMU 7.2's behaviour (see icp_ctrl.h). */
#include "icp_ctrl.h"

static uint32_t ctrl_read(struct vdev *dev, uint32_t offset, unsigned size, uint64_t now)
{
    struct vcpctrl *c = (struct vcpctrl *)dev;
    (void)size;
    (void)now;
    switch (offset >> 2) {
    case CP_IDFIELD >> 2:   return CP_IDFIELD_VALUE;
    case CP_FLASHPROG >> 2: return 0;
    case CP_INTREG >> 2:    return c->intreg;
    case CP_DECODE >> 2:    return CP_DECODE_VALUE;
    default:
        vdev_log(dev, "read of a bad offset: reads as zero", offset, 0);
        return 0;
    }
}

static void ctrl_write(struct vdev *dev, uint32_t offset, uint32_t value, unsigned size,
                       uint64_t now)
{
    struct vcpctrl *c = (struct vcpctrl *)dev;
    (void)size;
    (void)now;
    switch (offset >> 2) {
    case CP_INTREG >> 2:
        /* Writing the card-inserted bit acknowledges (releases) the MMC interrupt. */
        c->intreg &= ~(value & CP_INTREG_CARDIN);
        virq_set(&c->mmc_irq, (c->intreg & CP_INTREG_CARDIN) != 0);
        break;
    case CP_FLASHPROG >> 2:
    case CP_DECODE >> 2:
        break;
    default:                         /* CP_IDFIELD too */
        vdev_log(dev, "write to a bad offset: ignored", offset, value);
        break;
    }
}

static const struct vdev_ops ctrl_ops = { .read = ctrl_read, .write = ctrl_write };

void vcpctrl_init(struct vcpctrl *c, uint32_t base, const struct vdev_hooks *hooks,
                  struct virq mmc_irq)
{
    vdev_init(&c->dev, "cp control", base, ICP_CTRL_SIZE, &ctrl_ops, hooks);
    c->intreg = 0;
    c->mmc_irq = mmc_irq;
}
