/* PrimeCell PL031 RTC with QEMU 7.2's behaviour (see pl031.h). */
#include "pl031.h"

static const uint8_t pl031_id[8] = { 0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

bool vpl031_irq_level(const struct vpl031 *r)
{
    return (r->is & r->im) != 0;
}

static void update(struct vpl031 *r)
{
    virq_set(&r->irq, vpl031_irq_level(r));
}

static void match_fired(struct vpl031 *r)
{
    r->alarm_armed = false;
    r->is = 1;
    update(r);
}

static uint32_t count(const struct vpl031 *r, uint64_t now)
{
    return r->tick_offset + (uint32_t)(now / VTIME_NS_PER_SEC);
}

/* The match fires `mr - count` whole seconds from now (not at a second boundary), at once when
 * they are equal; a match value in the past is about 136 years away, as the counter wraps. */
static void set_alarm(struct vpl031 *r, uint64_t now)
{
    uint32_t ticks = r->mr - count(r, now);
    if (ticks == 0) {
        r->alarm_armed = false;
        match_fired(r);
    } else {
        r->alarm_armed = true;
        r->alarm_at = now + (uint64_t)ticks * VTIME_NS_PER_SEC;
    }
}

void vpl031_advance(struct vpl031 *r, uint64_t now)
{
    if (r->alarm_armed && r->alarm_at <= now)
        match_fired(r);
}

static uint32_t rtc_read(struct vdev *dev, uint32_t offset, unsigned size, uint64_t now)
{
    struct vpl031 *r = (struct vpl031 *)dev;
    (void)size;
    vpl031_advance(r, now);
    if (offset >= PRIMECELL_ID_BASE)
        return pl031_id[(offset - PRIMECELL_ID_BASE) >> 2];
    switch (offset) {               /* exact offsets: a sub-word access elsewhere is bad */
    case PL031_DR:   return count(r, now);
    case PL031_MR:   return r->mr;
    case PL031_IMSC: return r->im;
    case PL031_RIS:  return r->is;
    case PL031_LR:   return r->lr;    /* the value last loaded */
    case PL031_CR:   return 1;        /* always enabled */
    case PL031_MIS:  return r->is & r->im;
    case PL031_ICR:
        vdev_log(dev, "read of write-only register: reads as zero", offset, 0);
        return 0;
    default:
        vdev_log(dev, "read of a bad offset: reads as zero", offset, 0);
        return 0;
    }
}

static void rtc_write(struct vdev *dev, uint32_t offset, uint32_t value, unsigned size,
                      uint64_t now)
{
    struct vpl031 *r = (struct vpl031 *)dev;
    (void)size;
    vpl031_advance(r, now);
    switch (offset) {
    case PL031_LR:
        r->lr = value;
        r->tick_offset += value - count(r, now);
        set_alarm(r, now);
        break;
    case PL031_MR:
        r->mr = value;
        set_alarm(r, now);
        break;
    case PL031_IMSC:
        r->im = value & 1;
        update(r);
        break;
    case PL031_ICR:
        r->is &= ~value;
        update(r);
        break;
    case PL031_CR:
        break;                      /* ignored */
    case PL031_DR:
    case PL031_RIS:
    case PL031_MIS:
        vdev_log(dev, "write to read-only register: ignored", offset, value);
        break;
    default:
        vdev_log(dev, "write to a bad offset: ignored", offset, value);
        break;
    }
}

static const struct vdev_ops rtc_ops = { .read = rtc_read, .write = rtc_write };

void vpl031_init(struct vpl031 *r, uint32_t base, const struct vdev_hooks *hooks,
                 struct virq irq, uint64_t now, uint32_t seconds)
{
    vdev_init(&r->dev, "rtc", base, PL031_SIZE, &rtc_ops, hooks);
    r->tick_offset = seconds - (uint32_t)(now / VTIME_NS_PER_SEC);
    r->mr = r->lr = r->im = r->is = 0;
    r->alarm_armed = false;
    r->alarm_at = 0;
    r->irq = irq;
}

uint64_t vpl031_next_irq_event(const struct vpl031 *r)
{
    return r->alarm_armed && r->im && !r->is ? r->alarm_at : VTIME_NEVER;
}

uint64_t vpl031_next_expiry(const struct vpl031 *r)
{
    return r->alarm_armed ? r->alarm_at : VTIME_NEVER;
}
