/* The device interface and the per-VM bus (see vdev.h). */
#include "vdev.h"

void vdev_init(struct vdev *dev, const char *name, uint32_t base, uint32_t size,
               const struct vdev_ops *ops, const struct vdev_hooks *hooks)
{
    dev->name = name;
    dev->base = base;
    dev->size = size;
    dev->ops = ops;
    dev->hooks = hooks;
    dev->log_count = 0;
}

void vdev_log(struct vdev *dev, const char *msg, uint32_t offset, uint32_t value)
{
    if (dev->log_count >= VDEV_LOG_LIMIT)
        return;
    dev->log_count++;
    if (!dev->hooks || !dev->hooks->log)
        return;
    dev->hooks->log(dev->hooks->ctx, dev->name, msg, offset, value);
    if (dev->log_count == VDEV_LOG_LIMIT)
        dev->hooks->log(dev->hooks->ctx, dev->name, "further guest errors not logged", 0, 0);
}

void vbus_init(struct vbus *bus, const struct vdev_hooks *hooks)
{
    bus->count = 0;
    bus->last = NULL;
    bus->hooks = hooks;
    for (size_t i = 0; i < sizeof(bus->unassigned_logged) / sizeof(bus->unassigned_logged[0]); i++)
        bus->unassigned_logged[i] = 0;
}

static bool in_region(const struct vdev *dev, uint32_t gpa)
{
    return gpa - dev->base < dev->size;
}

bool vbus_add(struct vbus *bus, struct vdev *dev)
{
    if (bus->count >= VBUS_MAX_DEVICES || dev->size == 0 || dev->base + (dev->size - 1) < dev->base)
        return false;
    uint32_t last = dev->base + (dev->size - 1);
    for (unsigned i = 0; i < bus->count; i++) {
        const struct vdev *o = bus->dev[i];
        if (dev->base <= o->base + (o->size - 1) && o->base <= last)
            return false;
    }
    bus->dev[bus->count++] = dev;
    return true;
}

struct vdev *vbus_find(struct vbus *bus, uint32_t gpa)
{
    if (bus->last && in_region(bus->last, gpa))
        return bus->last;
    for (unsigned i = 0; i < bus->count; i++) {
        if (in_region(bus->dev[i], gpa)) {
            bus->last = bus->dev[i];
            return bus->dev[i];
        }
    }
    return NULL;
}

static void log_unassigned(struct vbus *bus, uint32_t gpa, uint32_t value, bool write)
{
    uint32_t section = gpa >> VBUS_UNASSIGNED_SHIFT;
    uint32_t bit = 1u << (section % 32);
    if (bus->unassigned_logged[section / 32] & bit)
        return;
    bus->unassigned_logged[section / 32] |= bit;
    if (bus->hooks && bus->hooks->log)
        bus->hooks->log(bus->hooks->ctx, "unassigned",
                        write ? "write ignored (no device in this 1 MB; not logged again)"
                              : "read as zero (no device in this 1 MB; not logged again)",
                        gpa, value);
}

static uint32_t size_mask(unsigned size)
{
    return size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

uint32_t vbus_read(struct vbus *bus, uint32_t gpa, unsigned size, uint64_t now)
{
    if (size != 1 && size != 2 && size != 4) {
        if (bus->hooks && bus->hooks->log)
            bus->hooks->log(bus->hooks->ctx, "bus", "read of a bad size: reads as zero", gpa, size);
        return 0;
    }
    uint32_t misalign = gpa & (size - 1);
    if (misalign) {
        /* QEMU's softmmu: the two aligned accesses of the same size around it, combined. */
        uint32_t first = gpa - misalign;
        uint32_t lo = vbus_read(bus, first, size, now);
        uint32_t hi = vbus_read(bus, first + size, size, now);
        return ((lo >> (8 * misalign)) | (hi << (8 * (size - misalign)))) & size_mask(size);
    }
    struct vdev *dev = vbus_find(bus, gpa);
    if (!dev) {
        log_unassigned(bus, gpa, 0, false);
        return 0;
    }
    return dev->ops->read(dev, gpa - dev->base, size, now) & size_mask(size);
}

void vbus_write(struct vbus *bus, uint32_t gpa, uint32_t value, unsigned size, uint64_t now)
{
    if (size != 1 && size != 2 && size != 4) {
        if (bus->hooks && bus->hooks->log)
            bus->hooks->log(bus->hooks->ctx, "bus", "write of a bad size: ignored", gpa, size);
        return;
    }
    if (gpa & (size - 1)) {
        /* QEMU's softmmu: byte stores, in ascending address order. */
        for (unsigned i = 0; i < size; i++)
            vbus_write(bus, gpa + i, (value >> (8 * i)) & 0xff, 1, now);
        return;
    }
    struct vdev *dev = vbus_find(bus, gpa);
    if (!dev) {
        log_unassigned(bus, gpa, value, true);
        return;
    }
    dev->ops->write(dev, gpa - dev->base, value & size_mask(size), size, now);
}
