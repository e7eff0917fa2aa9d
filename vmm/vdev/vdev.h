/* Virtual devices: the MMIO interface every device model implements, the per-VM bus that routes
 * guest-physical accesses to the models, interrupt lines between models, and the hooks through
 * which the models reach the VMM.
 *
 * Everything under vmm/vdev/ is pure C11 that needs only <stdint.h>, <stdbool.h> and <stddef.h>:
 * it is compiled into the VMM (freestanding) and into the host unit tests. A model keeps all of
 * its state in its own structure, so every VM owns a complete set of devices. Time is never read
 * from a clock: every operation that depends on it is handed `now`, the VM's virtual time in
 * nanoseconds, which must not go backwards. See docs/DEVICES.md. */
#ifndef ARMVMM_VDEV_H
#define ARMVMM_VDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the VMM supplies to one VM's devices. `ctx` is handed back unchanged (the VMM's VM).
 * Any hook may be NULL: the event is then dropped. */
struct vdev_hooks {
    void *ctx;
    /* One line of the VMM's log: `dev` names the device ("unassigned" for an address no model
     * covers), `msg` is constant text, `offset` and `value` describe the access. */
    void (*log)(void *ctx, const char *dev, const char *msg, uint32_t offset, uint32_t value);
    /* The guest wrote `byte` to the data register of UART `uart` (0 = UART0, 1 = UART1). */
    void (*uart_tx)(void *ctx, unsigned uart, uint8_t byte);
    /* The guest read UART `uart`'s data register: the receiver may have room again. QEMU's
     * character backends refill at this point, within the same access; the hook may call
     * vpl011_rx() / vboard_uart_rx() directly. */
    void (*uart_rx_ready)(void *ctx, unsigned uart);
    /* The levels of the virtual CPU's IRQ and FIQ inputs changed (true = asserted). */
    void (*cpu_lines)(void *ctx, bool irq, bool fiq);
    /* The guest requested a board reset (core module CM_CTRL bit 3). */
    void (*reset_request)(void *ctx);
};

struct vdev;

/* The MMIO interface. `offset` is relative to the device's base, `size` is 1, 2 or 4 and the
 * access is naturally aligned (the bus guarantees both). A read returns the register value; the
 * bus keeps its low `size` bytes. A write receives the value zero-extended from `size` bytes. */
struct vdev_ops {
    uint32_t (*read)(struct vdev *dev, uint32_t offset, unsigned size, uint64_t now);
    void (*write)(struct vdev *dev, uint32_t offset, uint32_t value, unsigned size, uint64_t now);
};

/* The part every model embeds as its first member. */
struct vdev {
    const char *name;
    uint32_t base, size;
    const struct vdev_ops *ops;
    const struct vdev_hooks *hooks;
    unsigned log_count;      /* messages logged so far (see VDEV_LOG_LIMIT) */
};

/* A device logs at most this many guest errors; the last one says that further ones are dropped. */
#define VDEV_LOG_LIMIT 16

void vdev_init(struct vdev *dev, const char *name, uint32_t base, uint32_t size,
               const struct vdev_ops *ops, const struct vdev_hooks *hooks);
void vdev_log(struct vdev *dev, const char *msg, uint32_t offset, uint32_t value);

/* An interrupt line from a model's output to an input of a controller (or of the CPU). Driving an
 * unconnected line (set == NULL) does nothing. Like a QEMU qemu_irq, every drive is passed on,
 * whether or not the level changed. */
struct virq {
    void (*set)(void *target, unsigned line, bool level);
    void *target;
    unsigned line;
};

static inline void virq_set(const struct virq *q, bool level)
{
    if (q->set)
        q->set(q->target, q->line, level);
}

static inline bool virq_connected(const struct virq *q)
{
    return q->set != NULL;
}

/* The per-VM bus: which model answers which guest-physical address. */
#define VBUS_MAX_DEVICES 16
#define VBUS_UNASSIGNED_SHIFT 20     /* unassigned accesses are logged once per 1 MB section */

struct vbus {
    struct vdev *dev[VBUS_MAX_DEVICES];
    unsigned count;
    struct vdev *last;                       /* the device found last: a one-entry cache */
    const struct vdev_hooks *hooks;
    uint32_t unassigned_logged[(1u << (32 - VBUS_UNASSIGNED_SHIFT)) / 32];
};

void vbus_init(struct vbus *bus, const struct vdev_hooks *hooks);
/* Adds a device; false if the bus is full, the region is empty or wraps, or it overlaps another. */
bool vbus_add(struct vbus *bus, struct vdev *dev);
/* The device whose region contains `gpa`, or NULL. */
struct vdev *vbus_find(struct vbus *bus, uint32_t gpa);

/* A guest access of `size` bytes (1, 2 or 4) at `gpa`, performed as QEMU 7.2 performs a CPU
 * access to these devices (TCG softmmu and memory core; checked on qemu-system-arm 7.2):
 * - aligned: the device sees the exact offset and size; a read keeps the low `size` bytes of the
 *   register value, a write passes the value zero-extended;
 * - unaligned load: the two aligned loads of the same size around it (both reach the device, with
 *   their side effects), combined little-endian;
 * - unaligned store: byte stores at gpa, gpa+1, ... in that order;
 * - no device there: reads zero, writes ignored, logged once per 1 MB section;
 * - any other size: reads zero, ignored (a caller bug), logged.
 * An unaligned LDR/STR reaches here as one access (no ARMv5 rotation: QEMU's arm926 has none);
 * LDM/STM/LDRD/STRD as their word accesses in order. */
uint32_t vbus_read(struct vbus *bus, uint32_t gpa, unsigned size, uint64_t now);
void vbus_write(struct vbus *bus, uint32_t gpa, uint32_t value, unsigned size, uint64_t now);

/* The PrimeCell identification block at offsets 0xfe0-0xffc: eight registers each holding one
 * byte (PeriphID0-3, then PCellID0-3 = 0x0d 0xf0 0x05 0xb1). */
#define PRIMECELL_ID_BASE 0xfe0u

/* No deadline. */
#define VTIME_NEVER UINT64_MAX
#define VTIME_NS_PER_SEC 1000000000u

/* High 64 bits of a 64 x 64-bit product, from 32-bit halves (no 128-bit type on the ARM): the
 * devices divide 64-bit times by multiplying with a reciprocal (the library's 64-bit division
 * costs ~350 instructions on the ARM926). */
static inline uint64_t vdev_mulhi64(uint64_t a, uint64_t b)
{
    uint64_t al = (uint32_t)a, ah = a >> 32, bl = (uint32_t)b, bh = b >> 32;
    uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    uint64_t mid = (ll >> 32) + (uint32_t)lh + (uint32_t)hl;
    return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
}

/* floor(n / d) for a divisor d > 0 whose recip = floor((2^64 - 1) / d) is known: the product
 * is at most 2 short of the quotient. */
static inline uint64_t vdev_div_recip(uint64_t n, uint64_t d, uint64_t recip)
{
    uint64_t q = vdev_mulhi64(n, recip);
    while (n - q * d >= d)
        q++;
    return q;
}

#define VDEV_MIN(a, b) ((a) < (b) ? (a) : (b))

#endif
