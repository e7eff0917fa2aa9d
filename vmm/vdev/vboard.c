/* One VM's virtual Integrator/CP board (see vboard.h). */
#include "vboard.h"

static const struct vboard_device devices[] = {
    { VBOARD_DEV_CORE_MODULE, 0, "core-module", VBOARD_CM_BASE, 0x200, VBOARD_PARENT_NONE, -1,
      CM_REFCNT_HZ, false },
    { VBOARD_DEV_CM_IRQ, 0, "cm-irq", VBOARD_CM_IRQ_BASE, 0x100, VBOARD_PARENT_NONE, -1, 0, false },
    { VBOARD_DEV_TIMER, 0, "timer0", VBOARD_TIMER_BASE + 0 * ICP_PIT_STRIDE, ICP_PIT_STRIDE,
      VBOARD_PARENT_PIC, VBOARD_IRQ_TIMER0 + 0, ICP_PIT_TIMER0_HZ, false },
    { VBOARD_DEV_TIMER, 1, "timer1", VBOARD_TIMER_BASE + 1 * ICP_PIT_STRIDE, ICP_PIT_STRIDE,
      VBOARD_PARENT_PIC, VBOARD_IRQ_TIMER0 + 1, ICP_PIT_TIMER12_HZ, false },
    { VBOARD_DEV_TIMER, 2, "timer2", VBOARD_TIMER_BASE + 2 * ICP_PIT_STRIDE, ICP_PIT_STRIDE,
      VBOARD_PARENT_PIC, VBOARD_IRQ_TIMER0 + 2, ICP_PIT_TIMER12_HZ, false },
    { VBOARD_DEV_PIC, 0, "pic", VBOARD_PIC_BASE, 0x100, VBOARD_PARENT_CPU, -1, 0, false },
    { VBOARD_DEV_RTC, 0, "rtc", VBOARD_RTC_BASE, PL031_SIZE, VBOARD_PARENT_PIC, VBOARD_IRQ_RTC, 0,
      true },
    { VBOARD_DEV_UART, 0, "uart0", VBOARD_UART0_BASE, PL011_SIZE, VBOARD_PARENT_PIC,
      VBOARD_IRQ_UART0, 0, true },
    { VBOARD_DEV_UART, 1, "uart1", VBOARD_UART1_BASE, PL011_SIZE, VBOARD_PARENT_PIC,
      VBOARD_IRQ_UART1, 0, true },
    { VBOARD_DEV_SIC, 0, "sic", VBOARD_SIC_BASE, 0x100, VBOARD_PARENT_PIC, VBOARD_IRQ_SIC, 0,
      false },
    { VBOARD_DEV_CP_CTRL, 0, "cp-control", VBOARD_CPCTRL_BASE, 0x100, VBOARD_PARENT_NONE, -1, 0,
      false },
};

const struct vboard_device *vboard_devices(unsigned *count)
{
    *count = sizeof(devices) / sizeof(devices[0]);
    return devices;
}

/* The primary controller's outputs: line 0 is IRQ, line 1 FIQ. The hook hears of changes only. */
static void cpu_line(void *target, unsigned line, bool level)
{
    struct vboard *b = target;
    bool irq = line == 0 ? level : b->cpu_irq;
    bool fiq = line == 1 ? level : b->cpu_fiq;
    if (irq == b->cpu_irq && fiq == b->cpu_fiq)
        return;
    b->cpu_irq = irq;
    b->cpu_fiq = fiq;
    if (b->hooks.cpu_lines)
        b->hooks.cpu_lines(b->hooks.ctx, irq, fiq);
}

static struct virq line_to(struct vpic *pic, unsigned line)
{
    return (struct virq){ .set = vpic_input, .target = pic, .line = line };
}

static void recompute_due(struct vboard *b)
{
    b->due = VDEV_MIN(vpit_next_expiry(&b->pit), vpl031_next_expiry(&b->rtc));
}

void vboard_init(struct vboard *b, const struct vboard_config *cfg)
{
    const struct virq none = { 0 };
    const struct vdev_hooks *h = &b->hooks;

    b->hooks = cfg->hooks;
    b->cpu_irq = b->cpu_fiq = false;
    vbus_init(&b->bus, h);

    vpic_init(&b->pic, "pic", VBOARD_PIC_BASE, h,
              (struct virq){ .set = cpu_line, .target = b, .line = 0 },
              (struct virq){ .set = cpu_line, .target = b, .line = 1 });
    vpic_init(&b->sic, "sic", VBOARD_SIC_BASE, h, line_to(&b->pic, VBOARD_IRQ_SIC), none);
    vcm_init(&b->cm, VBOARD_CM_BASE, cfg->ram_size, cfg->now, h, none, none);
    struct virq timer_irq[ICP_PIT_TIMERS];
    for (unsigned n = 0; n < ICP_PIT_TIMERS; n++)
        timer_irq[n] = line_to(&b->pic, VBOARD_IRQ_TIMER0 + n);
    vpit_init(&b->pit, VBOARD_TIMER_BASE, h, timer_irq);
    vpl031_init(&b->rtc, VBOARD_RTC_BASE, h, line_to(&b->pic, VBOARD_IRQ_RTC), cfg->now,
                cfg->rtc_seconds);
    vpl011_init(&b->uart[0], "uart0", VBOARD_UART0_BASE, 0, h, line_to(&b->pic, VBOARD_IRQ_UART0));
    vpl011_init(&b->uart[1], "uart1", VBOARD_UART1_BASE, 1, h, line_to(&b->pic, VBOARD_IRQ_UART1));
    vcpctrl_init(&b->cpctrl, VBOARD_CPCTRL_BASE, h, line_to(&b->sic, VBOARD_SIC_IRQ_MMC));

    /* Most often used first (the bus also remembers the last device it found). */
    struct vdev *all[] = { &b->cm.dev, &b->pit.dev, &b->pic.dev, &b->uart[0].dev, &b->rtc.dev,
                           &b->uart[1].dev, &b->sic.dev, &b->cpctrl.dev };
    for (unsigned i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        vbus_add(&b->bus, all[i]);
    recompute_due(b);
}

void vboard_advance(struct vboard *b, uint64_t now)
{
    if (now < b->due)
        return;
    vpit_advance(&b->pit, now);
    vpl031_advance(&b->rtc, now);
    recompute_due(b);
}

uint32_t vboard_read(struct vboard *b, uint32_t gpa, unsigned size, uint64_t now)
{
    vboard_advance(b, now);
    return vbus_read(&b->bus, gpa, size, now);
}

struct vdev *vboard_quiet_device(struct vboard *b, uint32_t gpa)
{
    struct vdev *dev = vbus_find(&b->bus, gpa);
    for (unsigned i = 0; dev && i < VBOARD_UARTS; i++)
        if (dev == &b->uart[i].dev)
            return 0;
    return dev;
}

bool vboard_read_quiet(struct vboard *b, uint32_t gpa, uint64_t now, uint32_t *value)
{
    struct vdev *dev = vboard_quiet_device(b, gpa);
    return dev && vboard_read_dev_quiet(b, dev, gpa, now, value);
}

void vboard_write(struct vboard *b, uint32_t gpa, uint32_t value, unsigned size, uint64_t now)
{
    vboard_advance(b, now);
    vbus_write(&b->bus, gpa, value, size, now);
    recompute_due(b);
}

uint64_t vboard_next_event(const struct vboard *b)
{
    return VDEV_MIN(vpit_next_irq_event(&b->pit), vpl031_next_irq_event(&b->rtc));
}

bool vboard_uart_rx(struct vboard *b, unsigned uart, uint8_t byte)
{
    return uart < VBOARD_UARTS && vpl011_rx(&b->uart[uart], byte);
}

unsigned vboard_uart_rx_room(const struct vboard *b, unsigned uart)
{
    return uart < VBOARD_UARTS ? vpl011_rx_room(&b->uart[uart]) : 0;
}
