/* The device tree of the VMM's virtual board (see board_dtb.h).
 *
 * One node per entry of the device list, with the node names, compatibles, registers, interrupts
 * and clocks Linux 6.1's arch/arm/boot/dts/integratorcp.dts (+ integrator.dtsi) gives the same
 * device, so the kernel binds the same drivers as with the board's DTB:
 *
 *   core module   core-module@10000000  arm,core-module-integrator, syscon, simple-mfd; holds
 *                 the 24 MHz crystal (cm24mhz: its clock_hz), the CPU's oscillator
 *                 (clock-controller@8, ICST525 in CM_OSC) and the timers' divided clock
 *   CM irq        cic@10000040          arm,versatile-fpga-irq, no parent (outputs unwired)
 *   timers        timer@13000n00        arm,integrator-cp-timer, in table order (Linux makes
 *                 the first its clock source); each timer's clock is its clock_hz: a divider of
 *                 the 24 MHz crystal (timclk, fixed-factor-clock /24, as the DTS) or a fixed
 *                 clock of its own (xtal40mhz: the DTS's xtal25mhz at the 40 MHz that QEMU and
 *                 the model clock timer 0 with)
 *   PIC           pic@14000000          arm,versatile-fpga-irq, the root controller
 *   PrimeCells    /fpga (simple-bus)    rtc@15000000 arm,pl031; uart@16000000, uart@17000000
 *                 arm,pl011; + arm,primecell, clock "apb_pclk" (pclk) and the UARTs' "uartclk"
 *                 (uartclk, 14.7456 MHz) as the DTS
 *   CP control    syscon@cb000000       arm,integrator-cp-syscon, syscon
 *   SIC           sic@ca000000          arm,versatile-fpga-irq, chained on its PIC input (26)
 *
 * Clock nodes keep the DTS's names minus their pseudo unit addresses ("cm24mhz@24M"): Linux
 * names a fixed clock after its node without the unit address, so the clock names are the same.
 * The controllers' clear-mask/valid-mask are the DTS's (they describe the controller, whose
 * registers the models implement in full). Clock nodes without a consumer in this tree (the
 * codec crystal, AACI, KMI, CLCD and memory oscillators) and devices the VMM does not emulate
 * (flash, EBI, KMI, debug LEDs and the core-module LED, MMC, AACI, CLCD, SMC91C111, the VGA
 * bridge) are left out. Added: /memory@0, /chosen (bootargs, initrd, stdout-path), /aliases
 * serialN for the UARTs, the CPU's compatible "arm,arm926ej-s", #address-cells = <0> in the
 * interrupt controllers (dtc's check). Node order is the board DTB's (see node_order). */
#include "board_dtb.h"

#include <errno.h>
#include <libfdt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "file_io.h"
#include "../../vmm/vdev/vboard.h"

/* Clocks of the real board that the device list does not carry (the DTS's values). */
#define UARTCLK_HZ        14745600u   /* PL011 reference clock, from the 25 MHz crystal */
#define MAX_TIMER_CLOCKS  4u

/* The controllers' masks (integratorcp.dts / integrator.dtsi). */
#define PIC_CLEAR_MASK    0xffffffffu
#define PIC_VALID_MASK    0x1fc003ffu
#define CIC_CLEAR_MASK    0xffffffffu
#define CIC_VALID_MASK    0x00000007u
#define SIC_CLEAR_MASK    0x00000fffu
#define SIC_VALID_MASK    0x00000fffu

enum phandle {
    PH_PIC = 1, PH_SIC, PH_CIC, PH_CM24, PH_CMCORE, PH_PCLK, PH_UARTCLK,
    PH_TIMER_CLOCK,   /* + index into the distinct timer frequencies */
};

#define TRY(x) do { int rc_ = (x); if (rc_ < 0) return rc_; } while (0)

struct gen {
    void *fdt;
    const struct vboard_device *devs;
    unsigned n;
    const struct vboard_device *cm;   /* the core module, if any */
    uint32_t timer_hz[MAX_TIMER_CLOCKS];
    unsigned nr_timer_hz;
};

static int prop_cells(void *fdt, const char *name, const uint32_t *v, unsigned n)
{
    fdt32_t cells[8];
    if (n > 8)
        return -FDT_ERR_INTERNAL;
    for (unsigned i = 0; i < n; i++)
        cells[i] = cpu_to_fdt32(v[i]);
    return fdt_property(fdt, name, cells, (int)(n * sizeof(fdt32_t)));
}

#define CELLS(fdt, name, ...) \
    prop_cells((fdt), (name), (const uint32_t[]){ __VA_ARGS__ }, \
               sizeof((const uint32_t[]){ __VA_ARGS__ }) / sizeof(uint32_t))
/* A string list ("a\0b\0"): a literal with embedded NULs, its size includes the final NUL. */
#define STRINGS(fdt, name, lit) fdt_property((fdt), (name), (lit), (int)sizeof(lit))

static int begin_node(void *fdt, const char *prefix, uint32_t addr)
{
    char name[64];
    snprintf(name, sizeof(name), "%s@%x", prefix, addr);
    return fdt_begin_node(fdt, name);
}

/* Timer clocks: the 24 MHz crystal divided by an integer > 1 (the DTS's timclk), or a fixed
 * clock of their own at the root. */
static bool divides_cm(const struct gen *g, uint32_t hz)
{
    return g->cm && g->cm->clock_hz && hz < g->cm->clock_hz && g->cm->clock_hz % hz == 0;
}

static unsigned first_divided(const struct gen *g)
{
    unsigned i = 0;
    while (i < g->nr_timer_hz && !divides_cm(g, g->timer_hz[i]))
        i++;
    return i;
}

static int timer_clock_phandle(const struct gen *g, uint32_t hz)
{
    for (unsigned i = 0; i < g->nr_timer_hz; i++)
        if (g->timer_hz[i] == hz)
            return PH_TIMER_CLOCK + (int)i;
    return -FDT_ERR_INTERNAL;
}

/* The DTS's names without its pseudo unit addresses ("@24M"): Linux names a fixed clock after
 * its node, without the unit address, so the clocks' names are the DTS's. */
static void clock_name(char *out, size_t len, const char *stem, uint32_t hz)
{
    if (hz % 1000000u == 0)
        snprintf(out, len, "%s%umhz", stem, hz / 1000000u);
    else
        snprintf(out, len, "%s%uhz", stem, hz);
}

static int fixed_clock(void *fdt, const char *name, uint32_t hz, uint32_t phandle)
{
    TRY(fdt_begin_node(fdt, name));
    TRY(fdt_property_u32(fdt, "#clock-cells", 0));
    TRY(fdt_property_string(fdt, "compatible", "fixed-clock"));
    TRY(fdt_property_u32(fdt, "clock-frequency", hz));
    TRY(fdt_property_u32(fdt, "phandle", phandle));
    return fdt_end_node(fdt);
}

static int root_clocks(struct gen *g, bool uarts, bool pclk)
{
    char name[48];
    if (pclk)   /* "Actually sysclk I think" (the DTS): only its presence matters */
        TRY(fixed_clock(g->fdt, "pclk", 0, PH_PCLK));
    if (uarts)
        TRY(fixed_clock(g->fdt, "uartclk", UARTCLK_HZ, PH_UARTCLK));
    for (unsigned i = 0; i < g->nr_timer_hz; i++) {
        if (divides_cm(g, g->timer_hz[i]))
            continue;
        clock_name(name, sizeof(name), "xtal", g->timer_hz[i]);   /* xtal40mhz */
        TRY(fixed_clock(g->fdt, name, g->timer_hz[i], PH_TIMER_CLOCK + i));
    }
    return 0;
}

static int core_module(struct gen *g, const struct vboard_device *d)
{
    void *fdt = g->fdt;
    char name[48];

    if (!d->clock_hz)
        return -FDT_ERR_BADVALUE;
    TRY(begin_node(fdt, "core-module", d->base));
    TRY(STRINGS(fdt, "compatible", "arm,core-module-integrator\0syscon\0simple-mfd"));
    TRY(CELLS(fdt, "reg", d->base, d->size));
    TRY(CELLS(fdt, "ranges", 0, d->base, d->size));
    TRY(fdt_property_u32(fdt, "#address-cells", 1));
    TRY(fdt_property_u32(fdt, "#size-cells", 1));

    clock_name(name, sizeof(name), "cm", d->clock_hz);   /* cm24mhz */
    TRY(fixed_clock(fdt, name, d->clock_hz, PH_CM24));

    /* The oscillator clocking the CPU core: CM_OSC, unlocked through CM_LOCK. */
    TRY(begin_node(fdt, "clock-controller", CM_OSC));
    TRY(fdt_property_string(fdt, "compatible", "arm,syscon-icst525-integratorcp-cm-core"));
    TRY(CELLS(fdt, "reg", CM_OSC, 4));
    TRY(fdt_property_u32(fdt, "#clock-cells", 0));
    TRY(fdt_property_u32(fdt, "lock-offset", CM_LOCK));
    TRY(fdt_property_u32(fdt, "vco-offset", CM_OSC));
    TRY(fdt_property_u32(fdt, "clocks", PH_CM24));
    TRY(fdt_property_u32(fdt, "phandle", PH_CMCORE));
    TRY(fdt_end_node(fdt));

    for (unsigned i = 0; i < g->nr_timer_hz; i++) {
        uint32_t hz = g->timer_hz[i];
        if (!divides_cm(g, hz))
            continue;
        /* timclk (the DTS's timclk@1M); a second divided frequency gets its own name */
        if (i == first_divided(g))
            snprintf(name, sizeof(name), "timclk");
        else
            clock_name(name, sizeof(name), "timclk", hz);
        TRY(fdt_begin_node(fdt, name));
        TRY(fdt_property_u32(fdt, "#clock-cells", 0));
        TRY(fdt_property_string(fdt, "compatible", "fixed-factor-clock"));
        TRY(fdt_property_u32(fdt, "clock-div", d->clock_hz / hz));
        TRY(fdt_property_u32(fdt, "clock-mult", 1));
        TRY(fdt_property_u32(fdt, "clocks", PH_CM24));
        TRY(fdt_property_u32(fdt, "phandle", PH_TIMER_CLOCK + i));
        TRY(fdt_end_node(fdt));
    }
    return fdt_end_node(fdt);
}

static int interrupts(void *fdt, const struct vboard_device *d)
{
    static const uint32_t parent[] = {
        [VBOARD_PARENT_PIC] = PH_PIC, [VBOARD_PARENT_SIC] = PH_SIC,
    };
    if (d->irq_parent != VBOARD_PARENT_PIC && d->irq_parent != VBOARD_PARENT_SIC)
        return 0;
    if (d->irq < 0)
        return -FDT_ERR_BADVALUE;
    TRY(fdt_property_u32(fdt, "interrupt-parent", parent[d->irq_parent]));
    return fdt_property_u32(fdt, "interrupts", (uint32_t)d->irq);
}

static int irq_controller(void *fdt, const struct vboard_device *d, const char *prefix,
                          uint32_t clear, uint32_t valid, uint32_t phandle)
{
    TRY(begin_node(fdt, prefix, d->base));
    TRY(fdt_property_string(fdt, "compatible", "arm,versatile-fpga-irq"));
    TRY(interrupts(fdt, d));
    TRY(fdt_property_u32(fdt, "#interrupt-cells", 1));
    TRY(fdt_property_u32(fdt, "#address-cells", 0));   /* dtc's interrupt_provider check */
    TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
    TRY(CELLS(fdt, "reg", d->base, d->size));
    TRY(fdt_property_u32(fdt, "clear-mask", clear));
    TRY(fdt_property_u32(fdt, "valid-mask", valid));
    TRY(fdt_property_u32(fdt, "phandle", phandle));
    return fdt_end_node(fdt);
}

static int timer(struct gen *g, const struct vboard_device *d)
{
    int clk = timer_clock_phandle(g, d->clock_hz);
    if (clk < 0)
        return clk;
    TRY(begin_node(g->fdt, "timer", d->base));
    TRY(fdt_property_string(g->fdt, "compatible", "arm,integrator-cp-timer"));
    TRY(CELLS(g->fdt, "reg", d->base, d->size));
    TRY(interrupts(g->fdt, d));
    TRY(fdt_property_u32(g->fdt, "clocks", (uint32_t)clk));
    return fdt_end_node(g->fdt);
}

static int primecell(void *fdt, const struct vboard_device *d)
{
    switch (d->kind) {
    case VBOARD_DEV_RTC:
        TRY(begin_node(fdt, "rtc", d->base));
        TRY(STRINGS(fdt, "compatible", "arm,pl031\0arm,primecell"));
        TRY(CELLS(fdt, "reg", d->base, d->size));
        TRY(interrupts(fdt, d));
        TRY(fdt_property_u32(fdt, "clocks", PH_PCLK));
        TRY(fdt_property_string(fdt, "clock-names", "apb_pclk"));
        break;
    case VBOARD_DEV_UART:
        TRY(begin_node(fdt, "uart", d->base));
        TRY(STRINGS(fdt, "compatible", "arm,pl011\0arm,primecell"));
        TRY(CELLS(fdt, "reg", d->base, d->size));
        TRY(interrupts(fdt, d));
        TRY(CELLS(fdt, "clocks", PH_UARTCLK, PH_PCLK));
        TRY(STRINGS(fdt, "clock-names", "uartclk\0apb_pclk"));
        break;
    default:
        return -FDT_ERR_BADVALUE;
    }
    return fdt_end_node(fdt);
}

static int root_device(struct gen *g, const struct vboard_device *d)
{
    void *fdt = g->fdt;
    switch (d->kind) {
    case VBOARD_DEV_CORE_MODULE:
        return core_module(g, d);
    case VBOARD_DEV_TIMER:
        return timer(g, d);
    case VBOARD_DEV_PIC:
        if (d->irq_parent != VBOARD_PARENT_CPU)
            return -FDT_ERR_BADVALUE;
        return irq_controller(fdt, d, "pic", PIC_CLEAR_MASK, PIC_VALID_MASK, PH_PIC);
    case VBOARD_DEV_CM_IRQ:
        return irq_controller(fdt, d, "cic", CIC_CLEAR_MASK, CIC_VALID_MASK, PH_CIC);
    case VBOARD_DEV_SIC:
        if (d->irq_parent != VBOARD_PARENT_PIC)
            return -FDT_ERR_BADVALUE;
        return irq_controller(fdt, d, "sic", SIC_CLEAR_MASK, SIC_VALID_MASK, PH_SIC);
    case VBOARD_DEV_CP_CTRL:
        TRY(begin_node(fdt, "syscon", d->base));
        TRY(STRINGS(fdt, "compatible", "arm,integrator-cp-syscon\0syscon"));
        TRY(CELLS(fdt, "reg", d->base, d->size));
        return fdt_end_node(fdt);
    default:
        return -FDT_ERR_BADVALUE;
    }
}

static int fpga_bus(struct gen *g)
{
    bool any = false;
    for (unsigned i = 0; i < g->n; i++)
        any |= g->devs[i].primecell;
    if (!any)
        return 0;
    TRY(fdt_begin_node(g->fdt, "fpga"));
    TRY(fdt_property_string(g->fdt, "compatible", "simple-bus"));
    TRY(fdt_property_u32(g->fdt, "#address-cells", 1));
    TRY(fdt_property_u32(g->fdt, "#size-cells", 1));
    TRY(fdt_property(g->fdt, "ranges", NULL, 0));
    TRY(fdt_property_u32(g->fdt, "interrupt-parent", PH_PIC));
    for (unsigned i = 0; i < g->n; i++)
        if (g->devs[i].primecell)
            TRY(primecell(g->fdt, &g->devs[i]));
    return fdt_end_node(g->fdt);
}

/* The board's DTB order, which is the order Linux initialises the devices in: the first timer
 * becomes the clock source, and the PIC's interrupt domain is created before the core module's
 * and the SIC's (so the Linux IRQ numbers are those of a native boot). FPGA_BUS: /fpga with the
 * PrimeCells, in table order. */
#define FPGA_BUS (-1)
static const int node_order[] = {
    VBOARD_DEV_CORE_MODULE, VBOARD_DEV_TIMER, VBOARD_DEV_PIC, FPGA_BUS, VBOARD_DEV_CP_CTRL,
    VBOARD_DEV_CM_IRQ, VBOARD_DEV_SIC,
};

static int devices(struct gen *g)
{
    unsigned described = 0;
    for (unsigned k = 0; k < sizeof(node_order) / sizeof(node_order[0]); k++) {
        if (node_order[k] == FPGA_BUS) {
            TRY(fpga_bus(g));
            continue;
        }
        for (unsigned i = 0; i < g->n; i++)
            if ((int)g->devs[i].kind == node_order[k] && !g->devs[i].primecell) {
                TRY(root_device(g, &g->devs[i]));
                described++;
            }
    }
    for (unsigned i = 0; i < g->n; i++)
        described += g->devs[i].primecell;
    return described == g->n ? 0 : -FDT_ERR_BADVALUE;   /* a kind without a place here */
}

static int chosen(void *fdt, const struct board_dtb_params *p, bool uart0)
{
    TRY(fdt_begin_node(fdt, "chosen"));
    if (p->bootargs)
        TRY(fdt_property_string(fdt, "bootargs", p->bootargs));
    if (uart0)   /* the console when bootargs name none (the DTS's 38400n8) */
        TRY(fdt_property_string(fdt, "stdout-path", "serial0:38400n8"));
    if (p->initrd_size) {
        TRY(fdt_property_u32(fdt, "linux,initrd-start", p->initrd_gpa));
        TRY(fdt_property_u32(fdt, "linux,initrd-end", p->initrd_gpa + p->initrd_size));
    }
    return fdt_end_node(fdt);
}

static int aliases(struct gen *g)
{
    char name[16], path[48];
    bool any = false;
    for (unsigned i = 0; i < g->n; i++)
        any |= g->devs[i].kind == VBOARD_DEV_UART;
    if (!any)
        return 0;
    TRY(fdt_begin_node(g->fdt, "aliases"));
    for (unsigned i = 0; i < g->n; i++) {
        const struct vboard_device *d = &g->devs[i];
        if (d->kind != VBOARD_DEV_UART)
            continue;
        snprintf(name, sizeof(name), "serial%u", d->instance);
        snprintf(path, sizeof(path), "%s/uart@%x", d->primecell ? "/fpga" : "", d->base);
        TRY(fdt_property_string(g->fdt, name, path));
    }
    return fdt_end_node(g->fdt);
}

static int cpus(struct gen *g)
{
    void *fdt = g->fdt;
    TRY(fdt_begin_node(fdt, "cpus"));
    TRY(fdt_property_u32(fdt, "#address-cells", 1));
    TRY(fdt_property_u32(fdt, "#size-cells", 0));
    TRY(fdt_begin_node(fdt, "cpu@0"));
    TRY(fdt_property_string(fdt, "device_type", "cpu"));
    TRY(fdt_property_string(fdt, "compatible", "arm,arm926ej-s"));
    TRY(fdt_property_u32(fdt, "reg", 0));
    if (g->cm) {
        TRY(fdt_property_u32(fdt, "clocks", PH_CMCORE));
        TRY(fdt_property_string(fdt, "clock-names", "cpu"));
    }
    TRY(fdt_end_node(fdt));
    return fdt_end_node(fdt);
}

int board_dtb_build_devices(void *buf, size_t bufsize, const struct vboard_device *devs,
                            unsigned n, const struct board_dtb_params *p)
{
    struct gen g = { .fdt = buf, .devs = devs, .n = n };
    bool uarts = false, pclk = false, uart0 = false;

    if (bufsize > INT32_MAX)
        bufsize = INT32_MAX;
    for (unsigned i = 0; i < n; i++) {
        const struct vboard_device *d = &devs[i];
        if ((unsigned)d->kind > VBOARD_DEV_CP_CTRL)
            return -FDT_ERR_BADVALUE;
        if (d->kind == VBOARD_DEV_CORE_MODULE)
            g.cm = d;
        uarts |= d->kind == VBOARD_DEV_UART;
        uart0 |= d->kind == VBOARD_DEV_UART && d->instance == 0;
        pclk |= d->primecell;
        if (d->kind != VBOARD_DEV_TIMER)
            continue;
        if (!d->clock_hz)
            return -FDT_ERR_BADVALUE;
        bool seen = false;
        for (unsigned j = 0; j < g.nr_timer_hz; j++)
            seen |= g.timer_hz[j] == d->clock_hz;
        if (!seen) {
            if (g.nr_timer_hz == MAX_TIMER_CLOCKS)
                return -FDT_ERR_BADVALUE;
            g.timer_hz[g.nr_timer_hz++] = d->clock_hz;
        }
    }

    TRY(fdt_create(buf, (int)bufsize));
    if (p->reserve_size)
        TRY(fdt_add_reservemap_entry(buf, p->reserve_gpa, p->reserve_size));
    TRY(fdt_finish_reservemap(buf));
    TRY(fdt_begin_node(buf, ""));
    TRY(fdt_property_u32(buf, "#address-cells", 1));
    TRY(fdt_property_u32(buf, "#size-cells", 1));
    TRY(fdt_property_string(buf, "model", BOARD_DTB_MODEL));
    TRY(fdt_property_string(buf, "compatible", "arm,integrator-cp"));

    TRY(chosen(buf, p, uart0));
    TRY(aliases(&g));
    TRY(fdt_begin_node(buf, "memory@0"));
    TRY(fdt_property_string(buf, "device_type", "memory"));
    TRY(CELLS(buf, "reg", 0, p->ram_size));
    TRY(fdt_end_node(buf));
    TRY(cpus(&g));
    TRY(root_clocks(&g, uarts, pclk));

    TRY(devices(&g));

    TRY(fdt_end_node(buf));
    TRY(fdt_finish(buf));
    return (int)fdt_totalsize(buf);
}

int board_dtb_build(void *buf, size_t bufsize, const struct board_dtb_params *p)
{
    unsigned n;
    const struct vboard_device *devs = vboard_devices(&n);
    return board_dtb_build_devices(buf, bufsize, devs, n, p);
}

int board_dtb_write(const char *path, const struct board_dtb_params *p, uint32_t *size,
                    char *err, size_t errlen)
{
    size_t len = 8192 + (p->bootargs ? strlen(p->bootargs) : 0);
    void *buf = NULL;
    int rc;

    for (;;) {
        void *nbuf = realloc(buf, len);
        if (!nbuf) {
            free(buf);
            return errmsg(err, errlen, "cannot generate the board's device tree: out of memory");
        }
        buf = nbuf;
        if ((rc = board_dtb_build(buf, len, p)) != -FDT_ERR_NOSPACE || len >= (1u << 24))
            break;
        len *= 2;
    }
    if (rc < 0) {
        free(buf);
        return errmsg(err, errlen, "cannot generate the board's device tree: %s",
                      fdt_strerror(rc));
    }
    int bad = file_write(path, buf, (size_t)rc, err, errlen);
    free(buf);
    if (bad)
        return -1;
    if (size)
        *size = (uint32_t)rc;
    return 0;
}
