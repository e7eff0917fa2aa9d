/* PrimeCell PL011 UART with QEMU 7.2's behaviour (see pl011.h and docs/DEVICES.md). */
#include "pl011.h"

/* PeriphID0-3 (part 0x011, designer ARM, revision 1) and PCellID0-3. */
static const uint8_t pl011_id[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

static struct vpl011 *to_pl011(struct vdev *dev)
{
    return (struct vpl011 *)dev;
}

bool vpl011_irq_level(const struct vpl011 *u)
{
    return (u->int_level & u->int_enabled & PL011_INT_ALL) != 0;
}

static void update(struct vpl011 *u)
{
    virq_set(&u->irq, vpl011_irq_level(u));
}

unsigned vpl011_rx_room(const struct vpl011 *u)
{
    unsigned depth = (u->lcr & PL011_LCR_FEN) ? PL011_FIFO_DEPTH : 1;
    return u->read_count < depth ? depth - u->read_count : 0;
}

static void put_fifo(struct vpl011 *u, uint32_t value)
{
    unsigned slot = (u->read_pos + u->read_count) % PL011_FIFO_DEPTH;
    u->read_fifo[slot] = value;
    u->read_count++;
    u->flags &= ~PL011_FR_RXFE;
    /* Without FIFOs the one-character holding register is full at once. */
    if (!(u->lcr & PL011_LCR_FEN) || u->read_count == PL011_FIFO_DEPTH)
        u->flags |= PL011_FR_RXFF;
    /* QEMU keeps the trigger level at 1: RX rises when the first character arrives. */
    if (u->read_count == u->read_trigger) {
        u->int_level |= PL011_INT_RX;
        update(u);
    }
}

bool vpl011_rx(struct vpl011 *u, uint8_t byte)
{
    if (vpl011_rx_room(u) == 0)
        return false;
    put_fifo(u, byte);
    return true;
}

bool vpl011_rx_break(struct vpl011 *u)
{
    if (vpl011_rx_room(u) == 0)
        return false;
    put_fifo(u, PL011_DR_BE);
    return true;
}

static uint32_t read_dr(struct vpl011 *u)
{
    u->flags &= ~PL011_FR_RXFF;
    /* An empty FIFO returns whatever its slot at the read position holds (stale or zero). */
    uint32_t c = u->read_fifo[u->read_pos];
    if (u->read_count > 0) {
        u->read_count--;
        u->read_pos = (u->read_pos + 1) % PL011_FIFO_DEPTH;
    }
    if (u->read_count == 0)
        u->flags |= PL011_FR_RXFE;
    if (u->read_count == u->read_trigger - 1)
        u->int_level &= ~PL011_INT_RX;
    u->rsr = c >> 8;
    update(u);
    if (u->dev.hooks && u->dev.hooks->uart_rx_ready)
        u->dev.hooks->uart_rx_ready(u->dev.hooks->ctx, u->index);
    return c;
}

static uint32_t pl011_read(struct vdev *dev, uint32_t offset, unsigned size, uint64_t now)
{
    struct vpl011 *u = to_pl011(dev);
    (void)size;
    (void)now;
    if (offset >= PRIMECELL_ID_BASE)
        return pl011_id[(offset - PRIMECELL_ID_BASE) >> 2];
    switch (offset >> 2) {
    case PL011_DR >> 2:    return read_dr(u);
    case PL011_RSR >> 2:   return u->rsr;
    case PL011_FR >> 2:    return u->flags;
    case PL011_ILPR >> 2:  return u->ilpr;
    case PL011_IBRD >> 2:  return u->ibrd;
    case PL011_FBRD >> 2:  return u->fbrd;
    case PL011_LCR_H >> 2: return u->lcr;
    case PL011_CR >> 2:    return u->cr;
    case PL011_IFLS >> 2:  return u->ifl;
    case PL011_IMSC >> 2:  return u->int_enabled;
    case PL011_RIS >> 2:   return u->int_level;
    case PL011_MIS >> 2:   return u->int_level & u->int_enabled;
    case PL011_DMACR >> 2: return u->dmacr;
    default:
        vdev_log(dev, "read of a bad offset: reads as zero", offset, 0);
        return 0;
    }
}

static void pl011_write(struct vdev *dev, uint32_t offset, uint32_t value, unsigned size,
                        uint64_t now)
{
    struct vpl011 *u = to_pl011(dev);
    (void)size;
    (void)now;
    switch (offset >> 2) {
    case PL011_DR >> 2:
        /* Sent at once whatever CR says; the transmit FIFO is always empty. */
        if (dev->hooks && dev->hooks->uart_tx)
            dev->hooks->uart_tx(dev->hooks->ctx, u->index, (uint8_t)value);
        u->int_level |= PL011_INT_TX;
        update(u);
        break;
    case PL011_RSR >> 2:
        u->rsr = 0;
        break;
    case PL011_FR >> 2:
        break;                      /* read-only, silently */
    case PL011_ILPR >> 2:
        u->ilpr = value;
        break;
    case PL011_IBRD >> 2:
        u->ibrd = value;
        break;
    case PL011_FBRD >> 2:
        u->fbrd = value;
        break;
    case PL011_LCR_H >> 2:
        /* Enabling or disabling the FIFOs empties the receive FIFO (the flags stay as they were). */
        if ((u->lcr ^ value) & PL011_LCR_FEN) {
            u->read_count = 0;
            u->read_pos = 0;
        }
        u->lcr = value;
        u->read_trigger = 1;
        break;
    case PL011_CR >> 2:
        u->cr = value;              /* enable and loopback bits have no effect */
        break;
    case PL011_IFLS >> 2:
        u->ifl = value;
        u->read_trigger = 1;
        break;
    case PL011_IMSC >> 2:
        u->int_enabled = value;
        update(u);
        break;
    case PL011_ICR >> 2:
        u->int_level &= ~value;
        update(u);
        break;
    case PL011_DMACR >> 2:
        u->dmacr = value;
        if (value & 3)
            vdev_log(dev, "DMA not implemented", offset, value);
        break;
    default:
        vdev_log(dev, "write to a bad offset: ignored", offset, value);
        break;
    }
}

static const struct vdev_ops pl011_ops = { .read = pl011_read, .write = pl011_write };

void vpl011_init(struct vpl011 *u, const char *name, uint32_t base, unsigned index,
                 const struct vdev_hooks *hooks, struct virq irq)
{
    vdev_init(&u->dev, name, base, PL011_SIZE, &pl011_ops, hooks);
    u->index = index;
    u->flags = PL011_FR_TXFE | PL011_FR_RXFE;
    u->lcr = u->rsr = u->dmacr = u->int_enabled = u->int_level = 0;
    u->ilpr = u->ibrd = u->fbrd = 0;
    u->cr = 0x300;                  /* TXE | RXE */
    u->ifl = 0x12;                  /* both FIFO levels at half */
    for (unsigned i = 0; i < PL011_FIFO_DEPTH; i++)
        u->read_fifo[i] = 0;
    u->read_pos = u->read_count = 0;
    u->read_trigger = 1;
    u->irq = irq;
}
