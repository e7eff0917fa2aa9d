/* The Integrator/CP timers with QEMU 7.2's behaviour (see icp_pit.h and docs/DEVICES.md).
 *
 * The counter follows QEMU's ptimer with the legacy policy: a running counter is described by the
 * virtual time of its last reload (last_event), its count then (delta) and the time it reaches
 * zero (next_event); the count in between is rounded down. A periodic expiry reloads from
 * plimit with next_event advanced from the previous deadline, so periods never drift; expiries
 * missed while nobody looked are processed in one step (the interrupt is a level, so several
 * expiries look the same as one). */
#include "icp_pit.h"

static bool timer_line(const struct vtimer *t)
{
    return t->int_level && (t->control & PIT_CTRL_IE);
}

static void update(struct vtimer *t)
{
    virq_set(&t->irq, timer_line(t));
}

static void trigger(struct vtimer *t)
{
    t->int_level = 1;
    update(t);
}

/* Virtual ns for `count` counts: QEMU's delta * period plus the fraction's share. */
static uint64_t span(const struct vtimer *t, uint32_t count)
{
    return (uint64_t)count * t->period + (((uint64_t)t->period_frac * count) >> 32);
}

static unsigned clz64(uint64_t x)
{
    uint32_t hi = (uint32_t)(x >> 32);
    if (hi)
        return (unsigned)__builtin_clz(hi);
    return 32 + (unsigned)__builtin_clz((uint32_t)x);
}

/* The count at `now`, once every expiry up to `now` has been processed. */
static uint32_t timer_count(const struct vtimer *t, uint64_t now)
{
    if (!t->run || t->delta == 0)
        return t->delta;
    if (now >= t->next_event)
        return 0;
    uint64_t rem = t->next_event - now;
    if (t->period_frac == 0) {
        if (rem <= 0xffffffffu)
            return (uint32_t)rem / (uint32_t)t->period;     /* the usual case: 32-bit divide */
        return (uint32_t)vdev_div_recip(rem, t->period, t->period_recip);
    }
    /* A period with a fraction (1 MHz / 256 only): QEMU scales both operands to keep the
     * fraction's top bits and rounds the divisor up, so the count is never too high. */
    uint64_t div = t->period;
    unsigned shift = VDEV_MIN(clz64(rem), clz64(div));
    rem <<= shift;
    div <<= shift;
    if (shift >= 32) {
        div |= (uint64_t)t->period_frac << (shift - 32);
    } else {
        if (shift)
            div |= t->period_frac >> (32 - shift);
        if ((uint32_t)(t->period_frac << shift))
            div += 1;
    }
    return (uint32_t)(rem / div);
}

/* The counter is (re)started at `now` (QEMU: ptimer_transaction_commit -> ptimer_reload). A zero
 * count raises the interrupt at once and is reloaded; if the reload value is zero as well the
 * counter stops. */
static void start(struct vpit *p, struct vtimer *t, uint64_t now)
{
    if (t->delta == 0)
        trigger(t);
    if (t->delta == 0)
        t->delta = t->plimit;
    if (t->delta == 0) {
        vdev_log(&p->dev, "timer started with count and reload zero: stopped",
                 (uint32_t)(t - p->t) * ICP_PIT_STRIDE + PIT_CONTROL, t->control);
        t->run = 0;
        return;
    }
    t->last_event = now;
    t->next_event = now + span(t, t->delta);
}

static void stop(struct vtimer *t, uint64_t now)
{
    if (!t->run)
        return;
    t->delta = timer_count(t, now);
    t->run = 0;
}

/* Processes the expiries at or before `now`. */
static void catch_up(struct vpit *p, struct vtimer *t, uint64_t now)
{
    while (t->run && t->next_event <= now) {
        if (t->run == 2) {                      /* one-shot: stops at zero */
            t->delta = 0;
            t->run = 0;
            trigger(t);
            return;
        }
        if (t->plimit == 0) {                   /* periodic with reload value zero */
            t->delta = 0;
            trigger(t);
            vdev_log(&p->dev, "periodic timer reloaded with zero: stopped",
                     (uint32_t)(t - p->t) * ICP_PIT_STRIDE + PIT_CONTROL, t->control);
            t->run = 0;
            return;
        }
        trigger(t);
        uint64_t step = span(t, t->plimit);
        t->delta = t->plimit;
        t->last_event = t->next_event;
        t->next_event += step;
        if (t->next_event <= now) {             /* whole periods missed: skip them at once */
            uint64_t missed = (now - t->next_event) / step;
            t->last_event = t->next_event + missed * step;
            t->next_event = t->last_event + step;
        }
    }
}

/* The reload value for the current mode (QEMU's arm_timer_recalibrate). */
static uint32_t mode_limit(const struct vtimer *t)
{
    if (!(t->control & (PIT_CTRL_PERIODIC | PIT_CTRL_ONESHOT)))
        return (t->control & PIT_CTRL_32BIT) ? 0xffffffffu : 0xffffu;     /* free-running */
    return t->limit;
}

static void set_freq(struct vtimer *t, uint32_t freq)
{
    /* The counter is stopped here, so its count (delta) is unaffected. */
    if (freq == t->freq)
        return;
    t->freq = freq;
    t->period = VTIME_NS_PER_SEC / freq;
    t->period_recip = UINT64_MAX / t->period;
    t->period_frac = (uint32_t)(((uint64_t)VTIME_NS_PER_SEC << 32) / freq);
}

static uint32_t timer_read(struct vpit *p, struct vtimer *t, uint32_t offset, uint64_t now)
{
    switch (offset >> 2) {
    case PIT_LOAD >> 2:
    case PIT_BGLOAD >> 2:
        return t->limit;
    case PIT_VALUE >> 2:
        return timer_count(t, now);
    case PIT_CONTROL >> 2:
        return t->control;
    case PIT_RIS >> 2:
        return t->int_level;
    case PIT_MIS >> 2:
        return (t->control & PIT_CTRL_IE) ? t->int_level : 0;
    default:                                    /* IntClr is write-only */
        vdev_log(&p->dev, "read of a bad offset: reads as zero",
                 (uint32_t)(t - p->t) * ICP_PIT_STRIDE + offset, 0);
        return 0;
    }
}

static void timer_write(struct vpit *p, struct vtimer *t, uint32_t offset, uint32_t value,
                        uint64_t now)
{
    switch (offset >> 2) {
    case PIT_LOAD >> 2:
        /* Restarts the count from the new value (from 0xffff/0xffffffff when free-running). */
        t->limit = value;
        t->plimit = mode_limit(t);
        t->delta = t->plimit;
        if (t->run)
            start(p, t, now);
        break;
    case PIT_VALUE >> 2:
        break;                                  /* read-only; Linux writes it: silently */
    case PIT_CONTROL >> 2: {
        /* Any write stops the counter; with ENABLE it restarts from the reload value. */
        if (t->control & PIT_CTRL_ENABLE)
            stop(t, now);
        t->control = value;
        uint32_t freq = t->clock_hz;
        switch ((value >> 2) & 3) {
        case 1: freq >>= 4; break;
        case 2: freq >>= 8; break;
        default: break;                         /* 3 (reserved) counts like 0 */
        }
        t->plimit = mode_limit(t);
        if (value & PIT_CTRL_ENABLE)
            t->delta = t->plimit;
        set_freq(t, freq);
        if (value & PIT_CTRL_ENABLE) {
            t->run = (value & PIT_CTRL_ONESHOT) ? 2 : 1;
            start(p, t, now);
        }
        break;
    }
    case PIT_INTCLR >> 2:
        t->int_level = 0;
        break;
    case PIT_BGLOAD >> 2:
        /* Takes effect at the next reload. */
        t->limit = value;
        t->plimit = mode_limit(t);
        break;
    default:
        vdev_log(&p->dev, "write to a bad offset: ignored",
                 (uint32_t)(t - p->t) * ICP_PIT_STRIDE + offset, value);
        break;
    }
    update(t);
}

static uint32_t pit_read(struct vdev *dev, uint32_t offset, unsigned size, uint64_t now)
{
    struct vpit *p = (struct vpit *)dev;
    unsigned n = offset / ICP_PIT_STRIDE;
    (void)size;
    if (n >= ICP_PIT_TIMERS) {
        vdev_log(dev, "read of a timer that does not exist: reads as zero", offset, 0);
        return 0;
    }
    catch_up(p, &p->t[n], now);
    return timer_read(p, &p->t[n], offset % ICP_PIT_STRIDE, now);
}

static void pit_write(struct vdev *dev, uint32_t offset, uint32_t value, unsigned size,
                      uint64_t now)
{
    struct vpit *p = (struct vpit *)dev;
    unsigned n = offset / ICP_PIT_STRIDE;
    (void)size;
    if (n >= ICP_PIT_TIMERS) {
        vdev_log(dev, "write to a timer that does not exist: ignored", offset, value);
        return;
    }
    catch_up(p, &p->t[n], now);
    timer_write(p, &p->t[n], offset % ICP_PIT_STRIDE, value, now);
}

static const struct vdev_ops pit_ops = { .read = pit_read, .write = pit_write };

void vpit_init(struct vpit *p, uint32_t base, const struct vdev_hooks *hooks,
               const struct virq irq[ICP_PIT_TIMERS])
{
    vdev_init(&p->dev, "timers", base, ICP_PIT_SIZE, &pit_ops, hooks);
    for (unsigned n = 0; n < ICP_PIT_TIMERS; n++) {
        struct vtimer *t = &p->t[n];
        t->control = PIT_CTRL_IE;
        t->limit = t->int_level = 0;
        t->clock_hz = n == 0 ? ICP_PIT_TIMER0_HZ : ICP_PIT_TIMER12_HZ;
        t->run = 0;
        t->plimit = t->delta = 0;
        t->freq = 0;
        t->period = t->period_recip = 0;
        t->period_frac = 0;
        t->last_event = t->next_event = 0;
        t->irq = irq[n];
    }
}

void vpit_advance(struct vpit *p, uint64_t now)
{
    for (unsigned n = 0; n < ICP_PIT_TIMERS; n++)
        catch_up(p, &p->t[n], now);
}

uint64_t vpit_next_irq_event(const struct vpit *p)
{
    uint64_t next = VTIME_NEVER;
    for (unsigned n = 0; n < ICP_PIT_TIMERS; n++) {
        const struct vtimer *t = &p->t[n];
        if (t->run && (t->control & PIT_CTRL_IE) && !t->int_level)
            next = VDEV_MIN(next, t->next_event);
    }
    return next;
}

uint64_t vpit_next_expiry(const struct vpit *p)
{
    uint64_t next = VTIME_NEVER;
    for (unsigned n = 0; n < ICP_PIT_TIMERS; n++)
        if (p->t[n].run)
            next = VDEV_MIN(next, p->t[n].next_event);
    return next;
}

uint32_t vpit_count(const struct vpit *p, unsigned n, uint64_t now)
{
    if (n >= ICP_PIT_TIMERS)
        return 0;
    struct vpit copy = *p;              /* catch up a copy whose lines go nowhere */
    for (unsigned i = 0; i < ICP_PIT_TIMERS; i++)
        copy.t[i].irq.set = NULL;
    copy.dev.hooks = NULL;
    catch_up(&copy, &copy.t[n], now);
    return timer_count(&copy.t[n], now);
}

bool vpit_irq_level(const struct vpit *p, unsigned n)
{
    return n < ICP_PIT_TIMERS && timer_line(&p->t[n]);
}
